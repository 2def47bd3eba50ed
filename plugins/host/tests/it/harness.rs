//! Builds the plugins the tests load, once per test run, into `target/plugin-tests` (a target
//! directory of its own, so the nested cargo never waits on the outer build's lock), and finds
//! the libraries from cargo's JSON messages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The plugins of rin's workspace that the tests load.
const SHIPPED: &[&str] = &[
    "rin-plugin-whitespace",
    "rin-plugin-english",
    "rin-plugin-perceptron",
    "rin-plugin-brill",
    "rin-plugin-none",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// `<target>/plugin-tests`, found from this test executable (`<target>/debug/deps/it-*`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("test executable inside a cargo target directory");
    target.join("plugin-tests")
}

/// Runs `cargo build` on `manifest` and returns each cdylib's crate name and file.
fn cargo_build(manifest: &Path, args: &[&str]) -> Vec<(String, PathBuf)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .arg("build")
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir())
        .args(args)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "building plugins from {} failed:\n{}",
        manifest.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut libs = Vec::new();
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let is_cdylib = msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
        if !is_cdylib {
            continue;
        }
        let name = msg["target"]["name"]
            .as_str()
            .expect("target name")
            .to_owned();
        for file in msg["filenames"].as_array().into_iter().flatten() {
            let file = file.as_str().expect("file name");
            if file.ends_with(std::env::consts::DLL_SUFFIX) {
                libs.push((name.clone(), PathBuf::from(file)));
            }
        }
    }
    libs
}

fn built() -> &'static BTreeMap<String, PathBuf> {
    static BUILT: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = repo_root();
        let mut args = vec!["--lib"];
        for p in SHIPPED {
            args.extend(["-p", p]);
        }
        let mut libs = cargo_build(&root.join("Cargo.toml"), &args);
        libs.extend(cargo_build(
            &root.join("plugins/host/tests/fixtures/Cargo.toml"),
            &["--workspace"],
        ));
        libs.extend(cargo_build(
            &root.join("plugins/template/Cargo.toml"),
            &["--lib"],
        ));
        libs.into_iter().collect()
    })
}

/// The library of the crate named `name` (`rin_plugin_english`, `rin_plugin_faulty`, ...).
pub fn lib(name: &str) -> PathBuf {
    let crate_name = format!("rin_plugin_{}", name.replace('-', "_"));
    built()
        .get(&crate_name)
        .unwrap_or_else(|| panic!("{crate_name} was not built"))
        .clone()
}

/// The directory the libraries were built into.
pub fn plugin_dir() -> PathBuf {
    lib("whitespace")
        .parent()
        .expect("library directory")
        .to_owned()
}
