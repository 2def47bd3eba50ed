//! `rin-bench`'s arguments: the subcommands and their options.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::backend::BackendSpec;

#[derive(Parser)]
#[command(
    version,
    about = "Latency, throughput, memory and accuracy-vs-K benchmarks of RIN models"
)]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
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
pub(super) struct TimedModel {
    /// A trainer checkpoint folder (model.safetensors and checkpoint.json).
    #[arg(long)]
    pub(super) checkpoint: PathBuf,
    /// The data set whose sentences are cut into inputs (its --split file and rel2id.json).
    #[arg(long)]
    pub(super) data: PathBuf,
    #[arg(long, default_value = "test")]
    pub(super) split: String,
}

#[derive(clap::Args)]
pub(super) struct SweepArgs {
    #[command(flatten)]
    pub(super) input: TimedModel,
    /// Output folder.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// Backends: ort-cpu:THREADS, ort-cuda, tch-cpu:THREADS, tch-cuda, pytorch-cpu:THREADS,
    /// pytorch-cuda.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ort-cpu:1,ort-cpu:2,tch-cpu:1,tch-cpu:2,pytorch-cpu:1,pytorch-cpu:2"
    )]
    pub(super) backends: Vec<BackendSpec>,
    /// The K of the batch and length sweeps (default: the checkpoint's).
    #[arg(long)]
    pub(super) k: Option<usize>,
    /// A few small cases and a handful of iterations: checks the harness, measures nothing.
    #[arg(long)]
    pub(super) quick: bool,
    /// Seconds per configuration at most (once 20 iterations are done; 1000 iterations stop it
    /// earlier).
    #[arg(long)]
    pub(super) seconds: Option<f64>,
    /// A name for the machine in plots and results (e.g. "2-core EPYC VM").
    #[arg(long, default_value = "this machine")]
    pub(super) label: String,
    /// Skip the end-to-end timings.
    #[arg(long)]
    pub(super) no_e2e: bool,
    /// Skip the memory probes.
    #[arg(long)]
    pub(super) no_memory: bool,
    #[command(flatten)]
    pub(super) python: PythonArgs,
}

#[derive(clap::Args)]
pub(super) struct PythonArgs {
    /// The Python with torch for the PyTorch baseline (default: RIN_PYTHON, the active venv, or
    /// the venv of `cargo xtask setup`).
    #[arg(long)]
    pub(super) python: Option<PathBuf>,
    /// The PyTorch baseline script.
    #[arg(long)]
    pub(super) pytorch_script: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(super) struct TradeoffArgs {
    /// LABEL=CHECKPOINT_DIR, once per checkpoint (e.g. normal=models/webnlg-star/checkpoint).
    #[arg(long = "checkpoint", required = true)]
    pub(super) checkpoints: Vec<String>,
    /// The data set; its --split file is scored.
    #[arg(long)]
    pub(super) data: PathBuf,
    #[arg(long, default_value = "dev")]
    pub(super) split: String,
    /// K from 0 to this.
    #[arg(long, default_value_t = 7)]
    pub(super) max_k: usize,
    /// Tokens of the timed sentence.
    #[arg(long, default_value_t = 30)]
    pub(super) tokens: usize,
    #[arg(long)]
    pub(super) out: PathBuf,
    /// Fewer iterations (CI).
    #[arg(long)]
    pub(super) quick: bool,
}

#[derive(clap::Args)]
pub(super) struct ProfileArgs {
    #[command(flatten)]
    pub(super) input: TimedModel,
    /// Default: the checkpoint's K.
    #[arg(long)]
    pub(super) k: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub(super) batch: usize,
    #[arg(long, default_value_t = 30)]
    pub(super) tokens: usize,
    #[arg(long, default_value_t = 1)]
    pub(super) threads: usize,
    /// Profiled runs (after 10 warm-up runs).
    #[arg(long, default_value_t = 200)]
    pub(super) runs: usize,
    /// Where ONNX Runtime's trace and the summary (profile.json) go.
    #[arg(long)]
    pub(super) out: PathBuf,
}
