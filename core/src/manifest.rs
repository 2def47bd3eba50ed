//! `manifest.json`: what an export folder holds and everything needed to use it (vocabularies,
//! label sets, tokenizer and tagger, thresholds, provenance), plus the sha256 of every file.
//! rin-exporter writes it and rin-runtime reads it, both through these types.
//!
//! A reader checks [`ManifestHeader`] first, so that another format or an unknown version is its
//! own error rather than a missing field.

use serde::{Deserialize, Serialize};

use crate::checkpoint::{DataInfo, EmbeddingInfo, PosInfo};
use crate::decode::MatchMode;
use crate::format::FormatError;
use crate::model_config::ModelConfig;
use crate::scores::Scores;

/// `manifest.json`'s `format` value.
pub const FORMAT: &str = "rin-onnx-export";
/// `manifest.json`'s `format_version`.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's file name in an export folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The shared external-data file's name in an export folder.
pub const WEIGHTS_FILE: &str = "weights.bin";
/// The ONNX opset the graphs import (default domain).
pub const OPSET: i64 = 17;
/// The ONNX IR version of the graphs.
pub const IR_VERSION: i64 = 8;
/// `word_lookup`: look up the lower-cased token.
pub const LOWERCASE_LOOKUP: &str = "lowercase";

/// The file name of the fp32 graph for `k` interaction layers.
pub fn graph_file(k: usize) -> String {
    format!("model_k{k}.onnx")
}

/// The file name of the graph for `k` at `precision`: [`graph_file`] for fp32, a suffix
/// (`model_k3_int8.onnx`) for the others, so that one folder holds every precision.
pub fn graph_file_at(k: usize, precision: Precision) -> String {
    match precision {
        Precision::Fp32 => graph_file(k),
        other => format!("model_k{k}_{other}.onnx"),
    }
}

/// How a graph returns relation probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationOutput {
    /// The whole `[batch, seq, seq, relations]` tensor (`relation_probs`).
    #[default]
    Dense,
    /// Only the cells at or above a threshold given as input (`relation_cells`,
    /// `relation_scores`): what decoding reads, without the `n x n x R` tensor leaving the graph.
    Sparse,
}

/// The numeric precision of an export's large matrix products.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Every weight and product in float32 (manifests written before the option existed).
    #[default]
    Fp32,
    /// Every matrix product but the LSTM's in int8 (the relation head's pair-by-pair product, its
    /// subject and object maps, the entity head, the GRUs): weights quantized per output column at
    /// export (symmetric, zero point 0), activations quantized at run time
    /// (`DynamicQuantizeLinear`, `MatMulInteger`), the int32 result scaled back to float32.
    Int8,
    /// Weights and compute in float16, for GPUs (the CUDA execution provider); the output
    /// sigmoid and softmax in float32, so the outputs are float32 like every other graph's.
    Fp16,
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::Fp32 => "fp32",
            Precision::Int8 => "int8",
            Precision::Fp16 => "fp16",
        })
    }
}

impl Precision {
    /// Every precision, in the order a folder lists its graphs (fp32, the default, first).
    pub const ALL: [Precision; 3] = [Precision::Fp32, Precision::Int8, Precision::Fp16];

    /// The precision named `name` (`fp32`, `int8`, `fp16`).
    pub fn parse(name: &str) -> Option<Precision> {
        Self::ALL.into_iter().find(|p| p.to_string() == name)
    }
}

/// `precisions` joined for a message or a listing: `fp32, int8`.
pub fn precision_list(precisions: &[Precision]) -> String {
    precisions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The element type of the stored word-embedding rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WordTablePrecision {
    /// float32, as trained.
    #[default]
    Fp32,
    /// float16 in the weights file, cast to float32 after the look-up: half the bytes of the
    /// largest tensor of a wide-vocabulary model, everything after the look-up unchanged.
    Fp16,
}

impl std::fmt::Display for WordTablePrecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WordTablePrecision::Fp32 => "fp32",
            WordTablePrecision::Fp16 => "fp16",
        })
    }
}

/// What an export kept of the checkpoint's word table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordTable {
    /// Rows kept: the checkpoint's first `rows` words (PAD and UNK included); the words after
    /// them read as UNK.
    pub rows: usize,
    /// The checkpoint's vocabulary size.
    pub checkpoint_rows: usize,
    /// The stored rows' element type.
    pub precision: WordTablePrecision,
}

impl WordTable {
    /// Every one of `rows` words, in float32: what manifests without the record hold.
    pub fn whole(rows: usize) -> WordTable {
        WordTable {
            rows,
            checkpoint_rows: rows,
            precision: WordTablePrecision::Fp32,
        }
    }
}

/// The dev scores a reduced-precision export was admitted with: fp32 and each variant scored on
/// the same data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionGate {
    /// The data file scored.
    pub data: String,
    /// The K whose graphs were scored.
    pub k: usize,
    /// Triple F1 of the fp32 graphs, in [0, 1].
    pub fp32_f1: f64,
    /// Triple F1 of the int8 graphs, in [0, 1], when the folder has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub int8_f1: Option<f64>,
    /// Triple F1 of the fp16 graphs, in [0, 1], when the folder has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp16_f1: Option<f64>,
    /// The largest drop allowed, in F1 points (0-100 scale).
    pub max_f1_drop: f64,
}

impl PrecisionGate {
    /// The triple F1 measured for `precision`, if it was scored.
    pub fn f1_of(&self, precision: Precision) -> Option<f64> {
        match precision {
            Precision::Fp32 => Some(self.fp32_f1),
            Precision::Int8 => self.int8_f1,
            Precision::Fp16 => self.fp16_f1,
        }
    }

    /// Records the triple F1 measured for the reduced precision `precision`.
    ///
    /// # Panics
    /// For fp32, the reference, which is set when the gate is made.
    pub fn set_f1(&mut self, precision: Precision, f1: f64) {
        match precision {
            Precision::Fp32 => panic!("fp32 is the gate's reference, not a variant"),
            Precision::Int8 => self.int8_f1 = Some(f1),
            Precision::Fp16 => self.fp16_f1 = Some(f1),
        }
    }

    /// The reduced precisions scored and their F1, in [`Precision::ALL`]'s order.
    pub fn variants(&self) -> Vec<(Precision, f64)> {
        Precision::ALL
            .into_iter()
            .filter(|&p| p != Precision::Fp32)
            .filter_map(|p| self.f1_of(p).map(|f1| (p, f1)))
            .collect()
    }

    /// `fp32_f1 - f1` of `precision` in F1 points (0 when it was not scored).
    pub fn drop_points(&self, precision: Precision) -> f64 {
        self.f1_of(precision)
            .map_or(0.0, |f1| (self.fp32_f1 - f1) * 100.0)
    }
}

/// One dimension of a [`TensorSpec`]: a size, or the name of a dynamic dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dim {
    /// A fixed size.
    Fixed(usize),
    /// A dynamic dimension (`batch`, `seq`, `cells`).
    Named(String),
}

impl Dim {
    /// The dynamic dimension's name; `None` for a fixed size.
    pub fn name(&self) -> Option<&str> {
        match self {
            Dim::Named(name) => Some(name),
            Dim::Fixed(_) => None,
        }
    }
}

impl std::fmt::Display for Dim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dim::Fixed(n) => write!(f, "{n}"),
            Dim::Named(name) => write!(f, "{name:?}"),
        }
    }
}

/// One graph input or output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorSpec {
    /// Its name in the graph.
    pub name: String,
    /// ONNX element type (`int64`, `int32`, `float32`).
    pub dtype: String,
    /// Dimensions: numbers, or the dynamic names `batch` and `seq`.
    pub shape: Vec<Dim>,
    /// What it holds.
    pub description: String,
}

/// The ONNX side of the export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnnxInfo {
    /// Default-domain opset.
    pub opset: i64,
    /// IR version.
    pub ir_version: i64,
    /// Graph inputs.
    pub inputs: Vec<TensorSpec>,
    /// Graph outputs.
    pub outputs: Vec<TensorSpec>,
    /// The external-data file every graph refers to.
    pub weights_file: String,
}

/// One exported graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEntry {
    /// Interaction layers unrolled.
    pub k: usize,
    /// The `.onnx` file.
    pub file: String,
    /// Whether the outputs at this K are what training optimised: K equals the trained K, or the
    /// model was trained with deep supervision and K is at most the trained K.
    pub trained: bool,
    /// The graph's precision; absent in manifests written before one folder could hold several
    /// precisions, whose graphs all have the manifest's `precision` ([`Manifest::precision_of`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
}

/// One file of the export with its checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// File name, relative to the manifest.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lower-case hex sha256 of the contents.
    pub sha256: String,
}

/// Where the export came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The checkpoint directory as given (after resolving `best`/`last`).
    pub checkpoint: String,
    /// The checkpoint's epoch.
    pub epoch: usize,
    /// sha256 of the checkpoint's `model.safetensors`.
    pub weights_sha256: String,
    /// The epochs the checkpoint's weights are the mean of (`rin-train --average-from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub averaged: Option<crate::checkpoint::AveragedEpochs>,
}

/// The tokenizer the training tokens came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerInfo {
    /// The tokenizer plugin's name, or [`TokenizerInfo::PRE_TOKENIZED`].
    pub name: String,
    /// Why this name, when it is not a plugin's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl TokenizerInfo {
    /// The name recorded when the training data came tokenized.
    pub const PRE_TOKENIZED: &'static str = "pre-tokenized";

    /// The tokenizer of data that came tokenized (space separated), as checkpoints have none.
    pub fn pre_tokenized() -> TokenizerInfo {
        TokenizerInfo {
            name: Self::PRE_TOKENIZED.into(),
            note: Some(
                "the training data came tokenized (space separated); the checkpoint names no tokenizer"
                    .into(),
            ),
        }
    }

    /// The plugin that made the training tokens; `None` when the data came tokenized.
    pub fn plugin(&self) -> Option<&str> {
        Some(self.name.as_str()).filter(|name| !matches!(*name, Self::PRE_TOKENIZED | ""))
    }
}

/// The facts about an export; `manifest.json` adds the file list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// `rin-exporter <version>`.
    pub producer: String,
    /// The model, in words.
    pub model: String,
    /// The K the checkpoint was trained with.
    pub trained_k: usize,
    /// The Ks exported, ascending.
    pub exported_k: Vec<usize>,
    /// Whether training used deep supervision (every K up to `trained_k` usable).
    pub deep_supervision: bool,
    /// One entry per graph.
    pub graphs: Vec<GraphEntry>,
    /// Opset, IR version, inputs, outputs.
    pub onnx: OnnxInfo,
    /// The model's shape.
    pub config: ModelConfig,
    /// `entity_probs`' last axis, in order.
    pub tags: Vec<String>,
    /// `relation_probs`' last axis, in order.
    pub relations: Vec<String>,
    /// Word vocabulary, id order (0 PAD, 1 UNK); look up the lower-cased token.
    pub words: Vec<String>,
    /// How tokens become word-vocabulary keys ([`LOWERCASE_LOOKUP`]).
    pub word_lookup: String,
    /// POS vocabulary, tag set and the tagger that produced the training tags; `None` when the
    /// model reads no POS (the `pos_ids` input is then ignored: pass zeros).
    pub pos: Option<PosInfo>,
    /// The tokenizer the training tokens came from.
    pub tokenizer: TokenizerInfo,
    /// Triple matching the model was selected with (`partial` or `exact`).
    pub match_mode: MatchMode,
    /// Relation probability threshold for decoding.
    pub threshold: f32,
    /// How the graphs return relation probabilities (`dense` in manifests written before the
    /// option existed). Sparse graphs take the threshold as an input.
    #[serde(default)]
    pub relation_output: RelationOutput,
    /// Dev F1 of string triples, in [0, 1], if evaluated.
    pub dev_f1: Option<f64>,
    /// Every dev score the trainer recorded.
    pub dev: Option<Scores>,
    /// Where the initial word vectors came from.
    pub embeddings: EmbeddingInfo,
    /// The training data.
    pub data: DataInfo,
    /// The checkpoint exported.
    pub source: SourceInfo,
    /// How documents are read with this model (the defaults in manifests written before).
    #[serde(default)]
    pub reading: crate::reading::ReadingPlan,
    /// The precision run when none is asked for: fp32 when the folder has fp32 graphs. In
    /// manifests whose graphs name no precision, every graph's (`fp32` in manifests written
    /// before the option existed).
    #[serde(default)]
    pub precision: Precision,
    /// For an export with int8 or fp16 graphs: the dev F1 of fp32 and of each reduced precision
    /// measured at export (the variants' gate; fp32 is the reference and has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision_gate: Option<PrecisionGate>,
    /// What the export kept of the checkpoint's word table (a frequency cut, fp16 rows);
    /// absent in manifests written before the options existed: every word, float32
    /// ([`Manifest::word_table`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_table: Option<WordTable>,
}

impl Manifest {
    /// The word table's record, or every word in float32 for manifests without one.
    pub fn word_table(&self) -> WordTable {
        self.word_table
            .unwrap_or_else(|| WordTable::whole(self.words.len()))
    }

    /// The precision of `graph`: its own, else the manifest's (older manifests).
    pub fn precision_of(&self, graph: &GraphEntry) -> Precision {
        graph.precision.unwrap_or(self.precision)
    }

    /// The precisions of the graphs, each once, fp32 first.
    pub fn precisions(&self) -> Vec<Precision> {
        let mut found: Vec<Precision> = self.graphs.iter().map(|g| self.precision_of(g)).collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The precision run when none is asked for: fp32 when there are fp32 graphs, else the
    /// first there is.
    pub fn default_precision(&self) -> Precision {
        let found = self.precisions();
        if found.contains(&Precision::Fp32) {
            Precision::Fp32
        } else {
            found.first().copied().unwrap_or(self.precision)
        }
    }
}

/// `manifest.json`: the manifest and the export's files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// The facts.
    #[serde(flatten)]
    pub manifest: Manifest,
    /// Every file of the export (weights first, then graphs) with its sha256.
    pub files: Vec<FileEntry>,
}

/// The two fields that say what a JSON file is, read before the rest.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ManifestHeader {
    /// [`FORMAT`] in a rin export.
    #[serde(default)]
    pub format: Option<String>,
    /// [`FORMAT_VERSION`] in the exports this build reads.
    #[serde(default)]
    pub format_version: Option<u32>,
}

impl ManifestHeader {
    /// Fails unless the file is a rin export of [`FORMAT_VERSION`].
    pub fn check(&self) -> Result<(), FormatError> {
        if self.format.as_deref() != Some(FORMAT) {
            return Err(FormatError::Format {
                expected: FORMAT,
                found: self.format.clone(),
            });
        }
        let found = self.format_version.ok_or(FormatError::NoVersion)?;
        crate::format::check_version(found, FORMAT_VERSION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest written before `precision` and word-table records existed (a shipped model's,
    /// with those fields taken out) reads as fp32 with every word.
    #[test]
    fn manifests_without_precision_read_as_fp32() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../models/webnlg/manifest.json"
        );
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let fields = json.as_object_mut().unwrap();
        fields.remove("precision");
        fields.remove("precision_gate");
        fields.remove("word_table");
        for graph in fields["graphs"].as_array_mut().unwrap() {
            graph.as_object_mut().unwrap().remove("precision");
        }
        let file: ManifestFile = serde_json::from_value(json).unwrap();
        assert_eq!(file.manifest.precision, Precision::Fp32);
        assert!(file.manifest.precision_gate.is_none());
        // Written before word tables had a record: every word, float32.
        assert!(file.manifest.word_table.is_none());
        assert_eq!(
            file.manifest.word_table(),
            WordTable::whole(file.manifest.words.len())
        );
        // fp32 writes no gate; a gate of int8 and fp16 round-trips.
        let mut m = file.manifest;
        assert!(serde_json::to_value(&m)
            .unwrap()
            .get("precision_gate")
            .is_none());
        m.precision = Precision::Int8;
        m.precision_gate = Some(PrecisionGate {
            data: "data/webnlg/dev.json".into(),
            k: 3,
            fp32_f1: 0.824,
            int8_f1: Some(0.8242),
            fp16_f1: Some(0.823),
            max_f1_drop: 0.5,
        });
        let value = serde_json::to_value(&m).unwrap();
        assert_eq!(value["precision"], "int8");
        let back: Manifest = serde_json::from_value(value).unwrap();
        assert_eq!(back, m);
        let gate = back.precision_gate.unwrap();
        assert!((gate.drop_points(Precision::Int8) - -0.02).abs() < 1e-9);
        assert!((gate.drop_points(Precision::Fp16) - 0.1).abs() < 1e-9);
        assert_eq!(
            gate.variants(),
            vec![(Precision::Int8, 0.8242), (Precision::Fp16, 0.823)]
        );
        // A gate written before fp16 existed (int8 only) still reads.
        let mut old = serde_json::to_value(&gate).unwrap();
        old.as_object_mut().unwrap().remove("fp16_f1");
        let old: PrecisionGate = serde_json::from_value(old).unwrap();
        assert_eq!(old.variants(), vec![(Precision::Int8, 0.8242)]);
    }
}
