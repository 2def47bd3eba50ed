//! Padded batches and length bucketing: the hand-off from sentences to tensor libraries.
//!
//! Buffers are flat and row-major so that tch (`Tensor::from_slice(..).view([b, n])`) and ort
//! (`ndarray::ArrayView::from_shape`) can wrap them without copying element by element, and so that
//! core depends on neither.

use serde::{Deserialize, Serialize};

use crate::relation::RelationSet;
use crate::sentence::Sentence;
use crate::vocab::{Vocab, PAD, UNK};

/// The tag target of a padded position, ignored by cross-entropy (PyTorch's default ignore index).
pub const IGNORE_TAG: i64 = -100;

/// A batch of sentences padded to the longest one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaddedBatch {
    /// Number of sentences.
    pub batch: usize,
    /// Padded length: the longest sentence's length.
    pub seq_len: usize,
    /// Each sentence's length.
    pub lengths: Vec<i64>,
    /// `[batch * seq_len]` word ids ([`Vocab::word_id`]), [`PAD`] after each sentence's end.
    pub word_ids: Vec<i64>,
    /// `[batch * seq_len]` POS ids, [`PAD`] after the end; [`UNK`] for tokens without POS tags.
    pub pos_ids: Vec<i64>,
    /// `[batch * seq_len]` gold tag indices ([`crate::Tag::index`]), [`IGNORE_TAG`] after the end.
    pub tags: Vec<i64>,
    /// Gold relation cells `[b, i, j, t]`.
    pub relation_cells: Vec<[usize; 4]>,
}

impl PaddedBatch {
    /// Pads `sentences`, looking words up in `words` and POS tags in `pos`.
    pub fn new(sentences: &[&Sentence], words: &Vocab, pos: &Vocab) -> Self {
        let batch = sentences.len();
        let seq_len = sentences.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut out = PaddedBatch {
            batch,
            seq_len,
            lengths: Vec::with_capacity(batch),
            word_ids: vec![PAD as i64; batch * seq_len],
            pos_ids: vec![PAD as i64; batch * seq_len],
            tags: vec![IGNORE_TAG; batch * seq_len],
            relation_cells: Vec::new(),
        };
        for (b, sentence) in sentences.iter().enumerate() {
            let row = b * seq_len;
            out.lengths.push(sentence.len() as i64);
            for (i, token) in sentence.tokens.iter().enumerate() {
                out.word_ids[row + i] = words.word_id(token) as i64;
            }
            for i in 0..sentence.len() {
                let tag = sentence.pos_tags.as_ref().and_then(|p| p.get(i));
                out.pos_ids[row + i] = tag.map_or(UNK, |t| pos.id(t)) as i64;
            }
            for (i, tag) in sentence.gold_tags().into_iter().enumerate() {
                out.tags[row + i] = tag.index() as i64;
            }
            out.relation_cells.extend(
                sentence
                    .relation_cells()
                    .into_iter()
                    .map(|(i, j, t)| [b, i, j, t]),
            );
        }
        out
    }

    /// `[batch * seq_len]` 1.0 at real tokens and 0.0 at padding.
    pub fn mask(&self) -> Vec<f32> {
        let mut mask = vec![0.0; self.batch * self.seq_len];
        for (b, &len) in self.lengths.iter().enumerate() {
            let len = usize::try_from(len).unwrap_or(0).min(self.seq_len);
            mask[b * self.seq_len..b * self.seq_len + len].fill(1.0);
        }
        mask
    }

    /// The dense relation target `[batch, seq_len, seq_len, relations]`, 1.0 at gold cells.
    /// Cells whose relation id is not below `relations` are left out.
    pub fn relation_targets(&self, relations: &RelationSet) -> Vec<f32> {
        let (n, r) = (self.seq_len, relations.len());
        let mut dense = vec![0.0; self.batch * n * n * r];
        for &[b, i, j, t] in &self.relation_cells {
            if b < self.batch && i < n && j < n && t < r {
                dense[((b * n + i) * n + j) * r + t] = 1.0;
            }
        }
        dense
    }
}

/// Groups sentence indices into batches of at most `batch_size` sentences of similar length, so
/// that little of each batch is padding (the relation tensor grows with the square of the length).
///
/// Without a seed the result is deterministic: indices sorted by length (ties by index) and cut
/// into consecutive batches. With a seed, sentences of equal length are shuffled before sorting
/// and the order of the batches is shuffled, which is what a training epoch wants. A `batch_size`
/// of 0 is treated as 1. Every index appears exactly once.
pub fn length_buckets(lengths: &[usize], batch_size: usize, seed: Option<u64>) -> Vec<Vec<usize>> {
    let batch_size = batch_size.max(1);
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    let mut rng = seed.map(SplitMix64);
    if let Some(rng) = rng.as_mut() {
        rng.shuffle(&mut order);
    }
    // Stable sort: after a shuffle, equal lengths stay in shuffled order.
    order.sort_by_key(|&i| lengths[i]);
    let mut batches: Vec<Vec<usize>> = order.chunks(batch_size).map(<[usize]>::to_vec).collect();
    if let Some(rng) = rng.as_mut() {
        rng.shuffle(&mut batches);
    }
    batches
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed generator, enough for shuffling and
/// reproducible across platforms without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fisher-Yates shuffle.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests;
