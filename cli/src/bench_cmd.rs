//! `rin bench`: arguments to a [`rin_runtime::bench::Plan`], a progress bar over the cases, a
//! table on stdout and the report files.

use std::io::Write;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use rin_runtime::bench::report::{self, Report};
use rin_runtime::bench::timing::Budget;
use rin_runtime::bench::workload::Corpus;
use rin_runtime::bench::{self, BenchDevice, Inputs, Mode, Plan, Target};

use crate::cli::{BenchArgs, BenchDeviceArg, BenchModeArg};
use crate::model_options::{ks_of, progress_bar};

/// Runs `rin bench`.
pub fn bench(args: BenchArgs) -> Result<ExitCode> {
    let plan = plan(&args)?;
    let inputs = match &args.data {
        Some(data) => {
            let (dir, split) = if data.is_file() {
                let split = data
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .context("--data: the file name is not UTF-8")?;
                (data.parent().unwrap_or(data.as_path()), split.to_owned())
            } else {
                (data.as_path(), args.split.clone())
            };
            Inputs::Corpus(
                Corpus::load(dir, &split)
                    .with_context(|| format!("cannot read --data {}", data.display()))?,
            )
        }
        None => Inputs::Synthetic { seed: args.seed },
    };
    let target = Target {
        model: rin_runtime::Model::open(&args.model)?,
        library: args.ort_dylib.clone(),
        plugin_dir: args.plugin_dir.clone(),
    };
    let precision = target.model.default_precision();
    let k = target
        .model
        .default_k(precision)
        .unwrap_or(target.model.trained_k());
    let total = plan.cases(k, precision).len();
    let bar = progress_bar(
        total as u64,
        "{bar:40} {pos}/{len} {msg} {elapsed} ETA {eta}",
    );
    let rows = bench::run(&target, &plan, &inputs, |case| {
        bar.set_message(case.label());
        if bar.is_hidden() {
            tracing::info!("timing {}", case.label());
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let library = rin_runtime::session::runtime_library().map(|p| p.display().to_string());
    let report = Report {
        model: args.model.display().to_string(),
        inputs: inputs.describe(),
        library,
        gpu: plan
            .devices
            .contains(&BenchDevice::Cuda)
            .then(gpu_name)
            .flatten(),
        rows,
    };
    report::write_all(&args.out, &report)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<40} {:>9} {:>9} {:>9} {:>12}",
        "case", "p50 ms", "p90 ms", "p99 ms", "sentences/s"
    )?;
    for r in &report.rows {
        let p99 = r
            .summary
            .p99_ms
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
        writeln!(
            out,
            "{:<40} {:>9.3} {:>9.3} {:>9} {:>12.1}",
            r.case.label(),
            r.summary.p50_ms,
            r.summary.p90_ms,
            p99,
            r.summary.items_per_s
        )?;
    }
    writeln!(out, "wrote {}", args.out.display())?;
    if report.rows.iter().any(|r| r.graph_agrees == Some(false)) {
        bail!("end-to-end triples differ from the graph's own output in at least one case (graph_agrees: false in results.json)");
    }
    Ok(ExitCode::SUCCESS)
}

fn plan(args: &BenchArgs) -> Result<Plan> {
    let ks = ks_of(&args.k, "--k")?;
    if let Some(0) = args.batch.iter().copied().min() {
        bail!("--batch: batch sizes start at 1");
    }
    if let Some(0) = args.tokens.iter().copied().min() {
        bail!("--tokens: lengths start at 1");
    }
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        bail!("--seconds must be a positive number, not {}", args.seconds);
    }
    let budget = if args.quick {
        Budget::QUICK
    } else {
        Budget {
            warmup: 10,
            target_iterations: args.iterations.max(1),
            max_seconds: args.seconds,
            min_iterations: 20.min(args.iterations.max(1)),
        }
    };
    let mut devices: Vec<BenchDevice> = args
        .device
        .iter()
        .map(|d| match d {
            BenchDeviceArg::Cpu => BenchDevice::Cpu,
            BenchDeviceArg::Cuda => BenchDevice::Cuda,
        })
        .collect();
    devices.dedup();
    Ok(Plan {
        modes: args
            .mode
            .iter()
            .map(|m| match m {
                BenchModeArg::Graph => Mode::Graph,
                BenchModeArg::Bound => Mode::Bound,
                BenchModeArg::EndToEnd => Mode::EndToEnd,
            })
            .collect(),
        devices,
        threads: args.threads.iter().map(|&t| (t > 0).then_some(t)).collect(),
        ks,
        precisions: args.precision.iter().map(|&p| p.into()).collect(),
        batches: args.batch.clone(),
        lengths: args.tokens.clone(),
        budget,
    })
}

/// The GPU's name and driver, as `nvidia-smi` prints them; `None` without it.
fn gpu_name() -> Option<String> {
    let out = Command::new("nvidia-smi")
        .args([
            "--query-gpu=name,driver_version,memory.total",
            "--format=csv,noheader",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}
