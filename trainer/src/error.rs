//! The error type of `rin-trainer`.
//!
//! Foreign errors (`tch::TchError`, `rin_core::Error`, I/O, JSON) are wrapped once, here, in a
//! variant that says what the trainer was doing, so that `{:#}` prints a useful chain.

use std::path::PathBuf;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while training, evaluating or checkpointing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading data, relations or embeddings failed in rin-core.
    #[error("cannot {what}")]
    Data {
        /// What the trainer was doing.
        what: String,
        /// rin-core's error.
        #[source]
        source: rin_core::Error,
    },
    /// A libtorch call failed.
    #[error("libtorch failed while {what}")]
    Torch {
        /// What the trainer was doing.
        what: &'static str,
        /// libtorch's error.
        #[source]
        source: tch::TchError,
    },
    /// A file or directory could not be read or written.
    #[error("i/o error on {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file could not be read or written.
    #[error("invalid json in {}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A checkpoint does not fit the model it is loaded into, or is missing a part.
    #[error("invalid checkpoint {}: {problem}", path.display())]
    Checkpoint {
        /// The checkpoint directory or file.
        path: PathBuf,
        /// What is wrong with it.
        problem: CheckpointProblem,
    },
    /// A requested device is not available.
    #[error("device {requested} is not available (libtorch sees no CUDA device)")]
    DeviceUnavailable {
        /// The device asked for.
        requested: String,
    },
    /// A setting is out of range or settings contradict each other.
    #[error("invalid setting {name}: {reason}")]
    Setting {
        /// The setting's name, as on the command line.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// A POS tagger plugin could not be loaded or failed.
    #[error("POS tagger {tagger:?} failed (data without POS tags needs a tagger plugin; build it with `cargo build -p rin-plugin-{tagger}`, point --plugin-dir or RIN_PLUGIN_DIR at it, or train with --no-pos)")]
    PosTagger {
        /// The tagger that was asked for.
        tagger: String,
        /// The plugin host's error.
        #[source]
        source: Box<rin_plugin_host::Error>,
    },
    /// Training produced a loss that is not a finite number.
    #[error("loss became {value} at epoch {epoch}, step {step}")]
    NonFiniteLoss {
        /// The epoch (1-based).
        epoch: usize,
        /// The optimiser step.
        step: usize,
        /// The loss value.
        value: f64,
    },
}

/// What is wrong with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointProblem {
    /// A file of the checkpoint does not exist.
    #[error("missing file {0}")]
    MissingFile(String),
    /// The JSON sidecar has a format version this build does not read.
    #[error("format version {found}, expected {expected}")]
    Version {
        /// The version this build writes and reads.
        expected: u32,
        /// The version in the file.
        found: u32,
    },
    /// The resume state does not match the model's parameters.
    #[error("optimiser state has no tensor {0}")]
    MissingState(String),
    /// A run directory has no `last` checkpoint to resume from.
    #[error("nothing to resume: no `last` checkpoint")]
    NothingToResume,
    /// A checkpoint written without its training state is used for `--resume`.
    #[error("no training state (only `last` checkpoints can be resumed)")]
    NoTrainState,
    /// The weight average in the training state does not fit the model.
    #[error("{0}")]
    AverageState(String),
}

impl Error {
    /// Wraps a libtorch error with what we were doing.
    pub(crate) fn torch(what: &'static str) -> impl FnOnce(tch::TchError) -> Error {
        move |source| Error::Torch { what, source }
    }

    /// Wraps an I/O error with its path.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    /// Wraps a rin-core error with what we were doing.
    pub(crate) fn data(what: impl Into<String>) -> impl FnOnce(rin_core::Error) -> Error {
        let what = what.into();
        move |source| Error::Data { what, source }
    }
}
