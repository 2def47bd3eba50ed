//! CI's run of the harness in quick mode (seconds, no timing thresholds): every backend runs,
//! agrees with ONNX Runtime to 1e-4 (tch in process, the PyTorch eager script in Python), the
//! end-to-end stages give `Extractor::extract`'s results, and every file and plot is written.
//!
//! Needs ONNX Runtime and the venv's Python (run through `cargo xtask test`), and
//! `rin-memory-probe` built next to `rin-bench` (`cargo build --workspace` does that).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const TOLERANCE: f64 = 1e-4;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rin_bench(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_rin-bench"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("rin-bench runs");
    assert!(
        output.status.success(),
        "rin-bench {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn quick_sweep_runs_every_backend_and_they_agree_with_onnx_runtime() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let stdout = rin_bench(&[
        "sweep",
        "--quick",
        "--checkpoint",
        "exporter/tests/data/tiny",
        "--data",
        "data/webnlg-star",
        "--backends",
        "ort-cpu:1,tch-cpu:1,pytorch-cpu:1",
        "--out",
        out_dir,
    ]);
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("results.json")).unwrap()).unwrap();
    let rows = report["rows"].as_array().unwrap();
    // Quick plan: K 0..=2 at batch 1, batch 4, and one more length: 5 cases on 3 backends.
    assert_eq!(rows.len(), 15, "{stdout}");
    for backend in ["ort-cpu:1", "tch-cpu:1", "pytorch-cpu:1"] {
        let mine: Vec<&Value> = rows
            .iter()
            .filter(|r| {
                let b = &r["backend"];
                format!(
                    "{}-{}:{}",
                    b["engine"].as_str().unwrap(),
                    b["target"].as_str().unwrap(),
                    b["threads"]
                ) == backend
            })
            .collect();
        assert_eq!(mine.len(), 5, "{backend}");
        for row in mine {
            assert!(row["n"].as_u64().unwrap() >= 3, "{backend}: {row}");
            assert!(row["p50_ms"].as_f64().unwrap() > 0.0);
            let diff = row["max_abs_diff_vs_ort"]
                .as_f64()
                .unwrap_or_else(|| panic!("{backend}: no parity check in {row}"));
            assert!(
                diff <= TOLERANCE,
                "{backend} differs from ONNX Runtime by {diff}: {row}"
            );
            assert!(row["floor_ratio"].as_f64().unwrap() > 0.0);
        }
    }
    assert!(report["torch_version"].as_str().unwrap().starts_with("2."));

    let e2e = report["e2e"].as_array().unwrap();
    assert_eq!(e2e.len(), 2);
    for row in e2e {
        assert_eq!(row["stages_match_extract"], true, "{row}");
        assert_eq!(row["stage_mean_ms"].as_array().unwrap().len(), 5);
    }

    let memory = report["memory"].as_array().unwrap();
    assert_eq!(
        memory.len(),
        5,
        "rin-memory-probe must be built next to rin-bench (cargo build --workspace)"
    );
    for row in memory {
        let (start, loaded, peak) = (
            row["start_rss_mib"].as_f64().unwrap(),
            row["loaded_rss_mib"].as_f64().unwrap(),
            row["peak_rss_mib"].as_f64().unwrap(),
        );
        assert!(0.0 < start && start < loaded && loaded <= peak, "{row}");
    }

    let csv = std::fs::read_to_string(out.path().join("latency.csv")).unwrap();
    assert_eq!(csv.lines().count(), 16);
    for plot in [
        "latency_vs_batch",
        "latency_vs_k",
        "latency_vs_length",
        "throughput_vs_batch",
        "stages",
    ] {
        let svg = std::fs::read_to_string(out.path().join(format!("{plot}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{plot}");
        if plot != "stages" {
            for backend in ["ort-cpu:1", "tch-cpu:1", "pytorch-cpu:1"] {
                assert!(svg.contains(backend), "{plot}.svg has no {backend} series");
            }
        }
    }
    assert!(
        std::fs::read_to_string(out.path().join("throughput_vs_batch.svg"))
            .unwrap()
            .contains("compute floor")
    );

    // The plot command redraws from results.json alone.
    std::fs::remove_file(out.path().join("latency_vs_k.svg")).unwrap();
    rin_bench(&["plot", out.path().join("results.json").to_str().unwrap()]);
    assert!(out.path().join("latency_vs_k.svg").is_file());
}

#[test]
fn tradeoff_scores_each_k_like_rin_eval() {
    let out = tempfile::tempdir().unwrap();
    rin_bench(&[
        "tradeoff",
        "--quick",
        "--checkpoint",
        "normal=models/webnlg-star/checkpoint",
        "--data",
        "data/webnlg-star",
        "--split",
        "dev",
        "--max-k",
        "2",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let points: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("tradeoff.json")).unwrap()).unwrap();
    let points = points.as_array().unwrap();
    assert_eq!(points.len(), 3);
    let f1 = |k: usize| points[k]["dev_f1"].as_f64().unwrap();
    // The shipped model's dev F1 at its trained K, as its trainer recorded it when selecting the
    // epoch (checkpoint.json), and the untrained K = 0 far below it (no deep supervision).
    let checkpoint: Value = serde_json::from_slice(
        &std::fs::read(repo().join("models/webnlg-star/checkpoint/checkpoint.json")).unwrap(),
    )
    .unwrap();
    let trained = 100.0 * checkpoint["dev"]["triples"]["f1"].as_f64().unwrap();
    assert!(
        (f1(2) - trained).abs() < 0.01,
        "dev F1 at K=2 is {}, the trainer's {trained}",
        f1(2)
    );
    assert!(f1(0) < 50.0, "dev F1 at K=0 is {}", f1(0));
    let svg = std::fs::read_to_string(out.path().join("tradeoff.svg")).unwrap();
    assert!(svg.contains("K=2"));
}
