//! `rin eval`: rin-core's scores of the model's decoded outputs, and (given a trained model)
//! agreement with the trainer's eval.

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
