use super::*;
use Tag::{B, E, I, O, S};

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end)
}

#[test]
fn index_order_is_o_b_i_e_s() {
    let indices: Vec<usize> = Tag::ALL.iter().map(|t| t.index()).collect();
    assert_eq!(indices, [0, 1, 2, 3, 4]);
    assert_eq!(Tag::from_index(3), Some(E));
    assert_eq!(Tag::from_index(5), None);
    assert_eq!(Tag::ALL.map(Tag::as_str).concat(), "OBIES");
}

#[test]
fn encodes_single_and_multi_token_spans() {
    let tags = encode_bioes(7, &[span(4, 7), span(0, 1), span(1, 3)]).unwrap();
    assert_eq!(tags, [S, B, E, O, B, I, E]);
}

#[test]
fn encode_rejects_overlap_and_out_of_range() {
    assert_eq!(
        encode_bioes(5, &[span(0, 3), span(2, 4)]),
        Err(TagError::Overlap {
            first: span(0, 3),
            second: span(2, 4)
        })
    );
    assert_eq!(
        encode_bioes(3, &[span(1, 4)]),
        Err(TagError::OutOfRange {
            span: span(1, 4),
            len: 3
        })
    );
    assert_eq!(
        encode_bioes(3, &[span(2, 2)]),
        Err(TagError::OutOfRange {
            span: span(2, 2),
            len: 3
        })
    );
    // The same span twice is one entity, not an overlap.
    assert_eq!(encode_bioes(2, &[span(0, 2), span(0, 2)]).unwrap(), [B, E]);
}

#[test]
fn decode_single_s() {
    assert_eq!(decode_bioes(&[O, S, O, S]), [span(1, 2), span(3, 4)]);
}

#[test]
fn decode_i_without_b_is_ignored() {
    assert_eq!(decode_bioes(&[O, I, I, O, S]), [span(4, 5)]);
    // An I run after O does not resurrect the span that O dropped.
    assert_eq!(decode_bioes(&[B, O, I, E]), Vec::<Span>::new());
}

#[test]
fn decode_e_without_b_is_ignored() {
    assert_eq!(decode_bioes(&[E, O, B, E, E]), [span(2, 4)]);
}

#[test]
fn decode_b_without_e_is_dropped() {
    assert_eq!(decode_bioes(&[B, I, O, S]), [span(3, 4)]);
    assert_eq!(decode_bioes(&[S, B, I]), [span(0, 1)]);
    // A new B restarts the span.
    assert_eq!(decode_bioes(&[B, B, I, E]), [span(1, 4)]);
    // S while a span is open: the S stands, the open span is dropped.
    assert_eq!(decode_bioes(&[B, S, E]), [span(1, 2)]);
}

#[test]
fn decode_inverts_encode() {
    let spans = vec![span(0, 1), span(2, 5), span(5, 6), span(7, 9)];
    let tags = encode_bioes(10, &spans).unwrap();
    assert_eq!(decode_bioes(&tags), spans);
}

#[test]
fn overlapping_gold_spans_keep_longer_then_earlier() {
    // Nested: "A.C. Cesena" [0, 2) around "Cesena" [1, 2).
    let (kept, dropped) = resolve_overlaps(4, &[span(1, 2), span(0, 2)]);
    assert_eq!((kept, dropped), (vec![span(0, 2)], vec![span(1, 2)]));
    // Crossing spans of equal length: the earlier wins.
    let (kept, dropped) = resolve_overlaps(5, &[span(2, 4), span(1, 3)]);
    assert_eq!((kept, dropped), (vec![span(1, 3)], vec![span(2, 4)]));
    // A longer later span beats a shorter earlier one, and the rest still fit around it.
    let (kept, dropped) = resolve_overlaps(6, &[span(0, 2), span(1, 4), span(4, 5)]);
    assert_eq!(
        (kept, dropped),
        (vec![span(1, 4), span(4, 5)], vec![span(0, 2)])
    );
    // Out-of-range spans are dropped rather than tagged.
    let (kept, dropped) = resolve_overlaps(2, &[span(1, 3)]);
    assert_eq!((kept, dropped), (vec![], vec![span(1, 3)]));
}
