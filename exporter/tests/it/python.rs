//! Checks with the set-up venv's Python: `onnx.checker` (full check) and ONNX Runtime against an
//! independent NumPy forward pass (`tests/parity.py`). Skipped, with the reason printed, when no
//! venv with onnx and onnxruntime is found (`cargo xtask setup` makes one).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use rin_exporter::fixture::{vocab, FixtureSpec};
use rin_exporter::{export, ExportOptions, Interaction};

use crate::util::{require_venv, run_python, Fixture};

const CHECK: &str = "import sys, onnx\n\
for path in sys.argv[1:]:\n    onnx.checker.check_model(path, full_check=True)\n    print('ok', path)\n";

/// Runs `onnx.checker.check_model(full_check=True)` on every graph in `paths`.
fn assert_checker_accepts(python: &Path, paths: &[PathBuf]) {
    let mut args: Vec<&OsStr> = vec![OsStr::new("-c"), OsStr::new(CHECK)];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let stdout = run_python(python, &args);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        paths.len(),
        "{stdout}"
    );
}

fn parity_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity.py")
}

/// Runs `tests/parity.py` on a checkpoint and its export (K = 0..=4) with WebNLG dev sentences;
/// `--torch` is added when `RIN_PARITY_TORCH` is set (also compares with PyTorch's own modules).
fn parity(python: &Path, fixture: &Fixture, json: Option<&Path>) -> String {
    let mut args: Vec<OsString> = vec![
        parity_script().into(),
        "--checkpoint".into(),
        fixture.ckpt().into(),
        "--export".into(),
        fixture.out().into(),
        "--sentences".into(),
        webnlg("dev.json").into(),
    ];
    if let Some(json) = json {
        args.extend(["--json".into(), json.into()]);
    }
    if std::env::var_os("RIN_PARITY_TORCH").is_some() {
        args.push("--torch".into());
    }
    run_python(python, &args)
}

fn webnlg(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data/webnlg")
        .join(file)
}

/// The tiny model and its ablations, each exported for K = 0..=4.
fn variants() -> Vec<(&'static str, Fixture)> {
    let mut out = vec![
        ("full", Fixture::tiny()),
        ("no-pos", Fixture::new(&FixtureSpec::tiny(11).without_pos())),
    ];
    for (name, interaction) in [("no-er", Interaction::NoEr), ("no-rc", Interaction::NoRc)] {
        let mut spec = FixtureSpec::tiny(if interaction == Interaction::NoEr {
            13
        } else {
            17
        });
        spec.config.interaction = interaction;
        out.push((name, Fixture::new(&spec)));
    }
    for (_, f) in &out {
        export(
            &f.ckpt(),
            &f.out(),
            &ExportOptions {
                ks: (0..=4).collect(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    out
}

#[test]
fn onnx_checker_accepts_every_graph() {
    let python = require_venv!();
    let variants = variants();
    let paths: Vec<PathBuf> = variants
        .iter()
        .flat_map(|(_, f)| (0..=4).map(move |k| f.out().join(format!("model_k{k}.onnx"))))
        .collect();
    assert_checker_accepts(&python, &paths);
}

/// The trained checkpoint shipped in `models/webnlg-star/checkpoint`, exported for K = 0..=4.
#[test]
fn onnx_checker_accepts_the_trained_checkpoints_graphs() {
    let python = require_venv!();
    let checkpoint = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/webnlg-star/checkpoint");
    let out = tempfile::tempdir().unwrap();
    let options = ExportOptions {
        ks: (0..=4).collect(),
        ..Default::default()
    };
    export(&checkpoint, out.path(), &options).unwrap();
    let mut paths: Vec<PathBuf> = (0..=4)
        .map(|k| out.path().join(format!("model_k{k}.onnx")))
        .collect();
    // The sparse-output variant (threshold input, NonZero and GatherND outputs) too.
    let sparse = out.path().join("sparse");
    let options = ExportOptions {
        ks: vec![0, 2],
        relation_output: rin_exporter::rin_graph::RelationOutput::Sparse,
        ..Default::default()
    };
    export(&checkpoint, &sparse, &options).unwrap();
    paths.extend([0, 2].map(|k| sparse.join(format!("model_k{k}.onnx"))));
    // int8 graphs (DynamicQuantizeLinear, MatMulInteger, int8 external weights), dense and sparse,
    // next to fp32 graphs in the same folder (one weights file for both precisions).
    for (dir, output) in [
        ("int8", rin_exporter::rin_graph::RelationOutput::Dense),
        (
            "int8-sparse",
            rin_exporter::rin_graph::RelationOutput::Sparse,
        ),
    ] {
        let int8 = out.path().join(dir);
        let options = ExportOptions {
            ks: (0..=4).collect(),
            relation_output: output,
            precisions: vec![
                rin_exporter::manifest::Precision::Fp32,
                rin_exporter::manifest::Precision::Int8,
            ],
            ..Default::default()
        };
        export(&checkpoint, &int8, &options).unwrap();
        paths.extend((0..=4).map(|k| int8.join(format!("model_k{k}_int8.onnx"))));
        paths.extend([0, 4].map(|k| int8.join(format!("model_k{k}.onnx"))));
    }
    // fp16 graphs (float16 weights and constants, Casts to float32 before the outputs), dense
    // and sparse (its float32 threshold compared with float32 probabilities).
    for (dir, output) in [
        ("fp16", rin_exporter::rin_graph::RelationOutput::Dense),
        (
            "fp16-sparse",
            rin_exporter::rin_graph::RelationOutput::Sparse,
        ),
    ] {
        let half = out.path().join(dir);
        let options = ExportOptions {
            ks: vec![0, 2],
            relation_output: output,
            precisions: vec![rin_exporter::manifest::Precision::Fp16],
            ..Default::default()
        };
        export(&checkpoint, &half, &options).unwrap();
        paths.extend([0, 2].map(|k| half.join(format!("model_k{k}_fp16.onnx"))));
    }
    // float16 word rows (a Cast after the Gather).
    let fp16 = out.path().join("fp16-rows");
    let options = ExportOptions {
        ks: vec![2],
        word_table: rin_core::manifest::WordTablePrecision::Fp16,
        ..Default::default()
    };
    export(&checkpoint, &fp16, &options).unwrap();
    paths.push(fp16.join("model_k2.onnx"));
    assert_checker_accepts(&python, &paths);
}

#[test]
fn onnx_runtime_matches_the_reference_tiny_and_ablations() {
    let python = require_venv!();
    for (name, f) in variants() {
        let stdout = parity(&python, &f, None);
        eprintln!("[{name}]\n{stdout}");
    }
}

/// A randomly initialised model of the paper's size whose vocabularies and relations are
/// WebNLG's (words and POS tags of the first dev sentences), run on real WebNLG sentences.
#[test]
fn onnx_runtime_matches_the_reference_full_size_webnlg() {
    let python = require_venv!();
    let dev: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(webnlg("dev.json")).unwrap()).unwrap();
    let mut words: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    for sentence in dev.as_array().unwrap().iter().take(50) {
        for t in sentence["tokens"].as_array().unwrap() {
            let w = t.as_str().unwrap().to_lowercase();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        for t in sentence["pos_tags"].as_array().unwrap() {
            let t = t.as_str().unwrap().to_owned();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
    }
    let rel2id: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(webnlg("rel2id.json")).unwrap()).unwrap();
    let map = rel2id
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_object()
        .unwrap();
    let mut relations: Vec<(u64, String)> = map
        .iter()
        .map(|(k, v)| (v.as_u64().unwrap(), k.clone()))
        .collect();
    relations.sort();
    let relations: Vec<String> = relations.into_iter().map(|(_, n)| n).collect();

    let spec = FixtureSpec::full_size(
        vocab(words.iter().map(String::as_str)),
        vocab(tags.iter().map(String::as_str)),
        relations,
        5,
    );
    let f = Fixture::new(&spec);
    export(
        &f.ckpt(),
        &f.out(),
        &ExportOptions {
            ks: (0..=4).collect(),
            ..Default::default()
        },
    )
    .unwrap();
    let json = f.dir.path().join("parity.json");
    let stdout = parity(&python, &f, Some(&json));
    eprintln!("{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert!(summary["max_abs_diff"].as_f64().unwrap() <= 1e-4);
    assert_eq!(summary["results"].as_array().unwrap().len(), 5 * 4);
}
