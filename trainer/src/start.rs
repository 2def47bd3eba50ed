//! What a new run starts from: a fresh model initialised from the seed and the embeddings file,
//! or a checkpoint's weights, vocabulary and POS source (`--init-from`), its vocabulary optionally
//! widened by the embeddings file's most frequent words (`--glove-words`).

use std::path::Path;

use rin_core::{load_glove_top, Vocab};
use tch::nn::VarStore;
use tch::Device;

use crate::checkpoint::Checkpoint;
use crate::config::{ModelConfig, TrainConfig};
use crate::corpus::{self, Corpus, EmbeddingInfo};
use crate::error::{Error, Result};
use crate::model::RinModel;
use crate::pos::{self, PosSource};

/// What a new run starts from: a fresh model, or a checkpoint's (`--init-from`).
pub struct Start {
    /// The model's shape.
    pub model_config: ModelConfig,
    /// The word vocabulary.
    pub words: Vocab,
    /// The POS vocabulary (empty without POS).
    pub pos_vocab: Vocab,
    /// Where the POS tags came from.
    pub pos_source: Option<PosSource>,
    /// Where the word vectors came from.
    pub embeddings: EmbeddingInfo,
    /// Owns the parameters.
    pub vs: VarStore,
    /// The model.
    pub model: RinModel,
}

impl Start {
    /// A model initialised from the seed and the embeddings file.
    pub fn fresh(
        corpus: &mut Corpus,
        config: &TrainConfig,
        k: usize,
        device: Device,
    ) -> Result<Start> {
        let pos_source = if config.pos_dim > 0 {
            prepare_pos(corpus, None, config)?
        } else {
            strip_all_pos(corpus);
            None
        };
        let pos_vocab = if config.pos_dim > 0 {
            pos::pos_vocab()
        } else {
            Vocab::new()
        };
        tch::manual_seed(config.seed as i64);
        let vectors = corpus::word_vectors(
            &corpus.train,
            &[&corpus.dev, &corpus.test],
            config.embeddings.as_deref(),
            config.word_dim,
            config.glove_words,
        )?;
        let model_config = ModelConfig {
            word_vocab: vectors.vocab.len(),
            word_dim: vectors.dim,
            pos_vocab: if config.pos_dim > 0 {
                pos_vocab.len()
            } else {
                0
            },
            pos_dim: config.pos_dim,
            lstm_hidden: config.lstm_hidden,
            relation_hidden: config.relation_hidden,
            relations: corpus.relations.len(),
            k,
            interaction: config.interaction,
            dropout: config.dropout,
        };
        let vs = VarStore::new(device);
        let mut model = RinModel::new(&vs.root(), model_config.clone());
        model.init_word_vectors(&vectors.rows, &vectors.vectors, corpus::RANDOM_WORD_RANGE);
        Ok(Start {
            model_config,
            embeddings: vectors.info(config.embeddings.as_deref()),
            words: vectors.vocab,
            pos_vocab,
            pos_source,
            vs,
            model,
        })
    }

    /// The weights, vocabulary and POS source of the checkpoint in `dir`, which must know the
    /// data's relations in the same order.
    pub fn from_checkpoint(
        dir: &Path,
        corpus: &mut Corpus,
        config: &TrainConfig,
        device: Device,
    ) -> Result<Start> {
        let ckpt = Checkpoint::load(dir, device)?;
        if ckpt.meta.relations.as_slice() != corpus.relations.names() {
            return Err(Error::Setting {
                name: "--init-from",
                reason: format!(
                    "{} was trained on other relations than {} (rel2id.json differs)",
                    dir.display(),
                    corpus.dir.display()
                ),
            });
        }
        let pos_source = match &ckpt.meta.pos {
            Some(info) => prepare_pos(corpus, info.source.as_ref(), config)?,
            None => {
                strip_all_pos(corpus);
                None
            }
        };
        let start = Start {
            pos_vocab: ckpt.meta.pos_vocab(),
            model_config: ckpt.meta.model.clone(),
            words: ckpt.meta.words.clone(),
            pos_source,
            embeddings: ckpt.meta.embeddings.clone(),
            vs: ckpt.vs,
            model: ckpt.model,
        };
        match (&config.embeddings, config.glove_words) {
            (Some(path), n) if n > 0 => start.widened(path, n, device),
            _ => Ok(start),
        }
    }

    /// This start with the `n` most frequent words of the vectors file at `path` that its
    /// vocabulary lacks appended, with their pre-trained vectors; every other parameter is kept.
    /// The new rows are where name substitution draws from.
    fn widened(self, path: &Path, n: usize, device: Device) -> Result<Start> {
        let Start {
            model_config,
            mut words,
            pos_vocab,
            pos_source,
            embeddings,
            vs: old_vs,
            model: _,
        } = self;
        let glove = load_glove_top(path, Some(&Default::default()), n)
            .map_err(Error::data(format!("read word vectors {}", path.display())))?;
        if glove.dim != model_config.word_dim {
            return Err(Error::Setting {
                name: "--embeddings",
                reason: format!(
                    "{} has {}-d vectors, the checkpoint {}-d word vectors",
                    path.display(),
                    glove.dim,
                    model_config.word_dim
                ),
            });
        }
        let known = words.len();
        let (mut rows, mut vectors) = (Vec::new(), Vec::new());
        for (id, word) in glove.vocab.tokens().iter().enumerate().skip(2) {
            if !words.contains(word) {
                rows.push(words.insert(word) as i64);
                vectors.extend_from_slice(glove.row(id).unwrap_or_default());
            }
        }
        let model_config = ModelConfig {
            word_vocab: words.len(),
            ..model_config
        };
        let vs = VarStore::new(device);
        let mut model = RinModel::new(&vs.root(), model_config.clone());
        model.init_word_vectors(&rows, &vectors, corpus::RANDOM_WORD_RANGE);
        let old = old_vs.variables();
        tch::no_grad(|| -> Result<()> {
            for (name, variable) in vs.variables() {
                let source = old.get(&name).ok_or_else(|| Error::Setting {
                    name: "--init-from",
                    reason: format!("the checkpoint has no parameter {name}"),
                })?;
                let rows = source.size()[0];
                variable.narrow(0, 0, rows).copy_(source);
            }
            Ok(())
        })?;
        let added = words.len() - known;
        let embeddings = EmbeddingInfo {
            path: Some(path.to_path_buf()),
            vocab: words.len(),
            pretrained_rows: embeddings.pretrained_rows + added,
            added_words: embeddings.added_words + added,
            substitutes: {
                let rows = corpus::substitute_rows(known, words.len());
                (rows.start, rows.end)
            },
            ..embeddings
        };
        tracing::info!(
            added,
            words = words.len(),
            "vocabulary widened from the embeddings file"
        );
        Ok(Start {
            model_config,
            words,
            embeddings,
            pos_vocab,
            pos_source,
            vs,
            model,
        })
    }
}

fn strip_all_pos(corpus: &mut Corpus) {
    for d in [&mut corpus.train, &mut corpus.dev, &mut corpus.test] {
        pos::strip_pos(d);
    }
}

/// Attaches POS tags to the training and dev splits: the data's own where it has them, else the
/// tagger plugin's. With `expected` (on resume), the plugin is the one the checkpoint names. With
/// `--retag-pos`, or a checkpoint trained on a plugin's tags, the data's own tags are dropped so
/// that every split is tagged by the plugin, as user text is.
pub fn prepare_pos(
    corpus: &mut Corpus,
    expected: Option<&PosSource>,
    config: &TrainConfig,
) -> Result<Option<PosSource>> {
    let name = match expected {
        Some(PosSource::Plugin { name, .. }) => name.clone(),
        _ => config.pos_tagger.clone(),
    };
    if config.retag_pos || matches!(expected, Some(PosSource::Plugin { .. })) {
        pos::strip_pos(&mut corpus.train);
        pos::strip_pos(&mut corpus.dev);
    }
    let needs = pos::needs_tagger(&corpus.train) || pos::needs_tagger(&corpus.dev);
    let mut tagger = if needs {
        Some(pos::load_tagger(&name, config.plugin_dir.as_deref())?)
    } else {
        None
    };
    let source = pos::attach_pos(&mut corpus.train, tagger.as_deref_mut())?;
    pos::attach_pos(&mut corpus.dev, tagger.as_deref_mut())?;
    if let (Some(expected), Some(found)) = (expected, &source) {
        if expected != found {
            tracing::warn!(
                ?expected,
                ?found,
                "POS tags now come from a different source than before the resume"
            );
        }
    }
    Ok(source)
}
