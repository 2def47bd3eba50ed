//! `cargo xtask glove-subset`: the GloVe rows the bundled data sets use, so the project trains
//! out of the box without the 68 MB full file.
//!
//! The trainer keeps only words that occur in its data, so training on WebNLG with the subset
//! gives exactly the same initial embeddings as with the full file.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;

/// Options of `cargo xtask glove-subset`.
#[derive(Args)]
pub struct GloveSubsetArgs {
    /// The full GloVe file (.txt or .txt.gz).
    #[arg(long, default_value = "../shared/embeddings/glove.6B.50d.txt.gz")]
    pub from: PathBuf,
    /// Data folders whose tokens to keep (every *.json with `text` or `tokens` records).
    #[arg(long, default_values = ["data/webnlg-star", "data/webnlg"])]
    pub data: Vec<PathBuf>,
    /// Output file (.txt.gz).
    #[arg(long, default_value = "data/embeddings/glove.6B.50d.webnlg.txt.gz")]
    pub out: PathBuf,
}

/// Writes the rows of `from` whose word (GloVe is lower-cased) occurs in the data.
pub fn run(args: &GloveSubsetArgs) -> Result<()> {
    let mut words = HashSet::new();
    for dir in &args.data {
        collect_words(dir, &mut words)?;
    }
    let file = std::fs::File::open(&args.from)
        .with_context(|| format!("cannot open {}", args.from.display()))?;
    let reader: Box<dyn BufRead> = if args.from.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = args.out.with_extension("tmp");
    let mut out = GzEncoder::new(std::fs::File::create(&temporary)?, Compression::best());
    let mut kept = 0usize;
    for line in reader.lines() {
        let line = line.with_context(|| format!("cannot read {}", args.from.display()))?;
        let word = line.split(' ').next().unwrap_or_default();
        if words.contains(word) {
            writeln!(out, "{line}")?;
            kept += 1;
        }
    }
    out.finish()?;
    std::fs::rename(&temporary, &args.out)?;
    eprintln!(
        "kept {kept} of {} distinct lower-cased words -> {}",
        words.len(),
        args.out.display()
    );
    Ok(())
}

fn collect_words(dir: &Path, words: &mut HashSet<String>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let is_split = path.extension().is_some_and(|e| e == "json")
            && path.file_name().is_none_or(|n| n != "rel2id.json");
        if !is_split {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let records: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        let Some(records) = records.as_array() else {
            bail!("{} is not a JSON list of records", path.display());
        };
        for record in records {
            if let Some(text) = record.get("text").and_then(Value::as_str) {
                words.extend(text.split_whitespace().map(str::to_lowercase));
            }
            if let Some(tokens) = record.get("tokens").and_then(Value::as_array) {
                words.extend(
                    tokens
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_lowercase),
                );
            }
        }
    }
    Ok(())
}
