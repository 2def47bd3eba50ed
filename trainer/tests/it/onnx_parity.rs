//! The exported ONNX graphs, run by ONNX Runtime through rin-runtime, give the tch forward pass's
//! probabilities (max absolute difference <= 1e-4, both outputs, every K from 0 to 4), on random
//! batches with mixed lengths and on real WebNLG* sentences, at batch sizes 1 and 7.
//!
//! Needs ONNX Runtime's library (`RIN_ORT_DYLIB`, set by `cargo xtask test` / `cargo xtask run`).

use std::path::{Path, PathBuf};

use rin_core::{batch::IGNORE_TAG, DataFormat, PaddedBatch, RelationSet};
use rin_exporter::ExportOptions;
use rin_runtime::input::ModelInputs;
use rin_runtime::session::{setup, GraphNames, ModelSession, OrtConfig};
use rin_trainer::batch::TensorBatch;
use rin_trainer::checkpoint::Checkpoint;
use tch::{Device, Tensor};

const TOLERANCE: f32 = 1e-4;
const KS: [usize; 5] = [0, 1, 2, 3, 4];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A batch of random ids (never PAD inside a sentence) for the given lengths.
fn random_batch(lengths: &[usize], words: usize, pos: usize, seed: u64) -> PaddedBatch {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |modulo: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        1 + ((state >> 33) as usize) % (modulo - 1)
    };
    let seq_len = lengths.iter().copied().max().unwrap_or(1);
    let mut batch = PaddedBatch {
        batch: lengths.len(),
        seq_len,
        lengths: lengths.iter().map(|&n| n as i64).collect(),
        word_ids: vec![0; lengths.len() * seq_len],
        pos_ids: vec![0; lengths.len() * seq_len],
        tags: vec![IGNORE_TAG; lengths.len() * seq_len],
        relation_cells: Vec::new(),
    };
    for (b, &n) in lengths.iter().enumerate() {
        for i in 0..n {
            batch.word_ids[b * seq_len + i] = next(words) as i64;
            batch.pos_ids[b * seq_len + i] = next(pos.max(2)) as i64;
        }
    }
    batch
}

fn to_vec(t: &Tensor) -> Vec<f32> {
    Vec::<f32>::try_from(t.flatten(0, -1)).expect("float tensor")
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "output sizes differ");
    // NaN when either side has a value that is not finite: the tolerance check then fails.
    rin_core::parity::max_abs_difference(a, b)
}

/// Exports `checkpoint` for every K and compares ONNX Runtime with tch on each batch; returns the
/// largest difference seen.
pub(crate) fn check(checkpoint: &Path, batches: &[PaddedBatch]) -> f32 {
    tch::set_num_threads(1);
    let ckpt = Checkpoint::load(checkpoint, Device::Cpu).expect("checkpoint loads");
    let relations = ckpt.meta.model.relations;
    let out = tempfile::tempdir().unwrap();
    let options = ExportOptions {
        ks: KS.to_vec(),
        ..ExportOptions::default()
    };
    rin_exporter::export(checkpoint, out.path(), &options).expect("export");
    let config = OrtConfig {
        threads: Some(1),
        ..OrtConfig::default()
    };
    let (runtime, _) = setup(&config).unwrap_or_else(|e| {
        panic!("this test needs ONNX Runtime: {e}; run it through `cargo xtask test` or `cargo xtask run`")
    });
    let mut worst = 0.0f32;
    for k in KS {
        let graph = out.path().join(format!("model_k{k}.onnx"));
        let session = ModelSession::load(
            runtime,
            &graph,
            GraphNames::default(),
            relations,
            &config,
            false,
        )
        .expect("session");
        for batch in batches {
            let onnx = session
                .run(&ModelInputs::new(batch.clone()))
                .expect("onnx run");
            let tensors = TensorBatch::new(batch, relations, Device::Cpu);
            let (entity, relation) = ckpt
                .model
                .forward(&tensors.word_ids, &tensors.pos_ids, &tensors.lengths, k)
                .expect("tch forward");
            let entity_diff = max_difference(&to_vec(&entity), &onnx.entity_probs);
            let relation_diff = max_difference(&to_vec(&relation), &onnx.relation_probs);
            assert!(
                entity_diff <= TOLERANCE && relation_diff <= TOLERANCE,
                "K={k}, batch {} x {}: entity_probs differ by {entity_diff}, relation_probs by {relation_diff}",
                batch.batch,
                batch.seq_len
            );
            worst =
                rin_core::parity::worse(worst, rin_core::parity::worse(entity_diff, relation_diff));
        }
    }
    worst
}

#[test]
fn random_checkpoint_random_batches_match_at_every_k() {
    let _torch = crate::util::torch_lock(); // loading a checkpoint draws an initialisation first
    let checkpoint = repo().join("exporter/tests/data/tiny");
    let ckpt = Checkpoint::load(&checkpoint, Device::Cpu).expect("tiny checkpoint");
    let (words, pos) = (ckpt.meta.model.word_vocab, ckpt.meta.model.pos_vocab);
    let batches = [
        random_batch(&[6], words, pos, 1),
        random_batch(&[9, 3, 7, 1, 9, 5, 2], words, pos, 2),
    ];
    let worst = check(&checkpoint, &batches);
    println!("random checkpoint: max |tch - onnx| = {worst:e}");
}

#[test]
fn trained_checkpoint_real_sentences_match_at_every_k() {
    let _torch = crate::util::torch_lock(); // loading a checkpoint draws an initialisation first
    let checkpoint = repo().join("models/webnlg-star/checkpoint");
    let ckpt = Checkpoint::load(&checkpoint, Device::Cpu).expect("shipped checkpoint");
    let data = repo().join("data/webnlg-star");
    let relations = RelationSet::load(&data.join("rel2id.json")).unwrap();
    let test =
        rin_core::load_file(&data.join("test.json"), DataFormat::CasRel, &relations).unwrap();
    let pos = rin_trainer::pos::pos_vocab();
    // Real words; POS ids are UNK here (no tagger in this test), the same input for both sides.
    let sentences: Vec<_> = test.sentences.iter().take(8).collect();
    let batches = [
        PaddedBatch::new(&sentences[..1], &ckpt.meta.words, &pos),
        PaddedBatch::new(&sentences[1..8], &ckpt.meta.words, &pos),
    ];
    assert!(
        batches[1]
            .lengths
            .iter()
            .any(|&n| n < batches[1].seq_len as i64),
        "padding included"
    );
    let worst = check(&checkpoint, &batches);
    println!("trained checkpoint: max |tch - onnx| = {worst:e}");
}
