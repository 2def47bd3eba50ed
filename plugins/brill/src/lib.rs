//! The `brill` tagger plugin: Eric Brill's rule-based part-of-speech tagger, with the lexicon,
//! lexical (morphological) rules and contextual rules that textblob and Pattern ship
//! (`data/`, see `data/ATTRIBUTION`).
//!
//! The algorithm follows Pattern's `find_tags` for English without a language model:
//!
//! 1. a known word takes its lexicon tag (the first word of a sentence is also looked up
//!    lowercased);
//! 2. an unknown word is `NNP` if it is title-cased, `CD` if it is made of digits and `-,.:/%$`,
//!    otherwise `NN` rewritten by the lexical rules (suffixes, prefixes, neighbours);
//! 3. the contextual rules then rewrite tags from their neighbours' tags and words.
//!
//! Tags are the 45 of the Penn Treebank, brackets written `-LRB-`/`-RRB-` as in CoreNLP; the few
//! lexicon entries with other tags (Brown's `NP`, `PP`; `"`) are mapped to them.
//!
//! ```
//! use rin_plugin_brill::BrillTagger;
//! use rin_plugin_sdk::Tagger;
//!
//! let tagger = BrillTagger::init().unwrap();
//! let tags = tagger.tag_to_strings(&["Rome", "is", "the", "capital", "of", "Italy", "."]).unwrap();
//! assert_eq!(tags, ["NNP", "VBZ", "DT", "NN", "IN", "NNP", "."]);
//! ```

mod rules;

use std::collections::HashMap;

use rin_plugin_sdk::{export_tagger, Metadata, PluginError, Tagger, Tagset};

use rules::{ContextRule, MorphologyRule};

/// Name of this tagger's tagset.
pub const TAGSET: &str = "ptb";

/// The 45 Penn Treebank tags.
pub const PTB_TAGS: [&str; 45] = [
    "#", "$", "''", ",", "-LRB-", "-RRB-", ".", ":", "CC", "CD", "DT", "EX", "FW", "IN", "JJ",
    "JJR", "JJS", "LS", "MD", "NN", "NNP", "NNPS", "NNS", "PDT", "POS", "PRP", "PRP$", "RB", "RBR",
    "RBS", "RP", "SYM", "TO", "UH", "VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "WDT", "WP", "WP$",
    "WRB", "``",
];

const LEXICON: &str = include_str!("../data/en-lexicon.txt");
const MORPHOLOGY: &str = include_str!("../data/en-morphology.txt");
const CONTEXT: &str = include_str!("../data/en-context.txt");

/// Id of `tag` in [`PTB_TAGS`], after mapping the data's non-PTB spellings; `None` for tags that
/// are not Penn Treebank tags.
pub(crate) fn tag_id(tag: &str) -> Option<u8> {
    let tag = tag.split('|').next().unwrap_or(tag);
    let tag = match tag {
        "NP" => "NNP",
        "NPS" => "NNPS",
        "PP" => "PRP",
        "PP$" => "PRP$",
        "(" => "-LRB-",
        ")" => "-RRB-",
        "\"" => "''",
        other => other,
    };
    PTB_TAGS.iter().position(|&t| t == tag).map(|i| i as u8)
}

/// Lines of a Pattern data file, without comments and blank lines.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with(";;;"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| !f.is_empty())
}

/// Brill's tagger with textblob's English data.
#[derive(Clone, Debug)]
pub struct BrillTagger {
    lexicon: HashMap<String, u8>,
    morphology: Vec<MorphologyRule>,
    context: Vec<ContextRule>,
    tagset: Tagset,
}

impl BrillTagger {
    /// The tag id of each token of one sentence (ids index [`PTB_TAGS`]).
    pub fn tag_ids<S: AsRef<str>>(&self, words: &[S]) -> Vec<u8> {
        let words: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
        let mut tags: Vec<Option<u8>> = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                self.lexicon.get(*w).copied().or_else(|| {
                    if i == 0 {
                        self.lexicon.get(&w.to_lowercase()).copied()
                    } else {
                        None
                    }
                })
            })
            .collect();
        let nn = tag_id("NN").unwrap_or_default();
        for i in 0..words.len() {
            if tags[i].is_some() {
                continue;
            }
            let w = words[i];
            let tag = if is_title(w) {
                tag_id("NNP")
            } else if is_cardinal(w) {
                tag_id("CD")
            } else {
                let previous = if i > 0 { Some(words[i - 1]) } else { None };
                let next = words.get(i + 1).copied();
                Some(rules::apply_morphology(
                    &self.morphology,
                    w,
                    nn,
                    previous,
                    next,
                    &self.lexicon,
                ))
            };
            tags[i] = tag;
        }
        let tags: Vec<u8> = tags.into_iter().map(|t| t.unwrap_or(nn)).collect();
        rules::apply_context(&self.context, &words, tags)
    }
}

/// Python's `str.istitle`: cased characters, each uppercase one after an uncased character and
/// each lowercase one after a cased character.
fn is_title(word: &str) -> bool {
    let mut cased = false;
    let mut previous_cased = false;
    for c in word.chars() {
        if c.is_uppercase() {
            if previous_cased {
                return false;
            }
            previous_cased = true;
            cased = true;
        } else if c.is_lowercase() {
            if !previous_cased {
                return false;
            }
            previous_cased = true;
            cased = true;
        } else {
            previous_cased = false;
        }
    }
    cased
}

/// Pattern's `CD` pattern: `^[0-9\-\,\.\:\/\%\$]+$`.
fn is_cardinal(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-,.:/%$".contains(&b))
}

impl Tagger for BrillTagger {
    fn init() -> Result<Self, PluginError> {
        let mut lexicon = HashMap::with_capacity(100_000);
        for fields in data_lines(LEXICON) {
            if let [word, tag, ..] = fields[..] {
                if let Some(id) = tag_id(tag) {
                    lexicon.insert(word.to_owned(), id);
                }
            }
        }
        Ok(BrillTagger {
            lexicon,
            morphology: rules::parse_morphology(MORPHOLOGY),
            context: rules::parse_context(CONTEXT),
            tagset: Tagset::new(TAGSET, PTB_TAGS),
        })
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "brill",
            version: env!("CARGO_PKG_VERSION"),
            description: "Brill's rule-based PTB tagger (lexicon and rules from textblob/Pattern)",
        }
    }

    fn tagset(&self) -> &Tagset {
        &self.tagset
    }

    fn tag(&self, tokens: &[&str], tags: &mut Vec<u32>) -> Result<(), PluginError> {
        tags.extend(self.tag_ids(tokens).into_iter().map(u32::from));
        Ok(())
    }
}

export_tagger!(BrillTagger);

#[cfg(test)]
mod tests;
