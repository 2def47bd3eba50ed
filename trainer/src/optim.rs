//! Adam and gradient-norm clipping, written out so that the optimiser state can be saved and
//! restored for `--resume` (tch's `nn::Optimizer` keeps its state inside libtorch, out of reach).
//!
//! The update is PyTorch's `torch.optim.Adam` (single-tensor path, no weight decay, no AMSGrad):
//! `m ← β1 m + (1 − β1) g`, `v ← β2 v + (1 − β2) g²`,
//! `p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)`, with a step count `t` per
//! parameter that only advances when the parameter has a gradient.

use std::collections::{BTreeMap, HashMap};

use tch::nn::VarStore;
use tch::{Kind, Tensor};

use crate::error::{CheckpointProblem, Error, Result};

/// Adam over every trainable variable of a `VarStore`.
#[derive(Debug)]
pub struct Adam {
    params: Vec<(String, Tensor)>,
    exp_avg: Vec<Tensor>,
    exp_avg_sq: Vec<Tensor>,
    steps: Vec<u64>,
    /// Learning rate.
    pub lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
}

impl Adam {
    /// Adam with PyTorch's defaults (β = (0.9, 0.999), ε = 1e-8) over `vs`'s variables, in name
    /// order.
    pub fn new(vs: &VarStore, lr: f64) -> Self {
        let mut params: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
        params.sort_by(|a, b| a.0.cmp(&b.0));
        let zeros = |p: &Tensor| p.zeros_like();
        Adam {
            exp_avg: params.iter().map(|(_, p)| zeros(p)).collect(),
            exp_avg_sq: params.iter().map(|(_, p)| zeros(p)).collect(),
            steps: vec![0; params.len()],
            params,
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// Zeroes every gradient that exists (parameters that never had one keep none).
    pub fn zero_grad(&mut self) {
        for (_, p) in &mut self.params {
            p.zero_grad();
        }
    }

    /// Scales the gradients so that their global L2 norm is at most `max_norm`, as
    /// `torch.nn.utils.clip_grad_norm_` does (without a host sync). Returns the norm before
    /// clipping, as a scalar tensor.
    pub fn clip_grad_norm(&mut self, max_norm: f64) -> Tensor {
        tch::no_grad(|| {
            let grads: Vec<Tensor> = self
                .params
                .iter()
                .map(|(_, p)| p.grad())
                .filter(Tensor::defined)
                .collect();
            if grads.is_empty() {
                return Tensor::from(0.0f32);
            }
            let norms: Vec<Tensor> = grads.iter().map(|g| g.norm()).collect();
            let total = Tensor::stack(&norms, 0).norm();
            let coef = (max_norm / (&total + 1e-6)).clamp_max(1.0);
            for mut g in grads {
                let _ = g.g_mul_(&coef);
            }
            total
        })
    }

    /// One Adam update of every parameter that has a gradient.
    pub fn step(&mut self) {
        let (b1, b2, eps, lr) = (self.beta1, self.beta2, self.eps, self.lr);
        tch::no_grad(|| {
            for (i, (_, p)) in self.params.iter_mut().enumerate() {
                let g = p.grad();
                if !g.defined() {
                    continue;
                }
                self.steps[i] += 1;
                let t = self.steps[i] as i32;
                let m = &mut self.exp_avg[i];
                let _ = m.lerp_(&g, 1.0 - b1);
                let v = &mut self.exp_avg_sq[i];
                let _ = v.g_mul_scalar_(b2);
                let _ = v.addcmul_(&(&g * (1.0 - b2)), &g);
                let bias1 = 1.0 - b1.powi(t);
                let bias2 = 1.0 - b2.powi(t);
                let denom = v.sqrt() / bias2.sqrt() + eps;
                let _ = p.g_sub_(&(&*m / denom * (lr / bias1)));
            }
        });
    }

    /// The optimiser state as named tensors (`exp_avg.<param>`, `exp_avg_sq.<param>`) and the
    /// step count of each parameter.
    pub fn state(&self) -> (Vec<(String, Tensor)>, BTreeMap<String, u64>) {
        let mut tensors = Vec::with_capacity(2 * self.params.len());
        let mut steps = BTreeMap::new();
        for (i, (name, _)) in self.params.iter().enumerate() {
            tensors.push((format!("exp_avg.{name}"), self.exp_avg[i].shallow_clone()));
            tensors.push((
                format!("exp_avg_sq.{name}"),
                self.exp_avg_sq[i].shallow_clone(),
            ));
            steps.insert(name.clone(), self.steps[i]);
        }
        (tensors, steps)
    }

    /// Restores a state saved by [`Adam::state`]. Every parameter must have both moments.
    pub fn load_state(
        &mut self,
        mut tensors: HashMap<String, Tensor>,
        steps: &BTreeMap<String, u64>,
        path: &std::path::Path,
    ) -> Result<()> {
        let missing = |name: String| Error::Checkpoint {
            path: path.to_path_buf(),
            problem: CheckpointProblem::MissingState(name),
        };
        for (i, (name, p)) in self.params.iter().enumerate() {
            for (prefix, slot) in [
                ("exp_avg", &mut self.exp_avg[i]),
                ("exp_avg_sq", &mut self.exp_avg_sq[i]),
            ] {
                let key = format!("{prefix}.{name}");
                let t = tensors.remove(&key).ok_or_else(|| missing(key.clone()))?;
                if t.size() != p.size() {
                    return Err(missing(key));
                }
                *slot = t.to_kind(Kind::Float).to_device(p.device());
            }
            self.steps[i] = steps.get(name).copied().unwrap_or(0);
        }
        Ok(())
    }
}
