//! Bad input: each case of the issue gives a clear result or error, and results alone reach
//! stdout.

use crate::util::*;

fn extract(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = rin(dir);
    cmd.arg("extract").arg("--model").arg(model(Fixture::Pos));
    cmd
}

#[test]
fn an_empty_line_gives_an_empty_result() {
    let dir = tempfile::tempdir().unwrap();
    let lines = json_lines(&run(
        &mut extract(dir.path()),
        b"The cat sat .\n\n   \nJohn\n",
    ));
    assert_eq!(lines.len(), 4, "one result per input line");
    for i in [1, 2] {
        assert_eq!(lines[i]["tokens"], serde_json::json!([]));
        assert_eq!(lines[i]["entities"], serde_json::json!([]));
        assert_eq!(lines[i]["triples"], serde_json::json!([]));
    }
    assert_eq!(lines[2]["text"], "   ");
    assert_eq!(lines[3]["tokens"].as_array().unwrap().len(), 1);
    // An empty argument, too.
    let lines = json_lines(&run(extract(dir.path()).arg(""), b""));
    assert_eq!(
        lines,
        [serde_json::json!({"text": "", "tokens": [], "entities": [], "triples": []})]
    );
}

#[test]
fn invalid_utf8_is_an_error_naming_the_line_and_keep_going_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("latin1.txt");
    std::fs::write(
        &file,
        b"The cat sat .\nZ\xfcrich is in Switzerland .\nJohn\n",
    )
    .unwrap();

    let out = run(extract(dir.path()).arg("--input").arg(&file), b"");
    assert_fails_with(&out, &["line 2", "invalid UTF-8", "--keep-going"]);

    let out = run(
        extract(dir.path())
            .arg("--keep-going")
            .arg("--input")
            .arg(&file),
        b"",
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["text"], "The cat sat .");
    assert_eq!(lines[1]["text"], "John");
    assert!(
        stderr(&out).contains("line 2"),
        "the skip is logged: {}",
        stderr(&out)
    );

    // The same from stdin.
    let out = run(&mut extract(dir.path()), b"ok\n\xff\n");
    assert_fails_with(&out, &["stdin line 2", "invalid UTF-8"]);
}

#[test]
fn malformed_jsonl_is_an_error_with_the_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.jsonl");
    std::fs::write(
        &file,
        "{\"text\": \"The cat sat .\"}\n\n{\"text\": \"John\"\n{\"txt\": \"no text field\"}\n{\"text\": \"London\"}\n",
    )
    .unwrap();
    let out = run(extract(dir.path()).arg("--input").arg(&file), b"");
    assert_fails_with(&out, &["line 3", "malformed JSONL"]);

    let out = run(
        extract(dir.path())
            .args(["--keep-going", "--input"])
            .arg(&file),
        b"",
    );
    let lines = json_lines(&out);
    let texts: Vec<&str> = lines.iter().map(|l| l["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["The cat sat .", "London"]);
    let err = stderr(&out);
    assert!(err.contains("line 3") && err.contains("line 4"), "{err}");
}

#[test]
fn a_sentence_over_the_limit_is_split_into_windows_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let words = ["John", "was", "born", "in", "London", "city", "."];
    let long: Vec<&str> = words.iter().cycle().take(250).copied().collect();
    let long = long.join(" ");
    let input = format!("{long}\nJohn\n");

    // One line is one sentence here (`--segmenter lines`: the english segmenter would cut this
    // text at its full stops). Default: overlapping windows of 200 tokens; the result covers
    // every token.
    let lines_only = ["--segmenter", "lines"];
    let out = run(extract(dir.path()).args(lines_only), input.as_bytes());
    let lines = json_lines(&out);
    assert_eq!(lines[0]["tokens"].as_array().unwrap().len(), 250);
    let last_entity_end = lines[0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tokens"][1].as_u64().unwrap())
        .max()
        .unwrap_or(0);
    assert!(
        last_entity_end > 200,
        "the second window's entities are shifted back into place"
    );
    assert!(
        stderr(&out).contains("overlapping windows of 200 tokens sharing 50"),
        "{}",
        stderr(&out)
    );

    let out = run(
        extract(dir.path())
            .args(lines_only)
            .args(["--long", "refuse"]),
        input.as_bytes(),
    );
    assert_fails_with(
        &out,
        &["stdin line 1", "250 tokens", "maximum of 200", "n^2"],
    );

    let out = run(
        extract(dir.path())
            .args(lines_only)
            .args(["--long", "refuse", "--max-tokens", "300"]),
        input.as_bytes(),
    );
    assert_eq!(json_lines(&out).len(), 2);

    let out = run(
        extract(dir.path())
            .args(lines_only)
            .args(["--long", "refuse", "--keep-going"]),
        input.as_bytes(),
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["text"], "John");
}

#[test]
fn a_missing_model_folder_or_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path()).args(["extract", "--model", "no-such-model", "x"]),
        b"",
    );
    assert_fails_with(&out, &["model folder no-such-model does not exist"]);

    let copy = model_copy(Fixture::Pos, dir.path());
    std::fs::remove_file(copy.join("model_k2.onnx")).unwrap();
    let out = run(
        rin(dir.path()).arg("extract").arg("-m").arg(&copy).arg("x"),
        b"",
    );
    assert_fails_with(&out, &["model folder is incomplete", "model_k2.onnx"]);

    std::fs::remove_file(copy.join("weights.bin")).unwrap();
    let out = run(rin(dir.path()).arg("info").arg("-m").arg(&copy), b"");
    assert_fails_with(&out, &["weights file", "weights.bin"]);

    std::fs::remove_file(copy.join("manifest.json")).unwrap();
    let out = run(
        rin(dir.path()).arg("extract").arg("-m").arg(&copy).arg("x"),
        b"",
    );
    assert_fails_with(&out, &["manifest", "manifest.json", "does not exist"]);
}

#[test]
fn an_unknown_manifest_version_or_a_broken_manifest_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let copy = model_copy(Fixture::Pos, dir.path());
    let manifest = copy.join("manifest.json");
    set_json(&manifest, "format_version", 99.into());
    let out = run(
        rin(dir.path()).arg("extract").arg("-m").arg(&copy).arg("x"),
        b"",
    );
    assert_fails_with(
        &out,
        &["unsupported manifest version 99", "reads version 1"],
    );

    std::fs::write(
        &manifest,
        "{\"format\": \"rin-onnx-export\", \"format_version\": 1}",
    )
    .unwrap();
    let out = run(rin(dir.path()).arg("info").arg("-m").arg(&copy), b"");
    assert_fails_with(&out, &["invalid manifest", "missing field"]);

    std::fs::write(&manifest, "{\"something\": \"else\"}").unwrap();
    let out = run(rin(dir.path()).arg("info").arg("-m").arg(&copy), b"");
    assert_fails_with(&out, &["not a rin ONNX export"]);
}

#[test]
fn a_tagger_with_another_tagset_is_refused_unless_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        extract(dir.path()).args(["--tagger", "none", "The cat sat ."]),
        b"",
    );
    assert_fails_with(
        &out,
        &[
            "tagset mismatch",
            "tagset `penn-treebank`",
            "tagger `none`",
            "tagset `none`",
            "--allow-tagset-mismatch",
        ],
    );
    let out = run(
        extract(dir.path()).args([
            "--tagger",
            "none",
            "--allow-tagset-mismatch",
            "The cat sat .",
        ]),
        b"",
    );
    assert_eq!(json_lines(&out).len(), 1);
    assert!(
        stderr(&out).contains("tagset mismatch accepted"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn results_alone_go_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(extract(dir.path()).args(["-v", "The cat sat ."]), b"");
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert!(stdout.starts_with("{\"text\":"), "{stdout}");
    assert!(
        stderr(&out).contains("model loaded"),
        "logs go to stderr: {}",
        stderr(&out)
    );
}
