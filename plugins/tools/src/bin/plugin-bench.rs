//! Throughput of tokenizer and tagger plugins through the host (the C ABI included).
//!
//! ```text
//! cargo build --release -p rin-plugin-whitespace -p rin-plugin-english -p rin-plugin-perceptron -p rin-plugin-brill -p rin-plugin-none
//! cargo run --release -p rin-plugin-tools --bin plugin-bench
//! ```
//! Tokenizers run on the raw text of UD EWT test (its `# text =` lines), one sentence per call;
//! taggers on its gold tokens, one sentence per call. Each measurement is repeated and the best
//! run is reported (single thread).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use rin_plugin_tools::{load_tagger, load_tokenizer, plugin_dir, read_corpus, repo_root};

/// Tokens per second of tokenizer and tagger plugins.
#[derive(Parser)]
struct Cli {
    /// Tokenizer plugins, by name or path.
    #[arg(long, num_args = 1.., default_values = ["whitespace", "english"])]
    tokenizers: Vec<String>,
    /// Tagger plugins, by name or path.
    #[arg(long, num_args = 1.., default_values = ["perceptron", "brill", "none"])]
    taggers: Vec<String>,
    /// Plugin directory (default: $RIN_PLUGIN_DIR, else next to this executable).
    #[arg(long, env = "RIN_PLUGIN_DIR")]
    plugin_dir: Option<PathBuf>,
    /// UD EWT test file (raw sentences and tokens).
    #[arg(long, default_value_os_t = repo_root().join("../shared/pos/ud-ewt/en_ewt-ud-test.conllu"))]
    corpus: PathBuf,
    /// Repetitions (the best is kept).
    #[arg(long, default_value_t = 5)]
    repeat: usize,
}

fn best<T>(
    repeat: usize,
    mut f: impl FnMut() -> anyhow::Result<T>,
) -> anyhow::Result<(Duration, T)> {
    let mut best = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let out = f()?;
        let took = start.elapsed();
        if best.as_ref().is_none_or(|(d, _)| took < *d) {
            best = Some((took, out));
        }
    }
    Ok(best.expect("at least one run"))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let raw = std::fs::read_to_string(&cli.corpus)
        .with_context(|| format!("cannot read {}", cli.corpus.display()))?;
    let texts: Vec<&str> = raw
        .lines()
        .filter_map(|l| l.strip_prefix("# text = "))
        .collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let set = read_corpus("UD EWT test", &cli.corpus)?;
    let dir = plugin_dir(cli.plugin_dir.as_deref())?;
    println!("| plugin | kind | input | tokens | tokens/s | MB/s |");
    println!("|---|---|---|---:|---:|---:|");
    for name in &cli.tokenizers {
        let tokenizer = load_tokenizer(&dir, name)?;
        let (took, tokens) = best(cli.repeat, || {
            let mut n = 0;
            for t in &texts {
                n += tokenizer.tokenize_spans(t)?.len();
            }
            Ok(n)
        })?;
        let secs = took.as_secs_f64();
        println!(
            "| {} | tokenizer | {} sentences, {bytes} bytes | {tokens} | {:.0} | {:.1} |",
            tokenizer.metadata().name,
            texts.len(),
            tokens as f64 / secs,
            bytes as f64 / secs / 1e6
        );
    }
    let tokens: usize = set.sentences.iter().map(|s| s.words.len()).sum();
    for name in &cli.taggers {
        let tagger = load_tagger(&dir, name)?;
        let (took, ()) = best(cli.repeat, || {
            for s in &set.sentences {
                tagger.tag_ids(&s.words)?;
            }
            Ok(())
        })?;
        println!(
            "| {} | tagger | {} sentences | {tokens} | {:.0} | - |",
            tagger.info().name,
            set.sentences.len(),
            tokens as f64 / took.as_secs_f64()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
