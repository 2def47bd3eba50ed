//! Token spans: what entities, BIOES tag runs and triples are anchored on.

use serde::{Deserialize, Serialize};

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
