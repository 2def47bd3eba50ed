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
    /// Export a trained checkpoint to ONNX (rin-exporter), or to a Triton model repository.
    Export(ExportArgs),
    /// Serve a model over HTTP (POST /v1/extract), with micro-batching.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Time a model folder: latency percentiles and throughput per K, batch, length, threads and
    /// device, graph only or end to end; writes results.json, latency.csv and SVG plots.
    Bench(BenchArgs),
    /// Fit the decision whether a sentence continues the text before it (`--links anaphora`)
    /// on the sentence boundaries of consecutive training texts, and record it in the model's
    /// manifest.json (`reading.continuation`) with --write.
    FitContinuation(FitContinuationArgs),
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
    /// The exported model folder (manifest.json, model_k{K}.onnx, weights). Default: RIN_MODEL,
    /// else the shipped exact-match model `models/webnlg` when run from the repository.
    #[arg(short, long, env = "RIN_MODEL")]
    pub model: Option<PathBuf>,

    /// Interaction layers: which exported graph to run. Default: the trained K, else the largest exported.
    #[arg(long)]
    pub k: Option<usize>,

    /// The precision of the graph to run, in a folder exported with several (`rin export
    /// --precision fp32,int8`). Default: fp32 when the folder has it, else the first of int8,
    /// fp16 it has.
    #[arg(long, value_enum)]
    pub precision: Option<PrecisionArg>,

    /// Execution provider. `auto` uses CUDA when the CUDA build of ONNX Runtime
    /// (RIN_ORT_CUDA_DYLIB) is there, else the CPU with a warning.
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,

    /// ONNX Runtime intra-op threads. Default: one per core.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Disable ONNX Runtime's CPU memory arena, so that memory taken by an outsized input is
    /// given back after it (what a long-running server wants; costs a little speed).
    #[arg(long)]
    pub no_cpu_arena: bool,

    /// Sentences per batch (sentences are grouped by length), 1 to 4096.
    #[arg(long, default_value_t = rin_runtime::pipeline::DEFAULT_BATCH_SIZE, value_parser = parse_batch_size)]
    pub batch_size: usize,

    /// Relation probability threshold, in [0, 1]. Default: the manifest's.
    #[arg(long, value_parser = parse_threshold, allow_negative_numbers = true)]
    pub threshold: Option<f32>,

    /// Check only the sizes of the model's files at load, not their sha256 (faster start for
    /// large vocabularies; a changed byte then goes unnoticed).
    #[arg(long)]
    pub no_verify: bool,

    /// Triple matching: `partial` (last words) or `exact` (whole spans). Default: the manifest's.
    #[arg(long = "match", value_enum)]
    pub match_mode: Option<MatchArg>,

    /// Tokens per sentence at most (the relation tensor grows with n^2).
    #[arg(long, default_value_t = rin_runtime::pipeline::DEFAULT_MAX_TOKENS)]
    pub max_tokens: usize,

    /// What to do with longer sentences: cut them into windows, or refuse them.
    #[arg(long, value_enum, default_value_t = LongArg::Split)]
    pub long: LongArg,

    #[command(flatten)]
    pub reading: ReadingArgs,

    /// Tokens shared by consecutive windows of a sentence longer than --max-tokens.
    #[arg(long, default_value_t = rin_runtime::chunk::DEFAULT_WINDOW_OVERLAP)]
    pub window_overlap: usize,

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

    /// What to print: `json` (one JSON object per input, for programs) or `text` (the input, then
    /// one `(subject, relation, object)  score` line per triple, for people).
    #[arg(long, value_enum, default_value_t = OutputArg::Json)]
    pub output: OutputArg,

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

    /// Score documents of N consecutive gold sentences (their gold triples carried over): the
    /// tokens are joined into one text, which the segmenter splits again, as for user text.
    #[arg(long, value_name = "N")]
    pub documents: Option<usize>,

    /// The model and how to run it.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// `rin fit-continuation`.
#[derive(Debug, Args)]
pub struct FitContinuationArgs {
    /// A data set folder with train and dev splits.
    #[arg(short, long)]
    pub data: PathBuf,

    /// Texts joined per document, as `rin eval --documents N` joins them.
    #[arg(long, default_value_t = 5)]
    pub documents: usize,

    /// The probability at which a sentence continues the text, recorded with the decision
    /// (choose it on dev with `rin eval --documents N --continuation P`, which overrides it).
    #[arg(long = "join-at", value_name = "P", default_value_t = 0.5, value_parser = parse_threshold)]
    pub join_at: f32,

    /// L2 penalty on the weights (on the mean log loss).
    #[arg(long, default_value_t = 1e-3)]
    pub l2: f32,

    /// Write the fitted decision into the model's manifest.json (`reading.continuation`).
    #[arg(long)]
    pub write: bool,

    /// The model and how to run it (its segmenter and tagger make the examples).
    #[command(flatten)]
    pub model: ModelArgs,
}

/// `rin bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The exported model folder.
    #[arg(short, long, env = "RIN_MODEL")]
    pub model: PathBuf,

    /// Output folder for results.json, latency.csv, latency.svg and throughput.svg.
    #[arg(short, long, default_value = "bench-results")]
    pub out: PathBuf,

    /// Graphs to time: `2`, `0..=3`, `1,3`; repeatable. Default: the trained K, else the largest exported.
    #[arg(long = "k", value_name = "K")]
    pub k: Vec<String>,

    /// Graph precisions to time: `fp32`, `int8`, `fp16`, `fp32,int8`. Default: fp32 when the
    /// folder has it, else the first of int8, fp16 it has.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub precision: Vec<PrecisionArg>,

    /// Batch sizes (sentences per call).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 8, 32])]
    pub batch: Vec<usize>,

    /// Sentence lengths in tokens.
    #[arg(long, value_delimiter = ',', default_values_t = [30usize])]
    pub tokens: Vec<usize>,

    /// ONNX Runtime intra-op thread counts; `0` is ONNX Runtime's default (one per core).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize])]
    pub threads: Vec<usize>,

    /// Execution providers to time. With `cuda`, the CUDA build of ONNX Runtime runs every case.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [BenchDeviceArg::Cpu])]
    pub device: Vec<BenchDeviceArg>,

    /// What to time: the graph alone, or text to triples.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [BenchModeArg::Graph, BenchModeArg::EndToEnd])]
    pub mode: Vec<BenchModeArg>,

    /// Cut inputs from the sentences of this data file or folder (its test split); without it,
    /// inputs are synthetic (words drawn from the model's vocabulary, seeded).
    #[arg(short, long)]
    pub data: Option<PathBuf>,

    /// The split to read when --data is a folder.
    #[arg(long, default_value = "test")]
    pub split: String,

    /// The seed of synthetic inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Time each case for about this many seconds (after warm-up; at least 20 calls).
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,

    /// Stop each case after this many timed calls (1000 gives p99).
    #[arg(long, default_value_t = 1000)]
    pub iterations: usize,

    /// A few calls per case, to check that everything runs (CI); the numbers mean little.
    #[arg(long)]
    pub quick: bool,

    /// The plugin directory.
    #[arg(long, env = "RIN_PLUGIN_DIR")]
    pub plugin_dir: Option<PathBuf>,

    /// The ONNX Runtime library. Default: as `rin extract` finds it (the CUDA build when a
    /// device is `cuda`).
    #[arg(long)]
    pub ort_dylib: Option<PathBuf>,
}

/// `--threshold`: a finite number in [0, 1] (a negative one would return every pair with every
/// relation, one above 1 nothing).
pub fn parse_threshold(text: &str) -> Result<f32, String> {
    let value: f32 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if rin_core::decode::is_threshold(value) {
        Ok(value)
    } else {
        Err(format!("{text} is not in [0, 1]"))
    }
}

/// `--batch-size`: 1 to [`rin_runtime::pipeline::MAX_BATCH_SIZE`].
pub fn parse_batch_size(text: &str) -> Result<usize, String> {
    let value: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    let max = rin_runtime::pipeline::MAX_BATCH_SIZE;
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not in 1..={max}"))
    }
}

/// `rin bench --device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchDeviceArg {
    /// ONNX Runtime's CPU execution provider.
    Cpu,
    /// The CUDA execution provider.
    Cuda,
}

/// `rin bench --mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchModeArg {
    /// One ONNX Runtime call on a padded batch of ids.
    Graph,
    /// The same call on a batch bound to the device once, outputs left there (no host copies).
    Bound,
    /// Texts to triples: tokenize, tag, run, decode.
    EndToEnd,
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

/// How documents are read: segmenter and chunks. Each unset option is the model's reading plan
/// (`rin info`); for `rin export`, the plan recorded in the manifest.
#[derive(Debug, Clone, Args)]
pub struct ReadingArgs {
    /// The sentence segmenter: a plugin (`english`) or `lines` (every line is one sentence:
    /// input already split, as before segmenters existed). Default: the model's reading plan
    /// (`rin info`), `english` for models exported before plans existed. So are the four below.
    #[arg(long)]
    pub segmenter: Option<String>,

    /// Tokens per chunk of consecutive sentences the model runs on, at most (80 for the models
    /// trained on single WebNLG entries: their longest training text).
    #[arg(long)]
    pub chunk_tokens: Option<usize>,

    /// Sentences of a text read whole, like a training text, when it also fits --chunk-tokens
    /// (4 for models trained on single entries).
    #[arg(long)]
    pub whole_sentences: Option<usize>,

    /// Sentences per chunk of adjacent sentences read together in a longer text (1: every
    /// sentence alone). Each sentence is also read alone; a chunk adds only the triples that
    /// link its sentences.
    #[arg(long)]
    pub chunk_sentences: Option<usize>,

    /// The probability a triple linking two sentences needs, in [0, 1] (`--links pairs`).
    #[arg(long, value_parser = parse_threshold)]
    pub joint_threshold: Option<f32>,

    /// How the sentences of a text too long to read whole are linked: `anaphora` (a sentence
    /// opening with a pronoun is read with the text before it; texts are read whole), `pairs`
    /// (each sentence alone, plus adjacent sentences for the triples that link them) or `orphans`
    /// (as `anaphora`, plus adjacent texts read together for the triples that link an entity its
    /// own text left unlinked, at --joint-threshold).
    #[arg(long, value_enum)]
    pub links: Option<LinksArg>,

    /// Which sentences continue the text before them (`--links anaphora`): `pronouns` (those
    /// opening with `It`, `His`, `They`, ...), or a probability in [0, 1] for the model's
    /// learned decision (`rin fit-continuation`). Default: the learned decision at its recorded
    /// threshold where the reading plan has one, else `pronouns`.
    #[arg(long, value_parser = parse_continuation)]
    pub continuation: Option<rin_core::reading::ContinuationRule>,
}

/// `--continuation`: `pronouns` or a threshold in [0, 1].
pub fn parse_continuation(text: &str) -> Result<rin_core::reading::ContinuationRule, String> {
    use rin_core::reading::ContinuationRule;
    if text.trim().eq_ignore_ascii_case("pronouns") {
        return Ok(ContinuationRule::Pronouns);
    }
    parse_threshold(text)
        .map(ContinuationRule::Threshold)
        .map_err(|e| format!("{e} (nor `pronouns`)"))
}

impl ReadingArgs {
    /// The options given here, to put over a reading plan.
    pub fn overrides(&self) -> rin_core::reading::ReadingOverrides {
        rin_core::reading::ReadingOverrides {
            segmenter: self.segmenter.clone(),
            chunk_tokens: self.chunk_tokens,
            whole_sentences: self.whole_sentences,
            chunk_sentences: self.chunk_sentences,
            joint_threshold: self.joint_threshold,
            links: self.links.map(Into::into),
            continuation: self.continuation,
        }
    }
}

/// `--links`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinksArg {
    /// A sentence opening with a pronoun is read with the text before it.
    Anaphora,
    /// Each sentence alone, plus adjacent sentences for the triples that link them.
    Pairs,
    /// As anaphora, plus links from adjacent texts read together to entities their own text
    /// left unlinked.
    Orphans,
}

impl From<LinksArg> for rin_core::reading::SentenceLinks {
    fn from(arg: LinksArg) -> Self {
        match arg {
            LinksArg::Anaphora => Self::Anaphora,
            LinksArg::Pairs => Self::Pairs,
            LinksArg::Orphans => Self::Orphans,
        }
    }
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

    /// `onnx`: an export folder (model_k{K}.onnx, weights.bin, manifest.json). `triton`: a Triton
    /// model repository, one model `<name>_k{K}` per K (config.pbtxt, 1/model.onnx, 1/weights.bin).
    #[arg(long, value_enum, default_value_t = ExportFormat::Onnx)]
    pub format: ExportFormat,

    /// Relation outputs: `dense` (the whole batch x seq x seq x relations tensor) or `sparse`
    /// (only the cells at or above the threshold, which the graph takes as an input: what
    /// decoding reads, with far less memory traffic). `rin` decodes both to the same triples.
    #[arg(long, value_enum, default_value_t = OutputsArg::Dense)]
    pub outputs: OutputsArg,

    /// The reading plan recorded in manifest.json, which `rin` uses unless told otherwise
    /// (default: the plan of models trained on single entries).
    #[command(flatten)]
    pub reading: ReadingArgs,

    /// Precisions of the graphs: `fp32`, `int8` (every matrix product but the LSTM's in int8,
    /// activations quantized at run time), `fp16` (float16 weights and compute, for GPUs; output
    /// probabilities in float32), or several (`fp32,int8`: one folder, one weights file, fp32 run
    /// by default, `--precision int8` at run time selects the other). int8 and fp16 graphs are
    /// scored against fp32 on the dev set first and refused when they lose more than
    /// --max-f1-drop.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "fp32")]
    pub precision: Vec<PrecisionArg>,

    /// Keep only the checkpoint's first N words: PAD, UNK, the training data's words, then the
    /// words added from the vectors file (`rin-train --glove-words`), most frequent first. The
    /// words cut read as UNK. N below the training data's words is refused.
    #[arg(long, value_name = "N")]
    pub max_words: Option<usize>,

    /// The word embedding's stored precision: `fp32`, or `fp16` (half the bytes; the looked-up
    /// rows are cast to float32, everything else stays float32).
    #[arg(long, value_enum, default_value_t = WordTableArg::Fp32)]
    pub word_table: WordTableArg,

    /// The relation threshold recorded in manifest.json, which `rin` decodes with unless told
    /// otherwise (default: the checkpoint's, its training setting). Example: 0.3.
    #[arg(long, value_parser = parse_threshold)]
    pub threshold: Option<f32>,

    /// int8, fp16: the data set the gate scores (its `dev` split), instead of the checkpoint's data
    /// folder.
    #[arg(long, value_name = "DIR")]
    pub gate_data: Option<PathBuf>,

    /// int8, fp16: the largest dev triple-F1 drop allowed against fp32, in F1 points (0-100 scale).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub max_f1_drop: f64,

    /// Triton: the models' name prefix.
    #[arg(long, default_value = "rin")]
    pub name: String,

    /// Triton: max_batch_size (sentences per batch the dynamic batcher may form).
    #[arg(long, default_value_t = 32)]
    pub max_batch_size: usize,

    /// Triton: dynamic_batching's max_queue_delay_microseconds.
    #[arg(long, default_value_t = 2000)]
    pub max_queue_delay_us: u64,

    /// Triton: instances per model and their kind.
    #[arg(long, default_value_t = 1)]
    pub instances: usize,

    /// Triton: where the instances run (KIND_AUTO, KIND_CPU, KIND_GPU).
    #[arg(long, value_enum, default_value_t = InstanceArg::Auto)]
    pub instance_kind: InstanceArg,
}

/// `rin extract --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// JSON Lines: one object per input.
    Json,
    /// Readable lines: the input text, then its triples with scores.
    Text,
}

/// `rin export --outputs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputsArg {
    /// `relation_probs` `[batch, seq, seq, relations]`.
    Dense,
    /// `relation_cells` `[cells, 4]` and `relation_scores` `[cells]` over `relation_threshold`.
    Sparse,
}

/// `--precision` (export, and the graph to run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    /// float32 throughout.
    Fp32,
    /// Every matrix product but the LSTM's in int8 (the relation head's pair product above all).
    Int8,
    /// float16 weights and compute (for GPUs), output probabilities in float32.
    Fp16,
}

impl From<PrecisionArg> for rin_core::manifest::Precision {
    fn from(arg: PrecisionArg) -> Self {
        match arg {
            PrecisionArg::Fp32 => rin_core::manifest::Precision::Fp32,
            PrecisionArg::Int8 => rin_core::manifest::Precision::Int8,
            PrecisionArg::Fp16 => rin_core::manifest::Precision::Fp16,
        }
    }
}

/// `rin export --word-table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WordTableArg {
    /// float32, as trained.
    Fp32,
    /// float16, cast to float32 after the look-up.
    Fp16,
}

impl From<WordTableArg> for rin_core::manifest::WordTablePrecision {
    fn from(arg: WordTableArg) -> Self {
        match arg {
            WordTableArg::Fp32 => Self::Fp32,
            WordTableArg::Fp16 => Self::Fp16,
        }
    }
}

/// `rin export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// rin's export folder.
    Onnx,
    /// A Triton Inference Server model repository (ONNX Runtime backend).
    Triton,
}

/// `rin export --instance-kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InstanceArg {
    /// GPU if Triton has one, else CPU.
    Auto,
    /// CPU.
    Cpu,
    /// GPU.
    Gpu,
}

/// `rin serve`.
#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default; `0.0.0.0:8080` exposes the server to the network.
    #[arg(long, env = "RIN_ADDR", default_value = rin_runtime::server::DEFAULT_ADDR)]
    pub addr: std::net::SocketAddr,

    /// The Ks to load (each worker holds one session per K); requests pick one with "k". Same
    /// syntax as `rin export --k`; repeatable. Default: every exported K.
    #[arg(long = "ks", value_name = "KS")]
    pub ks: Vec<String>,

    /// Worker threads, each with its own ONNX Runtime sessions. With several, consider --threads.
    #[arg(long, default_value_t = 1)]
    pub workers: usize,

    /// Micro-batching: texts per batch at most (one larger request still runs, alone).
    #[arg(long, default_value_t = 32)]
    pub max_batch: usize,

    /// Micro-batching: how long a batch waits for more requests after its first (`2ms`, `500us`).
    #[arg(long, default_value = "2ms", value_parser = parse_duration)]
    pub max_wait: std::time::Duration,

    /// No micro-batching: each request runs alone (same as --max-batch 1 --max-wait 0ms).
    #[arg(long)]
    pub no_batching: bool,

    /// Requests waiting for a worker at most; more are answered 503.
    #[arg(long, default_value_t = 256)]
    pub queue: usize,

    /// Request bodies larger than this many bytes are answered 413.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body_bytes: usize,

    /// Texts per request at most (400 above).
    #[arg(long, default_value_t = 64)]
    pub max_texts: usize,

    /// Requests taking longer are answered 504 (`30s`, `500ms`).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: std::time::Duration,

    /// On SIGTERM or Ctrl-C, how long in-flight requests may take before the server stops anyway.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub shutdown_timeout: std::time::Duration,

    /// Close a connection on which the client sends nothing for this long (an idle keep-alive
    /// connection, or headers that never come). Must be longer than --request-timeout.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: std::time::Duration,

    /// The tokenizer plugin (name or library path). Default: the manifest's, or `english`.
    #[arg(long)]
    pub tokenizer: Option<String>,

    /// The model and how to run it (`--k` is the default K of requests).
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Parses `2ms`, `500us`, `1.5s`, `0`.
#[cfg(feature = "server")]
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 2ms, 500us or 30s"))?;
    let seconds = match unit.trim() {
        "us" | "µs" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "" if value == 0.0 => 0.0,
        "" => return Err(format!("{text:?} has no unit (us, ms or s)")),
        other => return Err(format!("unknown unit {other:?} in {text:?} (us, ms or s)")),
    };
    std::time::Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text:?}: {e}"))
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

    #[cfg(feature = "server")]
    #[test]
    fn durations_parse_with_units() {
        use std::time::Duration;
        assert_eq!(parse_duration("2ms"), Ok(Duration::from_millis(2)));
        assert_eq!(parse_duration("500us"), Ok(Duration::from_micros(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("ms").is_err());
    }

    #[cfg(feature = "server")]
    #[test]
    fn serve_binds_loopback_by_default() {
        let cli = Cli::try_parse_from(["rin", "serve", "-m", "m"]).unwrap();
        match cli.command {
            Command::Serve(args) => {
                assert!(args.addr.ip().is_loopback());
                assert_eq!(args.max_wait, std::time::Duration::from_millis(2));
            }
            other => panic!("{other:?}"),
        }
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
