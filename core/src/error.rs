//! The error type of `rin-core`.
//!
//! Every variant that comes from a file names the file, and every variant that comes from one record
//! of a data set also names the record's index, so that a user can find and fix the bad line without
//! a debugger. Details sit in a `#[source]` so that `{:#}` (anyhow) prints the whole chain.

use std::path::PathBuf;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while reading data, relations or embeddings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file being read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid JSON (or not the JSON shape its format needs).
    #[error("malformed json in {}{}", path.display(), record.map(|r| format!(" at record {r}")).unwrap_or_default())]
    Json {
        /// The file being parsed.
        path: PathBuf,
        /// The 0-based index of the record where parsing failed, when known.
        record: Option<usize>,
        /// The parser's error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// One record of a data file is invalid.
    #[error("invalid record {record} in {}", path.display())]
    Record {
        /// The data file.
        path: PathBuf,
        /// The 0-based index of the record (for JSONL files, the 0-based line number).
        record: usize,
        /// What is wrong with it.
        #[source]
        source: RecordError,
    },
    /// A relation file (`rel2id.json`) has an unexpected shape.
    #[error("invalid relation file {}", path.display())]
    RelationFile {
        /// The relation file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: RelationFileError,
    },
    /// A line of a GloVe file is invalid.
    #[error("invalid embedding line {line} in {}", path.display())]
    Embedding {
        /// The embedding file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        #[source]
        source: EmbeddingError,
    },
    /// The format of a data file could not be recognised from its name or first record.
    #[error("cannot detect the data format of {} (expected CasRel, JointER or native JSONL)", path.display())]
    UnknownFormat {
        /// The data file.
        path: PathBuf,
    },
}

/// What is wrong with one record of a data file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The record does not have the fields its format needs.
    #[error("record does not match the format")]
    Shape(#[source] serde_json::Error),
    /// The record has no tokens.
    #[error("record has no tokens")]
    NoTokens,
    /// The POS tag list does not have one tag per token.
    #[error("{tokens} tokens but {pos_tags} POS tags")]
    PosCount {
        /// Number of tokens.
        tokens: usize,
        /// Number of POS tags.
        pos_tags: usize,
    },
    /// A span is empty or reaches past the last token.
    #[error("span [{start}, {end}) is empty or outside the {len} tokens")]
    SpanOutOfRange {
        /// Span start (inclusive).
        start: usize,
        /// Span end (exclusive).
        end: usize,
        /// Number of tokens in the sentence.
        len: usize,
    },
    /// A triple names a relation that is not in the relation file.
    #[error("unknown relation {name:?}")]
    UnknownRelation {
        /// The relation name as written in the data.
        name: String,
    },
}

/// What is wrong with a relation file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelationFileError {
    /// The JSON is not one of the accepted shapes.
    #[error("expected [rel2id], [id2rel, rel2id], a rel2id object or a list of names")]
    Shape,
    /// An id is not a non-negative integer.
    #[error("relation {name:?} has id {id}, which is not a non-negative integer")]
    BadId {
        /// The relation.
        name: String,
        /// The id as written.
        id: String,
    },
    /// The ids are not exactly 0..n.
    #[error("relation ids are not exactly 0..{count} (missing or repeated id {id})")]
    NotDense {
        /// Number of relations.
        count: usize,
        /// The first id that is missing or repeated.
        id: usize,
    },
    /// A relation name appears twice.
    #[error("relation {name:?} appears twice")]
    Duplicate {
        /// The repeated name.
        name: String,
    },
}

/// What is wrong with one line of a GloVe file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbeddingError {
    /// A line has a different number of values than the first line.
    #[error("expected {expected} values, found {found}")]
    Dimension {
        /// The dimension set by the first line.
        expected: usize,
        /// The number of values on this line.
        found: usize,
    },
    /// A value is not a number.
    #[error("value {value:?} is not a number")]
    Value {
        /// The offending field.
        value: String,
    },
    /// The file holds no vectors.
    #[error("the file holds no vectors")]
    Empty,
}
