//! `rin-bench tradeoff`: dev F1 and latency at each K of one or more checkpoints.

use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::cli::args::TradeoffArgs;
use crate::cli::checkpoint::export;
use crate::cli::report::write_json;
use crate::plot;
use crate::timing::Budget;
use crate::tradeoff::{self, TradeoffPoint};
use crate::workload::Corpus;

/// `rin-bench tradeoff`.
pub(super) fn run(args: TradeoffArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let relations = rin_core::dataset::load_relations(&args.data)?;
    let path = args.data.join(format!("{}.json", args.split));
    let dev = rin_core::load_file(&path, rin_core::DataFormat::detect(&path)?, &relations)
        .with_context(|| format!("cannot load {}", path.display()))?;
    let corpus = Corpus::load(&args.data, &args.split)?;
    let budget = if args.quick {
        Budget::QUICK
    } else {
        Budget {
            max_seconds: 3.0,
            ..Budget::FULL
        }
    };
    let ks: Vec<usize> = (0..=args.max_k).collect();
    let mut points: Vec<TradeoffPoint> = Vec::new();
    for spec in &args.checkpoints {
        let Some((label, dir)) = spec.split_once('=') else {
            bail!("--checkpoint {spec:?}: expected LABEL=CHECKPOINT_DIR");
        };
        let onnx = tempfile::tempdir()?;
        export(Path::new(dir), onnx.path(), ks.clone())?;
        tracing::info!(label, "evaluating every K");
        points.extend(tradeoff::run(
            label,
            Path::new(dir),
            onnx.path(),
            &dev,
            &corpus,
            &ks,
            args.tokens,
            &budget,
        )?);
    }
    println!("checkpoint (epoch)             K   dev F1   p50 ms");
    for p in &points {
        println!(
            "{:<30} {:>2} {:>8.2} {:>8.3}",
            format!("{} ({}/{})", p.label, p.epoch, p.planned_epochs),
            p.k,
            p.dev_f1,
            p.latency.p50_ms
        );
    }
    write_json(&args.out.join("tradeoff.json"), &points)?;
    let data = format!(
        "{} {}",
        args.data
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        args.split
    );
    plot::tradeoff_plot(&args.out.join("tradeoff.svg"), &points, &data)
}
