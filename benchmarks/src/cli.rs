//! The `rin-bench` command line: `sweep`, `tradeoff` and `plot`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use rin_core::Vocab;
use serde::{Deserialize, Serialize};

use crate::backend::{BackendSpec, Engine, Target};
use crate::e2e::{self, E2eRow};
use crate::floor::{self, GemmRate};
use crate::memory::{self, MemoryRow};
use crate::plot;
use crate::pytorch;
use crate::sweep::{self, ModelFiles, Plan, Row, SweepOptions};
use crate::timing::Budget;
use crate::tradeoff::{self, TradeoffPoint};
use crate::workload::Corpus;

#[derive(Parser)]
#[command(
    version,
    about = "Latency, throughput, memory and accuracy-vs-K benchmarks of RIN models"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Times one checkpoint on every backend over the K, batch and length sweeps, end to end and
    /// model only; writes results.json, latency.csv and SVG plots to --out.
    Sweep(SweepArgs),
    /// Dev F1 and latency at each K of one or more checkpoints (exported to every K).
    Tradeoff(TradeoffArgs),
    /// ONNX Runtime's per-node profile of one graph, summed by operator type.
    Profile(ProfileArgs),
    /// Redraws the plots of a results.json.
    Plot {
        /// A results.json written by `sweep`.
        results: PathBuf,
    },
}

/// The checkpoint to time and the sentences to time it on (`sweep`, `profile`).
#[derive(clap::Args)]
struct TimedModel {
    /// A trainer checkpoint folder (model.safetensors and checkpoint.json).
    #[arg(long)]
    checkpoint: PathBuf,
    /// The data set whose sentences are cut into inputs (its --split file and rel2id.json).
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value = "test")]
    split: String,
}

#[derive(clap::Args)]
struct SweepArgs {
    #[command(flatten)]
    input: TimedModel,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Backends: ort-cpu:THREADS, ort-cuda, tch-cpu:THREADS, tch-cuda, pytorch-cpu:THREADS,
    /// pytorch-cuda.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ort-cpu:1,ort-cpu:2,tch-cpu:1,tch-cpu:2,pytorch-cpu:1,pytorch-cpu:2"
    )]
    backends: Vec<BackendSpec>,
    /// The K of the batch and length sweeps (default: the checkpoint's).
    #[arg(long)]
    k: Option<usize>,
    /// A few small cases and a handful of iterations: checks the harness, measures nothing.
    #[arg(long)]
    quick: bool,
    /// Seconds per configuration at most (once 20 iterations are done; 1000 iterations stop it
    /// earlier).
    #[arg(long)]
    seconds: Option<f64>,
    /// A name for the machine in plots and results (e.g. "2-core EPYC VM").
    #[arg(long, default_value = "this machine")]
    label: String,
    /// Skip the end-to-end timings.
    #[arg(long)]
    no_e2e: bool,
    /// Skip the memory probes.
    #[arg(long)]
    no_memory: bool,
    #[command(flatten)]
    python: PythonArgs,
}

#[derive(clap::Args)]
struct PythonArgs {
    /// The Python with torch for the PyTorch baseline (default: RIN_PYTHON, the active venv, or
    /// the venv of `cargo xtask setup`).
    #[arg(long)]
    python: Option<PathBuf>,
    /// The PyTorch baseline script.
    #[arg(long)]
    pytorch_script: Option<PathBuf>,
}

#[derive(clap::Args)]
struct TradeoffArgs {
    /// LABEL=CHECKPOINT_DIR, once per checkpoint (e.g. normal=models/webnlg-star/checkpoint).
    #[arg(long = "checkpoint", required = true)]
    checkpoints: Vec<String>,
    /// The data set; its --split file is scored.
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value = "dev")]
    split: String,
    /// K from 0 to this.
    #[arg(long, default_value_t = 7)]
    max_k: usize,
    /// Tokens of the timed sentence.
    #[arg(long, default_value_t = 30)]
    tokens: usize,
    #[arg(long)]
    out: PathBuf,
    /// Fewer iterations (CI).
    #[arg(long)]
    quick: bool,
}

#[derive(clap::Args)]
struct ProfileArgs {
    #[command(flatten)]
    input: TimedModel,
    /// Default: the checkpoint's K.
    #[arg(long)]
    k: Option<usize>,
    #[arg(long, default_value_t = 1)]
    batch: usize,
    #[arg(long, default_value_t = 30)]
    tokens: usize,
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Profiled runs (after 10 warm-up runs).
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Where ONNX Runtime's trace and the summary (profile.json) go.
    #[arg(long)]
    out: PathBuf,
}

/// The machine, for the record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub label: String,
    pub cpu: String,
    pub cores: usize,
    pub os: String,
}

impl Machine {
    fn detect(label: &str) -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".into());
        let os = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| format!("Linux {}", s.trim()))
            .unwrap_or_else(|_| std::env::consts::OS.into());
        Machine {
            label: label.to_owned(),
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os,
        }
    }
}

/// The longest sentence that fits in the memory budget at batch 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LongestFit {
    pub limit_mib: f64,
    pub k: usize,
    pub tokens: usize,
    pub probes: Vec<MemoryRow>,
}

/// Everything a sweep measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepReport {
    pub machine: Machine,
    pub rin_version: String,
    pub onnxruntime_library: Option<String>,
    pub torch_version: Option<String>,
    /// ONNX Runtime's graph optimisation level (rin-runtime's session settings).
    pub ort_optimization: String,
    pub checkpoint: String,
    pub relations: usize,
    pub data: String,
    pub quick: bool,
    pub budget: Budget,
    pub plan: Plan,
    pub gemm: Vec<GemmRate>,
    pub rows: Vec<Row>,
    pub e2e: Vec<E2eRow>,
    pub memory: Vec<MemoryRow>,
    pub longest_in_1gib: Option<LongestFit>,
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sweep(args) => sweep_command(args),
        Command::Tradeoff(args) => tradeoff_command(args),
        Command::Profile(args) => profile_command(args),
        Command::Plot { results } => {
            let report: SweepReport = serde_json::from_slice(
                &std::fs::read(&results)
                    .with_context(|| format!("cannot read {}", results.display()))?,
            )
            .with_context(|| format!("{} is not a rin-bench results file", results.display()))?;
            let dir = results.parent().unwrap_or(Path::new("."));
            draw(dir, &report)
        }
    }
}

fn draw(dir: &Path, report: &SweepReport) -> Result<()> {
    plot::sweep_plots(dir, &report.plan, &report.rows, &report.machine.label)?;
    plot::stage_plot(&dir.join("stages.svg"), &report.e2e, &report.machine.label)
}

struct LoadedCheckpoint {
    config: rin_core::model_config::ModelConfig,
    words: Vocab,
    pos: Vocab,
}

fn load_checkpoint(dir: &Path) -> Result<LoadedCheckpoint> {
    let meta = rin_trainer::checkpoint::read_meta(dir)
        .with_context(|| format!("cannot read the checkpoint {}", dir.display()))?;
    Ok(LoadedCheckpoint {
        pos: meta.pos_vocab(),
        config: meta.model,
        words: meta.words,
    })
}

fn export(checkpoint: &Path, out: &Path, ks: Vec<usize>) -> Result<()> {
    let options = rin_exporter::ExportOptions {
        ks,
        ..rin_exporter::ExportOptions::default()
    };
    rin_exporter::export(checkpoint, out, &options)
        .with_context(|| format!("cannot export {}", checkpoint.display()))?;
    Ok(())
}

fn sweep_command(args: SweepArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let checkpoint = load_checkpoint(&args.input.checkpoint)?;
    let k = args.k.unwrap_or(checkpoint.config.k);
    let plan = if args.quick {
        Plan::quick(k)
    } else {
        Plan::full(k)
    };
    let mut budget = if args.quick {
        Budget::QUICK
    } else {
        Budget::FULL
    };
    if let Some(seconds) = args.seconds {
        budget.max_seconds = seconds;
    }
    let corpus = Corpus::load(&args.input.data, &args.input.split)?;
    let onnx = tempfile::tempdir()?;
    let max_k = plan.max_k.max(plan.k);
    tracing::info!(checkpoint = %args.input.checkpoint.display(), max_k, "exporting");
    export(&args.input.checkpoint, onnx.path(), (0..=max_k).collect())?;

    let mut threads: Vec<usize> = args
        .backends
        .iter()
        .filter(|b| b.target == Target::Cpu)
        .map(|b| b.threads)
        .collect();
    threads.sort_unstable();
    threads.dedup();
    let shape = if args.quick {
        [128, 128, 128]
    } else {
        [1024, 1024, 1024]
    };
    let repeats = if args.quick { 2 } else { 10 };
    let mut gemm: Vec<GemmRate> = threads
        .iter()
        .map(|&t| floor::measure_gemm(t, shape, repeats))
        .collect();
    if let Some(runtime) = sweep::ort_runtime(&args.backends)? {
        for &t in &threads {
            gemm.push(crate::ort_profile::measure_gemm(
                runtime, t, shape, repeats,
            )?);
        }
    }
    for g in &gemm {
        tracing::info!(
            threads = g.threads,
            gflops = format!("{:.1}", g.gflops),
            "GEMM rate"
        );
    }

    let files = ModelFiles {
        checkpoint: &args.input.checkpoint,
        onnx_dir: onnx.path(),
        config: &checkpoint.config,
        words: &checkpoint.words,
        pos: &checkpoint.pos,
    };
    let options = SweepOptions {
        budget,
        python: args.python.python.unwrap_or_else(pytorch::default_python),
        script: args
            .python
            .pytorch_script
            .unwrap_or_else(pytorch::default_script),
    };
    let (rows, torch_version) =
        sweep::run(&files, &corpus, &plan, &args.backends, &gemm, &options)?;

    let ort_cpu_threads: Vec<usize> = args
        .backends
        .iter()
        .filter(|b| b.engine == Engine::Ort && b.target == Target::Cpu)
        .map(|b| b.threads)
        .collect();
    let mut e2e_rows = Vec::new();
    if !args.no_e2e {
        let batches: &[usize] = if args.quick { &[1, 4] } else { &[1, 32] };
        for &t in &ort_cpu_threads {
            for &b in batches {
                tracing::info!(threads = t, batch = b, "end to end");
                e2e_rows.push(e2e::run(
                    onnx.path(),
                    &corpus,
                    plan.k,
                    t,
                    b,
                    plan.tokens,
                    &budget,
                )?);
            }
        }
    }

    let mut memory_rows = Vec::new();
    let mut longest = None;
    if !args.no_memory {
        match memory::find_probe() {
            None => tracing::warn!(
                "{} is not built next to rin-bench: no memory figures (cargo build -p rin-memory-probe)",
                memory::PROBE
            ),
            Some(probe) => {
                for case in plan.cases() {
                    for &t in &ort_cpu_threads {
                        memory_rows.push(memory::probe(
                            &probe,
                            onnx.path(),
                            case.k,
                            case.batch,
                            case.tokens,
                            t,
                        )?);
                    }
                }
                if !args.quick {
                    tracing::info!("searching the longest sentence that fits in 1 GiB");
                    let (tokens, probes) =
                        memory::longest_within(&probe, onnx.path(), plan.k, 1024.0, 128, 8)?;
                    longest = Some(LongestFit {
                        limit_mib: 1024.0,
                        k: plan.k,
                        tokens,
                        probes,
                    });
                }
            }
        }
    }

    let report = SweepReport {
        machine: Machine::detect(&args.label),
        rin_version: env!("CARGO_PKG_VERSION").into(),
        onnxruntime_library: rin_runtime::session::resolve_library(None)
            .ok()
            .map(|l| l.path.display().to_string()),
        torch_version,
        ort_optimization:
            "GraphOptimizationLevel::Level3 (all), intra-op threads as the backend says".into(),
        checkpoint: args.input.checkpoint.display().to_string(),
        relations: checkpoint.config.relations,
        data: format!("{} ({})", args.input.data.display(), args.input.split),
        quick: args.quick,
        budget,
        plan,
        gemm,
        rows,
        e2e: e2e_rows,
        memory: memory_rows,
        longest_in_1gib: longest,
    };
    write_json(&args.out.join("results.json"), &report)?;
    write_csv(&args.out.join("latency.csv"), &report.rows)?;
    draw(&args.out, &report)?;
    print_summary(&report);
    Ok(())
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_csv(path: &Path, rows: &[Row]) -> Result<()> {
    let mut out = Vec::new();
    writeln!(
        out,
        "backend,k,batch,tokens,n,mean_ms,p50_ms,p90_ms,p99_ms,items_per_s,flops,floor_ms,floor_ratio,max_abs_diff_vs_ort"
    )?;
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    for r in rows {
        let s = &r.summary;
        writeln!(
            out,
            "{},{},{},{},{},{:.6},{:.6},{:.6},{},{:.3},{:.0},{},{},{}",
            r.backend,
            r.case.k,
            r.case.batch,
            r.case.tokens,
            s.n,
            s.mean_ms,
            s.p50_ms,
            s.p90_ms,
            opt(s.p99_ms),
            s.items_per_s,
            r.flops,
            opt(r.floor_ms),
            opt(r.floor_ratio),
            r.max_abs_diff_vs_ort
                .map(|d| format!("{d:e}"))
                .unwrap_or_default()
        )?;
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// The headline comparisons on stdout.
fn print_summary(report: &SweepReport) {
    let find = |engine: Engine, threads: usize, k: usize, batch: usize, tokens: usize| {
        report.rows.iter().find(|r| {
            r.backend.engine == engine
                && r.backend.target == Target::Cpu
                && r.backend.threads == threads
                && r.case.k == k
                && r.case.batch == batch
                && r.case.tokens == tokens
        })
    };
    let (k, n) = (report.plan.k, report.plan.tokens);
    println!(
        "backend          case          p50 ms    p90 ms    items/s   floor x   |diff| vs ORT"
    );
    for r in &report.rows {
        println!(
            "{:<16} {:<12} {:>8.3} {:>9.3} {:>10.1} {:>8} {:>12}",
            r.backend.to_string(),
            r.case.name(),
            r.summary.p50_ms,
            r.summary.p90_ms,
            r.summary.items_per_s,
            r.floor_ratio.map(|x| format!("{x:.1}")).unwrap_or_default(),
            r.max_abs_diff_vs_ort
                .map(|d| format!("{d:.1e}"))
                .unwrap_or_default()
        );
    }
    for threads in [1, 2] {
        if let (Some(ort), Some(torch)) = (
            find(Engine::Ort, threads, k, 1, n),
            find(Engine::Pytorch, threads, k, 1, n),
        ) {
            println!(
                "ORT CPU vs PyTorch eager, {threads} thread(s), K={k}, batch 1, {n} tokens: p50 {:.3} ms vs {:.3} ms = {:.1}x",
                ort.summary.p50_ms,
                torch.summary.p50_ms,
                torch.summary.p50_ms / ort.summary.p50_ms
            );
        }
        if let Some(r) = find(Engine::Ort, threads, k, 32, n) {
            if let Some(ratio) = r.floor_ratio {
                println!("ORT CPU {threads} thread(s), batch 32: {ratio:.1}x the compute floor");
            }
        }
    }
    if let Some(fit) = &report.longest_in_1gib {
        println!(
            "longest sentence within {} MiB at batch 1, K={}: {} tokens",
            fit.limit_mib, fit.k, fit.tokens
        );
    }
}

fn tradeoff_command(args: TradeoffArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let relations = rin_core::dataset::load_relations(&args.data)?;
    let path = args.data.join(format!("{}.json", args.split));
    let dev = rin_core::load_file(&path, rin_core::DataFormat::detect(&path)?, &relations)
        .with_context(|| format!("cannot load {}", path.display()))?;
    let corpus = Corpus::load(&args.data, &args.split)?;
    let budget = if args.quick {
        Budget::QUICK
    } else {
        Budget {
            max_seconds: 3.0,
            ..Budget::FULL
        }
    };
    let ks: Vec<usize> = (0..=args.max_k).collect();
    let mut points: Vec<TradeoffPoint> = Vec::new();
    for spec in &args.checkpoints {
        let Some((label, dir)) = spec.split_once('=') else {
            bail!("--checkpoint {spec:?}: expected LABEL=CHECKPOINT_DIR");
        };
        let onnx = tempfile::tempdir()?;
        export(Path::new(dir), onnx.path(), ks.clone())?;
        tracing::info!(label, "evaluating every K");
        points.extend(tradeoff::run(
            label,
            Path::new(dir),
            onnx.path(),
            &dev,
            &corpus,
            &ks,
            args.tokens,
            &budget,
        )?);
    }
    println!("checkpoint (epoch)             K   dev F1   p50 ms");
    for p in &points {
        println!(
            "{:<30} {:>2} {:>8.2} {:>8.3}",
            format!("{} ({}/{})", p.label, p.epoch, p.planned_epochs),
            p.k,
            p.dev_f1,
            p.latency.p50_ms
        );
    }
    write_json(&args.out.join("tradeoff.json"), &points)?;
    let data = format!(
        "{} {}",
        args.data
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        args.split
    );
    plot::tradeoff_plot(&args.out.join("tradeoff.svg"), &points, &data)
}

fn profile_command(args: ProfileArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let checkpoint = load_checkpoint(&args.input.checkpoint)?;
    let k = args.k.unwrap_or(checkpoint.config.k);
    let onnx = tempfile::tempdir()?;
    export(&args.input.checkpoint, onnx.path(), vec![k])?;
    let corpus = Corpus::load(&args.input.data, &args.input.split)?;
    let batch = corpus.batch(args.tokens, args.batch, &checkpoint.words, &checkpoint.pos);
    let inputs = rin_runtime::input::ModelInputs::new(batch);
    let (runtime, _) = rin_runtime::session::setup(&rin_runtime::OrtConfig::default())?;
    let prefix = args.out.join(format!(
        "ort_profile_k{k}_b{}_n{}_t{}",
        args.batch, args.tokens, args.threads
    ));
    let (ops, trace) = crate::ort_profile::profile(
        runtime,
        &onnx.path().join(format!("model_k{k}.onnx")),
        &inputs,
        args.threads,
        args.runs,
        &prefix,
    )?;
    let total: f64 = ops.iter().map(|o| o.us_per_run).sum();
    println!(
        "K={k}, batch {}, {} tokens, {} thread(s): {:.1} us per run in nodes ({} runs; trace {})",
        args.batch,
        args.tokens,
        args.threads,
        total,
        args.runs,
        trace.display()
    );
    println!("op type              nodes   us/run   share");
    for o in &ops {
        println!(
            "{:<20} {:>5} {:>8.1} {:>6.1}%",
            o.op_type,
            o.nodes,
            o.us_per_run,
            100.0 * o.share
        );
    }
    let summary = prefix.with_extension("summary.json");
    write_json(&summary, &ops)?;
    Ok(())
}
