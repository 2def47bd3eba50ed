//! The only place where a [`PaddedBatch`] becomes `tch::Tensor`s.

use rin_core::PaddedBatch;
use tch::{Device, Kind, Tensor};

/// A padded batch on a device, ready for [`crate::model::RinModel`] and [`crate::loss`].
#[derive(Debug)]
pub struct TensorBatch {
    /// Number of sentences `b`.
    pub batch: usize,
    /// Padded length `n`.
    pub seq_len: usize,
    /// Each sentence's length, on the host (packing needs them there).
    pub lengths: Vec<i64>,
    /// `[b, n]` word ids (int64), PAD after each sentence.
    pub word_ids: Tensor,
    /// `[b, n]` POS ids (int64), PAD after each sentence.
    pub pos_ids: Tensor,
    /// `[b, n]` gold tag indices (int64), -100 at padding.
    pub tags: Tensor,
    /// `[b, n]` 1.0 at real tokens, 0.0 at padding (float).
    pub mask: Tensor,
    /// Gold relation cells `[c, 4]` (int64), rows `(b, i, j, t)`.
    pub gold_cells: Tensor,
}

impl TensorBatch {
    /// Copies `padded` to `device`. `relations` is `R`, the last dimension of the relation logits.
    pub fn new(padded: &PaddedBatch, relations: usize, device: Device) -> Self {
        let (b, n) = (padded.batch as i64, padded.seq_len as i64);
        let ids = |v: &[i64]| Tensor::from_slice(v).view([b, n]).to_device(device);
        let lengths = &padded.lengths;
        let cells: Vec<i64> = padded
            .relation_cells
            .iter()
            .filter(|&&[bi, i, j, t]| {
                bi < padded.batch
                    && (i as i64) < lengths[bi]
                    && (j as i64) < lengths[bi]
                    && t < relations
            })
            .flat_map(|&[bi, i, j, t]| [bi as i64, i as i64, j as i64, t as i64])
            .collect();
        TensorBatch {
            batch: padded.batch,
            seq_len: padded.seq_len,
            lengths: padded.lengths.clone(),
            word_ids: ids(&padded.word_ids),
            pos_ids: ids(&padded.pos_ids),
            tags: ids(&padded.tags),
            mask: Tensor::from_slice(&padded.mask())
                .view([b, n])
                .to_device(device),
            gold_cells: Tensor::from_slice(&cells).view([-1, 4]).to_device(device),
        }
    }
}

/// `[b, n]` boolean mask of real tokens, built on `device` from host lengths.
pub fn token_mask(lengths: &[i64], seq_len: i64, device: Device) -> Tensor {
    let lengths = Tensor::from_slice(lengths).to_device(device);
    Tensor::arange(seq_len, (Kind::Int64, device))
        .unsqueeze(0)
        .lt_tensor(&lengths.unsqueeze(1))
}
