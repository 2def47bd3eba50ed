//! A tokenizer plugin, loaded and checked.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ffi::{Callee, TokenizerTable};
use crate::PluginMetadata;

/// A token: its text and its byte range in the tokenized text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Token {
    /// The token's text, `&text[start..end]`.
    pub text: String,
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset one past its last byte.
    pub end: usize,
}

/// A tokenizer plugin. Cheap to clone; safe to share between threads.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    path: PathBuf,
    metadata: PluginMetadata,
    table: TokenizerTable,
}

impl Tokenizer {
    /// Wraps a checked table, asking the plugin for its metadata.
    pub(crate) fn from_table(path: PathBuf, table: TokenizerTable) -> Result<Self> {
        let file = file_label(&path);
        let metadata = table.metadata(&Callee {
            plugin: &file,
            path: &path,
        })?;
        tracing::debug!(name = %metadata.name, version = %metadata.version, path = %path.display(), "loaded tokenizer plugin");
        Ok(Tokenizer {
            path,
            metadata,
            table,
        })
    }

    /// The plugin's name, version and description.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// The library the plugin was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The byte ranges of the tokens of `text`, checked: non-empty, in order, non-overlapping,
    /// inside the text and on char boundaries.
    pub fn tokenize_spans(&self, text: &str) -> Result<Vec<Range<usize>>> {
        let callee = Callee {
            plugin: &self.metadata.name,
            path: &self.path,
        };
        let spans = self.table.tokenize(&callee, text)?;
        check_spans(&self.metadata.name, &self.path, text, &spans, "token")
    }

    /// The tokens of `text`.
    pub fn tokenize(&self, text: &str) -> Result<Vec<Token>> {
        Ok(self
            .tokenize_spans(text)?
            .into_iter()
            .map(|r| Token {
                text: text[r.clone()].to_owned(),
                start: r.start,
                end: r.end,
            })
            .collect())
    }
}

/// The byte ranges of `spans`, checked against `text`: non-empty, in order, non-overlapping,
/// inside the text and on char boundaries; the first bad one is an error naming `plugin`. `unit`
/// (`token`, `sentence`) names what a span is in the message.
pub(crate) fn check_spans(
    plugin: &str,
    path: &Path,
    text: &str,
    spans: &[rin_plugin_abi::Span],
    unit: &str,
) -> Result<Vec<Range<usize>>> {
    let mut previous_end = 0;
    let mut out = Vec::with_capacity(spans.len());
    for (index, span) in spans.iter().enumerate() {
        let reason = if span.start >= span.end {
            Some("empty or reversed")
        } else if span.end > text.len() {
            Some("past the end of the text")
        } else if span.start < previous_end {
            Some(if unit == "token" {
                "overlaps or precedes the previous token"
            } else {
                "overlaps or precedes the previous sentence"
            })
        } else if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            Some("not on a char boundary")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::BadOffsets {
                kind: if unit == "token" {
                    crate::PluginKind::Tokenizer
                } else {
                    crate::PluginKind::Segmenter
                },
                plugin: plugin.to_owned(),
                path: path.to_owned(),
                index,
                start: span.start,
                end: span.end,
                len: text.len(),
                reason,
            });
        }
        previous_end = span.end;
        out.push(span.start..span.end);
    }
    Ok(out)
}

/// A short label for a library before its plugin name is known.
pub(crate) fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}
