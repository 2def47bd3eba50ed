//! `rin extract`'s loop: input records in, one JSON line out per record, in input order.
//!
//! Records are prepared one by one (tokenizer, tagger, length check), so that a bad record is
//! reported with its line number, and skipped with `keep_going`; prepared records are run in
//! chunks, so that batching by length has something to work with.

use std::io::Write;

use crate::error::{error_chain, Error, Result};
use crate::extraction::Extraction;
use crate::pipeline::{Extractor, PreparedText};
use crate::source::InputRecord;

/// How [`extract_stream`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// Skip records with input errors (logged as warnings) instead of stopping.
    pub keep_going: bool,
    /// Records run together; 1 answers each line as soon as it arrives (interactive use).
    pub chunk: usize,
    /// How results are written.
    pub output: OutputFormat,
}

/// How [`extract_stream`] writes each result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// One JSON object per line ([`crate::Extraction`]).
    #[default]
    Json,
    /// The text, then one `  (subject, relation, object)  0.97` line per triple (`  -` for none).
    Text,
}

impl StreamOptions {
    /// Records run together for a batch size: 16 batches' worth, at least 64. Batches are formed
    /// within a chunk, so whoever wants `rin extract`'s exact scores (the Python package) runs
    /// texts in chunks of this size.
    pub fn chunk_for_batch_size(batch_size: usize) -> usize {
        (batch_size * 16).max(64)
    }
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            keep_going: false,
            chunk: 512,
            output: OutputFormat::Json,
        }
    }
}

/// What [`extract_stream`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamSummary {
    /// Records read (good or bad).
    pub records: usize,
    /// Results written.
    pub written: usize,
    /// Records skipped because of input errors (`keep_going`).
    pub skipped: usize,
}

/// Extracts from every record of `records` (named `source` in messages) and writes one JSON
/// object per line to `out`. An input error stops the stream unless `options.keep_going`.
pub fn extract_stream<I, W>(
    extractor: &Extractor,
    records: I,
    source: &str,
    out: &mut W,
    options: StreamOptions,
) -> Result<StreamSummary>
where
    I: IntoIterator<Item = Result<InputRecord>>,
    W: Write,
{
    let mut summary = StreamSummary::default();
    let mut pending: Vec<PreparedText> = Vec::new();
    let chunk = options.chunk.max(1);
    for record in records {
        summary.records += 1;
        let prepared =
            record.and_then(|r| extractor.prepare(r.text, &format!("{source} line {}", r.line)));
        match prepared {
            Ok(p) => pending.push(p),
            Err(e) if options.keep_going && e.is_input_error() => {
                summary.skipped += 1;
                tracing::warn!("skipped: {}", error_chain(&e));
            }
            Err(e) => {
                // Everything read before the bad record is written before the error is reported.
                flush(extractor, &mut pending, out, options.output)?;
                return Err(e);
            }
        }
        if pending.len() >= chunk {
            summary.written += flush(extractor, &mut pending, out, options.output)?;
        }
    }
    summary.written += flush(extractor, &mut pending, out, options.output)?;
    Ok(summary)
}

fn flush<W: Write>(
    extractor: &Extractor,
    pending: &mut Vec<PreparedText>,
    out: &mut W,
    format: OutputFormat,
) -> Result<usize> {
    if pending.is_empty() {
        return Ok(0);
    }
    let results = extractor.run(std::mem::take(pending))?;
    for result in &results {
        match format {
            OutputFormat::Json => {
                serde_json::to_writer(&mut *out, result).map_err(|e| Error::Write(e.into()))?;
                out.write_all(b"\n").map_err(Error::Write)?;
            }
            OutputFormat::Text => write_text(out, result).map_err(Error::Write)?,
        }
    }
    out.flush().map_err(Error::Write)?;
    Ok(results.len())
}

/// One result for people: the text, then its triples, one per line, with scores.
fn write_text<W: Write>(out: &mut W, result: &Extraction) -> std::io::Result<()> {
    writeln!(out, "{}", result.text)?;
    if result.triples.is_empty() {
        writeln!(out, "  -")?;
    }
    for t in &result.triples {
        writeln!(
            out,
            "  ({}, {}, {})  {:.2}",
            t.subject.text, t.relation, t.object.text, t.score
        )?;
    }
    Ok(())
}
