//! `cargo xtask demo`: the main job on bundled data, from a fresh clone to printed triples.

use anyhow::Result;
use clap::Args;

use crate::setup::{self, SetupArgs};

/// Options of `cargo xtask demo`.
#[derive(Args)]
pub struct DemoArgs {}

/// Set-up, build, and the pipeline on bundled data.
pub fn run(_options: &DemoArgs) -> Result<()> {
    let env = setup::ensure(&SetupArgs::default())?;
    eprintln!("{}", env.describe());
    Ok(())
}
