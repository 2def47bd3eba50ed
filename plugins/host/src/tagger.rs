//! A part-of-speech tagger plugin, loaded and checked, and the tagset check.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ffi::{Callee, TaggerTable};
use crate::tokenizer::file_label;
use crate::PluginMetadata;

/// What identifies a tagger's output: record it with a model at training time, and check it with
/// [`check_tagset`] when the model is used.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaggerInfo {
    /// The tagger plugin's name, e.g. `perceptron`.
    pub name: String,
    /// The tagger plugin's version.
    pub version: String,
    /// The tagset's name, e.g. `ptb`.
    pub tagset: String,
    /// The tags, in the plugin's order.
    pub tags: Vec<String>,
}

impl fmt::Display for TaggerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tagger `{}` {} (tagset `{}`, {} tags)",
            self.name,
            self.version,
            self.tagset,
            self.tags.len()
        )
    }
}

/// A tagger plugin. Cheap to clone; safe to share between threads.
#[derive(Clone, Debug)]
pub struct Tagger {
    path: PathBuf,
    metadata: PluginMetadata,
    info: TaggerInfo,
    table: TaggerTable,
}

impl Tagger {
    /// Wraps a checked table, asking the plugin for its metadata and tagset.
    pub(crate) fn from_table(path: PathBuf, table: TaggerTable) -> Result<Self> {
        let file = file_label(&path);
        let metadata = table.metadata(&Callee {
            plugin: &file,
            path: &path,
        })?;
        let (tagset, tags) = table.tagset(&Callee {
            plugin: &metadata.name,
            path: &path,
        })?;
        let info = TaggerInfo {
            name: metadata.name.clone(),
            version: metadata.version.clone(),
            tagset,
            tags,
        };
        tracing::debug!(name = %info.name, version = %info.version, tagset = %info.tagset, path = %path.display(), "loaded tagger plugin");
        Ok(Tagger {
            path,
            metadata,
            info,
            table,
        })
    }

    /// The plugin's name, version and description.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// Name, version and tagset: what a model records and checks.
    pub fn info(&self) -> &TaggerInfo {
        &self.info
    }

    /// The library the plugin was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tag index (into `info().tags`) of each token of one sentence, checked against the
    /// tagset.
    pub fn tag_ids<S: AsRef<str>>(&self, tokens: &[S]) -> Result<Vec<u32>> {
        let callee = Callee {
            plugin: &self.info.name,
            path: &self.path,
        };
        let ids = self.table.tag(&callee, tokens)?;
        if let Some((index, &id)) = ids
            .iter()
            .enumerate()
            .find(|(_, &id)| id as usize >= self.info.tags.len())
        {
            return Err(Error::BadTag {
                plugin: self.info.name.clone(),
                path: self.path.clone(),
                index,
                id,
                tagset: self.info.tagset.clone(),
                tags: self.info.tags.len(),
            });
        }
        Ok(ids)
    }

    /// The tag of each token of one sentence.
    pub fn tag<S: AsRef<str>>(&self, tokens: &[S]) -> Result<Vec<String>> {
        Ok(self
            .tag_ids(tokens)?
            .into_iter()
            .map(|id| self.info.tags[id as usize].clone())
            .collect())
    }
}

/// Checks that the loaded tagger (`actual`) is the one a model was trained with (`expected`):
/// same plugin name, same tagset name, same set of tags.
///
/// With `allow_mismatch`, a difference is logged as a warning instead of being an error. A
/// different plugin version alone is only logged: the plugin's tags are the same, though the
/// tagging may have changed.
pub fn check_tagset(
    expected: &TaggerInfo,
    actual: &TaggerInfo,
    allow_mismatch: bool,
) -> Result<()> {
    let mut details = Vec::new();
    if expected.name != actual.name {
        details.push(format!(
            "tagger `{}` instead of `{}`",
            actual.name, expected.name
        ));
    }
    if expected.tagset != actual.tagset {
        details.push(format!(
            "tagset `{}` instead of `{}`",
            actual.tagset, expected.tagset
        ));
    }
    let want: BTreeSet<&str> = expected.tags.iter().map(String::as_str).collect();
    let have: BTreeSet<&str> = actual.tags.iter().map(String::as_str).collect();
    if want != have {
        let list = |set: Vec<&&str>| {
            set.iter()
                .take(8)
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let missing: Vec<_> = want.difference(&have).collect();
        let extra: Vec<_> = have.difference(&want).collect();
        let mut d = String::from("different tags");
        if !missing.is_empty() {
            d += &format!(", {} missing: {}", missing.len(), list(missing));
        }
        if !extra.is_empty() {
            d += &format!(", {} unknown to the model: {}", extra.len(), list(extra));
        }
        details.push(d);
    }
    if details.is_empty() {
        if expected.version != actual.version {
            tracing::warn!(
                expected = %expected.version,
                actual = %actual.version,
                tagger = %actual.name,
                "the tagger's version differs from the one the model was trained with"
            );
        }
        return Ok(());
    }
    let details = details.join("; ");
    if allow_mismatch {
        tracing::warn!(expected = %expected, actual = %actual, %details, "tagger mismatch accepted by override");
        return Ok(());
    }
    Err(Error::TaggerMismatch {
        expected: Box::new(expected.clone()),
        actual: Box::new(actual.clone()),
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, version: &str, tagset: &str, tags: &[&str]) -> TaggerInfo {
        TaggerInfo {
            name: name.into(),
            version: version.into(),
            tagset: tagset.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn same_tagger_passes_even_with_another_version_or_order() {
        let a = info("perceptron", "1", "ptb", &["NN", "VB"]);
        let b = info("perceptron", "2", "ptb", &["VB", "NN"]);
        check_tagset(&a, &b, false).unwrap();
    }

    #[test]
    fn mismatch_names_both_taggers() {
        let a = info("perceptron", "0.1.0", "ptb", &["NN", "VB", "HYPH"]);
        let b = info("brill", "0.1.0", "ptb", &["NN", "VB", "("]);
        let err = check_tagset(&a, &b, false).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::TaggerMismatch { .. }));
        assert!(
            msg.contains("tagger `perceptron` 0.1.0 (tagset `ptb`, 3 tags)"),
            "{msg}"
        );
        assert!(
            msg.contains("tagger `brill` 0.1.0 (tagset `ptb`, 3 tags) is loaded"),
            "{msg}"
        );
        assert!(msg.contains("1 missing: `HYPH`"), "{msg}");
        assert!(msg.contains("1 unknown to the model: `(`"), "{msg}");
        check_tagset(&a, &b, true).unwrap();
    }

    #[test]
    fn a_different_tagset_name_is_a_mismatch() {
        let a = info("none", "1", "none", &["_"]);
        let b = info("none", "1", "other", &["_"]);
        let msg = check_tagset(&a, &b, false).unwrap_err().to_string();
        assert!(msg.contains("tagset `other` instead of `none`"), "{msg}");
    }
}
