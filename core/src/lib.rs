//! `rin-core`: the types every rin crate shares, with no tensor library in sight.
//!
//! Data flows through it in this order: a [`dataset`] reader turns a data file into
//! [`Sentence`]s (tokens, POS tags, entity [`Span`]s and [`Triple`]s anchored on last tokens);
//! [`vocab`] maps tokens to ids; [`batch`] pads sentences into flat buffers for the trainer and the
//! runtime; [`decode`] turns the model's tag and relation scores back into [`Triple`]s; and
//! [`metric`] scores them the way the published figures do.
//!
//! The files that cross crate boundaries are typed here once: [`checkpoint`] (`checkpoint.json`,
//! written by the trainer, read by the exporter) and [`manifest`] (`manifest.json`, written by
//! the exporter, read by the runtime), with [`format`]'s version check and [`onnx_names`]; and
//! [`k_range`] is the one parser of K selections.
//!
//! ```
//! use rin_core::{decode_triples, argmax_tags, MatchMode, Tag};
//!
//! // Two tokens, both tagged S; one relation, probability 0.9 from token 0 to token 1.
//! let tag_probs = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
//! let tags = argmax_tags(&tag_probs, 2);
//! assert_eq!(tags, [Tag::S, Tag::S]);
//! let relation_probs = [0.0, 0.9, 0.0, 0.0]; // [2, 2, 1]
//! let triples = decode_triples(&tags, &relation_probs, 2, 1, 0.5, MatchMode::Exact);
//! assert_eq!(triples.len(), 1);
//! assert_eq!((triples[0].subject.start, triples[0].object.start), (0, 1));
//! ```
#![warn(missing_docs)]

pub mod batch;
pub mod checkpoint;
pub mod continuation;
pub mod dataset;
pub mod decode;
pub mod error;
pub mod format;
pub mod k_range;
pub mod manifest;
pub mod metric;
pub mod model_config;
pub mod onnx_names;
pub mod parity;
pub mod pos;
pub mod reading;
pub mod relation;
pub mod scores;
pub mod sentence;
pub mod span;
pub mod tag;
pub mod vocab;

pub use batch::{length_buckets, PaddedBatch};
pub use dataset::{load_file, load_split, DataFormat, Dataset, LoadReport};
pub use decode::{argmax_tags, decode_cells, decode_triples, MatchMode, RelationCell};
pub use error::{Error, Result};
pub use metric::{EvalReport, Evaluator, MeanStd, Prf};
pub use relation::RelationSet;
pub use scores::{Score, Scores};
pub use sentence::{Sentence, Span, Triple};
pub use tag::{decode_bioes, encode_bioes, Tag, TagError};
pub use vocab::{load_glove, load_glove_top, word_key, Embeddings, Vocab, PAD, UNK};
