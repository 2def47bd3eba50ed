//! `rin-train`: train, evaluate and try out RIN models. The work is in the `rin_trainer` library;
//! this binary parses flags, sets up logging and maps errors to an exit code.

mod cli;
mod commands;
mod progress_bar;
mod runtime_env;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    runtime_env::reexec_with_defaults();
    // Here, before libtorch starts its thread pool: its threads inherit the mode.
    rin_trainer::subnormals::flush_subnormals_to_zero();
    let cli = cli::Cli::parse();
    let default = match cli.verbose {
        0 => "info",
        1 => "info,rin_trainer=debug,rin_core=debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: logs redirected to a file stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    match commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` is a closed stdout (e.g. `rin-train predict | head`), which is not a failure.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
