//! The `perceptron` tagger plugin: an averaged-perceptron Penn Treebank part-of-speech tagger.
//!
//! It is trained by `train-perceptron` (in this crate) on UD English EWT train and CoNLL-2000
//! train from `../shared/pos`; the weights, about a few MB gzipped, are embedded in the library
//! (`data/weights.bin.gz`), so the plugin is one self-contained file. The tag set (`ptb`) is the
//! Penn Treebank's as UD writes it in its XPOS column: the 45 PTB tags with `-LRB-`/`-RRB-`, plus
//! UD's `ADD`, `AFX`, `GW`, `HYPH`, `NFP` and `XX`.
//!
//! The same code is usable as a Rust library:
//!
//! ```
//! use rin_plugin_perceptron::PerceptronTagger;
//! use rin_plugin_sdk::Tagger;
//!
//! let tagger = PerceptronTagger::init().unwrap();
//! let tags = tagger.tag_to_strings(&["Rome", "is", "the", "capital", "of", "Italy", "."]).unwrap();
//! assert_eq!(tags, ["NNP", "VBZ", "DT", "NN", "IN", "NNP", "."]);
//! ```

pub mod corpus;
mod features;
pub mod model;
pub mod train;

use rin_plugin_sdk::{export_tagger, Metadata, PluginError, Tagger, Tagset};

pub use model::Model;

/// Name of this tagger's tagset.
pub const TAGSET: &str = "ptb";

/// The shipped weights (see [`Model::write`] for the format).
pub static WEIGHTS: &[u8] = include_bytes!("../data/weights.bin.gz");

/// The averaged-perceptron tagger with its shipped weights.
#[derive(Clone, Debug)]
pub struct PerceptronTagger {
    model: Model,
    tagset: Tagset,
}

impl PerceptronTagger {
    /// A tagger using `model` instead of the shipped weights.
    pub fn with_model(model: Model) -> Self {
        let tagset = Tagset::new(TAGSET, model.classes().iter().cloned());
        PerceptronTagger { model, tagset }
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }
}

impl Tagger for PerceptronTagger {
    fn init() -> Result<Self, PluginError> {
        if WEIGHTS.is_empty() {
            return Err(PluginError::new(
                "this build has no weights: run `cargo run -p rin-plugin-perceptron --release --bin train-perceptron`",
            ));
        }
        let model = Model::read(WEIGHTS).map_err(PluginError::new)?;
        Ok(PerceptronTagger::with_model(model))
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "perceptron",
            version: env!("CARGO_PKG_VERSION"),
            description: "averaged-perceptron PTB tagger trained on UD EWT + CoNLL-2000",
        }
    }

    fn tagset(&self) -> &Tagset {
        &self.tagset
    }

    fn tag(&self, tokens: &[&str], tags: &mut Vec<u32>) -> Result<(), PluginError> {
        tags.extend(self.model.tag_ids(tokens).into_iter().map(u32::from));
        Ok(())
    }
}

export_tagger!(PerceptronTagger);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_weights_load_and_tag() {
        let tagger = PerceptronTagger::init().unwrap();
        assert_eq!(tagger.tagset().name(), TAGSET);
        for tag in ["NN", "NNP", "VBZ", "-LRB-", "HYPH", "``"] {
            assert!(tagger.tagset().id(tag).is_some(), "{tag}");
        }
        let words = [
            "He", "did", "n't", "buy", "23,900", "shares", "of", "A.C.", "Milan", ".",
        ];
        let tags = tagger.tag_to_strings(&words).unwrap();
        assert_eq!(
            tags,
            ["PRP", "VBD", "RB", "VB", "CD", "NNS", "IN", "NNP", "NNP", "."]
        );
        assert!(tagger.tag_to_strings(&[]).unwrap().is_empty());
        // Any UTF-8 is fine.
        assert_eq!(tagger.tag_to_strings(&["東京", "😀", ""]).unwrap().len(), 3);
    }
}
