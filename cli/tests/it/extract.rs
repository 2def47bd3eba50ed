//! `rin extract`: results equal decoding the model's outputs directly; inputs from arguments,
//! stdin and files give the same results; offsets are character offsets.

use rin_core::MatchMode;
use serde_json::Value;

use crate::util::*;

/// The POS fixture's predictor (one thread, `batch_size`, `run_cells`) and the first `n` WebNLG
/// sentences prepared for it.
fn pos_predictor(
    batch_size: usize,
    run_cells: Option<usize>,
    n: usize,
) -> (rin_runtime::Predictor, Vec<rin_core::Sentence>) {
    let model = rin_runtime::Model::open(&model(Fixture::Pos)).unwrap();
    let config = rin_runtime::PipelineConfig {
        ort: rin_runtime::OrtConfig {
            library: Some(ort_dylib()),
            threads: Some(1),
            ..Default::default()
        },
        plugin_dir: Some(plugin_dir()),
        batch_size,
        run_cells,
        ..Default::default()
    };
    let predictor = rin_runtime::Predictor::load(model, &config).unwrap();
    let sentences = webnlg_sentences(n)
        .into_iter()
        .map(|tokens| predictor.prepare(tokens, None, "test").unwrap())
        .collect();
    (predictor, sentences)
}

/// The pipeline asks whether to go on before each run of the model, and stops there.
#[test]
fn cancelling_stops_before_the_next_model_run() {
    // One sentence per model run, so that there are several runs to stop between.
    let (predictor, sentences) = pos_predictor(1, None, 5);
    let asked = std::cell::Cell::new(0);
    let stop_at_third = || {
        asked.set(asked.get() + 1);
        asked.get() >= 3
    };
    let result = predictor.predict_cancellable(&sentences, &[], &stop_at_third);
    assert!(
        matches!(result, Err(rin_runtime::Error::Cancelled)),
        "{result:?}"
    );
    assert_eq!(
        asked.get(),
        3,
        "asked before each run, stopped at the third"
    );
    // Never cancelled: the same as predict.
    let all = predictor
        .predict_cancellable(&sentences, &[], &|| false)
        .unwrap();
    assert_eq!(all, predictor.predict(&sentences).unwrap());
}

/// Cutting a batch into smaller model runs (the CPU's cache-sized runs) changes no result: the
/// same tags, entities and triples as one run of the whole batch, scores within float noise.
#[test]
fn runs_cut_to_a_token_pair_budget_give_the_whole_batchs_results() {
    let predict = |run_cells: usize| {
        let (predictor, sentences) = pos_predictor(64, Some(run_cells), 48);
        predictor.predict(&sentences).unwrap()
    };
    let whole = predict(usize::MAX);
    assert!(
        whole.iter().any(|p| !p.triples.is_empty()),
        "some triples to compare"
    );
    for budget in [1, 2_000] {
        let cut = predict(budget);
        assert_eq!(cut.len(), whole.len());
        for (i, (a, b)) in cut.iter().zip(&whole).enumerate() {
            assert_eq!(a.tags, b.tags, "sentence {i}, budget {budget}");
            assert_eq!(a.entities, b.entities, "sentence {i}, budget {budget}");
            let triples = |p: &rin_runtime::Prediction| -> Vec<rin_core::Triple> {
                p.triples.iter().map(|t| t.triple).collect()
            };
            assert_eq!(triples(a), triples(b), "sentence {i}, budget {budget}");
            for (x, y) in a.triples.iter().zip(&b.triples) {
                assert!(
                    (x.score - y.score).abs() < 1e-4,
                    "sentence {i}: {x:?} {y:?}"
                );
            }
        }
    }
}

/// `(subject token range, relation, object token range)` of each triple of one result line.
fn triples_of(line: &Value) -> Vec<([u64; 2], String, [u64; 2], f64)> {
    let range = |m: &Value| {
        [
            m["tokens"][0].as_u64().unwrap(),
            m["tokens"][1].as_u64().unwrap(),
        ]
    };
    line["triples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                range(&t["subject"]),
                t["relation"].as_str().unwrap().to_owned(),
                range(&t["object"]),
                t["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn extract_on_webnlg_gives_the_triples_of_decoding_the_model_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let sentences = webnlg_sentences(40);
    let texts: Vec<String> = sentences.iter().map(|t| t.join(" ")).collect();
    let input = dir.path().join("webnlg.txt");
    std::fs::write(&input, texts.join("\n") + "\n").unwrap();

    // Small batches: sentences are grouped by length and padded, unlike the reference.
    let output = run(
        rin(dir.path())
            .args([
                "extract",
                "--tokenizer",
                "whitespace",
                "--batch-size",
                "4",
                "--input",
            ])
            .arg(&input)
            .arg("--model")
            .arg(model(Fixture::Pos)),
        b"",
    );
    let lines = json_lines(&output);
    assert_eq!(lines.len(), sentences.len());

    let direct = direct_predictions(
        &model(Fixture::Pos),
        &sentences,
        MatchMode::Exact,
        FIXTURE_THRESHOLD,
    );
    let relations = webnlg_relations();
    let mut total = 0;
    for ((line, reference), tokens) in lines.iter().zip(&direct).zip(&sentences) {
        assert_eq!(line["tokens"].as_array().unwrap().len(), tokens.len());
        let got = triples_of(line);
        let want: Vec<_> = reference
            .triples
            .iter()
            .map(|(s, r, o, score)| {
                (
                    [s.start as u64, s.end as u64],
                    relations[*r].clone(),
                    [o.start as u64, o.end as u64],
                    *score as f64,
                )
            })
            .collect();
        assert_eq!(got.len(), want.len(), "{}", line["text"]);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((&g.0, &g.1, &g.2), (&w.0, &w.1, &w.2), "{}", line["text"]);
            assert!((g.3 - w.3).abs() < 1e-4, "score {} vs {}", g.3, w.3);
        }
        let entities: Vec<[u64; 2]> = line["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                [
                    e["tokens"][0].as_u64().unwrap(),
                    e["tokens"][1].as_u64().unwrap(),
                ]
            })
            .collect();
        let want_entities: Vec<[u64; 2]> = rin_core::decode_bioes(&reference.tags)
            .into_iter()
            .map(|s| [s.start as u64, s.end as u64])
            .collect();
        assert_eq!(entities, want_entities);
        total += got.len();
    }
    assert!(total > 0, "the fixture should produce triples");
}

#[test]
fn arguments_stdin_and_jsonl_give_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [
        "The cat sat on the mat .",
        "John was born in London city .",
        "London",
    ];
    let m = model(Fixture::Pos);
    let from_args = json_lines(&run(
        rin(dir.path()).arg("extract").arg("-m").arg(&m).args(texts),
        b"",
    ));
    let from_stdin = json_lines(&run(
        rin(dir.path()).arg("extract").arg("-m").arg(&m),
        texts.join("\n").as_bytes(),
    ));
    let jsonl: String = texts
        .iter()
        .map(|t| serde_json::json!({ "text": t, "id": 1 }).to_string() + "\n")
        .collect();
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, jsonl).unwrap();
    let from_file = json_lines(&run(
        rin(dir.path())
            .arg("extract")
            .arg("-m")
            .arg(&m)
            .arg("--input")
            .arg(&file),
        b"",
    ));
    assert_eq!(from_args.len(), 3);
    assert_eq!(from_args, from_stdin);
    assert_eq!(from_args, from_file);
    assert_eq!(from_args[0]["text"], texts[0]);
}

#[test]
fn offsets_are_character_offsets_into_the_text() {
    let dir = tempfile::tempdir().unwrap();
    // Multi-byte characters before and inside tokens.
    let text = "Zürich’s café — born in Genève , Schweiz .";
    let output = run(
        rin(dir.path())
            .arg("extract")
            .arg("-m")
            .arg(model(Fixture::Pos))
            .args(["--threshold", "0"])
            .arg(text),
        b"",
    );
    let line = &json_lines(&output)[0];
    let chars: Vec<char> = text.chars().collect();
    let slice = |v: &Value| -> String {
        let (s, e) = (
            v["start"].as_u64().unwrap() as usize,
            v["end"].as_u64().unwrap() as usize,
        );
        chars[s..e].iter().collect()
    };
    for token in line["tokens"].as_array().unwrap() {
        assert_eq!(slice(token), token["text"].as_str().unwrap());
    }
    let triples = line["triples"].as_array().unwrap();
    assert!(
        !triples.is_empty(),
        "threshold 0 keeps every pair of entities"
    );
    for t in triples {
        for m in [&t["subject"], &t["object"]] {
            assert_eq!(slice(m), m["text"].as_str().unwrap());
        }
    }
}

#[test]
fn k_selects_the_graph_and_an_unknown_k_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(Fixture::Pos);
    let text = "John was born in London city .";
    let tokens: Vec<String> = text.split(' ').map(String::from).collect();
    let relations = webnlg_relations();
    // Each K's triples and scores are those of that K's own graph, run directly.
    let mut scores = Vec::new();
    for k in [0usize, 2] {
        let lines = json_lines(&run(
            rin(dir.path()).arg("extract").arg("-m").arg(&m).args([
                "--tokenizer",
                "whitespace",
                "--k",
                &k.to_string(),
                "--threshold",
                "0",
                text,
            ]),
            b"",
        ));
        let got = triples_of(&lines[0]);
        let want = &direct_predictions_k(
            &m,
            std::slice::from_ref(&tokens),
            MatchMode::Exact,
            0.0,
            Some(k),
        )[0];
        assert!(!got.is_empty());
        assert_eq!(got.len(), want.triples.len(), "K = {k}");
        for (g, (s, r, o, score)) in got.iter().zip(&want.triples) {
            assert_eq!(g.0, [s.start as u64, s.end as u64]);
            assert_eq!(g.1, relations[*r]);
            assert_eq!(g.2, [o.start as u64, o.end as u64]);
            assert!(
                (g.3 - *score as f64).abs() < 1e-5,
                "K = {k}: {} vs {score}",
                g.3
            );
        }
        scores.push(got.iter().map(|t| t.3).collect::<Vec<_>>());
    }
    assert_ne!(scores[0], scores[1], "K = 0 and K = 2 are different graphs");
    let out = run(
        rin(dir.path())
            .arg("extract")
            .arg("-m")
            .arg(&m)
            .args(["--k", "5", text]),
        b"",
    );
    assert_fails_with(&out, &["no graph for K = 5", "[0, 1, 2]"]);
}

#[test]
fn partial_match_model_without_pos_needs_no_tagger() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .arg("extract")
            .arg("-m")
            .arg(model(Fixture::NoPos))
            .args(["--tagger", "does-not-exist", "john born in london"]),
        b"",
    );
    let lines = json_lines(&out);
    let triples = lines[0]["triples"].as_array().unwrap();
    assert!(!triples.is_empty());
    for t in triples {
        for m in [&t["subject"], &t["object"]] {
            let [a, b] = [
                m["tokens"][0].as_u64().unwrap(),
                m["tokens"][1].as_u64().unwrap(),
            ];
            assert_eq!(b, a + 1, "partial match: one-token mentions");
        }
    }
}
