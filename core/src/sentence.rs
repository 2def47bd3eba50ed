//! The sentence model shared by every reader, the trainer and the runtime.
//!
//! A triple is anchored on token spans, not strings: the model labels the relation cell of the
//! subject's and the object's last tokens (MODEL.md, "Labels"), so the spans are what training needs,
//! and the strings can always be recovered from the tokens for scoring.

use serde::{Deserialize, Serialize};

use crate::tag::{resolve_overlaps, write_tags, Tag};

/// A half-open token range `[start, end)`. Spans are never empty (`start < end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// First token (inclusive).
    pub start: usize,
    /// One past the last token (exclusive).
    pub end: usize,
}

impl Span {
    /// A span from `start` (inclusive) to `end` (exclusive).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The one-token span `[i, i+1)`.
    pub fn single(i: usize) -> Self {
        Span {
            start: i,
            end: i + 1,
        }
    }

    /// The last token, which anchors relation cells. An (invalid) empty span gives `end - 1` saturated at 0.
    pub fn last(&self) -> usize {
        self.end.saturating_sub(1)
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no token (never true for spans built by the readers).
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The same span `by` tokens later (a window's span placed back into its whole text).
    pub fn shifted(&self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }

    /// The span's tokens joined by one space, or `None` when it reaches past `tokens`.
    pub fn text(&self, tokens: &[String]) -> Option<String> {
        tokens.get(self.start..self.end).map(|t| t.join(" "))
    }
}

/// A relation between two entity spans; `relation` is an id in a [`crate::RelationSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Triple {
    /// The subject entity.
    pub subject: Span,
    /// The relation id.
    pub relation: usize,
    /// The object entity.
    pub object: Span,
}

impl Triple {
    /// The same triple with both spans `by` tokens later.
    pub fn shifted(&self, by: usize) -> Triple {
        Triple {
            subject: self.subject.shifted(by),
            relation: self.relation,
            object: self.object.shifted(by),
        }
    }
}

/// One tokenized sentence with its gold annotation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Sentence {
    /// The tokens.
    pub tokens: Vec<String>,
    /// Penn Treebank POS tags, one per token, when the data has them.
    pub pos_tags: Option<Vec<String>>,
    /// Distinct gold entity spans, sorted. May overlap; see [`Sentence::gold_tags`].
    pub entities: Vec<Span>,
    /// Gold triples, deduplicated, in the order the data lists them.
    pub triples: Vec<Triple>,
}

impl Sentence {
    /// A sentence with tokens only (for prediction).
    pub fn from_tokens(tokens: Vec<String>) -> Self {
        Sentence {
            tokens,
            ..Sentence::default()
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the sentence has no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The entity spans that get BIOES tags: overlaps resolved by [`crate::tag::resolve_overlaps`]
    /// (longer span first, then earlier).
    pub fn tagged_entities(&self) -> Vec<Span> {
        resolve_overlaps(self.tokens.len(), &self.entities).0
    }

    /// The gold BIOES tags of [`Sentence::entities`], with overlapping spans resolved as in
    /// [`Sentence::tagged_entities`].
    pub fn gold_tags(&self) -> Vec<Tag> {
        write_tags(self.tokens.len(), &self.tagged_entities())
    }

    /// `sentences` read as one text: tokens and POS tags concatenated (tags only when every
    /// part has them), entity spans and triples shifted to their place in the whole.
    pub fn joined(sentences: &[&Sentence]) -> Sentence {
        let mut whole = Sentence::default();
        let mut tags = Vec::new();
        for s in sentences {
            let offset = whole.tokens.len();
            whole.tokens.extend(s.tokens.iter().cloned());
            tags.extend(s.pos_tags.iter().flatten().cloned());
            whole
                .entities
                .extend(s.entities.iter().map(|e| e.shifted(offset)));
            whole
                .triples
                .extend(s.triples.iter().map(|t| t.shifted(offset)));
        }
        let all_tagged = sentences.iter().all(|s| s.pos_tags.is_some());
        whole.pos_tags = all_tagged.then_some(tags);
        whole
    }

    /// The gold relation cells `(i, j, t)`: i is the subject's last token, j the object's last
    /// token and t the relation id. Sorted and deduplicated; two triples that differ only in spans
    /// with the same last tokens share a cell.
    pub fn relation_cells(&self) -> Vec<(usize, usize, usize)> {
        let mut cells: Vec<(usize, usize, usize)> = self
            .triples
            .iter()
            .map(|t| (t.subject.last(), t.object.last(), t.relation))
            .collect();
        cells.sort_unstable();
        cells.dedup();
        cells
    }
}
