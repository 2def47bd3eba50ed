//! Sparse relation outputs (`rin export --outputs sparse`): the graph lists only the cells at or
//! above the threshold it is given, and `rin` decodes them to exactly the dense graph's triples.

use serde_json::Value;

use crate::util::*;

/// Exports `checkpoint` with sparse relation outputs (all of `ks`) into `dir/sparse`.
fn export_sparse(
    dir: &std::path::Path,
    checkpoint: &std::path::Path,
    ks: &str,
    word_table: &[String],
) -> std::path::PathBuf {
    let out = dir.join("sparse");
    let done = run(
        rin(dir)
            .arg("export")
            .arg(checkpoint)
            .args(["-o"])
            .arg(&out)
            .args(["--k", ks, "--outputs", "sparse"])
            .args(word_table),
        b"",
    );
    assert!(done.status.success(), "{}", stderr(&done));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["relation_output"], "sparse");
    let outputs: Vec<&str> = manifest["onnx"]["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        outputs,
        ["entity_probs", "relation_cells", "relation_scores"]
    );
    out
}

/// `rin extract` of `input` with `model` and extra arguments: one JSON value per line.
fn extract(
    dir: &std::path::Path,
    model: &std::path::Path,
    args: &[&str],
    input: &str,
) -> Vec<Value> {
    let out = run(
        rin(dir)
            .args(["extract", "--tokenizer", "whitespace", "-m"])
            .arg(model)
            .args(args),
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    json_lines(&out)
}

/// The test split of a bundled data set, one text per line.
fn test_lines(data: &str) -> String {
    crate::shipped::test_texts(data)
        .into_iter()
        .map(|text| text + "\n")
        .collect()
}

fn sparse_matches_dense_on_the_test_set(model: &str, data: &str) {
    let dir = tempfile::tempdir().unwrap();
    let dense = repo_root().join(model);
    let input = test_lines(data);
    // The trained K, at the manifest's threshold and at a lower one given at run time (the
    // sparse graph is fed that one).
    let trained_k: Value =
        serde_json::from_str(&std::fs::read_to_string(dense.join("manifest.json")).unwrap())
            .unwrap();
    let trained_k = trained_k["trained_k"].as_u64().unwrap().to_string();
    let sparse = export_sparse(
        dir.path(),
        &dense.join("checkpoint"),
        &trained_k,
        &shipped_export_flags(&dense),
    );
    for args in [vec![], vec!["--threshold", "0.2"]] {
        let want = extract(dir.path(), &dense, &args, &input);
        let got = extract(dir.path(), &sparse, &args, &input);
        assert_eq!(want.len(), 703);
        let triples: usize = want
            .iter()
            .map(|r| r["triples"].as_array().unwrap().len())
            .sum();
        assert!(triples > 1000, "{model}: only {triples} triples to compare");
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            // Entities, triples and their scores, exactly.
            assert_eq!(w, g, "{model} {args:?}: line {}", i + 1);
        }
    }
}

#[test]
fn sparse_outputs_give_the_dense_triples_and_scores_on_the_webnlg_star_test_set() {
    sparse_matches_dense_on_the_test_set("models/webnlg-star", "data/webnlg-star");
}

#[test]
fn sparse_outputs_give_the_dense_triples_and_scores_on_the_webnlg_test_set() {
    sparse_matches_dense_on_the_test_set("models/webnlg", "data/webnlg");
}

#[test]
fn triton_export_refuses_sparse_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(repo_root().join("models/webnlg-star/checkpoint"))
            .args(["-o", "t", "--format", "triton", "--outputs", "sparse"]),
        b"",
    );
    assert_fails_with(&out, &["--outputs sparse", "Triton"]);
    assert!(!dir.path().join("t").exists());
}
