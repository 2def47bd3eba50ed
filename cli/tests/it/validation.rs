//! Issue 19's defects, each with the test that failed before the fix: options out of range are
//! usage errors (exit code 2), a byte-order mark is not text, damaged model files are caught at
//! load, and the results before a bad input line are written.

use crate::util::*;

fn extract(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = rin(dir);
    cmd.arg("extract").arg("-m").arg(model(Fixture::Pos));
    cmd
}

#[test]
fn thresholds_outside_0_1_and_nan_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["-1", "NaN", "1.5", "inf", "half"] {
        let out = run(
            extract(dir.path()).args(["--threshold", bad, "The cat sat ."]),
            b"",
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "--threshold {bad}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("--threshold"), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // The bounds themselves are fine.
    for good in ["0", "1", "0.5"] {
        let out = run(
            extract(dir.path()).args(["--threshold", good, "The cat sat ."]),
            b"",
        );
        assert_eq!(json_lines(&out).len(), 1, "--threshold {good}");
    }
    // The server refuses before it starts, instead of answering every request 400.
    let out = run(
        rin(dir.path())
            .args(["serve", "--threshold", "NaN", "--addr", "127.0.0.1:0", "-m"])
            .arg(model(Fixture::Pos)),
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn batch_sizes_of_zero_or_beyond_the_limit_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["0", "100000000"] {
        let out = run(
            extract(dir.path()).args(["--batch-size", bad, "The cat sat ."]),
            b"",
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "--batch-size {bad}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("--batch-size"), "{}", stderr(&out));
    }
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_text() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = "\u{feff}{\"text\": \"The cat sat .\"}\n{\"text\": \"A dog ran .\"}\n";
    let out = run(
        extract(dir.path()).args(["--format", "auto"]),
        jsonl.as_bytes(),
    );
    let results = json_lines(&out);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["text"], "The cat sat .");
    let lines = "\u{feff}The cat sat .\nA dog ran .\n";
    let results = json_lines(&run(&mut extract(dir.path()), lines.as_bytes()));
    assert_eq!(results[0]["text"], "The cat sat .");
    assert_eq!(results[0]["tokens"][0]["start"], 0);
}

#[test]
fn damaged_model_files_are_caught_at_load_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let copy = model_copy(Fixture::Pos, dir.path());
    let weights = copy.join("weights.bin");
    let mut bytes = std::fs::read(&weights).unwrap();
    for b in bytes.iter_mut().step_by(4) {
        *b ^= 0x5A;
    }
    std::fs::write(&weights, &bytes).unwrap();
    let cmd = |extra: &[&str]| {
        let mut c = rin(dir.path());
        c.arg("extract")
            .arg("-m")
            .arg(&copy)
            .args(extra)
            .arg("The cat sat .");
        c
    };
    let out = run(&mut cmd(&[]), b"");
    assert_fails_with(
        &out,
        &["weights.bin", "sha256", "does not match the manifest"],
    );
    // Sizes only: the changed bytes go unnoticed (that is what the option trades).
    let out = run(&mut cmd(&["--no-verify"]), b"");
    assert!(out.status.success(), "{}", stderr(&out));

    bytes.truncate(bytes.len() / 2);
    std::fs::write(&weights, &bytes).unwrap();
    for extra in [&[][..], &["--no-verify"][..]] {
        let out = run(&mut cmd(extra), b"");
        assert_fails_with(&out, &["weights.bin", "bytes, the manifest says"]);
        // One clear message, not ONNX Runtime's twice.
        assert_eq!(stderr(&out).matches("error").count(), 1, "{}", stderr(&out));
    }
}

#[test]
fn results_before_a_bad_line_are_written_before_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut input: Vec<u8> = Vec::new();
    for i in 0..1000 {
        input.extend_from_slice(format!("Sentence number {i} is here .\n").as_bytes());
    }
    input.extend_from_slice(b"bad \xff line\nnot read .\n");
    let out = run(&mut extract(dir.path()), &input);
    assert_fails_with(&out, &["line 1001", "invalid UTF-8"]);
    let written = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1000);
    assert_eq!(lines[999]["text"], "Sentence number 999 is here .");
}

#[test]
fn the_text_view_prints_the_json_triples_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let texts = ["The cat sat on the mat .", "A dog ran in the park ."];
    let json = json_lines(&run(extract(dir.path()).args(texts), b""));
    let out = run(
        extract(dir.path()).args(["--output", "text"]).args(texts),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut expected = String::new();
    for result in &json {
        expected += &format!("{}\n", result["text"].as_str().unwrap());
        let triples = result["triples"].as_array().unwrap();
        if triples.is_empty() {
            expected += "  -\n";
        }
        for t in triples {
            expected += &format!(
                "  ({}, {}, {})  {:.2}\n",
                t["subject"]["text"].as_str().unwrap(),
                t["relation"].as_str().unwrap(),
                t["object"]["text"].as_str().unwrap(),
                t["score"].as_f64().unwrap()
            );
        }
    }
    assert!(json
        .iter()
        .any(|r| !r["triples"].as_array().unwrap().is_empty()));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn without_a_model_rin_uses_the_shipped_one_in_the_repository_and_says_so() {
    let text = "Alan Bean was born in Wheeler , Texas .";
    let out = run(rin(&repo_root()).args(["extract", text]), b"");
    let default = json_lines(&out);
    assert!(stderr(&out).contains("using the shipped model models/webnlg"));
    let named = json_lines(&run(
        rin(&repo_root()).args(["extract", "-m", "models/webnlg", text]),
        b"",
    ));
    assert_eq!(default, named);
    assert!(!default[0]["triples"].as_array().unwrap().is_empty());
    // Elsewhere, with no RIN_MODEL: a clear error.
    let dir = tempfile::tempdir().unwrap();
    let out = run(rin(dir.path()).args(["extract", text]), b"");
    assert_fails_with(&out, &["no model", "--model", "RIN_MODEL"]);
}
