//! End to end: raw text in, entities and triples out, as `rin extract` does it, with the time of
//! each stage (tokenize, tag, tensors, run, decode).

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use rin_core::{PaddedBatch, Sentence};
use rin_runtime::input::ModelInputs;
use rin_runtime::pipeline::{decode_one, Extractor, PipelineConfig};
use rin_runtime::{Extraction, Model, ModelSession, OrtConfig};
use serde::{Deserialize, Serialize};

use crate::stats::Summary;
use crate::timing::Budget;
use crate::workload::Corpus;

/// Stage names, in pipeline order.
pub const STAGES: [&str; 5] = ["tokenize", "tag", "tensors", "run", "decode"];

/// One end-to-end configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct E2eRow {
    pub threads: usize,
    pub k: usize,
    pub batch: usize,
    /// Tokens per text asked for; `mean_tokens` is what the tokenizer made of them.
    pub tokens: usize,
    pub mean_tokens: f64,
    /// `Extractor::extract` on the batch of texts: what a library user calls.
    pub extract: Summary,
    /// Mean milliseconds per stage when the stages run one by one (same order as [`STAGES`]).
    pub stage_mean_ms: Vec<f64>,
    /// Whether running the stages by hand gave exactly `Extractor::extract`'s results.
    pub stages_match_extract: bool,
}

/// The stages by hand, with rin-runtime's own pieces (the extractor's model and session).
struct Stages<'a> {
    tokenizer: rin_plugin_host::Tokenizer,
    tagger: Option<rin_plugin_host::Tagger>,
    session: &'a ModelSession,
    model: &'a Model,
}

impl Stages<'_> {
    fn run(&self, texts: &[String], times: &mut [f64; 5]) -> Result<Vec<Extraction>> {
        let mut clock = Instant::now();
        let mut lap = |stage: usize, clock: &mut Instant| {
            times[stage] += clock.elapsed().as_secs_f64() * 1e3;
            *clock = Instant::now();
        };
        let spans = texts
            .iter()
            .map(|t| self.tokenizer.tokenize_spans(t))
            .collect::<Result<Vec<_>, _>>()?;
        let tokens: Vec<Vec<String>> = texts
            .iter()
            .zip(&spans)
            .map(|(t, s)| s.iter().map(|r| t[r.clone()].to_owned()).collect())
            .collect();
        lap(0, &mut clock);
        let tags = match &self.tagger {
            Some(tagger) => Some(
                tokens
                    .iter()
                    .map(|t| tagger.tag(t))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        lap(1, &mut clock);
        let sentences: Vec<Sentence> = tokens
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let mut s = Sentence::from_tokens(t);
                s.pos_tags = tags.as_ref().map(|tags| {
                    tags[i]
                        .iter()
                        .map(|t| rin_core::pos::normalize_tag(t).to_owned())
                        .collect()
                });
                s
            })
            .collect();
        let refs: Vec<&Sentence> = sentences.iter().collect();
        let empty = rin_core::Vocab::new();
        let batch = PaddedBatch::new(
            &refs,
            self.model.words(),
            self.model.pos().unwrap_or(&empty),
        );
        let inputs = ModelInputs::new(batch);
        lap(2, &mut clock);
        let output = self.session.run(&inputs)?;
        lap(3, &mut clock);
        let options = rin_runtime::pipeline::DecodeOptions {
            threshold: self.model.threshold(),
            match_mode: self.model.match_mode(),
        };
        let lines = rin_plugin_host::Segmenter::lines();
        let extractions = texts
            .iter()
            .zip(&spans)
            .zip(&sentences)
            .enumerate()
            .map(|(b, ((text, spans), sentence))| {
                let prediction = decode_one(&output, b, sentence.len(), options);
                let sentence_spans = lines.segment_spans(text)?;
                Ok(
                    Extraction::new(text.clone(), spans, &prediction, self.model.relations())
                        .with_sentences(&sentence_spans),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        lap(4, &mut clock);
        Ok(extractions)
    }
}

/// Times `Extractor::extract` and the stages on `batch` texts of about `tokens` tokens.
pub fn run(
    model_dir: &Path,
    corpus: &Corpus,
    k: usize,
    threads: usize,
    batch: usize,
    tokens: usize,
    budget: &Budget,
) -> Result<E2eRow> {
    let ort = OrtConfig {
        threads: Some(threads),
        ..OrtConfig::default()
    };
    let config = PipelineConfig {
        k: Some(k),
        ort: ort.clone(),
        batch_size: batch,
        // The test fixtures carry a toy tag set; timing does not depend on it.
        allow_tagset_mismatch: true,
        // One model run per text, as the stages below do it (documents have their own path).
        reading: rin_core::reading::ReadingOverrides {
            segmenter: Some(rin_plugin_host::LINES.to_owned()),
            ..Default::default()
        },
        ..PipelineConfig::default()
    };
    let extractor = Extractor::load(Model::open(model_dir)?, &config)?;
    let plugins = extractor.predictor().plugins();
    let tokenizer = plugins.tokenizer(extractor.tokenizer_name())?;
    let tagger = match extractor.predictor().tagger() {
        Some(info) => Some(plugins.tagger(&info.name)?),
        None => None,
    };
    let stages = Stages {
        tokenizer,
        tagger,
        session: extractor.predictor().session(),
        model: extractor.predictor().model(),
    };
    let texts = corpus.texts(tokens, batch);
    let expected = extractor.extract(&texts).context("Extractor::extract")?;
    let mut times = [0.0; 5];
    let by_hand = stages.run(&texts, &mut times)?;
    let same = |a: &Extraction, b: &Extraction| {
        serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
    };
    let stages_match_extract =
        expected.len() == by_hand.len() && expected.iter().zip(&by_hand).all(|(a, b)| same(a, b));
    let mean_tokens =
        expected.iter().map(|e| e.tokens.len() as f64).sum::<f64>() / expected.len().max(1) as f64;

    let latencies = crate::timing::measure(budget, || extractor.extract(&texts).map(drop))?;
    let extract = Summary::from_nanos(&latencies, batch).context("no iterations")?;
    let mut times = [0.0; 5];
    let runs = extract.n.max(1);
    for _ in 0..runs {
        stages.run(&texts, &mut times)?;
    }
    if times.iter().any(|t| !t.is_finite()) {
        bail!("a stage time is not finite");
    }
    Ok(E2eRow {
        threads,
        k,
        batch,
        tokens,
        mean_tokens,
        extract,
        stage_mean_ms: times.iter().map(|t| t / runs as f64).collect(),
        stages_match_extract,
    })
}
