use super::*;
use crate::tag::Tag::{B, E, I, O, S};

fn one_hot(tags: &[Tag]) -> Vec<f32> {
    tags.iter()
        .flat_map(|t| {
            let mut row = [0.0; Tag::COUNT];
            row[t.index()] = 1.0;
            row
        })
        .collect()
}

#[test]
fn argmax_reads_rows_and_prefers_lower_index_on_ties() {
    let tags = [O, B, I, E, S];
    assert_eq!(argmax_tags(&one_hot(&tags), 5), tags);
    // Logits work, ties go to the lower index, and n limits the rows read.
    let logits = [
        -1.0, 2.0, 2.0, 0.0, 0.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 9.0,
    ];
    assert_eq!(argmax_tags(&logits, 2), [B, O]);
    // Fewer rows than n: only full rows.
    assert_eq!(argmax_tags(&logits[..7], 3), [B]);
}

/// A `[stride, stride, r]` block with the given cells set to `p`.
fn block(stride: usize, r: usize, cells: &[(usize, usize, usize, f32)]) -> Vec<f32> {
    let mut probs = vec![0.0; stride * stride * r];
    for &(i, j, t, p) in cells {
        probs[(i * stride + j) * r + t] = p;
    }
    probs
}

#[test]
fn partial_decoding_uses_every_cell_over_threshold() {
    let tags = [O, O, O];
    let probs = block(
        5,
        2,
        &[
            (0, 2, 1, 0.5),
            (2, 0, 0, 0.49),
            (1, 1, 0, 0.9),
            (3, 3, 0, 1.0),
        ],
    );
    let triples = decode_triples(&tags, &probs, 5, 2, 0.5, MatchMode::Partial);
    // (3, 3) is padding (n = 3) and must not be read; 0.49 is under the threshold; 0.5 is not.
    let got: Vec<(usize, usize, usize)> = triples
        .iter()
        .map(|t| (t.subject.start, t.relation, t.object.start))
        .collect();
    assert_eq!(got, [(0, 1, 2), (1, 0, 1)]);
    assert!(triples
        .iter()
        .all(|t| t.subject.len() == 1 && t.object.len() == 1));
}

#[test]
fn exact_decoding_needs_both_ends_to_close_spans() {
    // Spans: [0, 2) and [3, 4); token 2 is O, token 1 ends a span.
    let tags = [B, E, O, S];
    let probs = block(
        4,
        1,
        &[
            (1, 3, 0, 0.8),
            (2, 3, 0, 0.9),
            (3, 0, 0, 0.9),
            (3, 1, 0, 0.7),
        ],
    );
    let triples = decode_triples(&tags, &probs, 4, 1, 0.5, MatchMode::Exact);
    assert_eq!(
        triples,
        [
            Triple {
                subject: Span::new(0, 2),
                relation: 0,
                object: Span::new(3, 4)
            },
            Triple {
                subject: Span::new(3, 4),
                relation: 0,
                object: Span::new(0, 2)
            },
        ]
    );
}

#[test]
fn threshold_is_a_setting() {
    let probs = block(2, 1, &[(0, 1, 0, 0.3)]);
    assert!(decode_triples(&[S, S], &probs, 2, 1, 0.5, MatchMode::Partial).is_empty());
    assert_eq!(
        decode_triples(&[S, S], &probs, 2, 1, 0.25, MatchMode::Partial).len(),
        1
    );
}

#[test]
fn short_buffers_do_not_panic() {
    let probs = block(3, 2, &[(0, 0, 0, 1.0)]);
    // The block claims stride 4 but holds only 3 x 3 x 2 values.
    let triples = decode_triples(&[S, S, S, S], &probs, 4, 2, 0.5, MatchMode::Partial);
    assert_eq!(triples.len(), 1);
    assert!(decode_triples(&[S], &[], 1, 3, 0.5, MatchMode::Exact).is_empty());
    assert!(decode_triples(&[S], &probs, 1, 0, 0.5, MatchMode::Exact).is_empty());
}

/// The cells of a dense block at or above `threshold`, as a sparse graph output lists them.
fn cells_of(probs: &[f32], stride: usize, r: usize, threshold: f32) -> Vec<RelationCell> {
    probs
        .iter()
        .enumerate()
        .filter(|(_, &p)| p >= threshold)
        .map(|(at, &p)| RelationCell {
            i: at / (stride * r),
            j: at / r % stride,
            relation: at % r,
            p,
        })
        .collect()
}

#[test]
fn sparse_cells_decode_to_the_dense_blocks_triples_and_scores() {
    // A small deterministic generator: padded blocks with random probabilities and tags.
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f32 / (1u64 << 31) as f32
    };
    let mut compared = 0;
    for case in 0..200 {
        let (stride, r) = (1 + case % 9, 1 + case % 4);
        let n = 1 + (case * 7) % stride;
        let tags: Vec<Tag> = (0..n)
            .map(|_| Tag::ALL[(next() * 5.0) as usize % 5])
            .collect();
        let probs: Vec<f32> = (0..stride * stride * r).map(|_| next()).collect();
        for threshold in [0.3, 0.5, 0.9] {
            let mut cells = cells_of(&probs, stride, r, threshold);
            // The graph lists cells in row-major order; any order must do.
            cells.reverse();
            for mode in [MatchMode::Partial, MatchMode::Exact] {
                let dense = decode_triples(&tags, &probs, stride, r, threshold, mode);
                let sparse = decode_cells(&tags, &cells, threshold, mode);
                let triples: Vec<Triple> = sparse.iter().map(|(t, _)| *t).collect();
                assert_eq!(triples, dense, "case {case} threshold {threshold} {mode:?}");
                for (t, p) in &sparse {
                    let at = (t.subject.last() * stride + t.object.last()) * r + t.relation;
                    assert_eq!(*p, probs[at]);
                }
                compared += dense.len();
            }
        }
    }
    assert!(compared > 1000, "too few triples compared: {compared}");
    // A lower threshold in the decoder than in the list cannot invent cells; a higher one filters.
    let probs = block(3, 1, &[(0, 1, 0, 0.6), (1, 2, 0, 0.8)]);
    let cells = cells_of(&probs, 3, 1, 0.5);
    let got = decode_cells(&[O, O, O], &cells, 0.7, MatchMode::Partial);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, 0.8);
}

#[test]
fn a_threshold_is_a_probability() {
    for ok in [0.0, 0.5, 1.0] {
        assert!(is_threshold(ok), "{ok}");
    }
    for bad in [-1.0, 1.5, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        assert!(!is_threshold(bad), "{bad}");
    }
}
