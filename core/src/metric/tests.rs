use super::*;
use crate::tag::Tag::{B, E, O, S};

/// A triple as `((subject start, end), relation, (object start, end))`.
type RawTriple = ((usize, usize), usize, (usize, usize));

fn sentence(tokens: &str, triples: &[RawTriple]) -> Sentence {
    let triples: Vec<Triple> = triples
        .iter()
        .map(|&((a, b), relation, (c, d))| Triple {
            subject: Span::new(a, b),
            relation,
            object: Span::new(c, d),
        })
        .collect();
    let mut entities: Vec<Span> = triples.iter().flat_map(|t| [t.subject, t.object]).collect();
    entities.sort();
    entities.dedup();
    Sentence {
        tokens: tokens.split(' ').map(str::to_owned).collect(),
        pos_tags: None,
        entities,
        triples,
    }
}

fn relations() -> RelationSet {
    RelationSet::from_names(vec!["born_in".into(), "capital".into()])
}

#[test]
fn undefined_ratios_are_zero() {
    let none = Prf::default();
    assert_eq!(
        (none.precision(), none.recall(), none.f1()),
        (0.0, 0.0, 0.0)
    );
    let no_predictions = Prf {
        correct: 0,
        predicted: 0,
        gold: 4,
    };
    assert_eq!(
        (
            no_predictions.precision(),
            no_predictions.recall(),
            no_predictions.f1()
        ),
        (0.0, 0.0, 0.0)
    );
    let no_gold = Prf {
        correct: 0,
        predicted: 3,
        gold: 0,
    };
    assert_eq!(
        (no_gold.precision(), no_gold.recall(), no_gold.f1()),
        (0.0, 0.0, 0.0)
    );
    let some = Prf {
        correct: 1,
        predicted: 2,
        gold: 4,
    };
    assert_eq!((some.precision(), some.recall()), (0.5, 0.25));
    assert!((some.f1() - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn evaluator_with_no_predictions_and_no_gold() {
    let gold = sentence("Obama was born in Honolulu", &[((0, 1), 0, (4, 5))]);
    let mut eval = Evaluator::new(MatchMode::Partial, &relations());
    eval.add(&gold, &[O; 5], &[]);
    let r = eval.report();
    assert_eq!(
        r.triples,
        Prf {
            correct: 0,
            predicted: 0,
            gold: 1
        }
    );
    assert_eq!(
        r.entities,
        Prf {
            correct: 0,
            predicted: 0,
            gold: 2
        }
    );
    assert_eq!(r.triples.f1(), 0.0);

    let empty = sentence("nothing here", &[]);
    let mut eval = Evaluator::new(MatchMode::Partial, &relations());
    let wrong = Triple {
        subject: Span::single(0),
        relation: 1,
        object: Span::single(1),
    };
    eval.add(&empty, &[S, S], &[wrong]);
    let r = eval.report();
    assert_eq!(
        r.triples,
        Prf {
            correct: 0,
            predicted: 1,
            gold: 0
        }
    );
    assert_eq!(
        r.entities,
        Prf {
            correct: 0,
            predicted: 2,
            gold: 0
        }
    );
    assert_eq!(
        (r.triples.precision(), r.triples.recall(), r.triples.f1()),
        (0.0, 0.0, 0.0)
    );
}

#[test]
fn partial_match_compares_last_words_and_counts_duplicates_once() {
    let gold = sentence("Barack Obama was born in Honolulu", &[((0, 2), 0, (5, 6))]);
    let mut eval = Evaluator::new(MatchMode::Partial, &relations());
    let predicted = Triple {
        subject: Span::single(1),
        relation: 0,
        object: Span::single(5),
    };
    eval.add(&gold, &[O, S, O, O, O, S], &[predicted, predicted]);
    let r = eval.report();
    assert_eq!(
        r.triples,
        Prf {
            correct: 1,
            predicted: 1,
            gold: 1
        }
    );
    assert_eq!(
        r.cells,
        Prf {
            correct: 1,
            predicted: 1,
            gold: 1
        }
    );
    // Entity F1 is on exact spans: [1, 2) is not the gold [0, 2).
    assert_eq!(
        r.entities,
        Prf {
            correct: 1,
            predicted: 2,
            gold: 2
        }
    );
}

#[test]
fn exact_match_compares_whole_strings() {
    let gold = sentence("Barack Obama was born in Honolulu", &[((0, 2), 0, (5, 6))]);
    let mut eval = Evaluator::new(MatchMode::Exact, &relations());
    let right = Triple {
        subject: Span::new(0, 2),
        relation: 0,
        object: Span::single(5),
    };
    let short = Triple {
        subject: Span::single(1),
        relation: 0,
        object: Span::single(5),
    };
    let wrong_relation = Triple {
        relation: 1,
        ..right
    };
    eval.add(&gold, &[B, E, O, O, O, S], &[right, short, wrong_relation]);
    let r = eval.report();
    assert_eq!(
        r.triples,
        Prf {
            correct: 1,
            predicted: 3,
            gold: 1
        }
    );
    assert_eq!(
        r.cells,
        Prf {
            correct: 1,
            predicted: 3,
            gold: 1
        }
    );
    assert_eq!(
        r.entities,
        Prf {
            correct: 2,
            predicted: 2,
            gold: 2
        }
    );
}

#[test]
fn string_and_cell_scoring_differ_on_repeated_words() {
    // "Paris" occurs twice; the gold cell anchors on the first, the model predicts the second.
    let gold = sentence("Paris is in France ; Paris", &[((0, 1), 1, (3, 4))]);
    let predicted = Triple {
        subject: Span::single(5),
        relation: 1,
        object: Span::single(3),
    };
    let mut eval = Evaluator::new(MatchMode::Partial, &relations());
    eval.add(&gold, &[O; 6], &[predicted]);
    let r = eval.report();
    assert_eq!(r.triples.correct, 1, "same strings");
    assert_eq!(r.cells.correct, 0, "different cells");
}

#[test]
fn out_of_range_predictions_count_as_wrong() {
    let gold = sentence("a b", &[((0, 1), 0, (1, 2))]);
    let outside = Triple {
        subject: Span::single(0),
        relation: 0,
        object: Span::single(7),
    };
    let mut eval = Evaluator::new(MatchMode::Exact, &relations());
    eval.add(&gold, &[S, S], &[outside, outside]);
    assert_eq!(
        eval.report().triples,
        Prf {
            correct: 0,
            predicted: 1,
            gold: 1
        }
    );
}

#[test]
fn mean_std_uses_the_sample_deviation() {
    let m = MeanStd::of(&[86.0, 88.0, 87.0, 89.0]).unwrap();
    assert_eq!((m.n, m.mean), (4, 87.5));
    // The squared deviations sum to 5; the sample variance is 5 / 3.
    assert!((m.std - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert_eq!(MeanStd::of(&[80.0]).unwrap().std, 0.0);
    assert!(MeanStd::of(&[]).is_none());
}
