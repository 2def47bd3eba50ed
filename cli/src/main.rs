//! `rin`: the command-line front end of rin-runtime (and of rin-exporter, for `rin export`).
//! Parses arguments, sets up logging on stderr, runs the command, and turns its outcome into an
//! exit code. The library knows nothing of the command line.

mod bench_cmd;
mod cli;
mod commands;
mod fit_continuation;
mod model_options;
#[cfg(feature = "server")]
mod serve;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, PluginsCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose, cli.quiet);
    match run(cli.command) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one subcommand.
fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Extract(args) => commands::extract(args),
        Command::Eval(args) => commands::eval(args),
        Command::Info(args) => commands::info(args),
        Command::Export(args) => commands::export(args),
        Command::Bench(args) => bench_cmd::bench(args),
        Command::FitContinuation(args) => fit_continuation::fit_continuation(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::serve(args),
        Command::Plugins {
            command: PluginsCommand::List(args),
        } => commands::plugins_list(args),
    }
}

/// Logs go to stderr: `info` for rin's crates by default, `-v` debug, `-vv` trace, `-q` errors
/// only; `RUST_LOG` overrides.
fn init_tracing(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let default = format!("warn,rin={level},rin_runtime={level},rin_plugin_host={level},rin_core={level},rin_exporter={level}");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();
}

/// A closed stdout (`rin extract ... | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
