//! Seeded, randomly initialised checkpoints in rin-trainer's format, for tests (here and in the
//! runtime) and for trying the exporter without a trained model.
//!
//! The tensors have the trainer's names and PyTorch layouts, initialised the way PyTorch does
//! (uniform in ±1/sqrt(fan), embeddings with unit variance), so that the probabilities are
//! neither saturated nor uniform. `checkpoint.json` carries every field rin-trainer writes.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::Dtype;

use crate::checkpoint::{
    expected_parameters, Interaction, ModelConfig, FORMAT_VERSION, META_FILE, WEIGHTS_FILE,
};
use crate::error::{Error, Result};

/// A deterministic generator (SplitMix64): the same seed gives the same checkpoint everywhere.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * unit
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct FixtureSpec {
    /// The model's shape (`word_vocab`, `pos_vocab` and `relations` must match the lists below).
    pub config: ModelConfig,
    /// Word vocabulary: PAD, UNK, then words.
    pub words: Vec<String>,
    /// POS vocabulary: PAD, UNK, then tags (ignored when `config.pos_dim` is 0).
    pub pos_tags: Vec<String>,
    /// Relation names.
    pub relations: Vec<String>,
    /// Written as `train.deep_supervision`.
    pub deep_supervision: bool,
    /// Seed of every value.
    pub seed: u64,
}

impl FixtureSpec {
    /// A tiny model (a few KB): 12 words, 6 POS tags, 3 relations, `H = 4`, `d_m = 6`, K = 2.
    pub fn tiny(seed: u64) -> Self {
        let words = vocab([
            "the", "cat", "sat", "on", "mat", "john", "born", "in", "london", "city",
        ]);
        let pos_tags = vocab(["DT", "NN", "VBD", "IN", "NNP"]);
        let relations: Vec<String> = ["born_in", "located_in", "part_of"]
            .map(String::from)
            .to_vec();
        FixtureSpec::with_lists(words, pos_tags, relations, 6, 3, 4, 6, 2, seed)
    }

    /// A model with the paper's sizes (50-d words, 10-d POS, `H = 50`, `d_m = 100`, K = 2) for
    /// the given vocabularies.
    pub fn full_size(
        words: Vec<String>,
        pos_tags: Vec<String>,
        relations: Vec<String>,
        seed: u64,
    ) -> Self {
        FixtureSpec::with_lists(words, pos_tags, relations, 50, 10, 50, 100, 2, seed)
    }

    #[allow(clippy::too_many_arguments)]
    fn with_lists(
        words: Vec<String>,
        pos_tags: Vec<String>,
        relations: Vec<String>,
        word_dim: usize,
        pos_dim: usize,
        lstm_hidden: usize,
        relation_hidden: usize,
        k: usize,
        seed: u64,
    ) -> Self {
        FixtureSpec {
            config: ModelConfig {
                word_vocab: words.len(),
                word_dim,
                pos_vocab: pos_tags.len(),
                pos_dim,
                lstm_hidden,
                relation_hidden,
                relations: relations.len(),
                k,
                interaction: Interaction::Full,
                dropout: 0.1,
            },
            words,
            pos_tags,
            relations,
            deep_supervision: false,
            seed,
        }
    }

    /// The same model without POS input ("w/o POS").
    pub fn without_pos(mut self) -> Self {
        self.config.pos_dim = 0;
        self.config.pos_vocab = 0;
        self.pos_tags.clear();
        self
    }
}

/// PAD and UNK followed by `entries`.
pub fn vocab<'a>(entries: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    ["<pad>", "<unk>"]
        .into_iter()
        .chain(entries)
        .map(String::from)
        .collect()
}

/// Random parameters for `spec`, by checkpoint name, PyTorch layout.
pub fn random_parameters(spec: &FixtureSpec) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let mut rng = SplitMix64::new(spec.seed);
    let c = &spec.config;
    expected_parameters(c)
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let bound = if name.ends_with("embedding.weight") {
                3f32.sqrt() // unit variance
            } else if name.starts_with("lstm.") {
                1.0 / (c.lstm_hidden as f32).sqrt()
            } else if name.starts_with("gru_") {
                1.0 / (c.hidden() as f32).sqrt()
            } else if name.starts_with("relation_head.output") {
                1.0 / (c.relation_hidden as f32).sqrt()
            } else if name.starts_with("relation_head") {
                1.0 / (2.0 * c.hidden() as f32).sqrt()
            } else {
                1.0 / (c.hidden() as f32).sqrt()
            };
            let mut data: Vec<f32> = (0..n).map(|_| rng.uniform(-bound, bound)).collect();
            if name.ends_with("embedding.weight") {
                // PAD's row is zero, as the trainer leaves it for unseen rows.
                data[..shape[1]].fill(0.0);
            }
            (name, shape, data)
        })
        .collect()
}

/// Writes `dir/model.safetensors` and `dir/checkpoint.json` for `spec` (creating `dir`).
pub fn write_checkpoint(dir: &Path, spec: &FixtureSpec) -> Result<()> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let params = random_parameters(spec);
    write_weights(&dir.join(WEIGHTS_FILE), &params)?;

    let meta = checkpoint_json(spec, &params);
    let path = dir.join(META_FILE);
    let text = serde_json::to_vec_pretty(&meta).map_err(|source| Error::Json {
        path: path.clone(),
        source,
    })?;
    std::fs::write(&path, text).map_err(write_err(&path))
}

/// Writes `params` (name, shape, values) as a float32 safetensors file.
pub fn write_weights(path: &Path, params: &[(String, Vec<usize>, Vec<f32>)]) -> Result<()> {
    let bytes: Vec<Vec<u8>> = params
        .iter()
        .map(|(_, _, d)| d.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let mut views = Vec::with_capacity(params.len());
    for ((name, shape, _), b) in params.iter().zip(&bytes) {
        let view =
            TensorView::new(Dtype::F32, shape.clone(), b).map_err(|source| Error::Safetensors {
                path: path.to_path_buf(),
                source,
            })?;
        views.push((name.clone(), view));
    }
    safetensors::serialize_to_file(views, &None::<HashMap<String, String>>, path).map_err(
        |source| Error::Safetensors {
            path: path.to_path_buf(),
            source,
        },
    )
}

/// `checkpoint.json` as rin-trainer writes it (`CheckpointMeta`), for a random model.
fn checkpoint_json(
    spec: &FixtureSpec,
    params: &[(String, Vec<usize>, Vec<f32>)],
) -> serde_json::Value {
    let c = &spec.config;
    let pos = c.uses_pos().then(|| {
        serde_json::json!({
            "vocab": spec.pos_tags,
            "tagset": "penn-treebank",
            "source": { "kind": "dataset", "tagger": "fixture" },
        })
    });
    serde_json::json!({
        "format_version": FORMAT_VERSION,
        "model": c,
        "train": { "deep_supervision": spec.deep_supervision, "seed": spec.seed, "k": c.k },
        "tags": rin_core::Tag::names(),
        "relations": spec.relations,
        "words": spec.words,
        "pos": pos,
        "match_mode": "exact",
        "threshold": 0.5,
        "embeddings": {
            "path": null,
            "dim": c.word_dim,
            "vocab": c.word_vocab,
            "pretrained_rows": 0,
            "other_rows": format!("random fixture (rin-exporter, seed {})", spec.seed),
        },
        "data": { "dir": "fixture", "format": "native", "match_mode": "exact", "splits": {} },
        "parameters": params.iter().map(|(n, s, _)| serde_json::json!({ "name": n, "shape": s })).collect::<Vec<_>>(),
        "epoch": 0,
        "dev": null,
        "progress": null,
    })
}
