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

/// A model trained on a tagger plugin's tags (`rin-train --retag-pos`) reads that tagger's tags
/// even where a data set ships its own; a model trained on the data's tags reads the data's.
#[test]
fn eval_reads_shipped_pos_tags_only_for_models_trained_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let webnlg = repo_root().join("data/webnlg");
    let test: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(webnlg.join("test.json")).unwrap()).unwrap();
    let test = &test[..200];
    assert!(test.iter().all(|s| s["pos_tags"].is_array()));
    let untagged_test: Vec<serde_json::Value> = test
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.as_object_mut().unwrap().remove("pos_tags");
            s
        })
        .collect();
    let data = |name: &str, sentences: &[serde_json::Value]| {
        let folder = dir.path().join(name);
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(
            folder.join("test.json"),
            serde_json::to_vec(sentences).unwrap(),
        )
        .unwrap();
        std::fs::copy(webnlg.join("rel2id.json"), folder.join("rel2id.json")).unwrap();
        folder
    };
    let tagged = data("tagged", test);
    let untagged = data("untagged", &untagged_test);
    let eval = |model: &std::path::Path, data: &std::path::Path| {
        let out = run(
            rin(dir.path())
                .args(["eval", "--json", "--split", "test", "--threads", "1", "-m"])
                .arg(model)
                .arg("--data")
                .arg(data),
            b"",
        );
        let report = &json_lines(&out)[0];
        let counts = &report["triples"];
        (counts["correct"].clone(), counts["predicted"].clone())
    };

    // The shipped weights, recorded as trained on the data's tags, then on the perceptron's.
    let star: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("models/webnlg-star/manifest.json")).unwrap(),
    )
    .unwrap();
    let plugin_source = star["pos"]["source"].clone();
    assert_eq!(plugin_source["kind"], "plugin");
    let dataset_source = serde_json::json!({ "kind": "dataset", "tagger": "Stanford CoreNLP" });
    let shipped = repo_root().join("models/webnlg");
    let with_source = |name: &str, source: &serde_json::Value| {
        let folder = dir.path().join(name);
        copy_model_files(&shipped, &folder);
        let path = folder.join("manifest.json");
        let mut manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        manifest["pos"]["source"] = source.clone();
        std::fs::write(&path, manifest.to_string()).unwrap();
        folder
    };
    let data_tagged = with_source("data-tags", &dataset_source);
    let with_data_tags = eval(&data_tagged, &tagged);
    let with_tagger = eval(&data_tagged, &untagged);
    assert_ne!(
        with_data_tags, with_tagger,
        "CoreNLP's tags and the perceptron's give one result"
    );
    let retagged = with_source("retagged", &plugin_source);
    assert_eq!(eval(&retagged, &tagged), with_tagger);
    assert_eq!(eval(&retagged, &untagged), with_tagger);
}
