//! What an export keeps of the word table: a frequency cut (`max_words`) and float16 rows.
//!
//! rin-trainer orders a vocabulary PAD, UNK, the training words, the dev and test words that have
//! a pre-trained vector, then the vectors file's words most frequent first (`--glove-words`:
//! `corpus::word_vectors`, and `Start::widened` for `--init-from`). The checkpoint records how many
//! words that last group holds (`embeddings.added_words`), so its first `vocab - added_words`
//! rows are the data's words: a cut at or past them drops only the least frequent added words,
//! which then read as UNK (the runtime looks words up in the manifest's list).

use std::collections::BTreeMap;

use rin_core::manifest::{WordTable, WordTablePrecision};

use crate::checkpoint::CheckpointMeta;
use crate::error::{Error, Result};
use crate::external::Fp16Tensor;
use crate::fp16;
use crate::weights::{names, OnnxWeights};

/// The rows a cut must keep: PAD, UNK and the training data's words, which the checkpoint lists
/// before the words added from the vectors file.
pub fn data_rows(meta: &CheckpointMeta) -> usize {
    let vocab = meta.words.len();
    // PAD and UNK at least, whatever a damaged record says.
    vocab.saturating_sub(meta.embeddings.added_words).max(2)
}

/// The word table of exporting `meta` with at most `max_words` rows (`None`: all) stored as
/// `precision`. A cut past the vocabulary keeps it whole.
///
/// # Errors
/// [`Error::MaxWords`] when `max_words` would drop a word of the training data.
pub fn plan(
    meta: &CheckpointMeta,
    max_words: Option<usize>,
    precision: WordTablePrecision,
) -> Result<WordTable> {
    let vocab = meta.words.len();
    let rows = match max_words {
        None => vocab,
        Some(asked) if asked < data_rows(meta) => {
            return Err(Error::MaxWords {
                asked,
                data_rows: data_rows(meta),
                vocab,
            })
        }
        Some(asked) => asked.min(vocab),
    };
    Ok(WordTable {
        rows,
        checkpoint_rows: vocab,
        precision,
    })
}

/// Keeps the first `rows` rows of the word embedding in `weights`.
///
/// # Panics
/// When `weights` has no word embedding (every checkpoint has one).
pub fn cut(weights: &mut OnnxWeights, rows: usize) {
    let mut table = weights
        .remove(names::WORD_EMBEDDING)
        .expect("every model has a word embedding");
    let dim = table.dims[1];
    table.dims[0] = table.dims[0].min(rows);
    table.data.truncate(table.dims[0] * dim);
    weights.insert(names::WORD_EMBEDDING, table);
}

/// Moves the word embedding out of `weights` as float16 (each value rounded to the nearest
/// half, ties to even: [`fp16::to_f16`]), for [`crate::external::WeightFile::layout_mixed`].
///
/// # Panics
/// When `weights` has no word embedding.
pub fn take_fp16(weights: &mut OnnxWeights) -> BTreeMap<String, Fp16Tensor> {
    let table = weights
        .remove(names::WORD_EMBEDDING)
        .expect("every model has a word embedding");
    BTreeMap::from([(names::WORD_EMBEDDING.to_owned(), fp16::half_tensor(&table))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::Tensor;

    #[test]
    fn cut_keeps_leading_rows_and_fp16_rounds_to_nearest() {
        let mut w = OnnxWeights::default();
        let data: Vec<f32> = (0..8).map(|i| i as f32 + 1.0 / 3.0).collect();
        w.insert(names::WORD_EMBEDDING, Tensor::new(vec![4, 2], data.clone()));
        cut(&mut w, 3);
        let table = w.get(names::WORD_EMBEDDING).unwrap();
        assert_eq!(table.dims, vec![3, 2]);
        assert_eq!(table.data, data[..6]);
        let halves = take_fp16(&mut w);
        assert!(w.get(names::WORD_EMBEDDING).is_none());
        let halves = &halves[names::WORD_EMBEDDING].data;
        // 1/3 in half precision: 0x3555 (0.33325195...), the nearest of its neighbours.
        assert_eq!(halves[0].to_bits(), 0x3555);
        for (&h, &v) in halves.iter().zip(&data) {
            let back = h.to_f32();
            assert!(
                (back - v).abs() <= v.abs() * 2f32.powi(-11),
                "{v} -> {back}"
            );
        }
    }
}
