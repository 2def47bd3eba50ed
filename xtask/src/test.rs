//! `cargo xtask test`: the whole check suite, exactly what CI runs.

use anyhow::Result;
use clap::Args;

use crate::command::{args, run_in};
use crate::setup::{self, SetupArgs};

/// Options of `cargo xtask test`.
#[derive(Args)]
pub struct TestArgs {
    /// Skip `cargo fmt --check` and clippy (faster local iterations).
    #[arg(long)]
    pub quick: bool,
}

/// Set-up, then fmt, clippy, a build of every crate (plugin libraries must exist before the
/// host's tests load them), and every test in the workspace, the trainer included.
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
    run_in(&env, &cargo, &args(["test", "--workspace"]))?;
    eprintln!("all checks passed");
    Ok(())
}

/// The cargo that runs xtask, so a toolchain override applies to the children too.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
