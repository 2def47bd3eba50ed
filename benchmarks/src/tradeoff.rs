//! Accuracy against cost: dev F1 at every exported K of a checkpoint beside that K's latency, the
//! figure users choose K by.

use std::path::Path;

use anyhow::{Context, Result};
use rin_runtime::pipeline::{PipelineConfig, Predictor};
use rin_runtime::{Model, OrtConfig};
use serde::{Deserialize, Serialize};

use crate::backend::{BackendSpec, Engine, OrtRunner, Prepared, Runner, Target};
use crate::stats::Summary;
use crate::timing::{self, Budget};
use crate::workload::Corpus;

/// One K of one checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TradeoffPoint {
    /// The checkpoint's label (`normal`, `deep supervision`).
    pub label: String,
    /// The K it was trained with.
    pub trained_k: usize,
    /// Whether it was trained with deep supervision (the loss at every layer).
    pub deep_supervision: bool,
    /// The epoch its weights are from, of the run's planned epochs.
    pub epoch: usize,
    pub planned_epochs: usize,
    pub k: usize,
    /// Triple F1 (percent) on the data set's dev split, through ONNX Runtime.
    pub dev_f1: f64,
    /// Batch 1, `tokens` tokens, ONNX Runtime on the CPU with one thread.
    pub latency: Summary,
    pub tokens: usize,
}

/// Evaluates `onnx_dir` (exported for `ks`) on `dev` and times each K.
#[allow(clippy::too_many_arguments)]
pub fn run(
    label: &str,
    checkpoint: &Path,
    onnx_dir: &Path,
    dev: &rin_core::Dataset,
    corpus: &Corpus,
    ks: &[usize],
    tokens: usize,
    budget: &Budget,
) -> Result<Vec<TradeoffPoint>> {
    let ort = OrtConfig {
        threads: Some(1),
        ..OrtConfig::default()
    };
    let (runtime, _) = rin_runtime::session::setup(&ort)?;
    let spec = BackendSpec {
        engine: Engine::Ort,
        target: Target::Cpu,
        threads: 1,
    };
    let meta = rin_trainer::checkpoint::read_meta(checkpoint)
        .with_context(|| format!("cannot read {}", checkpoint.display()))?;
    let mut points = Vec::new();
    for &k in ks {
        let model = Model::open(onnx_dir)?;
        let trained_k = model.trained_k();
        let (words, pos) = (
            model.words().clone(),
            model.pos().cloned().unwrap_or_default(),
        );
        let relations = model.relations().len();
        let config = PipelineConfig {
            k: Some(k),
            ort: ort.clone(),
            ..PipelineConfig::default()
        };
        let predictor = Predictor::load(model, &config)?;
        let report = predictor
            .evaluate(dev, &mut |_| {})
            .with_context(|| format!("{label}: evaluating K = {k}"))?;
        let mut runner = OrtRunner::new(runtime, onnx_dir, spec, relations);
        let prepared = Prepared::new(corpus.batch(tokens, 1, &words, &pos));
        let latencies = timing::measure(budget, || runner.forward(k, &prepared))?;
        points.push(TradeoffPoint {
            label: label.to_owned(),
            trained_k,
            deep_supervision: meta.train.deep_supervision,
            epoch: meta.epoch,
            planned_epochs: meta.train.epochs,
            k,
            dev_f1: report.triples.f1() * 100.0,
            latency: Summary::from_nanos(&latencies, 1).context("no iterations")?,
            tokens,
        });
    }
    Ok(points)
}
