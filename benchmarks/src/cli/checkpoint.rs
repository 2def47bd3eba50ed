//! The checkpoint the commands time: its model settings and vocabularies, and its ONNX export.

use std::path::Path;

use anyhow::{Context, Result};
use rin_core::Vocab;

/// A trainer checkpoint's model settings and vocabularies.
pub(super) struct LoadedCheckpoint {
    pub(super) config: rin_core::model_config::ModelConfig,
    pub(super) words: Vocab,
    pub(super) pos: Vocab,
}

/// Reads the checkpoint folder `dir`.
pub(super) fn load_checkpoint(dir: &Path) -> Result<LoadedCheckpoint> {
    let meta = rin_trainer::checkpoint::read_meta(dir)
        .with_context(|| format!("cannot read the checkpoint {}", dir.display()))?;
    Ok(LoadedCheckpoint {
        pos: meta.pos_vocab(),
        config: meta.model,
        words: meta.words,
    })
}

/// Exports `checkpoint` to ONNX graphs in `out`, one per K of `ks`.
pub(super) fn export(checkpoint: &Path, out: &Path, ks: Vec<usize>) -> Result<()> {
    let options = rin_exporter::ExportOptions {
        ks,
        ..rin_exporter::ExportOptions::default()
    };
    rin_exporter::export(checkpoint, out, &options)
        .with_context(|| format!("cannot export {}", checkpoint.display()))?;
    Ok(())
}
