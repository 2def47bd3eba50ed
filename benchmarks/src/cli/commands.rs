//! The subcommands: `sweep`, `tradeoff` and `profile` each in their own module, and `plot`.

mod profile;
mod sweep;
mod tradeoff;

use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::args::{Cli, Command};
use crate::cli::report::draw;
use crate::cli::results::SweepReport;

/// Runs one command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sweep(args) => sweep::run(args),
        Command::Tradeoff(args) => tradeoff::run(args),
        Command::Profile(args) => profile::run(args),
        Command::Plot { results } => {
            let report: SweepReport = serde_json::from_slice(
                &std::fs::read(&results)
                    .with_context(|| format!("cannot read {}", results.display()))?,
            )
            .with_context(|| format!("{} is not a rin-bench results file", results.display()))?;
            let dir = results.parent().unwrap_or(Path::new("."));
            draw(dir, &report)
        }
    }
}
