//! An exported model folder: `manifest.json`, one `model_k{K}.onnx` per exported K, and the
//! shared weights file, as rin-exporter writes them.
//!
//! The manifest's type is rin-core's [`ManifestFile`], which rin-exporter writes, so that writer
//! and reader cannot drift apart. Opening a folder checks the format and version first (an unknown version is its own
//! error, not a JSON error), then that every file the manifest lists is there.

use std::path::{Path, PathBuf};

use rin_core::format::FormatError;
use rin_core::manifest::{
    ManifestFile, ManifestHeader, Precision, RelationOutput, TensorSpec, FORMAT_VERSION,
    LOWERCASE_LOOKUP, MANIFEST_FILE,
};
use rin_core::onnx_names;
use rin_core::{MatchMode, RelationSet, Vocab};

use crate::error::{Error, Result};
use crate::graph_names::{GraphNames, SparseNames};

/// The manifest format version this runtime reads.
pub const SUPPORTED_FORMAT_VERSION: u32 = FORMAT_VERSION;

/// How much of a model folder's files [`Model::open_with`] checks against the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verify {
    /// Size and sha256 of every file (the default: a changed byte is caught at load).
    #[default]
    Full,
    /// Sizes only (a truncated or padded file is caught; a changed byte is not).
    SizesOnly,
}

/// An opened model folder.
#[derive(Debug, Clone)]
pub struct Model {
    dir: PathBuf,
    manifest_path: PathBuf,
    manifest: ManifestFile,
    words: Vocab,
    pos: Option<Vocab>,
    relations: RelationSet,
}

impl Model {
    /// Opens the model folder `dir` and checks its manifest and files (sizes and sha256).
    pub fn open(dir: &Path) -> Result<Model> {
        Model::open_with(dir, Verify::Full)
    }

    /// [`Model::open`], checking the files as `verify` says.
    pub fn open_with(dir: &Path, verify: Verify) -> Result<Model> {
        if !dir.is_dir() {
            return Err(Error::ModelDirMissing {
                path: dir.to_owned(),
            });
        }
        let manifest_path = dir.join(MANIFEST_FILE);
        if !manifest_path.is_file() {
            return Err(Error::ModelFileMissing {
                what: "manifest",
                path: manifest_path,
            });
        }
        let text = std::fs::read_to_string(&manifest_path).map_err(|source| Error::Read {
            source_name: manifest_path.display().to_string(),
            source,
        })?;
        let json_error = |source| Error::ManifestJson {
            path: manifest_path.clone(),
            source,
        };
        let header: ManifestHeader = serde_json::from_str(&text).map_err(json_error)?;
        check_header(&header, &manifest_path)?;
        let manifest: ManifestFile = serde_json::from_str(&text).map_err(json_error)?;
        let model = Model::from_manifest(dir, manifest_path, manifest)?;
        model.check_files(verify)?;
        Ok(model)
    }

    fn from_manifest(dir: &Path, manifest_path: PathBuf, manifest: ManifestFile) -> Result<Model> {
        let m = &manifest.manifest;
        let invalid = |detail: String| Error::ManifestInvalid {
            path: manifest_path.clone(),
            detail,
        };
        if m.tags != rin_core::Tag::names() {
            return Err(invalid(format!(
                "tags are {:?}; this runtime decodes O, B, I, E, S",
                m.tags
            )));
        }
        if m.relations.len() != m.config.relations {
            return Err(invalid(format!(
                "{} relation names for config.relations = {}",
                m.relations.len(),
                m.config.relations
            )));
        }
        if m.graphs.is_empty() {
            return Err(invalid("no graphs are listed".into()));
        }
        if m.word_lookup != LOWERCASE_LOOKUP {
            return Err(invalid(format!(
                "word_lookup {:?} is not supported (this runtime looks up lower-cased tokens)",
                m.word_lookup
            )));
        }
        let words = Vocab::from(m.words.clone());
        let pos = m.pos.as_ref().map(|p| p.vocab.clone());
        let relations = RelationSet::from_names(m.relations.clone());
        Ok(Model {
            dir: dir.to_owned(),
            manifest_path,
            manifest,
            words,
            pos,
            relations,
        })
    }

    fn check_files(&self, verify: Verify) -> Result<()> {
        let weights = self.dir.join(&self.manifest.manifest.onnx.weights_file);
        if !weights.is_file() {
            return Err(Error::ModelFileMissing {
                what: "weights file",
                path: weights,
            });
        }
        for file in &self.manifest.files {
            let path = self.dir.join(&file.path);
            if !path.is_file() {
                return Err(Error::ModelFileMissing {
                    what: "file listed in the manifest",
                    path,
                });
            }
            let changed = |detail: String| Error::ModelFileChanged {
                path: path.clone(),
                detail,
            };
            let size = std::fs::metadata(&path)
                .map_err(|source| Error::Read {
                    source_name: path.display().to_string(),
                    source,
                })?
                .len();
            if size != file.bytes {
                return Err(changed(format!(
                    "{size} bytes, the manifest says {}",
                    file.bytes
                )));
            }
            if verify == Verify::Full {
                let bytes = std::fs::read(&path).map_err(|source| Error::Read {
                    source_name: path.display().to_string(),
                    source,
                })?;
                let sha256 = rin_core::format::sha256_hex(&bytes);
                if sha256 != file.sha256 {
                    return Err(changed(format!(
                        "sha256 {sha256}, the manifest says {}",
                        file.sha256
                    )));
                }
            }
        }
        Ok(())
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `manifest.json`'s path.
    pub fn manifest_path(&self) -> &Path {
        &self.manifest_path
    }

    /// The whole manifest.
    pub fn manifest(&self) -> &ManifestFile {
        &self.manifest
    }

    /// The K the model was trained with.
    pub fn trained_k(&self) -> usize {
        self.manifest.manifest.trained_k
    }

    /// The K run when none is asked for at `precision`: the trained K if the folder has its
    /// graph, else the largest exported (a folder exported with `--k 0..=2` from a K = 3
    /// checkpoint). `None` when the folder has no graph at that precision.
    pub fn default_k(&self, precision: Precision) -> Option<usize> {
        let m = &self.manifest.manifest;
        let ks: Vec<usize> = m
            .graphs
            .iter()
            .filter(|g| m.precision_of(g) == precision)
            .map(|g| g.k)
            .collect();
        if ks.contains(&self.trained_k()) {
            Some(self.trained_k())
        } else {
            ks.into_iter().max()
        }
    }

    /// The exported Ks of the default precision, ascending.
    pub fn ks(&self) -> Vec<usize> {
        self.ks_at(self.default_precision())
    }

    /// The exported Ks at `precision`, ascending.
    pub fn ks_at(&self, precision: Precision) -> Vec<usize> {
        let m = &self.manifest.manifest;
        let mut ks: Vec<usize> = m
            .graphs
            .iter()
            .filter(|g| m.precision_of(g) == precision)
            .map(|g| g.k)
            .collect();
        ks.sort_unstable();
        ks
    }

    /// The precisions the folder has graphs in, fp32 first.
    pub fn precisions(&self) -> Vec<Precision> {
        self.manifest.manifest.precisions()
    }

    /// The precision run when none is asked for: fp32 when the folder has it.
    pub fn default_precision(&self) -> Precision {
        self.manifest.manifest.default_precision()
    }

    /// The graph for `k` at the default precision (fp32 when the folder has it):
    /// [`Model::graph_at`] with no precision asked for.
    pub fn graph(&self, k: Option<usize>) -> Result<(usize, PathBuf)> {
        self.graph_at(k, None).map(|(k, _, path)| (k, path))
    }

    /// The graph for `k` (default: the trained K if it was exported, else the largest exported K)
    /// at `precision` (default: [`Model::default_precision`]), checked to exist. Warns when that
    /// K's outputs are not what training optimised.
    pub fn graph_at(
        &self,
        k: Option<usize>,
        precision: Option<Precision>,
    ) -> Result<(usize, Precision, PathBuf)> {
        let precision = precision.unwrap_or_else(|| self.default_precision());
        let m = &self.manifest.manifest;
        if !self.precisions().contains(&precision) {
            return Err(Error::UnknownPrecision {
                precision,
                available: self.precisions(),
            });
        }
        let graphs: Vec<_> = m
            .graphs
            .iter()
            .filter(|g| m.precision_of(g) == precision)
            .collect();
        let k_or_default = k.or_else(|| self.default_k(precision));
        let entry = k_or_default.and_then(|k| graphs.iter().find(|g| g.k == k));
        let Some(entry) = entry else {
            return Err(Error::UnknownK {
                k: k.unwrap_or(self.trained_k()),
                available: self.ks_at(precision),
            });
        };
        if !entry.trained {
            tracing::warn!(
                k = entry.k,
                trained_k = self.trained_k(),
                "K differs from the trained K and the model was not trained with deep supervision: expect worse results"
            );
        }
        let path = self.dir.join(&entry.file);
        if !path.is_file() {
            return Err(Error::ModelFileMissing {
                what: "graph",
                path,
            });
        }
        Ok((entry.k, precision, path))
    }

    /// The graph's input and output names.
    pub fn graph_names(&self) -> GraphNames {
        let onnx = &self.manifest.manifest.onnx;
        let defaults = GraphNames::default();
        let name = |specs: &[TensorSpec], i: usize, default: String| {
            specs.get(i).map_or(default, |s| s.name.clone())
        };
        GraphNames {
            word_ids: name(&onnx.inputs, 0, defaults.word_ids),
            pos_ids: name(&onnx.inputs, 1, defaults.pos_ids),
            lengths: name(&onnx.inputs, 2, defaults.lengths),
            entity_probs: name(&onnx.outputs, 0, defaults.entity_probs),
            relation_probs: name(&onnx.outputs, 1, defaults.relation_probs),
            sparse: (self.manifest.manifest.relation_output == RelationOutput::Sparse).then(|| {
                SparseNames {
                    threshold: name(&onnx.inputs, 3, onnx_names::RELATION_THRESHOLD.into()),
                    cells: name(&onnx.outputs, 1, onnx_names::RELATION_CELLS.into()),
                    scores: name(&onnx.outputs, 2, onnx_names::RELATION_SCORES.into()),
                }
            }),
        }
    }

    /// The word vocabulary (looked up by [`rin_core::word_key`]).
    pub fn words(&self) -> &Vocab {
        &self.words
    }

    /// The POS vocabulary, `None` when the model reads no POS.
    pub fn pos(&self) -> Option<&Vocab> {
        self.pos.as_ref()
    }

    /// The POS tag set's name (e.g. `penn-treebank`), `None` without POS.
    pub fn pos_tagset(&self) -> Option<&str> {
        self.manifest
            .manifest
            .pos
            .as_ref()
            .map(|p| p.tagset.as_str())
    }

    /// The tagger plugin the training tags came from, if a plugin made them.
    pub fn pos_plugin(&self) -> Option<&str> {
        self.manifest.manifest.pos.as_ref()?.plugin()
    }

    /// Whether tags shipped with a data set are used rather than the tagger's
    /// ([`rin_core::checkpoint::PosInfo::reads_data_tags`]).
    pub fn reads_data_tags(&self) -> bool {
        self.manifest
            .manifest
            .pos
            .as_ref()
            .is_none_or(|p| p.reads_data_tags())
    }

    /// Who produced the training POS tags, in words (`plugin perceptron 0.1.0`, `dataset: ...`).
    pub fn pos_source(&self) -> Option<String> {
        let source = &self.manifest.manifest.pos.as_ref()?.source;
        Some(source.as_ref().map_or("null".into(), ToString::to_string))
    }

    /// The relation names, in output order.
    pub fn relations(&self) -> &RelationSet {
        &self.relations
    }

    /// The tokenizer the training tokens came from, as the manifest names it (`pre-tokenized`
    /// when the data came tokenized).
    pub fn tokenizer(&self) -> Option<&str> {
        Some(self.manifest.manifest.tokenizer.name.as_str())
    }

    /// The tokenizer plugin the training tokens came from; `None` when the data came tokenized.
    pub fn tokenizer_plugin(&self) -> Option<&str> {
        self.manifest.manifest.tokenizer.plugin()
    }

    /// Triple matching the model was selected with.
    pub fn match_mode(&self) -> MatchMode {
        self.manifest.manifest.match_mode
    }

    /// The relation threshold the model was selected with.
    pub fn threshold(&self) -> f32 {
        self.manifest.manifest.threshold
    }
}

/// Another format or version is its own error, not a missing field.
fn check_header(header: &ManifestHeader, path: &Path) -> Result<()> {
    header.check().map_err(|e| match e {
        FormatError::Version { found, supported } => Error::ManifestVersion {
            path: path.to_owned(),
            found,
            supported,
        },
        FormatError::Format { .. } => Error::ManifestInvalid {
            path: path.to_owned(),
            detail: format!("{e}: not a rin ONNX export"),
        },
        other => Error::ManifestInvalid {
            path: path.to_owned(),
            detail: other.to_string(),
        },
    })
}
