//! `--freeze-vectors`: every word row that starts from a pre-trained vector keeps it; only the rows
//! without one (UNK and words the vectors file lacks) are trained. `--freeze-added-vectors`: only
//! the rows the vectors file added (`--glove-words`) keep theirs, the data's words are fine-tuned;
//! without it, rows that stand in for names under `--name-substitution` drift from their vectors.
//!
//! Fine-tuned rows drift away from the pre-trained space while the rows of words never seen in
//! training stay in it, so at inference an unseen name ("finland") sits where the trained names
//! ("denmark") no longer are. With the rows frozen, the layers above learn to read the
//! pre-trained space itself, which unseen words share.
//!
//! The frozen rows are a function of the vocabulary and the embeddings file alone, so a resumed
//! run finds the same rows again.

use std::collections::HashSet;
use std::path::Path;

use rin_core::{load_glove, Vocab};
use tch::{Device, Kind, Tensor};

use crate::error::{Error, Result};

/// A `[V, 1]` gradient mask over the word table: 0 for rows with a pre-trained vector, 1 for the
/// others.
#[derive(Debug)]
pub struct FrozenRows {
    mask: Tensor,
    frozen: usize,
}

impl FrozenRows {
    /// The rows of `words` from `first_row` on that have a vector in the GloVe file `embeddings`
    /// (`first_row` 0: every row with a vector; the vocabulary's data words first: only the rows
    /// the vectors file added, `--freeze-added-vectors`).
    pub fn build(
        words: &Vocab,
        embeddings: &Path,
        first_row: usize,
        device: Device,
    ) -> Result<Self> {
        let wanted: HashSet<String> = words.tokens().iter().skip(2).cloned().collect();
        let glove = load_glove(embeddings, Some(&wanted)).map_err(Error::data(format!(
            "read word vectors {}",
            embeddings.display()
        )))?;
        let keep: Vec<f32> = words
            .tokens()
            .iter()
            .enumerate()
            .map(|(id, word)| {
                let pretrained = id > rin_core::UNK
                    && id >= first_row
                    && glove.vocab.contains(word)
                    && glove.row(glove.vocab.id(word)).is_some();
                if pretrained {
                    0.0
                } else {
                    1.0
                }
            })
            .collect();
        let frozen = keep.iter().filter(|&&k| k == 0.0).count();
        let mask = Tensor::from_slice(&keep)
            .to_kind(Kind::Float)
            .view([keep.len() as i64, 1])
            .to_device(device);
        Ok(FrozenRows { mask, frozen })
    }

    /// How many rows are frozen.
    pub fn frozen(&self) -> usize {
        self.frozen
    }

    /// Zeroes the gradient of the frozen rows of `word_table` (after `backward`, before clipping
    /// and the update: Adam then leaves them exactly where they are).
    pub fn mask_gradient(&self, word_table: &Tensor) {
        let grad = word_table.grad();
        if grad.defined() {
            let mut grad = grad;
            let _ = grad.g_mul_(&self.mask);
        }
    }
}
