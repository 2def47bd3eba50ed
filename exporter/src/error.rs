//! The error type of `rin-exporter`.
//!
//! Every variant names the file or tensor it is about, so that `{:#}` in the binary prints a
//! message a user can act on. Foreign errors (I/O, JSON, safetensors) are wrapped once, here.

use std::path::PathBuf;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while reading a checkpoint or writing an export.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file the checkpoint needs is not there.
    #[error("missing {what}: {} does not exist", path.display())]
    MissingFile {
        /// What the file is (e.g. "checkpoint weights").
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file or folder of the export could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file could not be parsed (or does not have the expected fields).
    #[error("invalid json in {}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The weights file is not valid safetensors.
    #[error("invalid safetensors file {}", path.display())]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: safetensors::SafeTensorError,
    },
    /// A parameter the model needs is not in the weights file.
    #[error("tensor {name:?} is missing from {}", path.display())]
    MissingTensor {
        /// The parameter name (e.g. `lstm.weight_ih_l0`).
        name: String,
        /// The weights file.
        path: PathBuf,
    },
    /// A parameter has another shape than the checkpoint's configuration implies.
    #[error("tensor {name:?} has shape {actual:?}, expected {expected:?} (from the checkpoint's model config)")]
    TensorShape {
        /// The parameter name.
        name: String,
        /// The shape the configuration implies.
        expected: Vec<usize>,
        /// The shape in the file.
        actual: Vec<usize>,
    },
    /// A parameter is not float32.
    #[error("tensor {name:?} has dtype {actual}, expected F32")]
    TensorDtype {
        /// The parameter name.
        name: String,
        /// The dtype in the file (safetensors' spelling).
        actual: String,
    },
    /// A parameter holds NaN or infinity.
    #[error("tensor {name:?} holds a non-finite value at flat index {index}")]
    NonFinite {
        /// The parameter name.
        name: String,
        /// The first offending element.
        index: usize,
    },
    /// The checkpoint's configuration is inconsistent or out of range.
    #[error("invalid model config in {}: {field}: {reason}", path.display())]
    Config {
        /// The checkpoint JSON.
        path: PathBuf,
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A requested K is outside the range the exporter supports.
    #[error("K = {k} is out of range: the exporter unrolls 0..={max} interaction layers")]
    KOutOfRange {
        /// The K asked for.
        k: usize,
        /// The largest supported K.
        max: usize,
    },
    /// The relation threshold to record is not a probability.
    #[error("invalid relation threshold {threshold}: it must lie in [0, 1]")]
    Threshold {
        /// The threshold given.
        threshold: f32,
    },
    /// The reading plan to record is unusable.
    #[error("invalid reading plan: {reason}")]
    Reading {
        /// What is wrong with it.
        reason: String,
    },
    /// A K range could not be parsed (`2`, `0..=4`, `0..5`, `1,3`).
    #[error("invalid K selection {text:?}: {reason}")]
    KSelection {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A frequency cut would drop words of the training data.
    #[error(
        "cannot keep only {asked} words: the checkpoint's first {data_rows} of {vocab} words are \
         PAD, UNK and its training data's words (training words, then dev and test words with a \
         vector), which a cut keeps; keep at least {data_rows}"
    )]
    MaxWords {
        /// The rows asked for.
        asked: usize,
        /// The rows of PAD, UNK and the data's words.
        data_rows: usize,
        /// The checkpoint's vocabulary size.
        vocab: usize,
    },
    /// The graph built for a K failed the structural checks run before writing. This is a bug in
    /// the exporter, never in the input.
    #[error("internal error: the graph for K = {k} is malformed: {problem}")]
    MalformedGraph {
        /// The K of the graph.
        k: usize,
        /// The first problem found.
        problem: String,
    },
    /// The Triton repository cannot be made with these settings (a bad model name, a batch size
    /// of 0, a tensor type Triton has no name for).
    #[error("cannot write a Triton model repository: {reason}")]
    Triton {
        /// What is wrong.
        reason: String,
    },
}
