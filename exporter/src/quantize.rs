//! 8-bit weights for `--precision int8`: symmetric, one scale per output column.
//!
//! A weight `W [in, out]` (the `MatMul` layout, `x W`) becomes int8 `q [in, out]` in
//! `-WEIGHT_MAX..=WEIGHT_MAX` and `scale [out]` float32 with `W[i, j] ~ q[i, j] * scale[j]`. At run
//! time `DynamicQuantizeLinear` turns the activations `x` into uint8 `x_q` with a scalar scale
//! `s_x` and zero point `z_x`, and `MatMulInteger` gives `(x_q - z_x) q` exactly in int32; so
//! `x W ~ Cast(MatMulInteger(..)) * (s_x * scale)`, the per-column scale broadcasting over the
//! last axis. A scalar weight zero point (0) is what lets one scale per column come out of the
//! integer product.
//!
//! Signed weights make the product uint8 x int8, the form x86 CPUs multiply fastest (VNNI's
//! `vpdpbusd`; ONNX Runtime's uint8 x uint8 path widens to 16 bits and took 1.7x as long per
//! batch-1 call on the shipped model, BENCHMARKS.md). CPUs without VNNI multiply uint8 by int8
//! with `vpmaddubsw`, whose 16-bit pair sums saturate when `255 * |w| * 2 > 32767`; weights are
//! therefore kept to 7 bits ([`WEIGHT_MAX`] 63: `255 * 63 * 2 = 32130`), ONNX Runtime's
//! `reduce_range`, so that a model gives the same products on every x86 CPU.
//! Measured on 48 WebNLG dev sentences against fp32: largest relation-probability difference
//! 0.134 with 7-bit weights, 0.074 with 8 bits per column, 0.101 with one 8-bit scale for the
//! whole tensor (which also lost 0.12 and 0.33 dev F1 points on the shipped models, against none
//! per column).

use crate::external::Int8Tensor;
use crate::weights::Tensor;

/// The largest weight magnitude after quantization (7 bits: no saturation without VNNI).
pub const WEIGHT_MAX: i8 = 63;

/// The weights' zero point (symmetric).
pub const WEIGHT_ZERO_POINT: i8 = 0;

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

/// The stored (int8) weight's initializer name for weight `name`.
pub fn values_name(name: &str) -> String {
    format!("{name}.quantized")
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
        let max = f32::from(WEIGHT_MAX);
        assert_eq!(q.scales.data, vec![1.0 / max, 2.0 / max]);
        assert_eq!(q.values.data[0], (0.25 * max).round() as i8);
        assert_eq!(q.values.data[1], -WEIGHT_MAX);
        assert_eq!(q.values.data[2], -WEIGHT_MAX);
        for (i, v) in w.data.iter().enumerate() {
            let back = f32::from(q.values.data[i]) * q.scales.data[i % 2];
            assert!((back - v).abs() <= q.scales.data[i % 2] / 2.0 + 1e-7, "{i}");
        }
    }

    #[test]
    fn a_zero_column_gets_scale_one() {
        let q = quantize_columns(&Tensor::new(vec![2, 2], vec![0.0, 1.0, 0.0, -1.0]));
        assert_eq!(q.scales.data[0], 1.0);
        assert_eq!(q.values.data, vec![0, WEIGHT_MAX, 0, -WEIGHT_MAX]);
    }

    /// No pair of products saturates `vpmaddubsw`'s 16-bit sums.
    #[test]
    fn weights_leave_no_room_for_saturation() {
        assert!(255 * i32::from(WEIGHT_MAX) * 2 <= i32::from(i16::MAX));
    }
}
