//! The committed prost output (`src/pb/onnx.rs`) must match what the vendored `proto/onnx.proto`
//! generates. Regenerate with `RIN_BLESS=1 cargo test -p rin-exporter --test it codegen`.

use std::path::Path;

const HEADER: &str =
    "// @generated from proto/onnx.proto (onnx 1.23.2) by protox + prost-build; do not edit.\n\
// Regenerate: RIN_BLESS=1 cargo test -p rin-exporter --test it codegen\n\n";

fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fds = protox::compile(["onnx.proto"], [root.join("proto")]).expect("compile onnx.proto");
    let out = tempfile::tempdir().unwrap();
    prost_build::Config::new()
        .out_dir(out.path())
        .compile_fds(fds)
        .expect("prost-build");
    let body = std::fs::read_to_string(out.path().join("onnx.rs")).unwrap();
    format!("{HEADER}{body}")
}

#[test]
fn committed_prost_output_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pb/onnx.rs");
    let fresh = generate();
    if std::env::var_os("RIN_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `RIN_BLESS=1 cargo test -p rin-exporter --test it codegen`",
        path.display()
    );
}
