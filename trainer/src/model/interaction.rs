//! The interaction layers: one `GRUCell_e` and one `GRUCell_r`, unrolled K times with shared
//! weights (MODEL.md, "Interaction layers").
//!
//! The cells are PyTorch's `GRUCell` with biases, gates in the order r, z, n:
//! `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
//! `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`.

use tch::nn::{Init, Path};
use tch::Tensor;

/// A GRU cell applied to every token of a `[b, n, ·]` batch at once.
#[derive(Debug)]
pub struct GruCell {
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor,
    bias_hh: Tensor,
}

impl GruCell {
    /// `{name}.weight_ih [3d, input]`, `weight_hh [3d, d]`, `bias_ih [3d]`, `bias_hh [3d]`,
    /// initialised U(-1/sqrt(d), 1/sqrt(d)) like PyTorch.
    pub fn new(path: &Path, input: usize, hidden: usize) -> Self {
        let bound = 1.0 / (hidden as f64).sqrt();
        let init = Init::Uniform {
            lo: -bound,
            up: bound,
        };
        let (i, h) = (input as i64, hidden as i64);
        GruCell {
            weight_ih: path.var("weight_ih", &[3 * h, i], init),
            weight_hh: path.var("weight_hh", &[3 * h, h], init),
            bias_ih: path.var("bias_ih", &[3 * h], init),
            bias_hh: path.var("bias_hh", &[3 * h], init),
        }
    }

    /// One step: `input` `[b, n, in]`, `hidden` `[b, n, d]` to the new hidden state `[b, n, d]`.
    pub fn forward(&self, input: &Tensor, hidden: &Tensor) -> Tensor {
        let size = hidden.size();
        let d = size[size.len() - 1];
        let in_dim = input.size()[input.dim() - 1];
        input
            .reshape([-1, in_dim])
            .gru_cell(
                &hidden.reshape([-1, d]),
                &self.weight_ih,
                &self.weight_hh,
                Some(&self.bias_ih),
                Some(&self.bias_hh),
            )
            .view(size.as_slice())
    }
}

/// `max over real j of x[b, i, j, t]` `[b, n, R]` for `x` `[b, n, n, R]`.
///
/// `object_mask` is `[b, 1, n, 1]`, 0 at real objects and -inf at padding (or `None` when no
/// sentence is padded); it is added, not filled in, because an addition's backward pass costs
/// nothing. `max_dim` rather than `amax`: `amax`'s backward compares every element with the
/// maximum and converts the boolean mask to float twice (five passes over `[b, n, n, R]`), while
/// `max_dim`'s scatters into zeros; measured on one CPU thread, a round's relation summary
/// (forward and backward) takes about 62 ms with `max_dim` and 67-79 ms with `amax` at b = 50,
/// n = 23, R = 216. At ties the gradient goes to one maximum (a valid subgradient).
pub fn max_over_objects(x: &Tensor, object_mask: Option<&Tensor>) -> Tensor {
    match object_mask {
        Some(mask) => (x + mask).max_dim(2, false).0,
        None => x.max_dim(2, false).0,
    }
}
