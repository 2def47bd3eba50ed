//! rin-bench: latency and throughput of RIN models per K, batch size, sentence length and backend
//! (ONNX Runtime through rin-runtime, tch eager through the trainer's model, and a PyTorch eager
//! script), end-to-end stage times, peak memory, the compute floor and the F1-against-K trade-off.
//! BENCHMARKS.md at the repository root shows the results and the commands.

pub mod backend;
pub mod cli;
pub mod e2e;
pub mod floor;
pub mod memory;
pub mod ort_profile;
pub mod plot;
pub mod pytorch;
pub mod sweep;
pub mod tradeoff;

// The timing harness is rin-runtime's (`rin bench`), shared so that both measure alike.
pub use rin_runtime::bench::{stats, timing, workload};
