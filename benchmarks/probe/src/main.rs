//! `rin-memory-probe`: loads one exported graph with rin-runtime, runs a batch of `batch`
//! sentences of `n` tokens a few times, and prints one JSON line with the process's resident set
//! size (from `/proc/self/status`) at start, after loading, and at its peak.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Parser;
use rin_core::PaddedBatch;
use rin_runtime::input::ModelInputs;
use rin_runtime::session::{setup, GraphNames, ModelSession, OrtConfig};
use rin_runtime::Model;
use serde::Serialize;

#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// An exported model folder (manifest.json and model_k{K}.onnx).
    #[arg(long)]
    model: PathBuf,
    /// The graph to run.
    #[arg(long)]
    k: usize,
    /// Sentences per batch.
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Tokens per sentence.
    #[arg(long)]
    tokens: usize,
    /// ONNX Runtime intra-op threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Forward passes.
    #[arg(long, default_value_t = 3)]
    iterations: usize,
}

#[derive(Serialize)]
struct Report {
    start_rss_mib: f64,
    loaded_rss_mib: f64,
    peak_rss_mib: f64,
}

/// `VmRSS` and `VmHWM` (the peak) of this process, in MiB.
fn rss_mib() -> Result<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status")
        .context("peak RSS is read from /proc/self/status (Linux only)")?;
    let field = |name: &str| -> Result<f64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .with_context(|| format!("no {name} in /proc/self/status"))?;
        let kib: f64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .with_context(|| format!("unreadable {line:?}"))?;
        Ok(kib / 1024.0)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.batch == 0 || args.tokens == 0 {
        bail!("--batch and --tokens must be at least 1");
    }
    let (start_rss_mib, _) = rss_mib()?;
    let model = Model::open(&args.model)?;
    let (_, graph) = model.graph(Some(args.k))?;
    let config = OrtConfig {
        threads: Some(args.threads),
        ..OrtConfig::default()
    };
    let (runtime, _) = setup(&config)?;
    let session = ModelSession::load(
        runtime,
        &graph,
        GraphNames::default(),
        model.relations().len(),
        &config,
        false,
    )?;
    let (loaded_rss_mib, _) = rss_mib()?;
    let cells = args.batch * args.tokens;
    // Word id 2 everywhere: the first ordinary word (0 and 1 are PAD and UNK); memory does not
    // depend on which words.
    let batch = PaddedBatch {
        batch: args.batch,
        seq_len: args.tokens,
        lengths: vec![args.tokens as i64; args.batch],
        word_ids: vec![2; cells],
        pos_ids: vec![2; cells],
        tags: vec![0; cells],
        relation_cells: Vec::new(),
    };
    let inputs = ModelInputs::new(batch);
    for _ in 0..args.iterations.max(1) {
        session.run(&inputs)?;
    }
    let (_, peak_rss_mib) = rss_mib()?;
    println!(
        "{}",
        serde_json::to_string(&Report {
            start_rss_mib,
            loaded_rss_mib,
            peak_rss_mib,
        })?
    );
    Ok(())
}
