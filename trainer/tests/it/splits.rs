//! Data without a training set (NYT here): train on dev.json and select on a held-out tail of it.

use std::path::Path;

use rin_trainer::corpus::{Corpus, SplitPlan};
use rin_trainer::eval::{evaluate_checkpoint, EvalRequest};
use rin_trainer::train::{train, Silent};
use rin_trainer::{DeviceChoice, TrainConfig};

use crate::util::{data_dir, setup};

/// A copy of WebNLG's dev, test and relations, with no train.json.
fn dev_and_test_only() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["dev.json", "test.json", "rel2id.json"] {
        std::fs::copy(data_dir("webnlg").join(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn tokens(corpus_part: &rin_core::Dataset) -> Vec<Vec<String>> {
    corpus_part
        .sentences
        .iter()
        .map(|s| s.tokens.clone())
        .collect()
}

fn holdout(n: usize) -> SplitPlan {
    SplitPlan {
        train: "dev".into(),
        dev_holdout: Some(n),
    }
}

#[test]
fn the_holdout_is_the_tail_of_the_training_file_and_is_not_trained_on() {
    let data = dev_and_test_only();
    let whole = Corpus::load(&data_dir("webnlg"), None, &SplitPlan::default()).unwrap();
    let dev = tokens(&whole.dev);
    let corpus = Corpus::load(data.path(), None, &holdout(100)).unwrap();
    assert_eq!(tokens(&corpus.train), dev[..dev.len() - 100]);
    assert_eq!(tokens(&corpus.dev), dev[dev.len() - 100..]);
    assert_eq!(tokens(&corpus.test), tokens(&whole.test));

    let (_, one) = Corpus::load_one(data.path(), None, &holdout(100), "dev").unwrap();
    assert_eq!(tokens(&one), tokens(&corpus.dev));
    let (_, one) = Corpus::load_one(data.path(), None, &holdout(100), "test").unwrap();
    assert_eq!(tokens(&one), tokens(&whole.test));
    // One split needs only its own file, the format detected from it: no train.json here.
    let (_, one) = Corpus::load_one(data.path(), None, &SplitPlan::default(), "test").unwrap();
    assert_eq!(tokens(&one), tokens(&whole.test));
}

#[test]
fn a_holdout_must_leave_something_to_train_on() {
    let data = dev_and_test_only();
    let err = Corpus::load(data.path(), None, &holdout(500)).unwrap_err();
    assert!(err.to_string().contains("--dev-holdout"), "{err}");
    // Without a holdout the default plan needs train.json, which is not there.
    assert!(Corpus::load(data.path(), None, &SplitPlan::default()).is_err());
}

fn run_config(data: &Path, run: &Path) -> TrainConfig {
    TrainConfig {
        data_dir: data.to_path_buf(),
        run_dir: run.to_path_buf(),
        word_dim: 8,
        pos_dim: 4,
        lstm_hidden: 8,
        relation_hidden: 8,
        k: Some(1),
        batch_size: 10,
        epochs: 1,
        device: DeviceChoice::Cpu,
        threads: Some(1),
        train_limit: Some(30),
        train_split: "dev".into(),
        dev_holdout: Some(40),
        ..TrainConfig::default()
    }
}

#[test]
fn training_on_dev_needs_a_holdout_and_eval_scores_the_holdout_as_dev() {
    let _torch = setup(5);
    let data = dev_and_test_only();
    let run = tempfile::tempdir().unwrap();
    let no_holdout = TrainConfig {
        dev_holdout: None,
        ..run_config(data.path(), run.path())
    };
    let err = train(no_holdout, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("--dev-holdout"), "{err}");

    let outcome = train(run_config(data.path(), run.path()), &mut Silent).unwrap();
    let dev = evaluate_checkpoint(&EvalRequest {
        checkpoint: run.path().join("best"),
        split: "dev".into(),
        data_dir: None,
        mode: None,
        threshold: None,
        k: None,
        device: DeviceChoice::Cpu,
        batch_size: 50,
        plugin_dir: None,
    })
    .unwrap();
    assert_eq!(dev.sentences, 40);
    // The run selected on the same 40 sentences that eval calls dev.
    assert_eq!(outcome.records[0].dev, dev.scores);
}
