//! The `rin-bench` command line: `sweep`, `tradeoff`, `profile` and `plot`.
//!
//! `args` declares the subcommands and their options, `commands` runs them (with the
//! checkpoint helpers of `checkpoint`), `results` is what a sweep measured (results.json), and
//! `report` writes results as JSON, CSV, plots and a summary on stdout.

mod args;
mod checkpoint;
mod commands;
mod report;
mod results;

pub use args::Cli;
pub use commands::run;
pub use results::{LongestFit, Machine, SweepReport};
