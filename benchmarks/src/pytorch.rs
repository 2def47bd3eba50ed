//! The PyTorch eager baseline: `benchmarks/pytorch_eager.py`, run as a subprocess with a JSON
//! request (the cases, their inputs, the timing budget) and a JSON response (latencies and,
//! where asked, the outputs for the parity check).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use rin_core::PaddedBatch;
use serde::{Deserialize, Serialize};

use crate::backend::{BackendSpec, Outputs, Target};
use crate::timing::Budget;

/// The script shipped next to this crate.
pub fn default_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pytorch_eager.py")
}

/// The Python with torch: `RIN_PYTHON`, else the active venv, else the one `cargo xtask setup`
/// builds (`${RIN_CACHE_DIR:-~/.cache/rin}/venv`).
pub fn default_python() -> PathBuf {
    if let Some(python) = std::env::var_os("RIN_PYTHON").filter(|v| !v.is_empty()) {
        return PathBuf::from(python);
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        return Path::new(&venv).join("bin").join("python");
    }
    let cache = std::env::var_os("RIN_CACHE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache").join("rin")));
    match cache {
        Some(cache) => cache.join("venv").join("bin").join("python"),
        None => PathBuf::from("python3"),
    }
}

/// One case for the script.
#[derive(Debug, Serialize)]
pub struct ScriptCase {
    pub name: String,
    pub k: usize,
    pub word_ids: Vec<Vec<i64>>,
    pub pos_ids: Vec<Vec<i64>>,
    pub lengths: Vec<i64>,
    pub return_outputs: bool,
}

impl ScriptCase {
    pub fn new(name: String, k: usize, batch: &PaddedBatch, return_outputs: bool) -> ScriptCase {
        let rows = |v: &[i64]| v.chunks(batch.seq_len).map(<[i64]>::to_vec).collect();
        ScriptCase {
            name,
            k,
            word_ids: rows(&batch.word_ids),
            pos_ids: rows(&batch.pos_ids),
            lengths: batch.lengths.clone(),
            return_outputs,
        }
    }
}

#[derive(Debug, Serialize)]
struct Request<'a> {
    checkpoint: &'a Path,
    threads: usize,
    device: &'static str,
    warmup: usize,
    min_iterations: usize,
    max_iterations: usize,
    seconds: f64,
    cases: &'a [ScriptCase],
}

/// The script's answer.
#[derive(Debug, Deserialize)]
pub struct Response {
    pub torch_version: String,
    pub cases: Vec<CaseResult>,
}

/// One case's latencies and, when asked for, outputs.
#[derive(Debug, Deserialize)]
pub struct CaseResult {
    pub name: String,
    pub latencies_ns: Vec<u64>,
    pub entity_probs: Option<Vec<f32>>,
    pub relation_probs: Option<Vec<f32>>,
}

impl CaseResult {
    pub fn outputs(&self) -> Option<Outputs> {
        Some(Outputs {
            entity_probs: self.entity_probs.clone()?,
            relation_probs: self.relation_probs.clone()?,
        })
    }
}

/// Runs every case in one Python process (one interpreter and one torch start-up for the lot).
pub fn run(
    python: &Path,
    script: &Path,
    checkpoint: &Path,
    spec: BackendSpec,
    budget: &Budget,
    cases: &[ScriptCase],
) -> Result<Response> {
    let dir = tempfile::tempdir()?;
    let (request_path, response_path) = (
        dir.path().join("request.json"),
        dir.path().join("response.json"),
    );
    let request = Request {
        checkpoint,
        threads: spec.threads,
        device: match spec.target {
            Target::Cpu => "cpu",
            Target::Cuda => "cuda",
        },
        warmup: budget.warmup,
        min_iterations: budget.min_iterations,
        max_iterations: budget.target_iterations,
        seconds: budget.max_seconds,
        cases,
    };
    std::fs::write(&request_path, serde_json::to_vec(&request)?)?;
    let status = Command::new(python)
        .arg(script)
        .arg("--request")
        .arg(&request_path)
        .arg("--response")
        .arg(&response_path)
        .status()
        .with_context(|| {
            format!(
                "cannot run {} (the PyTorch baseline needs the venv of `cargo xtask setup`, or RIN_PYTHON)",
                python.display()
            )
        })?;
    if !status.success() {
        bail!(
            "{} {} failed ({status})",
            python.display(),
            script.display()
        );
    }
    let text = std::fs::read(&response_path)
        .with_context(|| format!("{} wrote no response", script.display()))?;
    let response: Response = serde_json::from_slice(&text)
        .with_context(|| format!("{} wrote an unreadable response", script.display()))?;
    if response.cases.len() != cases.len() {
        bail!(
            "{} answered {} cases of {}",
            script.display(),
            response.cases.len(),
            cases.len()
        );
    }
    Ok(response)
}
