//! Encoding gold annotation into model-shaped outputs and decoding it back.
//!
//! Partial match must come back perfectly. Exact match cannot, because relation cells anchor on
//! last tokens and BIOES cannot hold nested spans: `webnlg_exact_ceiling` measures how much of the
//! gold the scheme can express at best (the figure is in core/README.md).

use rin_core::{
    argmax_tags, decode_triples, DataFormat, Dataset, EvalReport, Evaluator, MatchMode,
    RelationSet, Sentence, Tag, Triple,
};

use crate::common::{load, shared_dir, NYT, NYT_STAR, WEBNLG, WEBNLG_STAR};

/// Padding added to each sentence's block, so that decoding is checked with a stride > n.
const PAD: usize = 3;

/// One-hot tag probabilities `[n + PAD, 5]` (padding rows favour S, to catch reads past n) and a
/// 0/1 relation tensor `[n + PAD, n + PAD, R]` built from the gold annotation.
fn model_outputs(sentence: &Sentence, relations: usize) -> (Vec<f32>, Vec<f32>, usize) {
    let stride = sentence.len() + PAD;
    let mut tag_probs = vec![0.0; stride * Tag::COUNT];
    let gold_tags = sentence.gold_tags();
    for i in 0..stride {
        let tag = gold_tags.get(i).copied().unwrap_or(Tag::S);
        tag_probs[i * Tag::COUNT + tag.index()] = 1.0;
    }
    let mut relation_probs = vec![0.0; stride * stride * relations];
    for (i, j, t) in sentence.relation_cells() {
        relation_probs[(i * stride + j) * relations + t] = 1.0;
    }
    // A cell in the padding, which decoding must never read.
    relation_probs[((stride - 1) * stride + stride - 1) * relations] = 1.0;
    (tag_probs, relation_probs, stride)
}

fn decode_gold(sentence: &Sentence, relations: usize, mode: MatchMode) -> (Vec<Tag>, Vec<Triple>) {
    let (tag_probs, relation_probs, stride) = model_outputs(sentence, relations);
    let tags = argmax_tags(&tag_probs, sentence.len());
    let triples = decode_triples(&tags, &relation_probs, stride, relations, 0.5, mode);
    (tags, triples)
}

fn score_gold(relations: &RelationSet, dataset: &Dataset, mode: MatchMode) -> EvalReport {
    let mut eval = Evaluator::new(mode, relations);
    for sentence in &dataset.sentences {
        let (tags, triples) = decode_gold(sentence, relations.len(), mode);
        assert_eq!(tags, sentence.gold_tags());
        eval.add(sentence, &tags, &triples);
    }
    eval.report()
}

fn percent(x: f64) -> f64 {
    (x * 10_000.0).round() / 100.0
}

#[test]
fn webnlg_star_partial_round_trip_is_perfect() {
    let (relations, test) = load(WEBNLG_STAR, "test", DataFormat::CasRel);
    let report = score_gold(&relations, &test, MatchMode::Partial);
    assert_eq!(report.triples.gold, 1581);
    assert_eq!(report.triples.correct, report.triples.gold);
    assert_eq!(report.triples.predicted, report.triples.gold);
    assert_eq!(100.0 * report.triples.f1(), 100.0);
    assert_eq!(100.0 * report.cells.f1(), 100.0);
    assert_eq!(100.0 * report.entities.f1(), 100.0);
}

#[test]
fn nyt_star_partial_round_trip_is_perfect() {
    let Some(dir) = shared_dir(NYT_STAR, "nyt-star") else {
        return;
    };
    let (relations, test) = load(dir.to_str().unwrap(), "test", DataFormat::CasRel);
    let report = score_gold(&relations, &test, MatchMode::Partial);
    assert_eq!(report.triples.gold, 8110);
    assert_eq!(100.0 * report.triples.f1(), 100.0);
}

/// The share of gold triples (string scoring, exact match) that decoding the gold tags and cells
/// recovers: the best any model can do with tail-anchored cells and one BIOES sequence.
#[test]
fn webnlg_exact_ceiling() {
    let (relations, test) = load(WEBNLG, "test", DataFormat::JointEr);
    let report = score_gold(&relations, &test, MatchMode::Exact);
    let (recall, precision) = (
        percent(report.triples.recall()),
        percent(report.triples.precision()),
    );
    println!(
        "WebNLG exact test, decoding gold: {} of {} gold triples recovered ({recall}%), \
         precision {precision}%, F1 {}%, cell F1 {}%, entity F1 {}%",
        report.triples.correct,
        report.triples.gold,
        percent(report.triples.f1()),
        percent(report.cells.f1()),
        percent(report.entities.f1()),
    );
    assert_eq!(report.triples.gold, 1607);
    assert_eq!(
        (report.triples.correct, report.triples.predicted),
        (1512, 1532)
    );
    assert_eq!(recall, 94.09);
}

#[test]
fn nyt_exact_ceiling() {
    let Some(dir) = shared_dir(NYT, "nyt") else {
        return;
    };
    let (relations, test) = load(dir.to_str().unwrap(), "test", DataFormat::CasRel);
    let report = score_gold(&relations, &test, MatchMode::Exact);
    // Unlocatable triples are not in the sentences, but they are gold all the same.
    let unique = report.triples.gold + test.report.unlocatable_triples;
    println!(
        "NYT exact test, decoding gold: {} of {} located gold triples recovered ({}%), \
         {}% of all {unique} unique gold triples",
        report.triples.correct,
        report.triples.gold,
        percent(report.triples.recall()),
        percent(report.triples.correct as f64 / unique as f64),
    );
    assert_eq!(
        (report.triples.correct, report.triples.predicted),
        (7968, 7984)
    );
    assert_eq!(unique, 8120);
}
