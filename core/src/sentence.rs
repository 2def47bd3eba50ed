//! The sentence model shared by every reader, the trainer and the runtime.
//!
//! A triple is anchored on token spans, not strings: the model labels the relation cell of the
//! subject's and the object's last tokens (MODEL.md, "Labels"), so the spans are what training needs,
//! and the strings can always be recovered from the tokens for scoring.

use serde::{Deserialize, Serialize};

pub use crate::span::Span;
use crate::tag::{resolve_overlaps, write_tags, Tag};

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
