//! A client for a rin model served by Triton Inference Server (`rin export --format triton`):
//! tokenisation, POS tagging and decoding happen here, with rin's library; Triton runs the graph.
//!
//! ```sh
//! rin export runs/webnlg/best -o triton-repo --format triton --k 2
//! tritonserver --model-repository=$PWD/triton-repo          # elsewhere: Triton's container
//! cargo run -p rin-runtime --example triton_client -- --model triton-repo/rin_k2 \
//!     --url 127.0.0.1:8000 "Rome is the capital of Italy ."
//! # Without Triton: the same request run by ONNX Runtime in-process (needs RIN_ORT_DYLIB).
//! cargo xtask run -- cargo run -p rin-runtime --example triton_client -- \
//!     --model triton-repo/rin_k2 --local "Rome is the capital of Italy ."
//! ```
//!
//! Prints one JSON line per text, as `rin extract` does. `--dry-run` prints the KServe v2
//! inference request instead of sending it. Every text is one batch row; `seq` is padded to a
//! multiple of 16 so that Triton's dynamic batcher can join requests of similar lengths.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use rin_core::{argmax_tags, decode_bioes, decode_triples, PaddedBatch, Sentence, Vocab};
use rin_runtime::pipeline::{Prediction, ScoredTriple};
use rin_runtime::{plugin, Extraction, Model, Plugins};
use serde_json::{json, Value};

/// `seq` is padded to a multiple of this.
const SEQ_BUCKET: usize = 16;

enum Mode {
    Triton(String),
    Local,
    DryRun,
}

fn main() -> Result<()> {
    let mut model_dir = None;
    let mut mode = Mode::Triton("127.0.0.1:8000".into());
    let mut texts = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => model_dir = Some(PathBuf::from(args.next().context("--model DIR")?)),
            "--url" => mode = Mode::Triton(args.next().context("--url HOST:PORT")?),
            "--local" => mode = Mode::Local,
            "--dry-run" => mode = Mode::DryRun,
            _ => texts.push(arg),
        }
    }
    let model_dir = model_dir.context("--model: a model folder of the Triton repository")?;
    // The model folder's manifest.json: vocabularies, relations, tag set, threshold.
    let model = Model::open(&model_dir)?;
    let (k, graph) = model.graph(None)?;
    let name = model_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("rin_k{k}"));

    // Client side, part 1: tokenize and tag with the plugins the model names.
    let plugins = Plugins::resolve(None)?;
    let tokenizer = plugins.tokenizer(plugin::tokenizer_name(&model, None))?;
    let tagger = match plugin::tagger_name(&model, None) {
        Some(tagger) => Some(plugins.tagger(tagger)?),
        None => None,
    };
    let mut spans = Vec::new();
    let mut sentences = Vec::new();
    for text in &texts {
        let ranges = tokenizer.tokenize_spans(text)?;
        let tokens: Vec<String> = ranges.iter().map(|r| text[r.clone()].to_owned()).collect();
        let mut sentence = Sentence::from_tokens(tokens.clone());
        if let (Some(tagger), false) = (&tagger, tokens.is_empty()) {
            let tags = tagger.tag(&tokens)?;
            sentence.pos_tags = Some(
                tags.iter()
                    .map(|t| plugin::normalize_tag(t).to_owned())
                    .collect(),
            );
        }
        spans.push(ranges);
        sentences.push(sentence);
    }
    // Empty texts are not sent (the graph needs lengths >= 1).
    let rows: Vec<usize> = (0..texts.len())
        .filter(|&i| !sentences[i].is_empty())
        .collect();
    let refs: Vec<&Sentence> = rows.iter().map(|&i| &sentences[i]).collect();
    let empty = Vocab::new();
    let batch = pad(
        PaddedBatch::new(&refs, model.words(), model.pos().unwrap_or(&empty)),
        SEQ_BUCKET,
    );
    let request = infer_request(&batch);

    let response = if rows.is_empty() {
        json!({"outputs": []})
    } else {
        match &mode {
            Mode::DryRun => {
                println!("POST /v2/models/{name}/infer\n{request}");
                return Ok(());
            }
            Mode::Triton(addr) => post(addr, &format!("/v2/models/{name}/infer"), &request)?,
            Mode::Local => run_locally(&model, &graph, &batch)?,
        }
    };

    // Client side, part 2: decode with rin-core, as `rin extract` does.
    let output = |wanted: &str| -> Result<Vec<f32>> {
        let outputs = response["outputs"].as_array().context("no outputs")?;
        let out = outputs
            .iter()
            .find(|o| o["name"] == wanted)
            .with_context(|| format!("no output {wanted}"))?;
        out["data"]
            .as_array()
            .context("outputs as JSON data")?
            .iter()
            .map(|v| v.as_f64().map(|v| v as f32).context("a number"))
            .collect()
    };
    let (entity, relation) = if rows.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (output("entity_probs")?, output("relation_probs")?)
    };
    let (seq, r) = (batch.seq_len, model.relations().len());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (i, text) in texts.iter().enumerate() {
        let extraction = match rows.iter().position(|&row| row == i) {
            None => Extraction::empty(text.clone()),
            Some(b) => {
                let n = sentences[i].len();
                let tags = argmax_tags(&entity[b * seq * 5..(b + 1) * seq * 5], n);
                let probs = &relation[b * seq * seq * r..(b + 1) * seq * seq * r];
                let triples =
                    decode_triples(&tags, probs, seq, r, model.threshold(), model.match_mode())
                        .into_iter()
                        .map(|triple| ScoredTriple {
                            score: probs[(triple.subject.last() * seq + triple.object.last()) * r
                                + triple.relation],
                            triple,
                        })
                        .collect();
                let prediction = Prediction {
                    entities: decode_bioes(&tags),
                    tags,
                    triples,
                };
                Extraction::new(text.clone(), &spans[i], &prediction, model.relations())
            }
        };
        writeln!(out, "{}", serde_json::to_string(&extraction)?)?;
    }
    Ok(())
}

/// `batch` with `seq_len` rounded up to a multiple of `bucket` (PAD = 0).
fn pad(batch: PaddedBatch, bucket: usize) -> PaddedBatch {
    let seq = batch.seq_len.div_ceil(bucket).max(1) * bucket;
    let widen = |data: &[i64]| -> Vec<i64> {
        data.chunks(batch.seq_len.max(1))
            .flat_map(|row| {
                row.iter()
                    .copied()
                    .chain(std::iter::repeat_n(0, seq - row.len()))
            })
            .collect()
    };
    PaddedBatch {
        seq_len: seq,
        word_ids: widen(&batch.word_ids),
        pos_ids: widen(&batch.pos_ids),
        tags: Vec::new(),
        relation_cells: Vec::new(),
        ..batch
    }
}

/// The KServe v2 request: per row `word_ids` and `pos_ids` `[seq]`, `lengths` `[1]`.
fn infer_request(batch: &PaddedBatch) -> Value {
    let (b, n) = (batch.batch, batch.seq_len);
    json!({
        "inputs": [
            {"name": "word_ids", "datatype": "INT64", "shape": [b, n], "data": batch.word_ids},
            {"name": "pos_ids", "datatype": "INT64", "shape": [b, n], "data": batch.pos_ids},
            {"name": "lengths", "datatype": "INT32", "shape": [b, 1], "data": batch.lengths},
        ],
        "outputs": [{"name": "entity_probs"}, {"name": "relation_probs"}],
    })
}

/// One HTTP/1.1 POST with a JSON body; the JSON answer.
fn post(addr: &str, path: &str, body: &Value) -> Result<Value> {
    let body = body.to_string();
    let mut stream =
        TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").context("no HTTP answer")?;
    if !head.starts_with("HTTP/1.1 200") {
        bail!("Triton answered {head}\n{body}");
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        bail!("chunked answers are not handled by this example");
    }
    Ok(serde_json::from_str(body)?)
}

/// What Triton would answer, computed by ONNX Runtime here on the model folder's graph.
fn run_locally(model: &Model, graph: &std::path::Path, batch: &PaddedBatch) -> Result<Value> {
    use rin_runtime::input::ModelInputs;
    use rin_runtime::session::{self, ModelSession, OrtConfig};
    let config = OrtConfig::default();
    let (runtime, cuda) = session::setup(&config)?;
    let session = ModelSession::load(
        runtime,
        graph,
        model.graph_names(),
        model.relations().len(),
        &config,
        cuda,
    )?;
    let output = session.run(&ModelInputs::new(batch.clone()))?;
    let (b, n, r) = (output.batch, output.seq_len, output.relations);
    Ok(json!({
        "outputs": [
            {"name": "entity_probs", "datatype": "FP32", "shape": [b, n, 5], "data": output.entity_probs},
            {"name": "relation_probs", "datatype": "FP32", "shape": [b, n, n, r], "data": output.relation_probs},
        ]
    }))
}
