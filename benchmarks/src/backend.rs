//! The backends a configuration runs on: ONNX Runtime (CPU or CUDA EP) through rin-runtime, tch
//! eager through the trainer's model, and the PyTorch eager script (see [`crate::pytorch`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use rin_core::PaddedBatch;
use rin_runtime::input::ModelInputs;
use rin_runtime::session::{GraphNames, ModelSession, OrtConfig, OrtRuntime};
use rin_trainer::checkpoint::Checkpoint;
use serde::{Deserialize, Serialize};

/// What runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// rin-runtime's `ModelSession` on an exported graph (what `rin extract` runs).
    Ort,
    /// The trainer's tch model (`RinModel::forward`), in this process.
    Tch,
    /// `benchmarks/pytorch_eager.py`: MODEL.md in PyTorch, in a Python subprocess.
    Pytorch,
}

/// Where it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Cpu,
    Cuda,
}

/// One backend: engine, device and intra-op threads (`ort-cpu:2`, `tch-cuda`, `pytorch-cpu:1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BackendSpec {
    pub engine: Engine,
    pub target: Target,
    pub threads: usize,
}

impl fmt::Display for BackendSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engine = match self.engine {
            Engine::Ort => "ort",
            Engine::Tch => "tch",
            Engine::Pytorch => "pytorch",
        };
        match self.target {
            Target::Cpu => write!(f, "{engine}-cpu:{}", self.threads),
            Target::Cuda => write!(f, "{engine}-cuda"),
        }
    }
}

impl FromStr for BackendSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, threads) = match s.split_once(':') {
            Some((name, t)) => (
                name,
                t.parse::<usize>()
                    .ok()
                    .filter(|&t| t > 0)
                    .ok_or_else(|| format!("{s:?}: the thread count must be a positive number"))?,
            ),
            None => (s, 1),
        };
        let (engine, target) = match name {
            "ort-cpu" => (Engine::Ort, Target::Cpu),
            "ort-cuda" => (Engine::Ort, Target::Cuda),
            "tch-cpu" => (Engine::Tch, Target::Cpu),
            "tch-cuda" => (Engine::Tch, Target::Cuda),
            "pytorch-cpu" => (Engine::Pytorch, Target::Cpu),
            "pytorch-cuda" => (Engine::Pytorch, Target::Cuda),
            _ => {
                return Err(format!(
                    "unknown backend {s:?}: use ort-cpu:N, ort-cuda, tch-cpu:N, tch-cuda, pytorch-cpu:N or pytorch-cuda"
                ))
            }
        };
        Ok(BackendSpec {
            engine,
            target,
            threads,
        })
    }
}

/// The model's two outputs, flat and row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs {
    pub entity_probs: Vec<f32>,
    pub relation_probs: Vec<f32>,
}

impl Outputs {
    /// The largest absolute difference over both outputs; `None` when the shapes differ.
    pub fn max_abs_diff(&self, other: &Outputs) -> Option<f32> {
        if self.entity_probs.len() != other.entity_probs.len()
            || self.relation_probs.len() != other.relation_probs.len()
        {
            return None;
        }
        // NaN when any value is not finite (rin_core::parity): a check `diff <= tolerance` fails.
        Some(rin_core::parity::worse(
            rin_core::parity::max_abs_difference(&self.entity_probs, &other.entity_probs),
            rin_core::parity::max_abs_difference(&self.relation_probs, &other.relation_probs),
        ))
    }
}

/// An in-process backend: runs one batch at a given K.
pub trait Runner {
    /// One forward pass, outputs left where the backend keeps them (what is timed).
    fn forward(&mut self, k: usize, batch: &Prepared) -> Result<()>;
    /// One forward pass with the outputs copied out (for the parity check).
    fn outputs(&mut self, k: usize, batch: &Prepared) -> Result<Outputs>;
}

/// A batch converted once, before timing, into what each backend takes.
pub struct Prepared {
    pub padded: PaddedBatch,
    inputs: ModelInputs,
}

impl Prepared {
    pub fn new(padded: PaddedBatch) -> Prepared {
        Prepared {
            inputs: ModelInputs::new(padded.clone()),
            padded,
        }
    }
}

/// ONNX Runtime sessions, one per K, from a folder of exported graphs (`model_k{K}.onnx`).
pub struct OrtRunner {
    runtime: &'static OrtRuntime,
    model_dir: PathBuf,
    config: OrtConfig,
    cuda: bool,
    relations: usize,
    sessions: BTreeMap<usize, ModelSession>,
}

impl OrtRunner {
    pub fn new(
        runtime: &'static OrtRuntime,
        model_dir: &Path,
        spec: BackendSpec,
        relations: usize,
    ) -> OrtRunner {
        let config = OrtConfig {
            threads: Some(spec.threads),
            device: match spec.target {
                Target::Cpu => rin_runtime::Device::Cpu,
                Target::Cuda => rin_runtime::Device::Cuda,
            },
            ..OrtConfig::default()
        };
        OrtRunner {
            runtime,
            model_dir: model_dir.to_owned(),
            config,
            cuda: spec.target == Target::Cuda,
            relations,
            sessions: BTreeMap::new(),
        }
    }

    fn session(&mut self, k: usize) -> Result<&ModelSession> {
        if !self.sessions.contains_key(&k) {
            let graph = self.model_dir.join(format!("model_k{k}.onnx"));
            let session = ModelSession::load(
                self.runtime,
                &graph,
                GraphNames::default(),
                self.relations,
                &self.config,
                self.cuda,
            )
            .with_context(|| format!("cannot load {}", graph.display()))?;
            self.sessions.insert(k, session);
        }
        Ok(&self.sessions[&k])
    }
}

impl Runner for OrtRunner {
    fn forward(&mut self, k: usize, batch: &Prepared) -> Result<()> {
        self.session(k)?.run(&batch.inputs)?;
        Ok(())
    }

    fn outputs(&mut self, k: usize, batch: &Prepared) -> Result<Outputs> {
        let out = self.session(k)?.run(&batch.inputs)?;
        Ok(Outputs {
            entity_probs: out.entity_probs,
            relation_probs: out.relation_probs,
        })
    }
}

/// The trainer's tch model in inference mode (no gradients, no dropout).
pub struct TchRunner {
    checkpoint: Checkpoint,
    device: tch::Device,
}

impl TchRunner {
    pub fn new(checkpoint_dir: &Path, spec: BackendSpec) -> Result<TchRunner> {
        let device = match spec.target {
            Target::Cpu => {
                tch::set_num_threads(spec.threads as i32);
                tch::Device::Cpu
            }
            Target::Cuda => {
                if !tch::Cuda::is_available() {
                    bail!("tch-cuda: libtorch sees no CUDA device");
                }
                tch::Device::Cuda(0)
            }
        };
        let checkpoint = Checkpoint::load(checkpoint_dir, device)
            .with_context(|| format!("cannot load {}", checkpoint_dir.display()))?;
        Ok(TchRunner { checkpoint, device })
    }

    fn run(&self, k: usize, batch: &PaddedBatch) -> Result<(tch::Tensor, tch::Tensor)> {
        let (b, n) = (batch.batch as i64, batch.seq_len as i64);
        let ids = |v: &[i64]| {
            tch::Tensor::from_slice(v)
                .view([b, n])
                .to_device(self.device)
        };
        let out = self.checkpoint.model.forward(
            &ids(&batch.word_ids),
            &ids(&batch.pos_ids),
            &batch.lengths,
            k,
        )?;
        if self.device.is_cuda() {
            tch::Cuda::synchronize(0);
        }
        Ok(out)
    }
}

impl Runner for TchRunner {
    fn forward(&mut self, k: usize, batch: &Prepared) -> Result<()> {
        self.run(k, &batch.padded).map(drop)
    }

    fn outputs(&mut self, k: usize, batch: &Prepared) -> Result<Outputs> {
        let (entity, relation) = self.run(k, &batch.padded)?;
        let flat = |t: tch::Tensor| -> Result<Vec<f32>> {
            Ok(Vec::<f32>::try_from(
                t.to_device(tch::Device::Cpu).flatten(0, -1),
            )?)
        };
        Ok(Outputs {
            entity_probs: flat(entity)?,
            relation_probs: flat(relation)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names_round_trip() {
        for name in [
            "ort-cpu:1",
            "ort-cpu:2",
            "tch-cpu:1",
            "pytorch-cpu:2",
            "ort-cuda",
            "tch-cuda",
        ] {
            let spec: BackendSpec = name.parse().unwrap();
            assert_eq!(spec.to_string(), name);
        }
        assert_eq!("ort-cpu".parse::<BackendSpec>().unwrap().threads, 1);
        assert!("ort-cpu:0".parse::<BackendSpec>().is_err());
        assert!("onnx:1".parse::<BackendSpec>().is_err());
    }

    #[test]
    fn differences_cover_both_outputs() {
        let a = Outputs {
            entity_probs: vec![0.5, 0.5],
            relation_probs: vec![0.1],
        };
        let mut b = a.clone();
        b.relation_probs[0] = 0.4;
        assert!((a.max_abs_diff(&b).unwrap() - 0.3).abs() < 1e-6);
        b.entity_probs.push(0.0);
        assert_eq!(a.max_abs_diff(&b), None);
    }
}
