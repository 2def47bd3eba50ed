//! The compute floor: the floating-point operations one forward pass needs (multiply-adds count
//! two; element-wise work is left out, so the floor is a lower bound), and the rate at which this
//! machine multiplies matrices.

use std::time::Instant;

use rin_core::model_config::ModelConfig;
use serde::{Deserialize, Serialize};

/// FLOPs of one forward pass over one sentence of `n` tokens with `k` interaction rounds.
///
/// - BiLSTM: per token and direction, `4H x (in + H)` multiply-adds.
/// - Every layer `0..=k`: `C_e` (`d x 5` per token), `C_r`'s two projections `A h_i`, `B h_j`
///   (`2 x d x d_m` per token) and its output layer over all `n^2` cells (`d_m x R` each). Layers
///   before the last need the whole `Y_r` too: `ybar` is a max over it.
/// - Every round `1..=k`: `GRUCell_e` (`3d x (5 + d)`) and `GRUCell_r` (`3d x (R + d)`) per token.
pub fn forward_flops(config: &ModelConfig, n: usize, k: usize) -> f64 {
    let (n, k) = (n as f64, k as f64);
    let h = config.lstm_hidden as f64;
    let input = config.input_dim() as f64;
    let d = config.hidden() as f64;
    let dm = config.relation_hidden as f64;
    let r = config.relations as f64;
    let tags = rin_core::Tag::COUNT as f64;
    let lstm = n * 2.0 * 4.0 * h * (input + h);
    let heads = n * (d * tags + 2.0 * d * dm) + n * n * dm * r;
    let gru = n * 3.0 * d * ((tags + d) + (r + d));
    2.0 * (lstm + (k + 1.0) * heads + k * gru)
}

/// This machine's single-precision matrix multiply rate through libtorch (MKL / oneDNN), best of
/// several runs, for one thread count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GemmRate {
    /// Whose GEMM: libtorch's (MKL) or ONNX Runtime's (MLAS).
    pub library: String,
    pub threads: usize,
    /// `[m, k] x [k, n]`.
    pub shape: [usize; 3],
    pub gflops: f64,
}

/// Measures `m x k x n` GEMM on `threads` threads: the best of `repeats` timed runs after one
/// warm-up.
pub fn measure_gemm(threads: usize, shape: [usize; 3], repeats: usize) -> GemmRate {
    tch::set_num_threads(threads as i32);
    let [m, kk, n] = shape;
    let a = tch::Tensor::randn([m as i64, kk as i64], (tch::Kind::Float, tch::Device::Cpu));
    let b = tch::Tensor::randn([kk as i64, n as i64], (tch::Kind::Float, tch::Device::Cpu));
    let _ = a.matmul(&b);
    let best = (0..repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            let c = a.matmul(&b);
            let seconds = t.elapsed().as_secs_f64();
            drop(c);
            seconds
        })
        .fold(f64::INFINITY, f64::min);
    GemmRate {
        library: "libtorch (MKL)".into(),
        threads,
        shape,
        gflops: 2.0 * (m * kk * n) as f64 / best / 1e9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rin_core::model_config::Interaction;

    fn config(relations: usize) -> ModelConfig {
        ModelConfig {
            word_vocab: 100,
            word_dim: 50,
            pos_vocab: 47,
            pos_dim: 10,
            lstm_hidden: 50,
            relation_hidden: 100,
            relations,
            k: 2,
            interaction: Interaction::Full,
            dropout: 0.1,
        }
    }

    #[test]
    fn the_paper_size_model_counted_by_hand() {
        let c = config(171);
        // One token, K = 0: LSTM 2 x 4 x 50 x 110 = 44_000; C_e 500; A, B 20_000; one cell 17_100.
        assert_eq!(
            forward_flops(&c, 1, 0),
            2.0 * (44_000.0 + 500.0 + 20_000.0 + 17_100.0)
        );
        // Each round adds the heads again and both GRU cells: 300 x 105 + 300 x 271.
        let round = 2.0 * (500.0 + 20_000.0 + 17_100.0 + 31_500.0 + 81_300.0);
        assert_eq!(forward_flops(&c, 1, 1) - forward_flops(&c, 1, 0), round);
    }

    #[test]
    fn the_relation_head_grows_with_n_squared_and_dominates() {
        let c = config(171);
        let (f30, f60) = (forward_flops(&c, 30, 2), forward_flops(&c, 60, 2));
        assert!(f60 / f30 > 3.0 && f60 / f30 < 4.0);
        let cells = 3.0 * 2.0 * 60.0 * 60.0 * 100.0 * 171.0;
        assert!(cells / f60 > 0.8);
    }

    #[test]
    fn gemm_rate_is_positive_and_labelled() {
        let rate = measure_gemm(1, [64, 64, 64], 2);
        assert_eq!((rate.threads, rate.shape), (1, [64, 64, 64]));
        assert!(rate.gflops.is_finite() && rate.gflops > 0.0);
    }
}
