//! The training loss (MODEL.md, "Loss"), computed from logits.
//!
//! `L = (Σ_valid tokens CE(Y_e, tag) + Σ_valid i, j, t BCE(Y_r[i, j, t], gold)) / b`.
//!
//! The relation part is binary cross-entropy with logits written as
//! `BCE(x, y) = softplus(x) − x·y`, which is the same function (PyTorch computes
//! `max(x, 0) − x·y + log(1 + e^−|x|)`, and `softplus(x) = max(x, 0) + log(1 + e^−|x|)`).
//! Summed over cells, the `x·y` term only involves the gold cells, so no dense `[b, n, n, R]`
//! target is ever built: the loss is `Σ_valid softplus(x) − Σ_gold x`. The gold logits are
//! recomputed from the relation head's input for those few cells
//! ([`RinModel::relation_cell_logits`]), so that their gradient never touches an `n x n` tensor.

use tch::{Kind, Reduction, Tensor};

use crate::batch::TensorBatch;
use crate::model::{RinModel, Unrolled};

/// The loss of one layer, split into its two sums (each already divided by the batch size).
#[derive(Debug)]
pub struct LayerLoss {
    /// Entity cross-entropy, summed over real tokens, divided by `b`.
    pub entity: Tensor,
    /// Relation BCE, summed over real `(i, j, t)` cells, divided by `b`.
    pub relation: Tensor,
}

/// The loss of one layer against `batch`'s gold labels: `relation_input` is the input of `C_r`
/// that produced `relation_logits`.
pub fn layer_loss(
    model: &RinModel,
    entity_logits: &Tensor,
    relation_logits: &Tensor,
    relation_input: &Tensor,
    batch: &TensorBatch,
) -> LayerLoss {
    let b = batch.batch as f64;
    let entity = entity_logits
        .reshape([-1, rin_core::Tag::COUNT as i64])
        .cross_entropy_loss::<Tensor>(
            &batch.tags.reshape([-1]),
            None,
            Reduction::Sum,
            rin_core::batch::IGNORE_TAG,
            0.0,
        );
    let n = batch.seq_len as i64;
    let per_cell = relation_logits
        .softplus()
        .sum_dim_intlist(-1, false, Kind::Float);
    let negative = if batch.lengths.iter().all(|&l| l == n) {
        per_cell.sum(Kind::Float)
    } else {
        let cells = batch.mask.unsqueeze(2) * batch.mask.unsqueeze(1);
        (per_cell * cells).sum(Kind::Float)
    };
    let positive = model
        .relation_cell_logits(relation_input, &batch.gold_cells)
        .sum(Kind::Float);
    LayerLoss {
        entity: entity / b,
        relation: (negative - positive) / b,
    }
}

/// The loss of a forward pass: the sum of [`layer_loss`] over every layer in `out` (one layer
/// without deep supervision, `K + 1` with it).
pub fn loss(model: &RinModel, out: &Unrolled, batch: &TensorBatch) -> Tensor {
    out.entity_logits
        .iter()
        .zip(&out.relation_logits)
        .zip(&out.relation_inputs)
        .map(|((e, r), h)| {
            let l = layer_loss(model, e, r, h, batch);
            l.entity + l.relation
        })
        .reduce(|a, b| a + b)
        .expect("an unrolled model has at least one layer")
}
