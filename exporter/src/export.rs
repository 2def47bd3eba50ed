//! The export itself: checkpoint in, `model_k{K}.onnx` per K + `weights.bin` + `manifest.json` out.
//!
//! Every file is written under a temporary name in the output folder, flushed, then renamed into
//! place, so a reader never sees half a file. The weights go first, then the graphs, then the
//! manifest: a folder with a manifest is a complete export.

use std::io::Write;
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use prost::Message;
use rin_core::k_range::KRangeError;

use crate::check::check_graph;
use crate::checkpoint::{resolve_dir, Checkpoint};
use crate::error::{Error, Result};
use crate::external::WeightFile;
use crate::fp16;
use crate::manifest::{
    self, FileEntry, Manifest, ManifestFile, SourceInfo, IR_VERSION, MANIFEST_FILE, OPSET,
    WEIGHTS_FILE,
};
use crate::pb::{ModelProto, OperatorSetIdProto, StringStringEntryProto};
use crate::quantize;
use crate::rin_graph;
use crate::weights::{names, OnnxWeights};
use crate::word_table;
use rin_core::manifest::{Precision, RelationOutput, WordTablePrecision};
use rin_core::reading::ReadingPlan;

/// The largest K the exporter unrolls.
pub use rin_core::k_range::MAX_K;

/// What to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// The Ks to export; empty means the trained K.
    pub ks: Vec<usize>,
    /// In a run directory, the checkpoint to take: `best` or `last`.
    pub which: String,
    /// Dense relation probabilities, or only the cells over a threshold.
    pub relation_output: RelationOutput,
    /// How documents are read with the model (`manifest.json`'s `reading`).
    pub reading: ReadingPlan,
    /// The precisions to write, one graph per K each (fp32, the relation head's pair-by-pair
    /// product in int8, float16 throughout: any of them), sharing one weights file; the first listed after sorting
    /// (fp32 when present) is the folder's default. Empty means fp32.
    pub precisions: Vec<Precision>,
    /// Keep only the checkpoint's first this many words (its most frequent added words after
    /// the training data's, [`crate::word_table`]); `None` keeps them all.
    pub max_words: Option<usize>,
    /// The stored word rows' element type.
    pub word_table: WordTablePrecision,
    /// The relation threshold recorded in `manifest.json`, which `rin` decodes with unless told
    /// otherwise; `None` records the checkpoint's (its training setting).
    pub threshold: Option<f32>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            ks: Vec::new(),
            which: "best".into(),
            relation_output: RelationOutput::Dense,
            reading: ReadingPlan::default(),
            precisions: vec![Precision::Fp32],
            max_words: None,
            word_table: WordTablePrecision::Fp32,
            threshold: None,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The output folder.
    pub out_dir: PathBuf,
    /// The checkpoint directory read.
    pub checkpoint_dir: PathBuf,
    /// The contents of `manifest.json`.
    pub manifest: ManifestFile,
    /// Checkpoint tensors that the model does not use (not exported).
    pub ignored_tensors: Vec<String>,
}

/// Exports the checkpoint at `checkpoint` (a checkpoint directory, or a run directory whose
/// `options.which` is taken) into `out_dir`, created if needed.
pub fn export(checkpoint: &Path, out_dir: &Path, options: &ExportOptions) -> Result<ExportReport> {
    let dir = resolve_dir(checkpoint, &options.which)?;
    let ckpt = Checkpoint::load(&dir)?;
    let ks = select_ks(&options.ks, ckpt.meta.model.k)?;
    export_checkpoint_with(&ckpt, out_dir, &ks, options)
}

/// The Ks to export: `requested` sorted and deduplicated, or `[trained_k]` when empty; each must
/// be at most [`MAX_K`].
pub fn select_ks(requested: &[usize], trained_k: usize) -> Result<Vec<usize>> {
    let mut ks = if requested.is_empty() {
        vec![trained_k]
    } else {
        requested.to_vec()
    };
    ks.sort_unstable();
    ks.dedup();
    match ks.iter().find(|&&k| k > MAX_K) {
        Some(&k) => Err(Error::KOutOfRange { k, max: MAX_K }),
        None => Ok(ks),
    }
}

/// Parses one `--k` value (rin-core's [`rin_core::k_range::parse_ks`], the one parser).
pub fn parse_ks(text: &str) -> Result<Vec<usize>> {
    rin_core::k_range::parse_ks(text).map_err(|e| match e {
        KRangeError::OutOfRange { k, max } => Error::KOutOfRange { k, max },
        KRangeError::Invalid { text, reason } => Error::KSelection { text, reason },
        _ => Error::KSelection {
            text: text.to_owned(),
            reason: "not a K selection",
        },
    })
}

/// Exports an already loaded checkpoint for `ks` (validated: see [`select_ks`]), dense outputs.
pub fn export_checkpoint(ckpt: &Checkpoint, out_dir: &Path, ks: &[usize]) -> Result<ExportReport> {
    export_checkpoint_with(ckpt, out_dir, ks, &ExportOptions::default())
}

/// [`export_checkpoint`] with the relation outputs and reading plan of `options` (its `ks` and
/// `which` are not read).
pub fn export_checkpoint_with(
    ckpt: &Checkpoint,
    out_dir: &Path,
    ks: &[usize],
    options: &ExportOptions,
) -> Result<ExportReport> {
    options
        .reading
        .check()
        .map_err(|reason| Error::Reading { reason })?;
    if let Some(threshold) = options
        .threshold
        .filter(|&t| !rin_core::decode::is_threshold(t))
    {
        return Err(Error::Threshold { threshold });
    }
    if let Some(&k) = ks.iter().find(|&&k| k > MAX_K) {
        return Err(Error::KOutOfRange { k, max: MAX_K });
    }
    let precisions = select_precisions(&options.precisions);
    // Refused before anything is written.
    let mut word_table = word_table::plan(&ckpt.meta, options.max_words, options.word_table)?;
    if !precisions.contains(&Precision::Fp32) && !precisions.contains(&Precision::Int8) {
        // fp16 graphs read their own float16 copy, the only word rows such a folder stores:
        // the record says what is stored, so that `rin info` does not show float32 rows.
        word_table.precision = WordTablePrecision::Fp16;
    }
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;

    let mut onnx_weights = ckpt.onnx_weights();
    word_table::cut(&mut onnx_weights, word_table.rows);
    let weights = weight_file(onnx_weights, &precisions, word_table.precision);
    let source = SourceInfo {
        checkpoint: ckpt.dir.display().to_string(),
        epoch: ckpt.meta.epoch,
        weights_sha256: ckpt.weights_sha256.clone(),
        averaged: ckpt.meta.averaged,
    };
    let mut manifest = manifest::with_relation_output(
        manifest::manifest_at(&ckpt.meta, ks, &precisions, source),
        options.relation_output,
    );
    manifest.reading = options.reading.clone();
    if let Some(threshold) = options.threshold {
        manifest.threshold = threshold;
    }
    manifest.words.truncate(word_table.rows);
    manifest.config.word_vocab = word_table.rows;
    manifest.word_table = Some(word_table);

    let mut files = vec![write_atomic(out_dir, WEIGHTS_FILE, weights.bytes())?];
    let weights_sha256 = files[0].sha256.clone();
    for graph in &manifest.graphs {
        let precision = manifest.precision_of(graph);
        let model = model_proto(&manifest, &weights, graph.k, precision, &weights_sha256)?;
        let file = write_atomic(out_dir, &graph.file, &model.encode_to_vec())?;
        tracing::debug!(k = graph.k, %precision, file = %file.path, bytes = file.bytes, "wrote graph");
        files.push(file);
    }
    let manifest_file = ManifestFile { manifest, files };
    let path = out_dir.join(MANIFEST_FILE);
    let json =
        serde_json::to_vec_pretty(&manifest_file).map_err(|source| Error::Json { path, source })?;
    write_atomic(out_dir, MANIFEST_FILE, &json)?;
    Ok(ExportReport {
        out_dir: out_dir.to_path_buf(),
        checkpoint_dir: ckpt.dir.clone(),
        manifest: manifest_file,
        ignored_tensors: ckpt.ignored.clone(),
    })
}

/// `requested` sorted and deduplicated (fp32 first), or fp32 alone when empty.
pub fn select_precisions(requested: &[Precision]) -> Vec<Precision> {
    let mut precisions = if requested.is_empty() {
        vec![Precision::Fp32]
    } else {
        requested.to_vec()
    };
    precisions.sort_unstable();
    precisions.dedup();
    precisions
}

/// The weight file shared by the graphs of `precisions`: with int8, the 8-bit values and
/// per-column scales of [`quantized_weights`] ([`crate::quantize`]) are added; with fp16, a float16
/// copy of every weight ([`crate::fp16`]); the float32 weights are kept for the fp32 and int8
/// graphs (the quantized ones' only when an fp32 graph reads them). The word table of those graphs
/// is stored as `word_rows` says (an fp16 graph reads its own float16 copy).
pub fn weight_file(
    mut weights: OnnxWeights,
    precisions: &[Precision],
    word_rows: WordTablePrecision,
) -> WeightFile {
    let mut halves = if precisions.contains(&Precision::Fp16) {
        fp16::half_weights(&weights)
    } else {
        BTreeMap::new()
    };
    let mut int8 = BTreeMap::new();
    if precisions.contains(&Precision::Int8) {
        for name in quantized_weights() {
            let w = weights
                .get(&name)
                .unwrap_or_else(|| panic!("weight {name} is not among the ONNX weights"));
            let q = quantize::quantize_columns(w);
            int8.insert(quantize::values_name(&name), q.values);
            weights.insert(quantize::scales_name(&name), q.scales);
            if !precisions.contains(&Precision::Fp32) {
                weights.remove(&name);
            }
        }
    }
    if !precisions.contains(&Precision::Fp32) && !precisions.contains(&Precision::Int8) {
        weights = OnnxWeights::default();
    }
    if word_rows == WordTablePrecision::Fp16 && weights.get(names::WORD_EMBEDDING).is_some() {
        let half_copy = fp16::half_name(names::WORD_EMBEDDING);
        if halves.contains_key(&half_copy) {
            // The fp16 graphs' copy holds the same float16 rows: the other graphs read it.
            weights.remove(names::WORD_EMBEDDING);
        } else {
            halves.extend(word_table::take_fp16(&mut weights));
        }
    }
    WeightFile::layout_mixed(WEIGHTS_FILE, &weights, &int8, &halves)
}

/// The weights an int8 export stores in 8 bits: every matrix product's but the LSTM's. The
/// relation head's output map, whose product runs over every (subject, object) pair, matters
/// most; the others (the heads' linears and the GRUs', `[n, d] x [d, ..]` each) took the
/// webnlg-star graph's batch-1 p50 from 0.62x to 0.54x of fp32's (BENCHMARKS.md).
pub fn quantized_weights() -> Vec<String> {
    use crate::weights::names;
    let mut list: Vec<String> = [
        names::RELATION_OUTPUT_T,
        names::RELATION_SUBJECT_T,
        names::RELATION_OBJECT_T,
        names::ENTITY_WEIGHT_T,
    ]
    .map(String::from)
    .to_vec();
    for cell in ["gru_e", "gru_r"] {
        list.push(names::gru_weight_ih_t(cell));
        list.push(names::gru_weight_hh_t(cell));
    }
    list
}

/// The `ModelProto` for `k` at `precision`: the checked graph, opset and IR version, and the
/// manifest's facts as `metadata_props`.
pub fn model_proto(
    manifest: &Manifest,
    weights: &WeightFile,
    k: usize,
    precision: Precision,
    weights_sha256: &str,
) -> Result<ModelProto> {
    let graph = rin_graph::build_precision(
        &manifest.config,
        k,
        weights,
        manifest.relation_output,
        precision,
    );
    check_graph(&graph).map_err(|problem| Error::MalformedGraph { k, problem })?;
    let metadata_props = manifest::metadata_props(manifest, k, precision, weights_sha256)
        .into_iter()
        .map(|(key, value)| StringStringEntryProto {
            key: Some(key),
            value: Some(value),
        })
        .collect();
    Ok(ModelProto {
        ir_version: Some(IR_VERSION),
        opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(OPSET) }],
        producer_name: Some("rin-exporter".into()),
        producer_version: Some(env!("CARGO_PKG_VERSION").into()),
        domain: Some("rin".into()),
        model_version: Some(1),
        doc_string: Some(format!(
            "RIN (Sun et al., EMNLP 2020) unrolled to K = {k} interaction layers (trained K = {}). \
             Inputs word_ids, pos_ids [batch, seq] int64 and lengths [batch] int32; outputs \
             entity_probs [batch, seq, 5] (O, B, I, E, S) and relation_probs [batch, seq, seq, {}]. \
             Weights in {}; metadata_props rin.* describe vocabularies and settings.",
            manifest.trained_k,
            manifest.config.relations,
            weights.location()
        )),
        graph: Some(graph),
        metadata_props,
        ..Default::default()
    })
}

pub use rin_core::format::sha256_hex;

/// Writes `dir/name` atomically: a temporary file in `dir`, flushed, then renamed over the target.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<FileEntry> {
    let target = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    };
    if let Err(source) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Write {
            path: target,
            source,
        });
    }
    // Make the rename itself durable; not every platform can open a directory, so best effort.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(FileEntry {
        path: name.to_owned(),
        bytes: bytes.len() as u64,
        sha256: sha256_hex(bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_selections_parse() {
        assert_eq!(parse_ks("2").unwrap(), vec![2]);
        assert_eq!(parse_ks("0..=4").unwrap(), vec![0, 1, 2, 3, 4]);
        assert_eq!(parse_ks("0..3").unwrap(), vec![0, 1, 2]);
        assert_eq!(parse_ks("1,3..=4").unwrap(), vec![1, 3, 4]);
        assert!(matches!(parse_ks("x"), Err(Error::KSelection { .. })));
        assert!(matches!(parse_ks("3..1"), Err(Error::KSelection { .. })));
        assert!(matches!(parse_ks("2..2"), Err(Error::KSelection { .. })));
        assert!(matches!(
            parse_ks("99"),
            Err(Error::KOutOfRange { k: 99, .. })
        ));
    }

    #[test]
    fn default_k_is_the_trained_one() {
        assert_eq!(select_ks(&[], 3).unwrap(), vec![3]);
        assert_eq!(select_ks(&[4, 0, 4, 1], 3).unwrap(), vec![0, 1, 4]);
        assert!(matches!(
            select_ks(&[MAX_K + 1], 3),
            Err(Error::KOutOfRange { .. })
        ));
    }

    #[test]
    fn sha256_is_lower_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
