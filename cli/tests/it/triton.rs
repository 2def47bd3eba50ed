//! `rin export --format triton`: the repository's graphs load and run in ONNX Runtime with the
//! outputs of the ordinary export, each model folder opens as a rin model, and the two things
//! Triton's batching does to requests (join them along the batch, pad `seq` to a common length)
//! leave the outputs of every real position unchanged.

use std::path::Path;

use rin_core::{PaddedBatch, Sentence};
use rin_exporter::fixture::{write_checkpoint, FixtureSpec};
use rin_runtime::input::ModelInputs;
use rin_runtime::session::{self, ModelOutput, ModelSession, OrtConfig};
use rin_runtime::{Extractor, Model, PipelineConfig};

use crate::util::*;

fn session(model: &Model, graph: &Path) -> ModelSession {
    let config = OrtConfig {
        library: Some(ort_dylib()),
        threads: Some(1),
        ..Default::default()
    };
    let (runtime, cuda) = session::setup(&config).unwrap();
    ModelSession::load(
        runtime,
        graph,
        model.graph_names(),
        model.relations().len(),
        &config,
        cuda,
    )
    .unwrap()
}

/// `batch` with `seq_len` raised to `seq` (PAD = 0 after each sentence), as a client padding to a
/// fixed length sends it.
fn pad_to(batch: &PaddedBatch, seq: usize) -> PaddedBatch {
    let mut out = batch.clone();
    out.seq_len = seq;
    let widen = |data: &[i64]| -> Vec<i64> {
        data.chunks(batch.seq_len)
            .flat_map(|row| {
                row.iter()
                    .copied()
                    .chain(std::iter::repeat_n(0, seq - row.len()))
            })
            .collect()
    };
    out.word_ids = widen(&batch.word_ids);
    out.pos_ids = widen(&batch.pos_ids);
    out.tags = widen(&batch.tags);
    out
}

/// Sentence `b`'s outputs at real positions: `[n, 5]` and `[n, n, R]`.
fn real_rows(output: &ModelOutput, b: usize, n: usize) -> (Vec<f32>, Vec<f32>) {
    let entity = output.entity_block(b)[..n * 5].to_vec();
    let block = output.relation_block(b);
    let (seq, r) = (output.seq_len, output.relations);
    let mut relation = Vec::new();
    for i in 0..n {
        for j in 0..n {
            relation.extend_from_slice(&block[(i * seq + j) * r..(i * seq + j + 1) * r]);
        }
    }
    (entity, relation)
}

fn assert_close(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    let worst = rin_core::parity::max_abs_difference(a, b);
    assert!(
        rin_core::parity::within(worst, 1e-5),
        "{what}: max difference {worst}"
    );
}

#[test]
fn the_triton_repository_runs_in_onnx_runtime_like_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let ckpt = dir.path().join("ckpt");
    write_checkpoint(&ckpt, &FixtureSpec::tiny(5)).unwrap();
    let onnx = dir.path().join("onnx");
    let repo = dir.path().join("repo");
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(&ckpt)
            .arg("-o")
            .arg(&onnx)
            .args(["--k", "0..=2"]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(&ckpt)
            .arg("-o")
            .arg(&repo)
            .args([
                "--k",
                "0..=2",
                "--format",
                "triton",
                "--max-batch-size",
                "16",
            ]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("hard-linked"), "{stdout}");
    assert!(stdout.contains("rin_k2"), "{stdout}");

    let export = Model::open(&onnx).unwrap();
    let sentences: Vec<Sentence> = [
        &["john", "was", "born", "in", "london", "city"][..],
        &["the", "cat", "sat", "on", "the", "mat", "."],
        &["london"],
    ]
    .iter()
    .map(|words| Sentence::from_tokens(words.iter().map(|w| w.to_string()).collect()))
    .collect();
    let refs: Vec<&Sentence> = sentences.iter().collect();
    let pos = export.pos().unwrap();
    let joined = PaddedBatch::new(&refs, export.words(), pos);

    for k in 0..=2 {
        let model_dir = repo.join(format!("rin_k{k}"));
        let config = std::fs::read_to_string(model_dir.join("config.pbtxt")).unwrap();
        assert!(
            config.contains("platform: \"onnxruntime_onnx\""),
            "{config}"
        );
        assert!(config.contains("max_batch_size: 16"), "{config}");
        // The model folder is a rin model folder too.
        let triton = Model::open(&model_dir).unwrap();
        let (graph_k, graph) = triton.graph(None).unwrap();
        assert_eq!(graph_k, k);
        assert_eq!(graph, model_dir.join("1/model.onnx"));
        assert_eq!(triton.ks(), [k]);

        let from_repo = session(&triton, &graph);
        let (_, export_graph) = export.graph(Some(k)).unwrap();
        let from_export = session(&export, &export_graph);

        let a = from_repo.run(&ModelInputs::new(joined.clone())).unwrap();
        let b = from_export.run(&ModelInputs::new(joined.clone())).unwrap();
        assert_eq!(a, b, "K = {k}: the repository's graph is the export's");

        // Each request alone, padded to a Triton bucket of 8, matches its row of the joined batch.
        for (i, sentence) in sentences.iter().enumerate() {
            let n = sentence.len();
            let alone = PaddedBatch::new(&[sentence], export.words(), pos);
            let padded = from_repo.run(&ModelInputs::new(pad_to(&alone, 8))).unwrap();
            let (e1, r1) = real_rows(&a, i, n);
            let (e2, r2) = real_rows(&padded, 0, n);
            assert_close(&e1, &e2, &format!("K = {k}, sentence {i}, entity_probs"));
            assert_close(&r1, &r2, &format!("K = {k}, sentence {i}, relation_probs"));
        }
    }

    // rin's own pipeline runs on a Triton model folder (client-side pieces: tokenizer, tagger,
    // decoding) and agrees with the ordinary export.
    let config = PipelineConfig {
        ort: OrtConfig {
            library: Some(ort_dylib()),
            threads: Some(1),
            ..Default::default()
        },
        plugin_dir: Some(plugin_dir()),
        k: Some(1),
        // The tiny fixture knows five POS tags; the tagger's tag set is far larger.
        allow_tagset_mismatch: true,
        ..Default::default()
    };
    let texts = ["John was born in London city .", "The cat sat on the mat ."];
    let on_repo = Extractor::load(Model::open(&repo.join("rin_k1")).unwrap(), &config)
        .unwrap()
        .extract(&texts)
        .unwrap();
    let on_export = Extractor::load(export, &config)
        .unwrap()
        .extract(&texts)
        .unwrap();
    assert_eq!(on_repo, on_export);
}

/// `examples/triton_client.rs`, built by `cargo test` next to this test binary.
fn triton_client() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(Path::parent).unwrap();
    profile.join("examples").join("triton_client")
}

#[test]
fn the_triton_client_example_decodes_like_rin_extract() {
    let client = triton_client();
    assert!(client.is_file(), "{} was not built", client.display());
    let dir = tempfile::tempdir().unwrap();
    let ckpt = dir.path().join("ckpt");
    write_checkpoint(&ckpt, &FixtureSpec::tiny(5).without_pos()).unwrap();
    let repo = dir.path().join("repo");
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(&ckpt)
            .arg("-o")
            .arg(&repo)
            .args(["--format", "triton"]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let model_dir = repo.join("rin_k2");
    let texts = [
        "John was born in London city .",
        "",
        "the cat sat on the mat",
    ];

    let mut cmd = std::process::Command::new(&client);
    cmd.arg("--model")
        .arg(&model_dir)
        .arg("--dry-run")
        .args(&texts[..1])
        .env("RIN_ORT_DYLIB", ort_dylib())
        .env("RIN_PLUGIN_DIR", plugin_dir());
    let request = cmd.output().unwrap();
    assert!(request.status.success(), "{}", stderr(&request));
    let request = String::from_utf8(request.stdout).unwrap();
    let (line, body) = request.split_once('\n').unwrap();
    assert_eq!(line, "POST /v2/models/rin_k2/infer");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["inputs"][0]["shape"], serde_json::json!([1, 16]));
    assert_eq!(body["inputs"][2]["shape"], serde_json::json!([1, 1]));
    assert_eq!(body["inputs"][2]["data"], serde_json::json!([7]));

    let mut cmd = std::process::Command::new(&client);
    cmd.arg("--model")
        .arg(&model_dir)
        .arg("--local")
        .args(texts)
        .env("RIN_ORT_DYLIB", ort_dylib())
        .env("RIN_PLUGIN_DIR", plugin_dir());
    let got = json_lines(&run(&mut cmd, b""));
    let want = json_lines(&run(
        rin(dir.path())
            .arg("extract")
            .arg("-m")
            .arg(&model_dir)
            .args(texts),
        b"",
    ));
    assert_eq!(got.len(), 3);
    for (got, want) in got.iter().zip(&want) {
        assert_eq!(got["tokens"], want["tokens"]);
        assert_eq!(got["entities"], want["entities"]);
        let triples = |v: &serde_json::Value| -> Vec<(String, String, String, f64)> {
            v["triples"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["subject"]["text"].to_string(),
                        t["relation"].to_string(),
                        t["object"]["text"].to_string(),
                        t["score"].as_f64().unwrap(),
                    )
                })
                .collect()
        };
        let (g, w) = (triples(got), triples(want));
        assert_eq!(g.len(), w.len(), "{got}\n{want}");
        for (a, b) in g.iter().zip(&w) {
            assert_eq!((&a.0, &a.1, &a.2), (&b.0, &b.1, &b.2));
            assert!((a.3 - b.3).abs() < 1e-5);
        }
    }
}
