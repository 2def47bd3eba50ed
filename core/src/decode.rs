//! From model outputs (`&[f32]` plus dimensions) to tags and triples (MODEL.md, "Decoding").
//!
//! The relation tensor is `n x n x R` per sentence, the largest output by far; decoding reads only
//! the `i, j < n` part of a possibly padded block and touches each value once.

use serde::{Deserialize, Serialize};

use crate::sentence::{Span, Triple};
use crate::tag::{decode_bioes, Tag};

/// How triples are matched: on last words (partial, WebNLG* and NYT*) or whole spans (exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// An entity is its last token.
    Partial,
    /// An entity is its whole span.
    Exact,
}

/// The paper's relation threshold.
pub const DEFAULT_THRESHOLD: f32 = 0.5;

/// Whether `t` can be a relation threshold: a probability in [0, 1] (NaN and infinities are not).
pub fn is_threshold(t: f32) -> bool {
    (0.0..=1.0).contains(&t)
}

/// The highest-scoring tag of each of the first `n` rows of `probs` (`[n, 5]`, row-major).
///
/// Works on probabilities or logits alike, since softmax keeps the order. Ties go to the lower
/// index (O first). If `probs` holds fewer than `n` full rows, only those rows are decoded.
pub fn argmax_tags(probs: &[f32], n: usize) -> Vec<Tag> {
    probs
        .chunks_exact(Tag::COUNT)
        .take(n)
        .map(|row| {
            let mut best = 0;
            for (k, &p) in row.iter().enumerate().skip(1) {
                if p > row[best] {
                    best = k;
                }
            }
            Tag::ALL[best]
        })
        .collect()
}

/// The triples of one sentence.
///
/// `relation_probs` is the sentence's `[seq_stride, seq_stride, relations]` block (row-major,
/// `seq_stride` the padded length); only `i, j < tags.len()` are read. Every cell with probability
/// `>= threshold` is a candidate. Partial: the triple is `([i, i+1), t, [j, j+1))`. Exact: only
/// cells where both i and j end a span decoded from `tags` count, and the triple uses those spans.
/// Triples come out ordered by `(i, j, t)`. A block shorter than its dimensions say is read as far
/// as it goes.
pub fn decode_triples(
    tags: &[Tag],
    relation_probs: &[f32],
    seq_stride: usize,
    relations: usize,
    threshold: f32,
    mode: MatchMode,
) -> Vec<Triple> {
    let n = tags.len().min(seq_stride);
    // For exact match, the span ending at each token (decoded spans never share an end).
    let span_ending_at = spans_by_end(&tags[..n], mode);
    let mut triples = Vec::new();
    if relations == 0 {
        return triples;
    }
    for (i, subject) in span_ending_at.iter().enumerate() {
        let Some(subject) = *subject else { continue };
        for (j, object) in span_ending_at.iter().enumerate() {
            let Some(object) = *object else { continue };
            let base = (i * seq_stride + j) * relations;
            let Some(cell) = relation_probs.get(base..base + relations) else {
                continue;
            };
            for (relation, &p) in cell.iter().enumerate() {
                if p >= threshold {
                    triples.push(Triple {
                        subject,
                        relation,
                        object,
                    });
                }
            }
        }
    }
    triples
}

/// One relation cell above the threshold, as a sparse graph output lists it: subject end `i`,
/// object end `j`, relation `t`, probability `p`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelationCell {
    /// The subject's last token.
    pub i: usize,
    /// The object's last token.
    pub j: usize,
    /// The relation id.
    pub relation: usize,
    /// The probability.
    pub p: f32,
}

/// [`decode_triples`] over a sparse list of cells instead of a dense block: the same triples, in
/// the same `(i, j, t)` order, provided `cells` holds every cell of the block with probability
/// `>= threshold` (in any order). Each triple comes with its probability.
pub fn decode_cells(
    tags: &[Tag],
    cells: &[RelationCell],
    threshold: f32,
    mode: MatchMode,
) -> Vec<(Triple, f32)> {
    let n = tags.len();
    let span_ending_at = spans_by_end(tags, mode);
    let mut triples: Vec<(Triple, f32)> = cells
        .iter()
        .filter(|c| c.i < n && c.j < n && c.p >= threshold)
        .filter_map(|c| {
            let subject = span_ending_at[c.i]?;
            let object = span_ending_at[c.j]?;
            Some((
                Triple {
                    subject,
                    relation: c.relation,
                    object,
                },
                c.p,
            ))
        })
        .collect();
    triples.sort_by_key(|(t, _)| (t.subject.last(), t.object.last(), t.relation));
    triples
}

/// For each token, the entity span ending there: every token in partial mode, the decoded
/// spans' last tokens in exact mode.
fn spans_by_end(tags: &[Tag], mode: MatchMode) -> Vec<Option<Span>> {
    let n = tags.len();
    match mode {
        MatchMode::Partial => (0..n).map(|i| Some(Span::single(i))).collect(),
        MatchMode::Exact => {
            let mut ends = vec![None; n];
            for span in decode_bioes(tags) {
                ends[span.last()] = Some(span);
            }
            ends
        }
    }
}

#[cfg(test)]
mod tests;
