//! Prediction and scoring with rin-core's decoding and metrics: the same code the runtime uses,
//! so that the trainer's dev scores and the served model agree.

use rin_core::checkpoint::choose_tagger;
use rin_core::{
    argmax_tags, decode_triples, EvalReport, Evaluator, MatchMode, MeanStd, PaddedBatch,
    RelationSet, Sentence, Tag, Triple, Vocab,
};
use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

use crate::batch::TensorBatch;
use crate::error::{Error, Result};
use crate::model::RinModel;

/// How to decode a model's outputs.
#[derive(Debug, Clone, Copy)]
pub struct Decoding<'a> {
    /// The word vocabulary.
    pub words: &'a Vocab,
    /// The POS vocabulary (ignored by models without POS).
    pub pos: &'a Vocab,
    /// Interaction rounds to unroll.
    pub k: usize,
    /// Relation probability threshold.
    pub threshold: f32,
    /// Partial or exact match.
    pub mode: MatchMode,
    /// Sentences per forward pass.
    pub batch_size: usize,
}

/// One sentence's decoded output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// The argmax tag of every token.
    pub tags: Vec<Tag>,
    /// The decoded triples.
    pub triples: Vec<Triple>,
}

/// Runs `model` on `sentences` (in batches of similar length) and decodes every sentence.
/// Results are in input order.
pub fn predict(
    model: &RinModel,
    sentences: &[&Sentence],
    decoding: &Decoding<'_>,
    device: Device,
) -> Result<Vec<Prediction>> {
    let relations = model.config().relations;
    let lengths: Vec<usize> = sentences.iter().map(|s| s.len()).collect();
    let mut out: Vec<Option<Prediction>> = vec![None; sentences.len()];
    for mut chunk in rin_core::length_buckets(&lengths, decoding.batch_size, None) {
        // Longest first: packing wants decreasing lengths.
        chunk.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
        let batch_sentences: Vec<&Sentence> = chunk.iter().map(|&i| sentences[i]).collect();
        let padded = PaddedBatch::new(&batch_sentences, decoding.words, decoding.pos);
        let batch = TensorBatch::new(&padded, relations, device);
        let (entity, relation) =
            model.forward(&batch.word_ids, &batch.pos_ids, &batch.lengths, decoding.k)?;
        let to_host = |t: Tensor| -> Result<Vec<f32>> {
            Vec::<f32>::try_from(t.to_device(Device::Cpu).reshape([-1]))
                .map_err(Error::torch("copying outputs to the host"))
        };
        let (entity, relation) = (to_host(entity)?, to_host(relation)?);
        let n = padded.seq_len;
        let (tag_block, cell_block) = (n * Tag::COUNT, n * n * relations);
        for (b, &index) in chunk.iter().enumerate() {
            let tags = argmax_tags(&entity[b * tag_block..(b + 1) * tag_block], lengths[index]);
            let triples = decode_triples(
                &tags,
                &relation[b * cell_block..(b + 1) * cell_block],
                n,
                relations,
                decoding.threshold,
                decoding.mode,
            );
            out[index] = Some(Prediction { tags, triples });
        }
    }
    Ok(out
        .into_iter()
        .map(|p| p.expect("every sentence is in exactly one bucket"))
        .collect())
}

/// Scores `model` on `sentences` against their gold annotation.
pub fn evaluate(
    model: &RinModel,
    sentences: &[Sentence],
    relations: &RelationSet,
    decoding: &Decoding<'_>,
    device: Device,
) -> Result<EvalReport> {
    let refs: Vec<&Sentence> = sentences.iter().collect();
    let predictions = predict(model, &refs, decoding, device)?;
    let mut evaluator = Evaluator::new(decoding.mode, relations);
    for (gold, p) in sentences.iter().zip(&predictions) {
        evaluator.add(gold, &p.tags, &p.triples);
    }
    Ok(evaluator.report())
}

pub use rin_core::scores::{Score, Scores};

/// Mean and sample standard deviation, in percent, of the headline scores of several runs (one per
/// seed), as the paper reports its figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunsSummary {
    /// Triple precision (string scoring).
    pub precision: MeanStd,
    /// Triple recall.
    pub recall: MeanStd,
    /// Triple F1.
    pub f1: MeanStd,
    /// Entity F1 (exact spans).
    pub entity_f1: MeanStd,
}

impl RunsSummary {
    /// `None` for no runs.
    pub fn of(runs: &[Scores]) -> Option<RunsSummary> {
        let percent = |f: fn(&Scores) -> f64| -> Option<MeanStd> {
            MeanStd::of(&runs.iter().map(|s| 100.0 * f(s)).collect::<Vec<_>>())
        };
        Some(RunsSummary {
            precision: percent(|s| s.triples.precision)?,
            recall: percent(|s| s.triples.recall)?,
            f1: percent(|s| s.triples.f1)?,
            entity_f1: percent(|s| s.entities.f1)?,
        })
    }
}

impl std::fmt::Display for RunsSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pm = |m: &MeanStd| format!("{:.2} ± {:.2}", m.mean, m.std);
        writeln!(
            f,
            "mean ± sample std over {} runs: triples P {}  R {}  F1 {};  entity F1 {}",
            self.f1.n,
            pm(&self.precision),
            pm(&self.recall),
            pm(&self.f1),
            pm(&self.entity_f1)
        )
    }
}

/// What `rin-train eval` scores: a checkpoint on one split.
#[derive(Debug, Clone)]
pub struct EvalRequest {
    /// A checkpoint directory (`run/best`, `run/last`).
    pub checkpoint: std::path::PathBuf,
    /// `train`, `dev` or `test`.
    pub split: String,
    /// Another data folder than the one the model was trained on.
    pub data_dir: Option<std::path::PathBuf>,
    /// Override the match mode.
    pub mode: Option<MatchMode>,
    /// Override the threshold.
    pub threshold: Option<f32>,
    /// Unroll this many rounds instead of the trained K.
    pub k: Option<usize>,
    /// The device.
    pub device: crate::config::DeviceChoice,
    /// Sentences per forward pass.
    pub batch_size: usize,
    /// Where tagger plugins are (for data without POS tags).
    pub plugin_dir: Option<std::path::PathBuf>,
}

/// The result of [`evaluate_checkpoint`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalSummary {
    /// The split scored.
    pub split: String,
    /// Sentences scored.
    pub sentences: usize,
    /// Rounds unrolled.
    pub k: usize,
    /// Match mode.
    pub mode: MatchMode,
    /// Threshold.
    pub threshold: f32,
    /// The scores.
    pub scores: Scores,
}

/// Loads a checkpoint and scores it on a split of its data set (or of `data_dir`).
pub fn evaluate_checkpoint(request: &EvalRequest) -> Result<EvalSummary> {
    let device = request.device.resolve()?;
    let ckpt = crate::checkpoint::Checkpoint::load(&request.checkpoint, device)?;
    let meta = &ckpt.meta;
    let dir = request
        .data_dir
        .clone()
        .unwrap_or_else(|| meta.data.dir.clone());
    // Another data folder is read as plain train/dev/test files; the checkpoint's own folder with
    // the splits it was trained with, so that `dev` is the set the run selected on.
    let (format, plan) = if request.data_dir.is_some() {
        (None, crate::corpus::SplitPlan::default())
    } else {
        (Some(meta.data.format), meta.train.splits())
    };
    let (corpus_relations, mut data) =
        crate::corpus::Corpus::load_one(&dir, format, &plan, &request.split)?;
    // Relation ids must mean what they meant in training.
    let relations = RelationSet::from_names(meta.relations.clone());
    if corpus_relations.names() != relations.names() {
        return Err(Error::Setting {
            name: "--data-dir",
            reason: "its rel2id.json differs from the checkpoint's relations".into(),
        });
    }
    match choose_tagger(meta.pos.as_ref(), None, &meta.train.pos_tagger) {
        Some(name) => {
            if meta.retags_data() {
                crate::pos::strip_pos(&mut data);
            }
            crate::pos::tag_where_needed(&mut data, name, request.plugin_dir.as_deref())?;
        }
        None => crate::pos::strip_pos(&mut data),
    }
    let pos_vocab = meta.pos_vocab();
    let decoding = Decoding {
        words: &meta.words,
        pos: &pos_vocab,
        k: request.k.unwrap_or(meta.model.k),
        threshold: request.threshold.unwrap_or(meta.threshold),
        mode: request.mode.unwrap_or(meta.match_mode),
        batch_size: request.batch_size.max(1),
    };
    let report = evaluate(&ckpt.model, &data.sentences, &relations, &decoding, device)?;
    Ok(EvalSummary {
        split: request.split.clone(),
        sentences: data.sentences.len(),
        k: decoding.k,
        mode: decoding.mode,
        threshold: decoding.threshold,
        scores: report.into(),
    })
}
