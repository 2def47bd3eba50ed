//! Writes a seeded random checkpoint and exports it: `cargo run -p rin-exporter --example
//! fixture_export -- OUT_DIR [SEED] [--no-pos]`. Handy for trying the runtime without a trained
//! model; the checkpoint lands in `OUT_DIR/ckpt`, the export in `OUT_DIR/onnx` (K = 0..=4).

use std::path::PathBuf;

use rin_exporter::fixture::{write_checkpoint, FixtureSpec};
use rin_exporter::{export, ExportOptions};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(args.first().map(String::as_str).unwrap_or("fixture-export"));
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(7);
    let mut spec = FixtureSpec::tiny(seed);
    if args.iter().any(|a| a == "--no-pos") {
        spec = spec.without_pos();
    }
    write_checkpoint(&out.join("ckpt"), &spec)?;
    let options = ExportOptions {
        ks: (0..=4).collect(),
        ..Default::default()
    };
    let report = export(&out.join("ckpt"), &out.join("onnx"), &options)?;
    for f in &report.manifest.files {
        println!("{} {} {}", f.path, f.bytes, f.sha256);
    }
    Ok(())
}
