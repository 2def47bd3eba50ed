//! POS accuracy of tagger plugins, loaded through the host exactly as the trainer and the
//! runtime load them.
//!
//! ```text
//! cargo build --release -p rin-plugin-perceptron -p rin-plugin-brill
//! cargo run --release -p rin-plugin-tools --bin pos-eval -- perceptron brill
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use rin_plugin_tools::{load_tagger, plugin_dir, read_corpus, read_webnlg, repo_root, EvalSet};

/// POS accuracy of tagger plugins on UD EWT test, CoNLL-2000 test and WebNLG test.
#[derive(Parser)]
struct Cli {
    /// Tagger plugins, by name or path.
    #[arg(default_values = ["perceptron", "brill"])]
    taggers: Vec<String>,
    /// Plugin directory (default: $RIN_PLUGIN_DIR, else next to this executable).
    #[arg(long, env = "RIN_PLUGIN_DIR")]
    plugin_dir: Option<PathBuf>,
    /// Folder with ud-ewt/ and conll2000/.
    #[arg(long, default_value_os_t = repo_root().join("../shared/pos"))]
    pos_dir: PathBuf,
    /// WebNLG file with Stanford CoreNLP tags.
    #[arg(long, default_value_os_t = repo_root().join("data/webnlg/test.json"))]
    webnlg: PathBuf,
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let sets: Vec<EvalSet> = vec![
        read_corpus(
            "UD EWT test",
            &cli.pos_dir.join("ud-ewt/en_ewt-ud-test.conllu"),
        )?,
        read_corpus("CoNLL-2000 test", &cli.pos_dir.join("conll2000/test.txt"))?,
        read_webnlg("WebNLG test (agreement with CoreNLP)", &cli.webnlg)?,
    ];
    let dir = plugin_dir(cli.plugin_dir.as_deref())?;
    println!("| tagger | set | sentences | tokens | accuracy | tokens/s |");
    println!("|---|---|---:|---:|---:|---:|");
    for name in &cli.taggers {
        let tagger = load_tagger(&dir, name)?;
        let label = format!("{} {}", tagger.info().name, tagger.info().version);
        for set in &sets {
            let (mut correct, mut total) = (0usize, 0usize);
            let start = Instant::now();
            for s in &set.sentences {
                let tags = tagger.tag(&s.words)?;
                correct += tags.iter().zip(&s.tags).filter(|(a, b)| a == b).count();
                total += s.words.len();
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "| {label} | {} | {} | {total} | {:.2}% | {:.0} |",
                set.name,
                set.sentences.len(),
                100.0 * correct as f64 / total.max(1) as f64,
                total as f64 / secs
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
