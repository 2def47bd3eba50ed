//! The trainer's integration tests, in one binary (linking libtorch is the slow part).
//!
//! Every test runs libtorch on one thread with a fixed seed; models are tiny so the suite stays
//! well under two minutes on two cores. The end-to-end tests run the `rin-train` binary.

mod checkpoint;
mod e2e;
mod loss;
mod model;
mod onnx_parity;
mod plugin;
mod splits;
mod train;
mod util;
mod vocab;
