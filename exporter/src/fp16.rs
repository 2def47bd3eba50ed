//! float16 weights and constants for `--precision fp16`: the fp32 graph with every float value in
//! half precision.
//!
//! ONNX operators take their element type from their inputs, so a graph's float type lives only
//! in its initializers (and `Constant` nodes, `Cast` targets and declared value types, none of
//! which the fp32 graph has as float32). A [`crate::graph::GraphBuilder`] made for float16 points
//! each weight initializer at the float16 copy ([`half_name`]) that [`half_weights`] adds to the
//! shared weight file, and writes its inline float constants in float16; everything computed
//! from them follows. The graph builds a `Cast` to float32 before the output softmax and sigmoid
//! of an fp16 graph ([`crate::rin_graph`]): the probabilities are computed and returned in
//! float32, so decoding is unchanged and the sparse outputs' float32 threshold input compares
//! with float32 probabilities.
//!
//! Values beyond float16's range saturate to +-65504 instead of becoming infinite: the fp32
//! graph's padding mask (1e30) stays a finite magnitude far beyond any real score, so no
//! `inf - inf` can make a NaN.

use std::collections::BTreeMap;

use half::f16;

use crate::external::Fp16Tensor;
use crate::weights::{OnnxWeights, Tensor};

/// The weight file's name for the float16 copy of weight `name` (initializers keep `name`).
pub fn half_name(name: &str) -> String {
    format!("{name}.fp16")
}

/// `v` in float16, rounded to nearest, saturating at float16's largest finite magnitude.
pub fn to_f16(v: f32) -> f16 {
    let max = f16::MAX.to_f32();
    f16::from_f32(v.clamp(-max, max))
}

/// `values` in float16 ([`to_f16`]), little-endian: an initializer's `raw_data`.
pub fn f16_bytes(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&v| to_f16(v).to_le_bytes())
        .collect()
}

/// `tensor` in float16 ([`to_f16`]).
pub fn half_tensor(tensor: &Tensor) -> Fp16Tensor {
    Fp16Tensor {
        dims: tensor.dims.clone(),
        data: tensor.data.iter().map(|&v| to_f16(v)).collect(),
    }
}

/// The float16 copy of every weight, under [`half_name`], for the weight file.
pub fn half_weights(weights: &OnnxWeights) -> BTreeMap<String, Fp16Tensor> {
    weights
        .iter()
        .map(|(name, tensor)| (half_name(name), half_tensor(tensor)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::external::WeightFile;

    #[test]
    fn out_of_range_values_saturate_and_the_rest_round() {
        assert_eq!(to_f16(1e30), f16::MAX);
        assert_eq!(to_f16(-1e30), f16::MIN);
        assert_eq!(to_f16(0.5), f16::from_f32(0.5));
        // 1 + 2^-11 is halfway between 1 and the next float16 (1 + 2^-10): ties to even.
        assert_eq!(to_f16(1.0 + 2f32.powi(-11)), f16::ONE);
        assert_eq!(f16_bytes(&[1e30]), f16::MAX.to_le_bytes());
    }

    #[test]
    fn copies_are_stored_in_float16_after_the_float32_weights() {
        let mut w = OnnxWeights::default();
        w.insert("w", Tensor::new(vec![2], vec![1.5, -2.0]));
        let file = WeightFile::layout_mixed("weights.bin", &w, &BTreeMap::new(), &half_weights(&w));
        let (offset, length) = file.span(&half_name("w")).unwrap();
        assert_eq!((offset, length), (64, 4));
        assert_eq!(
            &file.bytes()[offset..offset + length],
            f16_bytes(&[1.5, -2.0])
        );
        let proto = file.tensor_proto(&half_name("w")).unwrap();
        assert_eq!(
            proto.data_type(),
            crate::pb::tensor_proto::DataType::Float16 as i32
        );
    }
}
