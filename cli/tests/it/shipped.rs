//! The trained models shipped in `models/`: `models/webnlg-star` (partial match, K = 2) and
//! `models/webnlg` (exact match, K = 3). For each, `rin` agrees with the trainer that made it, and
//! its README states the F1 that `rin eval` measures.
//!
//! The references next to each model were written by the trainer from the same checkpoint (the
//! model's README gives the commands): `trainer_eval_test.json` is `rin-train eval --json` on the
//! test split, `trainer_predict_test.jsonl` is `rin-train predict --json` on the first test
//! sentences.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::*;

/// A triple by token spans: subject start and end, relation, object start and end.
type TokenTriple = (usize, usize, String, usize, usize);

/// A shipped model and the data set it was trained on.
struct Shipped {
    model: &'static str,
    data: &'static str,
}

const WEBNLG_STAR: Shipped = Shipped {
    model: "models/webnlg-star",
    data: "data/webnlg-star",
};

const WEBNLG: Shipped = Shipped {
    model: "models/webnlg",
    data: "data/webnlg",
};

/// The test sentences as text: CasRel's `text`, or JointER's `tokens` joined by spaces (what the
/// trainer's references were made from).
pub(crate) fn test_texts(data: &str) -> Vec<String> {
    let data: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join(data).join("test.json")).unwrap(),
    )
    .unwrap();
    data.as_array()
        .unwrap()
        .iter()
        .map(|r| match r["text"].as_str() {
            Some(text) => text.to_string(),
            None => r["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect()
}

#[test]
fn webnlg_star_eval_f1_equals_the_trainers_eval_and_the_readme() {
    eval_f1_equals_the_trainers_eval_and_the_readme(&WEBNLG_STAR);
}

#[test]
fn webnlg_star_extract_gives_the_triples_of_the_trainers_own_decoding() {
    extract_gives_the_triples_of_the_trainers_own_decoding(&WEBNLG_STAR);
}

#[test]
fn webnlg_eval_f1_equals_the_trainers_eval_and_the_readme() {
    eval_f1_equals_the_trainers_eval_and_the_readme(&WEBNLG);
}

#[test]
fn webnlg_extract_gives_the_triples_of_the_trainers_own_decoding() {
    extract_gives_the_triples_of_the_trainers_own_decoding(&WEBNLG);
}

fn eval_f1_equals_the_trainers_eval_and_the_readme(shipped: &Shipped) {
    let model = repo_root().join(shipped.model);
    let trainer: Value = serde_json::from_str(
        &std::fs::read_to_string(model.join("trainer_eval_test.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .args(["eval", "--json", "--split", "test", "--data"])
            .arg(repo_root().join(shipped.data))
            .arg("-m")
            .arg(&model),
        b"",
    );
    let ours = json_lines(&out)[0]["triples"]["f1"].as_f64().unwrap();
    let theirs = trainer["scores"]["triples"]["f1"].as_f64().unwrap();
    assert!(
        (100.0 * (ours - theirs)).abs() <= 0.1,
        "rin eval F1 {:.2} vs the trainer's {:.2}",
        100.0 * ours,
        100.0 * theirs
    );
    let readme = std::fs::read_to_string(model.join("README.md")).unwrap();
    let stated = format!("{:.1}", 100.0 * ours);
    assert!(
        readme.contains(&format!("test F1 {stated}")),
        "{}/README.md should state `test F1 {stated}`",
        shipped.model
    );
}

fn extract_gives_the_triples_of_the_trainers_own_decoding(shipped: &Shipped) {
    let model = repo_root().join(shipped.model);
    let expected: Vec<BTreeSet<TokenTriple>> =
        std::fs::read_to_string(model.join("trainer_predict_test.jsonl"))
            .unwrap()
            .lines()
            .map(|line| {
                let triples: Value = serde_json::from_str(line).unwrap();
                triples
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| {
                        let span = |key: &str| {
                            (
                                t[key]["start"].as_u64().unwrap() as usize,
                                t[key]["end"].as_u64().unwrap() as usize,
                            )
                        };
                        let ((s0, s1), (o0, o1)) = (span("subject_span"), span("object_span"));
                        (s0, s1, t["relation"].as_str().unwrap().to_string(), o0, o1)
                    })
                    .collect()
            })
            .collect();
    assert!(
        expected.len() >= 50,
        "the reference covers at least 50 sentences"
    );
    assert!(
        expected.iter().any(|set| !set.is_empty()),
        "the reference has triples to compare"
    );

    let texts = test_texts(shipped.data);
    let input = texts[..expected.len()].join("\n") + "\n";
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .args([
                "extract",
                "--tokenizer",
                "whitespace",
                "--batch-size",
                "7",
                "-m",
            ])
            .arg(&model),
        input.as_bytes(),
    );
    let results = json_lines(&out);
    assert_eq!(results.len(), expected.len());
    for (i, (result, want)) in results.iter().zip(&expected).enumerate() {
        let got: BTreeSet<_> = result["triples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let span = |key: &str| {
                    let tokens = t[key]["tokens"].as_array().unwrap();
                    (
                        tokens[0].as_u64().unwrap() as usize,
                        tokens[1].as_u64().unwrap() as usize,
                    )
                };
                let ((s0, s1), (o0, o1)) = (span("subject"), span("object"));
                (s0, s1, t["relation"].as_str().unwrap().to_string(), o0, o1)
            })
            .collect();
        assert_eq!(&got, want, "sentence {i}: {}", texts[i]);
    }
}
