//! A Triton Inference Server model repository from an export (`rin export --format triton`).
//!
//! One Triton model per K, served by Triton's ONNX Runtime backend:
//!
//! ```text
//! <out>/<name>_k<K>/config.pbtxt      platform "onnxruntime_onnx", inputs, outputs, dynamic batching
//! <out>/<name>_k<K>/manifest.json     rin's manifest for this K (vocabularies, relations, tag set)
//! <out>/<name>_k<K>/1/model.onnx      the graph (model_k<K>.onnx)
//! <out>/<name>_k<K>/1/weights.bin     its external weights, next to it
//! ```
//!
//! The graphs keep their weights in `weights.bin` (ONNX external data, a path relative to the
//! `.onnx` file), and Triton loads a version folder on its own (it may copy it elsewhere, e.g.
//! from cloud storage), so every version folder holds the weights: hard links to one file where
//! the file system allows (no extra space), copies otherwise ([`TritonReport::weights`] says
//! which). The model folder's `manifest.json` is an ordinary rin manifest whose paths point into
//! `1/`, so `rin_runtime::Model::open` (and `rin serve`) read a Triton model folder as well.
//!
//! `config.pbtxt` declares the graph's tensors the way Triton wants them with `max_batch_size > 0`:
//! without the batch dimension, `-1` for `seq`. `lengths` is `[batch]` in the graph, so its
//! per-request shape is `[1]`, reshaped to `[]`. Triton's dynamic batcher joins requests of equal
//! shapes only: clients pad `seq` to a few fixed lengths (padding does not change the outputs for
//! positions below each length).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::export::{export, ExportOptions};
use crate::manifest::{graph_file, Dim, FileEntry, ManifestFile, TensorSpec, MANIFEST_FILE};

/// The ONNX file's name in a version folder (Triton's default `default_model_filename`).
pub const MODEL_FILE: &str = "model.onnx";
/// The version folder written.
pub const VERSION: &str = "1";
/// The model configuration's file name.
pub const CONFIG_FILE: &str = "config.pbtxt";

/// Where Triton runs a model's instances (`instance_group.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InstanceKind {
    /// `KIND_AUTO`: a GPU if Triton has one, else the CPU.
    #[default]
    Auto,
    /// `KIND_CPU`.
    Cpu,
    /// `KIND_GPU`.
    Gpu,
}

impl InstanceKind {
    /// The `kind` value in `config.pbtxt`.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceKind::Auto => "KIND_AUTO",
            InstanceKind::Cpu => "KIND_CPU",
            InstanceKind::Gpu => "KIND_GPU",
        }
    }
}

/// What the repository's configs say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TritonOptions {
    /// Model name prefix: the model for K is `<name>_k<K>`.
    pub name: String,
    /// `max_batch_size`: sentences the dynamic batcher may join into one run (at least 1).
    pub max_batch_size: usize,
    /// `dynamic_batching.max_queue_delay_microseconds`.
    pub max_queue_delay_us: u64,
    /// `instance_group.count`.
    pub instances: usize,
    /// `instance_group.kind`.
    pub instance_kind: InstanceKind,
}

impl Default for TritonOptions {
    fn default() -> Self {
        TritonOptions {
            name: "rin".into(),
            max_batch_size: 32,
            max_queue_delay_us: 2000,
            instances: 1,
            instance_kind: InstanceKind::Auto,
        }
    }
}

/// How the weights came into the version folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsPlacement {
    /// Hard links to one file: stored once on disk.
    HardLinked,
    /// Copies (the file system refused hard links): stored once per model.
    Copied,
}

/// One model of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TritonModel {
    /// Triton's model name (`<name>_k<K>`), also its folder's name.
    pub name: String,
    /// Interaction layers.
    pub k: usize,
    /// The model folder.
    pub dir: PathBuf,
}

/// What [`write_repository`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TritonReport {
    /// The repository folder.
    pub out_dir: PathBuf,
    /// One model per K, ascending.
    pub models: Vec<TritonModel>,
    /// Whether the weights are hard links or copies.
    pub weights: WeightsPlacement,
}

/// `<name>_k<K>`.
pub fn model_name(name: &str, k: usize) -> String {
    format!("{name}_k{k}")
}

/// Triton's `data_type` for an ONNX element type of the manifest (`int64`, `int32`, `float32`).
pub fn triton_dtype(onnx: &str) -> Option<&'static str> {
    Some(match onnx {
        "int64" => "TYPE_INT64",
        "int32" => "TYPE_INT32",
        "float32" | "float" => "TYPE_FP32",
        "float16" => "TYPE_FP16",
        "bool" => "TYPE_BOOL",
        _ => return None,
    })
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::Triton {
        reason: reason.into(),
    }
}

fn check_options(options: &TritonOptions) -> Result<()> {
    let name_ok = !options.name.is_empty()
        && options
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        return Err(invalid(format!(
            "model name {:?} must be non-empty ASCII letters, digits, '_' or '-'",
            options.name
        )));
    }
    if options.max_batch_size == 0 {
        return Err(invalid(
            "max_batch_size must be at least 1 (the graphs have a batch dimension)",
        ));
    }
    if options.instances == 0 {
        return Err(invalid("at least one instance is needed"));
    }
    Ok(())
}

/// One `input`/`output` entry: Triton's dims are the graph's without the batch dimension; named
/// (dynamic) dimensions are -1; a tensor that is only `[batch]` becomes `[1]` reshaped to `[]`.
fn tensor_entry(spec: &TensorSpec) -> Result<String> {
    let dtype = triton_dtype(&spec.dtype).ok_or_else(|| {
        invalid(format!(
            "tensor {:?} has type {:?}, which has no Triton data_type here",
            spec.name, spec.dtype
        ))
    })?;
    let Some((first, rest)) = spec.shape.split_first() else {
        return Err(invalid(format!("tensor {:?} has no dimensions", spec.name)));
    };
    if first.name() != Some(rin_core::onnx_names::BATCH) {
        return Err(invalid(format!(
            "tensor {:?}'s first dimension is {first}, not the dynamic batch",
            spec.name
        )));
    }
    let dims = rest
        .iter()
        .map(|d| match d {
            Dim::Fixed(0) => Err(invalid(format!("tensor {:?} has dimension 0", spec.name))),
            Dim::Fixed(n) => Ok(n.to_string()),
            Dim::Named(_) => Ok("-1".to_owned()),
        })
        .collect::<Result<Vec<_>>>()?;
    let shape = if dims.is_empty() {
        "    dims: [ 1 ]\n    reshape: { shape: [ ] }\n".to_owned()
    } else {
        format!("    dims: [ {} ]\n", dims.join(", "))
    };
    Ok(format!(
        "  {{\n    name: \"{}\"\n    data_type: {dtype}\n{shape}  }}",
        spec.name
    ))
}

/// The `config.pbtxt` of the model for `k` (protobuf text format of Triton's `ModelConfig`).
pub fn config_pbtxt(manifest: &ManifestFile, k: usize, options: &TritonOptions) -> Result<String> {
    check_options(options)?;
    let m = &manifest.manifest;
    let inputs = m
        .onnx
        .inputs
        .iter()
        .map(tensor_entry)
        .collect::<Result<Vec<_>>>()?;
    let outputs = m
        .onnx
        .outputs
        .iter()
        .map(tensor_entry)
        .collect::<Result<Vec<_>>>()?;
    let pos_note = if m.pos.is_some() {
        "POS ids, manifest.json's `pos` vocabulary"
    } else {
        "ignored by this model (trained without POS): send zeros"
    };
    Ok(format!(
        "# RIN (Sun et al., EMNLP 2020) unrolled to K = {k} interaction layers (trained K = {trained}),\n\
         # written by {producer}. Triton's ONNX Runtime backend runs 1/{MODEL_FILE}; its weights are\n\
         # 1/weights.bin (ONNX external data). manifest.json next to this file has the vocabularies.\n\
         #\n\
         # Per request (max_batch_size > 0, so no batch dimension):\n\
         #   word_ids [seq] int64: lower-cased word ids (PAD 0, UNK 1)\n\
         #   pos_ids  [seq] int64: {pos_note}\n\
         #   lengths  [1]   int32: tokens, 1..=seq\n\
         #   entity_probs [seq, 5] (O, B, I, E, S), relation_probs [seq, seq, {relations}]\n\
         # The dynamic batcher joins requests of equal seq: pad seq to a few fixed lengths.\n\
         name: \"{name}\"\n\
         platform: \"onnxruntime_onnx\"\n\
         max_batch_size: {max_batch}\n\
         input [\n{inputs}\n]\n\
         output [\n{outputs}\n]\n\
         dynamic_batching {{\n  max_queue_delay_microseconds: {delay}\n}}\n\
         instance_group [\n  {{\n    count: {count}\n    kind: {kind}\n  }}\n]\n",
        trained = m.trained_k,
        producer = m.producer,
        relations = m.config.relations,
        name = model_name(&options.name, k),
        max_batch = options.max_batch_size,
        inputs = inputs.join(",\n"),
        outputs = outputs.join(",\n"),
        delay = options.max_queue_delay_us,
        count = options.instances,
        kind = options.instance_kind.as_str(),
    ))
}

/// rin's manifest for the model folder of `k`: that graph only, paths inside `1/`.
pub fn model_manifest(manifest: &ManifestFile, k: usize) -> Result<ManifestFile> {
    let mut out = manifest.clone();
    let version_path = |file: &str| format!("{VERSION}/{file}");
    out.manifest.graphs.retain(|g| g.k == k);
    if out.manifest.graphs.is_empty() {
        return Err(invalid(format!(
            "the export has no graph for K = {k} (exported: {:?})",
            manifest.manifest.exported_k
        )));
    }
    for graph in &mut out.manifest.graphs {
        graph.file = version_path(MODEL_FILE);
    }
    out.manifest.exported_k = vec![k];
    let weights_file = manifest.manifest.onnx.weights_file.clone();
    out.manifest.onnx.weights_file = version_path(&weights_file);
    let entry = |name: &str, path: String| -> Result<FileEntry> {
        manifest
            .files
            .iter()
            .find(|f| f.path == name)
            .map(|f| FileEntry { path, ..f.clone() })
            .ok_or_else(|| invalid(format!("the manifest does not list {name}")))
    };
    out.files = vec![
        entry(&weights_file, version_path(&weights_file))?,
        entry(&graph_file(k), version_path(MODEL_FILE))?,
    ];
    Ok(out)
}

/// Lays the export in `export_dir` (described by `manifest`) out as a Triton model repository in
/// `out_dir`: one model per exported K. Existing files of the same names are replaced.
pub fn write_repository(
    export_dir: &Path,
    manifest: &ManifestFile,
    out_dir: &Path,
    options: &TritonOptions,
) -> Result<TritonReport> {
    check_options(options)?;
    let weights_file = &manifest.manifest.onnx.weights_file;
    let weights_src = export_dir.join(weights_file);
    let mut placement = WeightsPlacement::HardLinked;
    let mut models = Vec::new();
    for graph in &manifest.manifest.graphs {
        let k = graph.k;
        let name = model_name(&options.name, k);
        let dir = out_dir.join(&name);
        let version_dir = dir.join(VERSION);
        create_dir(&version_dir)?;
        let config = config_pbtxt(manifest, k, options)?;
        let model_manifest = model_manifest(manifest, k)?;
        if link_or_copy(&export_dir.join(&graph.file), &version_dir.join(MODEL_FILE))?
            == WeightsPlacement::Copied
        {
            tracing::debug!(k, "graph copied (no hard links here)");
        }
        if link_or_copy(&weights_src, &version_dir.join(weights_file))? == WeightsPlacement::Copied
        {
            placement = WeightsPlacement::Copied;
        }
        write_file(&dir.join(CONFIG_FILE), config.as_bytes())?;
        let path = dir.join(MANIFEST_FILE);
        let json = serde_json::to_vec_pretty(&model_manifest).map_err(|source| Error::Json {
            path: path.clone(),
            source,
        })?;
        write_file(&path, &json)?;
        tracing::debug!(model = %name, dir = %dir.display(), "wrote Triton model");
        models.push(TritonModel { name, k, dir });
    }
    Ok(TritonReport {
        out_dir: out_dir.to_path_buf(),
        models,
        weights: placement,
    })
}

/// Exports `checkpoint` (see [`export`]) straight into a Triton model repository at `out_dir`.
/// The ordinary export is written to a staging folder inside `out_dir` first and removed after.
pub fn export_triton(
    checkpoint: &Path,
    out_dir: &Path,
    export_options: &ExportOptions,
    options: &TritonOptions,
) -> Result<TritonReport> {
    check_options(options)?;
    let staging = out_dir.join(format!(".rin-export-staging-{}", std::process::id()));
    let result = export(checkpoint, &staging, export_options)
        .and_then(|report| write_repository(&staging, &report.manifest, out_dir, options));
    match std::fs::remove_dir_all(&staging) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!(
                "cannot remove the staging folder {}: {e}",
                staging.display()
            );
        }
        _ => {}
    }
    result
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })
}

/// Hard-links `from` to `to` (replacing `to`), or copies it when links are not possible.
fn link_or_copy(from: &Path, to: &Path) -> Result<WeightsPlacement> {
    if !from.is_file() {
        return Err(Error::MissingFile {
            what: "export file",
            path: from.to_path_buf(),
        });
    }
    let write_error = |source| Error::Write {
        path: to.to_path_buf(),
        source,
    };
    match std::fs::remove_file(to) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(write_error(e)),
    }
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(WeightsPlacement::HardLinked);
    }
    std::fs::copy(from, to).map_err(write_error)?;
    Ok(WeightsPlacement::Copied)
}

/// Writes `path` through a temporary file and a rename.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Write {
            path: path.to_path_buf(),
            source,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, dtype: &str, shape: serde_json::Value) -> TensorSpec {
        TensorSpec {
            name: name.into(),
            dtype: dtype.into(),
            shape: serde_json::from_value(shape).unwrap(),
            description: String::new(),
        }
    }

    #[test]
    fn dims_drop_the_batch_and_mark_dynamic_ones() {
        let e = tensor_entry(&spec(
            "relation_probs",
            "float32",
            serde_json::json!(["batch", "seq", "seq", 171]),
        ))
        .unwrap();
        assert!(e.contains("data_type: TYPE_FP32"), "{e}");
        assert!(e.contains("dims: [ -1, -1, 171 ]"), "{e}");
        let e = tensor_entry(&spec("lengths", "int32", serde_json::json!(["batch"]))).unwrap();
        assert!(
            e.contains("dims: [ 1 ]") && e.contains("reshape: { shape: [ ] }"),
            "{e}"
        );
        assert!(tensor_entry(&spec("x", "complex64", serde_json::json!(["batch"]))).is_err());
        assert!(tensor_entry(&spec("x", "int64", serde_json::json!([3, "seq"]))).is_err());
    }

    #[test]
    fn bad_options_are_refused() {
        let mut o = TritonOptions {
            name: "../x".into(),
            ..Default::default()
        };
        assert!(check_options(&o).is_err());
        o.name = "rin-webnlg_2".into();
        assert!(check_options(&o).is_ok());
        o.max_batch_size = 0;
        assert!(check_options(&o).is_err());
    }
}
