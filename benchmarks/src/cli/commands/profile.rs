//! `rin-bench profile`: ONNX Runtime's per-node profile of one graph, summed by operator type.

use anyhow::{Context, Result};

use crate::cli::args::ProfileArgs;
use crate::cli::checkpoint::{export, load_checkpoint};
use crate::cli::report::write_json;
use crate::workload::Corpus;

/// `rin-bench profile`.
pub(super) fn run(args: ProfileArgs) -> Result<()> {
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
