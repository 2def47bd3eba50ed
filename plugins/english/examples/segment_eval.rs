//! Sentence boundary precision, recall and F1 of the `english` segmenter: a predicted sentence end
//! is correct when it falls where a gold sentence ends.
//!
//! - CoNLL-2000 (WSJ, `.txt`): the gold sentences are detokenized and joined into one text.
//! - UD English EWT (`.conllu`): each `# newdoc` document's `# text` lines joined by spaces (web
//!   text: forums, reviews, e-mail); `benchmarks/segmenters.py` scores pysbd on the same texts.
//!
//! ```sh
//! cargo run --release -p rin-plugin-english --example segment_eval -- ../shared/pos/conll2000/test.txt
//! cargo run --release -p rin-plugin-english --example segment_eval -- ../shared/pos/ud-ewt/en_ewt-ud-test.conllu
//! ```

use std::collections::BTreeSet;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/pos/conll2000/test.txt".into());
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    if path.ends_with(".conllu") {
        let (mut gold_n, mut predicted_n, mut correct) = (0usize, 0usize, 0usize);
        for document in ud_documents(&data) {
            let mut text = String::new();
            let mut gold = BTreeSet::new();
            for sentence in &document {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(sentence);
                gold.insert(text.len());
            }
            let predicted: BTreeSet<usize> = rin_plugin_english::sentences(&text)
                .into_iter()
                .map(|r| r.end)
                .collect();
            correct += predicted.intersection(&gold).count();
            if std::env::var_os("SHOW_MISSES").is_some() {
                for &end in gold.difference(&predicted).filter(|&&e| e < text.len()) {
                    let from = floor_boundary(&text, end.saturating_sub(30));
                    let to = floor_boundary(&text, (end + 20).min(text.len()));
                    println!("MISS {:?} | {:?}", &text[from..end], &text[end..to]);
                }
            }
            gold_n += gold.len();
            predicted_n += predicted.len();
        }
        report(&path, gold_n, predicted_n, correct);
        return;
    }
    let mut text = String::new();
    let mut gold = BTreeSet::new();
    for block in data.split("\n\n") {
        let tokens: Vec<&str> = block
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        if tokens.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&detokenize(&tokens));
        gold.insert(text.len());
    }
    let predicted: BTreeSet<usize> = rin_plugin_english::sentences(&text)
        .into_iter()
        .map(|r| r.end)
        .collect();
    let correct = predicted.intersection(&gold).count();
    if std::env::var_os("SHOW_MISSES").is_some() {
        for &end in predicted.difference(&gold) {
            let from = floor_boundary(&text, end.saturating_sub(30));
            let to = floor_boundary(&text, (end + 20).min(text.len()));
            println!("FALSE {:?} | {:?}", &text[from..end], &text[end..to]);
        }
    }
    report(&path, gold.len(), predicted.len(), correct);
}

/// The largest char boundary of `text` at or before `i` (`str::floor_char_boundary` needs a newer
/// Rust than the workspace's minimum).
fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn report(path: &str, gold: usize, predicted: usize, correct: usize) {
    let (p, r) = (
        correct as f64 / predicted as f64,
        correct as f64 / gold as f64,
    );
    println!(
        "{path}: {gold} gold sentences, {predicted} predicted, {correct} boundaries correct: P {p:.4} R {r:.4} F1 {:.4}",
        2.0 * p * r / (p + r)
    );
}

/// The `# text` of each sentence, grouped by `# newdoc` documents.
fn ud_documents(data: &str) -> Vec<Vec<&str>> {
    let mut documents: Vec<Vec<&str>> = Vec::new();
    for line in data.lines() {
        if line.starts_with("# newdoc") || documents.is_empty() && line.starts_with("# text") {
            documents.push(Vec::new());
        }
        if let Some(text) = line.strip_prefix("# text = ") {
            if let Some(document) = documents.last_mut() {
                document.push(text.trim());
            }
        }
    }
    documents.retain(|d| !d.is_empty());
    documents
}

/// Joins Penn Treebank tokens into text: no space before closing punctuation, clitics and closing
/// quotes (`''` becomes `"`), none after opening brackets and quotes (`` `` `` becomes `"`).
fn detokenize(tokens: &[&str]) -> String {
    let mut out = String::new();
    let mut glue_next = false;
    for &token in tokens {
        let (text, opening, closing) = match token {
            "``" => ("\"", true, false),
            "''" => ("\"", false, true),
            "-LRB-" | "-LCB-" | "(" => ("(", true, false),
            "-RRB-" | "-RCB-" | ")" => (")", false, true),
            "$" => ("$", true, false),
            t => (
                t,
                false,
                matches!(t, "." | "," | ";" | ":" | "?" | "!" | "%" | "n't")
                    || t.starts_with('\'') && t.len() <= 3,
            ),
        };
        if !out.is_empty() && !closing && !glue_next {
            out.push(' ');
        }
        out.push_str(text);
        glue_next = opening;
    }
    out
}
