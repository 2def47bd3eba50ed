//! `rin info`, `rin plugins list` and `rin export`.

use crate::util::*;

#[test]
fn info_describes_the_model_and_the_plugins_it_would_use() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .arg("info")
            .arg("-m")
            .arg(model(Fixture::Pos)),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "trained 2; exported 0 (untrained), 1 (untrained), 2",
        "relations  171",
        "tag set penn-treebank (45 tags)",
        "tokenizer  english -> ",
        "librin_plugin_english.so",
        "tagger     perceptron -> ",
        "matches the model",
        "Exact match, threshold 0.64",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    assert!(!text.contains("weights    mean"), "{text}");

    // A model exported from an averaged checkpoint (rin-train --average-from) says so.
    let averaged = model_copy(Fixture::Pos, dir.path());
    let manifest = averaged.join("manifest.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    json["source"]["averaged"] = serde_json::json!({"first": 121, "last": 150});
    std::fs::write(&manifest, json.to_string()).unwrap();
    let out = run(rin(dir.path()).arg("info").arg("-m").arg(&averaged), b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("weights    mean of epochs 121-150"), "{text}");

    let out = run(
        rin(dir.path())
            .arg("info")
            .arg("--json")
            .arg("-m")
            .arg(model(Fixture::NoPos)),
        b"",
    );
    let info = &json_lines(&out)[0];
    assert_eq!(info["format_version"], 1);
    assert_eq!(info["exported_k"], serde_json::json!([0, 1, 2]));
    assert_eq!(info["pos"], serde_json::Value::Null);
    assert_eq!(info["runtime"]["tagger"], serde_json::Value::Null);
    assert_eq!(info["runtime"]["tokenizer"]["name"], "english");
}

#[test]
fn plugins_list_shows_the_shipped_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(rin(dir.path()).args(["plugins", "list", "--json"]), b"");
    let listing = json_lines(&out);
    let names: Vec<(String, String)> = listing
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (kind, name) in [
        ("tokenizer", "whitespace"),
        ("tokenizer", "english"),
        ("tagger", "perceptron"),
        ("tagger", "none"),
    ] {
        assert!(
            names.contains(&(kind.to_owned(), name.to_owned())),
            "{kind} {name} missing: {names:?}"
        );
    }
    let out = run(rin(dir.path()).args(["plugins", "list"]), b"");
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("perceptron"));
}

#[test]
fn export_writes_a_folder_that_extract_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ckpt = dir.path().join("ckpt");
    rin_exporter::fixture::write_checkpoint(
        &ckpt,
        &rin_exporter::fixture::FixtureSpec::tiny(3).without_pos(),
    )
    .unwrap();
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(&ckpt)
            .args(["-o", "exported", "--k", "0..=1"]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("model_k0.onnx") && stdout.contains("model_k1.onnx"),
        "{stdout}"
    );
    let out = run(
        rin(dir.path()).args([
            "extract",
            "-m",
            "exported",
            "--k",
            "1",
            "the cat sat on the mat",
        ]),
        b"",
    );
    assert_eq!(json_lines(&out).len(), 1);

    // The exported plan has no learned continuation: a threshold for one is refused, not dropped.
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(&ckpt)
            .args(["-o", "continued", "--continuation", "0.7"]),
        b"",
    );
    assert_fails_with(&out, &["reading plan", "no learned continuation"]);
    assert!(!dir.path().join("continued").exists());

    // The relation threshold the folder decodes with: the checkpoint's, or the one given.
    let threshold = |folder: &str| -> f64 {
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(folder).join("manifest.json")).unwrap(),
        )
        .unwrap();
        manifest["threshold"].as_f64().unwrap()
    };
    assert_eq!(threshold("exported"), 0.5);
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(&ckpt)
            .args(["-o", "lower", "--threshold", "0.25"]),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(threshold("lower"), 0.25);
    let out = run(rin(dir.path()).args(["info", "-m", "lower"]), b"");
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("threshold 0.25"));
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(&ckpt)
            .args(["-o", "bad", "--threshold", "1.5"]),
        b"",
    );
    assert_fails_with(&out, &["--threshold"]);
    assert!(!dir.path().join("bad").exists());
}

/// `rin export` of a shipped model's checkpoint gives graphs that find exactly the shipped
/// graphs' triples, with the same scores.
#[test]
fn exporting_a_shipped_checkpoint_again_gives_the_shipped_triples() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = repo_root().join("models").join("webnlg");
    let out = run(
        rin(dir.path())
            .arg("export")
            .arg(shipped.join("checkpoint"))
            .args(["-o", "again"])
            .args(shipped_export_flags(&shipped)),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let texts: String = webnlg_sentences(40)
        .iter()
        .map(|t| t.join(" ") + "\n")
        .collect();
    let extract = |model: &std::path::Path| {
        json_lines(&run(
            rin(dir.path()).arg("extract").arg("-m").arg(model).args([
                "--tokenizer",
                "whitespace",
                "--threads",
                "1",
            ]),
            texts.as_bytes(),
        ))
    };
    let (before, after) = (extract(&shipped), extract(&dir.path().join("again")));
    assert_eq!(before.len(), 40);
    let triples = |lines: &[serde_json::Value]| -> Vec<(String, String, String, f64)> {
        lines
            .iter()
            .flat_map(|l| l["triples"].as_array().unwrap().clone())
            .map(|t| {
                (
                    t["subject"]["text"].as_str().unwrap().to_owned(),
                    t["relation"].as_str().unwrap().to_owned(),
                    t["object"]["text"].as_str().unwrap().to_owned(),
                    t["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let (a, b) = (triples(&before), triples(&after));
    assert!(a.len() > 40, "{} triples", a.len());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((&x.0, &x.1, &x.2), (&y.0, &y.1, &y.2));
        assert!((x.3 - y.3).abs() < 1e-6, "{x:?} vs {y:?}");
    }
}
