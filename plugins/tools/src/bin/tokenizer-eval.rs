//! Agreement of tokenizer plugins with the gold tokenization of UD English EWT test: the raw
//! text of each sentence (`# text =`) is tokenized, and the predicted byte spans are compared with
//! the spans of the gold syntactic words (so `don't` → `do` `n't` is the expected split).
//!
//! ```text
//! cargo build --release -p rin-plugin-whitespace -p rin-plugin-english
//! cargo run --release -p rin-plugin-tools --bin tokenizer-eval
//! ```

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use rin_plugin_tools::{load_tokenizer, plugin_dir, repo_root};

/// Span precision, recall and F1 of tokenizers against UD EWT test's gold tokens.
#[derive(Parser)]
struct Cli {
    /// Tokenizer plugins, by name or path.
    #[arg(default_values = ["whitespace", "english"])]
    tokenizers: Vec<String>,
    /// Plugin directory (default: $RIN_PLUGIN_DIR, else next to this executable).
    #[arg(long, env = "RIN_PLUGIN_DIR")]
    plugin_dir: Option<PathBuf>,
    /// A CoNLL-U file with `# text =` lines.
    #[arg(long, default_value_os_t = repo_root().join("../shared/pos/ud-ewt/en_ewt-ud-test.conllu"))]
    corpus: PathBuf,
    /// Print this many sentences where a tokenizer differs from the gold tokens.
    #[arg(long, default_value_t = 0)]
    show: usize,
}

/// A sentence's raw text and the byte spans of its gold words.
type GoldSentence = (String, Vec<(usize, usize)>);

/// Sentences as (text, gold spans); sentences whose words cannot be found in order in the text
/// are skipped.
fn gold(conllu: &str) -> (Vec<GoldSentence>, usize) {
    let mut out = Vec::new();
    let mut skipped = 0;
    for block in conllu.split("\n\n") {
        let Some(text) = block.lines().find_map(|l| l.strip_prefix("# text = ")) else {
            continue;
        };
        let mut spans = Vec::new();
        let mut pos = 0;
        let mut ok = true;
        for line in block.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 2 || !cols[0].bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            match text[pos..].find(cols[1]) {
                Some(k) if text[pos..pos + k].trim().is_empty() => {
                    spans.push((pos + k, pos + k + cols[1].len()));
                    pos += k + cols[1].len();
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && !spans.is_empty() {
            out.push((text.to_owned(), spans));
        } else {
            skipped += 1;
        }
    }
    (out, skipped)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let raw = std::fs::read_to_string(&cli.corpus)
        .with_context(|| format!("cannot read {}", cli.corpus.display()))?;
    let (sentences, skipped) = gold(&raw);
    let dir = plugin_dir(cli.plugin_dir.as_deref())?;
    println!(
        "{} sentences ({skipped} skipped: gold words not found verbatim in the text)",
        sentences.len()
    );
    println!("| tokenizer | gold tokens | predicted | precision | recall | F1 | exact sentences |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for name in &cli.tokenizers {
        let tokenizer = load_tokenizer(&dir, name)?;
        let (mut gold_n, mut pred_n, mut hit, mut exact) = (0usize, 0usize, 0usize, 0usize);
        let mut shown = 0;
        for (text, spans) in &sentences {
            let predicted: Vec<(usize, usize)> = tokenizer
                .tokenize_spans(text)?
                .into_iter()
                .map(|r| (r.start, r.end))
                .collect();
            let set: HashSet<&(usize, usize)> = spans.iter().collect();
            let h = predicted.iter().filter(|s| set.contains(s)).count();
            exact += usize::from(predicted == *spans);
            if predicted != *spans && shown < cli.show {
                shown += 1;
                let words = |s: &[(usize, usize)]| {
                    s.iter()
                        .map(|&(a, b)| &text[a..b])
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                eprintln!(
                    "{name}:\n  gold: {}\n  got:  {}",
                    words(spans),
                    words(&predicted)
                );
            }
            gold_n += spans.len();
            pred_n += predicted.len();
            hit += h;
        }
        let p = hit as f64 / pred_n.max(1) as f64;
        let r = hit as f64 / gold_n.max(1) as f64;
        println!(
            "| {} | {gold_n} | {pred_n} | {:.2}% | {:.2}% | {:.2}% | {:.1}% |",
            tokenizer.metadata().name,
            100.0 * p,
            100.0 * r,
            200.0 * p * r / (p + r).max(f64::MIN_POSITIVE),
            100.0 * exact as f64 / sentences.len().max(1) as f64
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
