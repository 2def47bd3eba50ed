//! WebNLG* with POS tags from the `perceptron` tagger plugin, loaded through rin-plugin-host.
//!
//! The plugin is built once into `<target>/plugin-tests` (a target directory of its own, shared
//! with rin-plugin-host's tests, so the nested cargo never waits on the outer build's lock).

use std::path::{Path, PathBuf};
use std::process::Command;

use rin_trainer::pos::PosSource;
use rin_trainer::train::{train, Silent};
use rin_trainer::{Checkpoint, DeviceChoice, TrainConfig};

use crate::util::{data_dir, setup};

/// Builds `rin-plugin-perceptron` and returns the folder holding its library.
fn perceptron_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .expect("test executable inside a cargo target directory");
    let target = target.join("plugin-tests");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--lib",
            "-p",
            "rin-plugin-perceptron",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "building the perceptron plugin failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = target.join("debug");
    assert!(dir
        .join(rin_plugin_host::library_file_name("perceptron"))
        .is_file());
    dir
}

#[test]
fn webnlg_star_is_tagged_by_the_perceptron_plugin() {
    let _torch = setup(41);
    let plugins = perceptron_dir();
    let run = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        data_dir: data_dir("webnlg-star"),
        run_dir: run.path().to_path_buf(),
        word_dim: 8,
        lstm_hidden: 8,
        relation_hidden: 8,
        epochs: 1,
        device: DeviceChoice::Cpu,
        threads: Some(1),
        train_limit: Some(20),
        dev_limit: Some(10),
        plugin_dir: Some(plugins.clone()),
        ..TrainConfig::default()
    };
    train(config.clone(), &mut Silent).unwrap();
    let ckpt = Checkpoint::load(&run.path().join("last"), tch::Device::Cpu).unwrap();
    let pos = ckpt.meta.pos.as_ref().unwrap();
    match pos.source.as_ref().unwrap() {
        PosSource::Plugin {
            name, tagset, tags, ..
        } => {
            assert_eq!(name, "perceptron");
            assert_eq!(tagset, "ptb");
            assert!(tags.len() >= 45);
        }
        other => panic!("unexpected POS source {other:?}"),
    }
    assert_eq!(pos.vocab.len(), 47);

    // Without the plugin, data without tags is an error that says what to do.
    let missing = TrainConfig {
        run_dir: run.path().join("other"),
        plugin_dir: Some(run.path().to_path_buf()),
        ..config
    };
    let err = train(missing, &mut Silent).unwrap_err();
    assert!(matches!(err, rin_trainer::Error::PosTagger { .. }), "{err}");
    assert!(err.to_string().contains("--no-pos"));
}
