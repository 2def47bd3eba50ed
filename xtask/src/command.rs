//! Running child processes with the set-up environment, failing loudly with the command line.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::setup::Environment;

/// The cargo that runs xtask, so a toolchain override applies to the children too.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Builds a command that runs with the venv's environment applied.
pub fn with_env(env: &Environment, program: &str, args: &[String]) -> Command {
    let mut command = Command::new(program);
    command.args(args);
    for (key, value) in env.variables() {
        command.env(key, value);
    }
    command
}

/// Runs `program args..` with the environment and fails unless it exits with status 0.
pub fn run_in(env: &Environment, program: &str, args: &[String]) -> Result<()> {
    status(with_env(env, program, args))
}

/// Runs a prepared command, echoing it to stderr first so logs show what ran.
pub fn status(mut command: Command) -> Result<()> {
    let line = describe(&command);
    eprintln!("$ {line}");
    let status = command
        .status()
        .with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Convenience: turns string literals into owned arguments.
pub fn args<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn describe(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}
