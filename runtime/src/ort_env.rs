//! The process-wide ONNX Runtime environment and the device choice: the library is loaded once
//! per process (`ort`'s `load-dynamic`), and since the device decides which library is loaded,
//! that choice cannot change later in the same process.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::error::{Error, Result};
use crate::ort_library::{resolve_cuda_library, resolve_library, OrtLibrary, CUDA_PROVIDER_FILE};

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

impl OrtConfig {
    /// The intra-op threads a CPU session uses: `threads`, else one per core, as ONNX Runtime
    /// counts by default (at least 1).
    pub fn cpu_threads(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    }
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
