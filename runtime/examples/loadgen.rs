//! Load test of `rin serve` on loopback: starts the server on a random-weights fixture model,
//! drives it with 8, 32 and 128 concurrent keep-alive clients (raw HTTP/1.1 over tokio), with
//! micro-batching on and off, and prints a Markdown table (p50/p99 latency, throughput, errors,
//! mean batch, server memory). Every run is bounded in requests and in time.
//!
//! ```sh
//! cargo build --release -p rin-cli -p rin-plugin-english -p rin-plugin-perceptron
//! cargo xtask run -- cargo run --release -p rin-runtime --example loadgen
//! ```
//!
//! Flags: `--rin PATH` (default: `rin` next to this example's folder), `--model DIR` (default: a
//! paper-size random fixture written to a temporary folder; `--size tiny` for the tests' tiny
//! one), `--clients 8,32,128`, `--requests N` per run (3000), `--seconds S` per run at most (20),
//! `--threads T` ONNX Runtime threads per worker (1), `--workers` (1), `--max-batch` (32),
//! `--max-wait` (2ms), `--batch-size` (the server's `--batch-size`), `--modes on,off`.
//! The numbers are latencies of the serving path on random weights, not accuracy.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rin_exporter::fixture::{vocab, write_checkpoint, FixtureSpec};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// The Penn Treebank tags (the fixture model reads POS ids).
const PENN_TAGS: [&str; 45] = [
    "CC", "CD", "DT", "EX", "FW", "IN", "JJ", "JJR", "JJS", "LS", "MD", "NN", "NNS", "NNP", "NNPS",
    "PDT", "POS", "PRP", "PRP$", "RB", "RBR", "RBS", "RP", "SYM", "TO", "UH", "VB", "VBD", "VBG",
    "VBN", "VBP", "VBZ", "WDT", "WP", "WP$", "WRB", "#", "$", ".", ",", ":", "-LRB-", "-RRB-",
    "``", "''",
];

struct Options {
    rin: PathBuf,
    model: Option<PathBuf>,
    size: String,
    clients: Vec<usize>,
    requests: usize,
    seconds: u64,
    threads: usize,
    max_batch: usize,
    max_wait: String,
    batch_size: Option<usize>,
    workers: usize,
    modes: Vec<String>,
}

fn parse_args() -> Result<Options> {
    let exe = std::env::current_exe()?;
    // target/<profile>/examples/loadgen -> target/<profile>/rin
    let default_rin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("rin"))
        .unwrap_or_else(|| PathBuf::from("rin"));
    let mut o = Options {
        rin: default_rin,
        model: None,
        size: "paper".into(),
        clients: vec![8, 32, 128],
        requests: 3000,
        seconds: 20,
        threads: 1,
        max_batch: 32,
        max_wait: "2ms".into(),
        batch_size: None,
        workers: 1,
        modes: vec!["on".into(), "off".into()],
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rin" => o.rin = value()?.into(),
            "--model" => o.model = Some(value()?.into()),
            "--size" => o.size = value()?,
            "--clients" => {
                o.clients = value()?
                    .split(',')
                    .map(|c| c.trim().parse())
                    .collect::<Result<_, _>>()?
            }
            "--requests" => o.requests = value()?.parse()?,
            "--seconds" => o.seconds = value()?.parse()?,
            "--threads" => o.threads = value()?.parse()?,
            "--max-batch" => o.max_batch = value()?.parse()?,
            "--max-wait" => o.max_wait = value()?,
            "--batch-size" => o.batch_size = Some(value()?.parse()?),
            "--workers" => o.workers = value()?.parse()?,
            "--modes" => o.modes = value()?.split(',').map(str::to_owned).collect(),
            other => bail!("unknown flag {other} (see the file's doc comment)"),
        }
    }
    Ok(o)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// WebNLG* test sentences, as texts.
fn texts() -> Result<Vec<String>> {
    let dir = repo_root().join("data/webnlg-star");
    let relations = rin_core::dataset::load_relations(&dir)?;
    let data = rin_core::load_file(
        &dir.join("test.json"),
        rin_core::DataFormat::CasRel,
        &relations,
    )?;
    Ok(data.sentences.iter().map(|s| s.tokens.join(" ")).collect())
}

/// Writes and exports the random fixture (WebNLG* words, Penn Treebank tags, 171 relations).
fn fixture(dir: &Path, size: &str) -> Result<PathBuf> {
    let data = repo_root().join("data/webnlg-star");
    let relations = rin_core::dataset::load_relations(&data)?;
    let test = rin_core::load_file(
        &data.join("test.json"),
        rin_core::DataFormat::CasRel,
        &relations,
    )?;
    let mut words: Vec<String> = test
        .sentences
        .iter()
        .flat_map(|s| s.tokens.iter().map(|w| rin_core::word_key(w)))
        .collect();
    words.sort();
    words.dedup();
    let words = vocab(words.iter().map(String::as_str));
    let pos = vocab(PENN_TAGS);
    let relations = relations.names().to_vec();
    let mut spec = match size {
        "tiny" => {
            let mut spec = FixtureSpec::tiny(11);
            spec.words = words;
            spec.pos_tags = pos;
            spec.relations = relations;
            spec
        }
        "paper" => FixtureSpec::full_size(words, pos, relations, 11),
        other => bail!("--size {other}: tiny or paper"),
    };
    spec.config.word_vocab = spec.words.len();
    spec.config.pos_vocab = spec.pos_tags.len();
    spec.config.relations = spec.relations.len();
    let ckpt = dir.join("ckpt");
    write_checkpoint(&ckpt, &spec)?;
    let out = dir.join("model");
    rin_exporter::export(&ckpt, &out, &Default::default())?;
    Ok(out)
}

struct ServerProcess {
    child: Child,
    addr: String,
}

impl ServerProcess {
    fn start(o: &Options, model: &Path, batching: bool) -> Result<Self> {
        let mut cmd = Command::new(&o.rin);
        cmd.arg("serve")
            .arg("--model")
            .arg(model)
            .args(["--addr", "127.0.0.1:0", "--queue", "1024"])
            .args(["--workers", &o.workers.to_string()])
            .args(["--threads", &o.threads.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(size) = o.batch_size {
            cmd.args(["--batch-size", &size.to_string()]);
        }
        if batching {
            cmd.args([
                "--max-batch",
                &o.max_batch.to_string(),
                "--max-wait",
                &o.max_wait,
            ]);
        } else {
            cmd.arg("--no-batching");
        }
        if std::env::var_os("RIN_PLUGIN_DIR").is_none() {
            if let Some(dir) = o.rin.parent() {
                cmd.env("RIN_PLUGIN_DIR", dir);
            }
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", o.rin.display()))?;
        let stderr = child.stderr.take().context("no stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let Some(line) = lines.next() else {
                bail!("rin serve exited before listening");
            };
            let line = line?;
            eprintln!("  server: {line}");
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
            }
        };
        // Keep draining the server's log so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                eprintln!("  server: {line}");
            }
        });
        Ok(ServerProcess { child, addr })
    }

    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
                / 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    fn stop(mut self) -> Result<()> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        let status = self.child.wait()?;
        if !status.success() {
            bail!("rin serve exited with {status}");
        }
        Ok(())
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    stream: BufStream<TcpStream>,
    host: String,
}

impl Connection {
    async fn open(addr: &str) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream: BufStream::new(stream),
            host: addr.to_owned(),
        })
    }

    /// Sends a request; returns the status and the body.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        self.stream.write_all(head.as_bytes()).await?;
        self.stream.write_all(body).await?;
        self.stream.flush().await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok((status, body))
    }
}

struct RunResult {
    sent: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

async fn run_load(
    addr: &str,
    bodies: Arc<Vec<Vec<u8>>>,
    clients: usize,
    requests: usize,
    limit: Duration,
) -> RunResult {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + limit;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (addr, bodies, next) = (addr.to_owned(), bodies.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut connection = Connection::open(&addr).await.ok();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests || Instant::now() >= deadline {
                        break;
                    }
                    let Some(conn) = connection.as_mut() else {
                        errors += 1;
                        connection = Connection::open(&addr).await.ok();
                        continue;
                    };
                    let t0 = Instant::now();
                    match conn
                        .send("POST", "/v1/extract", &bodies[i % bodies.len()])
                        .await
                    {
                        Ok((200, _)) => latencies.push(t0.elapsed()),
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            connection = Connection::open(&addr).await.ok();
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((l, e)) = task.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed();
    RunResult {
        sent: latencies.len() + errors,
        errors,
        elapsed,
        latencies,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1e3
}

/// `(sum, count)` of `rin_batch_texts` from `/metrics`.
async fn batch_stats(addr: &str) -> (f64, f64) {
    let Ok(mut c) = Connection::open(addr).await else {
        return (0.0, 0.0);
    };
    let Ok((_, body)) = c.send("GET", "/metrics", b"").await else {
        return (0.0, 0.0);
    };
    let text = String::from_utf8_lossy(&body);
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (value("rin_batch_texts_sum"), value("rin_batch_texts_count"))
}

async fn wait_ready(server: &mut ServerProcess) -> Result<()> {
    let addr = server.addr.clone();
    for _ in 0..600 {
        if let Some(status) = server.child.try_wait()? {
            bail!("rin serve exited ({status}) before it was ready");
        }
        if let Ok(mut c) = Connection::open(&addr).await {
            if let Ok((200, _)) = c.send("GET", "/readyz", b"").await {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server never became ready")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let o = parse_args()?;
    let tmp = std::env::temp_dir().join(format!("rin-loadgen-{}", std::process::id()));
    let model = match &o.model {
        Some(m) => m.clone(),
        None => fixture(&tmp, &o.size)?,
    };
    let texts = texts()?;
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        texts
            .iter()
            .map(|t| serde_json::to_vec(&serde_json::json!({ "text": t })))
            .collect::<Result<_, _>>()?,
    );
    let mean_tokens =
        texts.iter().map(|t| t.split(' ').count()).sum::<usize>() as f64 / texts.len() as f64;
    eprintln!(
        "model {} ({} texts, {mean_tokens:.1} tokens on average), {} requests or {} s per run",
        model.display(),
        texts.len(),
        o.requests,
        o.seconds
    );
    let mut rows = Vec::new();
    for mode in &o.modes {
        let batching = match mode.as_str() {
            "on" => true,
            "off" => false,
            other => bail!("--modes: on, off (not {other})"),
        };
        let mut server = ServerProcess::start(&o, &model, batching)?;
        wait_ready(&mut server).await?;
        // Warm-up: sessions, allocator, connections.
        run_load(
            &server.addr,
            bodies.clone(),
            8,
            200,
            Duration::from_secs(10),
        )
        .await;
        let (rss_start, _) = server.memory();
        for &clients in &o.clients {
            let before = batch_stats(&server.addr).await;
            let mut result = run_load(
                &server.addr,
                bodies.clone(),
                clients,
                o.requests,
                Duration::from_secs(o.seconds),
            )
            .await;
            let after = batch_stats(&server.addr).await;
            result.latencies.sort();
            let (rss, hwm) = server.memory();
            let mean_batch = (after.0 - before.0) / (after.1 - before.1).max(1.0);
            let row = format!(
                "| {} | {clients} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {mean_batch:.1} | {rss_start} → {rss} (peak {hwm}) |",
                if batching {
                    format!("on ({}, {})", o.max_batch, o.max_wait)
                } else {
                    "off".to_owned()
                },
                result.sent,
                result.errors,
                result.latencies.len() as f64 / result.elapsed.as_secs_f64(),
                percentile(&result.latencies, 0.5),
                percentile(&result.latencies, 0.99),
                percentile(&result.latencies, 1.0),
            );
            eprintln!("{row}");
            rows.push(row);
        }
        server.stop()?;
    }
    println!("| micro-batching | clients | requests | errors | throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) | mean batch (texts) | server RSS MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
