//! BIOES entity tags and the conversion between spans and tag sequences.
//!
//! The index order O=0, B=1, I=2, E=3, S=4 is part of the model: it is the order of the entity
//! classifier's five outputs, so checkpoints and ONNX graphs depend on it.

use serde::{Deserialize, Serialize};

use crate::span::Span;

/// One BIOES tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tag {
    /// Outside any entity.
    O,
    /// Begins a multi-token entity.
    B,
    /// Inside a multi-token entity.
    I,
    /// Ends a multi-token entity.
    E,
    /// A single-token entity.
    S,
}

impl Tag {
    /// Number of tags (the entity classifier's output size).
    pub const COUNT: usize = 5;
    /// All tags in index order.
    pub const ALL: [Tag; 5] = [Tag::O, Tag::B, Tag::I, Tag::E, Tag::S];

    /// The tags' names in index order, as checkpoints and manifests record them.
    pub fn names() -> [&'static str; Tag::COUNT] {
        Tag::ALL.map(Tag::as_str)
    }

    /// The tag's index in the model's output.
    pub fn index(self) -> usize {
        match self {
            Tag::O => 0,
            Tag::B => 1,
            Tag::I => 2,
            Tag::E => 3,
            Tag::S => 4,
        }
    }

    /// The tag at `i`, or `None` when `i >= Tag::COUNT`.
    pub fn from_index(i: usize) -> Option<Tag> {
        Tag::ALL.get(i).copied()
    }

    /// The tag's one-letter name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::O => "O",
            Tag::B => "B",
            Tag::I => "I",
            Tag::E => "E",
            Tag::S => "S",
        }
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a set of spans cannot be written as one BIOES sequence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TagError {
    /// Two spans share a token; BIOES gives each token one tag, so only one of them fits.
    #[error("spans {first:?} and {second:?} overlap")]
    Overlap {
        /// The earlier span.
        first: Span,
        /// The span that overlaps it.
        second: Span,
    },
    /// A span is empty or reaches past the end of the sentence.
    #[error("span {span:?} is empty or outside a sentence of {len} tokens")]
    OutOfRange {
        /// The span.
        span: Span,
        /// The sentence length.
        len: usize,
    },
}

/// Writes `spans` as BIOES tags over `len` tokens.
///
/// Spans may come in any order and repeated spans are fine; spans that share a token are an error,
/// because no tag sequence can express both (see [`resolve_overlaps`] for the rule the data readers
/// use instead).
pub fn encode_bioes(len: usize, spans: &[Span]) -> Result<Vec<Tag>, TagError> {
    let mut sorted: Vec<Span> = spans.to_vec();
    sorted.sort();
    sorted.dedup();
    for span in &sorted {
        if span.start >= span.end || span.end > len {
            return Err(TagError::OutOfRange { span: *span, len });
        }
    }
    for pair in sorted.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(TagError::Overlap {
                first: pair[0],
                second: pair[1],
            });
        }
    }
    Ok(write_tags(len, &sorted))
}

/// Writes tags for spans already known to be in range and disjoint.
pub(crate) fn write_tags(len: usize, spans: &[Span]) -> Vec<Tag> {
    let mut tags = vec![Tag::O; len];
    for span in spans {
        if span.start >= span.end || span.end > len {
            continue;
        }
        if span.end - span.start == 1 {
            tags[span.start] = Tag::S;
        } else {
            tags[span.start] = Tag::B;
            for tag in &mut tags[span.start + 1..span.end - 1] {
                *tag = Tag::I;
            }
            tags[span.end - 1] = Tag::E;
        }
    }
    tags
}

/// Chooses which of several overlapping gold spans get BIOES tags, and returns the rest.
///
/// Rule: longer spans win, and among spans of equal length the earlier one wins. A longer span
/// carries more of the entity's text, and for nested entities (e.g. "Serie B League" around
/// "B League") it is the outer mention that the tag scheme can express. Returned spans are
/// `(kept, dropped)`, both sorted. Empty or out-of-range spans are dropped too.
pub fn resolve_overlaps(len: usize, spans: &[Span]) -> (Vec<Span>, Vec<Span>) {
    let mut candidates: Vec<Span> = spans.to_vec();
    candidates.sort();
    candidates.dedup();
    candidates.sort_by_key(|s| (std::cmp::Reverse(s.end.saturating_sub(s.start)), s.start));
    let mut taken = vec![false; len];
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for span in candidates {
        let valid = span.start < span.end && span.end <= len;
        if valid && !taken[span.start..span.end].iter().any(|&t| t) {
            taken[span.start..span.end]
                .iter_mut()
                .for_each(|t| *t = true);
            kept.push(span);
        } else {
            dropped.push(span);
        }
    }
    kept.sort();
    dropped.sort();
    (kept, dropped)
}

/// Reads entity spans from a tag sequence, left to right (MODEL.md, "Decoding: Entities").
///
/// S gives `[i, i+1)`; B opens a span at i; E closes an open span as `[start, i+1)`; I continues an
/// open span; O drops it. Invalid sequences are read leniently rather than rejected, because they are
/// ordinary model output: an I or E with no open span is ignored, a B or S while a span is open
/// drops the open span, and a span still open at the end is dropped.
pub fn decode_bioes(tags: &[Tag]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    for (i, tag) in tags.iter().enumerate() {
        match tag {
            Tag::O => open = None,
            Tag::B => open = Some(i),
            Tag::I => {}
            Tag::E => {
                if let Some(start) = open.take() {
                    spans.push(Span { start, end: i + 1 });
                }
            }
            Tag::S => {
                open = None;
                spans.push(Span {
                    start: i,
                    end: i + 1,
                });
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests;
