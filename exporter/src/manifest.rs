//! Writing `manifest.json`: the manifest of a checkpoint's export (the types are rin-core's
//! [`rin_core::manifest`], which the runtime reads), and the `metadata_props` that carry the same
//! facts, less the file list, in each graph, so that a `.onnx` file alone describes itself.

pub use rin_core::manifest::{
    graph_file, graph_file_at, Dim, FileEntry, GraphEntry, Manifest, ManifestFile, OnnxInfo,
    RelationOutput, SourceInfo, TensorSpec, TokenizerInfo, FORMAT, FORMAT_VERSION, IR_VERSION,
    LOWERCASE_LOOKUP, MANIFEST_FILE, OPSET, WEIGHTS_FILE,
};
pub use rin_core::manifest::{Precision, PrecisionGate};
use rin_core::onnx_names as names;

use crate::checkpoint::{CheckpointMeta, ModelConfig};

/// The manifest of exporting `meta` for `ks` (ascending, deduplicated), with dense relation
/// outputs, fp32 graphs.
pub fn manifest_of(meta: &CheckpointMeta, ks: &[usize], source: SourceInfo) -> Manifest {
    manifest_at(meta, ks, &[Precision::Fp32], source)
}

/// [`manifest_of`] with one graph per K and precision in `precisions` (ascending, deduplicated,
/// not empty), listed by precision then K; the first precision is the default.
pub fn manifest_at(
    meta: &CheckpointMeta,
    ks: &[usize],
    precisions: &[Precision],
    source: SourceInfo,
) -> Manifest {
    let trained_k = meta.model.k;
    let deep = meta.train.deep_supervision;
    let graphs = precisions
        .iter()
        .flat_map(|&precision| {
            ks.iter().map(move |&k| GraphEntry {
                k,
                file: graph_file_at(k, precision),
                trained: k == trained_k || (deep && k <= trained_k),
                precision: Some(precision),
            })
        })
        .collect();
    // Checkpoints name no tokenizer: the training data came tokenized.
    let tokenizer = TokenizerInfo::pre_tokenized();
    Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        producer: format!("rin-exporter {}", env!("CARGO_PKG_VERSION")),
        model: "RIN, Recurrent Interaction Network (Sun et al., EMNLP 2020)".into(),
        trained_k,
        exported_k: ks.to_vec(),
        deep_supervision: deep,
        graphs,
        onnx: onnx_info(&meta.model, RelationOutput::Dense),
        config: meta.model.clone(),
        tags: rin_core::Tag::names().map(String::from).to_vec(),
        relations: meta.relations.clone(),
        words: meta.words.tokens().to_vec(),
        word_lookup: LOWERCASE_LOOKUP.into(),
        pos: if meta.model.uses_pos() {
            meta.pos.clone()
        } else {
            None
        },
        tokenizer,
        match_mode: meta.match_mode,
        threshold: meta.threshold,
        relation_output: RelationOutput::Dense,
        dev_f1: meta.dev_f1(),
        dev: meta.dev,
        embeddings: meta.embeddings.clone(),
        data: meta.data.clone(),
        source,
        reading: Default::default(),
        precision: precisions.first().copied().unwrap_or_default(),
        precision_gate: None,
        word_table: None,
    }
}

/// The manifest of graphs with `output` relation outputs (inputs and outputs changed to match).
pub fn with_relation_output(mut manifest: Manifest, output: RelationOutput) -> Manifest {
    manifest.relation_output = output;
    manifest.onnx = onnx_info(&manifest.config, output);
    manifest
}

/// `metadata_props` for the graph of `k` at `precision`: `rin.k`, `rin.weights_sha256`, then one
/// `rin.<field>` per manifest field (strings as they are, everything else as JSON text), with
/// `rin.precision` the graph's own.
pub fn metadata_props(
    manifest: &Manifest,
    k: usize,
    precision: Precision,
    weights_sha256: &str,
) -> Vec<(String, String)> {
    let mut props = vec![
        ("rin.k".to_owned(), k.to_string()),
        ("rin.weights_sha256".to_owned(), weights_sha256.to_owned()),
    ];
    let value = serde_json::to_value(manifest).expect("a manifest serialises to JSON");
    if let serde_json::Value::Object(fields) = value {
        for (key, v) in fields {
            if key == "precision" {
                props.push((format!("rin.{key}"), precision.to_string()));
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            props.push((format!("rin.{key}"), text));
        }
    }
    props
}

fn onnx_info(config: &ModelConfig, output: RelationOutput) -> OnnxInfo {
    let spec = |name: &str, dtype: &str, shape: Vec<Dim>, description: &str| TensorSpec {
        name: name.into(),
        dtype: dtype.into(),
        shape,
        description: description.into(),
    };
    let batch = || Dim::Named(names::BATCH.into());
    let seq = || Dim::Named(names::SEQ.into());
    let cells = || Dim::Named(names::CELLS.into());
    let pos_note = if config.uses_pos() {
        "POS ids, PAD = 0"
    } else {
        "POS ids; ignored by this model (trained without POS)"
    };
    let mut inputs = vec![
        spec(
            names::WORD_IDS,
            "int64",
            vec![batch(), seq()],
            "word ids, PAD = 0, UNK = 1",
        ),
        spec(names::POS_IDS, "int64", vec![batch(), seq()], pos_note),
        spec(
            names::LENGTHS,
            "int32",
            vec![batch()],
            "sentence lengths, each in 1..=seq",
        ),
    ];
    let mut outputs = vec![spec(
        names::ENTITY_PROBS,
        "float32",
        vec![batch(), seq(), Dim::Fixed(rin_core::Tag::COUNT)],
        "BIOES tag probabilities (softmax), tags in `tags` order",
    )];
    match output {
        RelationOutput::Dense => outputs.push(spec(
            names::RELATION_PROBS,
            "float32",
            vec![batch(), seq(), seq(), Dim::Fixed(config.relations)],
            "[b, i, j, t]: probability that the entity ending at i relates by t to the one ending at j (sigmoid)",
        )),
        RelationOutput::Sparse => {
            inputs.push(spec(
                names::RELATION_THRESHOLD,
                "float32",
                vec![Dim::Fixed(1)],
                "relation threshold: cells with probability >= it are listed",
            ));
            outputs.push(spec(
                names::RELATION_CELLS,
                "int64",
                vec![cells(), Dim::Fixed(4)],
                "(b, i, j, t) of every relation probability >= relation_threshold, row-major order",
            ));
            outputs.push(spec(
                names::RELATION_SCORES,
                "float32",
                vec![cells()],
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
