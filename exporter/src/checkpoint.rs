//! Reading a trainer checkpoint without libtorch: `model.safetensors` with the `safetensors`
//! crate and `checkpoint.json` with serde.
//!
//! The parameter names and PyTorch layouts are rin-trainer's public API
//! (`rin_trainer::model::parameter_names`, `trainer/README.md`); [`expected_parameters`] restates
//! them with their shapes, and every tensor is checked (present, float32, shape, finite) before
//! anything is written. `checkpoint.json` is rin-core's [`CheckpointMeta`], read with
//! [`TrainSummary`] for the run's settings (the trainer's others are skipped).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use safetensors::{Dtype, SafeTensors};

use crate::error::{Error, Result};
use crate::weights::{lstm_to_onnx, names, LstmDirection, OnnxWeights, Tensor};

pub use rin_core::checkpoint::{
    CheckpointMeta, PosInfo, PosSource, TrainSummary, FORMAT_VERSION, META_FILE, WEIGHTS_FILE,
};
pub use rin_core::model_config::{Interaction, ModelConfig};

/// A checkpoint read from disk: metadata plus every parameter in PyTorch layout.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The checkpoint directory.
    pub dir: PathBuf,
    /// `checkpoint.json`.
    pub meta: CheckpointMeta,
    /// Parameters by checkpoint name, PyTorch layout.
    pub params: BTreeMap<String, Tensor>,
    /// Tensors in the file that the model does not use (reported, not exported).
    pub ignored: Vec<String>,
    /// sha256 of `model.safetensors`.
    pub weights_sha256: String,
}

/// Finds the checkpoint directory: `path` itself when it holds `checkpoint.json`, else
/// `path/{which}` (a run directory's `best` or `last`).
pub fn resolve_dir(path: &Path, which: &str) -> Result<PathBuf> {
    if !path.exists() {
        return Err(Error::MissingFile {
            what: "checkpoint or run directory",
            path: path.to_path_buf(),
        });
    }
    if path.join(META_FILE).is_file() {
        return Ok(path.to_path_buf());
    }
    let nested = path.join(which);
    if nested.join(META_FILE).is_file() {
        return Ok(nested);
    }
    Err(Error::MissingFile {
        what: "checkpoint metadata",
        path: path.join(META_FILE),
    })
}

impl Checkpoint {
    /// Reads and checks `dir/checkpoint.json` and `dir/model.safetensors`.
    pub fn load(dir: &Path) -> Result<Checkpoint> {
        let meta_path = dir.join(META_FILE);
        let weights_path = dir.join(WEIGHTS_FILE);
        for (what, path) in [
            ("checkpoint metadata", &meta_path),
            ("checkpoint weights", &weights_path),
        ] {
            if !path.is_file() {
                return Err(Error::MissingFile {
                    what,
                    path: path.clone(),
                });
            }
        }
        let text = std::fs::read_to_string(&meta_path).map_err(|source| Error::Read {
            path: meta_path.clone(),
            source,
        })?;
        let meta: CheckpointMeta = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: meta_path.clone(),
            source,
        })?;
        check_meta(&meta, &meta_path)?;

        let bytes = std::fs::read(&weights_path).map_err(|source| Error::Read {
            path: weights_path.clone(),
            source,
        })?;
        let file = SafeTensors::deserialize(&bytes).map_err(|source| Error::Safetensors {
            path: weights_path.clone(),
            source,
        })?;
        let expected = expected_parameters(&meta.model);
        let mut params = BTreeMap::new();
        for (name, shape) in &expected {
            let view = file.tensor(name).map_err(|_| Error::MissingTensor {
                name: name.clone(),
                path: weights_path.clone(),
            })?;
            if view.dtype() != Dtype::F32 {
                return Err(Error::TensorDtype {
                    name: name.clone(),
                    actual: format!("{:?}", view.dtype()),
                });
            }
            if view.shape() != shape.as_slice() {
                return Err(Error::TensorShape {
                    name: name.clone(),
                    expected: shape.clone(),
                    actual: view.shape().to_vec(),
                });
            }
            // The data may be unaligned: decode byte by byte.
            let data: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            if let Some(index) = data.iter().position(|v| !v.is_finite()) {
                return Err(Error::NonFinite {
                    name: name.clone(),
                    index,
                });
            }
            params.insert(name.clone(), Tensor::new(shape.clone(), data));
        }
        let mut ignored: Vec<String> = file
            .names()
            .into_iter()
            .filter(|n| !expected.contains_key(*n))
            .cloned()
            .collect();
        ignored.sort();
        let weights_sha256 = rin_core::format::sha256_hex(&bytes);
        Ok(Checkpoint {
            dir: dir.to_path_buf(),
            meta,
            params,
            ignored,
            weights_sha256,
        })
    }

    /// The parameter `name` (present: [`Checkpoint::load`] checked every expected name).
    fn param(&self, name: &str) -> &Tensor {
        &self.params[name]
    }

    /// The weights in ONNX layout (see [`crate::weights`]).
    pub fn onnx_weights(&self) -> OnnxWeights {
        let mut w = OnnxWeights::default();
        w.insert(
            names::WORD_EMBEDDING,
            self.param("word_embedding.weight").clone(),
        );
        if self.meta.model.uses_pos() {
            w.insert(
                names::POS_EMBEDDING,
                self.param("pos_embedding.weight").clone(),
            );
        }
        let dir = |suffix: &str| LstmDirection {
            weight_ih: self.param(&format!("lstm.weight_ih_l0{suffix}")),
            weight_hh: self.param(&format!("lstm.weight_hh_l0{suffix}")),
            bias_ih: self.param(&format!("lstm.bias_ih_l0{suffix}")),
            bias_hh: self.param(&format!("lstm.bias_hh_l0{suffix}")),
        };
        let [lw, lr, lb] = lstm_to_onnx(dir(""), dir("_reverse"));
        w.insert(names::LSTM_W, lw);
        w.insert(names::LSTM_R, lr);
        w.insert(names::LSTM_B, lb);
        w.insert(
            names::ENTITY_WEIGHT_T,
            self.param("entity_head.weight").transposed(),
        );
        w.insert(names::ENTITY_BIAS, self.param("entity_head.bias").clone());
        w.insert(
            names::RELATION_SUBJECT_T,
            self.param("relation_head.subject.weight").transposed(),
        );
        w.insert(
            names::RELATION_OBJECT_T,
            self.param("relation_head.object.weight").transposed(),
        );
        w.insert(
            names::RELATION_HIDDEN_BIAS,
            self.param("relation_head.hidden_bias").clone(),
        );
        w.insert(
            names::RELATION_OUTPUT_T,
            self.param("relation_head.output.weight").transposed(),
        );
        w.insert(
            names::RELATION_OUTPUT_BIAS,
            self.param("relation_head.output.bias").clone(),
        );
        for cell in ["gru_e", "gru_r"] {
            w.insert(
                names::gru_weight_ih_t(cell),
                self.param(&format!("{cell}.weight_ih")).transposed(),
            );
            w.insert(
                names::gru_weight_hh_t(cell),
                self.param(&format!("{cell}.weight_hh")).transposed(),
            );
            w.insert(
                names::gru_bias_ih(cell),
                self.param(&format!("{cell}.bias_ih")).clone(),
            );
            w.insert(
                names::gru_bias_hh(cell),
                self.param(&format!("{cell}.bias_hh")).clone(),
            );
        }
        w
    }
}

/// Every parameter a model of `config` has, with its PyTorch shape (rin-trainer's
/// `parameter_names`): embeddings `[V, dim]`; `lstm.*_l0[_reverse]` `[4H, in]`, `[4H, H]`, `[4H]`
/// (gates i, f, g, o); `entity_head` `[5, d]`, `[5]`; `relation_head.{subject,object}.weight`
/// `[d_m, d]`, `hidden_bias [d_m]`, `output.weight [R, d_m]`, `output.bias [R]`; `gru_{e,r}`
/// `weight_ih [3d, in]`, `weight_hh [3d, d]`, biases `[3d]` (gates r, z, n), with `in` = 5 for
/// `gru_e` and R for `gru_r`.
pub fn expected_parameters(config: &ModelConfig) -> BTreeMap<String, Vec<usize>> {
    let (h, d, dm, r) = (
        config.lstm_hidden,
        config.hidden(),
        config.relation_hidden,
        config.relations,
    );
    let mut p = BTreeMap::new();
    let mut add = |name: String, shape: Vec<usize>| {
        p.insert(name, shape);
    };
    add(
        "word_embedding.weight".into(),
        vec![config.word_vocab, config.word_dim],
    );
    if config.uses_pos() {
        add(
            "pos_embedding.weight".into(),
            vec![config.pos_vocab, config.pos_dim],
        );
    }
    for suffix in ["", "_reverse"] {
        add(
            format!("lstm.weight_ih_l0{suffix}"),
            vec![4 * h, config.input_dim()],
        );
        add(format!("lstm.weight_hh_l0{suffix}"), vec![4 * h, h]);
        add(format!("lstm.bias_ih_l0{suffix}"), vec![4 * h]);
        add(format!("lstm.bias_hh_l0{suffix}"), vec![4 * h]);
    }
    add("entity_head.weight".into(), vec![rin_core::Tag::COUNT, d]);
    add("entity_head.bias".into(), vec![rin_core::Tag::COUNT]);
    add("relation_head.subject.weight".into(), vec![dm, d]);
    add("relation_head.object.weight".into(), vec![dm, d]);
    add("relation_head.hidden_bias".into(), vec![dm]);
    add("relation_head.output.weight".into(), vec![r, dm]);
    add("relation_head.output.bias".into(), vec![r]);
    for (cell, input) in [("gru_e", rin_core::Tag::COUNT), ("gru_r", r)] {
        add(format!("{cell}.weight_ih"), vec![3 * d, input]);
        add(format!("{cell}.weight_hh"), vec![3 * d, d]);
        add(format!("{cell}.bias_ih"), vec![3 * d]);
        add(format!("{cell}.bias_hh"), vec![3 * d]);
    }
    p
}

fn check_meta(meta: &CheckpointMeta, path: &Path) -> Result<()> {
    let bad = |field: &'static str, reason: String| {
        Err(Error::Config {
            path: path.to_path_buf(),
            field,
            reason,
        })
    };
    let m = &meta.model;
    if let Err(e) = meta.check_version() {
        return bad("format_version", e.to_string());
    }
    for (field, value) in [
        ("model.word_vocab", m.word_vocab),
        ("model.word_dim", m.word_dim),
        ("model.lstm_hidden", m.lstm_hidden),
        ("model.relation_hidden", m.relation_hidden),
        ("model.relations", m.relations),
    ] {
        if value == 0 {
            return bad(field, "must be positive".into());
        }
    }
    let tags = rin_core::Tag::names();
    if meta.tags != tags {
        return bad("tags", format!("{:?}, expected {tags:?}", meta.tags));
    }
    if meta.relations.len() != m.relations {
        return bad(
            "relations",
            format!(
                "{} names for model.relations = {}",
                meta.relations.len(),
                m.relations
            ),
        );
    }
    if meta.words.len() != m.word_vocab {
        return bad(
            "words",
            format!(
                "{} entries for model.word_vocab = {}",
                meta.words.len(),
                m.word_vocab
            ),
        );
    }
    match (&meta.pos, m.uses_pos()) {
        (Some(pos), true) if pos.vocab.len() != m.pos_vocab => bad(
            "pos.vocab",
            format!(
                "{} entries for model.pos_vocab = {}",
                pos.vocab.len(),
                m.pos_vocab
            ),
        ),
        (None, true) => bad("pos", "missing, but the model reads POS ids".into()),
        _ if !(0.0..=1.0).contains(&meta.threshold) => {
            bad("threshold", format!("{} is outside [0, 1]", meta.threshold))
        }
        _ => Ok(()),
    }
}
