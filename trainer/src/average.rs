//! `--average-from EPOCH`: the running mean of the weights after each epoch from EPOCH on.
//!
//! Weights late in a run wander around a region of good solutions; their mean sits nearer its
//! centre and tends to generalise better than any one epoch (Izmailov et al. 2018, "Averaging
//! Weights Leads to Wider Optima"). After epoch `e` the mean of `n` epochs becomes
//! `mean + (w_e - mean) / (n + 1)`. The mean is kept in the `last` checkpoint's train state
//! (`average.NAME`), so `--resume` carries it on exactly, and published as the run's `average`
//! checkpoint after every epoch.

use std::collections::HashMap;

use rin_core::checkpoint::AveragedEpochs;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

/// The prefix of the mean's tensors in `train_state.safetensors`.
pub const STATE_PREFIX: &str = "average.";

/// The running mean of a model's weights over the epochs `first..=last`.
#[derive(Debug)]
pub struct WeightAverage {
    /// The first epoch averaged (the `--average-from` setting).
    first: usize,
    /// Epochs added so far.
    count: usize,
    /// The mean of each parameter, by name.
    mean: Vec<(String, Tensor)>,
}

impl WeightAverage {
    /// An empty average that starts at epoch `first`.
    pub fn new(first: usize, vs: &VarStore) -> WeightAverage {
        let mean = sorted_variables(vs)
            .into_iter()
            .map(|(name, t)| (name, t.zeros_like().to_kind(Kind::Float)))
            .collect();
        WeightAverage {
            first,
            count: 0,
            mean,
        }
    }

    /// The average of a run resumed after `epoch`: its tensors come from the `last` checkpoint's
    /// train state (absent while `epoch` is before `first`).
    pub fn restore(
        first: usize,
        epoch: usize,
        vs: &VarStore,
        state: &mut HashMap<String, Tensor>,
    ) -> std::result::Result<WeightAverage, String> {
        let mut average = WeightAverage::new(first, vs);
        average.count = (epoch + 1).saturating_sub(first);
        if average.count == 0 {
            return Ok(average);
        }
        for (name, slot) in &mut average.mean {
            let key = format!("{STATE_PREFIX}{name}");
            let t = state
                .remove(&key)
                .ok_or_else(|| format!("the weight average lacks {key}"))?;
            if t.size() != slot.size() {
                return Err(format!(
                    "{key} has shape {:?}, not {:?}",
                    t.size(),
                    slot.size()
                ));
            }
            *slot = t.to_kind(Kind::Float).to_device(slot.device());
        }
        Ok(average)
    }

    /// Adds the weights of `vs` after `epoch`, if `epoch` is averaged.
    pub fn add(&mut self, epoch: usize, vs: &VarStore) {
        if epoch < self.first {
            return;
        }
        let n = self.count as f64;
        tch::no_grad(|| {
            for ((_, mean), (_, w)) in self.mean.iter_mut().zip(sorted_variables(vs)) {
                let step = (w.to_kind(Kind::Float) - &*mean) / (n + 1.0);
                let _ = mean.g_add_(&step);
            }
        });
        self.count += 1;
    }

    /// The epochs averaged so far, if any.
    pub fn epochs(&self) -> Option<AveragedEpochs> {
        (self.count > 0).then(|| AveragedEpochs {
            first: self.first,
            last: self.first + self.count - 1,
        })
    }

    /// The mean's tensors as they are kept in the train state (on the CPU).
    pub fn state_tensors(&self) -> Vec<(String, Tensor)> {
        if self.count == 0 {
            return Vec::new();
        }
        self.mean
            .iter()
            .map(|(name, t)| {
                (
                    format!("{STATE_PREFIX}{name}"),
                    t.to_device(Device::Cpu).contiguous(),
                )
            })
            .collect()
    }

    /// Runs `f` with the mean in place of the weights of `vs`, then puts the weights back.
    pub fn with_mean_weights<R>(&self, vs: &VarStore, f: impl FnOnce() -> R) -> R {
        let variables = sorted_variables(vs);
        let saved: Vec<Tensor> = variables.iter().map(|(_, w)| w.detach().copy()).collect();
        let set = |values: &mut dyn Iterator<Item = &Tensor>| {
            tch::no_grad(|| {
                for ((_, w), value) in variables.iter().zip(values) {
                    let mut w = w.shallow_clone();
                    w.copy_(value);
                }
            })
        };
        set(&mut self.mean.iter().map(|(_, t)| t));
        let result = f();
        set(&mut saved.iter());
        result
    }
}

/// The variables of `vs`, sorted by name (the order the mean is kept in).
fn sorted_variables(vs: &VarStore) -> Vec<(String, Tensor)> {
    let mut v: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}
