//! The external-data file shared by the graphs of every K.
//!
//! ONNX external data: a weight initializer carries no values, only
//! `data_location = EXTERNAL` and the keys `location` (a file name relative to the `.onnx`
//! file), `offset` and `length` (bytes, little-endian float32). Every `model_k{K}.onnx` of an
//! export points into the same file, so the weights are stored once however many Ks are written.
//!
//! Offsets are aligned ([`ALIGN`], [`PAGE_ALIGN`] for tensors of at least [`PAGE_THRESHOLD`]
//! bytes) so that a runtime may memory-map the file and read float32 values in place.

use std::collections::BTreeMap;

use crate::pb::{tensor_proto, StringStringEntryProto, TensorProto};
use crate::weights::OnnxWeights;

/// A row-major int8 tensor (quantized weights, see [`crate::quantize`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Int8Tensor {
    /// The shape.
    pub dims: Vec<usize>,
    /// `dims.iter().product()` values, row-major.
    pub data: Vec<i8>,
}

/// A row-major float16 tensor (the weights of fp16 graphs, see [`crate::fp16`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Fp16Tensor {
    /// The shape.
    pub dims: Vec<usize>,
    /// `dims.iter().product()` values, row-major.
    pub data: Vec<half::f16>,
}

/// Alignment of every tensor's offset in the file.
pub const ALIGN: usize = 64;
/// Alignment of large tensors (a memory page), as `onnx.save`'s external-data writer does.
pub const PAGE_ALIGN: usize = 4096;
/// Tensors of at least this many bytes are page-aligned.
pub const PAGE_THRESHOLD: usize = 1 << 16;

#[derive(Debug, Clone)]
struct Entry {
    elem: tensor_proto::DataType,
    dims: Vec<usize>,
    offset: usize,
    length: usize,
}

/// The weights laid out in one byte buffer, and where each tensor is.
#[derive(Debug, Clone)]
pub struct WeightFile {
    location: String,
    entries: BTreeMap<String, Entry>,
    bytes: Vec<u8>,
}

impl WeightFile {
    /// Lays out `weights` (sorted by name) for a file called `location`, next to the graphs.
    pub fn layout(location: impl Into<String>, weights: &OnnxWeights) -> Self {
        Self::layout_mixed(location, weights, &BTreeMap::new(), &BTreeMap::new())
    }

    /// [`WeightFile::layout`] plus int8 tensors (`bytes8`, by name), stored one byte per value
    /// after the float32 ones, and float16 tensors (`halves`, by name), two bytes per value
    /// after those.
    ///
    /// # Panics
    /// When a name is in two maps (an invariant of the caller).
    pub fn layout_mixed(
        location: impl Into<String>,
        weights: &OnnxWeights,
        bytes8: &BTreeMap<String, Int8Tensor>,
        halves: &BTreeMap<String, Fp16Tensor>,
    ) -> Self {
        let mut bytes = Vec::new();
        let mut entries = BTreeMap::new();
        let float = weights.iter().map(|(name, tensor)| {
            let raw: Vec<u8> = tensor.data.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name, tensor_proto::DataType::Float, &tensor.dims, raw)
        });
        let int8 = bytes8.iter().map(|(name, tensor)| {
            let raw: Vec<u8> = tensor.data.iter().map(|&v| v as u8).collect();
            (
                name.as_str(),
                tensor_proto::DataType::Int8,
                &tensor.dims,
                raw,
            )
        });
        let fp16 = halves.iter().map(|(name, tensor)| {
            let raw: Vec<u8> = tensor.data.iter().flat_map(|v| v.to_le_bytes()).collect();
            (
                name.as_str(),
                tensor_proto::DataType::Float16,
                &tensor.dims,
                raw,
            )
        });
        for (name, elem, dims, raw) in float.chain(int8).chain(fp16) {
            let length = raw.len();
            let align = if length >= PAGE_THRESHOLD {
                PAGE_ALIGN
            } else {
                ALIGN
            };
            bytes.resize(bytes.len().next_multiple_of(align), 0);
            let offset = bytes.len();
            bytes.extend(raw);
            let previous = entries.insert(
                name.to_owned(),
                Entry {
                    elem,
                    dims: dims.clone(),
                    offset,
                    length,
                },
            );
            assert!(previous.is_none(), "weight {name} laid out twice");
        }
        WeightFile {
            location: location.into(),
            entries,
            bytes,
        }
    }

    /// The file name the graphs refer to.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The file's contents.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The dimensions of tensor `name`.
    pub fn dims(&self, name: &str) -> Option<&[usize]> {
        self.entries.get(name).map(|e| e.dims.as_slice())
    }

    /// The element type of tensor `name` (float32, int8 or float16).
    pub fn elem_type(&self, name: &str) -> Option<tensor_proto::DataType> {
        self.entries.get(name).map(|e| e.elem)
    }

    /// Every tensor name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// `(offset, length)` in bytes of tensor `name`.
    pub fn span(&self, name: &str) -> Option<(usize, usize)> {
        self.entries.get(name).map(|e| (e.offset, e.length))
    }

    /// The initializer for tensor `name`: float32, int8 or float16, its data in this file.
    pub fn tensor_proto(&self, name: &str) -> Option<TensorProto> {
        let e = self.entries.get(name)?;
        let kv = |key: &str, value: String| StringStringEntryProto {
            key: Some(key.into()),
            value: Some(value),
        };
        Some(TensorProto {
            name: Some(name.to_owned()),
            dims: e.dims.iter().map(|&d| d as i64).collect(),
            data_type: Some(e.elem as i32),
            data_location: Some(tensor_proto::DataLocation::External as i32),
            external_data: vec![
                kv("location", self.location.clone()),
                kv("offset", e.offset.to_string()),
                kv("length", e.length.to_string()),
            ],
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::Tensor;

    #[test]
    fn tensors_are_aligned_and_round_trip() {
        let mut w = OnnxWeights::default();
        w.insert("a", Tensor::new(vec![3], vec![1.0, 2.0, 3.0]));
        w.insert("b", Tensor::new(vec![2, 2], vec![4.0, 5.0, 6.0, 7.0]));
        w.insert(
            "c",
            Tensor::new(vec![PAGE_THRESHOLD / 4], vec![0.5; PAGE_THRESHOLD / 4]),
        );
        let file = WeightFile::layout("weights.bin", &w);
        assert_eq!(file.span("a"), Some((0, 12)));
        assert_eq!(file.span("b"), Some((64, 16)));
        assert_eq!(file.span("c"), Some((4096, PAGE_THRESHOLD)));
        let (offset, length) = file.span("b").unwrap();
        let values: Vec<f32> = file.bytes()[offset..offset + length]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(values, vec![4.0, 5.0, 6.0, 7.0]);
        let proto = file.tensor_proto("b").unwrap();
        assert_eq!(proto.dims, vec![2, 2]);
        assert_eq!(proto.external_data[0].value.as_deref(), Some("weights.bin"));
        assert_eq!(proto.external_data[1].value.as_deref(), Some("64"));
        assert_eq!(proto.external_data[2].value.as_deref(), Some("16"));
        assert!(proto.raw_data.is_none());
    }
}
