//! `cargo xtask demo`: the main job on bundled data, from a fresh clone to printed triples.
//!
//! Set-up, a release build, a short training run on WebNLG* (a few epochs: enough to see the
//! pipeline work, not to reach the paper), its evaluation by the trainer, the ONNX export, the same
//! evaluation through ONNX Runtime, and finally `rin extract` on raw sentences, printed as
//! readable triples, with the shipped fully trained exact-match model when the repository has one.

use std::path::Path;

use anyhow::Result;
use clap::Args;

use crate::command::{args, cargo, run_in};
use crate::setup::{self, SetupArgs};

/// The model trained and exported by the project and committed with it (see its README): exact
/// match, so triples hold whole entity names.
const SHIPPED_MODEL: &str = "models/webnlg";
/// What the shipped model scores, for the closing words (models/webnlg/README.md, RESULTS.md).
const SHIPPED_F1: &str = "78.8 triple F1 on WebNLG test and 61.1 on hand-written sentences about \
                          names outside WebNLG (exact match)";
const SENTENCES: [&str; 4] = [
    "Alan Bean was born in Wheeler, Texas and was a crew member of Apollo 12.",
    "The Acharya Institute of Technology is located in Bangalore, India.",
    "The capital of Denmark is Copenhagen.",
    "John Smith was born in Sheffield, England.",
];

/// Options of `cargo xtask demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Training epochs of the short demo run.
    #[arg(long, default_value_t = 3)]
    pub epochs: usize,
    /// Skip the short training run and only extract with the shipped model.
    #[arg(long)]
    pub skip_training: bool,
}

/// Runs the pipeline; every step echoes its command line so users can repeat it.
pub fn run(options: &DemoArgs) -> Result<()> {
    let env = setup::ensure(&SetupArgs::default())?;
    let cargo = cargo();
    // Default members (runtime, exporter, plugins) plus the trainer, so that the plugin
    // libraries sit next to both binaries.
    run_in(&env, &cargo, &args(["build", "--release", "--workspace"]))?;
    let trainer = "target/release/rin-train";
    let rin = "target/release/rin";

    let run_dir = Path::new("runs/demo");
    let mut model = SHIPPED_MODEL.to_string();
    if !options.skip_training {
        if run_dir.exists() {
            std::fs::remove_dir_all(run_dir)?;
        }
        let epochs = options.epochs.to_string();
        run_in(
            &env,
            trainer,
            &args([
                "train",
                "--data",
                "data/webnlg-star",
                "--embeddings",
                "data/embeddings/glove.6B.50d.webnlg.txt.gz",
                "--k",
                "2",
                "--epochs",
                &epochs,
                "--seed",
                "1",
                "--run-dir",
                "runs/demo",
            ]),
        )?;
        run_in(
            &env,
            trainer,
            &args(["eval", "--checkpoint", "runs/demo/best", "--split", "test"]),
        )?;
        run_in(
            &env,
            rin,
            &args([
                "export",
                "runs/demo/best",
                "-o",
                "runs/demo/model",
                "--k",
                "0..=2",
            ]),
        )?;
        run_in(
            &env,
            rin,
            &args([
                "eval",
                "-m",
                "runs/demo/model",
                "--data",
                "data/webnlg-star",
                "--split",
                "test",
            ]),
        )?;
        eprintln!(
            "\nThat was a {} smoke run on WebNLG*: it checks that training, export and evaluation \
             work, and its F1 near 0 is expected. The shipped exact-match model used below \
             ({SHIPPED_MODEL}), fully trained, scores {SHIPPED_F1}.",
            if options.epochs == 1 {
                "1-epoch".to_owned()
            } else {
                format!("{}-epoch", options.epochs)
            }
        );
        if !Path::new(SHIPPED_MODEL).join("manifest.json").is_file() {
            model = "runs/demo/model".into();
        }
    }
    eprintln!("\nextracting with {model} (one line per triple: subject, relation, object, score):");
    let mut extract = args(["extract", "--output", "text", "-m", &model]);
    extract.extend(SENTENCES.iter().map(|s| s.to_string()));
    run_in(&env, rin, &extract)
}
