//! Format detection, relation files as shipped, and the native format as documented in the README.

use std::path::Path;

use rin_core::dataset::split_path;
use rin_core::{load_file, DataFormat, RelationSet, Span, Tag, Triple};

use crate::common::{WEBNLG, WEBNLG_STAR};

#[test]
fn detects_shipped_formats() {
    let detect = |dir: &str| DataFormat::detect(&Path::new(dir).join("dev.json")).unwrap();
    assert_eq!(detect(WEBNLG_STAR), DataFormat::CasRel);
    assert_eq!(detect(WEBNLG), DataFormat::JointEr);
    assert_eq!(
        "JointER".parse::<DataFormat>().unwrap(),
        DataFormat::JointEr
    );
    assert!("conll".parse::<DataFormat>().is_err());
}

#[test]
fn relation_files_as_shipped() {
    // CasRel: [id2rel, rel2id].
    let star = RelationSet::load(&Path::new(WEBNLG_STAR).join("rel2id.json")).unwrap();
    assert_eq!(star.len(), 171);
    assert_eq!(star.name(0), "1st_runway_LengthFeet");
    assert_eq!(star.id("1st_runway_LengthFeet"), Some(0));
    // JointER: [rel2id], not in id order in the file.
    let exact = RelationSet::load(&Path::new(WEBNLG).join("rel2id.json")).unwrap();
    assert_eq!(exact.len(), 216);
    assert_eq!(
        (exact.id("precededBy"), exact.id("designer")),
        (Some(0), Some(3))
    );
    assert_eq!(exact.name(16), "placeOfBirth");
    assert_eq!(exact.name(999), "<unknown>");
    // Serde keeps names in id order.
    let json = serde_json::to_string(&exact).unwrap();
    assert_eq!(serde_json::from_str::<RelationSet>(&json).unwrap(), exact);
}

/// The example of core/README.md, byte for byte.
const README_EXAMPLE: &str = r#"{"tokens": ["A.C.", "Cesena", "plays", "in", "Serie", "B", "."], "pos_tags": ["NNP", "NNP", "VBZ", "IN", "NNP", "NNP", "."], "triples": [{"subject": [0, 2], "relation": "league", "object": [4, 6]}]}
{"tokens": ["Rome", "is", "in", "Italy", "."], "entities": [[0, 1], [3, 4]]}
"#;

#[test]
fn native_readme_example() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(README_EXAMPLE),
        "core/README.md must show the tested example"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("train.jsonl"), README_EXAMPLE).unwrap();
    std::fs::write(dir.path().join("rel2id.json"), r#"["league"]"#).unwrap();
    let relations = rin_core::dataset::load_relations(dir.path()).unwrap();
    let path = split_path(dir.path(), "train", DataFormat::Native);
    assert_eq!(path, dir.path().join("train.jsonl"));
    assert_eq!(DataFormat::detect(&path).unwrap(), DataFormat::Native);
    let dataset = load_file(&path, DataFormat::Native, &relations).unwrap();
    assert_eq!(dataset.sentences.len(), 2);
    let first = &dataset.sentences[0];
    assert_eq!(
        first.triples,
        [Triple {
            subject: Span::new(0, 2),
            relation: 0,
            object: Span::new(4, 6)
        }]
    );
    assert_eq!(first.pos_tags.as_ref().map(|p| p[2].as_str()), Some("VBZ"));
    use Tag::{B, E, O, S};
    assert_eq!(first.gold_tags(), [B, E, O, O, B, E, O]);
    let second = &dataset.sentences[1];
    assert!(second.triples.is_empty());
    assert_eq!(second.gold_tags(), [S, O, O, S, O]);
    assert_eq!(dataset.report.entities, 4);
}
