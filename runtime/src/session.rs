//! One ONNX Runtime session per graph: building it on the chosen execution provider, checking its
//! inputs and outputs against the manifest's names, and running batches.
//!
//! Finding the library is [`crate::ort_library`]'s job, the environment and the device
//! [`crate::ort_env`]'s; their items are re-exported here, where callers have always found them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::ep;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::{Session, SessionOutputs};
use ort::value::PrimitiveTensorElementType;
use rin_core::RelationCell;

use crate::error::{Error, Result};
use crate::input::ModelInputs;

pub use crate::graph_names::{GraphNames, SparseNames};
pub use crate::ort_env::{
    runtime, runtime_library, setup, Device, ExecutionProvider, OrtConfig, OrtRuntime,
};
pub use crate::ort_library::{
    resolve_cuda_library, resolve_library, OrtLibrary, CUDA_PROVIDER_FILE, ORT_LIBRARY_FILE,
};

/// The model's outputs for one batch, as flat row-major buffers (rin-core's decoding reads them).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOutput {
    /// Sentences in the batch.
    pub batch: usize,
    /// Padded length.
    pub seq_len: usize,
    /// Relation types.
    pub relations: usize,
    /// `[batch, seq_len, 5]`.
    pub entity_probs: Vec<f32>,
    /// `[batch, seq_len, seq_len, relations]` from dense graphs; empty from sparse ones.
    pub relation_probs: Vec<f32>,
    /// From sparse graphs: each sentence's cells at or above the threshold the graph was run
    /// with; `None` from dense graphs.
    pub relation_cells: Option<Vec<Vec<RelationCell>>>,
}

impl ModelOutput {
    /// Sentence `b`'s `[seq_len, 5]` tag probabilities.
    pub fn entity_block(&self, b: usize) -> &[f32] {
        let size = self.seq_len * rin_core::Tag::COUNT;
        &self.entity_probs[b * size..(b + 1) * size]
    }

    /// Sentence `b`'s `[seq_len, seq_len, relations]` relation probabilities (empty from a sparse
    /// graph: see [`ModelOutput::relation_cells`]).
    pub fn relation_block(&self, b: usize) -> &[f32] {
        let size = self.seq_len * self.seq_len * self.relations;
        self.relation_probs
            .get(b * size..(b + 1) * size)
            .unwrap_or(&[])
    }
}

/// One ONNX Runtime session for one exported graph. `Session::run` needs `&mut`, so the session
/// sits behind a mutex: share a `ModelSession` between threads freely, runs are serialised.
#[derive(Debug)]
pub struct ModelSession {
    session: Mutex<Session>,
    path: PathBuf,
    names: GraphNames,
    relations: usize,
    provider: ExecutionProvider,
}

impl ModelSession {
    /// Builds a session for the graph at `path` and checks its inputs and outputs against `names`.
    ///
    /// With `cuda`, registers the CUDA execution provider: an error for `Device::Cuda`, a warning
    /// and the CPU for `Device::Auto`.
    pub fn load(
        runtime: &OrtRuntime,
        path: &Path,
        names: GraphNames,
        relations: usize,
        config: &OrtConfig,
        cuda: bool,
    ) -> Result<Self> {
        let fallback = config.device == Device::Auto;
        let (session, provider) = build_session(
            runtime.environment(),
            path,
            config.threads,
            cuda,
            fallback,
            config.no_cpu_arena,
        )
        .map_err(|source| {
            if cuda && !fallback {
                Error::CudaUnavailable {
                    reason: format!(
                        "ONNX Runtime ({}) could not create a CUDA session for {}: {source}",
                        runtime.library().path.display(),
                        path.display()
                    ),
                }
            } else {
                Error::Session {
                    path: path.to_owned(),
                    source,
                }
            }
        })?;
        check_io(&session, path, &names)?;
        tracing::debug!(graph = %path.display(), provider = provider.name(), "session ready");
        Ok(ModelSession {
            session: Mutex::new(session),
            path: path.to_owned(),
            names,
            relations,
            provider,
        })
    }

    /// The graph file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The execution provider the session runs on.
    pub fn provider(&self) -> ExecutionProvider {
        self.provider
    }

    /// Runs one padded batch.
    pub fn run(&self, inputs: &ModelInputs) -> Result<ModelOutput> {
        let (batch, seq_len) = (inputs.batch(), inputs.seq_len());
        let values = inputs
            .values(&self.names)
            .map_err(|source| Error::Inference {
                batch,
                seq_len,
                source,
            })?;
        let mut session = self.lock();
        let outputs = session.run(values).map_err(|source| Error::Inference {
            batch,
            seq_len,
            source,
        })?;
        self.output_of(&outputs, batch, seq_len)
    }

    /// The session, for one run at a time.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The graph's input and output names.
    pub(crate) fn names(&self) -> &GraphNames {
        &self.names
    }

    /// Relation types.
    pub(crate) fn relations(&self) -> usize {
        self.relations
    }

    /// The outputs of one run of a `batch x seq_len` batch, read back to the host.
    pub(crate) fn output_of(
        &self,
        outputs: &SessionOutputs<'_>,
        batch: usize,
        seq_len: usize,
    ) -> Result<ModelOutput> {
        let extract = |name: &str| self.extract::<f32>(outputs, name, batch, seq_len);
        let (b, n, r) = (batch as i64, seq_len as i64, self.relations as i64);
        let entity_name = &self.names.entity_probs;
        let (shape, entity_probs) = extract(entity_name)?;
        expect_shape(entity_name, &[b, n, rin_core::Tag::COUNT as i64], &shape)?;
        let (relation_probs, relation_cells) = match &self.names.sparse {
            None => {
                let (shape, probs) = extract(&self.names.relation_probs)?;
                expect_shape(&self.names.relation_probs, &[b, n, n, r], &shape)?;
                (probs, None)
            }
            Some(sparse) => {
                let (shape, cells) = self.extract::<i64>(outputs, &sparse.cells, batch, seq_len)?;
                let count = shape.first().copied().unwrap_or(0);
                let (score_shape, scores) = extract(&sparse.scores)?;
                expect_shape(&sparse.scores, &[count], &score_shape)?;
                expect_shape(&sparse.cells, &[count, 4], &shape)?;
                let mut by_sentence = vec![Vec::new(); batch];
                for (cell, &p) in cells.chunks_exact(4).zip(&scores) {
                    let index = |v: i64| usize::try_from(v).unwrap_or(usize::MAX);
                    if let Some(list) = by_sentence.get_mut(index(cell[0])) {
                        list.push(RelationCell {
                            i: index(cell[1]),
                            j: index(cell[2]),
                            relation: index(cell[3]),
                            p,
                        });
                    }
                }
                (Vec::new(), Some(by_sentence))
            }
        };
        Ok(ModelOutput {
            batch,
            seq_len,
            relations: self.relations,
            entity_probs,
            relation_probs,
            relation_cells,
        })
    }

    /// Output `name` of a run: its shape and its values, flat.
    fn extract<T: PrimitiveTensorElementType + Clone>(
        &self,
        outputs: &SessionOutputs<'_>,
        name: &str,
        batch: usize,
        seq_len: usize,
    ) -> Result<(Vec<i64>, Vec<T>)> {
        let value = outputs.get(name).ok_or_else(|| Error::GraphMismatch {
            path: self.path.clone(),
            detail: format!("no output named {name:?}"),
        })?;
        let (shape, data) = value
            .try_extract_tensor::<T>()
            .map_err(|source| Error::Inference {
                batch,
                seq_len,
                source,
            })?;
        Ok((shape.to_vec(), data.to_vec()))
    }
}

/// An error unless output `name` has the `expected` shape.
fn expect_shape(name: &str, expected: &[i64], actual: &[i64]) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(Error::OutputShape {
            name: name.to_owned(),
            expected: expected.to_vec(),
            actual: actual.to_vec(),
        })
    }
}

/// Builds the session, with CUDA first when asked. For `Device::Auto` (`fallback`), a CUDA
/// failure (registering the provider, or creating the session on it) is logged once and the
/// session is built again on the CPU.
fn build_session(
    environment: &ort::environment::Environment,
    path: &Path,
    threads: Option<usize>,
    cuda: bool,
    fallback: bool,
    no_arena: bool,
) -> ort::Result<(Session, ExecutionProvider)> {
    if cuda {
        match try_build_session(environment, path, threads, true, no_arena) {
            Ok(session) => return Ok((session, ExecutionProvider::Cuda)),
            Err(e) if fallback => tracing::warn!(
                "device auto: using the CPU because the CUDA execution provider failed: {e}"
            ),
            Err(e) => return Err(e),
        }
    }
    let session = try_build_session(environment, path, threads, false, no_arena)?;
    Ok((session, ExecutionProvider::Cpu))
}

/// One attempt, in a function returning `ort::Result`: the builder's errors carry the builder
/// (for `recover`) and only convert into `ort::Error` here.
fn try_build_session(
    environment: &ort::environment::Environment,
    path: &Path,
    threads: Option<usize>,
    cuda: bool,
    no_arena: bool,
) -> ort::Result<Session> {
    let mut builder = Session::builder(environment)?
        .with_optimization_level(GraphOptimizationLevel::Level3)?
        // Batches come in many (batch, seq) shapes; the memory-pattern cache only helps fixed shapes.
        .with_memory_pattern(false)?;
    if let Some(threads) = threads {
        builder = builder.with_intra_threads(threads)?;
    }
    if cuda {
        // Fail loudly: by default ONNX Runtime would fall back to the CPU without a word.
        builder = builder.with_execution_providers([cuda_provider().build().error_on_failure()])?;
    }
    if no_arena {
        builder = builder
            .with_execution_providers([ep::CPU::default().with_arena_allocator(false).build()])?;
    }
    builder.commit_from_file(path)
}

/// Whether `RIN_CUDA_OPTIONS` asks for CUDA graphs (`cuda-graph`).
pub fn cuda_graph_requested() -> bool {
    std::env::var("RIN_CUDA_OPTIONS")
        .unwrap_or_default()
        .split(',')
        .any(|o| o.trim() == "cuda-graph")
}

/// The CUDA execution provider, with the settings named in `RIN_CUDA_OPTIONS` (comma-separated,
/// for measuring them: `tf32` lets matrix products use TF32, `arena-same-as-requested` grows the
/// GPU arena by what is asked rather than by powers of two, `cuda-graph` captures the first run
/// and replays it, which needs inputs and outputs bound to fixed buffers and one batch shape per
/// session: `rin bench --mode bound`). Unknown names are logged and ignored.
fn cuda_provider() -> ep::CUDA {
    let mut provider = ep::CUDA::default();
    let options = std::env::var("RIN_CUDA_OPTIONS").unwrap_or_default();
    for option in options.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        provider = match option {
            "tf32" => provider.with_tf32(true),
            "cuda-graph" => provider.with_cuda_graph(true),
            "arena-same-as-requested" => {
                provider.with_arena_extend_strategy(ep::ArenaExtendStrategy::SameAsRequested)
            }
            other => {
                tracing::warn!("RIN_CUDA_OPTIONS: unknown option {other:?} ignored");
                provider
            }
        };
    }
    provider
}

fn check_io(session: &Session, path: &Path, names: &GraphNames) -> Result<()> {
    let inputs: Vec<&str> = session.inputs().iter().map(|o| o.name()).collect();
    let outputs: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
    let mut problems = Vec::new();
    for want in [&names.word_ids, &names.pos_ids, &names.lengths] {
        if !inputs.contains(&want.as_str()) {
            problems.push(format!("input {want:?} is missing (inputs: {inputs:?})"));
        }
    }
    let mut wanted_outputs = vec![&names.entity_probs];
    let mut input_count = 3;
    match &names.sparse {
        None => wanted_outputs.push(&names.relation_probs),
        Some(sparse) => {
            wanted_outputs.extend([&sparse.cells, &sparse.scores]);
            input_count = 4;
            if !inputs.contains(&sparse.threshold.as_str()) {
                problems.push(format!(
                    "input {:?} is missing (inputs: {inputs:?})",
                    sparse.threshold
                ));
            }
        }
    }
    for want in wanted_outputs {
        if !outputs.contains(&want.as_str()) {
            problems.push(format!("output {want:?} is missing (outputs: {outputs:?})"));
        }
    }
    if inputs.len() != input_count {
        problems.push(format!(
            "expected {input_count} inputs, the graph has {inputs:?}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::GraphMismatch {
            path: path.to_owned(),
            detail: problems.join("; "),
        })
    }
}
