//! Template of a rin plugin: a tokenizer and a tagger in one library.
//!
//! A library may export one tokenizer and one tagger; most export just one. Build it with
//! `cargo build --release`, copy `target/release/librin_plugin_template.so` into rin's plugin
//! directory (`--plugin-dir`, `$RIN_PLUGIN_DIR`, or next to the `rin` executable), and select it
//! with `--tokenizer template` / `--tagger template`; `rin plugins list` shows it.
//!
//! Rules the SDK enforces for you: panics and errors never cross into rin (they become error
//! messages), and results go back through rin's callbacks. Rules you keep: token spans are byte
//! offsets into the text, in order, on char boundaries; tag indices point into your tagset; the
//! same input gives the same output; and bump `version` whenever the output may change, since
//! models record the tagger they were trained with.

use rin_plugin_sdk::{
    export_tagger, export_tokenizer, Metadata, PluginError, Span, Tagger, Tagset, Tokenizer,
};

/// Splits on whitespace and splits off trailing punctuation: `Hello, world!` → `Hello` `,`
/// `world` `!`.
pub struct TemplateTokenizer;

impl Tokenizer for TemplateTokenizer {
    fn init() -> Result<Self, PluginError> {
        Ok(TemplateTokenizer)
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "template",
            version: env!("CARGO_PKG_VERSION"),
            description: "template tokenizer: whitespace, then trailing punctuation",
        }
    }

    fn tokenize(&self, text: &str, spans: &mut Vec<Span>) -> Result<(), PluginError> {
        let mut offset = 0;
        for piece in text.split_inclusive(char::is_whitespace) {
            let word = piece.trim_end();
            let core = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
            if !core.is_empty() {
                spans.push(Span {
                    start: offset,
                    end: offset + core.len(),
                });
            }
            // Each trailing punctuation character is a token (ASCII, so one byte each).
            for i in core.len()..word.len() {
                spans.push(Span {
                    start: offset + i,
                    end: offset + i + 1,
                });
            }
            offset += piece.len();
        }
        Ok(())
    }
}

/// Guesses Penn Treebank tags from the shape of each word.
pub struct TemplateTagger {
    tagset: Tagset,
}

impl Tagger for TemplateTagger {
    fn init() -> Result<Self, PluginError> {
        // Load weights here (e.g. `include_bytes!` a file under data/), failing with a message.
        Ok(TemplateTagger {
            tagset: Tagset::new("ptb", ["NN", "NNP", "NNS", "CD", "VBG", "RB", "."]),
        })
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "template",
            version: env!("CARGO_PKG_VERSION"),
            description: "template tagger: guesses tags from word shapes",
        }
    }

    fn tagset(&self) -> &Tagset {
        &self.tagset
    }

    fn tag(&self, tokens: &[&str], tags: &mut Vec<u32>) -> Result<(), PluginError> {
        for token in tokens {
            let tag = if token.chars().all(|c| c.is_ascii_punctuation()) && !token.is_empty() {
                "."
            } else if token.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                "CD"
            } else if token.chars().next().is_some_and(char::is_uppercase) {
                "NNP"
            } else if token.ends_with("ing") {
                "VBG"
            } else if token.ends_with("ly") {
                "RB"
            } else if token.ends_with('s') {
                "NNS"
            } else {
                "NN"
            };
            let id = self
                .tagset
                .id(tag)
                .ok_or_else(|| PluginError::new(format!("{tag} is not in the tagset")))?;
            tags.push(id);
        }
        Ok(())
    }
}

export_tokenizer!(TemplateTokenizer);
export_tagger!(TemplateTagger);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_and_tags() {
        let tokens = TemplateTokenizer
            .tokenize_to_strs("Rome, Italy: 2,870,500 people!")
            .unwrap();
        assert_eq!(
            tokens,
            ["Rome", ",", "Italy", ":", "2,870,500", "people", "!"]
        );
        let tagger = TemplateTagger::init().unwrap();
        let tags = tagger.tag_to_strings(&tokens).unwrap();
        assert_eq!(tags, ["NNP", ".", "NNP", ".", "CD", "NN", "."]);
    }
}
