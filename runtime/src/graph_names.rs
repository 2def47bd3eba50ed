//! The names a session feeds and reads: the graph's inputs and outputs as the manifest lists
//! them (rin-core's [`onnx_names`] by default).

use rin_core::onnx_names;

/// The names of a graph's inputs and outputs (from the manifest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNames {
    /// `[batch, seq]` int64 word ids.
    pub word_ids: String,
    /// `[batch, seq]` int64 POS ids.
    pub pos_ids: String,
    /// `[batch]` int32 sentence lengths.
    pub lengths: String,
    /// `[batch, seq, 5]` float tag probabilities (O, B, I, E, S).
    pub entity_probs: String,
    /// `[batch, seq, seq, relations]` float relation probabilities (dense graphs).
    pub relation_probs: String,
    /// The threshold input and cell outputs of sparse graphs; `None` for dense ones.
    pub sparse: Option<SparseNames>,
}

/// The extra input and the outputs of a graph exported with sparse relation outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparseNames {
    /// `[1]` float: cells at or above it are listed.
    pub threshold: String,
    /// `[cells, 4]` int64: `(b, i, j, t)`.
    pub cells: String,
    /// `[cells]` float: each cell's probability.
    pub scores: String,
}

impl Default for GraphNames {
    fn default() -> Self {
        GraphNames {
            word_ids: onnx_names::WORD_IDS.into(),
            pos_ids: onnx_names::POS_IDS.into(),
            lengths: onnx_names::LENGTHS.into(),
            entity_probs: onnx_names::ENTITY_PROBS.into(),
            relation_probs: onnx_names::RELATION_PROBS.into(),
            sparse: None,
        }
    }
}
