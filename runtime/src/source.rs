//! Reading texts to extract from: plain lines or JSON Lines with a `text` field, from a file or
//! stdin.
//!
//! Lines are read as bytes, so that a line that is not UTF-8 is an error naming that line (and
//! can be skipped) instead of ending the whole stream. Line numbers are 1-based.

use std::io::BufRead;

use serde::Deserialize;

use crate::error::{Error, Result};

/// How input lines are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// JSON Lines when the first non-blank line starts with `{`, else plain lines.
    #[default]
    Auto,
    /// One text per line.
    Lines,
    /// One JSON object per line, with a string field `text` (other fields are ignored).
    Jsonl,
}

/// One text to extract from, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRecord {
    /// 1-based line number in its source.
    pub line: usize,
    /// The text (without the line ending).
    pub text: String,
}

#[derive(Deserialize)]
struct JsonRecord {
    text: String,
}

/// Reads [`InputRecord`]s from a buffered reader.
///
/// Each item is one line's record or that line's error; the reader goes on after an error, so the
/// caller decides whether to stop or skip (`--keep-going`). Blank lines are records with empty
/// text in the lines format; in JSON Lines they are skipped.
#[derive(Debug)]
pub struct RecordReader<R> {
    reader: R,
    name: String,
    format: InputFormat,
    line: usize,
    buf: Vec<u8>,
    bytes_read: u64,
    done: bool,
}

impl<R: BufRead> RecordReader<R> {
    /// Reads from `reader`, called `name` in messages (a path, or `stdin`).
    pub fn new(reader: R, name: impl Into<String>, format: InputFormat) -> Self {
        RecordReader {
            reader,
            name: name.into(),
            format,
            line: 0,
            buf: Vec::new(),
            bytes_read: 0,
            done: false,
        }
    }

    /// Bytes consumed so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    fn parse(&mut self, line: usize, raw: &[u8]) -> Option<Result<InputRecord>> {
        // A UTF-8 byte-order mark at the start of a file is an encoding marker, not text.
        let raw = match raw.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if line == 1 => rest,
            _ => raw,
        };
        let text = match std::str::from_utf8(raw) {
            Ok(text) => text,
            Err(e) => {
                return Some(Err(Error::InvalidUtf8 {
                    source_name: self.name.clone(),
                    line,
                    valid_up_to: e.valid_up_to(),
                }))
            }
        };
        if self.format == InputFormat::Auto && !text.trim().is_empty() {
            self.format = if text.trim_start().starts_with('{') {
                InputFormat::Jsonl
            } else {
                InputFormat::Lines
            };
        }
        match self.format {
            InputFormat::Lines | InputFormat::Auto => Some(Ok(InputRecord {
                line,
                text: text.to_owned(),
            })),
            InputFormat::Jsonl if text.trim().is_empty() => None,
            InputFormat::Jsonl => Some(
                serde_json::from_str::<JsonRecord>(text)
                    .map(|r| InputRecord { line, text: r.text })
                    .map_err(|source| Error::Jsonl {
                        source_name: self.name.clone(),
                        line,
                        source,
                    }),
            ),
        }
    }
}

impl<R: BufRead> Iterator for RecordReader<R> {
    type Item = Result<InputRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            let n = match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(n) => n,
                Err(source) => {
                    self.done = true;
                    return Some(Err(Error::Read {
                        source_name: self.name.clone(),
                        source,
                    }));
                }
            };
            if n == 0 {
                self.done = true;
                return None;
            }
            self.bytes_read += n as u64;
            self.line += 1;
            let mut raw = std::mem::take(&mut self.buf);
            if raw.last() == Some(&b'\n') {
                raw.pop();
                if raw.last() == Some(&b'\r') {
                    raw.pop();
                }
            }
            let line = self.line;
            let item = self.parse(line, &raw);
            self.buf = raw;
            if let Some(item) = item {
                return Some(item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], format: InputFormat) -> Vec<Result<InputRecord>> {
        RecordReader::new(input, "test", format).collect()
    }

    #[test]
    fn plain_lines_keep_blank_lines_as_empty_texts() {
        let records = read(b"Rome is in Italy.\n\r\nParis\r\n", InputFormat::Auto);
        let texts: Vec<_> = records.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(texts.len(), 3);
        assert_eq!(texts[1].text, "");
        assert_eq!((texts[2].line, texts[2].text.as_str()), (3, "Paris"));
    }

    #[test]
    fn jsonl_is_detected_and_needs_a_text_field() {
        let records = read(
            b"{\"text\": \"a b\", \"id\": 1}\n\n{\"txt\": 1}\nnot json\n",
            InputFormat::Auto,
        );
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].as_ref().unwrap().text, "a b");
        match &records[1] {
            Err(Error::Jsonl { line: 3, .. }) => {}
            other => panic!("{other:?}"),
        }
        match &records[2] {
            Err(Error::Jsonl { line: 4, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_utf8_names_the_line_and_reading_goes_on() {
        let records = read(b"ok\nbad \xff byte\nfine", InputFormat::Lines);
        assert_eq!(records.len(), 3);
        let msg = records[1].as_ref().unwrap_err().to_string();
        assert!(
            msg.contains("line 2") && msg.contains("invalid UTF-8"),
            "{msg}"
        );
        assert_eq!(records[2].as_ref().unwrap().text, "fine");
    }
}
