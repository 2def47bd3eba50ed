//! The shape of a RIN model as every checkpoint records it (`checkpoint.json`, `model`): the
//! contract between the trainer, which writes it, and the exporter, which rebuilds the graph from
//! it without libtorch.

use serde::{Deserialize, Serialize};

/// How the interaction layers update the shared state `H^k` (MODEL.md, "Ablations").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Interaction {
    /// `H^k = H^{k-1} + H_e^k + H_r^k`: the full model.
    #[default]
    Full,
    /// `H^k = H^{k-1} + H_r^k`: "RIN w/o ER", the entity view does not feed back.
    NoEr,
    /// `H^k = H^{k-1} + H_e^k`: "RIN w/o RC", the relation view does not feed back.
    NoRc,
}

/// The shape of a RIN model: everything needed to rebuild its parameters before loading weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Rows of the word embedding (PAD and UNK included).
    pub word_vocab: usize,
    /// Word vector size (50 with GloVe 6B 50d; the paper used 100).
    pub word_dim: usize,
    /// Rows of the POS embedding (PAD and UNK included); 0 when the model has no POS input.
    pub pos_vocab: usize,
    /// POS vector size (10); 0 for "w/o POS", and then there is no `pos_embedding.weight`.
    pub pos_dim: usize,
    /// BiLSTM hidden size per direction (50, so `d = 100`).
    pub lstm_hidden: usize,
    /// Hidden size `d_m` of the relation head (100).
    pub relation_hidden: usize,
    /// Number of relation types `R`.
    pub relations: usize,
    /// Interaction rounds the model was trained with (K; 0 is "w/o interaction").
    pub k: usize,
    /// Which views feed back into `H^k`.
    pub interaction: Interaction,
    /// Dropout on the input vectors, in training only (0.1).
    pub dropout: f64,
}

impl ModelConfig {
    /// The BiLSTM output size `d` (both directions).
    pub fn hidden(&self) -> usize {
        2 * self.lstm_hidden
    }

    /// Whether the model reads POS ids.
    pub fn uses_pos(&self) -> bool {
        self.pos_dim > 0 && self.pos_vocab > 0
    }

    /// The LSTM input size: word plus POS vector.
    pub fn input_dim(&self) -> usize {
        self.word_dim + if self.uses_pos() { self.pos_dim } else { 0 }
    }
}
