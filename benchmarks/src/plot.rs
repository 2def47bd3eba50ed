//! SVG plots (plotters): latency against batch size, K and sentence length (p50 line, p90–p99
//! band), throughput against batch size with the compute floor, the end-to-end stage breakdown,
//! and F1 against latency per K.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use crate::e2e::{E2eRow, STAGES};
use crate::sweep::{Plan, Row};
use crate::tradeoff::TradeoffPoint;

const SIZE: (u32, u32) = (900, 560);

/// One line: `(x, y, band low, band high)` points.
struct Series {
    name: String,
    points: Vec<(f64, f64, f64, f64)>,
    dashed: bool,
}

#[derive(Clone, Copy)]
enum XAxis {
    Linear,
    /// Plotted as log2 x, labelled with x.
    Log2,
}

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("plotting: {e}")
}

fn line_plot(
    path: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_axis: XAxis,
    series: &[Series],
    legend: SeriesLabelPosition,
) -> Result<()> {
    let series: Vec<&Series> = series.iter().filter(|s| !s.points.is_empty()).collect();
    if series.is_empty() {
        return Ok(());
    }
    let fx = |x: f64| match x_axis {
        XAxis::Linear => x,
        XAxis::Log2 => x.log2(),
    };
    let all = series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y, lo, hi) in all {
        x0 = x0.min(fx(x));
        x1 = x1.max(fx(x));
        y0 = y0.min(y).min(lo);
        y1 = y1.max(y).max(hi);
    }
    if x0 == x1 {
        x1 = x0 + 1.0;
    }
    let (y0, y1) = (y0.max(1e-6) / 1.3, y1.max(1e-6) * 1.3);
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|x| match x_axis {
            XAxis::Linear => format!("{x}"),
            XAxis::Log2 => format!("{}", 2f64.powf(*x).round()),
        })
        .draw()
        .map_err(err)?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let band: Vec<(f64, f64)> = s
            .points
            .iter()
            .map(|p| (fx(p.0), p.2))
            .chain(s.points.iter().rev().map(|p| (fx(p.0), p.3)))
            .collect();
        if s.points.iter().any(|p| p.3 > p.2) {
            chart
                .draw_series(std::iter::once(Polygon::new(band, color.mix(0.15))))
                .map_err(err)?;
        }
        let line: Vec<(f64, f64)> = s.points.iter().map(|p| (fx(p.0), p.1)).collect();
        let style = color.stroke_width(2);
        let drawn = if s.dashed {
            chart
                .draw_series(DashedLineSeries::new(line.clone(), 6, 4, style))
                .map_err(err)?
        } else {
            chart
                .draw_series(LineSeries::new(line.clone(), style))
                .map_err(err)?
        };
        drawn.label(s.name.clone()).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
        });
        chart
            .draw_series(line.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// The rows of each backend that `keep` selects, as one series each: `(x, p50, p90, p99 or p90)`.
fn latency_series(rows: &[Row], keep: impl Fn(&Row) -> Option<f64>) -> Vec<Series> {
    let mut by_backend: BTreeMap<String, Vec<(f64, f64, f64, f64)>> = BTreeMap::new();
    for row in rows {
        if let Some(x) = keep(row) {
            let s = &row.summary;
            by_backend
                .entry(row.backend.to_string())
                .or_default()
                .push((x, s.p50_ms, s.p90_ms, s.band_top_ms()));
        }
    }
    by_backend
        .into_iter()
        .map(|(name, mut points)| {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                name,
                points,
                dashed: false,
            }
        })
        .collect()
}

/// Every plot of a sweep into `dir`.
pub fn sweep_plots(dir: &Path, plan: &Plan, rows: &[Row], label: &str) -> Result<()> {
    let (k, n) = (plan.k, plan.tokens);
    line_plot(
        &dir.join("latency_vs_batch.svg"),
        &format!("Latency vs batch size (K={k}, {n} tokens; p50, band p90-p99) - {label}"),
        "batch size",
        "ms per batch",
        XAxis::Log2,
        &latency_series(rows, |r| {
            (r.case.k == k && r.case.tokens == n).then_some(r.case.batch as f64)
        }),
        SeriesLabelPosition::UpperLeft,
    )?;
    line_plot(
        &dir.join("latency_vs_k.svg"),
        &format!("Latency vs K (batch 1, {n} tokens; p50, band p90-p99) - {label}"),
        "interaction layers K",
        "ms",
        XAxis::Linear,
        &latency_series(rows, |r| {
            (r.case.batch == 1 && r.case.tokens == n).then_some(r.case.k as f64)
        }),
        SeriesLabelPosition::UpperLeft,
    )?;
    line_plot(
        &dir.join("latency_vs_length.svg"),
        &format!("Latency vs sentence length (K={k}, batch 1; p50, band p90-p99) - {label}"),
        "tokens per sentence",
        "ms",
        XAxis::Linear,
        &latency_series(rows, |r| {
            (r.case.batch == 1 && r.case.k == k).then_some(r.case.tokens as f64)
        }),
        SeriesLabelPosition::UpperLeft,
    )?;
    // Throughput, with the floor of each thread count as a dashed line.
    let mut series: Vec<Series> = latency_series(rows, |r| {
        (r.case.k == k && r.case.tokens == n).then_some(r.case.batch as f64)
    })
    .into_iter()
    .map(|s| Series {
        points: s
            .points
            .iter()
            .map(|&(b, _, _, _)| {
                let row = rows
                    .iter()
                    .find(|r| {
                        r.backend.to_string() == s.name
                            && r.case.k == k
                            && r.case.tokens == n
                            && r.case.batch as f64 == b
                    })
                    .expect("the point came from a row");
                let t = row.summary.items_per_s;
                (b, t, t, t)
            })
            .collect(),
        ..s
    })
    .collect();
    let mut floors: BTreeMap<usize, Vec<(f64, f64, f64, f64)>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.case.k == k && r.case.tokens == n) {
        if let Some(floor_ms) = r.floor_ms {
            let t = r.case.batch as f64 * 1e3 / floor_ms;
            let points = floors.entry(r.backend.threads).or_default();
            if !points.iter().any(|p| p.0 == r.case.batch as f64) {
                points.push((r.case.batch as f64, t, t, t));
            }
        }
    }
    for (threads, mut points) in floors {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        series.push(Series {
            name: format!("compute floor, {threads} thread(s)"),
            points,
            dashed: true,
        });
    }
    line_plot(
        &dir.join("throughput_vs_batch.svg"),
        &format!("Throughput vs batch size (K={k}, {n} tokens) - {label}"),
        "batch size",
        "sentences per second",
        XAxis::Log2,
        &series,
        SeriesLabelPosition::LowerLeft,
    )
}

/// Stacked horizontal bars: mean milliseconds per stage for each end-to-end configuration.
pub fn stage_plot(path: &Path, rows: &[E2eRow], label: &str) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // Per sentence, so that batch sizes share an axis.
    let per_sentence: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.stage_mean_ms.iter().map(|t| t / r.batch as f64).collect())
        .collect();
    let total = per_sentence
        .iter()
        .map(|s| s.iter().sum::<f64>())
        .fold(0.0, f64::max)
        .max(1e-6);
    let root = SVGBackend::new(path, (SIZE.0, 120 + 60 * rows.len() as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("End-to-end time per sentence by stage - {label}"),
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(10)
        .build_cartesian_2d(0.0..total * 1.25, 0.0..rows.len() as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("ms per sentence")
        .disable_y_axis()
        .disable_y_mesh()
        .draw()
        .map_err(err)?;
    // Each bar's name above it, inside the plot (tick labels would not land on the bars).
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            Text::new(
                format!(
                    "{} thread(s), batch {}, {} tokens: {:.3} ms per sentence",
                    r.threads,
                    r.batch,
                    r.tokens,
                    per_sentence[i].iter().sum::<f64>()
                ),
                (0.0, i as f64 + 0.95),
                ("sans-serif", 13),
            )
        }))
        .map_err(err)?;
    for (stage, name) in STAGES.iter().enumerate() {
        let color = Palette99::pick(stage).to_rgba();
        let bars: Vec<Rectangle<(f64, f64)>> = per_sentence
            .iter()
            .enumerate()
            .map(|(i, times)| {
                let start: f64 = times[..stage].iter().sum();
                let y = i as f64;
                Rectangle::new(
                    [(start, y + 0.1), (start + times[stage], y + 0.65)],
                    color.filled(),
                )
            })
            .collect();
        chart
            .draw_series(bars)
            .map_err(err)?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// Dev F1 against p50 latency, one line per checkpoint, one point per K.
pub fn tradeoff_plot(path: &Path, points: &[TradeoffPoint], data: &str) -> Result<()> {
    if points.is_empty() {
        return Ok(());
    }
    let (mut x1, mut y0, mut y1) = (0.0f64, 100.0f64, 0.0f64);
    for p in points {
        x1 = x1.max(p.latency.p50_ms);
        y0 = y0.min(p.dev_f1);
        y1 = y1.max(p.dev_f1);
    }
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Dev F1 vs latency per K ({data}; ORT CPU, 1 thread, batch 1)"),
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x1 * 1.15, (y0 - 5.0).max(0.0)..(y1 + 5.0).min(100.0))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(format!("p50 ms ({} tokens)", points[0].tokens))
        .y_desc("dev triple F1 (%)")
        .draw()
        .map_err(err)?;
    let mut labels: Vec<&str> = points.iter().map(|p| p.label.as_str()).collect();
    labels.dedup();
    for (i, label) in labels.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let line: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.label == *label)
            .map(|p| (p.latency.p50_ms, p.dev_f1))
            .collect();
        chart
            .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
            .map_err(err)?
            .label(label.to_string())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(points.iter().filter(|p| p.label == *label).map(|p| {
                EmptyElement::at((p.latency.p50_ms, p.dev_f1))
                    + Circle::new((0, 0), 4, color.filled())
                    + Text::new(format!("K={}", p.k), (6, -14), ("sans-serif", 13))
            }))
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}
