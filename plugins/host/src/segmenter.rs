//! A sentence segmenter plugin, loaded and checked, and the built-in `lines` segmenter.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::ffi::{Callee, SegmenterTable};
use crate::tokenizer::{check_spans, file_label};
use crate::PluginMetadata;

/// The name of the segmenter built into the host: every line is one sentence (what rin did before
/// segmenters existed, for input that is already one sentence per line).
pub const LINES: &str = "lines";

/// A sentence segmenter: a plugin, or the built-in [`LINES`]. Cheap to clone; safe to share
/// between threads.
#[derive(Clone, Debug)]
pub struct Segmenter {
    path: PathBuf,
    metadata: PluginMetadata,
    table: Option<SegmenterTable>,
}

impl Segmenter {
    /// Wraps a checked table, asking the plugin for its metadata.
    pub(crate) fn from_table(path: PathBuf, table: SegmenterTable) -> Result<Self> {
        let file = file_label(&path);
        let metadata = table.metadata(&Callee {
            plugin: &file,
            path: &path,
        })?;
        tracing::debug!(name = %metadata.name, version = %metadata.version, path = %path.display(), "loaded segmenter plugin");
        Ok(Segmenter {
            path,
            metadata,
            table: Some(table),
        })
    }

    /// The built-in segmenter: one sentence per line.
    pub fn lines() -> Self {
        Segmenter {
            path: PathBuf::from("(built in)"),
            metadata: PluginMetadata {
                name: LINES.into(),
                version: env!("CARGO_PKG_VERSION").into(),
                description: "every line is one sentence (input already split)".into(),
            },
            table: None,
        }
    }

    /// The segmenter's name, version and description.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// The library the plugin was loaded from (`(built in)` for [`LINES`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The byte ranges of the sentences of `text`, checked: non-empty, in order, non-overlapping,
    /// inside the text and on char boundaries.
    pub fn segment_spans(&self, text: &str) -> Result<Vec<Range<usize>>> {
        let Some(table) = self.table else {
            return Ok(line_spans(text));
        };
        let callee = Callee {
            plugin: &self.metadata.name,
            path: &self.path,
        };
        let spans = table.segment(&callee, text)?;
        check_spans(&self.metadata.name, &self.path, text, &spans, "sentence")
    }
}

/// Each non-blank line, without its line ending (`\n` or `\r\n`).
fn line_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        if !text[start..end].trim().is_empty() {
            out.push(start..end);
        }
        start += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_sentences_without_their_line_endings() {
        let text = "One here.\r\nTwo there.\n\n   \nThree";
        let lines = Segmenter::lines();
        let spans = lines.segment_spans(text).unwrap();
        let got: Vec<&str> = spans.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, ["One here.", "Two there.", "Three"]);
        assert!(lines.segment_spans("").unwrap().is_empty());
    }
}
