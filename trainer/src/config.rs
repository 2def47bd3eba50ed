//! Settings: the model's shape ([`ModelConfig`], stored in every checkpoint) and a training run's
//! settings ([`TrainConfig`], stored too, so that `--resume` and `eval` need no flags repeated).

use std::path::PathBuf;

use rin_core::{DataFormat, MatchMode};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use crate::corpus::SplitPlan;
pub use rin_core::model_config::{Interaction, ModelConfig};

/// Which device to train or evaluate on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// The CPU.
    Cpu,
    /// The first CUDA device; an error when libtorch sees none.
    Cuda,
    /// CUDA when libtorch sees a GPU, else the CPU.
    #[default]
    Auto,
}

impl DeviceChoice {
    /// Resolves the choice to a libtorch device.
    pub fn resolve(self) -> Result<tch::Device> {
        match self {
            DeviceChoice::Cpu => Ok(tch::Device::Cpu),
            DeviceChoice::Auto => Ok(tch::Device::cuda_if_available()),
            DeviceChoice::Cuda if tch::Cuda::is_available() => Ok(tch::Device::Cuda(0)),
            DeviceChoice::Cuda => Err(Error::DeviceUnavailable {
                requested: "cuda".into(),
            }),
        }
    }
}

/// Everything a training run needs. Defaults are the paper's WebNLG settings (MODEL.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// Folder with `train.json`, `dev.json`, `test.json` and `rel2id.json` (see
    /// [`TrainConfig::splits`] for data without a training set).
    pub data_dir: PathBuf,
    /// Input format; `None` detects it from `train.json`.
    pub format: Option<DataFormat>,
    /// Partial (last word) or exact (whole span) matching; `None` picks partial for CasRel data
    /// (WebNLG*, NYT*) and exact otherwise.
    pub match_mode: Option<MatchMode>,
    /// GloVe text file (`.txt` or `.txt.gz`); `None` initialises word vectors at random.
    pub embeddings: Option<PathBuf>,
    /// Word vector size when there is no embeddings file.
    pub word_dim: usize,
    /// POS vector size; 0 disables POS ("w/o POS").
    pub pos_dim: usize,
    /// BiLSTM hidden size per direction.
    pub lstm_hidden: usize,
    /// Relation head hidden size `d_m`.
    pub relation_hidden: usize,
    /// Interaction rounds K; `None` picks 2 for partial and 3 for exact match (WebNLG).
    pub k: Option<usize>,
    /// Which views feed back into `H^k` (ablations).
    pub interaction: Interaction,
    /// Sum the loss over every layer `k = 0..K`, so that any K up to the trained one is usable.
    pub deep_supervision: bool,
    /// Input dropout.
    pub dropout: f64,
    /// Adam learning rate.
    pub lr: f64,
    /// Sentences per batch.
    pub batch_size: usize,
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Stop after this many epochs without a better dev F1.
    pub patience: usize,
    /// Clip the global gradient norm to this value (0 disables clipping).
    pub clip: f64,
    /// Seed of every random choice (initialisation, shuffling, dropout).
    pub seed: u64,
    /// Training device.
    pub device: DeviceChoice,
    /// libtorch intra-op threads; `None` keeps libtorch's default.
    pub threads: Option<usize>,
    /// Where checkpoints and `metrics.jsonl` go.
    pub run_dir: PathBuf,
    /// The POS tagger plugin for data without POS tags (WebNLG*).
    pub pos_tagger: String,
    /// Tag every split with `pos_tagger` even where the data ships tags (`--retag-pos`).
    #[serde(default)]
    pub retag_pos: bool,
    /// Where tagger plugins are; `None`: `$RIN_PLUGIN_DIR`, else next to the executable.
    pub plugin_dir: Option<PathBuf>,
    /// Relation probability threshold for decoding.
    pub threshold: f32,
    /// Use only the first N training sentences (quick experiments, tests).
    pub train_limit: Option<usize>,
    /// Use only the first N dev sentences.
    pub dev_limit: Option<usize>,
    /// The file the model trains on (`train`, or `dev` for data without a training set, e.g. NYT
    /// here).
    pub train_split: String,
    /// Hold out the last N sentences of the training file as the dev set for model selection,
    /// instead of reading `dev.json` (needed when training on `dev`).
    pub dev_holdout: Option<usize>,
    /// Also put the N most frequent words of the --embeddings file in the vocabulary (0: only
    /// the data's words). Their rows keep the pre-trained vectors (no training sentence updates
    /// them), so words never seen in training still have a meaning at inference.
    pub glove_words: usize,
    /// Name-robust training: the probability that a training sentence has its entity mentions
    /// replaced (each epoch anew, consistently within the sentence) by words drawn from the
    /// vocabulary rows that only the embeddings file brought (needs --glove-words).
    pub name_substitution: f64,
    /// Draw each substituted word from its this many nearest substitute rows in the embeddings
    /// file's vector space (a name of the same kind: city for city, year for year); 0 draws from
    /// every substitute row alike.
    pub substitute_neighbours: usize,
    /// Whether `name_substitution` draws per sentence (all its mentions) or per mention.
    pub substitution_unit: crate::names::SubstitutionUnit,
    /// Keep the pre-trained vector of every word that has one; only rows without one (UNK,
    /// words the vectors file lacks) are trained (see `frozen`).
    pub freeze_vectors: bool,
    /// Keep the pre-trained vectors of the rows `--glove-words` added (the data's words are
    /// fine-tuned): substitutes and unseen words stay in the pre-trained space.
    pub freeze_added_vectors: bool,
    /// A second dev set (a data folder's dev.json, or a file) scored after every epoch and
    /// recorded as `watch_dev` in metrics.jsonl, never used for selection: the out-of-domain dev
    /// split beside WebNLG dev (`data/ood/name-swapped-dev`).
    pub watch_dev: Option<PathBuf>,
    /// Document-shaped training: the probability that a training entry is read together with
    /// the entries after it (see `joined_texts`).
    pub join_texts: f64,
    /// Which entries `join_texts` reads together.
    pub join_order: crate::joined_texts::JoinOrder,
    /// Training on parts of texts: the probability that a training entry of several sentences
    /// is read as its sentences, each with its own facts (see `split_texts`).
    pub split_texts: f64,
    /// Start from this checkpoint's weights, vocabulary and POS source instead of a fresh
    /// model (fine-tuning); its model shape replaces the shape settings. The optimiser starts anew.
    pub init_from: Option<PathBuf>,
    /// Keep the running mean of the weights after each epoch from this one (1-based) on, as
    /// the run's `average` checkpoint, scored on dev like the weights themselves.
    pub average_from: Option<usize>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            data_dir: PathBuf::from("data/webnlg"),
            format: None,
            match_mode: None,
            embeddings: None,
            word_dim: 50,
            pos_dim: 10,
            lstm_hidden: 50,
            relation_hidden: 100,
            k: None,
            interaction: Interaction::Full,
            deep_supervision: false,
            dropout: 0.1,
            lr: 5e-4,
            batch_size: 50,
            epochs: 150,
            patience: 30,
            clip: 5.0,
            seed: 1,
            device: DeviceChoice::Auto,
            threads: None,
            run_dir: PathBuf::from("runs/rin"),
            pos_tagger: "perceptron".into(),
            retag_pos: false,
            plugin_dir: None,
            threshold: rin_core::decode::DEFAULT_THRESHOLD,
            train_limit: None,
            dev_limit: None,
            train_split: "train".into(),
            dev_holdout: None,
            glove_words: 0,
            name_substitution: 0.0,
            substitute_neighbours: 0,
            substitution_unit: Default::default(),
            freeze_vectors: false,
            freeze_added_vectors: false,
            watch_dev: None,
            join_texts: 0.0,
            join_order: Default::default(),
            split_texts: 0.0,
            init_from: None,
            average_from: None,
        }
    }
}

impl TrainConfig {
    /// Which files make the train, dev and test sets.
    pub fn splits(&self) -> SplitPlan {
        SplitPlan {
            train: self.train_split.clone(),
            dev_holdout: self.dev_holdout,
        }
    }

    /// The match mode for `format` when none is set.
    pub fn match_mode_for(&self, format: DataFormat) -> MatchMode {
        self.match_mode.unwrap_or(match format {
            DataFormat::CasRel => MatchMode::Partial,
            _ => MatchMode::Exact,
        })
    }

    /// K for `mode` when none is set: the paper's WebNLG values.
    pub fn k_for(&self, mode: MatchMode) -> usize {
        self.k.unwrap_or(match mode {
            MatchMode::Partial => 2,
            MatchMode::Exact => 3,
        })
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<()> {
        let bad = |name, reason: &str| {
            Err(Error::Setting {
                name,
                reason: reason.into(),
            })
        };
        if self.batch_size == 0 {
            return bad("--batch", "must be at least 1");
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return bad("--lr", "must be a positive number");
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad("--dropout", "must be in [0, 1)");
        }
        if !(self.clip >= 0.0 && self.clip.is_finite()) {
            return bad("--clip", "must be 0 (off) or positive");
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return bad("--threshold", "must be in [0, 1]");
        }
        if self.threads == Some(0) {
            return bad("--threads", "must be at least 1");
        }
        match (self.train_split.as_str(), self.dev_holdout) {
            ("train", _) | ("dev", Some(_)) => {}
            ("dev", None) => {
                return bad(
                    "--train-split",
                    "training on dev.json leaves no dev set for model selection: add \
                     --dev-holdout N to select on its last N sentences",
                )
            }
            _ => return bad("--train-split", "must be train or dev (never test)"),
        }
        if !(0.0..=1.0).contains(&self.name_substitution) {
            return bad("--name-substitution", "must be a probability in [0, 1]");
        }
        if !(0.0..=1.0).contains(&self.join_texts) {
            return bad("--join-texts", "must be a probability in [0, 1]");
        }
        if !(0.0..=1.0).contains(&self.split_texts) {
            return bad("--split-texts", "must be a probability in [0, 1]");
        }
        if self.glove_words > 0 && self.embeddings.is_none() && self.init_from.is_none() {
            return bad(
                "--glove-words",
                "needs --embeddings (the vectors file to take the words from)",
            );
        }
        if self.name_substitution > 0.0 && self.glove_words == 0 && self.init_from.is_none() {
            return bad(
                "--name-substitution",
                "needs --glove-words N: the substitute names are drawn from those words",
            );
        }
        if self.substitution_unit == crate::names::SubstitutionUnit::Mention
            && self.name_substitution == 0.0
        {
            return bad(
                "--substitution-unit",
                "mention needs --name-substitution P (the probability of each mention)",
            );
        }
        if self.substitute_neighbours > 0
            && (self.name_substitution == 0.0 || self.embeddings.is_none())
        {
            return bad(
                "--substitute-neighbours",
                "needs --name-substitution P and --embeddings (the vectors the neighbours are \
                 found in)",
            );
        }
        if self.freeze_vectors && (self.embeddings.is_none() || self.init_from.is_some()) {
            return bad(
                "--freeze-vectors",
                "needs --embeddings (the vectors to keep) and a fresh run (not --init-from, whose \
                 rows were trained already)",
            );
        }
        if self.freeze_added_vectors
            && (self.freeze_vectors || self.glove_words == 0 || self.init_from.is_some())
        {
            return bad(
                "--freeze-added-vectors",
                "needs --glove-words N (the rows it keeps) and a fresh run, and --freeze-vectors \
                 already keeps those rows",
            );
        }
        if self.average_from == Some(0) {
            return bad("--average-from", "epochs count from 1");
        }
        if self.dev_holdout == Some(0) {
            return bad("--dev-holdout", "must be at least 1");
        }
        if self.lstm_hidden == 0 || self.relation_hidden == 0 || self.word_dim == 0 {
            return bad("model size", "hidden sizes and word_dim must be positive");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_neighbours_need_substitution_and_a_vectors_file() {
        let asked = TrainConfig {
            substitute_neighbours: 8,
            ..TrainConfig::default()
        };
        let err = asked.validate().unwrap_err().to_string();
        assert!(err.contains("--substitute-neighbours"), "{err}");
        let with_vectors = TrainConfig {
            embeddings: Some(PathBuf::from("glove.txt")),
            glove_words: 1000,
            name_substitution: 0.3,
            ..asked
        };
        with_vectors.validate().unwrap();
        let without_file = TrainConfig {
            embeddings: None,
            init_from: Some(PathBuf::from("ckpt")),
            ..with_vectors
        };
        assert!(without_file.validate().is_err());
    }

    #[test]
    fn mention_units_need_substitution() {
        let asked = TrainConfig {
            substitution_unit: crate::names::SubstitutionUnit::Mention,
            ..TrainConfig::default()
        };
        let err = asked.validate().unwrap_err().to_string();
        assert!(err.contains("--substitution-unit"), "{err}");
        let with_substitution = TrainConfig {
            embeddings: Some(PathBuf::from("glove.txt")),
            glove_words: 1000,
            name_substitution: 0.5,
            ..asked
        };
        with_substitution.validate().unwrap();
    }

    #[test]
    fn frozen_vectors_need_a_vectors_file_and_a_fresh_run() {
        let asked = TrainConfig {
            freeze_vectors: true,
            ..TrainConfig::default()
        };
        let err = asked.validate().unwrap_err().to_string();
        assert!(err.contains("--freeze-vectors"), "{err}");
        let with_vectors = TrainConfig {
            embeddings: Some(PathBuf::from("glove.txt")),
            ..asked
        };
        with_vectors.validate().unwrap();
        let fine_tuning = TrainConfig {
            init_from: Some(PathBuf::from("ckpt")),
            ..with_vectors
        };
        let err = fine_tuning.validate().unwrap_err().to_string();
        assert!(err.contains("--freeze-vectors"), "{err}");
    }

    #[test]
    fn frozen_added_vectors_need_added_rows_a_fresh_run_and_no_frozen_vectors() {
        let asked = TrainConfig {
            embeddings: Some(PathBuf::from("glove.txt")),
            freeze_added_vectors: true,
            ..TrainConfig::default()
        };
        let err = asked.clone().validate().unwrap_err().to_string();
        assert!(err.contains("--freeze-added-vectors"), "{err}");
        let with_rows = TrainConfig {
            glove_words: 1000,
            ..asked
        };
        with_rows.clone().validate().unwrap();
        for wrong in [
            TrainConfig {
                freeze_vectors: true,
                ..with_rows.clone()
            },
            TrainConfig {
                init_from: Some(PathBuf::from("ckpt")),
                ..with_rows
            },
        ] {
            let err = wrong.validate().unwrap_err().to_string();
            assert!(err.contains("--freeze-added-vectors"), "{err}");
        }
    }
}
