//! The `whitespace` tokenizer plugin: a token is a maximal run of non-whitespace characters.
//!
//! This is how the WebNLG and NYT datasets are tokenized (their text is the tokens joined by
//! spaces), so a model trained on them sees the same tokens at inference. Whitespace is Unicode
//! whitespace ([`char::is_whitespace`]), so the offsets are exact on any UTF-8 input.
//!
//! ```
//! use rin_plugin_sdk::Tokenizer;
//! use rin_plugin_whitespace::WhitespaceTokenizer;
//!
//! let tokenizer = WhitespaceTokenizer;
//! assert_eq!(tokenizer.tokenize_to_strs(" A.C. Cesena ,\tItaly ").unwrap(), ["A.C.", "Cesena", ",", "Italy"]);
//! ```

use rin_plugin_sdk::{export_tokenizer, Metadata, PluginError, Span, Tokenizer};

/// Splits text on Unicode whitespace.
#[derive(Clone, Copy, Debug, Default)]
pub struct WhitespaceTokenizer;

/// Appends the spans of the whitespace-separated tokens of `text` to `spans`.
pub fn split_whitespace(text: &str, spans: &mut Vec<Span>) {
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push(Span { start: s, end: i });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(Span {
            start: s,
            end: text.len(),
        });
    }
}

impl Tokenizer for WhitespaceTokenizer {
    fn init() -> Result<Self, PluginError> {
        Ok(WhitespaceTokenizer)
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "whitespace",
            version: env!("CARGO_PKG_VERSION"),
            description: "splits on Unicode whitespace (the datasets' tokenization)",
        }
    }

    fn tokenize(&self, text: &str, spans: &mut Vec<Span>) -> Result<(), PluginError> {
        split_whitespace(text, spans);
        Ok(())
    }
}

export_tokenizer!(WhitespaceTokenizer);

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<&str> {
        WhitespaceTokenizer.tokenize_to_strs(text).unwrap()
    }

    #[test]
    fn splits_on_any_unicode_whitespace() {
        assert_eq!(tokens("a\u{3000}b\u{a0}c\n\nd"), ["a", "b", "c", "d"]);
        assert!(tokens("").is_empty());
        assert!(tokens(" \t ").is_empty());
    }

    #[test]
    fn offsets_slice_back_on_multibyte_text() {
        let text = "Café 東京 👩‍👩‍👧 naïve";
        let mut spans = Vec::new();
        split_whitespace(text, &mut spans);
        let got: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, ["Café", "東京", "👩‍👩‍👧", "naïve"]);
    }

    mod random {
        use proptest::prelude::*;
        use rin_plugin_sdk::testing::{check_tokenizer, AWKWARD_CHARS};

        use crate::WhitespaceTokenizer;

        fn text() -> impl Strategy<Value = String> {
            let piece = prop_oneof![any::<char>(), prop::sample::select(AWKWARD_CHARS),];
            prop::collection::vec(piece, 0..40).prop_map(String::from_iter)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn offsets_hold_on_arbitrary_utf8(s in text()) {
                prop_assert_eq!(check_tokenizer(&WhitespaceTokenizer, &s), Ok(()));
            }
        }
    }
}
