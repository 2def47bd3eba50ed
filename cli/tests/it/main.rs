//! Integration tests of rin-runtime and the `rin` binary, in one test binary.
//!
//! They need ONNX Runtime's library: run them with `cargo xtask run -- cargo test -p rin-cli`
//! (or `cargo xtask test`), which sets `RIN_ORT_DYLIB`; without it they fail and say so. The
//! plugins are built by the harness; the models are seeded random exports made by rin-exporter.

mod bad_input;
mod bench;
mod commands;
mod device;
mod documents;
mod eval;
mod extract;
mod precision;
#[cfg(feature = "server")]
mod server;
mod shipped;
mod sparse;
mod triton;
mod util;
mod validation;
