//! The names of an exported graph's inputs, outputs and dynamic dimensions: the exporter writes
//! them, `manifest.json` lists them, and the runtime feeds and reads them.

/// Graph input: word ids `[batch, seq]` int64.
pub const WORD_IDS: &str = "word_ids";
/// Graph input: POS ids `[batch, seq]` int64 (read only by models with POS).
pub const POS_IDS: &str = "pos_ids";
/// Graph input: sentence lengths `[batch]` int32, each in `1..=seq`.
pub const LENGTHS: &str = "lengths";
/// Graph output: BIOES tag probabilities `[batch, seq, 5]` (O, B, I, E, S).
pub const ENTITY_PROBS: &str = "entity_probs";
/// Graph output: relation probabilities `[batch, seq, seq, relations]`, `[b, i, j, t]` for subject
/// ending at i, object ending at j, relation t.
pub const RELATION_PROBS: &str = "relation_probs";

/// Graph input of sparse exports: the relation threshold `[1]` float; cells at or above it are
/// listed.
pub const RELATION_THRESHOLD: &str = "relation_threshold";
/// Graph output of sparse exports: `[cells, 4]` int64, `(b, i, j, t)` of every relation
/// probability `>= relation_threshold`, in row-major order.
pub const RELATION_CELLS: &str = "relation_cells";
/// Graph output of sparse exports: `[cells]` float, the probability of each listed cell.
pub const RELATION_SCORES: &str = "relation_scores";
/// The dynamic dimension of the sparse outputs.
pub const CELLS: &str = "cells";

/// The dynamic batch dimension's name.
pub const BATCH: &str = "batch";
/// The dynamic sequence dimension's name.
pub const SEQ: &str = "seq";
