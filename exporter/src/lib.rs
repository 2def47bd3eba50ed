//! `rin-exporter`: turns a rin-trainer checkpoint (`model.safetensors` + `checkpoint.json`) into
//! ONNX graphs, one per number of interaction layers K, without libtorch.
//!
//! An export folder holds `model_k{K}.onnx` for each K asked for, one `weights.bin` that every
//! graph references as ONNX external data (the weights are shared across K), and
//! `manifest.json` (vocabularies, relation names, POS tag set and tagger, tokenizer, K, threshold,
//! dev F1, embedding source, opset, and the sha256 of each file). Each graph also carries those
//! facts in its `metadata_props`.
//!
//! ```
//! use rin_exporter::{export, fixture, ExportOptions};
//!
//! let dir = std::env::temp_dir().join(format!("rin-exporter-doc-{}", std::process::id()));
//! fixture::write_checkpoint(&dir.join("ckpt"), &fixture::FixtureSpec::tiny(7))?;
//! let options = ExportOptions { ks: vec![0, 1, 2], ..Default::default() };
//! let report = export(&dir.join("ckpt"), &dir.join("onnx"), &options)?;
//! assert_eq!(report.manifest.manifest.exported_k, vec![0, 1, 2]);
//! assert!(dir.join("onnx/model_k2.onnx").is_file());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), rin_exporter::Error>(())
//! ```
//!
//! Layout: [`checkpoint`] reads and checks the input, [`weights`] converts PyTorch layouts to
//! ONNX ones, [`external`] lays the weights out in the shared file, [`graph`] and [`ops`] build
//! graphs, [`rin_graph`] is the model ([`quantize`] and [`fp16`] its reduced precisions),
//! [`check`] validates each graph, [`word_table`] cuts the vocabulary or stores it in float16,
//! [`manifest`] describes the export and [`export`](mod@export) writes it atomically. [`triton`]
//! lays an export out as a Triton Inference Server model repository (`rin export --format
//! triton`).
#![warn(missing_docs)]

pub mod check;
pub mod checkpoint;
pub mod error;
pub mod export;
pub mod external;
pub mod fixture;
pub mod fp16;
pub mod graph;
pub mod manifest;
pub mod ops;
pub mod pb;
pub mod quantize;
pub mod rin_graph;
pub mod triton;
pub mod weights;
pub mod word_table;

pub use checkpoint::{Checkpoint, CheckpointMeta, Interaction, ModelConfig};
pub use error::{Error, Result};
pub use export::{
    export, export_checkpoint, export_checkpoint_with, parse_ks, select_ks, ExportOptions,
    ExportReport, MAX_K,
};
pub use manifest::{Manifest, ManifestFile};
