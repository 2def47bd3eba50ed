//! Test harness: temporary folders, fixture checkpoints, the Python venv, and decoding graphs.

use std::path::{Path, PathBuf};
use std::process::Command;

use prost::Message;
use rin_exporter::fixture::{self, FixtureSpec};
use rin_exporter::pb::ModelProto;

/// A temporary folder holding a tiny random checkpoint in `ckpt/`.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new(spec: &FixtureSpec) -> Self {
        let dir = tempfile::tempdir().unwrap();
        fixture::write_checkpoint(&dir.path().join("ckpt"), spec).unwrap();
        Fixture { dir }
    }

    pub fn tiny() -> Self {
        Fixture::new(&FixtureSpec::tiny(7))
    }

    pub fn ckpt(&self) -> PathBuf {
        self.dir.path().join("ckpt")
    }

    /// Rewrites the checkpoint's `checkpoint.json` after `edit`.
    pub fn edit_meta(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let path = self.ckpt().join("checkpoint.json");
        let mut meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut meta);
        std::fs::write(&path, serde_json::to_string(&meta).unwrap()).unwrap();
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("onnx")
    }
}

/// Decodes `dir/model_k{k}.onnx`.
pub fn read_model(dir: &Path, k: usize) -> ModelProto {
    read_file(&dir.join(format!("model_k{k}.onnx")))
}

/// The graph file `path`, decoded.
pub fn read_file(path: &Path) -> ModelProto {
    let bytes = std::fs::read(path).unwrap();
    ModelProto::decode(bytes.as_slice()).unwrap()
}

/// The venv's python: `$VIRTUAL_ENV`, `$RIN_CACHE_DIR/venv`, `$XDG_CACHE_HOME/rin/venv` or
/// `~/.cache/rin/venv` (where `cargo xtask setup` puts it), if it has onnx and onnxruntime.
pub fn venv_python() -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Some(v) = std::env::var_os("VIRTUAL_ENV") {
        candidates.push(PathBuf::from(v));
    }
    if let Some(c) = std::env::var_os("RIN_CACHE_DIR") {
        candidates.push(PathBuf::from(c).join("venv"));
    }
    if let Some(c) = std::env::var_os("XDG_CACHE_HOME") {
        candidates.push(PathBuf::from(c).join("rin/venv"));
    }
    if let Some(h) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(h).join(".cache/rin/venv"));
    }
    for venv in &candidates {
        let python = venv.join("bin/python");
        if !python.is_file() {
            continue;
        }
        let ok = Command::new(&python)
            .args(["-c", "import onnx, onnxruntime, numpy"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Ok(python);
        }
    }
    Err(format!(
        "no venv with onnx, onnxruntime and numpy among {candidates:?} (run `cargo xtask setup`)"
    ))
}

/// Runs `python args...`, panicking with its output on failure; returns stdout.
pub fn run_python<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(
    python: &Path,
    args: &[S],
) -> String {
    let out = Command::new(python).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python {args:?} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

/// Skips a test (returns from it) when the venv is missing: the reason is printed and appended to
/// `$RIN_SKIP_LOG`; with `RIN_REQUIRE_VENV` set (`cargo xtask test` sets it), it fails instead.
macro_rules! require_venv {
    () => {
        match $crate::util::venv_python() {
            Ok(p) => p,
            Err(reason) => {
                $crate::util::skip(module_path!(), &reason);
                return;
            }
        }
    };
}

/// Records a skipped test, or fails it when `RIN_REQUIRE_VENV` says the venv must be there.
pub fn skip(test: &str, reason: &str) {
    assert!(
        std::env::var_os("RIN_REQUIRE_VENV").is_none(),
        "{test}: {reason} (RIN_REQUIRE_VENV is set: this test must not be skipped)"
    );
    eprintln!("skipped: {reason}");
    if let Some(log) = std::env::var_os("RIN_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(f, "{test}: {reason}");
        }
    }
}
pub(crate) use require_venv;
