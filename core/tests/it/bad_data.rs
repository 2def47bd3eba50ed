//! Bad input gives an error that names the file and the record, or a counted warning; never a panic.

use std::error::Error as _;
use std::path::{Path, PathBuf};

use rin_core::error::{RecordError, RelationFileError};
use rin_core::{load_file, DataFormat, Error, RelationSet};

fn relations() -> RelationSet {
    RelationSet::from_names(vec!["capital".into(), "born_in".into()])
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Loads `text` as `format` and returns the error, checking that its message names the file.
fn load_err(name: &str, format: DataFormat, text: &str) -> Error {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, text);
    let err = load_file(&path, format, &relations()).unwrap_err();
    assert!(err.to_string().contains(name), "{err}");
    err
}

/// The error and its sources, joined as anyhow's `{:#}` would print them.
fn chain(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[test]
fn malformed_json_names_the_record() {
    let text = r#"[{"text": "a b", "triple_list": []},
                  {"text": "a b", "triple_list": []},
                  {"text": "a b" "triple_list": []}]"#;
    let err = load_err("bad.json", DataFormat::CasRel, text);
    assert!(
        matches!(
            err,
            Error::Json {
                record: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(chain(&err).contains("at record 2"), "{}", chain(&err));
    // Not an array at all: no record to name.
    let err = load_err("obj.json", DataFormat::CasRel, r#"{"text": "a"}"#);
    assert!(matches!(err, Error::Json { record: None, .. }), "{err:?}");
    // Truncated file.
    let err = load_err(
        "cut.json",
        DataFormat::JointEr,
        r#"[{"tokens": ["a"], "spo_details": []}, {"tok"#,
    );
    assert!(
        matches!(
            err,
            Error::Json {
                record: Some(1),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn malformed_jsonl_names_the_line() {
    let text = "{\"tokens\": [\"a\"]}\n\n{\"tokens\": [\"b\"] oops}\n";
    let err = load_err("bad.jsonl", DataFormat::Native, text);
    assert!(
        matches!(
            err,
            Error::Json {
                record: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn wrong_record_shape() {
    let err = load_err(
        "shape.json",
        DataFormat::CasRel,
        r#"[{"text": "a b", "triples": []}]"#,
    );
    assert!(matches!(
        err,
        Error::Record {
            record: 0,
            source: RecordError::Shape(_),
            ..
        }
    ));
    assert!(
        chain(&err).contains("missing field `triple_list`"),
        "{}",
        chain(&err)
    );
    let err = load_err(
        "shape.jsonl",
        DataFormat::Native,
        "{\"tokens\": [\"a\"], \"triple\": []}\n",
    );
    assert!(matches!(
        err,
        Error::Record {
            record: 0,
            source: RecordError::Shape(_),
            ..
        }
    ));
}

#[test]
fn pos_count_mismatch() {
    let text = r#"[{"tokens": ["a", "b"], "spo_details": [], "pos_tags": ["DT", "NN"]},
                  {"tokens": ["a", "b"], "spo_details": [], "pos_tags": ["DT"]}]"#;
    let err = load_err("pos.json", DataFormat::JointEr, text);
    assert!(matches!(
        err,
        Error::Record {
            record: 1,
            source: RecordError::PosCount {
                tokens: 2,
                pos_tags: 1
            },
            ..
        }
    ));
    assert_eq!(
        chain(&err),
        format!(
            "invalid record 1 in {}: 2 tokens but 1 POS tags",
            path_of(&err)
        )
    );
}

fn path_of(err: &Error) -> String {
    match err {
        Error::Record { path, .. } => path.display().to_string(),
        _ => unreachable!(),
    }
}

#[test]
fn span_out_of_range() {
    let text = r#"[{"tokens": ["a", "b"], "spo_details": [[0, 1, "None-label", "capital", 1, 3, "None-label"]]}]"#;
    let err = load_err("span.json", DataFormat::JointEr, text);
    assert!(matches!(
        err,
        Error::Record {
            record: 0,
            source: RecordError::SpanOutOfRange {
                start: 1,
                end: 3,
                len: 2
            },
            ..
        }
    ));
    let text = "{\"tokens\": [\"a\", \"b\"], \"entities\": [[1, 1]]}\n";
    let err = load_err("empty.jsonl", DataFormat::Native, text);
    assert!(matches!(
        err,
        Error::Record {
            source: RecordError::SpanOutOfRange { .. },
            ..
        }
    ));
}

#[test]
fn unknown_relation() {
    let text = r#"[{"text": "Paris France", "triple_list": [["France", "capitol", "Paris"]]}]"#;
    let err = load_err("rel.json", DataFormat::CasRel, text);
    match &err {
        Error::Record {
            record: 0,
            source: RecordError::UnknownRelation { name },
            ..
        } => {
            assert_eq!(name, "capitol")
        }
        other => panic!("{other:?}"),
    }
    let text = "\n{\"tokens\": [\"a\", \"b\"], \"triples\": [{\"subject\": [0, 1], \"relation\": \"x\", \"object\": [1, 2]}]}\n";
    let err = load_err("rel.jsonl", DataFormat::Native, text);
    assert!(matches!(
        err,
        Error::Record {
            record: 1,
            source: RecordError::UnknownRelation { .. },
            ..
        }
    ));
}

#[test]
fn no_tokens() {
    let err = load_err(
        "empty.json",
        DataFormat::CasRel,
        r#"[{"text": "  ", "triple_list": []}]"#,
    );
    assert!(matches!(
        err,
        Error::Record {
            record: 0,
            source: RecordError::NoTokens,
            ..
        }
    ));
}

#[test]
fn unlocatable_and_ambiguous_entities_are_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"[{"text": "Paris is the capital of France , not Paris Texas",
                    "triple_list": [["France", "capital", "Paris"], ["Frankreich", "capital", "Paris"],
                                    ["France", "capital", "Paris"], ["Paris Texas", "born_in", "France"]]}]"#;
    let path = write(dir.path(), "loss.json", text);
    let dataset = load_file(&path, DataFormat::CasRel, &relations()).unwrap();
    let report = dataset.report;
    assert_eq!(report.sentences, 1);
    assert_eq!(report.unlocatable_triples, 1);
    assert_eq!(report.duplicate_triples, 1);
    assert_eq!(
        report.ambiguous_entities, 1,
        "\"Paris\" occurs twice; counted once"
    );
    assert_eq!(report.triples, 2);
    // "Paris" is anchored on its first occurrence [0, 1), so it does not overlap "Paris Texas" [8, 10).
    assert_eq!(report.overlapping_entities, 0);
    let sentence = &dataset.sentences[0];
    let cells = sentence.relation_cells();
    assert_eq!(cells, [(5, 0, 0), (9, 5, 1)]);
}

#[test]
fn missing_file_is_an_io_error() {
    let err = load_file(
        Path::new("/nonexistent/x.json"),
        DataFormat::CasRel,
        &relations(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    assert_eq!(err.to_string(), "cannot read /nonexistent/x.json");
}

#[test]
fn bad_relation_files() {
    let dir = tempfile::tempdir().unwrap();
    type Check = fn(&RelationFileError) -> bool;
    let cases: [(&str, Check); 4] = [
        (r#"[{"a": 0, "b": 2}]"#, |e| {
            matches!(e, RelationFileError::NotDense { count: 2, id: 2 })
        }),
        (r#"[{"a": 0, "b": 0}]"#, |e| {
            matches!(e, RelationFileError::NotDense { id: 0, .. })
        }),
        (r#"[{"a": -1}]"#, |e| {
            matches!(e, RelationFileError::BadId { .. })
        }),
        (r#"[1, 2, 3]"#, |e| matches!(e, RelationFileError::Shape)),
    ];
    for (text, expected) in cases {
        let path = write(dir.path(), "rel2id.json", text);
        match RelationSet::load(&path) {
            Err(Error::RelationFile { source, .. }) => {
                assert!(expected(&source), "{text}: {source:?}")
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}
