//! `cargo xtask python`: the `rin` Python package (python/), installed into the venv
//! (`maturin develop`) or built as a wheel (`maturin build --release`), and its pytest suite.
//!
//! maturin builds the extension module; the plugins the package ships are cdylibs of other crates,
//! so they are built here and copied into `python/rin/plugins` first, where the package looks for
//! them and from where the wheel takes them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use clap::Args;

use crate::command::{cargo, run_in, status, with_env};
use crate::setup::{self, Environment, SetupArgs};

/// The plugins shipped in the package: the defaults (`english` tokenizer and segmenter,
/// `perceptron` tagger) and the other taggers and tokenizers models may name.
const SHIPPED_PLUGINS: &[&str] = &["english", "perceptron", "brill", "whitespace", "none"];

/// Options of `cargo xtask python`.
#[derive(Args)]
pub struct PythonArgs {
    /// Build a wheel into target/wheels (release) instead of installing into the venv.
    #[arg(long)]
    pub wheel: bool,
    /// Install a release build (the default is a debug build, like `cargo build`).
    #[arg(long)]
    pub release: bool,
    /// Then run the Python tests (pytest python/tests).
    #[arg(long)]
    pub test: bool,
}

/// Builds the package as asked, then tests it if asked.
pub fn run(options: &PythonArgs) -> Result<()> {
    let env = setup::ensure(&SetupArgs::default())?;
    if options.wheel {
        let wheels = build_wheel(&env)?;
        eprintln!("wheel in {}", wheels.display());
    } else {
        develop(&env, options.release)?;
    }
    if options.test {
        test(&env, options.release || options.wheel)?;
    }
    Ok(())
}

/// `maturin develop`: the package, editable, in the venv, with the plugins of the same profile.
pub fn develop(env: &Environment, release: bool) -> Result<()> {
    prepare_plugins(env, release)?;
    let mut develop = vec!["develop".to_owned()];
    if release {
        develop.push("--release".to_owned());
    }
    status(maturin(env, &develop))
}

/// `maturin build --release` into target/wheels; returns that folder.
pub fn build_wheel(env: &Environment) -> Result<PathBuf> {
    prepare_plugins(env, true)?;
    let out = std::path::absolute(Path::new("target").join("wheels"))?;
    let build = ["build", "--release", "--out"].map(str::to_owned);
    let mut command = maturin(env, &build);
    command.arg(&out);
    status(command)?;
    Ok(out)
}

/// pytest on python/tests, comparing with the `rin` binary of the same profile.
pub fn test(env: &Environment, release: bool) -> Result<()> {
    let cli = std::path::absolute(target_dir(release).join("rin"))?;
    let mut pytest = with_env(env, &env.venv_bin("python").display().to_string(), &[]);
    pytest
        .args(["-m", "pytest", "-q", "python/tests"])
        .env("RIN_CLI", cli);
    status(pytest)
}

fn prepare_plugins(env: &Environment, release: bool) -> Result<()> {
    let mut build = vec!["build".to_owned()];
    if release {
        build.push("--release".to_owned());
    }
    // The rin binary too: the Python tests compare with it.
    build.extend(["-p", "rin-runtime"].map(str::to_owned));
    for name in SHIPPED_PLUGINS {
        build.extend(["-p".to_owned(), format!("rin-plugin-{name}")]);
    }
    run_in(env, &cargo(), &build)?;
    let package_dir = Path::new("python").join("rin").join("plugins");
    if package_dir.exists() {
        std::fs::remove_dir_all(&package_dir)
            .with_context(|| format!("cannot empty {}", package_dir.display()))?;
    }
    std::fs::create_dir_all(&package_dir)?;
    for name in SHIPPED_PLUGINS {
        let file = format!(
            "{}rin_plugin_{name}{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        );
        let from = target_dir(release).join(&file);
        let to = package_dir.join(&file);
        std::fs::copy(&from, &to)
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
        // Debug information is most of a plugin's size (7.3 MB of perceptron's, release); the
        // package does without it. Without `strip` (not Linux), the copy stays as built.
        let stripped = Command::new("strip").arg("--strip-debug").arg(&to).status();
        if !stripped.is_ok_and(|s| s.success()) {
            eprintln!("note: could not strip {}; shipped as built", to.display());
        }
    }
    Ok(())
}

fn maturin(env: &Environment, args: &[String]) -> Command {
    let mut command = with_env(env, &env.venv_bin("maturin").display().to_string(), args);
    command.current_dir("python");
    command
}

fn target_dir(release: bool) -> PathBuf {
    Path::new("target").join(if release { "release" } else { "debug" })
}
