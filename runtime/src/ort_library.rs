//! Finding the ONNX Runtime library: the pip wheel ships only the versioned
//! `libonnxruntime.so.1.31.1`, so it is always loaded by full path. CPU and CUDA builds are
//! different libraries (`onnxruntime` and `onnxruntime-gpu`, in separate venvs).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The versioned file name of the ONNX Runtime library in the pip wheels (ort 2.0.0-rc.15 targets
/// ONNX Runtime 1.31).
pub const ORT_LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";
/// The CUDA execution provider's library, which ONNX Runtime loads from its own folder.
pub const CUDA_PROVIDER_FILE: &str = "libonnxruntime_providers_cuda.so";

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
