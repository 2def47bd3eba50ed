//! JSON parsing that knows which record it was in when it failed.
//!
//! `serde_json` reports a syntax error by line and column; the public data files are long arrays
//! pretty-printed over hundreds of thousands of lines (or one single line), so the record index is
//! the more useful coordinate. The visitor below counts the elements it has finished.

use std::cell::Cell;
use std::fmt;
use std::path::Path;

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{Error, Result};

/// Parses a top-level JSON array into its records.
pub(crate) fn parse_array(path: &Path, text: &str) -> Result<Vec<Value>> {
    let progress = Progress {
        started: Cell::new(false),
        finished: Cell::new(false),
        done: Cell::new(0),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = (&mut de)
        .deserialize_seq(RecordsVisitor(&progress))
        .and_then(|records| {
            de.end()?;
            Ok(records)
        });
    parsed.map_err(|source| {
        // Inside the array the failing record is the one after the last finished one.
        let in_array = progress.started.get() && !progress.finished.get();
        Error::Json {
            path: path.to_path_buf(),
            record: in_array.then(|| progress.done.get()),
            source,
        }
    })
}

/// Parses JSON Lines: one record per non-blank line; the record index is the 0-based line number.
pub(crate) fn parse_lines(path: &Path, text: &str) -> Result<Vec<(usize, Value)>> {
    let mut records = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(line).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            record: Some(line_no),
            source,
        })?;
        records.push((line_no, value));
    }
    Ok(records)
}

/// The first record of a JSON array or JSON Lines text, for format detection.
pub(crate) fn first_record(text: &str) -> Option<Value> {
    let trimmed = text.trim_start();
    let body = trimmed.strip_prefix('[').unwrap_or(trimmed);
    serde_json::Deserializer::from_str(body)
        .into_iter::<Value>()
        .next()?
        .ok()
}

struct Progress {
    started: Cell<bool>,
    finished: Cell<bool>,
    done: Cell<usize>,
}

struct RecordsVisitor<'p>(&'p Progress);

impl<'de> Visitor<'de> for RecordsVisitor<'_> {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        self.0.started.set(true);
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(record) = seq.next_element::<Value>()? {
            records.push(record);
            self.0.done.set(records.len());
        }
        self.0.finished.set(true);
        Ok(records)
    }
}
