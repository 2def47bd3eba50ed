//! Micro precision, recall and F1 (MODEL.md, "Evaluation").
//!
//! Three scores are kept side by side because published figures use different ones:
//! - `triples`: sets of string triples per sentence, as CasRel and TPLinker score (partial match:
//!   last words; exact match: whole entity strings joined by a space). The headline figure.
//! - `cells`: the authors' code, which compares label cells: partial `(i, j, t)`, exact
//!   `(subject span, t, object span)`. It differs from `triples` when one string occurs twice.
//! - `entities`: exact spans decoded from the predicted tags against the gold entity spans.
//!
//! Each is a set per sentence, so a triple listed twice counts once.

use std::collections::HashSet;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::decode::MatchMode;
use crate::relation::RelationSet;
use crate::sentence::{Sentence, Span, Triple};
use crate::tag::{decode_bioes, Tag};

/// Counts for micro precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Prf {
    /// Predictions that are in the gold set.
    pub correct: usize,
    /// Predictions.
    pub predicted: usize,
    /// Gold items.
    pub gold: usize,
}

impl Prf {
    /// `correct / predicted`, or 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    /// `correct / gold`, or 0 when there is no gold.
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }

    /// The harmonic mean of precision and recall, or 0 when both are 0.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }

    /// Adds the counts of comparing one sentence's predicted set with its gold set.
    pub fn add_sets<T: Eq + Hash>(&mut self, gold: &HashSet<T>, predicted: &HashSet<T>) {
        self.correct += predicted.intersection(gold).count();
        self.predicted += predicted.len();
        self.gold += gold.len();
    }

    /// Adds another count.
    pub fn merge(&mut self, other: &Prf) {
        self.correct += other.correct;
        self.predicted += other.predicted;
        self.gold += other.gold;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The mean and sample standard deviation (n - 1 in the denominator) of runs that differ only by
/// seed, as papers report them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanStd {
    /// Runs averaged.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation; 0 for a single run.
    pub std: f64,
}

impl MeanStd {
    /// `None` for no values.
    pub fn of(values: &[f64]) -> Option<MeanStd> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let std = if n > 1 {
            let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
            (squares / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some(MeanStd { n, mean, std })
    }
}

/// The scores of a whole evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EvalReport {
    /// String triples, as CasRel and TPLinker score.
    pub triples: Prf,
    /// Label cells, as the authors' code scores.
    pub cells: Prf,
    /// Entity spans.
    pub entities: Prf,
}

/// Accumulates predictions sentence by sentence.
#[derive(Debug, Clone)]
pub struct Evaluator {
    mode: MatchMode,
    relations: usize,
    report: EvalReport,
}

/// A triple as strings: (subject, relation id, object).
type StringTriple = (String, usize, String);
/// A cell: partial `(i, j, t)` as one-token spans, exact `(subject span, t, object span)`.
type Cell = (Span, usize, Span);

impl Evaluator {
    /// An evaluator for `mode`. Relation ids at or above `relations.len()` are never gold, so a
    /// prediction with one counts as wrong.
    pub fn new(mode: MatchMode, relations: &RelationSet) -> Self {
        Evaluator {
            mode,
            relations: relations.len(),
            report: EvalReport::default(),
        }
    }

    /// The match mode.
    pub fn mode(&self) -> MatchMode {
        self.mode
    }

    /// Scores one sentence: `predicted_tags` (for entity F1) and `predicted_triples` against `gold`.
    /// Predicted spans outside the sentence never match.
    pub fn add(&mut self, gold: &Sentence, predicted_tags: &[Tag], predicted_triples: &[Triple]) {
        let gold_triples: Vec<Triple> = gold
            .triples
            .iter()
            .copied()
            .filter(|t| t.relation < self.relations)
            .collect();
        let (gold_strings, _) = self.string_set(&gold.tokens, &gold_triples);
        let (predicted_strings, invalid) = self.string_set(&gold.tokens, predicted_triples);
        self.report
            .triples
            .add_sets(&gold_strings, &predicted_strings);
        // A prediction that names no text is still a prediction, and a wrong one.
        self.report.triples.predicted += invalid;
        let gold_cells: HashSet<Cell> = gold_triples.iter().map(|t| self.cell(t)).collect();
        let predicted_cells: HashSet<Cell> =
            predicted_triples.iter().map(|t| self.cell(t)).collect();
        self.report.cells.add_sets(&gold_cells, &predicted_cells);
        let gold_entities: HashSet<Span> = gold.entities.iter().copied().collect();
        let predicted_entities: HashSet<Span> = decode_bioes(predicted_tags).into_iter().collect();
        self.report
            .entities
            .add_sets(&gold_entities, &predicted_entities);
    }

    /// The set of string triples, and the number of distinct triples whose spans fall outside
    /// `tokens` (or are empty).
    fn string_set(&self, tokens: &[String], triples: &[Triple]) -> (HashSet<StringTriple>, usize) {
        let mut strings = HashSet::with_capacity(triples.len());
        let mut invalid = HashSet::new();
        for t in triples {
            match self.string_triple(tokens, t) {
                Some(s) => {
                    strings.insert(s);
                }
                None => {
                    invalid.insert(*t);
                }
            }
        }
        (strings, invalid.len())
    }

    /// The counts so far.
    pub fn report(&self) -> EvalReport {
        self.report
    }

    fn string_triple(&self, tokens: &[String], t: &Triple) -> Option<StringTriple> {
        let text = |span: Span| match self.mode {
            MatchMode::Partial => tokens
                .get(span.last())
                .filter(|_| !span.is_empty())
                .cloned(),
            MatchMode::Exact => span.text(tokens).filter(|_| !span.is_empty()),
        };
        Some((text(t.subject)?, t.relation, text(t.object)?))
    }

    fn cell(&self, t: &Triple) -> Cell {
        match self.mode {
            MatchMode::Partial => (
                Span::single(t.subject.last()),
                t.relation,
                Span::single(t.object.last()),
            ),
            MatchMode::Exact => (t.subject, t.relation, t.object),
        }
    }
}

#[cfg(test)]
mod tests;
