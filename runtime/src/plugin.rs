//! Tokenizer and tagger plugins for the runtime: loading them from the configured plugin
//! directory, and the tagset check between a tagger and a model.
//!
//! Loading a plugin runs a shared library's code, so rin-plugin-host makes it an `unsafe fn`. The
//! runtime keeps that promise in one place: it loads only from the plugin directory the user
//! configured (`--plugin-dir`, `RIN_PLUGIN_DIR`, or the folder of the `rin` executable) or from
//! an explicit library path given on the command line, both of which the user chose to trust.

use std::path::Path;

use rin_core::checkpoint::{choose_tagger, PosSource};
use rin_plugin_host::{
    check_tagset, ModelTagset, PluginDir, PluginListing, Segmenter, Tagger, TaggerInfo, Tokenizer,
};

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

/// Checks that `tagger` produces the tag set `model` was trained on, with rin-plugin-host's
/// [`check_tagset`] (the one rule: same tag-set name up to aliases such as `ptb` and
/// `penn-treebank`, and at least half of the tagger's tags, spelled as the model spells them,
/// known to the model; another plugin of the same tag set is only logged). With
/// `allow_mismatch` (`--allow-tagset-mismatch`), a difference is a warning instead of an error.
pub fn check_tagger(model: &Model, tagger: &TaggerInfo, allow_mismatch: bool) -> Result<()> {
    let (Some(vocab), Some(pos)) = (model.pos(), model.manifest().manifest.pos.as_ref()) else {
        return Ok(());
    };
    let trained_with = match &pos.source {
        Some(PosSource::Plugin { name, version, .. }) => Some((name.as_str(), version.as_str())),
        _ => None,
    };
    let expected = ModelTagset {
        name: &pos.tagset,
        tags: vocab.tokens().iter().skip(2).map(String::as_str).collect(),
        trained_with,
        source: model.pos_source().unwrap_or_else(|| "unknown".into()),
        normalize: normalize_tag,
    };
    check_tagset(&expected, tagger, allow_mismatch).map_err(|e| match e {
        rin_plugin_host::Error::TagsetMismatch {
            model,
            tagger,
            details,
        } => Error::TagsetMismatch {
            model,
            tagger: tagger.to_string(),
            details,
        },
        other => other.into(),
    })
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
}
