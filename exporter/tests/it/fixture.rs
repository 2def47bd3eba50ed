//! The committed tiny checkpoint (`tests/data/tiny/`) is what `FixtureSpec::tiny(7)` generates.
//! Regenerate with `RIN_BLESS=1 cargo test -p rin-exporter --test it fixture`.

use std::path::Path;

use rin_exporter::fixture::{write_checkpoint, FixtureSpec};
use rin_exporter::{export, ExportOptions};

use crate::util::read_model;

fn committed() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny")
}

#[test]
fn committed_tiny_checkpoint_is_current() {
    let fresh = tempfile::tempdir().unwrap();
    write_checkpoint(fresh.path(), &FixtureSpec::tiny(7)).unwrap();
    if std::env::var_os("RIN_BLESS").is_some() {
        write_checkpoint(&committed(), &FixtureSpec::tiny(7)).unwrap();
    }
    let stale =
        "tests/data/tiny is stale: run `RIN_BLESS=1 cargo test -p rin-exporter --test it fixture`";
    let read = |dir: &Path, f: &str| std::fs::read(dir.join(f)).unwrap_or_default();
    assert!(
        read(fresh.path(), "model.safetensors") == read(&committed(), "model.safetensors"),
        "{stale}"
    );
    // Compare JSON as values: key order may differ with serde_json features.
    let json = |dir: &Path| {
        serde_json::from_slice::<serde_json::Value>(&read(dir, "checkpoint.json")).ok()
    };
    assert!(json(fresh.path()) == json(&committed()), "{stale}");
}

#[test]
fn committed_tiny_checkpoint_exports() {
    let out = tempfile::tempdir().unwrap();
    let report = export(
        &committed(),
        out.path(),
        &ExportOptions {
            ks: vec![0, 2],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(report.manifest.manifest.exported_k, vec![0, 2]);
    assert_eq!(read_model(out.path(), 2).graph.unwrap().name(), "rin_k2");
}
