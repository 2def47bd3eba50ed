//! Documents: the segmenter's sentences, chunks read by the model, and offsets into the original
//! text whatever its whitespace.

use serde_json::Value;

use crate::util::*;

fn extract(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = rin(dir);
    cmd.arg("extract").arg("-m").arg(model(Fixture::Pos));
    cmd
}

/// The first `n` WebNLG sentences as text (tokens joined by spaces).
fn webnlg_texts(n: usize) -> Vec<String> {
    webnlg_sentences(n).iter().map(|t| t.join(" ")).collect()
}

/// The `[start, end)` character range of `text`.
fn chars(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

#[test]
fn offsets_slice_the_original_document_back_whatever_its_whitespace() {
    let dir = tempfile::tempdir().unwrap();
    let sentences = webnlg_texts(12);
    // Documents of several sentences with CRLF, tabs, leading blanks and multi-byte characters.
    let documents: Vec<String> = (0..6)
        .map(|d| {
            let mut doc = String::from(["", "  ", "\t", "\r\n", " \u{00a0}", "Zoë: "][d]);
            for (i, s) in sentences[d * 2..d * 2 + 2].iter().enumerate() {
                let s = s.replace(" Texas", " Téxas").replace("Ice", "Ïce");
                doc.push_str(&s);
                doc.push_str(["\r\n", "\t ", "  \u{2003}"][(d + i) % 3]);
            }
            doc
        })
        .collect();
    let input: String = documents
        .iter()
        .map(|d| serde_json::json!({ "text": d }).to_string() + "\n")
        .collect();
    let results = json_lines(&run(&mut extract(dir.path()), input.as_bytes()));
    assert_eq!(results.len(), documents.len());
    let mut checked = 0;
    for (result, document) in results.iter().zip(&documents) {
        assert_eq!(result["text"], document.as_str());
        let mentions = result["entities"].as_array().unwrap().iter().chain(
            result["triples"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|t| [&t["subject"], &t["object"]]),
        );
        for m in mentions {
            let (start, end) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
            assert_eq!(chars(document, start, end), m["text"].as_str().unwrap());
            checked += 1;
        }
        let spans = result["sentences"].as_array().unwrap();
        assert!(spans.len() >= 2, "{document:?}: {spans:?}");
        let mut previous_end = 0;
        for s in spans {
            let (start, end) = (s[0].as_u64().unwrap(), s[1].as_u64().unwrap());
            assert!(previous_end <= start && start < end);
            let sentence = chars(document, start, end);
            assert_eq!(sentence.trim(), sentence, "no outer whitespace");
            previous_end = end;
        }
    }
    assert!(checked > 20, "only {checked} mentions checked");
}

#[test]
fn empty_blank_and_punctuation_only_documents_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"text\": \"\"}\n{\"text\": \"... !!! ??\"}\n{\"text\": \" \\r\\n\\t \"}\n";
    let results = json_lines(&run(&mut extract(dir.path()), input.as_bytes()));
    assert_eq!(results.len(), 3);
    for blank in [&results[0], &results[2]] {
        assert!(blank["tokens"].as_array().unwrap().is_empty(), "{blank}");
        assert!(blank["triples"].as_array().unwrap().is_empty(), "{blank}");
        assert!(blank.get("sentences").is_none(), "{blank}");
    }
    assert_eq!(results[1]["tokens"].as_array().unwrap().len(), 3);
    assert_eq!(results[1]["sentences"], serde_json::json!([[0, 10]]));
}

/// Triples whose entities lie on both sides of token 200.
fn straddling(result: &Value) -> usize {
    result["triples"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            let (s, o) = (
                t["subject"]["tokens"][0].as_u64().unwrap(),
                t["object"]["tokens"][0].as_u64().unwrap(),
            );
            (s < 200) != (o < 200)
        })
        .count()
}

#[test]
fn a_triple_straddling_a_window_cut_is_recovered_by_the_overlap() {
    let dir = tempfile::tempdir().unwrap();
    // One sentence of 260 tokens: windows 0..200 and 150..260 share 50 tokens.
    let words: Vec<String> = webnlg_texts(40)
        .join(" ")
        .split(' ')
        .filter(|w| *w != ".")
        .take(260)
        .map(String::from)
        .collect();
    assert_eq!(words.len(), 260);
    let text = words.join(" ") + "\n";
    let run_with = |overlap: &str| {
        let out = run(
            extract(dir.path()).args(["--segmenter", "lines", "--window-overlap", overlap]),
            text.as_bytes(),
        );
        json_lines(&out).remove(0)
    };
    let overlapping = run_with("50");
    let cut = run_with("0");
    // Without overlap no window holds both sides of the cut at 200; with it, 150..260 does.
    assert_eq!(straddling(&cut), 0);
    assert!(straddling(&overlapping) > 0, "{overlapping}");
    assert_eq!(overlapping["tokens"].as_array().unwrap().len(), 260);
}

#[test]
fn documents_are_scored_against_the_joined_gold() {
    let dir = tempfile::tempdir().unwrap();
    let eval = |extra: &[&str]| -> Value {
        let out = run(
            rin(dir.path())
                .args(["eval", "--json", "-m"])
                .arg(repo_root().join("models/webnlg"))
                .arg("--data")
                .arg(repo_root().join("data/webnlg"))
                .args(extra),
            b"",
        );
        json_lines(&out).remove(0)
    };
    let plain = eval(&[]);
    // One text per document, one sentence per line: exactly the plain scores.
    let one = eval(&["--documents", "1", "--segmenter", "lines"]);
    assert_eq!(plain["triples"], one["triples"]);
    // With the english segmenter, the few texts of more than 4 sentences are read in chunks.
    let segmented = eval(&["--documents", "1"]);
    let gap =
        plain["triples"]["f1"].as_f64().unwrap() - segmented["triples"]["f1"].as_f64().unwrap();
    assert!(
        gap.abs() < 0.005,
        "{} against {}",
        segmented["triples"],
        plain["triples"]
    );
    let five = eval(&["--documents", "5"]);
    assert_eq!(five["documents_of"], 5);
    assert_eq!(five["segmenter"], "english");
    // The gold triples of joined texts are counted once per document.
    assert!(
        five["triples"]["gold"].as_u64().unwrap() <= plain["triples"]["gold"].as_u64().unwrap()
    );
    let lines = eval(&["--documents", "5", "--segmenter", "lines"]);
    assert!(
        five["triples"]["f1"].as_f64().unwrap() > lines["triples"]["f1"].as_f64().unwrap() + 0.2,
        "segmenting must beat one-run-per-document by far: {} against {}",
        five["triples"]["f1"],
        lines["triples"]["f1"]
    );
}

/// The host's fixture plugins (`plugins/host/tests/fixtures`), built as the host's tests build
/// them; returns the segmenter that misbehaves on request.
fn faulty_segmenter() -> std::path::PathBuf {
    let target = std::env::current_exe()
        .unwrap()
        .ancestors()
        .nth(3)
        .expect("test executable inside a cargo target directory")
        .join("plugin-tests");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "-q", "-p", "rin-plugin-faulty", "--manifest-path"])
        .arg(repo_root().join("plugins/host/tests/fixtures/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("run cargo");
    assert!(status.success(), "building the fixture plugins failed");
    target.join("debug").join(format!(
        "{}rin_plugin_faulty{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ))
}

#[test]
fn a_failing_segmenter_is_named_with_the_document_and_the_others_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = faulty_segmenter();
    let input = [
        "A fine first text .",
        "panic",
        "reversed",
        "A fine last text .",
    ]
    .iter()
    .map(|t| serde_json::json!({ "text": t }).to_string() + "\n")
    .collect::<String>();
    let run_with = |extra: &[&str]| {
        run(
            extract(dir.path())
                .arg("--segmenter")
                .arg(&plugin)
                .args(extra),
            input.as_bytes(),
        )
    };
    // Stopping at the first failure: the document before it is written, the error names the
    // plugin, the document and what went wrong.
    let out = run_with(&[]);
    assert_fails_with(
        &out,
        &["stdin line 2", "sentence segmentation", "boom in segment"],
    );
    let written: Vec<Value> = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0]["text"], "A fine first text .");
    // --keep-going: both bad documents are skipped with a warning, the good ones are written.
    let out = run_with(&["--keep-going"]);
    let results = json_lines(&out);
    let texts: Vec<&str> = results
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["A fine first text .", "A fine last text ."]);
    let err = stderr(&out);
    assert!(
        err.contains("segmenter `faulty`") && err.contains("empty or reversed"),
        "{err}"
    );
}

#[test]
fn the_manifests_reading_plan_is_used_unless_an_option_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = webnlg_texts(2).join(" ");
    let sentences = |model: &std::path::Path, options: &[&str]| -> usize {
        let mut cmd = rin(dir.path());
        cmd.arg("extract").arg("-m").arg(model).args(options);
        json_lines(&run(&mut cmd, text.as_bytes()))[0]["sentences"]
            .as_array()
            .unwrap()
            .len()
    };
    // A manifest without a plan reads with the english segmenter.
    let english = sentences(&model(Fixture::Pos), &[]);
    assert!(english > 1, "{english} sentences in {text:?}");

    let lines = model_copy(Fixture::Pos, dir.path());
    set_json(
        &lines.join("manifest.json"),
        "reading",
        serde_json::json!({ "segmenter": "lines" }),
    );
    assert_eq!(sentences(&lines, &[]), 1, "the manifest's segmenter");
    assert_eq!(sentences(&lines, &["--segmenter", "english"]), english);

    set_json(
        &lines.join("manifest.json"),
        "reading",
        serde_json::json!({ "chunk_tokens": 0 }),
    );
    let mut cmd = rin(dir.path());
    cmd.arg("extract").arg("-m").arg(&lines);
    assert_fails_with(
        &run(&mut cmd, text.as_bytes()),
        &["reading plan", "tokens 0"],
    );

    // A learned continuation decision is checked as the rest of the plan...
    set_json(
        &lines.join("manifest.json"),
        "reading",
        serde_json::json!({ "continuation": { "weights": {}, "bias": 0.0, "threshold": 1.5 } }),
    );
    let mut cmd = rin(dir.path());
    cmd.arg("extract").arg("-m").arg(&lines);
    assert_fails_with(
        &run(&mut cmd, text.as_bytes()),
        &["reading plan", "continuation threshold 1.5"],
    );
    // ...and a threshold for one needs one in the manifest.
    let mut cmd = rin(dir.path());
    cmd.arg("extract")
        .arg("-m")
        .arg(model(Fixture::Pos))
        .args(["--continuation", "0.5"]);
    assert_fails_with(
        &run(&mut cmd, text.as_bytes()),
        &["reading plan", "no learned continuation"],
    );
    // A usable one is read: joining every sentence or none changes nothing that parses.
    set_json(
        &lines.join("manifest.json"),
        "reading",
        serde_json::json!({ "continuation": { "weights": {}, "bias": 3.0, "threshold": 0.5 } }),
    );
    assert_eq!(sentences(&lines, &[]), english);
    assert_eq!(sentences(&lines, &["--continuation", "pronouns"]), english);
}

/// Windowed extraction is the union of the model run directly on each window: every window's
/// triples, shifted to the sentence, the higher score kept for one found twice.
#[test]
fn windows_merge_to_the_union_of_each_windows_own_triples() {
    let dir = tempfile::tempdir().unwrap();
    let words: Vec<String> = webnlg_texts(12)
        .join(" ")
        .split(' ')
        .filter(|w| *w != ".")
        .take(60)
        .map(String::from)
        .collect();
    // Windows of 24 tokens sharing 8: 0..24, 16..40, 32..56, 48..60.
    let windows = [0..24, 16..40, 32..56, 48..60];
    // The model without POS input: the runtime tags a whole sentence before cutting it, which a
    // window read alone would not reproduce.
    let fixture = model(Fixture::NoPos);
    let out = run(
        rin(dir.path())
            .arg("extract")
            .arg("-m")
            .arg(&fixture)
            .args([
                "--threshold",
                "0.5",
                "--segmenter",
                "lines",
                "--tokenizer",
                "whitespace",
                "--max-tokens",
                "24",
                "--window-overlap",
                "8",
            ]),
        (words.join(" ") + "\n").as_bytes(),
    );
    let line = json_lines(&out).remove(0);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("manifest.json")).unwrap())
            .unwrap();
    let relations: Vec<String> = manifest["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    let mut want: std::collections::BTreeMap<(u64, u64, String, u64, u64), f64> =
        Default::default();
    for w in &windows {
        let direct = &direct_predictions(
            &fixture,
            &[words[w.clone()].to_vec()],
            rin_core::MatchMode::Partial,
            0.5,
        )[0];
        for (s, r, o, score) in &direct.triples {
            let key = (
                (s.start + w.start) as u64,
                (s.end + w.start) as u64,
                relations[*r].clone(),
                (o.start + w.start) as u64,
                (o.end + w.start) as u64,
            );
            let best = want.entry(key).or_insert(0.0);
            *best = best.max(*score as f64);
        }
    }
    let got: std::collections::BTreeMap<_, f64> = line["triples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let at = |m: &Value, i: usize| m["tokens"][i].as_u64().unwrap();
            (
                (
                    at(&t["subject"], 0),
                    at(&t["subject"], 1),
                    t["relation"].as_str().unwrap().to_owned(),
                    at(&t["object"], 0),
                    at(&t["object"], 1),
                ),
                t["score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(
        !want.is_empty(),
        "the fixture finds triples in these windows"
    );
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (key, score) in &want {
        assert!(
            (got[key] - score).abs() < 1e-4,
            "{key:?}: {} vs {score}",
            got[key]
        );
    }
}

/// `rin fit-continuation --write` records the decision in the manifest, and says so when the
/// model's reading (`links: pairs`) would not use it.
#[test]
fn fit_continuation_writes_the_decision_and_warns_when_the_reading_ignores_it() {
    let dir = tempfile::tempdir().unwrap();
    for links in ["anaphora", "pairs"] {
        let model = dir.path().join(links);
        copy_model_files(&repo_root().join("models/webnlg"), &model);
        let path = model.join("manifest.json");
        let mut manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        manifest["reading"] = serde_json::json!({ "links": links });
        std::fs::write(&path, manifest.to_string()).unwrap();
        let out = run(
            rin(dir.path())
                .args(["fit-continuation", "--write", "-m"])
                .arg(&model)
                .arg("--data")
                .arg(repo_root().join("data/webnlg")),
            b"",
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            written["reading"]["continuation"]["weights"].is_object(),
            "{links}"
        );
        assert_eq!(
            stderr(&out).contains("used only with --links anaphora"),
            links == "pairs",
            "{links}: {}",
            stderr(&out)
        );
    }
}

/// `--links orphans` reads texts as `anaphora` does, then adds from each two adjacent texts read
/// together only the triples linking an entity of the later text that its own reading left
/// unlinked to an entity of the text before ("X is from Spain . The leader of the country is
/// Felipe VI ."). Documents are cut into one text per sentence (`--whole-sentences 1`).
#[test]
fn orphans_link_an_entity_its_own_text_left_unlinked_to_the_text_before() {
    let dir = tempfile::tempdir().unwrap();
    let documents = [
        "Ajoblanco is from Spain . The leader of the country is Felipe VI .",
        "Aarhus Airport is in Denmark . The capital of the country is Copenhagen .",
        "The Acharya Institute of Technology is in India . The country's leader is Narendra Modi .",
        "Alan Bean was born in Wheeler , Texas . He was a crew member of Apollo 12 .",
    ];
    let read = |links: &str| -> Vec<Value> {
        let mut cmd = rin(dir.path());
        cmd.arg("extract")
            .arg("-m")
            .arg(repo_root().join("models/webnlg"))
            .args(["--threads", "1", "--whole-sentences", "1", "--links", links]);
        json_lines(&run(&mut cmd, documents.join("\n").as_bytes()))
    };
    type Link = (u64, String, u64);
    let links = |doc: &Value| -> Vec<Link> {
        doc["triples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let start = |e: &Value| e["start"].as_u64().unwrap();
                (
                    start(&t["subject"]),
                    t["relation"].as_str().unwrap().to_owned(),
                    start(&t["object"]),
                )
            })
            .collect()
    };
    let (texts, orphans) = (read("anaphora"), read("orphans"));
    let mut added = 0;
    for ((document, alone), with_orphans) in documents.iter().zip(&texts).zip(&orphans) {
        let cut = alone["sentences"][1][0].as_u64().unwrap();
        let (before, after) = (links(alone), links(with_orphans));
        // Texts read alone: nothing crosses the cut, and every such triple is kept.
        assert!(
            before.iter().all(|&(s, _, o)| (s < cut) == (o < cut)),
            "{document}"
        );
        assert!(before.iter().all(|t| after.contains(t)), "{document}");
        assert_eq!(alone["entities"], with_orphans["entities"], "{document}");
        let linked: Vec<u64> = before.iter().flat_map(|&(s, _, o)| [s, o]).collect();
        for (s, relation, o) in after.iter().filter(|t| !before.contains(t)) {
            // Added: across the cut, and its later entity unlinked in its own text.
            assert!((*s < cut) != (*o < cut), "{document}: {relation}");
            assert!(!linked.contains(s.max(o)), "{document}: {relation}");
            added += 1;
        }
    }
    assert!(added > 0, "no fact found across texts: {orphans:?}");
}
