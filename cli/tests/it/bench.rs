//! `rin bench`: behaviour only (files, rows, agreement of the two modes), never timings.

use serde_json::Value;

use crate::util::*;

/// `rin bench --out b`'s results.json, run in `dir`.
fn results(dir: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("b/results.json")).unwrap()).unwrap()
}

#[test]
fn quick_bench_writes_a_row_for_every_case_and_both_modes_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .args(["bench", "--quick", "-m"])
            .arg(model(Fixture::Pos))
            .args([
                "--k",
                "0,2",
                "--batch",
                "1,3",
                "--tokens",
                "4,9",
                "--threads",
                "1",
                "--out",
                "b",
            ]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = results(dir.path());
    let rows = report["rows"].as_array().unwrap();
    // 2 modes x 2 Ks x 2 batch sizes x 2 lengths, each once.
    let mut cases: Vec<(String, u64, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["mode"].as_str().unwrap().to_owned(),
                r["k"].as_u64().unwrap(),
                r["batch"].as_u64().unwrap(),
                r["tokens"].as_u64().unwrap(),
            )
        })
        .collect();
    cases.sort();
    cases.dedup();
    assert_eq!(cases.len(), 16, "{cases:?}");
    for r in rows {
        assert_eq!(r["device"], "cpu");
        assert_eq!(r["provider"], "CPUExecutionProvider");
        let summary = &r["summary"];
        assert!(summary["n"].as_u64().unwrap() >= 3);
        assert!(summary["p50_ms"].as_f64().unwrap() <= summary["p90_ms"].as_f64().unwrap());
        match r["mode"].as_str().unwrap() {
            "end-to-end" => {
                assert_eq!(r["graph_agrees"], true, "{r}");
                assert!(r["triples"].as_u64().is_some());
            }
            _ => assert!(r["graph_agrees"].is_null()),
        }
    }
    assert!(rows.iter().any(|r| r["triples"].as_u64().unwrap_or(0) > 0));
    let csv = std::fs::read_to_string(dir.path().join("b/latency.csv")).unwrap();
    assert_eq!(csv.lines().count(), 17);
    assert!(csv.starts_with("mode,device,provider,threads,k,batch,tokens,"));
    for plot in ["latency.svg", "throughput.svg"] {
        let svg = std::fs::read_to_string(dir.path().join("b").join(plot)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("batch size"),
            "{plot}"
        );
    }
    // The table on stdout names every case.
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("end-to-end cpu t1 k2 b3 n9"), "{table}");
}

#[test]
fn bench_refuses_meaningless_options() {
    let dir = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (&["--batch", "0"][..], "--batch"),
        (&["--tokens", "0"][..], "--tokens"),
        (&["--seconds", "0"][..], "--seconds"),
        (&["--k", "9"][..], "no graph for K = 9"),
    ] {
        let out = run(
            rin(dir.path())
                .args(["bench", "--quick", "-m"])
                .arg(model(Fixture::Pos))
                .args(args),
            b"",
        );
        assert_fails_with(&out, &[needle]);
    }
}

/// Without `--k`, a folder that lacks the trained K's graph (exported with `--k 0..=1` from the
/// K = 3 shipped checkpoint) is timed at its largest K, as `rin extract` and `rin eval` run it.
#[test]
fn without_k_a_folder_lacking_the_trained_k_is_timed_at_its_largest() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("k01");
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(repo_root().join("models/webnlg/checkpoint"))
            .arg("--out")
            .arg(&folder)
            .args(["--k", "0..=1"]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        rin(dir.path())
            .args(["bench", "--quick", "-m"])
            .arg(&folder)
            .args([
                "--batch",
                "1",
                "--tokens",
                "4",
                "--threads",
                "1",
                "--out",
                "b",
            ]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = results(dir.path());
    let ks: Vec<u64> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["k"].as_u64().unwrap())
        .collect();
    assert!(!ks.is_empty() && ks.iter().all(|&k| k == 1), "{ks:?}");
}

/// A batch bound once (`ModelSession::bind`, what `--mode bound` times) gives what a plain run
/// gives, run after run, from a dense graph and from a sparse one.
#[test]
fn a_bound_batch_gives_the_plain_runs_outputs() {
    use rin_runtime::input::ModelInputs;
    let dir = tempfile::tempdir().unwrap();
    let sparse = dir.path().join("sparse");
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(repo_root().join("models/webnlg/checkpoint"))
            .arg("--out")
            .arg(&sparse)
            .args(["--k", "3", "--outputs", "sparse"]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sentences: Vec<rin_core::Sentence> = webnlg_sentences(12)
        .into_iter()
        .map(rin_core::Sentence::from_tokens)
        .collect();
    let refs: Vec<&rin_core::Sentence> = sentences.iter().collect();
    let no_arena = |model: &rin_runtime::Model| {
        use rin_runtime::session::{self, ModelSession, OrtConfig};
        let config = OrtConfig {
            library: Some(ort_dylib()),
            threads: Some(1),
            no_cpu_arena: true,
            ..Default::default()
        };
        let (runtime, cuda) = session::setup(&config).unwrap();
        let (_, _, graph) = model.graph_at(None, None).unwrap();
        let names = model.graph_names();
        let relations = model.relations().len();
        ModelSession::load(runtime, &graph, names, relations, &config, cuda).unwrap()
    };
    let cases = [
        (repo_root().join("models/webnlg"), false),
        (sparse, false),
        (repo_root().join("models/webnlg"), true),
    ];
    for (folder, without_arena) in cases {
        let model = rin_runtime::Model::open(&folder).unwrap();
        let session = if without_arena {
            no_arena(&model)
        } else {
            direct_session_at(&model, None)
        };
        let inputs = ModelInputs::new(rin_core::PaddedBatch::new(
            &refs,
            model.words(),
            model.pos().unwrap(),
        ))
        .with_threshold(model.threshold());
        let plain = session.run(&inputs).unwrap();
        let bound = session.bind(&inputs).unwrap();
        for _ in 0..2 {
            let again = bound.run_to_host().unwrap();
            assert_eq!(again, plain, "{}", folder.display());
        }
        bound.run().unwrap();
        let found = plain
            .relation_cells
            .as_ref()
            .map_or(plain.relation_probs.len(), |cells| {
                cells.iter().map(Vec::len).sum()
            });
        assert!(found > 0, "{}", folder.display());
    }
}

/// `--mode bound` writes rows of its own; CUDA graphs are refused for any other mode before
/// anything loads (so this holds without a GPU).
#[test]
fn bound_mode_writes_rows_and_cuda_graphs_need_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .args(["bench", "--quick", "-m"])
            .arg(model(Fixture::Pos))
            .args(["--mode", "graph,bound", "--batch", "2", "--tokens", "5"])
            .args(["--threads", "1", "--out", "b"]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = results(dir.path());
    let modes: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["graph", "bound"]);
    let out = run(
        rin(dir.path())
            .env("RIN_CUDA_OPTIONS", "cuda-graph")
            .args(["bench", "--quick", "-m"])
            .arg(model(Fixture::Pos))
            .args(["--device", "cuda", "--mode", "graph", "--out", "c"]),
        b"",
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--mode bound only"),
        "{}",
        stderr(&out)
    );
}
