//! Sentence boundary precision, recall and F1 of the `english` segmenter on CoNLL-2000 (WSJ):
//! the gold sentences are detokenized and joined into running text, and a predicted sentence end
//! is correct when it falls where a gold sentence ends.
//!
//! ```sh
//! cargo run --release -p rin-plugin-english --example segment_eval -- ../shared/pos/conll2000/test.txt
//! ```

use std::collections::BTreeSet;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/pos/conll2000/test.txt".into());
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
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
    let correct = predicted.intersection(&gold).count() as f64;
    let (p, r) = (
        correct / predicted.len() as f64,
        correct / gold.len() as f64,
    );
    println!(
        "{path}: {} gold sentences, {} predicted, {correct} boundaries correct: P {:.4} R {:.4} F1 {:.4}",
        gold.len(),
        predicted.len(),
        p,
        r,
        2.0 * p * r / (p + r)
    );
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
