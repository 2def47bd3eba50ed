//! Data set readers: one file per input format, all producing [`Sentence`]s and a [`LoadReport`].
//!
//! - [`casrel`]: `{"text", "triple_list"}` (WebNLG*, NYT*, NYT exact), entities located by string.
//! - [`jointer`]: `{"tokens", "spo_details", "pos_tags"}` (WebNLG exact), entities given as spans.
//! - [`native`]: the JSONL format users write for their own data (see the crate README).
//!
//! Problems that concern one record's validity (bad JSON, bad spans, unknown relations) are errors
//! naming the file and record. Problems that are a property of the public data sets (an entity
//! string that occurs twice, or not at all, or nested entities that BIOES cannot express) are
//! counted in [`LoadReport`] and summarised in one `tracing` warning per file, so that a figure
//! computed on the data can say how much of the gold it could represent.

pub mod casrel;
pub mod jointer;
mod json;
pub mod native;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, RecordError, Result};
use crate::relation::RelationSet;
use crate::sentence::{Sentence, Span, Triple};
use crate::tag::resolve_overlaps;

/// The input formats rin reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataFormat {
    /// CasRel: a JSON list of `{"text": "...", "triple_list": [[s, r, o], ...]}`.
    CasRel,
    /// JointER: a JSON list of `{"tokens", "spo_details", "pos_tags"}`.
    JointEr,
    /// rin's native JSONL: one `{"tokens", "triples", "entities"?, "pos_tags"?}` per line.
    Native,
}

impl DataFormat {
    /// Recognises a file's format: `.jsonl` is native; otherwise the first record's fields decide
    /// (`text` means CasRel, `spo_details` JointER, `tokens` native).
    pub fn detect(path: &Path) -> Result<DataFormat> {
        if path.extension().is_some_and(|e| e == "jsonl") {
            return Ok(DataFormat::Native);
        }
        let text = read_text(path)?;
        let first = json::first_record(&text).ok_or_else(|| Error::UnknownFormat {
            path: path.to_path_buf(),
        })?;
        let has = |key: &str| first.get(key).is_some();
        if has("text") && has("triple_list") {
            Ok(DataFormat::CasRel)
        } else if has("tokens") && has("spo_details") {
            Ok(DataFormat::JointEr)
        } else if has("tokens") {
            Ok(DataFormat::Native)
        } else {
            Err(Error::UnknownFormat {
                path: path.to_path_buf(),
            })
        }
    }

    /// The format's lower-case name, as accepted by [`FromStr`].
    pub fn as_str(self) -> &'static str {
        match self {
            DataFormat::CasRel => "casrel",
            DataFormat::JointEr => "jointer",
            DataFormat::Native => "native",
        }
    }
}

impl std::fmt::Display for DataFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`DataFormat`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown data format {0:?} (expected casrel, jointer or native)")]
pub struct UnknownDataFormat(pub String);

impl FromStr for DataFormat {
    type Err = UnknownDataFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "casrel" => Ok(DataFormat::CasRel),
            "jointer" => Ok(DataFormat::JointEr),
            "native" | "jsonl" => Ok(DataFormat::Native),
            _ => Err(UnknownDataFormat(s.to_owned())),
        }
    }
}

/// What a reader kept, merged and could not represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoadReport {
    /// Sentences read (every record becomes a sentence, even one whose triples were all lost).
    pub sentences: usize,
    /// Gold triples kept (after deduplication), summed over sentences.
    pub triples: usize,
    /// Distinct gold entity spans kept, summed over sentences.
    pub entities: usize,
    /// Entity strings that occur more than once in their sentence (the first occurrence was used);
    /// counted once per distinct string per sentence. Only string-located formats (CasRel) have them.
    pub ambiguous_entities: usize,
    /// Triples left out because their subject or object string is not a token sequence of the text.
    pub unlocatable_triples: usize,
    /// Gold entity spans that overlap a longer (or equally long, earlier) span and so get no BIOES
    /// tags; their triples are kept, since relation cells need only last tokens.
    pub overlapping_entities: usize,
    /// Triples listed more than once in a record (counted once in `triples`).
    pub duplicate_triples: usize,
}

impl LoadReport {
    /// Adds another report's counts to this one (e.g. to total several files).
    pub fn merge(&mut self, other: &LoadReport) {
        self.sentences += other.sentences;
        self.triples += other.triples;
        self.entities += other.entities;
        self.ambiguous_entities += other.ambiguous_entities;
        self.unlocatable_triples += other.unlocatable_triples;
        self.overlapping_entities += other.overlapping_entities;
        self.duplicate_triples += other.duplicate_triples;
    }

    fn warn_if_lossy(&self, path: &Path) {
        if self.ambiguous_entities + self.unlocatable_triples + self.overlapping_entities > 0 {
            tracing::warn!(
                path = %path.display(),
                sentences = self.sentences,
                triples = self.triples,
                ambiguous_entities = self.ambiguous_entities,
                unlocatable_triples = self.unlocatable_triples,
                overlapping_entities = self.overlapping_entities,
                duplicate_triples = self.duplicate_triples,
                "gold annotation not fully representable: ambiguous entity strings use their first \
                 occurrence, unlocatable triples are left out, overlapping spans are untagged"
            );
        }
    }
}

/// Sentences read from one file, and what the reader had to do to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    /// The sentences, in file order.
    pub sentences: Vec<Sentence>,
    /// The counts of the reading.
    pub report: LoadReport,
}

impl Dataset {
    /// The look-up keys ([`crate::vocab::word_key`]) of every token, e.g. to keep only the GloVe
    /// vectors a data set needs.
    pub fn word_keys(&self) -> HashSet<String> {
        self.sentences
            .iter()
            .flat_map(|s| s.tokens.iter().map(|t| crate::vocab::word_key(t)))
            .collect()
    }

    /// Number of gold triples.
    pub fn triple_count(&self) -> usize {
        self.sentences.iter().map(|s| s.triples.len()).sum()
    }
}

/// Reads one data file in `format`, with relation names resolved against `relations`.
pub fn load_file(path: &Path, format: DataFormat, relations: &RelationSet) -> Result<Dataset> {
    let text = read_text(path)?;
    let dataset = match format {
        DataFormat::CasRel => casrel::parse(path, &text, relations)?,
        DataFormat::JointEr => jointer::parse(path, &text, relations)?,
        DataFormat::Native => native::parse(path, &text, relations)?,
    };
    dataset.report.warn_if_lossy(path);
    Ok(dataset)
}

/// Reads `data_dir/{split}.json` (for the native format, `{split}.jsonl` when there is no `.json`).
pub fn load_split(
    data_dir: &Path,
    split: &str,
    format: DataFormat,
    relations: &RelationSet,
) -> Result<Dataset> {
    load_file(&split_path(data_dir, split, format), format, relations)
}

/// Reads `data_dir/rel2id.json`.
pub fn load_relations(data_dir: &Path) -> Result<RelationSet> {
    RelationSet::load(&data_dir.join("rel2id.json"))
}

/// The file [`load_split`] reads.
pub fn split_path(data_dir: &Path, split: &str, format: DataFormat) -> PathBuf {
    let json = data_dir.join(format!("{split}.json"));
    let jsonl = data_dir.join(format!("{split}.jsonl"));
    if format == DataFormat::Native && !json.exists() && jsonl.exists() {
        jsonl
    } else {
        json
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Deserialises one record into a format's record type, naming the record on failure.
fn typed<T: serde::de::DeserializeOwned>(path: &Path, record: usize, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| record_error(path, record, RecordError::Shape(e)))
}

fn record_error(path: &Path, record: usize, source: RecordError) -> Error {
    Error::Record {
        path: path.to_path_buf(),
        record,
        source,
    }
}

/// Looks a relation name up, naming the record when it is unknown.
fn relation_id(path: &Path, record: usize, relations: &RelationSet, name: &str) -> Result<usize> {
    relations.id(name).ok_or_else(|| {
        record_error(
            path,
            record,
            RecordError::UnknownRelation {
                name: name.to_owned(),
            },
        )
    })
}

/// Checks a span against the sentence length, naming the record when it is out of range.
fn checked_span(path: &Path, record: usize, start: usize, end: usize, len: usize) -> Result<Span> {
    if start < end && end <= len {
        Ok(Span { start, end })
    } else {
        Err(record_error(
            path,
            record,
            RecordError::SpanOutOfRange { start, end, len },
        ))
    }
}

/// Checks that the POS tags, if any, match the tokens one to one.
fn checked_pos(
    path: &Path,
    record: usize,
    tokens: &[String],
    pos_tags: Option<Vec<String>>,
) -> Result<Option<Vec<String>>> {
    if tokens.is_empty() {
        return Err(record_error(path, record, RecordError::NoTokens));
    }
    match pos_tags {
        Some(pos) if pos.len() != tokens.len() => Err(record_error(
            path,
            record,
            RecordError::PosCount {
                tokens: tokens.len(),
                pos_tags: pos.len(),
            },
        )),
        pos => Ok(pos),
    }
}

/// Builds a [`Sentence`] from located triples and extra entity spans, and counts duplicates and
/// overlaps into `report`. Every reader ends here, so the counting rules are the same for all formats.
fn finish_sentence(
    tokens: Vec<String>,
    pos_tags: Option<Vec<String>>,
    triples: Vec<Triple>,
    extra_entities: &[Span],
    report: &mut LoadReport,
) -> Sentence {
    let mut seen = HashSet::with_capacity(triples.len());
    let mut unique = Vec::with_capacity(triples.len());
    for triple in triples {
        if seen.insert(triple) {
            unique.push(triple);
        } else {
            report.duplicate_triples += 1;
        }
    }
    let mut entities: Vec<Span> = unique
        .iter()
        .flat_map(|t| [t.subject, t.object])
        .chain(extra_entities.iter().copied())
        .collect();
    entities.sort_unstable();
    entities.dedup();
    let (_, dropped) = resolve_overlaps(tokens.len(), &entities);
    report.overlapping_entities += dropped.len();
    report.sentences += 1;
    report.triples += unique.len();
    report.entities += entities.len();
    Sentence {
        tokens,
        pos_tags,
        entities,
        triples: unique,
    }
}

/// Finds entity strings in a sentence's tokens: the first occurrence of the string's
/// space-separated tokens as a token subsequence. Remembers results per string so that an
/// ambiguous string is counted once per sentence however many triples name it.
struct Locator<'t> {
    tokens: &'t [String],
    found: HashMap<String, Option<Span>>,
    ambiguous: usize,
}

impl<'t> Locator<'t> {
    fn new(tokens: &'t [String]) -> Self {
        Locator {
            tokens,
            found: HashMap::new(),
            ambiguous: 0,
        }
    }

    fn locate(&mut self, entity: &str) -> Option<Span> {
        if let Some(span) = self.found.get(entity) {
            return *span;
        }
        let needle: Vec<&str> = entity.split_whitespace().collect();
        let mut first = None;
        let mut count = 0;
        if !needle.is_empty() && needle.len() <= self.tokens.len() {
            for start in 0..=self.tokens.len() - needle.len() {
                let window = &self.tokens[start..start + needle.len()];
                if window.iter().zip(&needle).all(|(a, b)| a == b) {
                    count += 1;
                    first.get_or_insert(Span {
                        start,
                        end: start + needle.len(),
                    });
                }
            }
        }
        if count > 1 {
            self.ambiguous += 1;
        }
        self.found.insert(entity.to_owned(), first);
        first
    }
}
