//! `rin bench`: latency and throughput of a model folder, per K, batch size, sentence length,
//! threads and device, with nothing but ONNX Runtime (no libtorch), so that it runs where rin is
//! deployed.
//!
//! Three modes: `graph` times one ONNX Runtime call on a padded batch of word and POS ids (the
//! model alone, inputs copied in and outputs out); `bound` the same call on a batch bound to the
//! device once, outputs left there ([`crate::bound`]); `end-to-end` times [`Extractor::extract`] on texts (tokenize, tag, run, decode),
//! what a library user calls. Inputs are cut from the sentences of a data file ([`Corpus`]) or,
//! without one, synthetic: word ids drawn from the vocabulary with a fixed seed.
//!
//! rin-bench (benchmarks/) reuses [`stats`], [`timing`] and [`workload`] for its cross-backend
//! comparisons (tch, PyTorch eager).

pub mod report;
pub mod stats;
pub mod timing;
pub mod workload;

use std::path::PathBuf;

use rin_core::manifest::Precision;
use rin_core::{PaddedBatch, Sentence};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::ModelInputs;
use crate::model::Model;
use crate::pipeline::{Extractor, PipelineConfig};
use crate::session::{self, Device, ModelSession, OrtConfig};
use stats::Summary;
use timing::Budget;
use workload::Corpus;

/// What is timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// One ONNX Runtime call on a padded batch of ids.
    Graph,
    /// The same call on a batch bound once to the device, outputs left there
    /// ([`crate::bound`]): the model without host copies, as PyTorch eager timings measure it.
    Bound,
    /// Texts to triples: tokenize, tag, run, decode.
    EndToEnd,
}

impl Mode {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Graph => "graph",
            Mode::Bound => "bound",
            Mode::EndToEnd => "end-to-end",
        }
    }
}

/// The execution provider asked for in one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BenchDevice {
    /// ONNX Runtime's CPU execution provider.
    Cpu,
    /// The CUDA execution provider.
    Cuda,
}

impl BenchDevice {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            BenchDevice::Cpu => "cpu",
            BenchDevice::Cuda => "cuda",
        }
    }
}

/// One timed configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Graph only or end to end.
    pub mode: Mode,
    /// The execution provider.
    pub device: BenchDevice,
    /// Intra-op threads (`None`: ONNX Runtime's default, one per core).
    pub threads: Option<usize>,
    /// Interaction layers: which graph.
    pub k: usize,
    /// The graph's precision (`fp32` in results written before).
    #[serde(default)]
    pub precision: Precision,
    /// Sentences per call.
    pub batch: usize,
    /// Tokens per sentence.
    pub tokens: usize,
}

impl Case {
    /// A short label: `graph cpu t1 k2 b8 n30`, with the precision after K when it is not fp32
    /// (`graph cpu t1 k2 int8 b8 n30`).
    pub fn label(&self) -> String {
        let threads = self
            .threads
            .map_or_else(|| "default".to_owned(), |t| t.to_string());
        let precision = match self.precision {
            Precision::Fp32 => String::new(),
            other => format!(" {other}"),
        };
        format!(
            "{} {} t{threads} k{}{precision} b{} n{}",
            self.mode.name(),
            self.device.name(),
            self.k,
            self.batch,
            self.tokens
        )
    }
}

/// Everything `rin bench` varies, and how long each case is timed.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Modes to time.
    pub modes: Vec<Mode>,
    /// Devices to time.
    pub devices: Vec<BenchDevice>,
    /// Thread counts (`None`: ONNX Runtime's default).
    pub threads: Vec<Option<usize>>,
    /// Graphs; empty is the model's default K (`Model::default_k`).
    pub ks: Vec<usize>,
    /// Graph precisions; empty is the model's default (fp32 when it has it).
    pub precisions: Vec<Precision>,
    /// Batch sizes.
    pub batches: Vec<usize>,
    /// Sentence lengths in tokens.
    pub lengths: Vec<usize>,
    /// Warm-up and iteration budget per case.
    pub budget: Budget,
}

impl Plan {
    /// Every case, grouped so that one session serves consecutive cases (device, threads, K,
    /// precision outermost).
    pub fn cases(&self, default_k: usize, default_precision: Precision) -> Vec<Case> {
        let ks = if self.ks.is_empty() {
            vec![default_k]
        } else {
            self.ks.clone()
        };
        let precisions = if self.precisions.is_empty() {
            vec![default_precision]
        } else {
            self.precisions.clone()
        };
        let mut cases = Vec::new();
        for &device in &self.devices {
            for &threads in &self.threads {
                for &k in &ks {
                    for &precision in &precisions {
                        for &mode in &self.modes {
                            for &batch in &self.batches {
                                for &tokens in &self.lengths {
                                    cases.push(Case {
                                        mode,
                                        device,
                                        threads,
                                        k,
                                        precision,
                                        batch,
                                        tokens,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        cases
    }
}

/// Where the inputs come from.
#[derive(Debug, Clone)]
pub enum Inputs {
    /// Sequences cut from the sentences of a data set (see [`Corpus`]).
    Corpus(Corpus),
    /// Word ids drawn uniformly from the vocabulary (seeded), POS ids likewise; end-to-end mode
    /// joins the drawn words into text.
    Synthetic {
        /// The generator's seed.
        seed: u64,
    },
}

impl Inputs {
    /// A name for reports.
    pub fn describe(&self) -> String {
        match self {
            Inputs::Corpus(_) => "sentences of the data file".into(),
            Inputs::Synthetic { seed } => format!("synthetic ids (seed {seed})"),
        }
    }

    /// `count` sequences of exactly `n` tokens.
    fn sequences(&self, model: &Model, n: usize, count: usize) -> Vec<Vec<String>> {
        match self {
            Inputs::Corpus(corpus) => corpus.sequences(n, count, 0),
            Inputs::Synthetic { seed } => {
                let words = model.words();
                // Skip the reserved rows (padding, UNK) so that every token is a real word.
                let first = 2.min(words.len().saturating_sub(1));
                let span = (words.len() - first).max(1) as u64;
                let mut rng = SplitMix64(*seed);
                (0..count)
                    .map(|_| {
                        (0..n)
                            .map(|_| {
                                let id = first + (rng.next() % span) as usize;
                                words.token(id).unwrap_or("the").to_owned()
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }
}

/// A small seeded generator (SplitMix64): reproducible synthetic inputs without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The configuration.
    #[serde(flatten)]
    pub case: Case,
    /// The execution provider the session really ran on.
    pub provider: String,
    /// Latencies per call and sentences per second.
    pub summary: Summary,
    /// End to end only: the triples found in one call's batch.
    pub triples: Option<usize>,
    /// End to end only: whether running the same sentences through the graph alone and decoding
    /// gave exactly the end-to-end triples (the two modes run the same model).
    pub graph_agrees: Option<bool>,
}

/// Where the graphs and plugins come from, and the ONNX Runtime library to load.
#[derive(Debug, Clone)]
pub struct Target {
    /// The opened model folder.
    pub model: Model,
    /// The ONNX Runtime library; `None` resolves it (the CUDA build when a case asks for CUDA).
    pub library: Option<PathBuf>,
    /// The plugin directory; `None` resolves it.
    pub plugin_dir: Option<PathBuf>,
}

/// Runs every case of `plan`, calling `progress` before each, and returns the rows in order.
///
/// One process loads one ONNX Runtime library: when any case asks for CUDA, the CUDA build is
/// loaded and also serves the CPU cases (its CPU execution provider is the same code).
pub fn run(
    target: &Target,
    plan: &Plan,
    inputs: &Inputs,
    mut progress: impl FnMut(&Case),
) -> Result<Vec<Row>> {
    let model = &target.model;
    let precision = model.default_precision();
    let k = model.default_k(precision).unwrap_or(model.trained_k());
    let cases = plan.cases(k, precision);
    let cuda_graph = session::cuda_graph_requested();
    if cuda_graph {
        if let Some(case) = cases
            .iter()
            .find(|c| c.device == BenchDevice::Cuda && c.mode != Mode::Bound)
        {
            return Err(Error::Setting {
                name: "RIN_CUDA_OPTIONS",
                detail: format!(
                    "cuda-graph replays one captured run on fixed buffers: time CUDA cases with \
                     --mode bound only (asked: {})",
                    case.label()
                ),
            });
        }
    }
    let library = match (&target.library, plan.devices.contains(&BenchDevice::Cuda)) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => Some(
            session::resolve_cuda_library()
                .map_err(|reason| Error::CudaUnavailable { reason })?
                .path,
        ),
        (None, false) => None,
    };
    let mut rows = Vec::new();
    let mut loaded: Option<(SessionKey, Loaded)> = None;
    for case in cases {
        progress(&case);
        // A captured CUDA graph holds one batch shape: one session per shape.
        let shape =
            (cuda_graph && case.device == BenchDevice::Cuda).then_some((case.batch, case.tokens));
        let key = (case.device, case.threads, case.k, case.precision, shape);
        let reuse = matches!(&loaded, Some((at, _)) if *at == key);
        if !reuse {
            // Drop the old sessions before loading new ones (GPU memory).
            drop(loaded.take());
            let config = PipelineConfig {
                k: Some(case.k),
                precision: Some(case.precision),
                ort: OrtConfig {
                    library: library.clone(),
                    device: match case.device {
                        BenchDevice::Cpu => Device::Cpu,
                        BenchDevice::Cuda => Device::Cuda,
                    },
                    threads: case.threads,
                    no_cpu_arena: false,
                },
                plugin_dir: target.plugin_dir.clone(),
                // One call is one batch, up to the largest batch size there is.
                batch_size: crate::pipeline::MAX_BATCH_SIZE,
                // One model run per text, like graph mode (documents are read in chunks).
                reading: rin_core::reading::ReadingOverrides {
                    segmenter: Some(rin_plugin_host::LINES.to_owned()),
                    ..Default::default()
                },
                ..PipelineConfig::default()
            };
            loaded = Some((
                key,
                Loaded {
                    extractor: Extractor::load(model.clone(), &config)?,
                },
            ));
        }
        let Some((_, sessions)) = &loaded else {
            unreachable!("loaded just above")
        };
        rows.push(sessions.time(model, &case, inputs, &plan.budget)?);
    }
    Ok(rows)
}

/// What one loaded pipeline serves: device, threads, K and precision (and the batch shape, for
/// CUDA graphs).
type SessionKey = (
    BenchDevice,
    Option<usize>,
    usize,
    Precision,
    Option<(usize, usize)>,
);

/// The pipeline of one [`SessionKey`]; graph mode times its session alone.
struct Loaded {
    extractor: Extractor,
}

impl Loaded {
    /// The graph's session, the one the pipeline runs.
    fn graph(&self) -> &ModelSession {
        self.extractor.predictor().session()
    }

    fn time(&self, model: &Model, case: &Case, inputs: &Inputs, budget: &Budget) -> Result<Row> {
        let sequences = inputs.sequences(model, case.tokens, case.batch);
        match case.mode {
            Mode::Graph | Mode::Bound => {
                let sentences: Vec<Sentence> =
                    sequences.into_iter().map(Sentence::from_tokens).collect();
                let refs: Vec<&Sentence> = sentences.iter().collect();
                // POS ids UNK: the tagger belongs to the end-to-end time, not the model's.
                let empty = rin_core::Vocab::new();
                let pos = model.pos().unwrap_or(&empty);
                let batch = ModelInputs::new(PaddedBatch::new(&refs, model.words(), pos))
                    .with_threshold(model.threshold());
                let latencies = if case.mode == Mode::Bound {
                    let bound = self.graph().bind(&batch)?;
                    timing::measure(budget, || bound.run())?
                } else {
                    timing::measure(budget, || self.graph().run(&batch).map(drop))?
                };
                Ok(Row {
                    case: case.clone(),
                    provider: self.graph().provider().name().to_owned(),
                    summary: summarize(&latencies, case.batch)?,
                    triples: None,
                    graph_agrees: None,
                })
            }
            Mode::EndToEnd => {
                let texts: Vec<String> = sequences.into_iter().map(|t| t.join(" ")).collect();
                let latencies =
                    timing::measure(budget, || self.extractor.extract(&texts).map(drop))?;
                let extractions = self.extractor.extract(&texts)?;
                let triples = extractions.iter().map(|e| e.triples.len()).sum();
                Ok(Row {
                    case: case.clone(),
                    provider: self.extractor.predictor().provider().name().to_owned(),
                    summary: summarize(&latencies, case.batch)?,
                    triples: Some(triples),
                    graph_agrees: Some(self.graph_agrees(&texts, &extractions)?),
                })
            }
        }
    }

    /// Runs the texts' prepared sentences through the graph session alone, decodes, and compares
    /// with the end-to-end triples.
    fn graph_agrees(&self, texts: &[String], extractions: &[crate::Extraction]) -> Result<bool> {
        let predictor = self.extractor.predictor();
        let prepared = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                self.extractor
                    .prepare(t.clone(), &format!("text {}", i + 1))
            })
            .collect::<Result<Vec<_>>>()?;
        let sentences: Vec<&Sentence> = prepared.iter().map(|p| p.sentence()).collect();
        let empty = rin_core::Vocab::new();
        let pos = predictor.model().pos().unwrap_or(&empty);
        let inputs = ModelInputs::new(PaddedBatch::new(&sentences, predictor.model().words(), pos))
            .with_threshold(predictor.threshold());
        let output = self.graph().run(&inputs)?;
        let options = predictor.decode_options();
        let relations = predictor.model().relations();
        for (b, (sentence, extraction)) in sentences.iter().zip(extractions).enumerate() {
            let prediction = crate::pipeline::decode_one(&output, b, sentence.len(), options);
            let mut from_pipeline: Vec<(usize, usize, usize, usize, String)> = extraction
                .triples
                .iter()
                .map(|t| {
                    (
                        t.subject.tokens[0],
                        t.subject.tokens[1],
                        t.object.tokens[0],
                        t.object.tokens[1],
                        t.relation.clone(),
                    )
                })
                .collect();
            let mut graph_keys: Vec<(usize, usize, usize, usize, String)> = prediction
                .plain_triples()
                .into_iter()
                .map(|t| {
                    (
                        t.subject.start,
                        t.subject.end,
                        t.object.start,
                        t.object.end,
                        relations.name(t.relation).to_owned(),
                    )
                })
                .collect();
            graph_keys.sort();
            from_pipeline.sort();
            if graph_keys != from_pipeline {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn summarize(latencies: &[u64], items: usize) -> Result<Summary> {
    Summary::from_nanos(latencies, items).ok_or(Error::EmptyCorpus)
}
