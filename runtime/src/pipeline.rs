//! Text → tokenizer → POS tagger → ids → ONNX Runtime → rin-core decoding.
//!
//! [`Predictor`] works on tokenized sentences (what `rin eval` needs); [`Extractor`] adds the
//! tokenizer for raw text (`rin extract`). Decoding and scoring are rin-core's
//! ([`rin_core::argmax_tags`], [`rin_core::decode_triples`], [`rin_core::Evaluator`]): the same
//! code as the trainer's eval, so the two cannot disagree on what a triple is.
//!
//! Sentences are grouped by length ([`rin_core::length_buckets`]) so that little padding is
//! computed, and a batch is cut further when its relation tensor (`batch x n x n x relations`)
//! would pass [`MAX_BATCH_FLOATS`]. Results come back in input order.
//!
//! Long sentences: the relation tensor grows with n², so a sentence has at most
//! [`PipelineConfig::max_tokens`] tokens ([`DEFAULT_MAX_TOKENS`] = 200: 200 x 200 x 171 relations
//! is 27 MB of output per sentence). A longer one is refused ([`LongSentences::Refuse`]) or cut
//! into consecutive windows of at most that many tokens ([`LongSentences::Split`]), each run on
//! its own; entities and triples that would cross a window boundary are then lost.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;

use rin_core::{
    length_buckets, Dataset, EvalReport, Evaluator, MatchMode, PaddedBatch, Sentence, Span, Triple,
    Vocab,
};
use rin_plugin_host::{Segmenter, Tagger, TaggerInfo, Tokenizer};

pub use crate::prediction::{decode_one, DecodeOptions, Prediction, ScoredTriple};

use crate::chunk::{sentence_ranges, ChunkPlan, DEFAULT_WINDOW_OVERLAP};
use crate::error::{Error, Result};
use crate::extraction::Extraction;
use crate::input::ModelInputs;
use crate::model::Model;
use crate::plugin::{self, Plugins};
use crate::session::{self, ExecutionProvider, ModelSession, OrtConfig};
use rin_core::continuation::Continuation;
use rin_core::manifest::Precision;
use rin_core::reading::{ReadingOverrides, ReadingPlan, SentenceLinks};

/// The default limit on tokens per sentence.
pub const DEFAULT_MAX_TOKENS: usize = 200;
/// The default number of sentences per batch.
pub const DEFAULT_BATCH_SIZE: usize = 32;
/// The most relation-tensor values (`batch x n x n x max(relations, 100)`) one batch may hold:
/// 2^26 floats, 256 MiB, which also bounds the relation head's hidden activations.
pub const MAX_BATCH_FLOATS: usize = 1 << 26;

/// The most token pairs (`sentences x n x n`) one model run holds on the CPU, per intra-op
/// thread: four 30-token sentences. The relation head's `batch x n x n x d` activations of a
/// larger run leave the CPU's caches: with one thread, a run of 64 such sentences took 1.8 times
/// as long per sentence as runs of 4 (BENCHMARKS.md, "Batches on the CPU"), so a batch is cut
/// into runs of this size times the threads.
pub const CPU_RUN_CELLS_PER_THREAD: usize = 4096;

/// The largest batch size accepted: more sentences per batch only add latency and memory.
pub const MAX_BATCH_SIZE: usize = 4096;

/// What to do with a sentence longer than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LongSentences {
    /// Cut it into consecutive windows of at most `max_tokens` tokens.
    #[default]
    Split,
    /// Refuse it with [`Error::TooLong`].
    Refuse,
}

/// Everything that configures a [`Predictor`] or [`Extractor`] besides the model folder.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// The K to run; `None` is the trained K.
    pub k: Option<usize>,
    /// The precision of the graph to run; `None` is the folder's default (fp32 when it has it).
    pub precision: Option<Precision>,
    /// ONNX Runtime: library, device, threads.
    pub ort: OrtConfig,
    /// Sentences per batch.
    pub batch_size: usize,
    /// Relation threshold; `None` is the manifest's.
    pub threshold: Option<f32>,
    /// Partial or exact triples; `None` is the manifest's.
    pub match_mode: Option<MatchMode>,
    /// Tokens per sentence at most.
    pub max_tokens: usize,
    /// What to do with longer sentences.
    pub long_sentences: LongSentences,
    /// The plugin directory; `None` resolves it (`RIN_PLUGIN_DIR`, next to the executable).
    pub plugin_dir: Option<PathBuf>,
    /// The tokenizer plugin; `None` is the manifest's (or `english` for pre-tokenized data).
    pub tokenizer: Option<String>,
    /// The tagger plugin; `None` is the one that tagged the training data (or `perceptron`).
    pub tagger: Option<String>,
    /// Accept a tagger whose tag set differs from the model's.
    pub allow_tagset_mismatch: bool,
    /// How documents are read (segmenter, chunks, links between sentences): each `None` is the
    /// model's reading plan (its manifest's `reading`, the defaults in manifests written before
    /// it existed). The segmenter `lines` takes every line as one sentence.
    pub reading: ReadingOverrides,
    /// Tokens shared by consecutive windows of a sentence longer than `max_tokens`.
    pub window_overlap: usize,
    /// Token pairs (`sentences x n x n`) per model run at most; `None` is the device's choice:
    /// [`CPU_RUN_CELLS_PER_THREAD`] times the threads on the CPU, only [`MAX_BATCH_FLOATS`] on
    /// CUDA.
    pub run_cells: Option<usize>,
}

impl PipelineConfig {
    /// Checks the settings a caller can get wrong: the threshold (finite, in [0, 1]) and the batch
    /// size (1 to [`MAX_BATCH_SIZE`]).
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = self.threshold {
            if !rin_core::decode::is_threshold(t) {
                return Err(Error::Setting {
                    name: "threshold",
                    detail: format!("{t} is not in [0, 1]"),
                });
            }
        }
        if let Some(t) = self.reading.joint_threshold {
            if !rin_core::decode::is_threshold(t) {
                return Err(Error::Setting {
                    name: "joint threshold",
                    detail: format!("{t} is not in [0, 1]"),
                });
            }
        }
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return Err(Error::Setting {
                name: "batch size",
                detail: format!("{} is not in 1..={MAX_BATCH_SIZE}", self.batch_size),
            });
        }
        Ok(())
    }

    /// The reading plan in force: each setting given here, else the model's manifest's.
    pub fn reading_of(&self, model: &Model) -> Result<ReadingPlan> {
        let recorded = &model.manifest().manifest.reading;
        let plan = self.reading.over(recorded);
        self.reading
            .check_against(recorded)
            .and_then(|()| plan.check())
            .map_err(|detail| Error::Setting {
                name: "reading plan",
                detail,
            })?;
        Ok(plan)
    }
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            k: None,
            precision: None,
            ort: OrtConfig::default(),
            batch_size: DEFAULT_BATCH_SIZE,
            threshold: None,
            match_mode: None,
            max_tokens: DEFAULT_MAX_TOKENS,
            long_sentences: LongSentences::Split,
            plugin_dir: None,
            tokenizer: None,
            tagger: None,
            allow_tagset_mismatch: false,
            reading: ReadingOverrides::default(),
            window_overlap: DEFAULT_WINDOW_OVERLAP,
            run_cells: None,
        }
    }
}

/// A loaded model, its session and its tagger: tokenized sentences in, predictions out.
#[derive(Debug)]
pub struct Predictor {
    model: Model,
    k: usize,
    precision: Precision,
    session: ModelSession,
    tagger: Option<Tagger>,
    plugins: Plugins,
    threshold: f32,
    match_mode: MatchMode,
    batch_size: usize,
    /// Token pairs per model run at most (see [`PipelineConfig::run_cells`]).
    run_cells: usize,
    max_tokens: usize,
    long_sentences: LongSentences,
    chunking: ChunkPlan,
    joint_threshold: f32,
    /// The learned decision whether a sentence continues a text (`links: anaphora`); `None`:
    /// the pronoun list.
    continuation: Option<Continuation>,
    segmenter: Segmenter,
    empty_pos: Vocab,
}

/// The segmenter used when neither the caller nor the manifest names one.
pub use rin_core::reading::DEFAULT_SEGMENTER;

impl Predictor {
    /// Loads ONNX Runtime, the graph for the chosen K, and (for models with POS input) the tagger,
    /// whose tag set is checked against the model's.
    pub fn load(model: Model, config: &PipelineConfig) -> Result<Predictor> {
        config.validate()?;
        let (k, precision, graph) = model.graph_at(config.k, config.precision)?;
        let (runtime, cuda) = session::setup(&config.ort)?;
        let session = ModelSession::load(
            runtime,
            &graph,
            model.graph_names(),
            model.relations().len(),
            &config.ort,
            cuda,
        )?;
        let plugins = Plugins::resolve(config.plugin_dir.as_deref())?;
        let tagger = match plugin::tagger_name(&model, config.tagger.as_deref()) {
            Some(name) => {
                let tagger = plugins.tagger(name)?;
                plugin::check_tagger(&model, tagger.info(), config.allow_tagset_mismatch)?;
                Some(tagger)
            }
            None => {
                if let Some(name) = &config.tagger {
                    tracing::info!(tagger = %name, "the model reads no POS tags: the tagger is not used");
                }
                None
            }
        };
        let reading = config.reading_of(&model)?;
        let segmenter = match reading.segmenter.as_str() {
            rin_plugin_host::LINES => Segmenter::lines(),
            name => plugins.segmenter(name)?,
        };
        let threshold = config.threshold.unwrap_or(model.threshold());
        let match_mode = config.match_mode.unwrap_or(model.match_mode());
        tracing::info!(
            model = %model.dir().display(),
            k,
            %precision,
            provider = session.provider().name(),
            threshold = %threshold,
            match_mode = ?match_mode,
            tagger = tagger.as_ref().map(|t| t.info().name.as_str()),
            "model loaded"
        );
        let run_cells = config.run_cells.unwrap_or(match session.provider() {
            ExecutionProvider::Cpu => CPU_RUN_CELLS_PER_THREAD * config.ort.cpu_threads(),
            ExecutionProvider::Cuda => usize::MAX,
        });
        Ok(Predictor {
            model,
            k,
            precision,
            session,
            tagger,
            plugins,
            threshold,
            match_mode,
            batch_size: config.batch_size.max(1),
            run_cells,
            max_tokens: config.max_tokens.max(1),
            long_sentences: config.long_sentences,
            chunking: ChunkPlan {
                tokens: reading.chunk_tokens,
                sentences: reading.chunk_sentences,
                whole_sentences: reading.whole_sentences,
                window: config.max_tokens.max(1),
                overlap: config.window_overlap,
                links: reading.links,
            },
            joint_threshold: reading.joint_threshold,
            continuation: reading.continuation,
            segmenter,
            empty_pos: Vocab::new(),
        })
    }

    /// The ONNX Runtime session of the graph being run.
    pub fn session(&self) -> &ModelSession {
        &self.session
    }

    /// The sentence segmenter.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The K being run.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The precision of the graph in use.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The relation threshold in use.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The match mode in use.
    pub fn match_mode(&self) -> MatchMode {
        self.match_mode
    }

    /// The execution provider the session runs on.
    pub fn provider(&self) -> ExecutionProvider {
        self.session.provider()
    }

    /// The tagger in use, if the model reads POS.
    pub fn tagger(&self) -> Option<&TaggerInfo> {
        self.tagger.as_ref().map(|t| t.info())
    }

    /// The plugin directory in use.
    pub fn plugins(&self) -> &Plugins {
        &self.plugins
    }

    /// A model input from tokens: checks the length (per [`LongSentences`]) and attaches POS tags,
    /// normalised: `pos_tags` when given (data sets that ship tags) and the model was trained on a
    /// data set's tags, else the tagger's. `input`
    /// names the sentence in errors (`line 3`).
    pub fn prepare(
        &self,
        tokens: Vec<String>,
        pos_tags: Option<Vec<String>>,
        input: &str,
    ) -> Result<Sentence> {
        self.prepare_sentences(tokens, pos_tags, &[], input)
    }

    /// [`Predictor::prepare`] for a text of several sentences starting at the token indices
    /// `starts` (see [`crate::chunk::ChunkPlan::chunks`]): the length limit applies per sentence.
    pub fn prepare_sentences(
        &self,
        tokens: Vec<String>,
        pos_tags: Option<Vec<String>>,
        starts: &[usize],
        input: &str,
    ) -> Result<Sentence> {
        let n = tokens.len();
        if let Some(longest) = sentence_ranges(n, starts)
            .iter()
            .map(Range::len)
            .max()
            .filter(|&l| l > self.max_tokens)
        {
            match self.long_sentences {
                LongSentences::Refuse => {
                    return Err(Error::TooLong {
                        input: input.to_owned(),
                        tokens: longest,
                        max: self.max_tokens,
                    })
                }
                LongSentences::Split => tracing::warn!(
                    "{input}: a sentence of {longest} tokens, run in overlapping windows of {} tokens sharing {} (a triple whose entities are further apart than that is lost)",
                    self.max_tokens,
                    self.chunking.window_overlap()
                ),
            }
        }
        let pos_tags = match (&self.tagger, pos_tags) {
            (None, _) => None,
            (Some(_), Some(tags)) if tags.len() == n && self.model.reads_data_tags() => Some(tags),
            (Some(_), _) if n == 0 => Some(Vec::new()),
            // The whole text in one call, as the training texts were tagged (the tagger's context
            // is a few tokens, so this differs from sentence by sentence only at boundaries).
            (Some(tagger), _) => Some(tagger.tag(&tokens).map_err(|source| Error::PluginCall {
                input: input.to_owned(),
                stage: "POS tagging",
                source: Box::new(source),
            })?),
        };
        let mut sentence = Sentence::from_tokens(tokens);
        sentence.pos_tags = pos_tags.map(|tags| {
            tags.iter()
                .map(|t| plugin::normalize_tag(t).to_owned())
                .collect()
        });
        Ok(sentence)
    }

    /// The byte ranges of the sentences of `text` (the segmenter's), and the index of the first
    /// token of each (its tokens at `token_spans`). `input` names the text in errors.
    pub fn segment(
        &self,
        text: &str,
        token_spans: &[Range<usize>],
        input: &str,
    ) -> Result<(Vec<Range<usize>>, Vec<usize>)> {
        let sentences = self
            .segmenter
            .segment_spans(text)
            .map_err(|source| Error::PluginCall {
                input: input.to_owned(),
                stage: "sentence segmentation",
                source: Box::new(source),
            })?;
        let starts = sentence_starts(token_spans, &sentences);
        Ok((sentences, starts))
    }

    /// The decoding settings in use (the configured or the manifest's threshold and match mode).
    pub fn decode_options(&self) -> DecodeOptions {
        DecodeOptions {
            threshold: self.threshold,
            match_mode: self.match_mode,
        }
    }

    /// Runs prepared sentences (see [`Predictor::prepare`]) and decodes them, in input order.
    pub fn predict(&self, sentences: &[Sentence]) -> Result<Vec<Prediction>> {
        self.predict_with(sentences, &[])
    }

    /// [`Predictor::predict`], decoding sentence `i` with `options[i]`; sentences past the end of
    /// `options` get [`Predictor::decode_options`]. The model runs once whatever the options.
    pub fn predict_with(
        &self,
        sentences: &[Sentence],
        options: &[DecodeOptions],
    ) -> Result<Vec<Prediction>> {
        self.predict_cancellable(sentences, options, &|| false)
    }

    /// [`Predictor::predict_with`] that asks `cancelled` before each run of the model and stops
    /// with [`Error::Cancelled`] once it says yes: work nobody waits for stops at the next batch
    /// (or window of a long sentence), not at the end.
    pub fn predict_cancellable(
        &self,
        sentences: &[Sentence],
        options: &[DecodeOptions],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Prediction>> {
        self.predict_documents(sentences, &[], options, cancelled)
    }

    /// Predicts texts of several sentences: text `i` (tokens, POS tags) has its sentences start
    /// at the token indices `starts[i]` (none given: one sentence). Each text runs as chunks of
    /// consecutive sentences, overlapping by one ([`ChunkPlan`]); the chunks' entities and
    /// triples are merged, a triple found in two chunks once, with its higher score.
    pub fn predict_documents(
        &self,
        sentences: &[Sentence],
        starts: &[Vec<usize>],
        options: &[DecodeOptions],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Prediction>> {
        // Units of work: chunks of sentences, or windows of long ones.
        let mut units: Vec<Unit> = Vec::new();
        for (index, sentence) in sentences.iter().enumerate() {
            let starts = starts.get(index).map_or(&[][..], Vec::as_slice);
            let continues = |range: Range<usize>, sentences_before: usize| {
                crate::chunk::continues(
                    self.continuation.as_ref(),
                    &sentence.tokens[range.clone()],
                    sentence.pos_tags.as_ref().map(|tags| &tags[range]),
                    sentences_before,
                )
            };
            for (range, joint) in self.chunking.units(sentence.len(), starts, continues) {
                units.push(Unit {
                    sentence: index,
                    offset: range.start,
                    input: window(sentence, range),
                    joint,
                });
            }
        }
        let decoded = self.run_units(&units, options, cancelled)?;
        let mut merged = Merge::new(sentences.len());
        for (unit, prediction) in units.iter().zip(decoded) {
            let sentence_starts = starts.get(unit.sentence).map_or(&[][..], Vec::as_slice);
            let sentence_of = |token: usize| sentence_starts.partition_point(|&s| s <= token);
            // A chunk of several sentences adds only the confident triples linking two.
            merged.add(unit, prediction, |triple, score| {
                sentence_of(triple.subject.start) != sentence_of(triple.object.start)
                    && score >= self.joint_threshold
            });
        }
        if self.chunking.links == SentenceLinks::Orphans {
            self.link_orphans(sentences, &units, &mut merged, options, cancelled)?;
        }
        let mut predictions = merged.predictions;
        for prediction in &mut predictions {
            prediction.entities.sort();
        }
        Ok(predictions)
    }

    /// `links: orphans`: each two adjacent texts of a document (its units, in order) read
    /// together where the later one's own reading left an entity unlinked; a triple of that
    /// reading is added when it links such an entity to one of the text before, with at least
    /// the joint threshold. Only those pairs are run, so documents whose texts link all their
    /// entities cost nothing more.
    fn link_orphans(
        &self,
        sentences: &[Sentence],
        texts: &[Unit],
        merged: &mut Merge,
        options: &[DecodeOptions],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<()> {
        let unlinked: Vec<HashSet<Span>> =
            merged.predictions.iter().map(unlinked_entities).collect();
        let mut text_starts: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
        for text in texts {
            text_starts[text.sentence].push(text.offset);
        }
        let mut pairs: Vec<Unit> = Vec::new();
        let adjacent = texts.iter().zip(texts.iter().skip(1));
        for (before, text) in adjacent.filter(|(b, t)| b.sentence == t.sentence) {
            let range = before.offset..text.offset + text.input.len();
            let has_orphan = unlinked[text.sentence]
                .iter()
                .any(|e| (text.offset..range.end).contains(&e.start));
            if has_orphan && range.len() <= self.chunking.window.max(1) {
                pairs.push(Unit {
                    sentence: text.sentence,
                    offset: range.start,
                    input: window(&sentences[text.sentence], range),
                    joint: true,
                });
            }
        }
        let decoded = self.run_units(&pairs, options, cancelled)?;
        for (unit, prediction) in pairs.iter().zip(decoded) {
            let starts = &text_starts[unit.sentence];
            let text_of = |token: usize| starts.partition_point(|&s| s <= token);
            let unlinked = &unlinked[unit.sentence];
            merged.add(unit, prediction, |triple, score| {
                let (s, o) = (text_of(triple.subject.start), text_of(triple.object.start));
                let later = if s > o { triple.subject } else { triple.object };
                s != o && unlinked.contains(&later) && score >= self.joint_threshold
            });
        }
        Ok(())
    }

    /// Runs the model on `units`, batched by length; one decoded prediction per unit, in order.
    fn run_units(
        &self,
        units: &[Unit],
        options: &[DecodeOptions],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Prediction>> {
        let defaults = self.decode_options();
        let mut decoded: Vec<Option<Prediction>> = vec![None; units.len()];
        let lengths: Vec<usize> = units.iter().map(|u| u.input.len()).collect();
        let relations = self.model.relations().len();
        for bucket in length_buckets(&lengths, self.batch_size, None) {
            for group in split_by_size(&bucket, &lengths, relations, self.run_cells) {
                let refs: Vec<&Sentence> = group.iter().map(|&u| &units[u].input).collect();
                let pos = self.model.pos().unwrap_or(&self.empty_pos);
                let batch = PaddedBatch::new(&refs, self.model.words(), pos);
                // A sparse graph lists cells over one threshold per batch: the lowest asked for;
                // each sentence's decoding then applies its own.
                let threshold = group
                    .iter()
                    .map(|&u| {
                        options
                            .get(units[u].sentence)
                            .map_or(defaults.threshold, |o| o.threshold)
                    })
                    .fold(f32::INFINITY, f32::min);
                let inputs = ModelInputs::new(batch).with_threshold(threshold);
                if cancelled() {
                    return Err(Error::Cancelled);
                }
                let output = self.session.run(&inputs)?;
                for (b, &u) in group.iter().enumerate() {
                    let decode = options.get(units[u].sentence).copied().unwrap_or(defaults);
                    decoded[u] = Some(decode_one(&output, b, units[u].input.len(), decode));
                }
            }
        }
        Ok(decoded
            .into_iter()
            .map(|p| p.expect("invariant: every unit is in exactly one batch"))
            .collect())
    }

    /// Scores the model on `dataset` with rin-core's [`Evaluator`] (micro P/R/F1 of string
    /// triples, cells and entities). Sentences without POS tags are tagged by the tagger.
    /// `progress` is called with the number of sentences done after each chunk.
    pub fn evaluate(
        &self,
        dataset: &Dataset,
        progress: &mut dyn FnMut(usize),
    ) -> Result<EvalReport> {
        let mut evaluator = Evaluator::new(self.match_mode, self.model.relations());
        let chunk = (self.batch_size * 16).max(256);
        let mut done = 0;
        for (c, gold) in dataset.sentences.chunks(chunk).enumerate() {
            let inputs = gold
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    self.prepare(
                        s.tokens.clone(),
                        s.pos_tags.clone(),
                        &format!("sentence {}", c * chunk + i),
                    )
                })
                .collect::<Result<Vec<_>>>()?;
            let predictions = self.predict(&inputs)?;
            for (g, p) in gold.iter().zip(&predictions) {
                evaluator.add(g, &p.tags, &p.plain_triples());
            }
            done += gold.len();
            progress(done);
        }
        Ok(evaluator.report())
    }
}

impl Predictor {
    /// [`Predictor::evaluate`] on documents: every `n` consecutive gold sentences are joined into
    /// one text (tokens separated by spaces, gold entities and triples shifted), which the
    /// segmenter splits into sentences again and the model reads in chunks, as it reads user
    /// text. `progress` gets the number of gold sentences done.
    pub fn evaluate_documents(
        &self,
        dataset: &Dataset,
        n: usize,
        progress: &mut dyn FnMut(usize),
    ) -> Result<EvalReport> {
        let mut evaluator = Evaluator::new(self.match_mode, self.model.relations());
        let per_chunk = (self.batch_size * 16).max(256).div_ceil(n.max(1));
        let documents: Vec<Sentence> = dataset
            .sentences
            .chunks(n.max(1))
            .map(|part| Sentence::joined(&part.iter().collect::<Vec<_>>()))
            .collect();
        let mut done = 0;
        for (c, gold) in documents.chunks(per_chunk).enumerate() {
            let mut inputs = Vec::with_capacity(gold.len());
            let mut starts = Vec::with_capacity(gold.len());
            for (i, document) in gold.iter().enumerate() {
                let name = format!("document {}", c * per_chunk + i + 1);
                let (text, spans) = join_tokens(&document.tokens);
                let (_, document_starts) = self.segment(&text, &spans, &name)?;
                inputs.push(self.prepare_sentences(
                    document.tokens.clone(),
                    document.pos_tags.clone(),
                    &document_starts,
                    &name,
                )?);
                starts.push(document_starts);
            }
            let predictions = self.predict_documents(&inputs, &starts, &[], &|| false)?;
            for (g, p) in gold.iter().zip(&predictions) {
                evaluator.add(g, &p.tags, &p.plain_triples());
            }
            done = (done + gold.len() * n).min(dataset.sentences.len());
            progress(done);
        }
        Ok(evaluator.report())
    }
}

/// Texts' predictions assembled from their units' predictions: token positions shifted, a token's
/// tag from the first unit that holds it, entities and triples found twice kept once (the higher
/// score).
struct Merge {
    predictions: Vec<Prediction>,
    /// Where each text's triples are, to merge in constant time per triple.
    triple_at: Vec<HashMap<Triple, usize>>,
    entity_seen: Vec<HashSet<Span>>,
}

impl Merge {
    fn new(texts: usize) -> Merge {
        Merge {
            predictions: vec![Prediction::default(); texts],
            triple_at: vec![HashMap::new(); texts],
            entity_seen: vec![HashSet::new(); texts],
        }
    }

    /// Adds `prediction` of `unit`: all of it, or for a joint unit only the triples `keep`
    /// accepts (given the triple in text positions and its score).
    fn add(&mut self, unit: &Unit, prediction: Prediction, keep: impl Fn(&Triple, f32) -> bool) {
        let out = &mut self.predictions[unit.sentence];
        if !unit.joint {
            let covered = out.tags.len();
            out.tags.extend(
                prediction
                    .tags
                    .into_iter()
                    .skip(covered.saturating_sub(unit.offset)),
            );
            for entity in prediction.entities.iter().map(|e| e.shifted(unit.offset)) {
                if self.entity_seen[unit.sentence].insert(entity) {
                    out.entities.push(entity);
                }
            }
        }
        let seen = &mut self.triple_at[unit.sentence];
        for t in prediction.triples {
            let triple = t.triple.shifted(unit.offset);
            if unit.joint && !keep(&triple, t.score) {
                continue;
            }
            match seen.get(&triple) {
                Some(&at) => out.triples[at].score = out.triples[at].score.max(t.score),
                None => {
                    seen.insert(triple, out.triples.len());
                    out.triples.push(ScoredTriple {
                        triple,
                        score: t.score,
                    });
                }
            }
        }
    }
}

/// The entities of `prediction` that no triple of it links.
fn unlinked_entities(prediction: &Prediction) -> HashSet<Span> {
    let linked: HashSet<Span> = prediction
        .triples
        .iter()
        .flat_map(|t| [t.triple.subject, t.triple.object])
        .collect();
    prediction
        .entities
        .iter()
        .copied()
        .filter(|e| !linked.contains(e))
        .collect()
}

/// Tokens joined by single spaces, and each token's byte range in the result.
pub fn join_tokens(tokens: &[String]) -> (String, Vec<Range<usize>>) {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(tokens.len());
    for token in tokens {
        if !text.is_empty() {
            text.push(' ');
        }
        spans.push(text.len()..text.len() + token.len());
        text.push_str(token);
    }
    (text, spans)
}

/// A sentence (or a window of one, or a chunk of several) to run.
struct Unit {
    sentence: usize,
    offset: usize,
    input: Sentence,
    /// A chunk of several sentences: only its triples that link two of them are kept.
    joint: bool,
}

/// The index of the first token of each sentence (tokens and sentences as ordered byte ranges):
/// a sentence starts at its first token that begins inside it; sentences without tokens are
/// dropped.
pub fn sentence_starts(tokens: &[Range<usize>], sentences: &[Range<usize>]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(sentences.len());
    let mut t = 0;
    for sentence in sentences {
        while t < tokens.len() && tokens[t].start < sentence.start {
            t += 1;
        }
        if t < tokens.len() && tokens[t].start < sentence.end && starts.last() != Some(&t) {
            starts.push(t);
        }
    }
    starts
}

/// Tokens `range` of `sentence` (with their POS tags), without gold annotation.
fn window(sentence: &Sentence, range: Range<usize>) -> Sentence {
    let mut s = Sentence::from_tokens(sentence.tokens[range.clone()].to_vec());
    s.pos_tags = sentence
        .pos_tags
        .as_ref()
        .and_then(|tags| tags.get(range).map(<[String]>::to_vec));
    s
}

/// Cuts a length bucket into runs whose relation tensors stay under [`MAX_BATCH_FLOATS`] and
/// that hold at most `run_cells` token pairs (at least one sentence each).
fn split_by_size(
    bucket: &[usize],
    lengths: &[usize],
    relations: usize,
    run_cells: usize,
) -> Vec<Vec<usize>> {
    let longest = bucket.iter().map(|&u| lengths[u]).max().unwrap_or(1).max(1);
    let per_sentence = longest * longest * relations.max(100);
    let fit = (MAX_BATCH_FLOATS / per_sentence)
        .min(run_cells / (longest * longest))
        .max(1);
    bucket.chunks(fit).map(<[usize]>::to_vec).collect()
}

/// A text prepared for the model: its tokens' byte ranges and the model input.
#[derive(Debug, Clone)]
pub struct PreparedText {
    text: String,
    spans: Vec<Range<usize>>,
    sentence: Sentence,
    /// Byte ranges of the text's sentences (from the segmenter).
    sentences: Vec<Range<usize>>,
    /// The token index where each sentence starts.
    starts: Vec<usize>,
}

impl PreparedText {
    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the text has no tokens.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The model input: tokens and POS tags.
    pub fn sentence(&self) -> &Sentence {
        &self.sentence
    }
}

/// A [`Predictor`] with a tokenizer: raw texts in, [`Extraction`]s out.
#[derive(Debug)]
pub struct Extractor {
    predictor: Predictor,
    tokenizer: Tokenizer,
}

impl Extractor {
    /// Loads the model (see [`Predictor::load`]) and the tokenizer plugin.
    pub fn load(model: Model, config: &PipelineConfig) -> Result<Extractor> {
        let name = plugin::tokenizer_name(&model, config.tokenizer.as_deref()).to_owned();
        let predictor = Predictor::load(model, config)?;
        let tokenizer = predictor.plugins.tokenizer(&name)?;
        tracing::debug!(tokenizer = %tokenizer.metadata().name, "tokenizer loaded");
        Ok(Extractor {
            predictor,
            tokenizer,
        })
    }

    /// The predictor.
    pub fn predictor(&self) -> &Predictor {
        &self.predictor
    }

    /// The tokenizer's name.
    pub fn tokenizer_name(&self) -> &str {
        &self.tokenizer.metadata().name
    }

    /// Tokenizes and tags one text. `input` names it in errors (`line 3`). Errors here concern
    /// this text alone (tokenizer or tagger failures, a sentence too long).
    pub fn prepare(&self, text: String, input: &str) -> Result<PreparedText> {
        let spans = self
            .tokenizer
            .tokenize_spans(&text)
            .map_err(|source| Error::PluginCall {
                input: input.to_owned(),
                stage: "tokenizing",
                source: Box::new(source),
            })?;
        let (sentences, starts) = self.predictor.segment(&text, &spans, input)?;
        let tokens = spans.iter().map(|r| text[r.clone()].to_owned()).collect();
        let sentence = self
            .predictor
            .prepare_sentences(tokens, None, &starts, input)?;
        Ok(PreparedText {
            text,
            spans,
            sentence,
            sentences,
            starts,
        })
    }

    /// Runs prepared texts and builds their results, in order.
    pub fn run(&self, prepared: Vec<PreparedText>) -> Result<Vec<Extraction>> {
        self.run_with(prepared, &[])
    }

    /// [`Extractor::run`], decoding text `i` with `options[i]` (see [`Predictor::predict_with`]).
    pub fn run_with(
        &self,
        prepared: Vec<PreparedText>,
        options: &[DecodeOptions],
    ) -> Result<Vec<Extraction>> {
        self.run_cancellable(prepared, options, &|| false)
    }

    /// [`Extractor::run_with`], stopping with [`Error::Cancelled`] before the next run of the
    /// model once `cancelled` says so (see [`Predictor::predict_cancellable`]).
    pub fn run_cancellable(
        &self,
        prepared: Vec<PreparedText>,
        options: &[DecodeOptions],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Extraction>> {
        let sentences: Vec<Sentence> = prepared.iter().map(|p| p.sentence.clone()).collect();
        let starts: Vec<Vec<usize>> = prepared.iter().map(|p| p.starts.clone()).collect();
        let predictions = self
            .predictor
            .predict_documents(&sentences, &starts, options, cancelled)?;
        let relations = self.predictor.model.relations();
        Ok(prepared
            .into_iter()
            .zip(&predictions)
            .map(|(p, prediction)| {
                if p.spans.is_empty() {
                    Extraction::empty(p.text)
                } else {
                    Extraction::new(p.text, &p.spans, prediction, relations)
                        .with_sentences(&p.sentences)
                }
            })
            .collect())
    }

    /// Extracts from each text (stops at the first text that fails).
    pub fn extract<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Extraction>> {
        let prepared = texts
            .iter()
            .enumerate()
            .map(|(i, t)| self.prepare(t.as_ref().to_owned(), &format!("text {}", i + 1)))
            .collect::<Result<Vec<_>>>()?;
        self.run(prepared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_of_long_sentences_are_cut_to_the_budget() {
        let lengths = vec![200; 40];
        let bucket: Vec<usize> = (0..40).collect();
        let groups = split_by_size(&bucket, &lengths, 171, usize::MAX);
        let per = 200 * 200 * 171;
        assert!(groups.iter().all(|g| g.len() * per <= MAX_BATCH_FLOATS));
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 40);
        let short = split_by_size(&bucket, &vec![10; 40], 171, usize::MAX);
        assert_eq!(short.len(), 1);
        // 30-token sentences, 8,192 token pairs per run: runs of 9 (9 x 900 = 8,100).
        let runs = split_by_size(&bucket, &vec![30; 40], 171, 2 * CPU_RUN_CELLS_PER_THREAD);
        let sizes: Vec<usize> = runs.iter().map(Vec::len).collect();
        assert_eq!(sizes, [9, 9, 9, 9, 4]);
        // A sentence over the budget still runs, alone.
        let long = split_by_size(&bucket[..3], &vec![100; 40], 171, CPU_RUN_CELLS_PER_THREAD);
        assert_eq!(long.len(), 3);
    }

    #[test]
    fn windows_keep_pos_tags_and_drop_gold() {
        let mut s = Sentence::from_tokens(["a", "b", "c"].map(String::from).to_vec());
        s.pos_tags = Some(["X", "Y", "Z"].map(String::from).to_vec());
        s.entities = vec![Span::single(0)];
        let w = window(&s, 1..3);
        assert_eq!(w.tokens, ["b", "c"]);
        assert_eq!(
            w.pos_tags.as_deref(),
            Some(&["Y".to_owned(), "Z".to_owned()][..])
        );
        assert!(w.entities.is_empty());
    }
}
