//! A part-of-speech tagger plugin, loaded and checked.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ffi::{Callee, TaggerTable};
use crate::tokenizer::file_label;
use crate::PluginMetadata;

/// What identifies a tagger's output: record it with a model at training time, and check a
/// tagger against the model's tag set with [`check_tagset`](crate::check_tagset) when the model is
/// used.
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
