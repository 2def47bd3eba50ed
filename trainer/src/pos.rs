//! POS tags: the fixed Penn Treebank tag set, tag normalisation, and where tags come from.
//!
//! WebNLG (exact, JointER format) ships Stanford tags; WebNLG* (CasRel format) ships none, so its
//! sentences are tagged by a tagger plugin. The checkpoint records which source produced the tags
//! the model was trained on, so that evaluation and serving use the same one.

use std::path::Path;

use rin_core::Dataset;

use crate::error::{Error, Result};

pub use rin_core::pos::{normalize_tag, pos_vocab, PENN_TAGS, TAGSET};

pub use rin_core::checkpoint::PosSource;

/// A POS tagger for pre-tokenized sentences.
pub trait SentenceTagger {
    /// Describes the tagger for the checkpoint.
    fn source(&self) -> PosSource;
    /// One Penn Treebank tag per token.
    fn tag(&mut self, tokens: &[String]) -> Result<Vec<String>>;
}

/// A tagger plugin loaded through rin-plugin-host.
struct PluginTagger(rin_plugin_host::Tagger);

impl SentenceTagger for PluginTagger {
    fn source(&self) -> PosSource {
        let info = self.0.info();
        PosSource::Plugin {
            name: info.name.clone(),
            version: info.version.clone(),
            tagset: info.tagset.clone(),
            tags: info.tags.clone(),
        }
    }

    fn tag(&mut self, tokens: &[String]) -> Result<Vec<String>> {
        self.0.tag(tokens).map_err(|source| Error::PosTagger {
            tagger: self.0.info().name.clone(),
            source: Box::new(source),
        })
    }
}

/// Loads the tagger plugin `name` (or a library path) from `plugin_dir`, else `$RIN_PLUGIN_DIR`,
/// else the folder of the running executable (where `cargo build` puts the plugins).
///
/// Loading a plugin runs a shared library's code, hence rin-plugin-host's `unsafe fn`; the
/// trainer keeps that promise here only: it loads from the plugin directory the user configured
/// or from a path given on the command line, which the user chose to trust.
#[allow(unsafe_code)]
pub fn load_tagger(name: &str, plugin_dir: Option<&Path>) -> Result<Box<dyn SentenceTagger>> {
    let wrap = |source| Error::PosTagger {
        tagger: name.to_owned(),
        source: Box::new(source),
    };
    let dir = rin_plugin_host::PluginDir::resolve(plugin_dir).map_err(wrap)?;
    // SAFETY: plugins come only from the user-configured plugin directory or a path the user gave
    // explicitly; both are trusted code by the CLI's documented contract.
    let tagger = unsafe { dir.tagger(name) }.map_err(wrap)?;
    tracing::info!(tagger = %tagger.info(), "POS tagger plugin loaded");
    Ok(Box::new(PluginTagger(tagger)))
}

/// Whether some sentence of `dataset` lacks POS tags (or has the wrong number).
pub fn needs_tagger(dataset: &Dataset) -> bool {
    dataset
        .sentences
        .iter()
        .any(|s| s.pos_tags.as_ref().is_none_or(|t| t.len() != s.len()))
}

/// Gives every sentence of `dataset` normalised POS tags: the data's own where every sentence has
/// them, else the tagger's (for every sentence, so that one split is tagged one way). Returns the
/// source used, or `None` for an empty data set. Without a tagger, a data set lacking tags fails.
pub fn attach_pos(
    dataset: &mut Dataset,
    tagger: Option<&mut (dyn SentenceTagger + '_)>,
) -> Result<Option<PosSource>> {
    if dataset.sentences.is_empty() {
        return Ok(None);
    }
    if !needs_tagger(dataset) {
        for s in &mut dataset.sentences {
            if let Some(tags) = &mut s.pos_tags {
                for t in tags.iter_mut() {
                    *t = normalize_tag(t).to_owned();
                }
            }
        }
        return Ok(Some(PosSource::Dataset {
            tagger: "shipped with the data (WebNLG: Stanford CoreNLP)".into(),
        }));
    }
    let Some(tagger) = tagger else {
        return Err(Error::Setting {
            name: "--pos-tagger",
            reason: "data without POS tags needs a tagger".into(),
        });
    };
    for s in &mut dataset.sentences {
        let tags = tagger.tag(&s.tokens)?;
        s.pos_tags = Some(tags.iter().map(|t| normalize_tag(t).to_owned()).collect());
    }
    Ok(Some(tagger.source()))
}

/// Tags `dataset` where needed, loading the tagger `name` only if some sentence lacks tags.
pub fn tag_where_needed(
    dataset: &mut Dataset,
    name: &str,
    plugin_dir: Option<&Path>,
) -> Result<Option<PosSource>> {
    let mut tagger = if needs_tagger(dataset) {
        Some(load_tagger(name, plugin_dir)?)
    } else {
        None
    };
    attach_pos(dataset, tagger.as_deref_mut())
}

/// Removes every POS tag (for models without POS input), so that batches carry UNK ids that the
/// model ignores.
pub fn strip_pos(dataset: &mut Dataset) {
    for s in &mut dataset.sentences {
        s.pos_tags = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagset_has_45_distinct_tags_after_pad_and_unk() {
        let vocab = pos_vocab();
        assert_eq!(vocab.len(), 47);
        assert_eq!(vocab.id("CC"), 2);
        assert_eq!(vocab.id("-LRB-"), vocab.id(normalize_tag("(")));
        assert_eq!(vocab.id("XYZ"), rin_core::UNK);
    }
}
