//! Trains the `perceptron` tagger's weights on UD English EWT train + CoNLL-2000 train.
//!
//! ```text
//! cargo run -p rin-plugin-perceptron --release --bin train-perceptron -- \
//!     [--pos-dir ../shared/pos] [--out plugins/perceptron/data/weights.bin.gz] \
//!     [--iterations 10] [--seed 24301] [--prune 0.0]
//! ```
//! Deterministic: the same data, seed and settings give the same file. It reports the accuracy
//! on UD EWT dev and on the test sets of both corpora (none of which is used for training).
//! `--confusions` adds the most frequent errors per set; with `RIN_PERCEPTRON_ERRORS=FILE` set,
//! every error is also written with its context to `FILE.<number of sentences>`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use rin_plugin_perceptron::corpus::{self, TaggedSentence};
use rin_plugin_perceptron::train::{accuracy, train, TrainConfig};
use rin_plugin_perceptron::Model;

struct Args {
    confusions: bool,
    pos_dir: PathBuf,
    out: PathBuf,
    config: TrainConfig,
}

fn parse_args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        confusions: false,
        pos_dir: root.join("../../../shared/pos"),
        out: root.join("data/weights.bin.gz"),
        config: TrainConfig::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--pos-dir" => args.pos_dir = value()?.into(),
            "--out" => args.out = value()?.into(),
            "--iterations" => args.config.iterations = value()?.parse().map_err(|e| format!("--iterations: {e}"))?,
            "--seed" => args.config.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--confusions" => args.confusions = true,
            "--lexicon-min-count" => {
                args.config.lexicon_min_count = value()?.parse().map_err(|e| format!("--lexicon-min-count: {e}"))?
            }
            "--lexicon-min-share" => {
                args.config.lexicon_min_share = value()?.parse().map_err(|e| format!("--lexicon-min-share: {e}"))?
            }
            "--prune" => args.config.prune = value()?.parse().map_err(|e| format!("--prune: {e}"))?,
            "-h" | "--help" => {
                return Err("usage: train-perceptron [--pos-dir DIR] [--out FILE] [--iterations N] [--seed N] [--prune X] [--lexicon-min-count N] [--lexicon-min-share X] [--confusions]".into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn load(path: PathBuf) -> Result<Vec<TaggedSentence>, String> {
    corpus::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let pos = &args.pos_dir;
    let mut data = load(pos.join("ud-ewt/en_ewt-ud-train.conllu"))?;
    data.extend(load(pos.join("conll2000/train.txt"))?);
    let tokens: usize = data.iter().map(|s| s.words.len()).sum();
    eprintln!(
        "training on {} sentences, {tokens} tokens: {:?}",
        data.len(),
        args.config
    );
    let t0 = Instant::now();
    let model = train(&data, &args.config, |pass, acc| {
        eprintln!(
            "pass {pass}: train accuracy {:.4} ({:.0?})",
            acc,
            t0.elapsed()
        );
    });
    let mut bytes = Vec::new();
    model
        .write(&mut bytes)
        .map_err(|e| format!("cannot encode the weights: {e}"))?;
    std::fs::write(&args.out, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let model = Model::read(&bytes).map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {} ({} bytes, {} features, {} weights, {} tag-dictionary words)",
        args.out.display(),
        bytes.len(),
        model.num_features(),
        model.num_weights(),
        model.tagdict_len(),
    );
    for (name, file) in [
        ("UD EWT dev", "ud-ewt/en_ewt-ud-dev.conllu"),
        ("UD EWT test", "ud-ewt/en_ewt-ud-test.conllu"),
        ("CoNLL-2000 test", "conll2000/test.txt"),
    ] {
        let test = load(pos.join(file))?;
        println!("{name}: accuracy {:.4}", accuracy(&model, &test));
        if args.confusions {
            print_confusions(&model, &test);
        }
    }
    Ok(())
}

/// Prints the most frequent (gold, predicted) errors.
fn print_confusions(model: &Model, test: &[TaggedSentence]) {
    let mut counts = std::collections::BTreeMap::<(String, String), usize>::new();
    for s in test {
        for (id, gold) in model.tag_ids(&s.words).iter().zip(&s.tags) {
            let guess = &model.classes()[*id as usize];
            if guess != gold {
                *counts.entry((gold.clone(), guess.clone())).or_default() += 1;
            }
        }
    }
    if let Ok(path) = std::env::var("RIN_PERCEPTRON_ERRORS") {
        use std::fmt::Write as _;
        let mut out = String::new();
        for s in test {
            let ids = model.tag_ids(&s.words);
            for (i, (id, gold)) in ids.iter().zip(&s.tags).enumerate() {
                let guess = &model.classes()[*id as usize];
                if guess != gold {
                    let lo = i.saturating_sub(3);
                    let hi = (i + 4).min(s.words.len());
                    let _ = writeln!(
                        out,
                        "{gold}\t{guess}\t{}\t{}",
                        s.words[i],
                        s.words[lo..hi].join(" ")
                    );
                }
            }
        }
        let path = format!("{path}.{}", test.len());
        let _ = std::fs::write(path, out);
    }
    let mut top: Vec<_> = counts.into_iter().collect();
    top.sort_by_key(|b| std::cmp::Reverse(b.1));
    for ((gold, guess), n) in top.into_iter().take(25) {
        println!("  {n:5}  gold {gold:6} predicted {guess}");
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
