//! Precision, recall and F1 as checkpoints and `metrics.jsonl` store them (`dev` in
//! `checkpoint.json`, and in `manifest.json`), turned from an [`EvalReport`]'s counts.

use serde::{Deserialize, Serialize};

use crate::metric::{EvalReport, Prf};

/// Precision, recall and F1 of one count, as stored in `metrics.jsonl` and checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Precision in [0, 1].
    pub precision: f64,
    /// Recall in [0, 1].
    pub recall: f64,
    /// F1 in [0, 1].
    pub f1: f64,
    /// The counts behind them.
    pub counts: Prf,
}

impl From<Prf> for Score {
    fn from(p: Prf) -> Self {
        Score {
            precision: p.precision(),
            recall: p.recall(),
            f1: p.f1(),
            counts: p,
        }
    }
}

/// The scores of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Triples by string (CasRel/TPLinker scoring): the headline figure.
    pub triples: Score,
    /// Triples by label cell (the authors' code's scoring).
    pub cells: Score,
    /// Entity spans (exact).
    pub entities: Score,
}

impl From<EvalReport> for Scores {
    fn from(r: EvalReport) -> Self {
        Scores {
            triples: r.triples.into(),
            cells: r.cells.into(),
            entities: r.entities.into(),
        }
    }
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = |f: &mut std::fmt::Formatter<'_>, name: &str, s: &Score| {
            writeln!(
                f,
                "{name:<22} P {:6.2}  R {:6.2}  F1 {:6.2}   ({} correct, {} predicted, {} gold)",
                100.0 * s.precision,
                100.0 * s.recall,
                100.0 * s.f1,
                s.counts.correct,
                s.counts.predicted,
                s.counts.gold
            )
        };
        line(f, "triples (strings)", &self.triples)?;
        line(f, "triples (cells)", &self.cells)?;
        line(f, "entities (exact spans)", &self.entities)
    }
}
