//! The two classifiers shared by every layer (MODEL.md, "Classifiers"): `C_e`, the BIOES head, and
//! `C_r`, the pairwise relation head. Both return logits; probabilities are taken where needed.

use tch::nn::{Init, Path};
use tch::Tensor;

use crate::config::ModelConfig;

/// PyTorch's `nn.Linear` initialisation: weights and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
pub(crate) fn linear_init(fan_in: usize) -> Init {
    let bound = 1.0 / (fan_in as f64).sqrt();
    Init::Uniform {
        lo: -bound,
        up: bound,
    }
}

/// `C_e(h) = W_e h + b_e`, logits over the tags O, B, I, E, S (that order, rin-core's `Tag`).
#[derive(Debug)]
pub struct EntityHead {
    weight: Tensor,
    bias: Tensor,
}

impl EntityHead {
    /// `entity_head.weight` `[5, d]` and `entity_head.bias` `[5]`.
    pub fn new(root: &Path, config: &ModelConfig) -> Self {
        let p = root / "entity_head";
        let d = config.hidden();
        let init = linear_init(d);
        let tags = rin_core::Tag::COUNT as i64;
        EntityHead {
            weight: p.var("weight", &[tags, d as i64], init),
            bias: p.var("bias", &[tags], init),
        }
    }

    /// `[b, n, d]` to `[b, n, 5]` logits.
    pub fn forward(&self, h: &Tensor) -> Tensor {
        h.linear(&self.weight, Some(&self.bias))
    }
}

/// `C_r(H)_ij = W_r ReLU(A h_i + B h_j + b_m) + b_r`: relation logits for subject i and object j.
///
/// `A` and `B` are the two halves of `W_m` in `W_m [h_i ; h_j]`; adding `A h_i` and `B h_j` by
/// broadcasting costs `2 n d d_m` multiply-adds instead of `n^2 2d d_m`, and never builds the
/// `n x n x 2d` concatenation.
#[derive(Debug)]
pub struct RelationHead {
    subject: Tensor,
    object: Tensor,
    hidden_bias: Tensor,
    output_weight: Tensor,
    output_bias: Tensor,
}

impl RelationHead {
    /// `relation_head.{subject.weight [d_m, d], object.weight [d_m, d], hidden_bias [d_m],
    /// output.weight [R, d_m], output.bias [R]}`. `A`, `B` and `b_m` are initialised as the halves
    /// of one `nn.Linear(2d, d_m)`.
    pub fn new(root: &Path, config: &ModelConfig) -> Self {
        let p = root / "relation_head";
        let (d, dm, r) = (
            config.hidden() as i64,
            config.relation_hidden as i64,
            config.relations as i64,
        );
        let hidden_init = linear_init(2 * config.hidden());
        let output_init = linear_init(config.relation_hidden);
        RelationHead {
            subject: (&p / "subject").var("weight", &[dm, d], hidden_init),
            object: (&p / "object").var("weight", &[dm, d], hidden_init),
            hidden_bias: p.var("hidden_bias", &[dm], hidden_init),
            output_weight: (&p / "output").var("weight", &[r, dm], output_init),
            output_bias: (&p / "output").var("bias", &[r], output_init),
        }
    }

    /// `[b, n, d]` to `[b, n, n, R]` logits; `[.., i, j, t]` scores subject i, object j, relation t.
    pub fn forward(&self, h: &Tensor) -> Tensor {
        self.hidden(h)
            .linear(&self.output_weight, Some(&self.output_bias))
    }

    /// `ybar` `[b, n, R]` for the next round: `σ(max over real j of logits[i, j, :])`.
    ///
    /// σ is increasing, so the maximum is taken on the logits and the sigmoid runs on the small
    /// result. The output bias does not depend on j, so it is added after the maximum too, which
    /// saves a pass over the `[b, n, n, R]` tensor and its gradient. `object_mask` is
    /// `[b, 1, n, 1]`, 0 at real objects and -inf at padding, or `None` when nothing is padded.
    pub fn summary(&self, h: &Tensor, object_mask: Option<&Tensor>) -> Tensor {
        let raw = self.hidden(h).linear::<&Tensor>(&self.output_weight, None);
        let pooled = crate::model::interaction::max_over_objects(&raw, object_mask);
        (pooled + &self.output_bias).sigmoid()
    }

    /// The logits of single cells: `cells` is `[c, 4]` int64 rows `(b, i, j, t)`; returns `[c]`,
    /// equal to `forward(h)[b, i, j, t]` up to rounding, without the `n x n` tensors.
    pub fn cell_logits(&self, h: &Tensor, cells: &Tensor) -> Tensor {
        let size = h.size();
        let n = size[1];
        let column = |k: i64| cells.select(1, k);
        let subject_rows = column(0) * n + column(1);
        let object_rows = column(0) * n + column(2);
        let relation = column(3);
        let flat = h.reshape([-1, size[2]]);
        let subject = flat
            .index_select(0, &subject_rows)
            .linear::<&Tensor>(&self.subject, None);
        let object = flat
            .index_select(0, &object_rows)
            .linear(&self.object, Some(&self.hidden_bias));
        let hidden = (subject + object).relu();
        let weight = self.output_weight.index_select(0, &relation);
        (hidden * weight).sum_dim_intlist(-1, false, tch::Kind::Float)
            + self.output_bias.index_select(0, &relation)
    }

    /// `ReLU(A h_i + B h_j + b_m)` `[b, n, n, d_m]` by a broadcast add.
    fn hidden(&self, h: &Tensor) -> Tensor {
        let subject = h.linear::<&Tensor>(&self.subject, None).unsqueeze(2);
        let object = h.linear(&self.object, Some(&self.hidden_bias)).unsqueeze(1);
        // The sum is a fresh tensor, so ReLU can work in place (add's backward needs no output).
        let mut hidden = subject + object;
        hidden.relu_()
    }
}
