//! `checkpoint.json`, the sidecar of a trainer checkpoint's `model.safetensors`: typed once here
//! for the trainer, which writes it, and the exporter, which reads it without libtorch.
//!
//! The run's settings (`train`) are the trainer's own type; [`CheckpointMeta`] takes it as a type
//! parameter. Readers that need only a few of them use [`TrainSummary`], which reads those and
//! skips the rest, so that the trainer may add settings without breaking the exporter.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::dataset::{DataFormat, LoadReport};
use crate::decode::MatchMode;
use crate::format::FormatError;
use crate::model_config::ModelConfig;
use crate::scores::Scores;
use crate::vocab::Vocab;

/// The version of `checkpoint.json` this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The weights file in a checkpoint directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The JSON sidecar in a checkpoint directory.
pub const META_FILE: &str = "checkpoint.json";

/// `checkpoint.json`: everything needed to use `model.safetensors` without the training data.
/// `Train` is the run's settings: rin-trainer's `TrainConfig`, or [`TrainSummary`] for readers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta<Train = TrainSummary> {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The model's shape; rebuilds the parameters.
    pub model: ModelConfig,
    /// The run's settings.
    #[serde(default)]
    pub train: Train,
    /// The entity tags in output order; must be [`crate::Tag::names`].
    pub tags: Vec<String>,
    /// Relation names in output order.
    pub relations: Vec<String>,
    /// The word vocabulary (row order of `word_embedding.weight`; look-ups lower-case the token).
    pub words: Vocab,
    /// The POS vocabulary and where tags came from; `None` for models without POS.
    pub pos: Option<PosInfo>,
    /// Triple matching for scoring and decoding.
    pub match_mode: MatchMode,
    /// Relation probability threshold.
    pub threshold: f32,
    /// Where the initial word vectors came from.
    pub embeddings: EmbeddingInfo,
    /// The data set and split sizes.
    pub data: DataInfo,
    /// Every parameter with its shape (the exporter checks shapes from the model config instead).
    #[serde(default)]
    pub parameters: Vec<ParameterInfo>,
    /// The epoch these weights are from.
    #[serde(default)]
    pub epoch: usize,
    /// Dev scores of these weights.
    #[serde(default)]
    pub dev: Option<Scores>,
    /// Training progress (`last` only).
    #[serde(default)]
    pub progress: Option<Progress>,
    /// For the weights of `rin-train --average-from`: the epochs whose mean they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub averaged: Option<AveragedEpochs>,
}

impl<Train> CheckpointMeta<Train> {
    /// Fails unless `format_version` is [`FORMAT_VERSION`].
    pub fn check_version(&self) -> Result<(), FormatError> {
        crate::format::check_version(self.format_version, FORMAT_VERSION)
    }

    /// The POS vocabulary to batch with: the stored one, or PAD/UNK only for models without POS.
    pub fn pos_vocab(&self) -> Vocab {
        self.pos
            .as_ref()
            .map_or_else(Vocab::new, |p| p.vocab.clone())
    }

    /// Whether the model reads its tagger plugin's POS tags even where a data set ships its own
    /// (see [`PosInfo::reads_data_tags`]).
    pub fn retags_data(&self) -> bool {
        self.pos.as_ref().is_some_and(|p| !p.reads_data_tags())
    }

    /// Dev F1 of string triples (the headline figure), if the checkpoint was evaluated.
    pub fn dev_f1(&self) -> Option<f64> {
        self.dev.as_ref().map(|d| d.triples.f1)
    }
}

/// The run settings a reader of a checkpoint needs; the trainer's other settings are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrainSummary {
    /// Whether every interaction layer was supervised (every K up to the trained one usable).
    #[serde(default)]
    pub deep_supervision: bool,
    /// The run's random seed.
    #[serde(default)]
    pub seed: Option<u64>,
}

/// The POS side of a checkpoint (and of an export's manifest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosInfo {
    /// The POS vocabulary (PAD, UNK, then the tag set).
    pub vocab: Vocab,
    /// The tag set's name (`penn-treebank`).
    pub tagset: String,
    /// What produced the training tags.
    #[serde(default)]
    pub source: Option<PosSource>,
}

impl PosInfo {
    /// The tagger plugin that tagged the training data, if a plugin did.
    pub fn plugin(&self) -> Option<&str> {
        match &self.source {
            Some(PosSource::Plugin { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// Whether the model reads the POS tags a data set ships with. A model trained on a tagger
    /// plugin's tags reads that tagger's tags everywhere, even where the data ships its own
    /// (WebNLG's CoreNLP tags differ from a plugin's, and the model saw only the plugin's).
    pub fn reads_data_tags(&self) -> bool {
        self.plugin().is_none()
    }
}

/// Where a model's POS tags came from (`pos.source`: `kind`, then `tagger` or `name`,
/// `version`, `tagset` and `tags`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PosSource {
    /// Tags shipped with the data set (WebNLG exact: Stanford CoreNLP).
    Dataset {
        /// Who tagged the data, as far as known.
        tagger: String,
    },
    /// A tagger plugin run by the trainer.
    Plugin {
        /// The plugin's name (as given to `--pos-tagger`).
        name: String,
        /// The plugin's version.
        version: String,
        /// The plugin's tag set name (e.g. `ptb`).
        tagset: String,
        /// The plugin's tags, in its order.
        tags: Vec<String>,
    },
}

impl std::fmt::Display for PosSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PosSource::Plugin { name, version, .. } => write!(f, "plugin {name} {version}"),
            PosSource::Dataset { tagger } => write!(f, "the data set ({tagger})"),
        }
    }
}

/// The one rule for the tagger of raw text: `requested` if given, else the plugin that tagged the
/// training data, else `fallback` (training tags shipped with the data: some tagger of the same
/// tag set must stand in). `None` when the model reads no POS.
pub fn choose_tagger<'a>(
    pos: Option<&'a PosInfo>,
    requested: Option<&'a str>,
    fallback: &'a str,
) -> Option<&'a str> {
    let pos = pos?;
    Some(requested.or(pos.plugin()).unwrap_or(fallback))
}

/// Where the initial word vectors came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingInfo {
    /// The vectors file, if any.
    pub path: Option<PathBuf>,
    /// Vector size.
    pub dim: usize,
    /// Vocabulary size (PAD and UNK included).
    pub vocab: usize,
    /// Rows initialised from the file.
    pub pretrained_rows: usize,
    /// How the other rows were initialised.
    pub other_rows: String,
    /// Words added by `--glove-words` (the file's most frequent words not in the data).
    #[serde(default)]
    pub added_words: usize,
    /// The rows name substitution draws from, `[start, end)`.
    #[serde(default)]
    pub substitutes: (usize, usize),
}

/// Where the training data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataInfo {
    /// The data folder.
    pub dir: PathBuf,
    /// Its format.
    pub format: DataFormat,
    /// The match mode used for scoring.
    pub match_mode: MatchMode,
    /// Per split: sentences used and the loader's report.
    pub splits: BTreeMap<String, SplitInfo>,
}

/// One split's size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitInfo {
    /// Sentences used (after `--train-limit`/`--dev-limit`).
    pub sentences: usize,
    /// What the loader read and had to change.
    pub report: LoadReport,
}

/// The epochs whose weights a checkpoint holds the mean of (`rin-train --average-from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AveragedEpochs {
    /// The first epoch averaged.
    pub first: usize,
    /// The last epoch averaged.
    pub last: usize,
}

impl AveragedEpochs {
    /// How many epochs are averaged.
    pub fn count(&self) -> usize {
        self.last + 1 - self.first
    }
}

impl std::fmt::Display for AveragedEpochs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "mean of epochs {}-{}", self.first, self.last)
    }
}

/// One parameter's name and shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterInfo {
    /// The name in `model.safetensors`.
    pub name: String,
    /// Its shape.
    pub shape: Vec<i64>,
}

/// Where training stands; present in `last` checkpoints, which `--resume` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Progress {
    /// Epochs completed.
    pub epoch: usize,
    /// Optimiser steps taken.
    pub step: usize,
    /// Best dev F1 (string triples) so far, in [0, 1]; -1 before the first evaluation.
    pub best_f1: f64,
    /// The epoch that reached `best_f1`.
    pub best_epoch: usize,
    /// Epochs since `best_f1` last improved.
    pub epochs_without_improvement: usize,
    /// Adam's step count per parameter.
    pub adam_steps: BTreeMap<String, u64>,
}
