//! What `rin extract` prints for one input: the text, its tokens, the entities and the triples,
//! with **character offsets**.
//!
//! Offsets count Unicode scalar values (Rust `char`s, Python `str` indices), half-open
//! `[start, end)`: `text.chars().skip(start).take(end - start)` is the mention. Tokenizer plugins
//! report byte offsets; they are converted here, once, and nowhere else.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use rin_core::{RelationSet, Span};

use crate::prediction::Prediction;

/// One token of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSpan {
    /// The token's text.
    pub text: String,
    /// Character offset of its first character.
    pub start: usize,
    /// Character offset one past its last character.
    pub end: usize,
}

/// An entity mention: a token span and the text it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The covered text, exactly as in the input (from the first token's start to the last
    /// token's end).
    pub text: String,
    /// Character offset of the first character.
    pub start: usize,
    /// Character offset one past the last character.
    pub end: usize,
    /// Token range `[first, last + 1)`.
    pub tokens: [usize; 2],
}

/// A relation between two mentions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedTriple {
    /// The subject. In partial-match models only its last word is predicted, so it is one token.
    pub subject: Mention,
    /// The relation's name.
    pub relation: String,
    /// The object (one token in partial-match models).
    pub object: Mention,
    /// The model's probability for this relation between the two mentions' last tokens.
    pub score: f32,
}

/// The result for one input text: one JSON line of `rin extract`'s output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// The input text.
    pub text: String,
    /// Its tokens.
    pub tokens: Vec<TokenSpan>,
    /// Entity mentions decoded from the tags.
    pub entities: Vec<Mention>,
    /// Triples.
    pub triples: Vec<ExtractedTriple>,
    /// The sentences the segmenter found, as character offsets `[start, end)` into `text`
    /// (absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentences: Vec<[usize; 2]>,
}

impl Extraction {
    /// The result for an empty (or all-whitespace) text.
    pub fn empty(text: String) -> Self {
        Extraction {
            text,
            tokens: Vec::new(),
            entities: Vec::new(),
            triples: Vec::new(),
            sentences: Vec::new(),
        }
    }

    /// Adds the sentences at `byte_ranges` of the text, as character offsets.
    pub fn with_sentences(mut self, byte_ranges: &[Range<usize>]) -> Self {
        let chars = CharOffsets::new(&self.text, byte_ranges);
        self.sentences = chars
            .start
            .into_iter()
            .zip(chars.end)
            .map(|(a, b)| [a, b])
            .collect();
        self
    }

    /// Builds the result from the text, its tokens' byte ranges and the model's prediction.
    pub fn new(
        text: String,
        byte_spans: &[Range<usize>],
        prediction: &Prediction,
        relations: &RelationSet,
    ) -> Self {
        let chars = CharOffsets::new(&text, byte_spans);
        let mention = |span: Span| -> Mention {
            let bytes = byte_spans[span.start].start..byte_spans[span.last()].end;
            Mention {
                text: text[bytes.clone()].to_owned(),
                start: chars.start[span.start],
                end: chars.end[span.last()],
                tokens: [span.start, span.end],
            }
        };
        let tokens = byte_spans
            .iter()
            .enumerate()
            .map(|(i, r)| TokenSpan {
                text: text[r.clone()].to_owned(),
                start: chars.start[i],
                end: chars.end[i],
            })
            .collect();
        let entities = prediction.entities.iter().map(|&s| mention(s)).collect();
        let triples = prediction
            .triples
            .iter()
            .map(|t| ExtractedTriple {
                subject: mention(t.triple.subject),
                relation: relations.name(t.triple.relation).to_owned(),
                object: mention(t.triple.object),
                score: t.score,
            })
            .collect();
        Extraction {
            text,
            tokens,
            entities,
            triples,
            sentences: Vec::new(),
        }
    }
}

/// Character offsets of each token's start and end, computed in one pass over the text.
struct CharOffsets {
    start: Vec<usize>,
    end: Vec<usize>,
}

impl CharOffsets {
    fn new(text: &str, byte_spans: &[Range<usize>]) -> Self {
        // Byte offsets of interest, in increasing order (spans are ordered and non-overlapping).
        let mut start = Vec::with_capacity(byte_spans.len());
        let mut end = Vec::with_capacity(byte_spans.len());
        let mut chars_before = 0;
        let mut byte_pos = 0;
        let mut advance = |to: usize| {
            chars_before += text[byte_pos..to].chars().count();
            byte_pos = to;
            chars_before
        };
        for r in byte_spans {
            start.push(advance(r.start));
            end.push(advance(r.end));
        }
        CharOffsets { start, end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prediction::ScoredTriple;
    use rin_core::{Tag, Triple};

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "Zürich is in Schweiz".to_owned();
        let spans = [0..7, 8..10, 11..13, 14..21];
        let prediction = Prediction {
            tags: vec![Tag::S, Tag::O, Tag::O, Tag::S],
            entities: vec![Span::single(0), Span::single(3)],
            triples: vec![ScoredTriple {
                triple: Triple {
                    subject: Span::single(0),
                    relation: 0,
                    object: Span::single(3),
                },
                score: 0.75,
            }],
        };
        let relations = RelationSet::from_names(vec!["country".into()]);
        let e = Extraction::new(text.clone(), &spans, &prediction, &relations);
        assert_eq!(e.tokens[0].text, "Zürich");
        assert_eq!((e.tokens[0].start, e.tokens[0].end), (0, 6));
        assert_eq!((e.tokens[1].start, e.tokens[1].end), (7, 9));
        let object = &e.triples[0].object;
        assert_eq!(
            (object.start, object.end, object.text.as_str()),
            (13, 20, "Schweiz")
        );
        let chars: String = text
            .chars()
            .skip(object.start)
            .take(object.end - object.start)
            .collect();
        assert_eq!(chars, "Schweiz");
        assert_eq!(e.triples[0].relation, "country");
    }

    #[test]
    fn a_mention_covers_the_text_between_its_tokens() {
        let text = "New  York".to_owned();
        let spans = [0..3, 5..9];
        let prediction = Prediction {
            tags: vec![Tag::B, Tag::E],
            entities: vec![Span::new(0, 2)],
            triples: Vec::new(),
        };
        let e = Extraction::new(
            text,
            &spans,
            &prediction,
            &RelationSet::from_names(Vec::new()),
        );
        assert_eq!(e.entities[0].text, "New  York");
        assert_eq!(e.entities[0].tokens, [0, 2]);
    }
}
