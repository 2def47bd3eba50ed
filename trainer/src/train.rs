//! The training loop: length-bucketed batches, Adam with gradient clipping, one dev evaluation
//! per epoch, early stopping on dev F1, and checkpoints (`last` every epoch, `best` by dev F1).
//!
//! Randomness is a pure function of `(seed, epoch)`: every epoch reseeds libtorch (dropout) and
//! the batch shuffle from [`epoch_seed`]. That is what makes `--resume` exact: resuming after
//! epoch e replays epoch e + 1 exactly as an uninterrupted run would (same thread count).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rin_core::{MatchMode, PaddedBatch, Sentence, Tag, Vocab};

use crate::average::WeightAverage;
use crate::joined_texts::TextJoining;
use crate::names::NameSubstitution;
use crate::neighbours::SubstituteNeighbours;
use crate::split_texts::TextSplitting;
use crate::start::{self, Start};
use serde::{Deserialize, Serialize};
use tch::nn::VarStore;
use tch::Device;

use crate::batch::TensorBatch;
use crate::checkpoint::{self, Checkpoint, CheckpointMeta, PosInfo, Progress};
use crate::config::{DeviceChoice, TrainConfig};
use crate::corpus::{self, Corpus};
use crate::error::{CheckpointProblem, Error, Result};
use crate::eval::{evaluate, Decoding, Scores};
use crate::frozen::FrozenRows;
use crate::loss;
use crate::model::RinModel;
use crate::optim::Adam;
use crate::pos;

/// Receives progress events; the binary draws bars, tests stay silent.
pub trait Reporter {
    /// An epoch of `batches` batches and `sentences` sentences begins.
    fn epoch_start(&mut self, _epoch: usize, _epochs: usize, _batches: usize, _sentences: usize) {}
    /// A batch of `sentences` sentences was trained; `loss` is its loss.
    fn step(&mut self, _sentences: usize, _loss: f64) {}
    /// Training for the epoch is done; evaluation on dev starts.
    fn evaluating(&mut self) {}
    /// The epoch is complete.
    fn epoch_end(&mut self, _record: &EpochRecord) {}
}

/// A [`Reporter`] that reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Reporter for Silent {}

/// One line of `metrics.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// The epoch (1-based).
    pub epoch: usize,
    /// Optimiser steps so far.
    pub step: usize,
    /// Mean training loss per batch.
    pub train_loss: f64,
    /// Seconds spent training (forward, backward, update, batch preparation).
    pub train_seconds: f64,
    /// Training sentences per second.
    pub sentences_per_second: f64,
    /// Seconds spent on the dev evaluation.
    pub eval_seconds: f64,
    /// Dev scores.
    pub dev: Scores,
    /// Scores on the `--watch-dev` set (not used for selection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_dev: Option<Scores>,
    /// Dev scores of the weight average (`--average-from`), once it holds an epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_dev: Option<Scores>,
    /// `--watch-dev` scores of the weight average.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_watch_dev: Option<Scores>,
    /// Whether this epoch set a new best dev F1.
    pub improved: bool,
    /// Best dev F1 so far.
    pub best_f1: f64,
    /// The epoch of the best dev F1.
    pub best_epoch: usize,
}

/// How a training run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOutcome {
    /// The run directory.
    pub run_dir: PathBuf,
    /// Epochs completed in total (including those before a resume).
    pub epochs: usize,
    /// The best epoch.
    pub best_epoch: usize,
    /// Its dev F1 (string triples).
    pub best_f1: f64,
    /// Whether patience ran out before `epochs`.
    pub stopped_early: bool,
    /// The records of the epochs run in this call.
    pub records: Vec<EpochRecord>,
}

/// Settings that may change when a run is resumed; everything else comes from the checkpoint.
#[derive(Debug, Clone, Default)]
pub struct ResumeOverrides {
    /// A new maximum number of epochs.
    pub epochs: Option<usize>,
    /// A new patience.
    pub patience: Option<usize>,
    /// Another device.
    pub device: Option<DeviceChoice>,
    /// Another thread count (results then differ in the last bits).
    pub threads: Option<usize>,
}

/// The seed of epoch `epoch` of a run seeded with `seed` (SplitMix64 finaliser).
pub fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    let mut z = seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Sets libtorch's thread count if one is given.
pub fn set_threads(threads: Option<usize>) {
    if let Some(t) = threads {
        tch::set_num_threads(t as i32);
    }
}

/// Trains a new model into `config.run_dir`, which must not hold a checkpoint yet.
pub fn train(config: TrainConfig, reporter: &mut dyn Reporter) -> Result<TrainOutcome> {
    config.validate()?;
    if config.run_dir.join("last").exists() {
        return Err(Error::Setting {
            name: "--run-dir",
            reason: format!(
                "{} already holds a run; use --resume or another directory",
                config.run_dir.display()
            ),
        });
    }
    let session = Session::fresh(config)?;
    session.run(reporter)
}

/// Continues the run in `run_dir` from its `last` checkpoint, with the same optimiser state,
/// epoch count and random state.
pub fn resume(
    run_dir: &Path,
    overrides: &ResumeOverrides,
    reporter: &mut dyn Reporter,
) -> Result<TrainOutcome> {
    let last = run_dir.join("last");
    if !last.exists() {
        return Err(Error::Checkpoint {
            path: run_dir.to_path_buf(),
            problem: CheckpointProblem::NothingToResume,
        });
    }
    checkpoint::adopt_plain_dirs(run_dir)?;
    let session = Session::resumed(&last, run_dir, overrides)?;
    session.run(reporter)
}

/// Everything a run holds.
struct Session {
    config: TrainConfig,
    device: Device,
    corpus: Corpus,
    meta: CheckpointMeta,
    words: Vocab,
    pos: Vocab,
    vs: VarStore,
    model: RinModel,
    adam: Adam,
    progress: Progress,
    /// Where name substitution draws each word from (`--substitute-neighbours`).
    neighbours: Option<Arc<SubstituteNeighbours>>,
    /// The word rows `--freeze-vectors` keeps.
    frozen: Option<FrozenRows>,
    /// The `--watch-dev` sentences, POS-tagged.
    watch: Option<Vec<Sentence>>,
    /// The running mean of the weights (`--average-from`).
    average: Option<WeightAverage>,
}

impl Session {
    fn fresh(config: TrainConfig) -> Result<Session> {
        set_threads(config.threads);
        let device = config.device.resolve()?;
        let mut corpus = Corpus::load(&config.data_dir, config.format, &config.splits())?;
        corpus::truncate(&mut corpus.train, config.train_limit);
        corpus::truncate(&mut corpus.dev, config.dev_limit);
        let mode = config.match_mode_for(corpus.format);
        let k = config.k_for(mode);

        let start = match &config.init_from {
            Some(dir) => Start::from_checkpoint(dir, &mut corpus, &config, device)?,
            None => Start::fresh(&mut corpus, &config, k, device)?,
        };
        let Start {
            model_config,
            words,
            pos_vocab,
            pos_source,
            embeddings,
            vs,
            model,
        } = start;
        let adam = Adam::new(&vs, config.lr);
        let pos = (model_config.pos_dim > 0).then(|| PosInfo {
            vocab: pos_vocab.clone(),
            tagset: pos::TAGSET.into(),
            source: pos_source,
        });
        let meta = CheckpointMeta {
            format_version: checkpoint::FORMAT_VERSION,
            model: model_config.clone(),
            train: config.clone(),
            tags: Tag::names().map(String::from).to_vec(),
            relations: corpus.relations.names().to_vec(),
            words: words.clone(),
            pos,
            match_mode: mode,
            threshold: config.threshold,
            embeddings,
            data: corpus.info(mode),
            parameters: checkpoint::parameter_infos(&vs),
            epoch: 0,
            dev: None,
            progress: None,
            averaged: None,
        };
        tracing::info!(
            data = %corpus.dir.display(),
            format = %corpus.format,
            train = corpus.train.sentences.len(),
            dev = corpus.dev.sentences.len(),
            relations = corpus.relations.len(),
            words = words.len(),
            init_from = ?config.init_from,
            k = model_config.k,
            device = ?device,
            threads = tch::get_num_threads(),
            "starting a new run"
        );
        let progress = Progress {
            best_f1: -1.0,
            ..Progress::default()
        };
        let neighbours = substitute_neighbours(&config, &words, &corpus, &meta)?;
        let frozen = frozen_rows(&config, &words, &meta, device)?;
        let watch = watch_dev(&config, &corpus, meta.model.pos_dim > 0, meta.retags_data())?;
        let average = config
            .average_from
            .map(|first| WeightAverage::new(first, &vs));
        Ok(Session {
            neighbours,
            frozen,
            watch,
            average,
            config,
            device,
            corpus,
            words,
            pos: pos_vocab,
            meta,
            vs,
            model,
            adam,
            progress,
        })
    }

    fn resumed(last: &Path, run_dir: &Path, overrides: &ResumeOverrides) -> Result<Session> {
        let stored = checkpoint::read_meta(last)?;
        let mut config = stored.train.clone();
        config.run_dir = run_dir.to_path_buf();
        if let Some(e) = overrides.epochs {
            config.epochs = e;
        }
        if let Some(p) = overrides.patience {
            config.patience = p;
        }
        if let Some(d) = overrides.device {
            config.device = d;
        }
        if overrides.threads.is_some() {
            config.threads = overrides.threads;
        }
        config.validate()?;
        set_threads(config.threads);
        let device = config.device.resolve()?;
        let ckpt = Checkpoint::load(last, device)?;
        let progress = ckpt
            .meta
            .progress
            .clone()
            .ok_or_else(|| Error::Checkpoint {
                path: last.to_path_buf(),
                problem: CheckpointProblem::NoTrainState,
            })?;
        // One read of the train state (Adam's moments and the weight average: 60 MB for a
        // 100,000-word vocabulary) serves both.
        let mut state = ckpt.train_state()?;
        let average = match config.average_from {
            Some(first) => Some(
                WeightAverage::restore(first, progress.epoch, &ckpt.vs, &mut state).map_err(
                    |reason| Error::Checkpoint {
                        path: last.to_path_buf(),
                        problem: CheckpointProblem::AverageState(reason),
                    },
                )?,
            ),
            None => None,
        };
        let mut adam = Adam::new(&ckpt.vs, config.lr);
        ckpt.restore_optimizer_from(&mut adam, state)?;

        let mut corpus = Corpus::load(&config.data_dir, config.format, &config.splits())?;
        corpus::truncate(&mut corpus.train, config.train_limit);
        corpus::truncate(&mut corpus.dev, config.dev_limit);
        match ckpt.meta.pos.as_ref().and_then(|p| p.source.clone()) {
            Some(source) => {
                start::prepare_pos(&mut corpus, Some(&source), &config)?;
            }
            None => {
                for d in [&mut corpus.train, &mut corpus.dev, &mut corpus.test] {
                    pos::strip_pos(d);
                }
            }
        }
        checkpoint::truncate_metrics(run_dir, progress.epoch)?;
        tracing::info!(run = %run_dir.display(), epoch = progress.epoch, step = progress.step, "resuming");
        let Checkpoint {
            meta, vs, model, ..
        } = ckpt;
        let mut meta = meta;
        meta.train = config.clone();
        let neighbours = substitute_neighbours(&config, &meta.words, &corpus, &meta)?;
        let frozen = frozen_rows(&config, &meta.words, &meta, device)?;
        let watch = watch_dev(&config, &corpus, meta.model.pos_dim > 0, meta.retags_data())?;
        Ok(Session {
            neighbours,
            frozen,
            watch,
            average,
            config,
            device,
            corpus,
            words: meta.words.clone(),
            pos: meta.pos_vocab(),
            meta,
            vs,
            model,
            adam,
            progress,
        })
    }

    fn run(mut self, reporter: &mut dyn Reporter) -> Result<TrainOutcome> {
        std::fs::create_dir_all(&self.config.run_dir).map_err(Error::io(&self.config.run_dir))?;
        let mut records = Vec::new();
        let mut stopped_early = false;
        while self.progress.epoch < self.config.epochs {
            if self.progress.epochs_without_improvement >= self.config.patience
                && self.progress.epoch > 0
            {
                stopped_early = true;
                break;
            }
            let record = self.epoch(reporter)?;
            reporter.epoch_end(&record);
            tracing::debug!(
                epoch = record.epoch,
                loss = record.train_loss,
                dev_p = record.dev.triples.precision,
                dev_r = record.dev.triples.recall,
                dev_f1 = record.dev.triples.f1,
                dev_entity_f1 = record.dev.entities.f1,
                best_f1 = record.best_f1,
                best_epoch = record.best_epoch,
                train_s = record.train_seconds,
                "epoch done"
            );
            records.push(record);
        }
        if self.progress.epochs_without_improvement >= self.config.patience
            && self.progress.epoch < self.config.epochs
        {
            stopped_early = true;
        }
        Ok(TrainOutcome {
            run_dir: self.config.run_dir.clone(),
            epochs: self.progress.epoch,
            best_epoch: self.progress.best_epoch,
            best_f1: self.progress.best_f1,
            stopped_early,
            records,
        })
    }

    fn k(&self) -> usize {
        self.meta.model.k
    }

    /// One epoch: training, dev evaluation, metrics line, checkpoints.
    fn epoch(&mut self, reporter: &mut dyn Reporter) -> Result<EpochRecord> {
        let epoch = self.progress.epoch + 1;
        let seed = epoch_seed(self.config.seed, epoch);
        tch::manual_seed(seed as i64);
        let (split, joined);
        let train = match TextSplitting::new(self.config.split_texts, seed) {
            Some(mut splitting) => {
                split = splitting.split(&self.corpus.train.sentences);
                &split
            }
            None => &self.corpus.train.sentences,
        };
        let train = match TextJoining::new(self.config.join_texts, self.config.join_order, seed) {
            Some(mut joining) => {
                joined = joining.join(train);
                &joined
            }
            None => train,
        };
        let lengths: Vec<usize> = train.iter().map(Sentence::len).collect();
        let buckets = rin_core::length_buckets(&lengths, self.config.batch_size, Some(seed));
        reporter.epoch_start(epoch, self.config.epochs, buckets.len(), train.len());

        let start = Instant::now();
        let mut total_loss = 0.0;
        let (from, to) = self.meta.embeddings.substitutes;
        let mut names =
            NameSubstitution::new(from..to, self.config.name_substitution, seed).map(|n| {
                n.with_neighbours(self.neighbours.clone())
                    .with_name_prefixes(substitutes_name_prefixes(&self.meta))
                    .with_unit(self.config.substitution_unit)
            });
        for bucket in &buckets {
            let batch = make_batch_with(
                train,
                bucket,
                &self.words,
                &self.pos,
                self.meta.model.relations,
                self.device,
                names.as_mut(),
            );
            let loss = train_step(
                &self.model,
                &mut self.adam,
                &self.config,
                self.meta.model.k,
                self.frozen.as_ref(),
                &batch,
            )?;
            self.progress.step += 1;
            if !loss.is_finite() {
                return Err(Error::NonFiniteLoss {
                    epoch,
                    step: self.progress.step,
                    value: loss,
                });
            }
            total_loss += loss;
            reporter.step(bucket.len(), loss);
        }
        let train_seconds = start.elapsed().as_secs_f64();
        if let Some(average) = &mut self.average {
            average.add(epoch, &self.vs);
        }

        reporter.evaluating();
        let start = Instant::now();
        let decoding = Decoding {
            words: &self.words,
            pos: &self.pos,
            k: self.k(),
            threshold: self.config.threshold,
            mode: self.meta.match_mode,
            batch_size: self.config.batch_size.max(1) * 2,
        };
        let (dev, watch_dev) = self.score(&decoding)?;
        let averaged = self.average.as_ref().and_then(WeightAverage::epochs);
        let (average_dev, average_watch_dev) = match (&self.average, averaged) {
            (Some(average), Some(epochs)) => {
                let (dev, watch) = average.with_mean_weights(&self.vs, || -> Result<_> {
                    let (dev, watch) = self.score(&decoding)?;
                    let meta = CheckpointMeta {
                        epoch,
                        dev: Some(dev),
                        progress: None,
                        averaged: Some(epochs),
                        ..self.meta.clone()
                    };
                    checkpoint::save(&self.config.run_dir, "average", &self.vs, &meta, None)?;
                    Ok((dev, watch))
                })?;
                (Some(dev), watch)
            }
            _ => (None, None),
        };
        let eval_seconds = start.elapsed().as_secs_f64();

        let f1 = dev.triples.f1;
        let improved = f1 > self.progress.best_f1;
        self.progress.epoch = epoch;
        if improved {
            self.progress.best_f1 = f1;
            self.progress.best_epoch = epoch;
            self.progress.epochs_without_improvement = 0;
        } else {
            self.progress.epochs_without_improvement += 1;
        }
        let record = EpochRecord {
            epoch,
            step: self.progress.step,
            train_loss: total_loss / buckets.len().max(1) as f64,
            train_seconds,
            sentences_per_second: train.len() as f64 / train_seconds.max(1e-9),
            eval_seconds,
            dev,
            watch_dev,
            average_dev,
            average_watch_dev,
            improved,
            best_f1: self.progress.best_f1,
            best_epoch: self.progress.best_epoch,
        };
        checkpoint::append_metrics(&self.config.run_dir, &record)?;

        self.meta.epoch = epoch;
        self.meta.dev = Some(dev);
        if improved {
            self.meta.progress = None;
            checkpoint::save(&self.config.run_dir, "best", &self.vs, &self.meta, None)?;
        }
        self.progress.adam_steps = self.adam.state().1;
        self.meta.progress = Some(self.progress.clone());
        let average_state = self
            .average
            .as_ref()
            .map(WeightAverage::state_tensors)
            .unwrap_or_default();
        checkpoint::save_with_state(
            &self.config.run_dir,
            "last",
            &self.vs,
            &self.meta,
            Some(&self.adam),
            average_state,
        )?;
        Ok(record)
    }

    /// The model's scores on dev and on the `--watch-dev` set.
    fn score(&self, decoding: &Decoding) -> Result<(Scores, Option<Scores>)> {
        let dev = Scores::from(evaluate(
            &self.model,
            &self.corpus.dev.sentences,
            &self.corpus.relations,
            decoding,
            self.device,
        )?);
        let watch_dev = match &self.watch {
            Some(sentences) => Some(Scores::from(evaluate(
                &self.model,
                sentences,
                &self.corpus.relations,
                decoding,
                self.device,
            )?)),
            None => None,
        };
        Ok((dev, watch_dev))
    }
}

/// One optimiser step on `batch`; returns the batch loss.
fn train_step(
    model: &RinModel,
    adam: &mut Adam,
    config: &TrainConfig,
    k: usize,
    frozen: Option<&FrozenRows>,
    batch: &TensorBatch,
) -> Result<f64> {
    let out = model.forward_t(
        &batch.word_ids,
        &batch.pos_ids,
        &batch.lengths,
        k,
        true,
        config.deep_supervision,
    )?;
    let loss = loss::loss(model, &out, batch);
    adam.zero_grad();
    loss.backward();
    if let Some(frozen) = frozen {
        frozen.mask_gradient(model.word_table());
    }
    if config.clip > 0.0 {
        let _ = adam.clip_grad_norm(config.clip);
    }
    adam.step();
    Ok(loss.double_value(&[]))
}

/// The `--watch-dev` sentences in the run's relation set, POS-tagged as the run's data are
/// (tags of their own, else the `--pos-tagger` plugin; always the plugin when `retag`).
fn watch_dev(
    config: &TrainConfig,
    corpus: &Corpus,
    uses_pos: bool,
    retag: bool,
) -> Result<Option<Vec<Sentence>>> {
    let Some(path) = &config.watch_dev else {
        return Ok(None);
    };
    let file = if path.is_dir() {
        path.join("dev.json")
    } else {
        path.clone()
    };
    let format = match config.format {
        Some(format) => format,
        None => rin_core::DataFormat::detect(&file)
            .map_err(Error::data(format!("--watch-dev {}", file.display())))?,
    };
    let mut data = rin_core::load_file(&file, format, &corpus.relations)
        .map_err(Error::data(format!("--watch-dev {}", file.display())))?;
    if uses_pos {
        if retag {
            pos::strip_pos(&mut data);
        }
        let mut tagger = if pos::needs_tagger(&data) {
            Some(pos::load_tagger(
                &config.pos_tagger,
                config.plugin_dir.as_deref(),
            )?)
        } else {
            None
        };
        pos::attach_pos(&mut data, tagger.as_deref_mut())?;
    } else {
        pos::strip_pos(&mut data);
    }
    tracing::info!(
        file = %file.display(),
        sentences = data.sentences.len(),
        "--watch-dev: scored after every epoch, not used for selection"
    );
    Ok(Some(data.sentences))
}

/// The rows `--freeze-vectors` keeps (the same for a fresh and a resumed run).
fn frozen_rows(
    config: &TrainConfig,
    words: &Vocab,
    meta: &CheckpointMeta,
    device: Device,
) -> Result<Option<FrozenRows>> {
    let freeze = config.freeze_vectors || config.freeze_added_vectors;
    let (true, Some(path)) = (freeze, config.embeddings.as_deref()) else {
        return Ok(None);
    };
    let first_row = if config.freeze_added_vectors {
        words.len().saturating_sub(meta.embeddings.added_words)
    } else {
        0
    };
    let frozen = FrozenRows::build(words, path, first_row, device)?;
    tracing::info!(
        frozen = frozen.frozen(),
        trained = words.len() - frozen.frozen(),
        "word rows with a pre-trained vector are kept"
    );
    Ok(Some(frozen))
}

/// Whether name substitution also replaces the proper nouns before a mention: partial-match
/// data (WebNLG*) marks last words only, "Alan [Bean]".
fn substitutes_name_prefixes(meta: &CheckpointMeta) -> bool {
    meta.match_mode == MatchMode::Partial
}

/// The neighbour lists `--substitute-neighbours` asks for, built from the embeddings file
/// (the same lists for a fresh and a resumed run).
fn substitute_neighbours(
    config: &TrainConfig,
    words: &Vocab,
    corpus: &Corpus,
    meta: &CheckpointMeta,
) -> Result<Option<Arc<SubstituteNeighbours>>> {
    let (n, Some(path)) = (config.substitute_neighbours, config.embeddings.as_deref()) else {
        return Ok(None);
    };
    if n == 0 || config.name_substitution == 0.0 {
        return Ok(None);
    }
    let (from, to) = meta.embeddings.substitutes;
    let started = Instant::now();
    let prefixes = substitutes_name_prefixes(meta);
    let lists =
        SubstituteNeighbours::build(words, &corpus.train.sentences, from..to, path, n, prefixes)?;
    tracing::info!(
        words = lists.len(),
        neighbours = n,
        seconds = started.elapsed().as_secs_f64(),
        "name substitutes: nearest rows found"
    );
    Ok(Some(Arc::new(lists)))
}

/// Pads the sentences `indices` of `sentences` (longest first, as packing wants) onto `device`.
pub fn make_batch(
    sentences: &[Sentence],
    indices: &[usize],
    words: &Vocab,
    pos: &Vocab,
    relations: usize,
    device: Device,
) -> TensorBatch {
    make_batch_with(sentences, indices, words, pos, relations, device, None)
}

/// [`make_batch`], with entity mentions replaced per `names` (name-robust training).
pub fn make_batch_with(
    sentences: &[Sentence],
    indices: &[usize],
    words: &Vocab,
    pos: &Vocab,
    relations: usize,
    device: Device,
    names: Option<&mut NameSubstitution>,
) -> TensorBatch {
    let mut chosen: Vec<&Sentence> = indices.iter().map(|&i| &sentences[i]).collect();
    chosen.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut padded = PaddedBatch::new(&chosen, words, pos);
    if let Some(names) = names {
        names.apply(&mut padded, &chosen);
    }
    TensorBatch::new(&padded, relations, device)
}
