//! Shared fixtures: a tiny model, a few hand-made sentences, and paths to the repository's data.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rin_core::{PaddedBatch, Sentence, Span, Triple, Vocab};
use rin_trainer::batch::TensorBatch;
use rin_trainer::config::{Interaction, ModelConfig};
use rin_trainer::RinModel;
use tch::nn::VarStore;
use tch::Device;

/// libtorch's random generator and thread count belong to the process, and the tests of this
/// binary run on parallel threads: a test that draws random numbers holds this lock, so that no
/// other test's draws land among its own (the determinism and resume tests compare losses bit for
/// bit, and failed when another test trained at the same time).
static TORCH: Mutex<()> = Mutex::new(());

/// The lock on libtorch's process-wide state; hold it for the whole test.
#[must_use = "the lock is released when the guard is dropped"]
pub fn torch_lock() -> MutexGuard<'static, ()> {
    TORCH.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One thread and a fixed seed, for every test; hold the returned lock for the whole test.
#[must_use = "the lock is released when the guard is dropped"]
pub fn setup(seed: i64) -> MutexGuard<'static, ()> {
    let torch = torch_lock();
    tch::set_num_threads(1);
    tch::manual_seed(seed);
    torch
}

/// A model small enough to run in milliseconds: 12 words, 6 POS ids, 3 relations.
pub fn tiny_config(k: usize) -> ModelConfig {
    ModelConfig {
        word_vocab: 12,
        word_dim: 8,
        pos_vocab: 6,
        pos_dim: 3,
        lstm_hidden: 5,
        relation_hidden: 7,
        relations: 3,
        k,
        interaction: Interaction::Full,
        dropout: 0.1,
    }
}

/// A fresh model in its own store.
pub fn tiny_model(config: ModelConfig) -> (VarStore, RinModel) {
    let vs = VarStore::new(Device::Cpu);
    let model = RinModel::new(&vs.root(), config);
    (vs, model)
}

/// Vocabularies covering [`sentences`]' tokens and tags (10 words, 4 tags).
pub fn vocabs() -> (Vocab, Vocab) {
    let mut words = Vocab::new();
    for w in [
        "alan", "bean", "was", "born", "in", "texas", "paris", "is", "a", "city",
    ] {
        words.insert(w);
    }
    let mut pos = Vocab::new();
    for t in ["NNP", "VBD", "IN", "DT"] {
        pos.insert(t);
    }
    (words, pos)
}

fn sentence(
    text: &str,
    tags: &str,
    entities: &[(usize, usize)],
    triples: &[(usize, usize, usize, usize, usize)],
) -> Sentence {
    let spans: Vec<Span> = entities.iter().map(|&(s, e)| Span::new(s, e)).collect();
    Sentence {
        tokens: text.split(' ').map(str::to_owned).collect(),
        pos_tags: Some(tags.split(' ').map(str::to_owned).collect()),
        entities: spans,
        triples: triples
            .iter()
            .map(|&(ss, se, r, os, oe)| Triple {
                subject: Span::new(ss, se),
                relation: r,
                object: Span::new(os, oe),
            })
            .collect(),
    }
}

/// Three sentences of lengths 6, 3 and 7 (not sorted, so the model must reorder for packing).
pub fn sentences() -> Vec<Sentence> {
    vec![
        sentence(
            "Alan Bean was born in Texas",
            "NNP NNP VBD VBD IN NNP",
            &[(0, 2), (5, 6)],
            &[(0, 2, 1, 5, 6)],
        ),
        sentence("Paris is unknownword", "NNP VBD DT", &[(0, 1)], &[]),
        sentence(
            "Paris is a city in Texas too",
            "NNP VBD DT NNP IN NNP XX",
            &[(0, 1), (5, 6)],
            &[(0, 1, 2, 5, 6), (5, 6, 0, 0, 1)],
        ),
    ]
}

/// A batch of `sentences` in the given order.
pub fn batch_of(sentences: &[&Sentence], relations: usize) -> TensorBatch {
    let (words, pos) = vocabs();
    TensorBatch::new(
        &PaddedBatch::new(sentences, &words, &pos),
        relations,
        Device::Cpu,
    )
}

/// The repository's `data/` folder.
pub fn data_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("data")
        .join(name)
}

/// The small GloVe extract in `tests/data`.
pub fn tiny_glove() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/glove.tiny.50d.txt")
}

/// Largest absolute difference between two tensors of the same shape.
pub fn max_diff(a: &tch::Tensor, b: &tch::Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}
