//! Command-line types of `rin` (clap derive only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run exported RIN models: extract entities and relations from text, evaluate, inspect.
#[derive(Debug, Parser)]
#[command(name = "rin", version, about, propagate_version = true)]
pub struct Cli {
    /// More logging on stderr (-v: debug, -vv: trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract entities and triples from text: JSON Lines on stdout, one object per input.
    Extract(ExtractArgs),
    /// Score a model on a data set through ONNX Runtime (micro P/R/F1).
    Eval(EvalArgs),
    /// Describe a model folder: manifest, Ks, tag set, and the plugins it would use.
    Info(InfoArgs),
    /// Export a trained checkpoint to ONNX (rin-exporter).
    Export(ExportArgs),
    /// Tokenizer and tagger plugins.
    Plugins {
        /// What to do with plugins.
        #[command(subcommand)]
        command: PluginsCommand,
    },
}

/// `rin plugins` subcommands.
#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List the plugins in the plugin directory (each library is loaded to read its metadata).
    List(PluginsListArgs),
}

/// Where the model is and how to run it.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// The exported model folder (manifest.json, model_k{K}.onnx, weights).
    #[arg(short, long, env = "RIN_MODEL")]
    pub model: PathBuf,

    /// Interaction layers: which exported graph to run. Default: the trained K.
    #[arg(long)]
    pub k: Option<usize>,

    /// Execution provider. `auto` uses CUDA when the CUDA build of ONNX Runtime
    /// (RIN_ORT_CUDA_DYLIB) is there, else the CPU with a warning.
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,

    /// ONNX Runtime intra-op threads. Default: one per core.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Sentences per batch (sentences are grouped by length).
    #[arg(long, default_value_t = rin_runtime::pipeline::DEFAULT_BATCH_SIZE)]
    pub batch_size: usize,

    /// Relation probability threshold. Default: the manifest's.
    #[arg(long)]
    pub threshold: Option<f32>,

    /// Triple matching: `partial` (last words) or `exact` (whole spans). Default: the manifest's.
    #[arg(long = "match", value_enum)]
    pub match_mode: Option<MatchArg>,

    /// Tokens per sentence at most (the relation tensor grows with n^2).
    #[arg(long, default_value_t = rin_runtime::pipeline::DEFAULT_MAX_TOKENS)]
    pub max_tokens: usize,

    /// What to do with longer sentences: cut them into windows, or refuse them.
    #[arg(long, value_enum, default_value_t = LongArg::Split)]
    pub long: LongArg,

    /// The POS tagger plugin (name or library path). Default: the one the model was trained with.
    #[arg(long)]
    pub tagger: Option<String>,

    /// Use the tagger even if its tag set differs from the model's.
    #[arg(long)]
    pub allow_tagset_mismatch: bool,

    /// The plugin directory. Its libraries run as part of rin: only point it at trusted code.
    #[arg(long, env = "RIN_PLUGIN_DIR")]
    pub plugin_dir: Option<PathBuf>,

    /// The ONNX Runtime library (libonnxruntime.so.1.31.1). Default: RIN_ORT_DYLIB,
    /// ORT_DYLIB_PATH, then the venv of `cargo xtask setup`.
    #[arg(long)]
    pub ort_dylib: Option<PathBuf>,
}

/// `rin extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Texts to extract from. Without texts or --input, lines are read from stdin.
    pub text: Vec<String>,

    /// Read texts from this file (plain lines, or JSON Lines with a "text" field); `-` is stdin.
    #[arg(short, long, conflicts_with = "text")]
    pub input: Option<PathBuf>,

    /// How to read --input and stdin.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,

    /// The tokenizer plugin (name or library path). Default: the manifest's, or `english`.
    #[arg(long)]
    pub tokenizer: Option<String>,

    /// Skip inputs that cannot be read or processed (invalid UTF-8, malformed JSON, too long),
    /// with a warning, instead of stopping.
    #[arg(long)]
    pub keep_going: bool,

    /// The model and how to run it.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// `rin eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A data set folder (with {train,dev,test}.json) or one data file.
    #[arg(short, long)]
    pub data: PathBuf,

    /// The split to score when --data is a folder.
    #[arg(long, default_value = "test")]
    pub split: String,

    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,

    /// The model and how to run it.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// `rin info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The exported model folder.
    #[arg(short, long, env = "RIN_MODEL")]
    pub model: PathBuf,

    /// The plugin directory.
    #[arg(long, env = "RIN_PLUGIN_DIR")]
    pub plugin_dir: Option<PathBuf>,

    /// Print the whole manifest as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `rin export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A checkpoint directory (checkpoint.json + model.safetensors) or a run directory.
    pub checkpoint: PathBuf,

    /// Output folder (created if needed).
    #[arg(short, long)]
    pub out: PathBuf,

    /// Interaction layers to unroll: `2`, `0..=4`, `1,3`; repeatable. Default: the trained K.
    #[arg(long = "k", value_name = "K")]
    pub k: Vec<String>,

    /// In a run directory, which checkpoint to take: `best` or `last`.
    #[arg(long, default_value = "best")]
    pub from: String,
}

/// `rin plugins list`.
#[derive(Debug, Args)]
pub struct PluginsListArgs {
    /// The plugin directory.
    #[arg(long, env = "RIN_PLUGIN_DIR")]
    pub plugin_dir: Option<PathBuf>,

    /// Print JSON Lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `--device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeviceArg {
    /// The CPU.
    Cpu,
    /// CUDA; an error when it cannot be used.
    Cuda,
    /// CUDA if possible, else the CPU.
    Auto,
}

/// `--match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchArg {
    /// Entities are their last word.
    Partial,
    /// Entities are whole spans.
    Exact,
}

/// `--long`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LongArg {
    /// Cut long sentences into windows of --max-tokens tokens.
    Split,
    /// Refuse long sentences (an error, or a skip with --keep-going).
    Refuse,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// JSON Lines if the first non-blank line starts with `{`, else plain lines.
    Auto,
    /// One text per line.
    Lines,
    /// One JSON object per line with a "text" field.
    Jsonl,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn texts_and_input_exclude_each_other() {
        let err = Cli::try_parse_from(["rin", "extract", "-m", "m", "a b", "--input", "f"]);
        assert!(err.is_err());
        let ok =
            Cli::try_parse_from(["rin", "extract", "-m", "m", "--match", "exact", "a b"]).unwrap();
        match ok.command {
            Command::Extract(args) => {
                assert_eq!(args.text, ["a b"]);
                assert_eq!(args.model.match_mode, Some(MatchArg::Exact));
            }
            other => panic!("{other:?}"),
        }
    }
}
