//! The command line (clap derive types only; `commands.rs` runs them).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rin_core::DataFormat;
use rin_trainer::config::DeviceChoice;

/// Train, evaluate and try out the Recurrent Interaction Network (RIN), a model that extracts
/// (subject, relation, object) triples from sentences.
///
/// Typical use:
///   rin-train train --data data/webnlg --embeddings glove.6B.50d.txt.gz --run-dir runs/webnlg
///   rin-train eval --checkpoint runs/webnlg/best --split test
///   echo "Alan Bean was born in Wheeler , Texas ." | rin-train predict --checkpoint runs/webnlg/best
#[derive(Debug, Parser)]
#[command(name = "rin-train", version, verbatim_doc_comment)]
pub struct Cli {
    /// More log output (-v debug, -vv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model; writes checkpoints (`last`, `best`) and metrics.jsonl into --run-dir.
    Train(Box<TrainArgs>),
    /// Score a checkpoint on a split: P/R/F1 by strings and by cells, and entity F1.
    Eval(EvalArgs),
    /// Print the triples a checkpoint finds in sentences (pre-tokenized, space separated).
    Predict(PredictArgs),
}

/// Triple matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchArg {
    /// Compare entities by their last word (WebNLG*, NYT*).
    Partial,
    /// Compare whole entity strings (WebNLG, NYT).
    Exact,
}

impl From<MatchArg> for rin_core::MatchMode {
    fn from(m: MatchArg) -> Self {
        match m {
            MatchArg::Partial => rin_core::MatchMode::Partial,
            MatchArg::Exact => rin_core::MatchMode::Exact,
        }
    }
}

/// `rin-train train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Data folder with train.json, dev.json, test.json and rel2id.json.
    #[arg(long, value_name = "DIR", required_unless_present = "resume")]
    pub data: Option<PathBuf>,
    /// Data format: casrel (WebNLG*, NYT*), jointer (WebNLG, NYT) or native; detected if omitted.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<DataFormat>,
    /// GloVe vectors (.txt or .txt.gz) to initialise word embeddings; random if omitted.
    #[arg(long, value_name = "FILE", env = "RIN_EMBEDDINGS")]
    pub embeddings: Option<PathBuf>,
    /// Where checkpoints and metrics.jsonl go (must not hold a run unless --resume).
    #[arg(long, value_name = "DIR", default_value = "runs/rin")]
    pub run_dir: PathBuf,
    /// Continue the run in --run-dir from its `last` checkpoint (same optimiser state, epoch
    /// count and random state). Only --epochs, --patience, --device and --threads may change.
    #[arg(long)]
    pub resume: bool,
    /// Interaction rounds K; 0 is "RIN w/o interaction". Default: 2 for partial, 3 for exact match.
    #[arg(long, value_name = "K")]
    pub k: Option<usize>,
    /// Also train every intermediate layer (loss summed over k = 0..K), so that any K up to the
    /// trained one can be used when serving.
    #[arg(long)]
    pub deep_supervision: bool,
    /// Ablation "w/o ER": the entity view does not feed back into the shared state.
    #[arg(long, conflicts_with = "no_rc")]
    pub no_er: bool,
    /// Ablation "w/o RC": the relation view does not feed back into the shared state.
    #[arg(long)]
    pub no_rc: bool,
    /// Ablation "w/o POS": no POS embedding (needed for data without POS tags until a tagger
    /// plugin is available).
    #[arg(long)]
    pub no_pos: bool,
    /// POS tagger plugin for data without POS tags (WebNLG*): a name in the plugin directory or a
    /// library path. Plugins are trusted code: only point at libraries you trust.
    #[arg(long, value_name = "NAME", default_value = "perceptron")]
    pub pos_tagger: String,
    /// Tag every split with --pos-tagger even where the data ships POS tags (WebNLG's are
    /// Stanford CoreNLP's), so that the model learns from the tags it gets on user text. The
    /// model then reads the tagger's tags everywhere (`rin eval` on data with tags included).
    #[arg(long, conflicts_with = "no_pos")]
    pub retag_pos: bool,
    /// Folder of plugin libraries (default: $RIN_PLUGIN_DIR, else next to rin-train).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
    /// How triples are matched when scoring; default: partial for casrel data, else exact.
    #[arg(long = "match", value_name = "MODE")]
    pub match_mode: Option<MatchArg>,
    /// Adam learning rate.
    #[arg(long, default_value_t = 5e-4)]
    pub lr: f64,
    /// Sentences per batch.
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
    /// Maximum number of epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Stop after this many epochs without a better dev F1.
    #[arg(long)]
    pub patience: Option<usize>,
    /// Clip the gradient norm to this value (0 turns clipping off).
    #[arg(long, default_value_t = 5.0)]
    pub clip: f64,
    /// Input dropout.
    #[arg(long, default_value_t = 0.1)]
    pub dropout: f64,
    /// Relation probability threshold for decoding.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f32,
    /// Random seed (initialisation, shuffling, dropout).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Device: cpu, cuda, or auto (CUDA when libtorch sees a GPU).
    #[arg(long)]
    pub device: Option<DeviceChoice>,
    /// CPU threads for libtorch (default: libtorch's choice). Same seed + same threads = same run.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Train on the first N training sentences only (quick experiments).
    #[arg(long, value_name = "N")]
    pub train_limit: Option<usize>,
    /// Evaluate on the first N dev sentences only.
    #[arg(long, value_name = "N")]
    pub dev_limit: Option<usize>,
    /// The file to train on: train, or dev for data that has no training set (NYT here; needs
    /// --dev-holdout).
    #[arg(long, value_name = "SPLIT", default_value = "train")]
    pub train_split: String,
    /// Select the model on the last N sentences of the training file instead of dev.json; they
    /// are not trained on. Example: --train-split dev --dev-holdout 500.
    #[arg(long, value_name = "N")]
    pub dev_holdout: Option<usize>,
    /// Add the N most frequent words of the --embeddings file (the full GloVe file) to the
    /// vocabulary, with their pre-trained vectors, so that words unseen in training are not UNK.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub glove_words: usize,
    /// Name-robust training: replace the entity mentions of this share of training sentences
    /// (each epoch anew) by words of the --glove-words rows. Example: 0.3.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub name_substitution: f64,
    /// With --name-substitution: replace each name word by one of its N nearest --glove-words
    /// rows (cosine, in the --embeddings vectors), a word of the same kind, instead of any row.
    /// Example: 32.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub substitute_neighbours: usize,
    /// With --name-substitution: what P is the share of. `sentence`: sentences with every
    /// mention replaced; `mention`: mentions, each drawn on its own, so that known and unseen
    /// names meet in one sentence.
    #[arg(long, value_enum, default_value_t)]
    pub substitution_unit: rin_trainer::names::SubstitutionUnit,
    /// Keep the pre-trained vector of every word that has one in --embeddings; only the rows of
    /// words without one (and UNK) are trained. Words never seen in training then share the space
    /// the trained names are read in.
    #[arg(long)]
    pub freeze_vectors: bool,
    /// Keep the pre-trained vectors of the rows --glove-words added only; the data's own words
    /// are fine-tuned. Substitute names (--name-substitution) then never drift from their vectors.
    #[arg(long, conflicts_with = "freeze_vectors")]
    pub freeze_added_vectors: bool,
    /// Also score this dev set (a data folder's dev.json, or a file) after every epoch and record
    /// it as `watch_dev` in metrics.jsonl; selection stays on the run's own dev set. Example:
    /// data/ood/name-swapped-dev. Tagged by --pos-tagger when it has no POS tags.
    #[arg(long, value_name = "DATA")]
    pub watch_dev: Option<PathBuf>,
    /// Document-shaped training: read this share of training entries (each epoch anew) together
    /// with up to four entries after them, each with its own facts, so that the model learns not
    /// to link different texts of a paragraph. Example: 0.5.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub join_texts: f64,
    /// Which entries --join-texts reads together: neighbours in the data file (same topic, as in
    /// a paragraph) or entries from anywhere.
    #[arg(long, value_enum, default_value_t)]
    pub join_order: rin_trainer::joined_texts::JoinOrder,
    /// Training on parts of texts: read this share of training entries of several sentences
    /// (each epoch anew) as their sentences, each with the mentions inside it and only the facts
    /// whose two entities it holds, as `rin` reads a long document in parts. Example: 0.5.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub split_texts: f64,
    /// Fine-tune: start from the weights, vocabulary and POS source of this checkpoint folder
    /// (e.g. runs/webnlg/best or models/webnlg/checkpoint) instead of a fresh model; its model
    /// shape replaces --k, --no-pos and --glove-words. The optimiser starts anew.
    #[arg(long, value_name = "DIR")]
    pub init_from: Option<PathBuf>,
    /// Keep the mean of the weights of every epoch from EPOCH on (1-based) as the run's
    /// `average` checkpoint, scored on dev (and --watch-dev) every epoch as `average_dev`;
    /// selection of `best` is unchanged. Carried across --resume. Example: 121 in a 150-epoch run,
    /// or 1 when fine-tuning with --init-from.
    #[arg(long, value_name = "EPOCH")]
    pub average_from: Option<usize>,
}

/// `rin-train eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A checkpoint directory, e.g. runs/webnlg/best. Give several (runs that differ by seed) to
    /// also print their mean and standard deviation.
    #[arg(long, short = 'm', value_name = "DIR", env = "RIN_CHECKPOINT", num_args = 1.., required = true)]
    pub checkpoint: Vec<PathBuf>,
    /// The split to score: train, dev or test.
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Score another data folder than the training one (same rel2id.json).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Partial or exact match (default: the training setting).
    #[arg(long = "match", value_name = "MODE")]
    pub match_mode: Option<MatchArg>,
    /// Relation probability threshold (default: the training setting, 0.5).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Unroll K rounds instead of the trained K.
    #[arg(long)]
    pub k: Option<usize>,
    /// Device: cpu, cuda or auto.
    #[arg(long, default_value = "auto")]
    pub device: DeviceChoice,
    /// CPU threads for libtorch.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Sentences per forward pass.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Folder of plugin libraries (default: $RIN_PLUGIN_DIR, else next to rin-train).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
}

/// `rin-train predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A checkpoint directory, e.g. runs/webnlg/best.
    #[arg(long, short = 'm', value_name = "DIR", env = "RIN_CHECKPOINT")]
    pub checkpoint: PathBuf,
    /// Sentences, tokens separated by spaces; read from stdin (one per line) if none are given.
    pub sentences: Vec<String>,
    /// Unroll K rounds instead of the trained K.
    #[arg(long)]
    pub k: Option<usize>,
    /// Relation probability threshold (default: the training setting, 0.5).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Device: cpu, cuda or auto.
    #[arg(long, default_value = "auto")]
    pub device: DeviceChoice,
    /// Print one JSON array of triples per sentence.
    #[arg(long)]
    pub json: bool,
    /// Folder of plugin libraries (default: $RIN_PLUGIN_DIR, else next to rin-train).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
