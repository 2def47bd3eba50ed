//! The readers against the real data files: exact sentence counts, LoadReport figures and spot
//! checks of individual records.

use rin_core::{DataFormat, LoadReport, Span, Tag, Triple};

use crate::common::{load, shared_dir, NYT, NYT_STAR, WEBNLG, WEBNLG_STAR};

fn counts(dir: &str, format: DataFormat, splits: &[&str]) -> Vec<(usize, usize, LoadReport)> {
    splits
        .iter()
        .map(|split| {
            let (relations, dataset) = load(dir, split, format);
            println!(
                "{dir} {split}: {} relations, {:?}",
                relations.len(),
                dataset.report
            );
            (relations.len(), dataset.sentences.len(), dataset.report)
        })
        .collect()
}

#[test]
fn webnlg_star_counts() {
    let got = counts(WEBNLG_STAR, DataFormat::CasRel, &["train", "dev", "test"]);
    let sentences: Vec<(usize, usize)> = got.iter().map(|g| (g.0, g.1)).collect();
    assert_eq!(sentences, [(171, 5019), (171, 500), (171, 703)]);
    let test = got[2].2;
    assert_eq!(test.sentences, 703);
    assert_eq!(test.triples, 1581);
    assert_eq!(test.ambiguous_entities, 208);
    assert_eq!(test.unlocatable_triples, 0);
    assert_eq!(test.overlapping_entities, 0);
    assert_eq!(test.duplicate_triples, 10);
    assert_eq!(got[0].2.triples, 11687);
}

#[test]
fn webnlg_exact_counts() {
    let got = counts(WEBNLG, DataFormat::JointEr, &["train", "dev", "test"]);
    let sentences: Vec<(usize, usize)> = got.iter().map(|g| (g.0, g.1)).collect();
    assert_eq!(sentences, [(216, 5019), (216, 500), (216, 703)]);
    let overlapping: Vec<usize> = got.iter().map(|g| g.2.overlapping_entities).collect();
    assert_eq!(overlapping, [478, 48, 74]);
    let test = got[2].2;
    assert_eq!(
        (
            test.triples,
            test.ambiguous_entities,
            test.unlocatable_triples
        ),
        (1607, 0, 0)
    );
}

#[test]
fn nyt_star_counts() {
    let Some(dir) = shared_dir(NYT_STAR, "nyt-star") else {
        return;
    };
    let got = counts(dir.to_str().unwrap(), DataFormat::CasRel, &["dev", "test"]);
    let sentences: Vec<(usize, usize)> = got.iter().map(|g| (g.0, g.1)).collect();
    assert_eq!(sentences, [(24, 4999), (24, 5000)]);
    assert_eq!(got[1].2.triples, 8110);
    assert_eq!(got[1].2.unlocatable_triples, 0);
}

#[test]
fn nyt_exact_counts() {
    let Some(dir) = shared_dir(NYT, "nyt") else {
        return;
    };
    let got = counts(dir.to_str().unwrap(), DataFormat::CasRel, &["dev", "test"]);
    let sentences: Vec<(usize, usize)> = got.iter().map(|g| (g.0, g.1)).collect();
    assert_eq!(sentences, [(24, 5000), (24, 5000)]);
    // README: test lists 8616 triples, 8120 unique; 44 unique ones name an entity spelled
    // differently in the text (accents: "Cancún" vs "Cancun").
    let test = got[1].2;
    assert_eq!(
        test.triples + test.unlocatable_triples + test.duplicate_triples,
        8616
    );
    assert_eq!(test.triples + test.unlocatable_triples, 8120);
    assert_eq!(test.unlocatable_triples, 44);
}

#[test]
fn casrel_record_is_anchored_on_first_occurrences() {
    let (relations, test) = load(WEBNLG_STAR, "test", DataFormat::CasRel);
    let first = &test.sentences[0];
    assert_eq!(first.tokens[..3], ["Tim", "Brooke-Taylor", "was"]);
    assert_eq!(first.pos_tags, None);
    let starring = relations.id("starring").unwrap();
    assert_eq!(
        first.triples[0],
        Triple {
            subject: Span::new(6, 7),
            relation: starring,
            object: Span::new(1, 2)
        }
    );
    // Partial-match entities are single words, tagged S.
    let tags = first.gold_tags();
    assert_eq!((tags[1], tags[6], tags[0]), (Tag::S, Tag::S, Tag::O));
    assert!(first.entities.iter().all(|e| e.len() == 1));
}

#[test]
fn jointer_record_keeps_given_spans_and_pos() {
    let (relations, test) = load(WEBNLG, "test", DataFormat::JointEr);
    let first = &test.sentences[0];
    assert_eq!(first.len(), 18);
    assert_eq!(first.pos_tags.as_ref().map(Vec::len), Some(18));
    let ground = relations.id("ground").unwrap();
    assert_eq!(
        first.triples[0],
        Triple {
            subject: Span::new(0, 2),
            relation: ground,
            object: Span::new(1, 2)
        }
    );
    assert_eq!(
        first.entities,
        [
            Span::new(0, 2),
            Span::new(1, 2),
            Span::new(5, 7),
            Span::new(10, 11)
        ]
    );
    // "Cesena" [1, 2) is nested in "A.C. Cesena" [0, 2): the longer span gets the tags.
    use Tag::{B, E, O, S};
    assert_eq!(first.gold_tags()[..11], [B, E, O, O, O, B, E, O, O, O, S]);
    assert_eq!(first.relation_cells()[0], (1, 1, ground));
}
