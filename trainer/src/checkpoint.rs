//! Checkpoints: `model.safetensors` (the weights, named as in [`crate::model::parameter_names`]),
//! `checkpoint.json` (everything else needed to use them) and, in `last` only,
//! `train_state.safetensors` (Adam's moments, for `--resume`).
//!
//! Layout of a run directory:
//! ```text
//! run_dir/
//!   metrics.jsonl            one JSON line per epoch
//!   last -> .ckpt-last-…/    symbolic link to the newest epoch's checkpoint
//!   best -> .ckpt-best-…/    symbolic link to the checkpoint with the best dev F1
//!   average -> .ckpt-average-…/  with --average-from: the mean of the weights so far
//!   .ckpt-*/                 model.safetensors, checkpoint.json [, train_state.safetensors]
//! ```
//! Atomicity: a checkpoint is written whole into a fresh hidden directory, flushed, and then
//! published by pointing a new symbolic link at it and renaming that link over `last` (or
//! `best`); `rename` replaces a link atomically. Killing the process at any moment therefore
//! leaves `last` pointing at a complete checkpoint, the old one or the new one. Directories no
//! longer linked are removed after each publication.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tch::nn::VarStore;
use tch::{Device, Tensor};

use crate::config::TrainConfig;
use crate::error::{CheckpointProblem, Error, Result};
use crate::model::RinModel;
use crate::optim::Adam;

pub use rin_core::checkpoint::{
    ParameterInfo, PosInfo, Progress, FORMAT_VERSION, META_FILE, WEIGHTS_FILE,
};

/// The checkpoints a run directory publishes as links.
const PUBLISHED: [&str; 3] = ["last", "best", "average"];

/// The optimiser state in a `last` checkpoint directory.
pub const TRAIN_STATE_FILE: &str = "train_state.safetensors";
/// The per-epoch metrics log in a run directory.
pub const METRICS_FILE: &str = "metrics.jsonl";

/// `checkpoint.json` (rin-core's type, which the exporter reads too), with this trainer's run
/// settings.
pub type CheckpointMeta = rin_core::checkpoint::CheckpointMeta<TrainConfig>;

/// The parameters of `vs` with their shapes, sorted by name.
pub fn parameter_infos(vs: &VarStore) -> Vec<ParameterInfo> {
    let mut v: Vec<ParameterInfo> = vs
        .variables()
        .into_iter()
        .map(|(name, t)| ParameterInfo {
            name,
            shape: t.size(),
        })
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// A loaded checkpoint: its metadata, and the model in its own `VarStore`.
#[derive(Debug)]
pub struct Checkpoint {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `checkpoint.json`.
    pub meta: CheckpointMeta,
    /// Owns the parameters.
    pub vs: VarStore,
    /// The model.
    pub model: RinModel,
}

impl Checkpoint {
    /// Reads `dir/checkpoint.json`, rebuilds the model on `device` and loads `dir/model.safetensors`.
    pub fn load(dir: &Path, device: Device) -> Result<Checkpoint> {
        let meta = read_meta(dir)?;
        let mut vs = VarStore::new(device);
        let model = RinModel::new(&vs.root(), meta.model.clone());
        let weights = require(dir, WEIGHTS_FILE)?;
        vs.load(&weights).map_err(|source| Error::Torch {
            what: "loading checkpoint weights",
            source,
        })?;
        Ok(Checkpoint {
            dir: dir.to_path_buf(),
            meta,
            vs,
            model,
        })
    }

    /// Restores `adam` from this checkpoint's `train_state.safetensors`.
    pub fn restore_optimizer(&self, adam: &mut Adam) -> Result<()> {
        self.restore_optimizer_from(adam, self.train_state()?)
    }

    /// Restores `adam` from `tensors`, this checkpoint's train state as [`Checkpoint::train_state`]
    /// read it (for a caller that takes other tensors from it too).
    pub fn restore_optimizer_from(
        &self,
        adam: &mut Adam,
        tensors: HashMap<String, Tensor>,
    ) -> Result<()> {
        let progress = self
            .meta
            .progress
            .as_ref()
            .ok_or_else(|| Error::Checkpoint {
                path: self.dir.clone(),
                problem: CheckpointProblem::NoTrainState,
            })?;
        adam.load_state(
            tensors,
            &progress.adam_steps,
            &self.dir.join(TRAIN_STATE_FILE),
        )
    }

    /// The tensors of this checkpoint's `train_state.safetensors` (Adam's moments, and the
    /// weight average of `--average-from`), by name.
    pub fn train_state(&self) -> Result<HashMap<String, Tensor>> {
        let path = require(&self.dir, TRAIN_STATE_FILE)?;
        Ok(Tensor::read_safetensors(&path)
            .map_err(Error::torch("reading the optimiser state"))?
            .into_iter()
            .collect())
    }
}

/// Reads and checks `dir/checkpoint.json`.
pub fn read_meta(dir: &Path) -> Result<CheckpointMeta> {
    let path = require(dir, META_FILE)?;
    let text = fs::read_to_string(&path).map_err(Error::io(&path))?;
    let meta: CheckpointMeta = serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.clone(),
        source,
    })?;
    if meta.check_version().is_err() {
        return Err(Error::Checkpoint {
            path,
            problem: CheckpointProblem::Version {
                expected: FORMAT_VERSION,
                found: meta.format_version,
            },
        });
    }
    Ok(meta)
}

fn require(dir: &Path, file: &str) -> Result<PathBuf> {
    let path = dir.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::Checkpoint {
            path: dir.to_path_buf(),
            problem: CheckpointProblem::MissingFile(file.into()),
        })
    }
}

/// Writes a checkpoint and publishes it as `run_dir/name` (`last`, `best` or `average`)
/// atomically. With `optimizer`, Adam's state is saved too (for `--resume`).
pub fn save(
    run_dir: &Path,
    name: &str,
    vs: &VarStore,
    meta: &CheckpointMeta,
    optimizer: Option<&Adam>,
) -> Result<PathBuf> {
    save_with_state(run_dir, name, vs, meta, optimizer, Vec::new())
}

/// [`save`], with `extra` tensors beside Adam's in the train state (the weight average).
pub fn save_with_state(
    run_dir: &Path,
    name: &str,
    vs: &VarStore,
    meta: &CheckpointMeta,
    optimizer: Option<&Adam>,
    extra: Vec<(String, Tensor)>,
) -> Result<PathBuf> {
    fs::create_dir_all(run_dir).map_err(Error::io(run_dir))?;
    let stage_name = format!(".ckpt-{name}-{:06}-{}", meta.epoch, now_nanos());
    let stage = run_dir.join(&stage_name);
    fs::create_dir(&stage).map_err(Error::io(&stage))?;

    let mut named: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .map(|(n, t)| (n, t.detach().to_device(Device::Cpu).contiguous()))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let weights = stage.join(WEIGHTS_FILE);
    Tensor::write_safetensors(&named, &weights)
        .map_err(Error::torch("writing checkpoint weights"))?;
    sync_file(&weights)?;
    crash_point(name, meta.epoch, "weights");
    if let Some(adam) = optimizer {
        let (tensors, _) = adam.state();
        let tensors: Vec<(String, Tensor)> = tensors
            .into_iter()
            .map(|(n, t)| (n, t.to_device(Device::Cpu).contiguous()))
            .chain(extra)
            .collect();
        let path = stage.join(TRAIN_STATE_FILE);
        Tensor::write_safetensors(&tensors, &path)
            .map_err(Error::torch("writing the optimiser state"))?;
        sync_file(&path)?;
    }
    let meta_path = stage.join(META_FILE);
    let json = serde_json::to_vec_pretty(meta).map_err(|source| Error::Json {
        path: meta_path.clone(),
        source,
    })?;
    write_synced(&meta_path, &json)?;
    sync_file(&stage)?;
    crash_point(name, meta.epoch, "staged");

    publish(run_dir, name, &stage_name)?;
    crash_point(name, meta.epoch, "published");
    remove_unlinked(run_dir);
    Ok(run_dir.join(name))
}

/// The variable that makes a save abort the process at a named point: `NAME:EPOCH:POINT`, e.g.
/// `last:2:staged`. The crash tests use it to stop a run at each step of a save, exactly rather
/// than at a moment chosen by the clock; unset, it costs one variable look-up per save step.
pub const CRASH_AT: &str = "RIN_TRAIN_CRASH_AT";

/// Ends the process when [`CRASH_AT`] names this point, leaving the files as a kill would:
/// nothing after this point runs (no clean-up of the staged folder). Exit status 137, as after
/// SIGKILL; not `abort`, which may write a core file.
fn crash_point(name: &str, epoch: usize, point: &str) {
    if std::env::var(CRASH_AT).is_ok_and(|v| v == format!("{name}:{epoch}:{point}")) {
        std::process::exit(137);
    }
}

/// Points `run_dir/name` at `run_dir/target` atomically.
#[cfg(unix)]
fn publish(run_dir: &Path, name: &str, target: &str) -> Result<()> {
    let link_tmp = run_dir.join(format!(".{name}.link-tmp"));
    let _ = fs::remove_file(&link_tmp);
    std::os::unix::fs::symlink(target, &link_tmp).map_err(Error::io(&link_tmp))?;
    let link = run_dir.join(name);
    fs::rename(&link_tmp, &link).map_err(Error::io(&link))?;
    sync_file(run_dir)
}

/// Points `run_dir/name` at `run_dir/target` (not atomic off Unix: the old one is removed first).
#[cfg(not(unix))]
fn publish(run_dir: &Path, name: &str, target: &str) -> Result<()> {
    let link = run_dir.join(name);
    let _ = fs::remove_dir_all(&link);
    fs::rename(run_dir.join(target), &link).map_err(Error::io(&link))
}

/// Turns `last` and `best` back into links when they are plain directories, as a copy that
/// followed the links leaves them (`cp -rL`, an archive, a committed run): publishing a new
/// checkpoint renames a link over them, which a directory would refuse only after an epoch of
/// training. Each directory moves to a hidden `.ckpt-*` name and a link takes its place.
#[cfg(unix)]
pub fn adopt_plain_dirs(run_dir: &Path) -> Result<()> {
    for name in PUBLISHED {
        let path = run_dir.join(name);
        let Ok(kind) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !kind.is_dir() {
            continue;
        }
        let hidden = format!(".ckpt-{name}-adopted-{}", now_nanos());
        fs::rename(&path, run_dir.join(&hidden)).map_err(Error::io(&path))?;
        publish(run_dir, name, &hidden)?;
        tracing::info!(path = %path.display(), "a copied checkpoint folder is now a link again");
    }
    Ok(())
}

/// Off Unix `last` and `best` are plain directories already.
#[cfg(not(unix))]
pub fn adopt_plain_dirs(_run_dir: &Path) -> Result<()> {
    Ok(())
}

/// Nanoseconds since the Unix epoch: what keeps hidden checkpoint folder names apart.
fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Removes `.ckpt-*` directories that none of `last`, `best` and `average` points at. Best effort: a
/// leftover directory wastes space but never breaks anything.
fn remove_unlinked(run_dir: &Path) {
    let linked: Vec<PathBuf> = PUBLISHED
        .iter()
        .filter_map(|n| fs::read_link(run_dir.join(n)).ok())
        .collect();
    let Ok(entries) = fs::read_dir(run_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let name = file_name.to_string_lossy();
        if name.starts_with(".ckpt-")
            && !linked
                .iter()
                .any(|l| l.as_os_str() == file_name.as_os_str())
        {
            if let Err(e) = fs::remove_dir_all(entry.path()) {
                tracing::debug!(path = %entry.path().display(), error = %e, "cannot remove an old checkpoint");
            }
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(Error::io(path))?;
    f.write_all(bytes).map_err(Error::io(path))?;
    f.sync_all().map_err(Error::io(path))
}

fn sync_file(path: &Path) -> Result<()> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(Error::io(path))
}

/// Appends one JSON line to `run_dir/metrics.jsonl`.
pub fn append_metrics<T: Serialize>(run_dir: &Path, record: &T) -> Result<()> {
    let path = run_dir.join(METRICS_FILE);
    let mut line = serde_json::to_vec(record).map_err(|source| Error::Json {
        path: path.clone(),
        source,
    })?;
    line.push(b'\n');
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(Error::io(&path))?;
    f.write_all(&line).map_err(Error::io(&path))?;
    f.flush().map_err(Error::io(&path))
}

/// Keeps only the lines of `metrics.jsonl` whose `epoch` is at most `epoch` (on resume: lines of
/// epochs that ran after the checkpoint was written are dropped, since they will run again).
pub fn truncate_metrics(run_dir: &Path, epoch: usize) -> Result<()> {
    let path = run_dir.join(METRICS_FILE);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(());
    };
    let kept: String = text
        .lines()
        .filter(|line| {
            serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get("epoch").and_then(serde_json::Value::as_u64))
                .is_some_and(|e| e as usize <= epoch)
        })
        .flat_map(|l| [l, "\n"])
        .collect();
    let tmp = run_dir.join(format!("{METRICS_FILE}.tmp"));
    write_synced(&tmp, kept.as_bytes())?;
    fs::rename(&tmp, &path).map_err(Error::io(&path))
}
