//! Checkpoints: a save/load round trip, atomic publication, and names in the file.

use std::collections::BTreeMap;
use std::path::Path;

use rin_core::{DataFormat, MatchMode, Vocab};
use rin_trainer::checkpoint::{self, Checkpoint, CheckpointMeta};
use rin_trainer::corpus::{DataInfo, EmbeddingInfo};
use rin_trainer::model::parameter_names;
use rin_trainer::optim::Adam;
use rin_trainer::{ModelConfig, TrainConfig};
use tch::nn::VarStore;
use tch::Device;

use crate::util::{batch_of, max_diff, sentences, setup, tiny_config, tiny_model};

fn meta_for(config: &ModelConfig, vs: &VarStore) -> CheckpointMeta {
    CheckpointMeta {
        format_version: checkpoint::FORMAT_VERSION,
        model: config.clone(),
        train: TrainConfig::default(),
        tags: ["O", "B", "I", "E", "S"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        relations: vec!["a".into(), "b".into(), "c".into()],
        words: Vocab::new(),
        pos: None,
        match_mode: MatchMode::Exact,
        threshold: 0.5,
        embeddings: EmbeddingInfo {
            path: None,
            dim: 8,
            vocab: 12,
            pretrained_rows: 0,
            other_rows: "random".into(),
            added_words: 0,
            substitutes: (0, 0),
        },
        data: DataInfo {
            dir: "nowhere".into(),
            format: DataFormat::JointEr,
            match_mode: MatchMode::Exact,
            splits: BTreeMap::new(),
        },
        parameters: checkpoint::parameter_infos(vs),
        epoch: 3,
        dev: None,
        progress: None,
        averaged: None,
    }
}

#[test]
fn save_then_load_gives_identical_outputs() {
    let _torch = setup(21);
    let dir = tempfile::tempdir().unwrap();
    let config = tiny_config(2);
    let (vs, model) = tiny_model(config.clone());
    checkpoint::save(dir.path(), "best", &vs, &meta_for(&config, &vs), None).unwrap();

    tch::manual_seed(99); // a different random state must not matter
    let loaded = Checkpoint::load(&dir.path().join("best"), Device::Cpu).unwrap();
    assert_eq!(loaded.meta.epoch, 3);
    let s = sentences();
    let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
    for k in [0, 2, 4] {
        let (e1, r1) = model
            .forward(&batch.word_ids, &batch.pos_ids, &batch.lengths, k)
            .unwrap();
        let (e2, r2) = loaded
            .model
            .forward(&batch.word_ids, &batch.pos_ids, &batch.lengths, k)
            .unwrap();
        assert_eq!(max_diff(&e1, &e2), 0.0);
        assert_eq!(max_diff(&r1, &r2), 0.0);
    }
    // The file holds exactly the documented names (the exporter reads it without libtorch).
    let bytes = std::fs::read(dir.path().join("best/model.safetensors")).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = file.names().into_iter().cloned().collect();
    names.sort();
    assert_eq!(names, parameter_names(&config));
}

#[test]
fn optimizer_state_round_trips() {
    let _torch = setup(22);
    let dir = tempfile::tempdir().unwrap();
    let config = tiny_config(1);
    let (vs, model) = tiny_model(config.clone());
    let mut adam = Adam::new(&vs, 1e-2);
    let s = sentences();
    let batch = batch_of(&s.iter().collect::<Vec<_>>(), 3);
    let out = model
        .forward_t(
            &batch.word_ids,
            &batch.pos_ids,
            &batch.lengths,
            1,
            true,
            false,
        )
        .unwrap();
    rin_trainer::loss::loss(&model, &out, &batch).backward();
    adam.step();
    let mut meta = meta_for(&config, &vs);
    meta.progress = Some(checkpoint::Progress {
        epoch: 1,
        step: 1,
        adam_steps: adam.state().1,
        ..Default::default()
    });
    checkpoint::save(dir.path(), "last", &vs, &meta, Some(&adam)).unwrap();

    let loaded = Checkpoint::load(&dir.path().join("last"), Device::Cpu).unwrap();
    let mut restored = Adam::new(&loaded.vs, 1e-2);
    loaded.restore_optimizer(&mut restored).unwrap();
    let (a, a_steps) = adam.state();
    let (b, b_steps) = restored.state();
    assert_eq!(a_steps, b_steps);
    for ((na, ta), (nb, tb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert_eq!(max_diff(ta, tb), 0.0, "{na}");
    }
}

#[test]
fn publication_is_atomic_and_cleans_up() {
    let _torch = setup(23);
    let dir = tempfile::tempdir().unwrap();
    let config = tiny_config(1);
    let (vs, _model) = tiny_model(config.clone());
    let meta = meta_for(&config, &vs);
    checkpoint::save(dir.path(), "last", &vs, &meta, None).unwrap();
    // A crash in the middle of the next save leaves a half-written directory and a stray link.
    let stale = dir.path().join(".ckpt-last-000004-1");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("model.safetensors"), b"half").unwrap();
    std::os::unix::fs::symlink(".ckpt-last-000004-1", dir.path().join(".last.link-tmp")).unwrap();
    // The previous checkpoint is still the one `last` names, and it loads.
    assert_eq!(
        Checkpoint::load(&dir.path().join("last"), Device::Cpu)
            .unwrap()
            .meta
            .epoch,
        3
    );
    // The next save replaces it and removes what is no longer linked.
    let mut newer = meta.clone();
    newer.epoch = 5;
    checkpoint::save(dir.path(), "last", &vs, &newer, None).unwrap();
    assert_eq!(
        Checkpoint::load(&dir.path().join("last"), Device::Cpu)
            .unwrap()
            .meta
            .epoch,
        5
    );
    assert!(!stale.exists());
    let hidden = hidden_dirs(dir.path());
    assert_eq!(hidden.len(), 1, "{hidden:?}");
}

fn hidden_dirs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ckpt-"))
        .collect()
}

#[test]
fn missing_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let err = Checkpoint::load(dir.path(), Device::Cpu).unwrap_err();
    assert!(
        matches!(err, rin_trainer::Error::Checkpoint { .. }),
        "{err}"
    );
}
