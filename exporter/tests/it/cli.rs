//! `rin-export` as a user runs it.

use std::process::Command;

use crate::util::Fixture;

fn rin_export() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rin-export"))
}

#[test]
fn exports_a_k_range_and_prints_a_summary() {
    let fixture = Fixture::tiny();
    let out = rin_export()
        .arg(fixture.ckpt())
        .arg("-o")
        .arg(fixture.out())
        .args(["--k", "0..=1", "--k", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("exported K = 0, 1, 3 (trained K = 2)"),
        "{stdout}"
    );
    for file in [
        "model_k0.onnx",
        "model_k1.onnx",
        "model_k3.onnx",
        "weights.bin",
        "manifest.json",
    ] {
        assert!(fixture.out().join(file).is_file(), "{file}");
    }
}

#[test]
fn json_output_is_the_manifest() {
    let fixture = Fixture::tiny();
    let out = rin_export()
        .arg(fixture.ckpt())
        .arg("--out")
        .arg(fixture.out())
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let written: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.out().join("manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, written);
}

#[test]
fn bad_input_fails_with_a_message() {
    let fixture = Fixture::tiny();
    std::fs::remove_file(fixture.ckpt().join("model.safetensors")).unwrap();
    let out = rin_export()
        .arg(fixture.ckpt())
        .arg("-o")
        .arg(fixture.out())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: cannot export"), "{stderr}");
    assert!(stderr.contains("missing checkpoint weights"), "{stderr}");

    let out = rin_export()
        .arg(fixture.ckpt())
        .arg("-o")
        .arg(fixture.out())
        .args(["--k", "0..=99"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap rejects it");
    assert!(String::from_utf8_lossy(&out.stderr).contains("out of range"));
}
