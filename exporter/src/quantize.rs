//! int8 weights for `--precision int8`: symmetric, one scale per output column.
//!
//! A weight `W [in, out]` (the `MatMul` layout, `x W`) becomes `q [in, out]` int8 and
//! `scale [out]` float32 with `W[i, j] ~ q[i, j] * scale[j]`, zero point 0. At run time
//! `DynamicQuantizeLinear` turns the activations `x` into uint8 `x_q` with a scalar scale `s_x` and
//! zero point `z_x`, and `MatMulInteger(x_q, q, z_x)` gives `(x_q - z_x) q` in int32; so
//! `x W ~ Cast(MatMulInteger(..)) * (s_x * scale)`, the per-column scale broadcasting over the last
//! axis. A zero point of 0 on the weight side is what lets one scale per column come out of the
//! integer product.
//!
//! Weights use 7 bits ([`WEIGHT_MAX`] = 63), as ONNX Runtime's `reduce_range`: x86 CPUs without
//! VNNI multiply uint8 by int8 with `vpmaddubsw`, whose 16-bit pair sums saturate with full-range
//! int8 weights (255 * 127 * 2 > 32767). With 7-bit weights the sums fit, so a model exported here
//! gives the same results on every x86 CPU.

use crate::external::Int8Tensor;
use crate::weights::Tensor;

/// The largest weight magnitude after quantization (7 bits, see the module docs).
pub const WEIGHT_MAX: i8 = 63;

/// A `[in, out]` weight quantized per output column.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedMatrix {
    /// `q [in, out]`.
    pub values: Int8Tensor,
    /// `scale [out]`: `W[i, j] ~ q[i, j] * scale[j]`.
    pub scales: Tensor,
}

/// Quantizes a 2-d `[in, out]` weight per output column, symmetric (zero point 0). A column of
/// zeros gets scale 1 (its values are 0 either way).
///
/// # Panics
/// When `w` is not 2-d.
pub fn quantize_columns(w: &Tensor) -> QuantizedMatrix {
    let [rows, cols] = w.dims[..] else {
        panic!("quantize_columns wants a 2-d tensor, got {:?}", w.dims)
    };
    let max = f32::from(WEIGHT_MAX);
    let scales: Vec<f32> = (0..cols)
        .map(|c| {
            let amax = (0..rows)
                .map(|r| w.data[r * cols + c].abs())
                .fold(0.0f32, f32::max);
            if amax > 0.0 {
                amax / max
            } else {
                1.0
            }
        })
        .collect();
    let data = w
        .data
        .iter()
        .enumerate()
        .map(|(i, v)| (v / scales[i % cols]).round().clamp(-max, max) as i8)
        .collect();
    QuantizedMatrix {
        values: Int8Tensor {
            dims: vec![rows, cols],
            data,
        },
        scales: Tensor::new(vec![cols], scales),
    }
}

/// The quantized weight's initializer name for weight `name`.
pub fn values_name(name: &str) -> String {
    format!("{name}.int8")
}

/// The per-column scales' initializer name for weight `name`.
pub fn scales_name(name: &str) -> String {
    format!("{name}.scale")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip_within_half_a_step() {
        let w = Tensor::new(vec![3, 2], vec![0.25, -2.0, -1.0, 0.25, 0.126, 1.0]);
        let q = quantize_columns(&w);
        assert_eq!(q.scales.data, vec![1.0 / 63.0, 2.0 / 63.0]);
        assert_eq!(q.values.data[0], 16); // 0.25 * 63 = 15.75
        assert_eq!(q.values.data[1], -63);
        assert_eq!(q.values.data[2], -63);
        for (i, v) in w.data.iter().enumerate() {
            let back = f32::from(q.values.data[i]) * q.scales.data[i % 2];
            assert!((back - v).abs() <= q.scales.data[i % 2] / 2.0 + 1e-7, "{i}");
        }
    }

    #[test]
    fn a_zero_column_gets_scale_one() {
        let q = quantize_columns(&Tensor::new(vec![2, 2], vec![0.0, 1.0, 0.0, -1.0]));
        assert_eq!(q.scales.data[0], 1.0);
        assert_eq!(q.values.data, vec![0, 63, 0, -63]);
    }
}
