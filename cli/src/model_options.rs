//! What the subcommands share: the model flags turned into a model folder and pipeline settings,
//! K selections, and the progress bar.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rin_core::MatchMode;
use rin_runtime::pipeline::{LongSentences, PipelineConfig};
use rin_runtime::session::{Device, OrtConfig};
use rin_runtime::Verify;

use crate::cli::{DeviceArg, LongArg, MatchArg, ModelArgs};

/// The shipped model `rin` falls back to when run from the repository without `--model`.
pub const SHIPPED_MODEL: &str = "models/webnlg";

/// `--model`, else `RIN_MODEL` (clap reads both), else the shipped exact-match model when the
/// working directory is the repository.
pub fn model_dir(args: &ModelArgs) -> Result<PathBuf> {
    if let Some(dir) = &args.model {
        return Ok(dir.clone());
    }
    let shipped = Path::new(SHIPPED_MODEL);
    if shipped.join("manifest.json").is_file() {
        tracing::info!(
            "no --model given: using the shipped model {SHIPPED_MODEL} (WebNLG, exact match)"
        );
        return Ok(shipped.to_owned());
    }
    anyhow::bail!(
        "no model: pass --model DIR or set RIN_MODEL (from the repository, {SHIPPED_MODEL} is the default)"
    )
}

/// How much of the model's files to check at load (`--no-verify`: sizes only).
pub fn verify(args: &ModelArgs) -> Verify {
    if args.no_verify {
        Verify::SizesOnly
    } else {
        Verify::Full
    }
}

/// The pipeline settings of the shared model flags (`tokenizer`: the subcommand's own flag).
pub fn pipeline_config(args: &ModelArgs, tokenizer: Option<String>) -> PipelineConfig {
    PipelineConfig {
        k: args.k,
        precision: args.precision.map(Into::into),
        ort: OrtConfig {
            library: args.ort_dylib.clone(),
            device: match args.device {
                DeviceArg::Cpu => Device::Cpu,
                DeviceArg::Cuda => Device::Cuda,
                DeviceArg::Auto => Device::Auto,
            },
            threads: args.threads,
            no_cpu_arena: args.no_cpu_arena,
        },
        batch_size: args.batch_size,
        threshold: args.threshold,
        match_mode: args.match_mode.map(|m| match m {
            MatchArg::Partial => MatchMode::Partial,
            MatchArg::Exact => MatchMode::Exact,
        }),
        max_tokens: args.max_tokens,
        long_sentences: match args.long {
            LongArg::Split => LongSentences::Split,
            LongArg::Refuse => LongSentences::Refuse,
        },
        plugin_dir: args.plugin_dir.clone(),
        tokenizer,
        tagger: args.tagger.clone(),
        allow_tagset_mismatch: args.allow_tagset_mismatch,
        reading: args.reading.overrides(),
        window_overlap: args.window_overlap,
        run_cells: None,
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub fn progress_bar(len: u64, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// The Ks of a repeated K flag (`--k 0..=2 --k 4`), each parsed by rin-core's one K parser.
pub fn ks_of(texts: &[String], flag: &str) -> Result<Vec<usize>> {
    let mut ks = Vec::new();
    for text in texts {
        ks.extend(
            rin_core::k_range::parse_ks(text)
                .with_context(|| format!("invalid {flag} {text:?}"))?,
        );
    }
    Ok(ks)
}
