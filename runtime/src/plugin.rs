//! Tokenizer and tagger plugins for the runtime: loading them from the configured plugin
//! directory, and the tagset check between a tagger and a model.
//!
//! Loading a plugin runs a shared library's code, so rin-plugin-host makes it an `unsafe fn`. The
//! runtime keeps that promise in one place: it loads only from the plugin directory the user
//! configured (`--plugin-dir`, `RIN_PLUGIN_DIR`, or the folder of the `rin` executable) or from
//! an explicit library path given on the command line, both of which the user chose to trust.

use std::collections::BTreeSet;
use std::path::Path;

use rin_core::checkpoint::choose_tagger;
use rin_plugin_host::{PluginDir, PluginListing, Segmenter, Tagger, TaggerInfo, Tokenizer};

use crate::error::{Error, Result};
use crate::model::Model;

/// The tagger used for raw text when the model's POS tags came from a data set (no plugin).
pub const DEFAULT_TAGGER: &str = "perceptron";
/// The tokenizer used when the model's training data came pre-tokenized.
pub const DEFAULT_TOKENIZER: &str = "english";

/// The plugin directory in use.
#[derive(Debug, Clone)]
pub struct Plugins {
    dir: PluginDir,
}

impl Plugins {
    /// The plugin directory: `explicit` (`--plugin-dir`), else `$RIN_PLUGIN_DIR`, else next to
    /// the executable.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        Ok(Plugins {
            dir: PluginDir::resolve(explicit)?,
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Loads the tokenizer `spec` (a name in the directory, or a library path).
    #[allow(unsafe_code)]
    pub fn tokenizer(&self, spec: &str) -> Result<Tokenizer> {
        // SAFETY: plugins come only from the user-configured plugin directory or a path the user
        // gave explicitly; both are trusted code by the CLI's documented contract.
        Ok(unsafe { self.dir.tokenizer(spec) }?)
    }

    /// Loads the tagger `spec` (a name in the directory, or a library path).
    #[allow(unsafe_code)]
    pub fn tagger(&self, spec: &str) -> Result<Tagger> {
        // SAFETY: as for `tokenizer`: the user configured the directory or gave the path.
        Ok(unsafe { self.dir.tagger(spec) }?)
    }

    /// Loads the sentence segmenter `spec` (a name in the directory, or a library path).
    #[allow(unsafe_code)]
    pub fn segmenter(&self, spec: &str) -> Result<Segmenter> {
        // SAFETY: as for `tokenizer`: the user configured the directory or gave the path.
        Ok(unsafe { self.dir.segmenter(spec) }?)
    }

    /// Describes every plugin library in the directory (each is loaded).
    #[allow(unsafe_code)]
    pub fn list(&self) -> Result<Vec<Result<PluginListing, rin_plugin_host::Error>>> {
        // SAFETY: as for `tokenizer`: every library in the configured directory is trusted.
        Ok(unsafe { self.dir.list() }?)
    }
}

/// The name of the tokenizer to use for `model`: `requested`, else the one the manifest names,
/// else [`DEFAULT_TOKENIZER`] (when the training data came pre-tokenized).
pub fn tokenizer_name<'a>(model: &'a Model, requested: Option<&'a str>) -> &'a str {
    requested
        .or(model.tokenizer_plugin())
        .unwrap_or(DEFAULT_TOKENIZER)
}

/// The name of the tagger to use for `model`: `requested`, else the plugin that tagged the
/// training data, else [`DEFAULT_TAGGER`] (rin-core's [`choose_tagger`], the trainer's rule too).
/// `None` when the model reads no POS.
pub fn tagger_name<'a>(model: &'a Model, requested: Option<&'a str>) -> Option<&'a str> {
    choose_tagger(
        model.manifest().manifest.pos.as_ref(),
        requested,
        DEFAULT_TAGGER,
    )
}

pub use rin_core::pos::normalize_tag;

/// Canonical tag set names: `ptb` and `penn-treebank` are the same tag set.
fn canonical_tagset(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "ptb" | "penn-treebank" | "penn_treebank" | "penntreebank" => "penn-treebank".into(),
        other => other.to_owned(),
    }
}

/// Checks that `tagger` produces the tag set `model` was trained on.
///
/// The tag sets differ when their names differ (`ptb` and `penn-treebank` are one name) or when
/// fewer than half of the tagger's tags are known to the model. Tags the model does not know map
/// to UNK; a few such tags (e.g. UD's `HYPH` from a PTB tagger) are logged, not refused. With
/// `allow_mismatch`, a difference is a warning instead of an error.
pub fn check_tagger(model: &Model, tagger: &TaggerInfo, allow_mismatch: bool) -> Result<()> {
    let (Some(pos), Some(model_tagset)) = (model.pos(), model.pos_tagset()) else {
        return Ok(());
    };
    let known: BTreeSet<&str> = pos.tokens().iter().skip(2).map(String::as_str).collect();
    let produced: BTreeSet<&str> = tagger.tags.iter().map(|t| normalize_tag(t)).collect();
    let unknown: Vec<&str> = produced.difference(&known).copied().collect();
    let mut details = Vec::new();
    if canonical_tagset(model_tagset) != canonical_tagset(&tagger.tagset) {
        details.push(format!(
            "tagset `{}` is not `{model_tagset}`",
            tagger.tagset
        ));
    }
    if unknown.len() * 2 > produced.len() {
        details.push(format!(
            "{} of its {} tags are unknown to the model: {}",
            unknown.len(),
            produced.len(),
            preview(&unknown)
        ));
    }
    let model_desc = format!(
        "tagset `{model_tagset}` ({} tags, from {})",
        known.len(),
        model.pos_source().unwrap_or_else(|| "unknown".into())
    );
    let tagger_desc = format!(
        "tagger `{}` {} with tagset `{}` ({} tags)",
        tagger.name,
        tagger.version,
        tagger.tagset,
        tagger.tags.len()
    );
    if details.is_empty() {
        if !unknown.is_empty() {
            tracing::info!(
                tagger = %tagger.name,
                "{} tags of the tagger are unknown to the model and read as UNK: {}",
                unknown.len(),
                preview(&unknown)
            );
        }
        if let Some(plugin) = model.pos_plugin() {
            if plugin != tagger.name {
                tracing::warn!(
                    "the model's POS tags came from tagger `{plugin}`, `{}` is used (same tag set)",
                    tagger.name
                );
            }
        }
        return Ok(());
    }
    let details = details.join("; ");
    if allow_mismatch {
        tracing::warn!("tagset mismatch accepted by --allow-tagset-mismatch: the model expects {model_desc}, {tagger_desc} is loaded ({details})");
        return Ok(());
    }
    Err(Error::TagsetMismatch {
        model: model_desc,
        tagger: tagger_desc,
        details,
    })
}

fn preview(tags: &[&str]) -> String {
    let mut s: Vec<String> = tags.iter().take(8).map(|t| format!("`{t}`")).collect();
    if tags.len() > 8 {
        s.push("...".into());
    }
    s.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_are_normalised_like_the_trainer() {
        assert_eq!(normalize_tag("("), "-LRB-");
        assert_eq!(normalize_tag("-RSB-"), "-RRB-");
        assert_eq!(normalize_tag("NN"), "NN");
    }

    #[test]
    fn ptb_aliases_are_one_tagset() {
        assert_eq!(canonical_tagset("ptb"), canonical_tagset("penn-treebank"));
        assert_ne!(canonical_tagset("none"), canonical_tagset("ptb"));
    }
}
