//! One typed helper per ONNX operator the exporter emits (opset 17), each with the spec's
//! meaning in a line. Every helper takes a label (the node and output name within the scope).

use crate::graph::{Attr, GraphBuilder};

impl GraphBuilder<'_> {
    /// `Y = A B` (numpy-style batched matrix product).
    pub fn matmul(&mut self, label: &str, a: &str, b: &str) -> String {
        self.op("MatMul", label, &[a, b], &[])
    }

    /// `C = A + B` (broadcasting).
    pub fn add(&mut self, label: &str, a: &str, b: &str) -> String {
        self.op("Add", label, &[a, b], &[])
    }

    /// `C = A - B` (broadcasting).
    pub fn sub(&mut self, label: &str, a: &str, b: &str) -> String {
        self.op("Sub", label, &[a, b], &[])
    }

    /// `C = A * B` (element-wise, broadcasting).
    pub fn mul(&mut self, label: &str, a: &str, b: &str) -> String {
        self.op("Mul", label, &[a, b], &[])
    }

    /// `Y = 1 / (1 + exp(-X))`.
    pub fn sigmoid(&mut self, label: &str, x: &str) -> String {
        self.op("Sigmoid", label, &[x], &[])
    }

    /// `Y = tanh(X)`.
    pub fn tanh(&mut self, label: &str, x: &str) -> String {
        self.op("Tanh", label, &[x], &[])
    }

    /// `Y = max(0, X)`.
    pub fn relu(&mut self, label: &str, x: &str) -> String {
        self.op("Relu", label, &[x], &[])
    }

    /// `Y = exp(X) / sum(exp(X))` along `axis` (opset 13+: over that one axis).
    pub fn softmax(&mut self, label: &str, x: &str, axis: i64) -> String {
        self.op("Softmax", label, &[x], &[("axis", Attr::Int(axis))])
    }

    /// `Y[i, j, ...] = data[indices[i, j], ...]` (axis 0): an embedding look-up.
    pub fn gather(&mut self, label: &str, data: &str, indices: &str) -> String {
        self.op("Gather", label, &[data, indices], &[("axis", Attr::Int(0))])
    }

    /// `Y = data[index]` along `axis`, with a scalar or tensor index.
    pub fn gather_axis(&mut self, label: &str, data: &str, index: &str, axis: i64) -> String {
        self.op(
            "Gather",
            label,
            &[data, index],
            &[("axis", Attr::Int(axis))],
        )
    }

    /// Concatenation along `axis`.
    pub fn concat(&mut self, label: &str, inputs: &[&str], axis: i64) -> String {
        self.op("Concat", label, inputs, &[("axis", Attr::Int(axis))])
    }

    /// Permutes the axes: output axis `i` is input axis `perm[i]`.
    pub fn transpose(&mut self, label: &str, x: &str, perm: &[i64]) -> String {
        self.op(
            "Transpose",
            label,
            &[x],
            &[("perm", Attr::Ints(perm.to_vec()))],
        )
    }

    /// Reshape to `shape` (a constant; `0` copies the input's dimension, `-1` is inferred).
    pub fn reshape(&mut self, label: &str, x: &str, shape: &[i64]) -> String {
        let name = format!(
            "shape_{}",
            shape
                .iter()
                .map(|d| d.to_string().replace('-', "m"))
                .collect::<Vec<_>>()
                .join("_")
        );
        let shape = self.const_i64(&name, &[shape.len() as i64], shape);
        self.op("Reshape", label, &[x, &shape], &[])
    }

    /// Inserts size-1 axes at `axes` (opset 13+: axes as an input).
    pub fn unsqueeze(&mut self, label: &str, x: &str, axes: &[i64]) -> String {
        let name = format!(
            "axes_{}",
            axes.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join("_")
        );
        let axes = self.const_i64(&name, &[axes.len() as i64], axes);
        self.op("Unsqueeze", label, &[x, &axes], &[])
    }

    /// Splits `x` into `outputs.len()` equal parts along `axis` (opset 13-17: no `split` input
    /// means equal parts).
    pub fn split(&mut self, label: &str, x: &str, axis: i64, outputs: &[&str]) -> Vec<String> {
        self.node("Split", label, &[x], outputs, &[("axis", Attr::Int(axis))])
    }

    /// `Y = max over axes` (opset 17: axes as an attribute), dropping the reduced axes.
    pub fn reduce_max(&mut self, label: &str, x: &str, axes: &[i64]) -> String {
        self.op(
            "ReduceMax",
            label,
            &[x],
            &[
                ("axes", Attr::Ints(axes.to_vec())),
                ("keepdims", Attr::Int(0)),
            ],
        )
    }

    /// `Y = condition ? x : y` (broadcasting).
    pub fn where_(&mut self, label: &str, condition: &str, x: &str, y: &str) -> String {
        self.op("Where", label, &[condition, x, y], &[])
    }

    /// `C = A < B` (broadcasting), boolean.
    pub fn less(&mut self, label: &str, a: &str, b: &str) -> String {
        self.op("Less", label, &[a, b], &[])
    }

    /// `C = A >= B` (broadcasting), boolean.
    pub fn greater_or_equal(&mut self, label: &str, a: &str, b: &str) -> String {
        self.op("GreaterOrEqual", label, &[a, b], &[])
    }

    /// The indices of the non-zero (true) elements of `x`: `[rank, count]` int64, row-major order.
    pub fn non_zero(&mut self, label: &str, x: &str) -> String {
        self.op("NonZero", label, &[x], &[])
    }

    /// `data` at each full index of `indices` (`[count, rank]` int64): `[count]`.
    pub fn gather_nd(&mut self, label: &str, data: &str, indices: &str) -> String {
        self.op("GatherND", label, &[data, indices], &[])
    }

    /// `Not X` (boolean).
    pub fn not(&mut self, label: &str, x: &str) -> String {
        self.op("Not", label, &[x], &[])
    }

    /// `[start, start + delta, ...]` below `limit`, from scalars.
    pub fn range(&mut self, label: &str, start: &str, limit: &str, delta: &str) -> String {
        self.op("Range", label, &[start, limit, delta], &[])
    }

    /// The shape of `x` as a 1-d int64 tensor.
    pub fn shape(&mut self, label: &str, x: &str) -> String {
        self.op("Shape", label, &[x], &[])
    }

    /// Casts `x` to element type `to` (a `TensorProto.DataType` number).
    pub fn cast(&mut self, label: &str, x: &str, to: crate::pb::tensor_proto::DataType) -> String {
        self.op("Cast", label, &[x], &[("to", Attr::Int(to as i64))])
    }

    /// The ONNX `LSTM` (layout 0: `X [seq, batch, in]`), bidirectional, zero initial state,
    /// `sequence_lens` int32 `[batch]`. Returns `Y [seq, 2, batch, hidden]`, zero past each length.
    /// Gates: `i, o, f, c`; `W [2, 4H, in]`, `R [2, 4H, H]`, `B [2, 8H]`.
    pub fn lstm(
        &mut self,
        label: &str,
        x: &str,
        wrb: [&str; 3],
        sequence_lens: &str,
        hidden: usize,
    ) -> String {
        let [w, r, b] = wrb;
        self.node(
            "LSTM",
            label,
            &[x, w, r, b, sequence_lens],
            &["Y"],
            &[
                ("direction", Attr::Str("bidirectional")),
                ("hidden_size", Attr::Int(hidden as i64)),
            ],
        )
        .remove(0)
    }

    /// `DynamicQuantizeLinear` (opset 11+): `scale = (max(0, max x) - min(0, min x)) / 255`,
    /// `zero_point = saturate(round(-min(0, min x) / scale))` (uint8), and
    /// `y = saturate(round(x / scale) + zero_point)` (uint8). Returns `[y, scale, zero_point]`,
    /// the last two scalars.
    pub fn dynamic_quantize_linear(&mut self, label: &str, x: &str) -> [String; 3] {
        let out = self.node(
            "DynamicQuantizeLinear",
            label,
            &[x],
            &[
                &format!("{label}_q"),
                &format!("{label}_scale"),
                &format!("{label}_zero_point"),
            ],
            &[],
        );
        [out[0].clone(), out[1].clone(), out[2].clone()]
    }

    /// `MatMulInteger` (opset 10+): `Y = (A - a_zero_point) (B - b_zero_point)` in int32, numpy
    /// matmul broadcasting; scalar zero points of A's and B's element types.
    pub fn matmul_integer(
        &mut self,
        label: &str,
        a: &str,
        b: &str,
        zero_points: [&str; 2],
    ) -> String {
        self.op(
            "MatMulInteger",
            label,
            &[a, b, zero_points[0], zero_points[1]],
            &[],
        )
    }
}
