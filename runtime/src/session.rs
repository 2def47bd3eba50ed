//! ONNX Runtime: finding its library, the process-wide environment, and one session per graph.
//!
//! The library is loaded at run time (`ort`'s `load-dynamic`): the pip wheel ships only the
//! versioned `libonnxruntime.so.1.31.1`, so it is always loaded by full path, once per process.
//! CPU and CUDA builds are different libraries (`onnxruntime` and `onnxruntime-gpu`, in separate
//! venvs), so the device decides which library is loaded, and that choice cannot change later in
//! the same process.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::ep;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::{Session, SessionOutputs};
use ort::value::PrimitiveTensorElementType;

use crate::error::{Error, Result};
use crate::input::ModelInputs;
use rin_core::RelationCell;

/// The versioned file name of the ONNX Runtime library in the pip wheels (ort 2.0.0-rc.15 targets
/// ONNX Runtime 1.31).
pub const ORT_LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";
/// The CUDA execution provider's library, which ONNX Runtime loads from its own folder.
pub const CUDA_PROVIDER_FILE: &str = "libonnxruntime_providers_cuda.so";

/// Where to run the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// ONNX Runtime's CPU execution provider.
    #[default]
    Cpu,
    /// The CUDA execution provider; an error when it cannot be used.
    Cuda,
    /// CUDA when the CUDA build of ONNX Runtime and a GPU are there, else the CPU (with a warning).
    Auto,
}

/// How to set up ONNX Runtime.
#[derive(Debug, Clone, Default)]
pub struct OrtConfig {
    /// The library to load (`--ort-dylib`); `None` searches (see [`resolve_library`]).
    pub library: Option<PathBuf>,
    /// The execution provider.
    pub device: Device,
    /// Intra-op threads; `None` keeps ONNX Runtime's default (one per core).
    pub threads: Option<usize>,
    /// Disable ONNX Runtime's CPU memory arena: tensors go back to the system allocator after
    /// each run, so a process's memory falls again after an outsized request (servers).
    pub no_cpu_arena: bool,
}

/// The execution provider a session really runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionProvider {
    /// `CPUExecutionProvider`.
    Cpu,
    /// `CUDAExecutionProvider`.
    Cuda,
}

impl ExecutionProvider {
    /// The name ONNX Runtime uses.
    pub fn name(self) -> &'static str {
        match self {
            ExecutionProvider::Cpu => "CPUExecutionProvider",
            ExecutionProvider::Cuda => "CUDAExecutionProvider",
        }
    }
}

/// A library file found for ONNX Runtime, and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrtLibrary {
    /// The library file.
    pub path: PathBuf,
    /// Where the path came from (`--ort-dylib`, `RIN_ORT_DYLIB`, ...).
    pub origin: String,
}

impl OrtLibrary {
    /// Whether the CUDA execution provider's library sits next to this library.
    pub fn has_cuda_provider(&self) -> bool {
        self.cuda_provider_path().is_file()
    }

    /// Where ONNX Runtime looks for the CUDA execution provider's library.
    pub fn cuda_provider_path(&self) -> PathBuf {
        self.path.with_file_name(CUDA_PROVIDER_FILE)
    }
}

/// Finds the CPU build of ONNX Runtime: `explicit` (`--ort-dylib`), then `RIN_ORT_DYLIB`, then
/// `ORT_DYLIB_PATH`, then the venv set up by `cargo xtask setup`
/// (`${RIN_CACHE_DIR:-~/.cache/rin}/venv/lib/python3.*/site-packages/onnxruntime/capi/`).
///
/// The error lists every place tried and what was wrong with it.
pub fn resolve_library(explicit: Option<&Path>) -> Result<OrtLibrary> {
    let mut tried = Vec::new();
    let candidates = explicit
        .map(|p| (p.to_owned(), "--ort-dylib".to_owned()))
        .into_iter()
        .chain(env_path("RIN_ORT_DYLIB"))
        .chain(env_path("ORT_DYLIB_PATH"));
    for (path, origin) in candidates {
        if path.is_file() {
            return Ok(OrtLibrary { path, origin });
        }
        tried.push(format!("{origin}={} (no such file)", path.display()));
        if origin == "--ort-dylib" {
            // An explicit flag that points nowhere is a mistake, not a reason to look elsewhere.
            return Err(Error::OrtLibraryNotFound { tried });
        }
    }
    match cache_dir() {
        Some(cache) => {
            let venv = cache.join("venv");
            if let Some(path) = venv_library(&venv) {
                return Ok(OrtLibrary {
                    path,
                    origin: format!("the venv {}", venv.display()),
                });
            }
            tried.push(format!(
                "{}/lib/python3.*/site-packages/onnxruntime/capi/{ORT_LIBRARY_FILE} (not found)",
                venv.display()
            ));
        }
        None => tried.push("the rin venv (neither RIN_CACHE_DIR nor HOME is set)".into()),
    }
    Err(Error::OrtLibraryNotFound { tried })
}

/// Finds the CUDA build of ONNX Runtime (`onnxruntime-gpu`): `RIN_ORT_CUDA_DYLIB`, then the
/// `venv-gpu` that `cargo xtask setup --gpu yes` creates. `Err` says why there is none.
pub fn resolve_cuda_library() -> std::result::Result<OrtLibrary, String> {
    if let Some((path, origin)) = env_path("RIN_ORT_CUDA_DYLIB") {
        if path.is_file() {
            return Ok(OrtLibrary { path, origin });
        }
        return Err(format!(
            "RIN_ORT_CUDA_DYLIB={} does not exist",
            path.display()
        ));
    }
    if let Some(venv) = cache_dir().map(|c| c.join("venv-gpu")) {
        if let Some(path) = venv_library(&venv) {
            return Ok(OrtLibrary {
                path,
                origin: format!("the venv {}", venv.display()),
            });
        }
    }
    Err(format!(
        "the CUDA build of ONNX Runtime (onnxruntime-gpu's {ORT_LIBRARY_FILE} with {CUDA_PROVIDER_FILE}) \
         was not found: RIN_ORT_CUDA_DYLIB is not set and there is no venv-gpu (run `cargo xtask setup --gpu yes`)"
    ))
}

fn env_path(name: &str) -> Option<(PathBuf, String)> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(|v| (PathBuf::from(v), name.to_owned()))
}

fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("RIN_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir).join("rin"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("rin"))
}

/// `venv/lib/python3.*/site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1`, if present.
fn venv_library(venv: &Path) -> Option<PathBuf> {
    let mut pythons: Vec<PathBuf> = std::fs::read_dir(venv.join("lib"))
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .map(|e| e.path())
        .collect();
    pythons.sort();
    pythons
        .into_iter()
        .map(|p| {
            p.join("site-packages")
                .join("onnxruntime")
                .join("capi")
                .join(ORT_LIBRARY_FILE)
        })
        .find(|p| p.is_file())
}

/// The ONNX Runtime environment of this process and the library it came from.
#[derive(Debug)]
pub struct OrtRuntime {
    environment: ort::environment::Environment,
    library: OrtLibrary,
}

impl OrtRuntime {
    /// The library ONNX Runtime was loaded from.
    pub fn library(&self) -> &OrtLibrary {
        &self.library
    }

    /// The environment, for sessions built outside [`ModelSession`] (rin-bench's profiling).
    pub fn environment(&self) -> &ort::environment::Environment {
        &self.environment
    }
}

static RUNTIME: OnceLock<OrtRuntime> = OnceLock::new();

/// The library this process loaded ONNX Runtime from, once it has.
pub fn runtime_library() -> Option<&'static Path> {
    RUNTIME.get().map(|rt| rt.library.path.as_path())
}
static RUNTIME_INIT: Mutex<()> = Mutex::new(());

/// Loads ONNX Runtime from `library` and creates the process's environment, once.
///
/// A later call with the same library returns the same environment; another library is an error,
/// since a process cannot unload ONNX Runtime.
pub fn runtime(library: &OrtLibrary) -> Result<&'static OrtRuntime> {
    // Serialise first initialisation: `ort::init_from` must run before any other ort call.
    let _guard = RUNTIME_INIT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(rt) = RUNTIME.get() {
        return same_library(rt, library);
    }
    ort::init_from(&library.path)
        .map_err(|e| Error::OrtLoad {
            path: library.path.clone(),
            // The Display of the loader's error says only "dlopen failed"; Debug has the reason.
            detail: format!("{e:?}"),
        })?
        .with_name("rin")
        .with_telemetry(false)
        .build()
        .map(|environment| {
            tracing::debug!(library = %library.path.display(), origin = %library.origin, "loaded ONNX Runtime");
            let _ = RUNTIME.set(OrtRuntime {
                environment,
                library: library.clone(),
            });
        })
        .map_err(|source| Error::OrtEnvironment { source })?;
    let rt = RUNTIME
        .get()
        .expect("invariant: the environment was stored just above");
    Ok(rt)
}

fn same_library(rt: &'static OrtRuntime, library: &OrtLibrary) -> Result<&'static OrtRuntime> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    if canonical(&rt.library.path) == canonical(&library.path) {
        Ok(rt)
    } else {
        Err(Error::OrtAlreadyLoaded {
            loaded: rt.library.path.clone(),
            requested: library.path.clone(),
        })
    }
}

/// Picks the library and execution provider for `config.device`: see [`Device`].
///
/// Returns the runtime and whether to ask for CUDA. For `Auto` without a CUDA build, logs one
/// warning saying why the CPU is used.
pub fn setup(config: &OrtConfig) -> Result<(&'static OrtRuntime, bool)> {
    match config.device {
        Device::Cpu => Ok((
            runtime(&resolve_library(config.library.as_deref())?)?,
            false,
        )),
        Device::Cuda => {
            let library = match &config.library {
                Some(path) => OrtLibrary {
                    path: path.clone(),
                    origin: "--ort-dylib".into(),
                },
                None => {
                    resolve_cuda_library().map_err(|reason| Error::CudaUnavailable { reason })?
                }
            };
            if !library.path.is_file() {
                return Err(Error::CudaUnavailable {
                    reason: format!(
                        "{} ({}) does not exist",
                        library.path.display(),
                        library.origin
                    ),
                });
            }
            if !library.has_cuda_provider() {
                return Err(Error::CudaUnavailable {
                    reason: format!(
                        "{} is missing next to {} ({}): that is the CPU build of ONNX Runtime; \
                         install onnxruntime-gpu==1.31.1 in its own venv (`cargo xtask setup --gpu yes`) and set RIN_ORT_CUDA_DYLIB",
                        CUDA_PROVIDER_FILE,
                        library.path.display(),
                        library.origin
                    ),
                });
            }
            Ok((runtime(&library)?, true))
        }
        Device::Auto => {
            let cuda = match &config.library {
                Some(path) => {
                    let library = OrtLibrary {
                        path: path.clone(),
                        origin: "--ort-dylib".into(),
                    };
                    if library.has_cuda_provider() {
                        Ok(library)
                    } else {
                        Err(format!(
                            "{CUDA_PROVIDER_FILE} is not next to {}",
                            path.display()
                        ))
                    }
                }
                None => resolve_cuda_library(),
            };
            match cuda {
                Ok(library) if library.has_cuda_provider() => Ok((runtime(&library)?, true)),
                Ok(library) => {
                    tracing::warn!(
                        "device auto: using the CPU because {} is missing next to {}",
                        CUDA_PROVIDER_FILE,
                        library.path.display()
                    );
                    Ok((
                        runtime(&resolve_library(config.library.as_deref())?)?,
                        false,
                    ))
                }
                Err(reason) => {
                    tracing::warn!("device auto: using the CPU because {reason}");
                    Ok((
                        runtime(&resolve_library(config.library.as_deref())?)?,
                        false,
                    ))
                }
            }
        }
    }
}

/// The names of a graph's inputs and outputs (from the manifest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNames {
    /// `[batch, seq]` int64 word ids.
    pub word_ids: String,
    /// `[batch, seq]` int64 POS ids.
    pub pos_ids: String,
    /// `[batch]` int32 sentence lengths.
    pub lengths: String,
    /// `[batch, seq, 5]` float tag probabilities (O, B, I, E, S).
    pub entity_probs: String,
    /// `[batch, seq, seq, relations]` float relation probabilities (dense graphs).
    pub relation_probs: String,
    /// The threshold input and cell outputs of sparse graphs; `None` for dense ones.
    pub sparse: Option<SparseNames>,
}

/// The extra input and the outputs of a graph exported with sparse relation outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparseNames {
    /// `[1]` float: cells at or above it are listed.
    pub threshold: String,
    /// `[cells, 4]` int64: `(b, i, j, t)`.
    pub cells: String,
    /// `[cells]` float: each cell's probability.
    pub scores: String,
}

impl Default for GraphNames {
    fn default() -> Self {
        GraphNames {
            word_ids: "word_ids".into(),
            pos_ids: "pos_ids".into(),
            lengths: "lengths".into(),
            entity_probs: "entity_probs".into(),
            relation_probs: "relation_probs".into(),
            sparse: None,
        }
    }
}

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
            &runtime.environment,
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
                        runtime.library.path.display(),
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
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = session.run(values).map_err(|source| Error::Inference {
            batch,
            seq_len,
            source,
        })?;
        let extract = |name: &str| self.extract::<f32>(&outputs, name, batch, seq_len);
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
                let (shape, cells) =
                    self.extract::<i64>(&outputs, &sparse.cells, batch, seq_len)?;
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

/// The CUDA execution provider, with the settings named in `RIN_CUDA_OPTIONS` (comma-separated,
/// for measuring them: `tf32` lets matrix products use TF32, `arena-same-as-requested` grows the
/// GPU arena by what is asked rather than by powers of two). Unknown names are logged and ignored.
fn cuda_provider() -> ep::CUDA {
    let mut provider = ep::CUDA::default();
    let options = std::env::var("RIN_CUDA_OPTIONS").unwrap_or_default();
    for option in options.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        provider = match option {
            "tf32" => provider.with_tf32(true),
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
