//! The training loop: determinism, resume, early stopping, on a slice of WebNLG.

use rin_trainer::train::{resume, train, ResumeOverrides, Silent};
use rin_trainer::{DeviceChoice, TrainConfig};

use crate::util::{data_dir, max_diff, setup};

/// A small, fast run on the first 40 WebNLG sentences (it ships POS tags).
pub(crate) fn small_config(run_dir: &std::path::Path, epochs: usize) -> TrainConfig {
    TrainConfig {
        data_dir: data_dir("webnlg"),
        run_dir: run_dir.to_path_buf(),
        word_dim: 8,
        pos_dim: 4,
        lstm_hidden: 8,
        relation_hidden: 8,
        k: Some(2),
        batch_size: 10,
        epochs,
        lr: 1e-2,
        device: DeviceChoice::Cpu,
        threads: Some(1),
        train_limit: Some(40),
        dev_limit: Some(20),
        seed: 7,
        ..TrainConfig::default()
    }
}

#[test]
fn same_seed_and_threads_give_the_same_loss() {
    let _torch = setup(31);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = train(small_config(a.path(), 2), &mut Silent).unwrap();
    let second = train(small_config(b.path(), 2), &mut Silent).unwrap();
    let losses = |o: &rin_trainer::train::TrainOutcome| {
        o.records.iter().map(|r| r.train_loss).collect::<Vec<_>>()
    };
    assert_eq!(losses(&first), losses(&second));
    assert_eq!(first.records[1].dev, second.records[1].dev);
    assert!(first.records[1].train_loss < first.records[0].train_loss);
}

#[test]
fn resume_continues_where_it_stopped() {
    let _torch = setup(32);
    let (straight, split) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let full = train(small_config(straight.path(), 3), &mut Silent).unwrap();

    let part = train(small_config(split.path(), 1), &mut Silent).unwrap();
    assert_eq!(part.epochs, 1);
    // A copy that followed the links (`cp -rL`, an archive, results/runs/) resumes too.
    let copied = tempfile::tempdir().unwrap();
    copy_following_links(split.path(), copied.path());
    assert!(copied
        .path()
        .join("last")
        .symlink_metadata()
        .unwrap()
        .is_dir());
    let overrides = ResumeOverrides {
        epochs: Some(3),
        ..ResumeOverrides::default()
    };
    for run in [split.path(), copied.path()] {
        let rest = resume(run, &overrides, &mut Silent).unwrap();
        assert_eq!(rest.epochs, 3);
        assert_eq!(
            rest.records.iter().map(|r| r.epoch).collect::<Vec<_>>(),
            [2, 3]
        );
        // Same optimiser state, epoch count and random state: the same numbers as the straight run.
        for (a, b) in full.records[1..].iter().zip(&rest.records) {
            assert_eq!(a.train_loss, b.train_loss, "epoch {}", a.epoch);
            assert_eq!(a.step, b.step);
            assert_eq!(a.dev, b.dev);
        }
        let metrics = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
        assert_eq!(metrics.lines().count(), 3);
        assert!(run.join("last").symlink_metadata().unwrap().is_symlink());
    }

    // Nothing to resume in an empty directory; a fresh run refuses a used one.
    let empty = tempfile::tempdir().unwrap();
    assert!(resume(empty.path(), &ResumeOverrides::default(), &mut Silent).is_err());
    assert!(train(small_config(split.path(), 3), &mut Silent).is_err());
}

#[test]
fn patience_stops_training() {
    let _torch = setup(33);
    let dir = tempfile::tempdir().unwrap();
    // lr 0 never improves after the first epoch, so patience 1 stops after epoch 2.
    let config = TrainConfig {
        patience: 1,
        lr: 1e-12,
        ..small_config(dir.path(), 10)
    };
    let outcome = train(config, &mut Silent).unwrap();
    assert!(outcome.stopped_early);
    assert_eq!(
        outcome.epochs, 2,
        "epoch 1 is the best; patience 1 ends the run after epoch 2"
    );
    assert_eq!(outcome.best_epoch, 1);
}

#[test]
fn fine_tuning_starts_from_the_checkpoint_and_keeps_its_shape() {
    let _torch = setup(34);
    let (base, tuned) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = train(small_config(base.path(), 2), &mut Silent).unwrap();
    let best = &first.records[first.best_epoch - 1];
    // The shape settings (here K) give way to the checkpoint's; with a learning rate of almost
    // zero the first epoch scores the checkpoint's weights.
    let config = TrainConfig {
        init_from: Some(base.path().join("best")),
        k: Some(1),
        lr: 1e-12,
        ..small_config(tuned.path(), 1)
    };
    let outcome = train(config, &mut Silent).unwrap();
    assert_eq!(outcome.records[0].dev, best.dev);
    let meta =
        |dir: &std::path::Path| rin_trainer::checkpoint::read_meta(&dir.join("last")).unwrap();
    let (before, after) = (meta(base.path()), meta(tuned.path()));
    assert_eq!(after.model, before.model);
    assert_eq!(after.words, before.words);
    assert_eq!(after.train.init_from, Some(base.path().join("best")));

    // Another relation list is refused.
    let other = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    for file in ["train.json", "dev.json", "test.json"] {
        std::fs::copy(data_dir("webnlg").join(file), data.path().join(file)).unwrap();
    }
    let relations = std::fs::read_to_string(data_dir("webnlg").join("rel2id.json")).unwrap();
    let mut relations: serde_json::Value = serde_json::from_str(&relations).unwrap();
    // The same relations in another order.
    relations[0]["precededBy"] = serde_json::json!(1);
    relations[0]["legislature"] = serde_json::json!(0);
    std::fs::write(data.path().join("rel2id.json"), relations.to_string()).unwrap();
    let config = TrainConfig {
        init_from: Some(base.path().join("best")),
        data_dir: data.path().to_path_buf(),
        ..small_config(other.path(), 1)
    };
    let err = format!("{:?}", train(config, &mut Silent).unwrap_err());
    assert!(err.contains("other relations"), "{err}");
}

#[test]
fn joined_texts_make_fewer_longer_inputs() {
    let _torch = setup(35);
    let (plain, joined) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let alone = train(small_config(plain.path(), 1), &mut Silent).unwrap();
    let config = TrainConfig {
        join_texts: 1.0,
        ..small_config(joined.path(), 1)
    };
    let together = train(config, &mut Silent).unwrap();
    // 40 entries in batches of 10 are 4 steps; joined two or three at a time, at most 3.
    assert_eq!(alone.records[0].step, 4);
    assert!(together.records[0].step < 4, "{}", together.records[0].step);
    assert_ne!(alone.records[0].train_loss, together.records[0].train_loss);
}

/// Copies a run directory the way `cp -rL` does: links become the folders they point at.
fn copy_following_links(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_following_links(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// `--watch-dev`: every epoch also scores the second dev set (POS-tagged by the plugin, as it has
/// no tags) and records it; selection follows the run's own dev set alone.
#[test]
fn a_watched_dev_set_is_scored_every_epoch_and_never_selects() {
    let _torch = setup(33);
    let dir = tempfile::tempdir().unwrap();
    let watched = data_dir("webnlg")
        .parent()
        .unwrap()
        .join("ood/name-swapped-dev");
    let config = TrainConfig {
        watch_dev: Some(watched),
        ..small_config(dir.path(), 2)
    };
    let outcome = train(config, &mut Silent).unwrap();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(dir.path().join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (line, record) in lines.iter().zip(&outcome.records) {
        let watch = &line["watch_dev"]["triples"]["counts"];
        assert!(watch["gold"].as_u64().unwrap() > 1000, "{line}");
        assert_eq!(
            record.watch_dev.as_ref().map(|w| w.triples.counts.gold),
            watch["gold"].as_u64().map(|g| g as usize)
        );
        assert_ne!(line["watch_dev"], line["dev"]);
    }
    // The first epoch with the highest dev F1 (a later tie does not improve).
    let top = outcome
        .records
        .iter()
        .map(|r| r.dev.triples.f1)
        .fold(f64::MIN, f64::max);
    let best = outcome
        .records
        .iter()
        .find(|r| r.dev.triples.f1 == top)
        .unwrap();
    assert_eq!(outcome.best_epoch, best.epoch);
}

/// `--average-from 2`: after epoch 3 the `average` checkpoint holds the mean of the weights after
/// epochs 2 and 3, the same whether the run went straight through or was resumed after epochs 1
/// and 2 (the mean travels in `last`'s train state).
#[test]
fn weight_averaging_keeps_the_mean_of_the_epochs_across_resume() {
    let _torch = setup(36);
    let (split, straight) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = |dir: &std::path::Path, epochs| TrainConfig {
        average_from: Some(2),
        ..small_config(dir, epochs)
    };
    let weights = |checkpoint: std::path::PathBuf| -> Vec<(String, tch::Tensor)> {
        let mut named =
            tch::Tensor::read_safetensors(checkpoint.join("model.safetensors")).unwrap();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        named
    };

    let first = train(config(split.path(), 1), &mut Silent).unwrap();
    assert!(first.records[0].average_dev.is_none());
    assert!(
        !split.path().join("average").exists(),
        "nothing averaged before epoch 2"
    );
    let until = |epochs| ResumeOverrides {
        epochs: Some(epochs),
        ..ResumeOverrides::default()
    };
    resume(split.path(), &until(2), &mut Silent).unwrap();
    let after_2 = weights(split.path().join("last"));
    for ((name, mean), (_, w)) in weights(split.path().join("average")).iter().zip(&after_2) {
        assert_eq!(
            max_diff(mean, w),
            0.0,
            "{name}: the mean of one epoch is that epoch"
        );
    }
    let rest = resume(split.path(), &until(3), &mut Silent).unwrap();
    let after_3 = weights(split.path().join("last"));
    let average = weights(split.path().join("average"));
    assert_eq!(average.len(), after_3.len());
    let mut moved = 0.0f64;
    for (((name, mean), (_, w2)), (_, w3)) in average.iter().zip(&after_2).zip(&after_3) {
        let expected = (w2 + w3) / 2.0;
        assert!(max_diff(mean, &expected) < 1e-6, "{name}");
        moved = moved.max(max_diff(mean, w3));
    }
    assert!(
        moved > 1e-4,
        "the mean differs from the last epoch's weights"
    );

    let meta = rin_trainer::checkpoint::read_meta(&split.path().join("average")).unwrap();
    let record = &rest.records[0];
    assert_eq!(record.epoch, 3);
    assert_eq!(meta.epoch, 3);
    assert_eq!(
        meta.averaged,
        Some(rin_core::checkpoint::AveragedEpochs { first: 2, last: 3 })
    );
    assert_eq!(meta.dev, record.average_dev);
    assert!(meta.progress.is_none());

    // The uninterrupted run keeps the same mean.
    let whole = train(config(straight.path(), 3), &mut Silent).unwrap();
    assert_eq!(whole.records[2].average_dev, record.average_dev);
    for ((name, a), (_, b)) in weights(straight.path().join("average"))
        .iter()
        .zip(&average)
    {
        assert!(max_diff(a, b) < 1e-6, "{name}");
    }
}
