//! The JointER format (WebNLG exact):
//! `[{"tokens": [...], "spo_details": [[s_start, s_end, label, relation, o_start, o_end, label]], "pos_tags": [...]}]`.
//!
//! Spans are given (half-open), so nothing has to be located; `spo_list` (the same triples as
//! strings) is ignored. Nested entities are common here and are counted as overlapping.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json::parse_array;
use super::{checked_pos, checked_span, finish_sentence, relation_id, typed, Dataset, LoadReport};
use crate::error::Result;
use crate::relation::RelationSet;
use crate::sentence::Triple;

/// `[s_start, s_end, s_label, relation, o_start, o_end, o_label]`; the labels are always "None-label".
type Detail = (usize, usize, Value, String, usize, usize, Value);

#[derive(Deserialize)]
struct Record {
    tokens: Vec<String>,
    spo_details: Vec<Detail>,
    #[serde(default)]
    pos_tags: Option<Vec<String>>,
}

/// Parses a JointER file's text (`path` is only used in errors and logs).
pub fn parse(path: &Path, text: &str, relations: &RelationSet) -> Result<Dataset> {
    let values = parse_array(path, text)?;
    let mut report = LoadReport::default();
    let mut sentences = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let record: Record = typed(path, index, value)?;
        let pos_tags = checked_pos(path, index, &record.tokens, record.pos_tags)?;
        let len = record.tokens.len();
        let mut triples = Vec::with_capacity(record.spo_details.len());
        for (s_start, s_end, _, relation, o_start, o_end, _) in &record.spo_details {
            triples.push(Triple {
                subject: checked_span(path, index, *s_start, *s_end, len)?,
                relation: relation_id(path, index, relations, relation)?,
                object: checked_span(path, index, *o_start, *o_end, len)?,
            });
        }
        sentences.push(finish_sentence(
            record.tokens,
            pos_tags,
            triples,
            &[],
            &mut report,
        ));
    }
    Ok(Dataset { sentences, report })
}
