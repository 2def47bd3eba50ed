//! `rin bench`'s outputs: `results.json` (what ran, on what, and every row), `latency.csv` (one
//! line per case) and two SVG plots against the batch size (p50 latency, throughput).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::Row;
use crate::error::{Error, Result};

/// What a results file holds besides the rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The model folder.
    pub model: String,
    /// Where the inputs came from.
    pub inputs: String,
    /// The ONNX Runtime library that ran the cases.
    pub library: Option<String>,
    /// The GPU (from `nvidia-smi`), when a case ran on CUDA and it could be read.
    pub gpu: Option<String>,
    /// One row per case.
    pub rows: Vec<Row>,
}

/// The CSV header; [`write_csv`] writes the fields in this order.
pub const CSV_HEADER: &str = "mode,device,provider,threads,k,batch,tokens,n,mean_ms,p50_ms,p90_ms,p99_ms,min_ms,max_ms,items_per_s,triples,graph_agrees,precision";

/// Writes `results.json`, `latency.csv`, `latency.svg` and `throughput.svg` into `dir`.
pub fn write_all(dir: &Path, report: &Report) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(Error::Write)?;
    let json = serde_json::to_string_pretty(report).map_err(|e| Error::Write(e.into()))?;
    std::fs::write(dir.join("results.json"), json + "\n").map_err(Error::Write)?;
    let mut csv = std::io::BufWriter::new(
        std::fs::File::create(dir.join("latency.csv")).map_err(Error::Write)?,
    );
    write_csv(&mut csv, &report.rows).map_err(Error::Write)?;
    csv.flush().map_err(Error::Write)?;
    plot(
        &dir.join("latency.svg"),
        "p50 latency per call (ms)",
        &report.rows,
        |r| r.summary.p50_ms,
    )?;
    plot(
        &dir.join("throughput.svg"),
        "sentences per second",
        &report.rows,
        |r| r.summary.items_per_s,
    )
}

/// One CSV line per row under [`CSV_HEADER`]; empty fields for what a row lacks.
pub fn write_csv(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    writeln!(out, "{CSV_HEADER}")?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in rows {
        let c = &r.case;
        let s = &r.summary;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{:.4},{:.4},{:.4},{},{:.4},{:.4},{:.1},{},{},{}",
            c.mode.name(),
            c.device.name(),
            r.provider,
            opt(c.threads.map(|t| t.to_string())),
            c.k,
            c.batch,
            c.tokens,
            s.n,
            s.mean_ms,
            s.p50_ms,
            s.p90_ms,
            opt(s.p99_ms.map(|v| format!("{v:.4}"))),
            s.min_ms,
            s.max_ms,
            s.items_per_s,
            opt(r.triples.map(|t| t.to_string())),
            opt(r.graph_agrees.map(|a| a.to_string())),
            c.precision,
        )?;
    }
    Ok(())
}

/// One line per (mode, device, threads, K, tokens) against the batch size, log-log.
fn plot(path: &Path, y_label: &str, rows: &[Row], value: impl Fn(&Row) -> f64) -> Result<()> {
    let mut series: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in rows {
        let c = &r.case;
        let threads = c
            .threads
            .map_or_else(|| "default".to_owned(), |t| t.to_string());
        let name = format!(
            "{} {} t{threads} K={} {} n={}",
            c.mode.name(),
            c.device.name(),
            c.k,
            c.precision,
            c.tokens
        );
        series
            .entry(name)
            .or_default()
            .push((c.batch as f64, value(r)));
    }
    let points = || series.values().flatten();
    let (x_max, y_min, y_max) = points().fold((1.0f64, f64::MAX, 0.0f64), |(x, lo, hi), p| {
        (x.max(p.0), lo.min(p.1), hi.max(p.1))
    });
    let y_min = if y_min.is_finite() && y_min > 0.0 {
        y_min / 1.5
    } else {
        1e-3
    };
    let plot_error = |e: &dyn std::fmt::Display| {
        Error::Write(std::io::Error::other(format!(
            "cannot draw {}: {e}",
            path.display()
        )))
    };
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(y_label, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (0.8..x_max * 1.25).log_scale(),
            (y_min..(y_max * 1.5).max(y_min * 2.0)).log_scale(),
        )
        .map_err(|e| plot_error(&e))?;
    chart
        .configure_mesh()
        .x_desc("batch size")
        .y_desc(y_label)
        .draw()
        .map_err(|e| plot_error(&e))?;
    for (i, (name, mut points)) in series.into_iter().enumerate() {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(|e| plot_error(&e))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, color.filled())),
            )
            .map_err(|e| plot_error(&e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| plot_error(&e))?;
    root.present().map_err(|e| plot_error(&e))
}
