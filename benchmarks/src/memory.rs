//! Peak resident memory per configuration, measured by `rin-memory-probe` (a separate binary that
//! links rin-runtime but not libtorch, so the figure is what `rin` itself needs), and the longest
//! sentence that fits in a memory budget.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// The probe's name; it is built into the same folder as `rin-bench`.
pub const PROBE: &str = "rin-memory-probe";

/// The probe next to the running binary, if it was built.
pub fn find_probe() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    // Test binaries live in target/<profile>/deps.
    [dir.join(PROBE), dir.parent()?.join(PROBE)]
        .into_iter()
        .find(|p| p.is_file())
}

/// One probe run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemoryRow {
    pub k: usize,
    pub batch: usize,
    pub tokens: usize,
    pub threads: usize,
    /// Before ONNX Runtime is loaded.
    pub start_rss_mib: f64,
    /// After the session is built.
    pub loaded_rss_mib: f64,
    /// The process's peak.
    pub peak_rss_mib: f64,
}

#[derive(Deserialize)]
struct ProbeReport {
    start_rss_mib: f64,
    loaded_rss_mib: f64,
    peak_rss_mib: f64,
}

/// Runs the probe once.
pub fn probe(
    probe: &Path,
    model_dir: &Path,
    k: usize,
    batch: usize,
    tokens: usize,
    threads: usize,
) -> Result<MemoryRow> {
    let output = Command::new(probe)
        .args(["--model".as_ref(), model_dir.as_os_str()])
        .args(["--k", &k.to_string()])
        .args(["--batch", &batch.to_string()])
        .args(["--tokens", &tokens.to_string()])
        .args(["--threads", &threads.to_string()])
        .output()
        .with_context(|| format!("cannot run {}", probe.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}): {}",
            probe.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let report: ProbeReport = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("{} printed no report", probe.display()))?;
    Ok(MemoryRow {
        k,
        batch,
        tokens,
        threads,
        start_rss_mib: report.start_rss_mib,
        loaded_rss_mib: report.loaded_rss_mib,
        peak_rss_mib: report.peak_rss_mib,
    })
}

/// The longest sentence (to within `step` tokens) whose batch-1 run peaks at or under
/// `limit_mib`: doubling from `start`, then bisection. Returns it and every probe made.
pub fn longest_within(
    probe_bin: &Path,
    model_dir: &Path,
    k: usize,
    limit_mib: f64,
    start: usize,
    step: usize,
) -> Result<(usize, Vec<MemoryRow>)> {
    let mut rows = Vec::new();
    let fits = |n: usize, rows: &mut Vec<MemoryRow>| -> Result<bool> {
        let row = probe(probe_bin, model_dir, k, 1, n, 1)?;
        let ok = row.peak_rss_mib <= limit_mib;
        rows.push(row);
        Ok(ok)
    };
    let (mut good, mut bad) = (0, start.max(1));
    while fits(bad, &mut rows)? {
        good = bad;
        bad *= 2;
    }
    while bad - good > step.max(1) {
        let mid = (good + bad) / 2;
        if fits(mid, &mut rows)? {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Ok((good, rows))
}
