//! `cargo xtask test`: the whole check suite, exactly what CI runs.

use std::path::Path;

use anyhow::Result;
use clap::Args;

use crate::command::{args, cargo, run_in, status, with_env};
use crate::python;
use crate::setup::{self, SetupArgs};

/// Options of `cargo xtask test`.
#[derive(Args)]
pub struct TestArgs {
    /// Skip `cargo fmt --check` and clippy (faster local iterations).
    #[arg(long)]
    pub quick: bool,
}

/// Set-up, then fmt, clippy, a build of every crate (plugin libraries must exist before the
/// host's tests load them), every test in the workspace, the trainer included, and the Python
/// package's tests.
pub fn run(options: &TestArgs) -> Result<()> {
    let env = setup::ensure(&SetupArgs::default())?;
    let cargo = cargo();
    if !options.quick {
        run_in(&env, &cargo, &args(["fmt", "--all", "--", "--check"]))?;
        run_in(
            &env,
            &cargo,
            &args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        )?;
    }
    run_in(&env, &cargo, &args(["build", "--workspace"]))?;
    // Tests that need the venv or ../shared skip themselves without them; here the venv is set
    // up, so its tests must run, and so must the data tests when ../shared is there. Every skip
    // is logged to a file and listed at the end (the test harness hides what tests print).
    let skip_log = Path::new("target").join("skipped-tests.txt");
    let _ = std::fs::remove_file(&skip_log);
    let mut test = with_env(&env, &cargo, &args(["test", "--workspace"]));
    test.env(SKIP_LOG, std::path::absolute(&skip_log)?)
        .env(REQUIRE_VENV, "1");
    let shared = Path::new("..").join("shared").join("data");
    if shared.is_dir() {
        test.env(REQUIRE_SHARED, "1");
    }
    status(test)?;
    // The Python package: built into the venv from the debug build above, then its tests, which
    // compare it with target/debug/rin (a minute: 100 sentences per model, one Ray start).
    python::develop(&env, false)?;
    python::test(&env, false)?;
    match std::fs::read_to_string(&skip_log) {
        Ok(skipped) if !skipped.trim().is_empty() => {
            eprintln!("skipped tests:\n{skipped}");
        }
        _ => eprintln!("no test skipped"),
    }
    eprintln!("all checks passed");
    Ok(())
}

/// File that test skips are appended to (one line each).
pub const SKIP_LOG: &str = "RIN_SKIP_LOG";
/// When set, a test that needs the venv fails instead of skipping without it.
pub const REQUIRE_VENV: &str = "RIN_REQUIRE_VENV";
/// When set, a test that needs ../shared fails instead of skipping without it.
pub const REQUIRE_SHARED: &str = "RIN_REQUIRE_SHARED";
