//! The Recurrent Interaction Network (MODEL.md): [`encoder`] (embeddings + packed BiLSTM),
//! [`heads`] (`C_e`, `C_r`) and [`interaction`] (the GRU cells unrolled K times).
//!
//! Parameter names are public API: the exporter reads them from `model.safetensors` with the
//! `safetensors` crate. [`parameter_names`] lists them and a test pins the list.

pub mod encoder;
pub mod heads;
pub mod interaction;

use tch::nn::Path;
use tch::{Kind, Tensor};

use crate::batch::token_mask;
use crate::config::{Interaction, ModelConfig};
use crate::error::{Error, Result};
use encoder::Encoder;
use heads::{EntityHead, RelationHead};
use interaction::GruCell;

/// The outputs of the unrolled layers that the loss and decoding need.
#[derive(Debug)]
pub struct Unrolled {
    /// `Y_e^k` logits `[b, n, 5]`, for k = 0..=K (only k = K when not all layers were kept).
    pub entity_logits: Vec<Tensor>,
    /// `Y_r^k` logits `[b, n, n, R]`, for the same layers.
    pub relation_logits: Vec<Tensor>,
    /// The input of `C_r` at the same layers (`H^0`, then `H_r^k`), `[b, n, d]`.
    pub relation_inputs: Vec<Tensor>,
}

impl Unrolled {
    /// The last layer's entity logits.
    pub fn last_entity(&self) -> &Tensor {
        self.entity_logits
            .last()
            .expect("an unrolled model has at least one layer")
    }

    /// The last layer's relation logits.
    pub fn last_relation(&self) -> &Tensor {
        self.relation_logits
            .last()
            .expect("an unrolled model has at least one layer")
    }
}

/// A RIN model whose parameters live in a `tch::nn::VarStore`.
#[derive(Debug)]
pub struct RinModel {
    config: ModelConfig,
    encoder: Encoder,
    entity_head: EntityHead,
    relation_head: RelationHead,
    gru_e: GruCell,
    gru_r: GruCell,
}

impl RinModel {
    /// Creates every parameter under `root`, randomly initialised (see each part for how). The
    /// interaction cells exist even for K = 0 so that one parameter set fits every K.
    pub fn new(root: &Path, config: ModelConfig) -> Self {
        let d = config.hidden();
        RinModel {
            encoder: Encoder::new(root, &config),
            entity_head: EntityHead::new(root, &config),
            relation_head: RelationHead::new(root, &config),
            gru_e: GruCell::new(&(root / "gru_e"), rin_core::Tag::COUNT, d),
            gru_r: GruCell::new(&(root / "gru_r"), config.relations, d),
            config,
        }
    }

    /// The model's shape.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The word table `[V_w, d_w]`.
    pub fn word_table(&self) -> &Tensor {
        &self.encoder.word_embedding
    }

    /// Initialises the word embedding: every row uniform in `[-range, range]`, PAD and UNK rows
    /// zero, and `rows[i]` set to the `i`-th pre-trained vector of `vectors` (`rows.len() x d_w`,
    /// row-major).
    pub fn init_word_vectors(&mut self, rows: &[i64], vectors: &[f32], range: f64) {
        let weight = &mut self.encoder.word_embedding;
        let device = weight.device();
        tch::no_grad(|| {
            let _ = weight.uniform_(-range, range);
            let special =
                Tensor::from_slice(&[rin_core::PAD as i64, rin_core::UNK as i64]).to_device(device);
            let _ = weight.index_fill_(0, &special, 0.0);
            if !rows.is_empty() {
                let dim = self.config.word_dim as i64;
                let index = Tensor::from_slice(rows).to_device(device);
                let values = Tensor::from_slice(vectors)
                    .view([rows.len() as i64, dim])
                    .to_device(device);
                let _ = weight.index_copy_(0, &index, &values);
            }
        });
    }

    /// `H^0` `[b, n, d]`: the encoder alone (embeddings, dropout when `train`, packed BiLSTM).
    pub fn encode(
        &self,
        word_ids: &Tensor,
        pos_ids: &Tensor,
        lengths: &[i64],
        train: bool,
    ) -> Result<Tensor> {
        check_inputs(word_ids, pos_ids, lengths)?;
        Ok(self.encoder.forward_t(word_ids, pos_ids, lengths, train))
    }

    /// Runs the encoder and `k` interaction rounds.
    ///
    /// `word_ids` and `pos_ids` are `[b, n]` int64 (`pos_ids` is ignored by a model without POS),
    /// `lengths` the host-side lengths, each in `1..=n`. With `keep_all`, the logits of every layer
    /// `0..=k` are returned (deep supervision), else only layer k's. `train` turns dropout on.
    pub fn forward_t(
        &self,
        word_ids: &Tensor,
        pos_ids: &Tensor,
        lengths: &[i64],
        k: usize,
        train: bool,
        keep_all: bool,
    ) -> Result<Unrolled> {
        let (b, n) = check_inputs(word_ids, pos_ids, lengths)?;
        let h0 = self.encoder.forward_t(word_ids, pos_ids, lengths, train);
        let object_mask = lengths.iter().any(|&l| l < n).then(|| {
            let valid = token_mask(lengths, n, h0.device()).view([b, 1, n, 1]);
            Tensor::zeros([b, 1, n, 1], (Kind::Float, h0.device()))
                .masked_fill(&valid.logical_not(), f64::NEG_INFINITY)
        });

        let mut out = Unrolled {
            entity_logits: Vec::new(),
            relation_logits: Vec::new(),
            relation_inputs: Vec::new(),
        };
        // Layer 0 reads H^0 with both heads; layer k reads H_e^k and H_r^k.
        let mut h = h0;
        let mut h_entity = h.shallow_clone();
        let mut h_relation = h.shallow_clone();
        for layer in 0..=k {
            let entity = self.entity_head.forward(&h_entity);
            let last = layer == k;
            // Full relation logits only where the loss or the caller reads them; a layer that only
            // feeds the next round needs just the pooled summary.
            let ybar = if last || keep_all {
                let relation = self.relation_head.forward(&h_relation);
                let ybar = (!last).then(|| {
                    interaction::max_over_objects(&relation, object_mask.as_ref()).sigmoid()
                });
                out.relation_logits.push(relation);
                out.relation_inputs.push(h_relation.shallow_clone());
                ybar
            } else {
                Some(
                    self.relation_head
                        .summary(&h_relation, object_mask.as_ref()),
                )
            };
            let next = ybar.map(|ybar| {
                let he = self.gru_e.forward(&entity.softmax(-1, Kind::Float), &h);
                let hr = self.gru_r.forward(&ybar, &h);
                (he, hr)
            });
            if last || keep_all {
                out.entity_logits.push(entity);
            }
            if let Some((he, hr)) = next {
                h = match self.config.interaction {
                    Interaction::Full => &h + &he + &hr,
                    Interaction::NoEr => &h + &hr,
                    Interaction::NoRc => &h + &he,
                };
                h_entity = he;
                h_relation = hr;
            }
        }
        Ok(out)
    }

    /// The relation logits of single cells `[c, 4]` (rows `(b, i, j, t)`) from a `C_r` input
    /// `[b, n, d]` (see [`Unrolled::relation_inputs`]).
    pub fn relation_cell_logits(&self, relation_input: &Tensor, cells: &Tensor) -> Tensor {
        self.relation_head.cell_logits(relation_input, cells)
    }

    /// The pure inference function: tag probabilities `[b, n, 5]` (softmax) and relation
    /// probabilities `[b, n, n, R]` (sigmoid) after `k` rounds, without dropout or gradients.
    ///
    /// Any K works with one checkpoint (the weights are shared across rounds); only the trained K
    /// is accurate unless the model was trained with deep supervision. The ONNX exporter's parity
    /// tests compare against this function.
    pub fn forward(
        &self,
        word_ids: &Tensor,
        pos_ids: &Tensor,
        lengths: &[i64],
        k: usize,
    ) -> Result<(Tensor, Tensor)> {
        tch::no_grad(|| {
            let out = self.forward_t(word_ids, pos_ids, lengths, k, false, false)?;
            Ok((
                out.last_entity().softmax(-1, Kind::Float),
                out.last_relation().sigmoid(),
            ))
        })
    }
}

/// The checkpoint parameter names of a model with `config`, sorted.
///
/// Layouts are PyTorch's: `lstm.weight_ih_l0` is `[4H, in]` with gates i, f, g, o; the `gru_*`
/// weights are `[3d, ·]` with gates r, z, n. See `trainer/README.md` for every shape.
pub fn parameter_names(config: &ModelConfig) -> Vec<String> {
    let mut names: Vec<String> = [
        "word_embedding.weight",
        "entity_head.weight",
        "entity_head.bias",
        "relation_head.subject.weight",
        "relation_head.object.weight",
        "relation_head.hidden_bias",
        "relation_head.output.weight",
        "relation_head.output.bias",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    if config.uses_pos() {
        names.push("pos_embedding.weight".into());
    }
    for suffix in ["", "_reverse"] {
        for w in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] {
            names.push(format!("lstm.{w}_l0{suffix}"));
        }
    }
    for cell in ["gru_e", "gru_r"] {
        for w in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] {
            names.push(format!("{cell}.{w}"));
        }
    }
    names.sort();
    names
}

/// The names of the interaction parameters (the GRU cells), untouched when K = 0.
pub fn interaction_parameter_names() -> Vec<String> {
    ["gru_e", "gru_r"]
        .iter()
        .flat_map(|cell| {
            ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
                .iter()
                .map(move |w| format!("{cell}.{w}"))
        })
        .collect()
}

/// Checks shapes and lengths before any libtorch call, so that bad input is an error, not a panic.
fn check_inputs(word_ids: &Tensor, pos_ids: &Tensor, lengths: &[i64]) -> Result<(i64, i64)> {
    let bad = |reason: String| {
        Err(Error::Setting {
            name: "model input",
            reason,
        })
    };
    let size = word_ids.size();
    if size.len() != 2 {
        return bad(format!("word ids must be [batch, seq], got {size:?}"));
    }
    if pos_ids.size() != size {
        return bad(format!(
            "pos ids {:?} differ from word ids {size:?}",
            pos_ids.size()
        ));
    }
    let (b, n) = (size[0], size[1]);
    if lengths.len() as i64 != b || b == 0 {
        return bad(format!("{} lengths for a batch of {b}", lengths.len()));
    }
    if let Some(&l) = lengths.iter().find(|&&l| l < 1 || l > n) {
        return bad(format!("length {l} outside 1..={n}"));
    }
    Ok((b, n))
}
