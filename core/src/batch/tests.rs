use super::*;
use crate::sentence::{Span, Triple};

fn sentence(tokens: &[&str], pos: Option<&[&str]>, triples: &[Triple]) -> Sentence {
    let mut entities: Vec<Span> = triples.iter().flat_map(|t| [t.subject, t.object]).collect();
    entities.sort();
    entities.dedup();
    Sentence {
        tokens: tokens.iter().map(|s| s.to_string()).collect(),
        pos_tags: pos.map(|p| p.iter().map(|s| s.to_string()).collect()),
        entities,
        triples: triples.to_vec(),
    }
}

#[test]
fn pads_ids_tags_and_cells() {
    let t = Triple {
        subject: Span::new(0, 2),
        relation: 1,
        object: Span::single(2),
    };
    let a = sentence(&["New", "York", "Paris"], Some(&["NNP", "NNP", "XX"]), &[t]);
    let b = sentence(&["paris"], None, &[]);
    let mut words = Vocab::new();
    words.insert("paris"); // 2
    words.insert("york"); // 3
    let mut pos = Vocab::new();
    pos.insert("NNP"); // 2
    let batch = PaddedBatch::new(&[&a, &b], &words, &pos);
    assert_eq!((batch.batch, batch.seq_len), (2, 3));
    assert_eq!(batch.lengths, [3, 1]);
    assert_eq!(batch.word_ids, [1, 3, 2, 2, 0, 0]);
    assert_eq!(batch.pos_ids, [2, 2, 1, 1, 0, 0]);
    assert_eq!(batch.tags, [1, 3, 4, 0, IGNORE_TAG, IGNORE_TAG]);
    assert_eq!(batch.relation_cells, [[0, 1, 2, 1]]);
    assert_eq!(batch.mask(), [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    let relations = RelationSet::from_names(vec!["r0".into(), "r1".into()]);
    let dense = batch.relation_targets(&relations);
    assert_eq!(dense.len(), 2 * 3 * 3 * 2);
    assert_eq!(dense.iter().sum::<f32>(), 1.0);
    assert_eq!(dense[(3 + 2) * 2 + 1], 1.0);
}

#[test]
fn empty_batch() {
    let batch = PaddedBatch::new(&[], &Vocab::new(), &Vocab::new());
    assert_eq!((batch.batch, batch.seq_len), (0, 0));
    assert!(batch.word_ids.is_empty());
}

#[test]
fn buckets_group_similar_lengths() {
    let lengths = [5, 1, 9, 2, 5, 8, 1];
    let buckets = length_buckets(&lengths, 3, None);
    assert_eq!(buckets, [vec![1, 6, 3], vec![0, 4, 5], vec![2]]);
    assert_eq!(length_buckets(&lengths, 0, None).len(), 7);
}

#[test]
fn seeded_buckets_are_reproducible_permutations() {
    let lengths: Vec<usize> = (0..100).map(|i| (i * 37) % 23).collect();
    let a = length_buckets(&lengths, 8, Some(7));
    assert_eq!(a, length_buckets(&lengths, 8, Some(7)));
    assert_ne!(a, length_buckets(&lengths, 8, Some(8)));
    let mut all: Vec<usize> = a.iter().flatten().copied().collect();
    all.sort();
    assert_eq!(all, (0..100).collect::<Vec<_>>());
    // Within a batch the lengths stay close: sorted chunks of 8 from 23 distinct lengths.
    for batch in &a {
        let (min, max) = batch.iter().fold((usize::MAX, 0), |(lo, hi), &i| {
            (lo.min(lengths[i]), hi.max(lengths[i]))
        });
        assert!(max - min <= 2, "{batch:?}");
    }
}
