//! `rin eval`: rin-core's scores of the model's decoded outputs, and (given a trained model)
//! agreement with the trainer's eval.

use std::path::PathBuf;

use rin_core::{Evaluator, MatchMode, RelationSet, Triple};

use crate::util::*;

#[test]
fn eval_scores_the_decoded_outputs_with_rin_core() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo_root().join("data/webnlg-star");
    let out = run(
        rin(dir.path())
            .args([
                "eval", "--json", "--match", "partial", "--split", "test", "--data",
            ])
            .arg(&data)
            .arg("-m")
            .arg(model(Fixture::Pos)),
        b"",
    );
    let report = &json_lines(&out)[0];

    // The reference: every test sentence run alone, decoded and scored with rin-core.
    let relations = RelationSet::from_names(webnlg_relations());
    let gold = rin_core::load_file(
        &data.join("test.json"),
        rin_core::DataFormat::CasRel,
        &relations,
    )
    .unwrap();
    let tokens: Vec<Vec<String>> = gold.sentences.iter().map(|s| s.tokens.clone()).collect();
    let direct = direct_predictions(
        &model(Fixture::Pos),
        &tokens,
        MatchMode::Partial,
        FIXTURE_THRESHOLD,
    );
    let mut evaluator = Evaluator::new(MatchMode::Partial, &relations);
    for (g, d) in gold.sentences.iter().zip(&direct) {
        let triples: Vec<Triple> = d
            .triples
            .iter()
            .map(|&(subject, relation, object, _)| Triple {
                subject,
                relation,
                object,
            })
            .collect();
        evaluator.add(g, &d.tags, &triples);
    }
    let want = evaluator.report();
    assert_eq!(report["sentences"], 703);
    for (name, prf) in [
        ("triples", want.triples),
        ("cells", want.cells),
        ("entities", want.entities),
    ] {
        assert_eq!(report[name]["correct"], prf.correct, "{name}");
        assert_eq!(report[name]["predicted"], prf.predicted, "{name}");
        assert_eq!(report[name]["gold"], prf.gold, "{name}");
    }
    assert!(want.triples.predicted > 0 && want.triples.gold > 1000);

    // The table form prints the same figures.
    let out = run(
        rin(dir.path())
            .args(["eval", "--match", "partial", "--data"])
            .arg(&data)
            .arg("-m")
            .arg(model(Fixture::Pos)),
        b"",
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains(&format!(
            "{:>8} {:>9} {:>6}",
            want.triples.correct, want.triples.predicted, want.triples.gold
        )),
        "{table}"
    );
}

/// A trained model: `$RIN_TRAINED_MODEL` (default `runtime/tests/data/trained`) holding `model/`
/// (an export of a trained checkpoint) and `trainer_eval.json` (`rin-train eval --json` of the same
/// checkpoint on the test split). See `runtime/tests/data/README.md`.
fn trained_fixture() -> PathBuf {
    std::env::var_os("RIN_TRAINED_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("runtime/tests/data/trained"))
}

#[test]
#[ignore = "needs a trained model: RIN_TRAINED_MODEL or runtime/tests/data/trained (see runtime/tests/data/README.md)"]
fn eval_f1_equals_the_trainers_eval_of_the_same_checkpoint() {
    let fixture = trained_fixture();
    let trainer: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.join("trainer_eval.json"))
            .unwrap_or_else(|e| panic!("{}/trainer_eval.json: {e}", fixture.display())),
    )
    .unwrap();
    let model_dir = fixture.join("model");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model_dir.join("manifest.json")).unwrap())
            .unwrap();
    let data = manifest["data"]["dir"]
        .as_str()
        .expect("the manifest names its data folder");
    let data = if std::path::Path::new(data).is_absolute() {
        PathBuf::from(data)
    } else {
        repo_root().join(data)
    };
    let split = trainer["split"].as_str().unwrap_or("test");
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .args(["eval", "--json", "--split", split, "--data"])
            .arg(&data)
            .arg("-m")
            .arg(&model_dir),
        b"",
    );
    let ours = &json_lines(&out)[0];
    let (f1, trainer_f1) = (
        ours["triples"]["f1"].as_f64().unwrap(),
        trainer["scores"]["triples"]["f1"].as_f64().unwrap(),
    );
    assert!(
        (100.0 * (f1 - trainer_f1)).abs() <= 0.1,
        "rin eval F1 {:.2} vs the trainer's {:.2}",
        100.0 * f1,
        100.0 * trainer_f1
    );
}
