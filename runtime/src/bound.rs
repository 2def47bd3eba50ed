//! A batch bound once to the session's device (ONNX Runtime's IoBinding) and run many times: no
//! copy of the inputs to the device and none of the outputs back to the host per run. It is what
//! `rin bench --mode bound` times (PyTorch eager timings also leave their outputs on the GPU).
//! Dense graphs' outputs are allocated once at their fixed shapes, as CUDA graphs need
//! (`RIN_CUDA_OPTIONS=cuda-graph`); a sparse graph's cell list, whose length each run decides, is
//! allocated by ONNX Runtime on the device.

use ort::memory::{AllocationDevice, Allocator, AllocatorType, MemoryInfo, MemoryType};
use ort::session::IoBinding;
use ort::value::Tensor;

use crate::error::{Error, Result};
use crate::input::ModelInputs;
use crate::session::{ExecutionProvider, ModelOutput, ModelSession};

/// One batch bound to a session's inputs and outputs.
#[derive(Debug)]
pub struct BoundBatch<'s> {
    session: &'s ModelSession,
    binding: IoBinding,
    batch: usize,
    seq_len: usize,
}

impl ModelSession {
    /// Binds `inputs` (copied to the session's device once) and the outputs (on that device).
    pub fn bind(&self, inputs: &ModelInputs) -> Result<BoundBatch<'_>> {
        let (batch, seq_len) = (inputs.batch(), inputs.seq_len());
        let failed = |source| Error::Inference {
            batch,
            seq_len,
            source,
        };
        let names = self.names();
        let session = self.lock();
        let mut binding = session.create_binding().map_err(failed)?;
        for (name, value) in inputs.owned_values(names).map_err(failed)? {
            binding.bind_input(name, &value).map_err(failed)?;
        }
        let (device, kinds) = match self.provider() {
            ExecutionProvider::Cuda => (AllocationDevice::CUDA, [AllocatorType::Device; 2]),
            // The CPU arena, or the plain allocator of a session built without it.
            ExecutionProvider::Cpu => (
                AllocationDevice::CPU,
                [AllocatorType::Arena, AllocatorType::Device],
            ),
        };
        let memory =
            |kind| MemoryInfo::new(device.clone(), 0, kind, MemoryType::Default).map_err(failed);
        let allocator = match Allocator::new(&session, memory(kinds[0])?) {
            Ok(allocator) => allocator,
            Err(_) => Allocator::new(&session, memory(kinds[1])?).map_err(failed)?,
        };
        let (b, n, r) = (batch, seq_len, self.relations());
        let entity =
            Tensor::<f32>::new(&allocator, [b, n, rin_core::Tag::COUNT]).map_err(failed)?;
        binding
            .bind_output(names.entity_probs.clone(), entity)
            .map_err(failed)?;
        match &names.sparse {
            None => {
                let relation = Tensor::<f32>::new(&allocator, [b, n, n, r]).map_err(failed)?;
                binding
                    .bind_output(names.relation_probs.clone(), relation)
                    .map_err(failed)?;
            }
            Some(sparse) => {
                let device = memory(kinds[0])?;
                for name in [&sparse.cells, &sparse.scores] {
                    binding
                        .bind_output_to_device(name.clone(), &device)
                        .map_err(failed)?;
                }
            }
        }
        drop(session);
        Ok(BoundBatch {
            session: self,
            binding,
            batch,
            seq_len,
        })
    }
}

impl BoundBatch<'_> {
    fn failed(&self, source: ort::Error) -> Error {
        Error::Inference {
            batch: self.batch,
            seq_len: self.seq_len,
            source,
        }
    }

    /// One run; the outputs stay where they are bound.
    pub fn run(&self) -> Result<()> {
        let mut session = self.session.lock();
        session
            .run_binding(&self.binding)
            .map(drop)
            .map_err(|e| self.failed(e))
    }

    /// One run with the outputs read back: on a CPU session, the same [`ModelOutput`] as
    /// [`ModelSession::run`] gives (device memory cannot be read here).
    pub fn run_to_host(&self) -> Result<ModelOutput> {
        let mut session = self.session.lock();
        let outputs = session
            .run_binding(&self.binding)
            .map_err(|e| self.failed(e))?;
        self.session.output_of(&outputs, self.batch, self.seq_len)
    }
}
