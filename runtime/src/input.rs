//! The one place where a [`PaddedBatch`] becomes ONNX Runtime input tensors.
//!
//! rin-core pads sentences into flat row-major buffers; here they are viewed (not copied) as
//! `[batch, seq]` int64 arrays, and the lengths are narrowed to the int32 the LSTM's
//! `sequence_lens` takes.

use std::borrow::Cow;

use ndarray::{ArrayView1, ArrayView2};
use ort::session::SessionInputValue;
use ort::value::{DynValue, Tensor, TensorRef};
use rin_core::PaddedBatch;

use crate::graph_names::GraphNames;

/// A padded batch ready to be fed to a session.
#[derive(Debug, Clone)]
pub struct ModelInputs {
    batch: PaddedBatch,
    lengths: Vec<i32>,
    threshold: [f32; 1],
}

impl ModelInputs {
    /// Wraps `batch`. Every sentence must have at least one token (the LSTM's `sequence_lens`
    /// must be positive); the pipeline never batches empty sentences.
    pub fn new(batch: PaddedBatch) -> Self {
        let lengths = batch
            .lengths
            .iter()
            .map(|&n| i32::try_from(n).unwrap_or(i32::MAX))
            .collect();
        ModelInputs {
            batch,
            lengths,
            threshold: [rin_core::decode::DEFAULT_THRESHOLD],
        }
    }

    /// Sets the relation threshold that sparse graphs list cells over (dense graphs ignore it);
    /// the default is rin-core's [`DEFAULT_THRESHOLD`](rin_core::decode::DEFAULT_THRESHOLD).
    pub fn with_threshold(mut self, threshold: f32) -> Self {
        self.threshold = [threshold];
        self
    }

    /// The relation threshold fed to sparse graphs.
    pub fn threshold(&self) -> f32 {
        self.threshold[0]
    }

    /// Sentences in the batch.
    pub fn batch(&self) -> usize {
        self.batch.batch
    }

    /// Padded length.
    pub fn seq_len(&self) -> usize {
        self.batch.seq_len
    }

    /// The padded batch.
    pub fn padded(&self) -> &PaddedBatch {
        &self.batch
    }

    /// The named input values as tensors of their own (for binding once: [`crate::bound`]).
    pub fn owned_values(&self, names: &GraphNames) -> ort::Result<Vec<(String, DynValue)>> {
        let (b, n) = (self.batch.batch, self.batch.seq_len);
        let mut values = vec![
            (
                names.word_ids.clone(),
                Tensor::from_array(([b, n], self.batch.word_ids.clone()))?.into_dyn(),
            ),
            (
                names.pos_ids.clone(),
                Tensor::from_array(([b, n], self.batch.pos_ids.clone()))?.into_dyn(),
            ),
            (
                names.lengths.clone(),
                Tensor::from_array(([b], self.lengths.clone()))?.into_dyn(),
            ),
        ];
        if let Some(sparse) = &names.sparse {
            values.push((
                sparse.threshold.clone(),
                Tensor::from_array(([1usize], self.threshold.to_vec()))?.into_dyn(),
            ));
        }
        Ok(values)
    }

    /// The named input values, borrowing this batch's buffers.
    pub fn values(
        &self,
        names: &GraphNames,
    ) -> ort::Result<Vec<(Cow<'static, str>, SessionInputValue<'_>)>> {
        let shape = (self.batch.batch, self.batch.seq_len);
        fn view(shape: (usize, usize), data: &[i64]) -> ort::Result<ArrayView2<'_, i64>> {
            ArrayView2::from_shape(shape, data).map_err(ort::Error::wrap)
        }
        let word_ids = TensorRef::from_array_view(view(shape, &self.batch.word_ids)?)?;
        let pos_ids = TensorRef::from_array_view(view(shape, &self.batch.pos_ids)?)?;
        let lengths = TensorRef::from_array_view(ArrayView1::from(&self.lengths[..]))?;
        let mut values = vec![
            (Cow::Owned(names.word_ids.clone()), word_ids.into()),
            (Cow::Owned(names.pos_ids.clone()), pos_ids.into()),
            (Cow::Owned(names.lengths.clone()), lengths.into()),
        ];
        if let Some(sparse) = &names.sparse {
            let threshold = TensorRef::from_array_view(ArrayView1::from(&self.threshold[..]))?;
            values.push((Cow::Owned(sparse.threshold.clone()), threshold.into()));
        }
        Ok(values)
    }
}
