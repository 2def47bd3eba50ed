//! PyTorch → ONNX weight layouts, in one place.
//!
//! The checkpoint holds PyTorch layouts (`nn.LSTM`, `nn.GRUCell`, `nn.Linear`); the graph wants:
//! - LSTM (ONNX `LSTM`, one bidirectional node): `W [2, 4H, in]`, `R [2, 4H, H]`,
//!   `B [2, 8H] = [b_ih ; b_hh]`, gates reordered from PyTorch's `i, f, g, o` to ONNX's
//!   `i, o, f, c` (`c` is PyTorch's `g`). Direction 0 is forward, 1 the `_reverse` weights.
//! - Linear maps and GRU cells (plain `MatMul`): the weight transposed, `[in, out]`, so that
//!   `x W^T` is one `MatMul` with no `Transpose` node. GRU gates keep PyTorch's `r, z, n` order:
//!   the graph splits the `3d` columns itself.
//!
//! Every weight is computed once and shared by the graphs of every K (one external-data file).

use std::collections::BTreeMap;

/// A row-major float32 tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// The shape.
    pub dims: Vec<usize>,
    /// `dims.iter().product()` values, row-major.
    pub data: Vec<f32>,
}

impl Tensor {
    /// A tensor of `dims` holding `data`.
    ///
    /// # Panics
    /// When `data.len()` is not the product of `dims` (an invariant of every caller).
    pub fn new(dims: Vec<usize>, data: Vec<f32>) -> Self {
        assert_eq!(
            dims.iter().product::<usize>(),
            data.len(),
            "tensor size mismatch"
        );
        Tensor { dims, data }
    }

    /// The transpose of a 2-d tensor: `[r, c]` → `[c, r]`.
    ///
    /// # Panics
    /// When the tensor is not 2-d.
    pub fn transposed(&self) -> Tensor {
        let [rows, cols] = self.dims[..] else {
            panic!("transposed() wants a 2-d tensor, got {:?}", self.dims)
        };
        let mut data = vec![0.0; rows * cols];
        for r in 0..rows {
            for c in 0..cols {
                data[c * rows + r] = self.data[r * cols + c];
            }
        }
        Tensor::new(vec![cols, rows], data)
    }

    /// The tensor's size in bytes as float32.
    pub fn byte_len(&self) -> usize {
        self.data.len() * 4
    }
}

/// Reorders the four gate blocks of an LSTM parameter from PyTorch's `i, f, g, o` to ONNX's
/// `i, o, f, c`. `values` is `[4H, cols]` row-major (`cols = 1` for a bias).
pub fn lstm_gates_to_onnx(values: &[f32], hidden: usize, cols: usize) -> Vec<f32> {
    assert_eq!(
        values.len(),
        4 * hidden * cols,
        "LSTM parameter size mismatch"
    );
    let block = hidden * cols;
    let gate = |g: usize| &values[g * block..(g + 1) * block];
    // PyTorch blocks: 0 = i, 1 = f, 2 = g (cell), 3 = o. ONNX wants i, o, f, c.
    [gate(0), gate(3), gate(1), gate(2)].concat()
}

/// One LSTM direction in PyTorch layout.
#[derive(Debug, Clone, Copy)]
pub struct LstmDirection<'a> {
    /// `weight_ih_l0[_reverse]` `[4H, in]`.
    pub weight_ih: &'a Tensor,
    /// `weight_hh_l0[_reverse]` `[4H, H]`.
    pub weight_hh: &'a Tensor,
    /// `bias_ih_l0[_reverse]` `[4H]`.
    pub bias_ih: &'a Tensor,
    /// `bias_hh_l0[_reverse]` `[4H]`.
    pub bias_hh: &'a Tensor,
}

/// The ONNX `LSTM` operator's `W`, `R` and `B` for a bidirectional PyTorch LSTM.
pub fn lstm_to_onnx(forward: LstmDirection<'_>, reverse: LstmDirection<'_>) -> [Tensor; 3] {
    let hidden = forward.weight_hh.dims[1];
    let input = forward.weight_ih.dims[1];
    let mut w = Vec::with_capacity(2 * 4 * hidden * input);
    let mut r = Vec::with_capacity(2 * 4 * hidden * hidden);
    let mut b = Vec::with_capacity(2 * 8 * hidden);
    for dir in [forward, reverse] {
        w.extend(lstm_gates_to_onnx(&dir.weight_ih.data, hidden, input));
        r.extend(lstm_gates_to_onnx(&dir.weight_hh.data, hidden, hidden));
        b.extend(lstm_gates_to_onnx(&dir.bias_ih.data, hidden, 1));
        b.extend(lstm_gates_to_onnx(&dir.bias_hh.data, hidden, 1));
    }
    [
        Tensor::new(vec![2, 4 * hidden, input], w),
        Tensor::new(vec![2, 4 * hidden, hidden], r),
        Tensor::new(vec![2, 8 * hidden], b),
    ]
}

/// Names of the graph's weight initializers (ONNX layout). Defined once; tests pin them.
pub mod names {
    /// `E_w` `[V_w, d_w]`, as in the checkpoint.
    pub const WORD_EMBEDDING: &str = "word_embedding.weight";
    /// `E_p` `[V_p, d_p]`, as in the checkpoint.
    pub const POS_EMBEDDING: &str = "pos_embedding.weight";
    /// LSTM `W` `[2, 4H, in]`, gates i, o, f, c.
    pub const LSTM_W: &str = "lstm.W";
    /// LSTM `R` `[2, 4H, H]`, gates i, o, f, c.
    pub const LSTM_R: &str = "lstm.R";
    /// LSTM `B` `[2, 8H]`, `[b_ih ; b_hh]` per direction, gates i, o, f, c.
    pub const LSTM_B: &str = "lstm.B";
    /// `W_e^T` `[d, 5]`.
    pub const ENTITY_WEIGHT_T: &str = "entity_head.weight_t";
    /// `b_e` `[5]`.
    pub const ENTITY_BIAS: &str = "entity_head.bias";
    /// `A^T` `[d, d_m]` (subject half of `W_m`).
    pub const RELATION_SUBJECT_T: &str = "relation_head.subject.weight_t";
    /// `B^T` `[d, d_m]` (object half of `W_m`).
    pub const RELATION_OBJECT_T: &str = "relation_head.object.weight_t";
    /// `b_m` `[d_m]`.
    pub const RELATION_HIDDEN_BIAS: &str = "relation_head.hidden_bias";
    /// `W_r^T` `[d_m, R]`.
    pub const RELATION_OUTPUT_T: &str = "relation_head.output.weight_t";
    /// `b_r` `[R]`.
    pub const RELATION_OUTPUT_BIAS: &str = "relation_head.output.bias";

    /// `{cell}.weight_ih_t` `[in, 3d]`, gates r, z, n.
    pub fn gru_weight_ih_t(cell: &str) -> String {
        format!("{cell}.weight_ih_t")
    }
    /// `{cell}.weight_hh_t` `[d, 3d]`, gates r, z, n.
    pub fn gru_weight_hh_t(cell: &str) -> String {
        format!("{cell}.weight_hh_t")
    }
    /// `{cell}.bias_ih` `[3d]`, gates r, z, n.
    pub fn gru_bias_ih(cell: &str) -> String {
        format!("{cell}.bias_ih")
    }
    /// `{cell}.bias_hh` `[3d]`, gates r, z, n.
    pub fn gru_bias_hh(cell: &str) -> String {
        format!("{cell}.bias_hh")
    }
}

/// The graph's weights in ONNX layout, by initializer name (see [`names`]), in a fixed order.
#[derive(Debug, Clone, Default)]
pub struct OnnxWeights {
    tensors: BTreeMap<String, Tensor>,
}

impl OnnxWeights {
    /// Adds (or replaces) a weight.
    pub fn insert(&mut self, name: impl Into<String>, tensor: Tensor) {
        self.tensors.insert(name.into(), tensor);
    }

    /// Removes and returns the weight called `name`.
    pub fn remove(&mut self, name: &str) -> Option<Tensor> {
        self.tensors.remove(name)
    }

    /// The weight called `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.tensors.get(name)
    }

    /// Every weight, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.tensors.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of weights.
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lstm_gates_move_from_ifgo_to_iofc() {
        // H = 1, one column: PyTorch i=1, f=2, g=3, o=4.
        assert_eq!(
            lstm_gates_to_onnx(&[1.0, 2.0, 3.0, 4.0], 1, 1),
            vec![1.0, 4.0, 2.0, 3.0]
        );
        // H = 2, two columns: whole blocks of 4 values move together.
        let values: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let got = lstm_gates_to_onnx(&values, 2, 2);
        let expected: Vec<f32> = [0..4, 12..16, 4..8, 8..12]
            .into_iter()
            .flatten()
            .map(|v| v as f32)
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn lstm_bias_concatenates_ih_then_hh_per_direction() {
        let t = |v: f32, dims: Vec<usize>| {
            let n = dims.iter().product();
            Tensor::new(dims, vec![v; n])
        };
        let (wi, wh, bi, bh) = (
            t(1.0, vec![4, 3]),
            t(2.0, vec![4, 1]),
            t(3.0, vec![4]),
            t(4.0, vec![4]),
        );
        let (rwi, rwh, rbi, rbh) = (
            t(5.0, vec![4, 3]),
            t(6.0, vec![4, 1]),
            t(7.0, vec![4]),
            t(8.0, vec![4]),
        );
        let fwd = LstmDirection {
            weight_ih: &wi,
            weight_hh: &wh,
            bias_ih: &bi,
            bias_hh: &bh,
        };
        let rev = LstmDirection {
            weight_ih: &rwi,
            weight_hh: &rwh,
            bias_ih: &rbi,
            bias_hh: &rbh,
        };
        let [w, r, b] = lstm_to_onnx(fwd, rev);
        assert_eq!(w.dims, vec![2, 4, 3]);
        assert_eq!(r.dims, vec![2, 4, 1]);
        assert_eq!(b.dims, vec![2, 8]);
        assert_eq!(b.data, [[3.0; 4], [4.0; 4], [7.0; 4], [8.0; 4]].concat());
        assert!(w.data[..12].iter().all(|&v| v == 1.0) && w.data[12..].iter().all(|&v| v == 5.0));
    }

    #[test]
    fn transpose_swaps_rows_and_columns() {
        let t = Tensor::new(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let tt = t.transposed();
        assert_eq!(tt.dims, vec![3, 2]);
        assert_eq!(tt.data, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert_eq!(tt.transposed(), t);
    }
}
