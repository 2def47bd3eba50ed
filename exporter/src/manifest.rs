//! `manifest.json`: what an export holds and everything needed to use it (vocabularies, label
//! sets, tokenizer and tagger, thresholds, provenance), plus the sha256 of every file.
//!
//! The same facts, less the file list, go into each graph's `metadata_props` (see
//! [`Manifest::metadata_props`]), so that a `.onnx` file alone describes itself.

use serde::{Deserialize, Serialize};

use crate::checkpoint::{CheckpointMeta, ModelConfig, PosInfo};
use crate::rin_graph;

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

/// The file name of the graph for `k` interaction layers.
pub fn graph_file(k: usize) -> String {
    format!("model_k{k}.onnx")
}

/// One graph input or output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorSpec {
    /// Its name in the graph.
    pub name: String,
    /// ONNX element type (`int64`, `int32`, `float32`).
    pub dtype: String,
    /// Dimensions: numbers, or the dynamic names `batch` and `seq`.
    pub shape: Vec<serde_json::Value>,
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
    /// The model's shape (rin-trainer's `ModelConfig`).
    pub config: ModelConfig,
    /// `entity_probs`' last axis, in order.
    pub tags: Vec<String>,
    /// `relation_probs`' last axis, in order.
    pub relations: Vec<String>,
    /// Word vocabulary, id order (0 PAD, 1 UNK); look up the lower-cased token.
    pub words: Vec<String>,
    /// How tokens become word-vocabulary keys.
    pub word_lookup: String,
    /// POS vocabulary, tag set and the tagger that produced the training tags; `None` when the
    /// model reads no POS (the `pos_ids` input is then ignored: pass zeros).
    pub pos: Option<PosInfo>,
    /// The tokenizer the training tokens came from.
    pub tokenizer: serde_json::Value,
    /// Triple matching the model was selected with (`partial` or `exact`).
    pub match_mode: rin_core::MatchMode,
    /// Relation probability threshold for decoding.
    pub threshold: f32,
    /// How the graphs return relation probabilities (`dense` in manifests written before the
    /// option existed). Sparse graphs take the threshold as an input.
    #[serde(default)]
    pub relation_output: rin_graph::RelationOutput,
    /// Dev F1 of string triples, in [0, 1], if evaluated.
    pub dev_f1: Option<f64>,
    /// Every dev score the trainer recorded.
    pub dev: Option<serde_json::Value>,
    /// Where the initial word vectors came from.
    pub embeddings: serde_json::Value,
    /// The training data.
    pub data: serde_json::Value,
    /// The checkpoint exported.
    pub source: SourceInfo,
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

impl Manifest {
    /// The manifest of exporting `meta` for `ks` (ascending, deduplicated).
    pub fn new(meta: &CheckpointMeta, ks: &[usize], source: SourceInfo) -> Manifest {
        let trained_k = meta.model.k;
        let deep = meta.deep_supervision();
        let graphs = ks
            .iter()
            .map(|&k| GraphEntry {
                k,
                file: graph_file(k),
                trained: k == trained_k || (deep && k <= trained_k),
            })
            .collect();
        let tokenizer = meta.tokenizer.clone().unwrap_or_else(|| {
            serde_json::json!({
                "name": "pre-tokenized",
                "note": "the training data came tokenized (space separated); the checkpoint names no tokenizer"
            })
        });
        Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            producer: format!("rin-exporter {}", env!("CARGO_PKG_VERSION")),
            model: "RIN, Recurrent Interaction Network (Sun et al., EMNLP 2020)".into(),
            trained_k,
            exported_k: ks.to_vec(),
            deep_supervision: deep,
            graphs,
            onnx: onnx_info(&meta.model, rin_graph::RelationOutput::Dense),
            config: meta.model.clone(),
            tags: rin_core::Tag::names().map(String::from).to_vec(),
            relations: meta.relations.clone(),
            words: meta.words.clone(),
            word_lookup: "lowercase".into(),
            pos: if meta.model.uses_pos() {
                meta.pos.clone()
            } else {
                None
            },
            tokenizer,
            match_mode: meta.match_mode,
            threshold: meta.threshold,
            relation_output: rin_graph::RelationOutput::Dense,
            dev_f1: meta.dev_f1(),
            dev: meta.dev.clone(),
            embeddings: meta.embeddings.clone(),
            data: meta.data.clone(),
            source,
        }
    }

    /// The manifest of graphs with `output` relation outputs (inputs and outputs changed to match).
    pub fn with_relation_output(mut self, output: rin_graph::RelationOutput) -> Manifest {
        self.relation_output = output;
        self.onnx = onnx_info(&self.config, output);
        self
    }

    /// `metadata_props` for the graph of `k`: `rin.k`, `rin.weights_sha256`, then one `rin.<field>`
    /// per manifest field (strings as they are, everything else as JSON text).
    pub fn metadata_props(&self, k: usize, weights_sha256: &str) -> Vec<(String, String)> {
        let mut props = vec![
            ("rin.k".to_owned(), k.to_string()),
            ("rin.weights_sha256".to_owned(), weights_sha256.to_owned()),
        ];
        let value = serde_json::to_value(self).expect("a manifest serialises to JSON");
        if let serde_json::Value::Object(fields) = value {
            for (key, v) in fields {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                props.push((format!("rin.{key}"), text));
            }
        }
        props
    }
}

fn onnx_info(config: &ModelConfig, output: rin_graph::RelationOutput) -> OnnxInfo {
    let spec = |name: &str, dtype: &str, shape: serde_json::Value, description: &str| TensorSpec {
        name: name.into(),
        dtype: dtype.into(),
        shape: shape.as_array().cloned().unwrap_or_default(),
        description: description.into(),
    };
    let pos_note = if config.uses_pos() {
        "POS ids, PAD = 0"
    } else {
        "POS ids; ignored by this model (trained without POS)"
    };
    let mut inputs = vec![
        spec(
            rin_graph::WORD_IDS,
            "int64",
            serde_json::json!(["batch", "seq"]),
            "word ids, PAD = 0, UNK = 1",
        ),
        spec(
            rin_graph::POS_IDS,
            "int64",
            serde_json::json!(["batch", "seq"]),
            pos_note,
        ),
        spec(
            rin_graph::LENGTHS,
            "int32",
            serde_json::json!(["batch"]),
            "sentence lengths, each in 1..=seq",
        ),
    ];
    let mut outputs = vec![spec(
        rin_graph::ENTITY_PROBS,
        "float32",
        serde_json::json!(["batch", "seq", rin_core::Tag::COUNT]),
        "BIOES tag probabilities (softmax), tags in `tags` order",
    )];
    match output {
        rin_graph::RelationOutput::Dense => outputs.push(spec(
            rin_graph::RELATION_PROBS,
            "float32",
            serde_json::json!(["batch", "seq", "seq", config.relations]),
            "[b, i, j, t]: probability that the entity ending at i relates by t to the one ending at j (sigmoid)",
        )),
        rin_graph::RelationOutput::Sparse => {
            inputs.push(spec(
                rin_graph::RELATION_THRESHOLD,
                "float32",
                serde_json::json!([1]),
                "relation threshold: cells with probability >= it are listed",
            ));
            outputs.push(spec(
                rin_graph::RELATION_CELLS,
                "int64",
                serde_json::json!([rin_graph::CELLS, 4]),
                "(b, i, j, t) of every relation probability >= relation_threshold, row-major order",
            ));
            outputs.push(spec(
                rin_graph::RELATION_SCORES,
                "float32",
                serde_json::json!([rin_graph::CELLS]),
                "the probability of each cell of relation_cells",
            ));
        }
    }
    OnnxInfo {
        opset: OPSET,
        ir_version: IR_VERSION,
        inputs,
        outputs,
        weights_file: WEIGHTS_FILE.into(),
    }
}
