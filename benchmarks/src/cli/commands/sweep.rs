//! `rin-bench sweep`: one checkpoint on every backend over the K, batch and length sweeps.

use anyhow::{Context, Result};

use crate::backend::{Engine, Target};
use crate::cli::args::SweepArgs;
use crate::cli::checkpoint::{export, load_checkpoint};
use crate::cli::report::{draw, print_summary, write_csv, write_json};
use crate::cli::results::{LongestFit, Machine, SweepReport};
use crate::e2e;
use crate::floor::{self, GemmRate};
use crate::memory;
use crate::pytorch;
use crate::sweep::{self, ModelFiles, Plan, SweepOptions};
use crate::timing::Budget;
use crate::workload::Corpus;

/// `rin-bench sweep`.
pub(super) fn run(args: SweepArgs) -> Result<()> {
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
