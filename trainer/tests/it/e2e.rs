//! End to end through the `rin-train` binary: train on 200 WebNLG* sentences, evaluate, predict,
//! and kill a training process at arbitrary moments.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use rin_trainer::Checkpoint;

use crate::util::{data_dir, tiny_glove};

fn rin_train() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rin-train"));
    cmd.env("RUST_LOG", "warn");
    cmd
}

fn check(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "rin-train failed: {}\n{stderr}",
        output.status
    );
    String::from_utf8(output.stdout).unwrap()
}

fn metrics(run: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap_or_default()
        .lines()
        // A line cut short by a kill is skipped (resume drops it too).
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn trains_two_epochs_then_evaluates_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let data = data_dir("webnlg-star");
    let glove = tiny_glove();
    let stdout = check(
        rin_train()
            .args(["train", "--data"])
            .arg(&data)
            .arg("--embeddings")
            .arg(&glove)
            .arg("--run-dir")
            .arg(&run)
            .args([
                "--no-pos",
                "--epochs",
                "2",
                "--train-limit",
                "200",
                "--dev-limit",
                "100",
                "--lr",
                "0.01",
            ])
            .args(["--threads", "1", "--device", "cpu", "--seed", "3"])
            .output()
            .unwrap(),
    );
    assert!(stdout.contains("2 epochs"), "{stdout}");
    let lines = metrics(&run);
    assert_eq!(lines.len(), 2);
    let loss = |i: usize| lines[i]["train_loss"].as_f64().unwrap();
    assert!(
        loss(1) < loss(0),
        "loss did not fall: {} then {}",
        loss(0),
        loss(1)
    );

    let best = run.join("best");
    let table = check(
        rin_train()
            .args([
                "eval",
                "--split",
                "dev",
                "--threads",
                "1",
                "--device",
                "cpu",
                "--checkpoint",
            ])
            .arg(&best)
            .output()
            .unwrap(),
    );
    for row in [
        "triples (strings)",
        "triples (cells)",
        "entities (exact spans)",
        "(500 sentences, K=2, Partial match",
    ] {
        assert!(table.contains(row), "missing {row:?} in\n{table}");
    }
    // Several checkpoints (runs that differ by seed): each is scored, then mean and sample std.
    let json = check(
        rin_train()
            .args(["eval", "--split", "dev", "--json", "--threads", "1"])
            .args(["--device", "cpu", "--checkpoint"])
            .arg(&best)
            .arg(run.join("last"))
            .output()
            .unwrap(),
    );
    let across: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f1 = |i: usize| {
        across["runs"][i]["scores"]["triples"]["f1"]
            .as_f64()
            .unwrap()
    };
    let (mean, std) = (100.0 * (f1(0) + f1(1)) / 2.0, 100.0 * (f1(0) - f1(1)).abs());
    let summary_f1 = &across["summary"]["f1"];
    assert_eq!(summary_f1["n"], 2);
    assert!((summary_f1["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
    // With two runs the sample std is |a - b| / sqrt(2).
    assert!((summary_f1["std"].as_f64().unwrap() - std / 2f64.sqrt()).abs() < 1e-9);

    let json = check(
        rin_train()
            .args([
                "eval",
                "--split",
                "test",
                "--json",
                "--threads",
                "1",
                "--device",
                "cpu",
                "--k",
                "0",
                "--checkpoint",
            ])
            .arg(&best)
            .output()
            .unwrap(),
    );
    let summary: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(summary["k"], 0);
    assert_eq!(summary["sentences"], 703);
    assert!(summary["scores"]["triples"]["f1"].is_number());

    let predicted = check(
        rin_train()
            .args(["predict", "--json", "--device", "cpu", "--checkpoint"])
            .arg(&best)
            .arg("Alan Bean was born in Wheeler , Texas .")
            .output()
            .unwrap(),
    );
    let triples: serde_json::Value = serde_json::from_str(predicted.trim()).unwrap();
    assert!(triples.is_array());
}

fn spawn_training(run: &Path, resume: bool, crash_at: Option<&str>) -> Child {
    let mut cmd = rin_train();
    cmd.args(["train", "--run-dir"]).arg(run).args([
        "--threads",
        "1",
        "--device",
        "cpu",
        "--epochs",
        "3",
    ]);
    if !resume {
        cmd.arg("--data").arg(data_dir("webnlg")).args([
            "--train-limit",
            "30",
            "--dev-limit",
            "10",
            "--k",
            "1",
            "--batch",
            "10",
        ]);
    } else {
        cmd.arg("--resume");
    }
    match crash_at {
        Some(point) => cmd.env(rin_trainer::checkpoint::CRASH_AT, point),
        None => cmd.env_remove(rin_trainer::checkpoint::CRASH_AT),
    };
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A run killed at each step of saving epoch 2's `last` (weights written, everything staged, the
/// link switched) leaves a loadable `last` (epoch 1 before the switch, 2 after it) from which
/// `--resume` completes the run. The crash comes from the trainer's fail point, not the clock.
#[test]
fn killing_training_at_any_step_of_a_save_leaves_last_loadable() {
    for (point, epoch_after) in [("weights", 1), ("staged", 1), ("published", 2)] {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let status = spawn_training(&run, false, Some(&format!("last:2:{point}")))
            .wait()
            .unwrap();
        assert!(
            !status.success(),
            "{point}: the fail point did not stop the run"
        );
        let last = Checkpoint::load(&run.join("last"), tch::Device::Cpu).unwrap();
        assert_eq!(last.meta.progress.unwrap().epoch, epoch_after, "{point}");
        let status = spawn_training(&run, true, None).wait().unwrap();
        assert!(status.success(), "{point}: resume failed");
        assert_eq!(metrics(&run).len(), 3, "{point}");
        let last = Checkpoint::load(&run.join("last"), tch::Device::Cpu).unwrap();
        assert_eq!(last.meta.progress.unwrap().epoch, 3, "{point}");
    }
}

/// The trainer reproduces the files committed beside each shipped model: `rin-train eval` on the
/// test split (the same counts) and `rin-train predict` on the first 100 test sentences (the same
/// triples), from the model's `checkpoint/`, at the threshold of the model's manifest.
#[test]
fn shipped_checkpoints_reproduce_their_committed_trainer_files() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (model, data) in [("webnlg", "webnlg"), ("webnlg-star", "webnlg-star")] {
        let model = repo.join("models").join(model);
        let checkpoint = model.join("checkpoint");
        // The references are made at the threshold the folder decodes with (its manifest's).
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(model.join("manifest.json")).unwrap())
                .unwrap();
        let threshold = manifest["threshold"].as_f64().unwrap().to_string();
        let json = check(
            rin_train()
                .args(["eval", "--split", "test", "--json", "--device", "cpu"])
                .args(["--threshold", &threshold])
                .arg("--checkpoint")
                .arg(&checkpoint)
                .current_dir(&repo)
                .output()
                .unwrap(),
        );
        let now: serde_json::Value = serde_json::from_str(&json).unwrap();
        let committed: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(model.join("trainer_eval_test.json")).unwrap(),
        )
        .unwrap();
        for part in ["triples", "cells", "entities"] {
            assert_eq!(
                now["scores"][part]["counts"],
                committed["scores"][part]["counts"],
                "{} {part}",
                model.display()
            );
        }

        let test: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(data_dir(data).join("test.json")).unwrap(),
        )
        .unwrap();
        let sentences: String = test[..100].iter().map(|s| line_of(s) + "\n").collect();
        let mut child = rin_train()
            .args([
                "predict",
                "--json",
                "--device",
                "cpu",
                "--threshold",
                &threshold,
            ])
            .arg("--checkpoint")
            .arg(&checkpoint)
            .current_dir(&repo)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(sentences.as_bytes())
            .unwrap();
        let predicted = check(child.wait_with_output().unwrap());
        let committed = std::fs::read_to_string(model.join("trainer_predict_test.jsonl")).unwrap();
        assert_eq!(predicted.lines().count(), 100);
        for (i, (a, b)) in predicted.lines().zip(committed.lines()).enumerate() {
            let (a, b): (serde_json::Value, serde_json::Value) = (
                serde_json::from_str(a).unwrap(),
                serde_json::from_str(b).unwrap(),
            );
            assert_eq!(a, b, "{} sentence {i}", model.display());
        }
    }
}

/// A test sentence as the committed files' commands printed it: JointER's tokens joined by
/// spaces, CasRel's `text`.
fn line_of(sentence: &serde_json::Value) -> String {
    match sentence.get("tokens") {
        Some(tokens) => {
            let tokens: Vec<&str> = tokens
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            tokens.join(" ")
        }
        None => sentence["text"].as_str().unwrap().to_string(),
    }
}
