//! Loading a data set's splits and building the word vocabulary with its initial vectors.
//!
//! Word vocabulary (a documented choice): every training token, plus every dev/test token that
//! has a GloVe vector. Every row is fine-tuned, but a word that never occurs in training gets no
//! gradient, so dev/test-only words keep their GloVe vectors; training words without a vector
//! start random; all other words are UNK (a zero vector).
//! Look-ups use `rin_core::word_key` (lower case), since GloVe 6B is lower-cased.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rin_core::dataset::load_relations;
use rin_core::{
    load_glove_top, load_split, word_key, DataFormat, Dataset, LoadReport, MatchMode, RelationSet,
    Vocab,
};

use crate::error::{Error, Result};

pub use rin_core::checkpoint::{DataInfo, EmbeddingInfo, SplitInfo};

/// The three splits of a data set and its relation set.
#[derive(Debug)]
pub struct Corpus {
    /// The data folder.
    pub dir: PathBuf,
    /// The input format.
    pub format: DataFormat,
    /// The relation types.
    pub relations: RelationSet,
    /// Training sentences.
    pub train: Dataset,
    /// Development sentences (model selection).
    pub dev: Dataset,
    /// Test sentences (never used for selection).
    pub test: Dataset,
}

/// Which files make a run's train, dev and test sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPlan {
    /// The file trained on: `train`, or `dev` for data without a training set.
    pub train: String,
    /// When set, the last N sentences of the training file are the dev set (and are not trained
    /// on); otherwise `dev.json` is.
    pub dev_holdout: Option<usize>,
}

impl Default for SplitPlan {
    fn default() -> Self {
        SplitPlan {
            train: "train".into(),
            dev_holdout: None,
        }
    }
}

impl Corpus {
    /// Reads the splits of `dir` that `plan` names, and `dir/rel2id.json`; `format` `None`
    /// detects it from the training file. Sentences without tokens are dropped (a BiLSTM cannot
    /// read them).
    pub fn load(dir: &Path, format: Option<DataFormat>, plan: &SplitPlan) -> Result<Corpus> {
        let (format, relations) = Self::describe(dir, format, &plan.train)?;
        let (train, dev) = Self::train_and_dev(dir, format, &relations, plan)?;
        Ok(Corpus {
            dir: dir.to_path_buf(),
            format,
            train,
            dev,
            test: read_split(dir, "test", format, &relations)?,
            relations,
        })
    }

    /// Reads one split (`train`, `dev` or `test`, as `plan` defines them) and the relations,
    /// without needing the other files.
    pub fn load_one(
        dir: &Path,
        format: Option<DataFormat>,
        plan: &SplitPlan,
        name: &str,
    ) -> Result<(RelationSet, Dataset)> {
        let file = match (name, plan.dev_holdout) {
            ("test", _) => "test",
            ("dev", None) => "dev",
            ("train" | "dev", _) => plan.train.as_str(),
            (other, _) => {
                return Err(Error::Setting {
                    name: "--split",
                    reason: format!("{other:?} is not train, dev or test"),
                })
            }
        };
        let (format, relations) = Self::describe(dir, format, file)?;
        let data = match (name, plan.dev_holdout) {
            ("train", Some(_)) => Self::train_and_dev(dir, format, &relations, plan)?.0,
            ("dev", Some(_)) => Self::train_and_dev(dir, format, &relations, plan)?.1,
            _ => read_split(dir, file, format, &relations)?,
        };
        Ok((relations, data))
    }

    /// The format (detected from `dir/{detect_from}.json` when `None`) and the relations.
    fn describe(
        dir: &Path,
        format: Option<DataFormat>,
        detect_from: &str,
    ) -> Result<(DataFormat, RelationSet)> {
        let format = match format {
            Some(f) => f,
            None => DataFormat::detect(&rin_core::dataset::split_path(
                dir,
                detect_from,
                DataFormat::CasRel,
            ))
            .map_err(Error::data(format!(
                "detect the format of {}",
                dir.display()
            )))?,
        };
        let relations = load_relations(dir).map_err(Error::data(format!(
            "read the relations of {}",
            dir.display()
        )))?;
        Ok((format, relations))
    }

    fn train_and_dev(
        dir: &Path,
        format: DataFormat,
        relations: &RelationSet,
        plan: &SplitPlan,
    ) -> Result<(Dataset, Dataset)> {
        let mut train = read_split(dir, &plan.train, format, relations)?;
        let dev = match plan.dev_holdout {
            None => read_split(dir, "dev", format, relations)?,
            Some(n) => {
                let len = train.sentences.len();
                if n >= len {
                    return Err(Error::Setting {
                        name: "--dev-holdout",
                        reason: format!(
                            "{n} sentences would leave none of the {len} in {}.json to train on",
                            plan.train
                        ),
                    });
                }
                Dataset {
                    sentences: train.sentences.split_off(len - n),
                    // The loader's report covers the whole file; it stays with the training part.
                    report: LoadReport::default(),
                }
            }
        };
        Ok((train, dev))
    }

    /// Sizes and loader reports, for the checkpoint.
    pub fn info(&self, match_mode: MatchMode) -> DataInfo {
        let mut reports = BTreeMap::new();
        for (name, d) in [
            ("train", &self.train),
            ("dev", &self.dev),
            ("test", &self.test),
        ] {
            reports.insert(
                name.to_owned(),
                SplitInfo {
                    sentences: d.sentences.len(),
                    report: d.report,
                },
            );
        }
        DataInfo {
            dir: self.dir.clone(),
            format: self.format,
            match_mode,
            splits: reports,
        }
    }
}

/// The word vocabulary and the rows to initialise from pre-trained vectors.
#[derive(Debug, Clone)]
pub struct WordVectors {
    /// PAD, UNK, training words, then dev/test words that have a vector.
    pub vocab: Vocab,
    /// Vector size.
    pub dim: usize,
    /// Vocabulary rows that have a pre-trained vector.
    pub rows: Vec<i64>,
    /// `rows.len() x dim` vectors, row-major.
    pub vectors: Vec<f32>,
    /// Vocabulary rows that only `--glove-words` brought (no data set has them), past the most
    /// frequent [`SUBSTITUTE_SKIP`]: where name substitution draws from. Empty without
    /// `--glove-words`.
    pub substitutes: std::ops::Range<usize>,
    /// How many words `--glove-words` added.
    pub added_words: usize,
}

/// The most frequent words that `--glove-words` adds are function words and punctuation, not
/// names: name substitution skips this many.
pub const SUBSTITUTE_SKIP: usize = 1000;

/// The rows name substitution draws from in a vocabulary of `total` words whose first `known`
/// came from the data: the added words past the [`SUBSTITUTE_SKIP`] most frequent.
pub fn substitute_rows(known: usize, total: usize) -> std::ops::Range<usize> {
    (known + SUBSTITUTE_SKIP).min(total)..total
}

/// The range of the uniform initialisation of words without a pre-trained vector (Kim 2014).
pub const RANDOM_WORD_RANGE: f64 = 0.25;

/// Builds the word vocabulary from `train` (and `others` where `embeddings` has a vector) and, if
/// given, reads the vectors it needs from a GloVe file.
pub fn word_vectors(
    train: &Dataset,
    others: &[&Dataset],
    embeddings: Option<&Path>,
    default_dim: usize,
    glove_words: usize,
) -> Result<WordVectors> {
    let keys = |d: &Dataset| -> Vec<String> {
        d.sentences
            .iter()
            .flat_map(|s| s.tokens.iter().map(|t| word_key(t)))
            .collect()
    };
    let glove = match embeddings {
        Some(path) => {
            let mut wanted: HashSet<String> = keys(train).into_iter().collect();
            for d in others {
                wanted.extend(keys(d));
            }
            Some(
                load_glove_top(path, Some(&wanted), glove_words)
                    .map_err(Error::data(format!("read word vectors {}", path.display())))?,
            )
        }
        None => None,
    };
    let mut vocab = Vocab::new();
    for key in keys(train) {
        vocab.insert(&key);
    }
    if let Some(glove) = &glove {
        for d in others {
            for key in keys(d) {
                if glove.vocab.contains(&key) {
                    vocab.insert(&key);
                }
            }
        }
    }
    // The file's most frequent words, in its order; the data's words are in already.
    let data_words = vocab.len();
    if let Some(glove) = glove.as_ref().filter(|_| glove_words > 0) {
        for word in &glove.vocab.tokens()[2..] {
            vocab.insert(word);
        }
    }
    let added_words = vocab.len() - data_words;
    let substitutes = substitute_rows(data_words, vocab.len());
    let dim = glove.as_ref().map_or(default_dim, |g| g.dim);
    let (mut rows, mut vectors) = (Vec::new(), Vec::new());
    if let Some(glove) = &glove {
        for (id, word) in vocab.tokens().iter().enumerate().skip(2) {
            if glove.vocab.contains(word) {
                if let Some(v) = glove.row(glove.vocab.id(word)) {
                    rows.push(id as i64);
                    vectors.extend_from_slice(v);
                }
            }
        }
    }
    Ok(WordVectors {
        vocab,
        dim,
        rows,
        vectors,
        substitutes,
        added_words,
    })
}

impl WordVectors {
    /// The checkpoint record of these vectors.
    pub fn info(&self, path: Option<&Path>) -> EmbeddingInfo {
        EmbeddingInfo {
            path: path.map(Path::to_path_buf),
            dim: self.dim,
            vocab: self.vocab.len(),
            pretrained_rows: self.rows.len(),
            other_rows: format!(
                "uniform(-{RANDOM_WORD_RANGE}, {RANDOM_WORD_RANGE}); PAD and UNK rows zero"
            ),
            added_words: self.added_words,
            substitutes: (self.substitutes.start, self.substitutes.end),
        }
    }
}

fn read_split(
    dir: &Path,
    name: &str,
    format: DataFormat,
    relations: &RelationSet,
) -> Result<Dataset> {
    let mut d = load_split(dir, name, format, relations).map_err(Error::data(format!(
        "read split {name} of {}",
        dir.display()
    )))?;
    d.sentences.retain(|s| !s.is_empty());
    Ok(d)
}

/// Keeps the first `limit` sentences, if a limit is set.
pub fn truncate(dataset: &mut Dataset, limit: Option<usize>) {
    if let Some(limit) = limit {
        dataset.sentences.truncate(limit);
    }
}
