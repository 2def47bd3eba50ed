//! The model-only sweep: every case on every backend, timed, checked against ONNX Runtime's
//! outputs, and set against the compute floor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rin_core::model_config::ModelConfig;
use rin_core::Vocab;
use serde::{Deserialize, Serialize};

use crate::backend::{
    BackendSpec, Engine, OrtRunner, Outputs, Prepared, Runner, Target, TchRunner,
};
use crate::floor::{self, GemmRate};
use crate::pytorch::{self, ScriptCase};
use crate::stats::Summary;
use crate::timing::{self, Budget};
use crate::workload::Corpus;

/// Outputs larger than this (floats) are not kept for the parity check (JSON and memory).
const PARITY_MAX_FLOATS: usize = 1 << 21;

/// ONNX Runtime, loaded once for the process: the CUDA build when a backend asks for CUDA (it
/// runs the CPU backends too), else the CPU build; `None` when no backend is ONNX Runtime.
pub fn ort_runtime(
    backends: &[BackendSpec],
) -> Result<Option<&'static rin_runtime::session::OrtRuntime>> {
    if !backends.iter().any(|b| b.engine == Engine::Ort) {
        return Ok(None);
    }
    let cuda = backends
        .iter()
        .any(|b| b.engine == Engine::Ort && b.target == Target::Cuda);
    let config = rin_runtime::OrtConfig {
        device: if cuda {
            rin_runtime::Device::Cuda
        } else {
            rin_runtime::Device::Cpu
        },
        ..rin_runtime::OrtConfig::default()
    };
    Ok(Some(rin_runtime::session::setup(&config)?.0))
}

/// The fastest GEMM measured on `threads` threads (whichever library), in GFLOP/s.
pub fn best_rate(gemm: &[GemmRate], threads: usize) -> Option<f64> {
    gemm.iter()
        .filter(|g| g.threads == threads)
        .map(|g| g.gflops)
        .reduce(f64::max)
}

/// One model input shape at one K.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Case {
    pub k: usize,
    pub batch: usize,
    pub tokens: usize,
}

impl Case {
    pub fn name(&self) -> String {
        format!("k{}-b{}-n{}", self.k, self.batch, self.tokens)
    }
}

/// Which cases to run: latency against K, against batch size and against sentence length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The K of the batch and length sweeps (the trained K).
    pub k: usize,
    /// K from 0 to this at batch 1, `tokens` tokens.
    pub max_k: usize,
    /// Batch sizes at K = `k`.
    pub batches: Vec<usize>,
    /// Sentence length of the K and batch sweeps.
    pub tokens: usize,
    /// Lengths of the length sweep ...
    pub lengths: Vec<usize>,
    /// ... at these batch sizes.
    pub length_batches: Vec<usize>,
}

impl Plan {
    /// The sweep: K 0..=7; batch 1..64; 10, 30, 60 and 100 tokens.
    pub fn full(k: usize) -> Plan {
        Plan {
            k,
            max_k: 7,
            batches: vec![1, 2, 4, 8, 16, 32, 64],
            tokens: 30,
            lengths: vec![10, 30, 60, 100],
            length_batches: vec![1, 8],
        }
    }

    /// CI's quick mode: a few small cases that still exercise every sweep and plot.
    pub fn quick(k: usize) -> Plan {
        Plan {
            k,
            max_k: 2,
            batches: vec![1, 4],
            tokens: 12,
            lengths: vec![6, 12],
            length_batches: vec![1],
        }
    }

    /// Every case once, in a stable order.
    pub fn cases(&self) -> Vec<Case> {
        let mut cases: Vec<Case> = (0..=self.max_k)
            .map(|k| Case {
                k,
                batch: 1,
                tokens: self.tokens,
            })
            .collect();
        cases.extend(self.batches.iter().map(|&batch| Case {
            k: self.k,
            batch,
            tokens: self.tokens,
        }));
        for &batch in &self.length_batches {
            cases.extend(self.lengths.iter().map(|&tokens| Case {
                k: self.k,
                batch,
                tokens,
            }));
        }
        let mut seen = std::collections::BTreeSet::new();
        cases.retain(|c| seen.insert(*c));
        cases
    }
}

/// One case on one backend.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub backend: BackendSpec,
    pub case: Case,
    #[serde(flatten)]
    pub summary: Summary,
    /// FLOPs of the batch (see [`floor::forward_flops`]).
    pub flops: f64,
    /// The batch's FLOPs at this machine's GEMM rate for the same thread count (CPU only).
    pub floor_ms: Option<f64>,
    /// Mean latency over `floor_ms`.
    pub floor_ratio: Option<f64>,
    /// Largest |difference| from ONNX Runtime on the CPU for the same batch (both outputs).
    pub max_abs_diff_vs_ort: Option<f32>,
}

/// What the sweep needs to know about the model.
pub struct ModelFiles<'a> {
    /// The checkpoint (tch, PyTorch).
    pub checkpoint: &'a Path,
    /// Its export with every K of the plan (ONNX Runtime).
    pub onnx_dir: &'a Path,
    pub config: &'a ModelConfig,
    pub words: &'a Vocab,
    pub pos: &'a Vocab,
}

/// Settings of a sweep.
pub struct SweepOptions {
    pub budget: Budget,
    pub python: PathBuf,
    pub script: PathBuf,
}

/// Runs every case on every backend. ONNX Runtime on the CPU goes first, so that the others can
/// be compared with its outputs.
pub fn run(
    model: &ModelFiles<'_>,
    corpus: &Corpus,
    plan: &Plan,
    backends: &[BackendSpec],
    gemm: &[GemmRate],
    options: &SweepOptions,
) -> Result<(Vec<Row>, Option<String>)> {
    let cases = plan.cases();
    let mut backends = backends.to_vec();
    backends.sort_by_key(|b| (b.engine != Engine::Ort || b.target != Target::Cpu, *b));
    let ort_runtime = ort_runtime(&backends)?;
    let bar = ProgressBar::new((cases.len() * backends.len()) as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed}]")
            .expect("valid template"),
    );
    let mut reference: BTreeMap<Case, Outputs> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut torch_version = None;
    // The inputs are the same for every backend: built once, before any timing.
    let batches: Vec<(Case, Prepared)> = cases
        .iter()
        .map(|&c| {
            (
                c,
                Prepared::new(corpus.batch(c.tokens, c.batch, model.words, model.pos)),
            )
        })
        .collect();
    for spec in &backends {
        let row = |case: Case, latencies: &[u64], diff: Option<f32>| -> Option<Row> {
            let summary = Summary::from_nanos(latencies, case.batch)?;
            let flops = case.batch as f64 * floor::forward_flops(model.config, case.tokens, case.k);
            let floor_ms = (spec.target == Target::Cpu)
                .then(|| best_rate(gemm, spec.threads))
                .flatten()
                .map(|gflops| flops / (gflops * 1e9) * 1e3);
            Some(Row {
                backend: *spec,
                case,
                floor_ratio: floor_ms.map(|f| summary.mean_ms / f),
                floor_ms,
                flops,
                summary,
                max_abs_diff_vs_ort: diff,
            })
        };
        let parity = |case: &Case| {
            case.batch * case.tokens * case.tokens * model.config.relations <= PARITY_MAX_FLOATS
        };
        match spec.engine {
            Engine::Ort | Engine::Tch => {
                let mut runner: Box<dyn Runner> = match spec.engine {
                    Engine::Ort => Box::new(OrtRunner::new(
                        ort_runtime.expect("set up above when an ORT backend is asked for"),
                        model.onnx_dir,
                        *spec,
                        model.config.relations,
                    )),
                    _ => Box::new(TchRunner::new(model.checkpoint, *spec)?),
                };
                for (case, prepared) in &batches {
                    bar.set_message(format!("{spec} {}", case.name()));
                    let diff = if parity(case) {
                        let out = runner.outputs(case.k, prepared)?;
                        let is_reference = spec.engine == Engine::Ort
                            && spec.target == Target::Cpu
                            && !reference.contains_key(case);
                        if is_reference {
                            // Measured, not assumed: 0 for finite outputs, NaN when the
                            // reference itself emits a value that is not finite.
                            let diff = out.max_abs_diff(&out);
                            reference.insert(*case, out);
                            diff
                        } else {
                            reference.get(case).and_then(|r| r.max_abs_diff(&out))
                        }
                    } else {
                        None
                    };
                    let latencies =
                        timing::measure(&options.budget, || runner.forward(case.k, prepared))
                            .with_context(|| format!("{spec} {}", case.name()))?;
                    rows.extend(row(*case, &latencies, diff));
                    bar.inc(1);
                }
            }
            Engine::Pytorch => {
                bar.set_message(format!("{spec} (all cases in one Python process)"));
                let script_cases: Vec<ScriptCase> = batches
                    .iter()
                    .map(|(c, p)| {
                        ScriptCase::new(
                            c.name(),
                            c.k,
                            &p.padded,
                            parity(c) && reference.contains_key(c),
                        )
                    })
                    .collect();
                let response = pytorch::run(
                    &options.python,
                    &options.script,
                    model.checkpoint,
                    *spec,
                    &options.budget,
                    &script_cases,
                )?;
                torch_version = Some(response.torch_version.clone());
                for ((case, _), result) in batches.iter().zip(&response.cases) {
                    let diff = result
                        .outputs()
                        .and_then(|out| reference.get(case).and_then(|r| r.max_abs_diff(&out)));
                    rows.extend(row(*case, &result.latencies_ns, diff));
                    bar.inc(1);
                }
            }
        }
    }
    bar.finish_and_clear();
    Ok((rows, torch_version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_plan_covers_every_sweep_once() {
        let cases = Plan::full(2).cases();
        assert!((0..=7).all(|k| cases.contains(&Case {
            k,
            batch: 1,
            tokens: 30
        })));
        for batch in [1, 2, 4, 8, 16, 32, 64] {
            assert!(cases.contains(&Case {
                k: 2,
                batch,
                tokens: 30
            }));
        }
        for tokens in [10, 30, 60, 100] {
            assert!(cases.contains(&Case {
                k: 2,
                batch: 8,
                tokens
            }));
        }
        let unique: std::collections::BTreeSet<_> = cases.iter().collect();
        assert_eq!(unique.len(), cases.len());
        // 8 K + 6 more batch sizes + 3 more lengths at batch 1 + 3 more at batch 8.
        assert_eq!(cases.len(), 8 + 6 + 3 + 3);
    }
}
