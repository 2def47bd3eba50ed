//! rin's native format, for users' own data: JSON Lines, one sentence per line.
//!
//! ```json
//! {"tokens": ["A.C.", "Cesena", "plays", "in", "Serie", "B", "."], "pos_tags": ["NNP", "NNP", "VBZ", "IN", "NNP", "NNP", "."], "triples": [{"subject": [0, 2], "relation": "league", "object": [4, 6]}]}
//! {"tokens": ["Rome", "is", "in", "Italy", "."], "entities": [[0, 1], [3, 4]]}
//! ```
//!
//! Spans are half-open token ranges `[start, end)`. `pos_tags` and `entities` are optional;
//! `entities` lists entity mentions that take part in no triple (spans of triples are entities
//! already). Blank lines are skipped; a record's index in errors is its 0-based line number.
//! A file that starts with `[` is read as a JSON array of the same records.

use std::path::Path;

use serde::Deserialize;

use super::json::{parse_array, parse_lines};
use super::{checked_pos, checked_span, finish_sentence, relation_id, typed, Dataset, LoadReport};
use crate::error::Result;
use crate::relation::RelationSet;
use crate::sentence::{Span, Triple};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    tokens: Vec<String>,
    #[serde(default)]
    pos_tags: Option<Vec<String>>,
    #[serde(default)]
    entities: Vec<(usize, usize)>,
    #[serde(default)]
    triples: Vec<RecordTriple>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordTriple {
    subject: (usize, usize),
    relation: String,
    object: (usize, usize),
}

/// Parses a native file's text (`path` is only used in errors and logs).
pub fn parse(path: &Path, text: &str, relations: &RelationSet) -> Result<Dataset> {
    let records = if text.trim_start().starts_with('[') {
        parse_array(path, text)?.into_iter().enumerate().collect()
    } else {
        parse_lines(path, text)?
    };
    let mut report = LoadReport::default();
    let mut sentences = Vec::with_capacity(records.len());
    for (index, value) in records {
        let record: Record = typed(path, index, value)?;
        let pos_tags = checked_pos(path, index, &record.tokens, record.pos_tags)?;
        let len = record.tokens.len();
        let span = |(start, end): (usize, usize)| checked_span(path, index, start, end, len);
        let entities = record
            .entities
            .iter()
            .map(|&s| span(s))
            .collect::<Result<Vec<Span>>>()?;
        let triples = record
            .triples
            .iter()
            .map(|t| {
                Ok(Triple {
                    subject: span(t.subject)?,
                    relation: relation_id(path, index, relations, &t.relation)?,
                    object: span(t.object)?,
                })
            })
            .collect::<Result<Vec<Triple>>>()?;
        sentences.push(finish_sentence(
            record.tokens,
            pos_tags,
            triples,
            &entities,
            &mut report,
        ));
    }
    Ok(Dataset { sentences, report })
}
