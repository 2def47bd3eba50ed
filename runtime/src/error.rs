//! The error type of `rin-runtime`.
//!
//! Every variant says what the runtime was doing and names the file, line, tensor or plugin it is
//! about, so that `{:#}` in the binary prints a message a user can act on. Foreign errors (ONNX
//! Runtime, plugins, I/O, JSON, rin-core) are wrapped once, here.

use std::path::PathBuf;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while loading a model, reading input or running it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No ONNX Runtime library was found in any of the places searched.
    #[error(
        "cannot find the ONNX Runtime library (libonnxruntime.so.1.31.1); tried: {}; \
         run `cargo xtask setup` and use `cargo xtask run -- ...`, or pass --ort-dylib / set RIN_ORT_DYLIB",
        tried.join("; ")
    )]
    OrtLibraryNotFound {
        /// Each place searched, with what was there.
        tried: Vec<String>,
    },
    /// The ONNX Runtime library exists but could not be loaded.
    #[error("cannot load the ONNX Runtime library {}: {detail}", path.display())]
    OrtLoad {
        /// The library.
        path: PathBuf,
        /// The loader's reason (`dlopen`'s message, or a version mismatch).
        detail: String,
    },
    /// ONNX Runtime was already loaded from another library in this process (it cannot be swapped).
    #[error(
        "ONNX Runtime is already loaded from {} in this process; cannot switch to {}",
        loaded.display(),
        requested.display()
    )]
    OrtAlreadyLoaded {
        /// The library in use.
        loaded: PathBuf,
        /// The library asked for now.
        requested: PathBuf,
    },
    /// Creating the ONNX Runtime environment failed.
    #[error("cannot create the ONNX Runtime environment")]
    OrtEnvironment {
        /// ONNX Runtime's error.
        #[source]
        source: ort::Error,
    },
    /// `--device cuda` was asked for, but CUDA cannot be used.
    #[error("--device cuda is not available: {reason}")]
    CudaUnavailable {
        /// Why, naming the missing library or ONNX Runtime's message.
        reason: String,
    },
    /// ONNX Runtime could not build a session for a graph.
    #[error("cannot create an ONNX Runtime session for {}", path.display())]
    Session {
        /// The graph.
        path: PathBuf,
        /// ONNX Runtime's error.
        #[source]
        source: ort::Error,
    },
    /// A graph's inputs or outputs are not the ones the manifest names.
    #[error("{} does not match its manifest: {detail}", path.display())]
    GraphMismatch {
        /// The graph.
        path: PathBuf,
        /// What differs.
        detail: String,
    },
    /// Running the graph failed.
    #[error("ONNX Runtime failed to run the model on a batch of {batch} x {seq_len} tokens")]
    Inference {
        /// Sentences in the batch.
        batch: usize,
        /// Padded length of the batch.
        seq_len: usize,
        /// ONNX Runtime's error.
        #[source]
        source: ort::Error,
    },
    /// An output tensor has another shape than expected.
    #[error("output {name:?} has shape {actual:?}, expected {expected:?}")]
    OutputShape {
        /// The output's name.
        name: String,
        /// The expected shape.
        expected: Vec<i64>,
        /// The shape ONNX Runtime returned.
        actual: Vec<i64>,
    },

    /// The model folder does not exist.
    #[error("model folder {} does not exist (pass --model or set RIN_MODEL)", path.display())]
    ModelDirMissing {
        /// The folder.
        path: PathBuf,
    },
    /// A file of the model folder is missing.
    #[error("the model folder is incomplete: {what} {} does not exist", path.display())]
    ModelFileMissing {
        /// What the file is.
        what: &'static str,
        /// Where it was expected.
        path: PathBuf,
    },
    /// The manifest is not valid JSON or lacks fields.
    #[error("invalid manifest {}", path.display())]
    ManifestJson {
        /// The manifest.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The manifest was written by an exporter this runtime does not understand.
    #[error(
        "unsupported manifest version {found} in {} (this runtime reads version {supported}); re-export the model with a matching rin-exporter",
        path.display()
    )]
    ManifestVersion {
        /// The manifest.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this runtime reads.
        supported: u32,
    },
    /// The manifest contradicts itself.
    #[error("invalid manifest {}: {detail}", path.display())]
    ManifestInvalid {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The folder has no graphs in the requested precision.
    #[error(
        "the model has no {precision} graphs; it has {}",
        rin_core::manifest::precision_list(available)
    )]
    UnknownPrecision {
        /// The precision asked for.
        precision: rin_core::manifest::Precision,
        /// The precisions the folder has.
        available: Vec<rin_core::manifest::Precision>,
    },
    /// The requested K was not exported.
    #[error("the model has no graph for K = {k}; exported: {available:?}")]
    UnknownK {
        /// The K asked for.
        k: usize,
        /// The exported Ks.
        available: Vec<usize>,
    },

    /// A plugin could not be found, loaded or called.
    #[error(transparent)]
    Plugin(Box<rin_plugin_host::Error>),
    /// The tagger's tag set is not the one the model was trained on (rin-plugin-host's
    /// `TagsetMismatch`, with the command-line override named).
    #[error(
        "tagset mismatch: the model was trained on {model}, but {tagger} is loaded ({details}); \
         use a tagger with the model's tag set (see `rin info`), or pass --allow-tagset-mismatch to accept different POS input"
    )]
    TagsetMismatch {
        /// The model's tag set, in words.
        model: String,
        /// The loaded tagger, in words.
        tagger: String,
        /// What differs.
        details: String,
    },
    /// A tokenizer or tagger call failed on one input.
    #[error("{input}: {stage} failed")]
    PluginCall {
        /// Which input (`line 3`, `sentence 12`).
        input: String,
        /// `tokenizing` or `POS tagging`.
        stage: &'static str,
        /// The plugin's error.
        #[source]
        source: Box<rin_plugin_host::Error>,
    },

    /// Reading an input file or stream failed.
    #[error("cannot read {source_name}")]
    Read {
        /// The file, or `stdin`.
        source_name: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An input line is not valid UTF-8.
    #[error("{source_name} line {line}: invalid UTF-8 (byte {valid_up_to} of the line); use --keep-going to skip such lines")]
    InvalidUtf8 {
        /// The file, or `stdin`.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// Where the first invalid byte is.
        valid_up_to: usize,
    },
    /// An input line is not the JSON object expected.
    #[error("{source_name} line {line}: malformed JSONL record (expected an object with a \"text\" string)")]
    Jsonl {
        /// The file, or `stdin`.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A sentence has more tokens than the model takes, and splitting is off.
    #[error(
        "{input}: {tokens} tokens is more than the maximum of {max} (the relation tensor grows with n^2); \
         raise --max-tokens or use --long split"
    )]
    TooLong {
        /// Which input.
        input: String,
        /// Its token count.
        tokens: usize,
        /// The limit.
        max: usize,
    },
    /// A data set could not be read.
    #[error("cannot load the data set")]
    Data(#[from] rin_core::Error),
    /// The caller gave up on the work (`predict_cancellable`): nobody waits for its result.
    #[error("cancelled: nobody waits for the result any more")]
    Cancelled,
    /// A setting out of its range.
    #[error("invalid {name}: {detail}")]
    Setting {
        /// The setting.
        name: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A model file whose size or sha256 differs from the manifest's.
    #[error("{} does not match the manifest ({detail}): the model folder is damaged or was changed after export; export it again", path.display())]
    ModelFileChanged {
        /// The file.
        path: std::path::PathBuf,
        /// Which check failed, with both values.
        detail: String,
    },
    /// A benchmark corpus without a single non-empty sentence.
    #[error("the data set has no sentences to benchmark with")]
    EmptyCorpus,
    /// Writing results failed.
    #[error("cannot write results")]
    Write(#[source] std::io::Error),
}

impl From<rin_plugin_host::Error> for Error {
    fn from(e: rin_plugin_host::Error) -> Self {
        Error::Plugin(Box::new(e))
    }
}

impl Error {
    /// Whether this is a problem with one input record (so that `--keep-going` may skip it) rather
    /// than with the model, the plugins or the environment.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Error::InvalidUtf8 { .. }
                | Error::Jsonl { .. }
                | Error::TooLong { .. }
                | Error::PluginCall { .. }
        )
    }
}

/// An error and its sources on one line (`a: b: c`), for warnings.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
