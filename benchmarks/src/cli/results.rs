//! What `rin-bench sweep` measured, as results.json holds it (and `rin-bench plot` reads it).

use serde::{Deserialize, Serialize};

use crate::e2e::E2eRow;
use crate::floor::GemmRate;
use crate::memory::MemoryRow;
use crate::sweep::{Plan, Row};
use crate::timing::Budget;

/// The machine, for the record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub label: String,
    pub cpu: String,
    pub cores: usize,
    pub os: String,
}

impl Machine {
    /// This machine, named `label`.
    pub(super) fn detect(label: &str) -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".into());
        let os = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| format!("Linux {}", s.trim()))
            .unwrap_or_else(|_| std::env::consts::OS.into());
        Machine {
            label: label.to_owned(),
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os,
        }
    }
}

/// The longest sentence that fits in the memory budget at batch 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LongestFit {
    pub limit_mib: f64,
    pub k: usize,
    pub tokens: usize,
    pub probes: Vec<MemoryRow>,
}

/// Everything a sweep measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepReport {
    pub machine: Machine,
    pub rin_version: String,
    pub onnxruntime_library: Option<String>,
    pub torch_version: Option<String>,
    /// ONNX Runtime's graph optimisation level (rin-runtime's session settings).
    pub ort_optimization: String,
    pub checkpoint: String,
    pub relations: usize,
    pub data: String,
    pub quick: bool,
    pub budget: Budget,
    pub plan: Plan,
    pub gemm: Vec<GemmRate>,
    pub rows: Vec<Row>,
    pub e2e: Vec<E2eRow>,
    pub memory: Vec<MemoryRow>,
    pub longest_in_1gib: Option<LongestFit>,
}
