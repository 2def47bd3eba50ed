//! The CasRel format: `[{"text": "space separated tokens", "triple_list": [[s, r, o], ...]}, ...]`.
//!
//! Used by WebNLG* and NYT* (partial match: each entity is its last word) and by NYT exact (whole
//! entity strings). Both are read the same way: the text is split on whitespace, an entity string is
//! split on whitespace too, and its first occurrence as a token subsequence is its span. For the
//! partial-match sets that gives one-token spans, tagged S.

use std::path::Path;

use serde::Deserialize;

use super::json::parse_array;
use super::{checked_pos, finish_sentence, relation_id, typed, Dataset, LoadReport, Locator};
use crate::error::Result;
use crate::relation::RelationSet;
use crate::sentence::Triple;

#[derive(Deserialize)]
struct Record {
    text: String,
    triple_list: Vec<(String, String, String)>,
}

/// Parses a CasRel file's text (`path` is only used in errors and logs).
pub fn parse(path: &Path, text: &str, relations: &RelationSet) -> Result<Dataset> {
    let values = parse_array(path, text)?;
    let mut report = LoadReport::default();
    let mut sentences = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let record: Record = typed(path, index, value)?;
        let tokens: Vec<String> = record.text.split_whitespace().map(str::to_owned).collect();
        checked_pos(path, index, &tokens, None)?;
        let mut locator = Locator::new(&tokens);
        let mut triples = Vec::with_capacity(record.triple_list.len());
        for (subject, relation, object) in &record.triple_list {
            // An unknown relation is a data error even when the entities cannot be found.
            let relation = relation_id(path, index, relations, relation)?;
            match (locator.locate(subject), locator.locate(object)) {
                (Some(subject), Some(object)) => triples.push(Triple {
                    subject,
                    relation,
                    object,
                }),
                _ => {
                    tracing::debug!(path = %path.display(), record = index, %subject, %object,
                        "entity string not found in the text");
                    report.unlocatable_triples += 1;
                }
            }
        }
        report.ambiguous_entities += locator.ambiguous;
        sentences.push(finish_sentence(tokens, None, triples, &[], &mut report));
    }
    Ok(Dataset { sentences, report })
}
