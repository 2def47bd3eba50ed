//! `rin-runtime`: runs exported RIN models with ONNX Runtime.
//!
//! An export folder (rin-exporter: `manifest.json`, `model_k{K}.onnx`, `weights.bin`) is opened
//! as a [`Model`]; a [`Predictor`] builds an ONNX Runtime session for one K on the CPU or CUDA and
//! loads the POS tagger plugin the model was trained with; an [`Extractor`] adds a tokenizer
//! plugin. Sentences are batched by length, run, and decoded with rin-core, the same decoding as
//! the trainer's eval.
//!
//! ```no_run
//! use rin_runtime::{Extractor, Model, PipelineConfig};
//!
//! # fn main() -> rin_runtime::Result<()> {
//! let model = Model::open("models/webnlg".as_ref())?;
//! let extractor = Extractor::load(model, &PipelineConfig::default())?;
//! for result in extractor.extract(&["Rome is the capital of Italy ."])? {
//!     for t in &result.triples {
//!         println!("{} --{}--> {} ({:.2})", t.subject.text, t.relation, t.object.text, t.score);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Layout: [`model`] reads the folder (its manifest is rin-core's type), [`ort_library`] finds
//! ONNX Runtime, [`ort_env`] loads it once and chooses the device, [`session`] owns the sessions
//! and [`graph_names`] what they feed and read, [`input`] turns padded batches into tensors,
//! [`pipeline`] runs text to predictions, [`prediction`] is one sentence's decoded output,
//! [`extraction`] is the output (character offsets), [`source`] reads input lines, [`stream`] is
//! `rin extract`'s loop, [`plugin`] loads tokenizers and taggers and checks tag sets, and
//! `server` (feature `server`, on by default) is `rin serve`'s HTTP API with micro-batching.

pub mod bench;
pub mod bound;
pub mod chunk;
pub mod continuation_examples;
pub mod error;
pub mod extraction;
pub mod graph_names;
pub mod input;
pub mod model;
pub mod ort_env;
pub mod ort_library;
pub mod pipeline;
pub mod plugin;
pub mod prediction;
#[cfg(feature = "server")]
pub mod server;
pub mod session;
pub mod source;
pub mod stream;

pub use error::{Error, Result};
pub use extraction::{ExtractedTriple, Extraction, Mention, TokenSpan};
pub use model::{Model, Verify};
pub use pipeline::{
    DecodeOptions, Extractor, LongSentences, PipelineConfig, Prediction, Predictor, ScoredTriple,
};
pub use plugin::Plugins;
/// The precision of a model's graphs ([`PipelineConfig::precision`]).
pub use rin_core::manifest::Precision;
pub use session::{Device, ExecutionProvider, ModelOutput, ModelSession, OrtConfig};
pub use source::{InputFormat, InputRecord, RecordReader};
pub use stream::{extract_stream, OutputFormat, StreamOptions, StreamSummary};
