//! Command-line types of `rin-export` (clap derive only).

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Which checkpoint of a run directory to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// The checkpoint with the best dev F1.
    Best,
    /// The newest checkpoint.
    Last,
}

impl Which {
    /// The run directory's entry name.
    pub fn dir_name(self) -> &'static str {
        match self {
            Which::Best => "best",
            Which::Last => "last",
        }
    }
}

/// Export a trained RIN checkpoint to ONNX: one graph per K, one shared weights file, a manifest.
#[derive(Debug, Parser)]
#[command(name = "rin-export", version, about)]
pub struct Cli {
    /// A checkpoint directory (with checkpoint.json and model.safetensors) or a run directory.
    #[arg(env = "RIN_CHECKPOINT")]
    pub checkpoint: PathBuf,

    /// Output folder (created if needed); existing files of the same names are replaced.
    #[arg(short, long, env = "RIN_EXPORT_DIR")]
    pub out: PathBuf,

    /// Interaction layers to unroll: `2`, `0..=4`, `0..5`, `1,3`; repeatable. Default: the trained K.
    #[arg(long = "k", value_name = "K", value_parser = parse_k_arg)]
    pub k: Vec<Vec<usize>>,

    /// In a run directory, which checkpoint to take.
    #[arg(long, value_enum, default_value_t = Which::Best)]
    pub from: Which,

    /// Print the manifest as JSON instead of a summary.
    #[arg(long)]
    pub json: bool,

    /// Sparse relation outputs: only the cells at or above a threshold given as an input
    /// (`relation_cells`, `relation_scores`) instead of the dense `relation_probs` tensor.
    #[arg(long)]
    pub sparse: bool,

    /// Keep only the checkpoint's first N words (the training data's, then the added words most
    /// frequent first); the words cut read as UNK.
    #[arg(long, value_name = "N")]
    pub max_words: Option<usize>,

    /// Store the word embedding as float16 (cast to float32 after the look-up).
    #[arg(long)]
    pub fp16_words: bool,

    /// More logging (-v: debug, -vv: trace).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

fn parse_k_arg(text: &str) -> Result<Vec<usize>, String> {
    rin_exporter::parse_ks(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn k_flags_accumulate() {
        let cli =
            Cli::try_parse_from(["rin-export", "run", "-o", "out", "--k", "0..=2", "--k", "4"])
                .unwrap();
        assert_eq!(cli.k, vec![vec![0, 1, 2], vec![4]]);
        assert!(Cli::try_parse_from(["rin-export", "run", "-o", "out", "--k", "99"]).is_err());
    }
}
