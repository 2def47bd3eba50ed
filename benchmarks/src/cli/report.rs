//! Report writers: results as JSON and CSV, the plots of a sweep, and its summary on stdout.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::backend::{Engine, Target};
use crate::cli::results::SweepReport;
use crate::plot;
use crate::sweep::Row;

/// Draws the plots of a sweep into `dir`.
pub(super) fn draw(dir: &Path, report: &SweepReport) -> Result<()> {
    plot::sweep_plots(dir, &report.plan, &report.rows, &report.machine.label)?;
    plot::stage_plot(&dir.join("stages.svg"), &report.e2e, &report.machine.label)
}

/// Writes `value` to `path` as pretty JSON (through a temporary file, renamed into place).
pub(super) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes the timing rows to `path` as CSV, one line per backend and case.
pub(super) fn write_csv(path: &Path, rows: &[Row]) -> Result<()> {
    let mut out = Vec::new();
    writeln!(
        out,
        "backend,k,batch,tokens,n,mean_ms,p50_ms,p90_ms,p99_ms,items_per_s,flops,floor_ms,floor_ratio,max_abs_diff_vs_ort"
    )?;
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    for r in rows {
        let s = &r.summary;
        writeln!(
            out,
            "{},{},{},{},{},{:.6},{:.6},{:.6},{},{:.3},{:.0},{},{},{}",
            r.backend,
            r.case.k,
            r.case.batch,
            r.case.tokens,
            s.n,
            s.mean_ms,
            s.p50_ms,
            s.p90_ms,
            opt(s.p99_ms),
            s.items_per_s,
            r.flops,
            opt(r.floor_ms),
            opt(r.floor_ratio),
            r.max_abs_diff_vs_ort
                .map(|d| format!("{d:e}"))
                .unwrap_or_default()
        )?;
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// The headline comparisons on stdout.
pub(super) fn print_summary(report: &SweepReport) {
    let find = |engine: Engine, threads: usize, k: usize, batch: usize, tokens: usize| {
        report.rows.iter().find(|r| {
            r.backend.engine == engine
                && r.backend.target == Target::Cpu
                && r.backend.threads == threads
                && r.case.k == k
                && r.case.batch == batch
                && r.case.tokens == tokens
        })
    };
    let (k, n) = (report.plan.k, report.plan.tokens);
    println!(
        "backend          case          p50 ms    p90 ms    items/s   floor x   |diff| vs ORT"
    );
    for r in &report.rows {
        println!(
            "{:<16} {:<12} {:>8.3} {:>9.3} {:>10.1} {:>8} {:>12}",
            r.backend.to_string(),
            r.case.name(),
            r.summary.p50_ms,
            r.summary.p90_ms,
            r.summary.items_per_s,
            r.floor_ratio.map(|x| format!("{x:.1}")).unwrap_or_default(),
            r.max_abs_diff_vs_ort
                .map(|d| format!("{d:.1e}"))
                .unwrap_or_default()
        );
    }
    for threads in [1, 2] {
        if let (Some(ort), Some(torch)) = (
            find(Engine::Ort, threads, k, 1, n),
            find(Engine::Pytorch, threads, k, 1, n),
        ) {
            println!(
                "ORT CPU vs PyTorch eager, {threads} thread(s), K={k}, batch 1, {n} tokens: p50 {:.3} ms vs {:.3} ms = {:.1}x",
                ort.summary.p50_ms,
                torch.summary.p50_ms,
                torch.summary.p50_ms / ort.summary.p50_ms
            );
        }
        if let Some(r) = find(Engine::Ort, threads, k, 32, n) {
            if let Some(ratio) = r.floor_ratio {
                println!("ORT CPU {threads} thread(s), batch 32: {ratio:.1}x the compute floor");
            }
        }
    }
    if let Some(fit) = &report.longest_in_1gib {
        println!(
            "longest sentence within {} MiB at batch 1, K={}: {} tokens",
            fit.limit_mib, fit.k, fit.tokens
        );
    }
}
