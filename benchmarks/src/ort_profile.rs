//! ONNX Runtime at the level of single operators: its own matrix multiply rate (MLAS, the GEMM
//! that rin's graphs run on) and per-node profiles of an exported graph, summed by operator type.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;
use prost::Message;
use rin_exporter::graph::{value_info, Dim};
use rin_exporter::pb::{
    tensor_proto::DataType, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
};
use rin_runtime::input::ModelInputs;
use rin_runtime::session::{GraphNames, OrtRuntime};
use serde::{Deserialize, Serialize};

use crate::floor::GemmRate;

/// A model of one `MatMul` of two graph inputs `[m, k] x [k, n]`.
fn gemm_model([m, k, n]: [usize; 3]) -> Vec<u8> {
    let dims = |a: usize, b: usize| [Dim::Fixed(a as i64), Dim::Fixed(b as i64)];
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(17),
        }],
        graph: Some(GraphProto {
            name: Some("gemm".into()),
            node: vec![NodeProto {
                name: Some("matmul".into()),
                op_type: Some("MatMul".into()),
                input: vec!["a".into(), "b".into()],
                output: vec!["c".into()],
                ..Default::default()
            }],
            input: vec![
                value_info("a", DataType::Float, &dims(m, k)),
                value_info("b", DataType::Float, &dims(k, n)),
            ],
            output: vec![value_info("c", DataType::Float, &dims(m, n))],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

/// A session as rin-runtime builds them (all graph optimisations), optionally profiled. In a
/// function returning `ort::Result`: the builder's errors carry the builder and only convert into
/// `ort::Error` here.
fn session(
    runtime: &OrtRuntime,
    threads: usize,
    profile: Option<&Path>,
    model: Model<'_>,
) -> ort::Result<Session> {
    let mut builder = Session::builder(runtime.environment())?
        .with_optimization_level(GraphOptimizationLevel::Level3)?
        .with_intra_threads(threads)?;
    if let Some(prefix) = profile {
        builder = builder.with_profiling(prefix)?;
    }
    match model {
        Model::Bytes(bytes) => builder.commit_from_memory(bytes),
        Model::File(path) => builder.commit_from_file(path),
    }
}

enum Model<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// ONNX Runtime's `m x k x n` MatMul rate on `threads` threads: the best of `repeats` runs.
pub fn measure_gemm(
    runtime: &OrtRuntime,
    threads: usize,
    shape: [usize; 3],
    repeats: usize,
) -> Result<GemmRate> {
    let [m, k, n] = shape;
    let model = gemm_model(shape);
    let mut session = session(runtime, threads, None, Model::Bytes(&model))?;
    let a = Tensor::from_array(([m, k], vec![0.5f32; m * k]))?;
    let b = Tensor::from_array(([k, n], vec![0.25f32; k * n]))?;
    let mut best = f64::INFINITY;
    for i in 0..=repeats.max(1) {
        let t = Instant::now();
        let out = session.run(ort::inputs!["a" => &a, "b" => &b])?;
        let seconds = t.elapsed().as_secs_f64();
        drop(out);
        if i > 0 {
            best = best.min(seconds);
        }
    }
    Ok(GemmRate {
        library: "ONNX Runtime (MLAS)".into(),
        threads,
        shape,
        gflops: 2.0 * (m * k * n) as f64 / best / 1e9,
    })
}

/// Time spent in one operator type, summed over its nodes and the profiled runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpTime {
    pub op_type: String,
    pub nodes: usize,
    /// Mean microseconds per run.
    pub us_per_run: f64,
    /// Share of all node time.
    pub share: f64,
}

/// Profiles `runs` runs of `graph` on `inputs` with ONNX Runtime's profiler (after `warmup`
/// unprofiled ones are not possible: the profiler records from the start, so warm-up runs are
/// dropped by counting only the last `runs` of each node's events).
pub fn profile(
    runtime: &OrtRuntime,
    graph: &Path,
    inputs: &ModelInputs,
    threads: usize,
    runs: usize,
    out_prefix: &Path,
) -> Result<(Vec<OpTime>, std::path::PathBuf)> {
    let mut session = session(runtime, threads, Some(out_prefix), Model::File(graph))
        .with_context(|| format!("cannot load {}", graph.display()))?;
    let names = GraphNames::default();
    let warmup = 10;
    for _ in 0..warmup + runs {
        let values = inputs.values(&names)?;
        session.run(values)?;
    }
    let file = std::path::PathBuf::from(session.end_profiling()?);
    let events: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?,
    )?;
    // Per node: its kernel times in run order.
    let mut per_node: BTreeMap<String, (String, Vec<f64>)> = BTreeMap::new();
    for e in events.as_array().into_iter().flatten() {
        if e["cat"] != "Node" {
            continue;
        }
        let Some(name) = e["name"]
            .as_str()
            .and_then(|n| n.strip_suffix("_kernel_time"))
        else {
            continue;
        };
        let op = e["args"]["op_name"].as_str().unwrap_or("?").to_owned();
        let dur = e["dur"].as_f64().unwrap_or(0.0);
        per_node
            .entry(name.to_owned())
            .or_insert_with(|| (op, Vec::new()))
            .1
            .push(dur);
    }
    let mut by_op: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for (op, durations) in per_node.values() {
        let last = &durations[durations.len().saturating_sub(runs)..];
        let entry = by_op.entry(op.clone()).or_default();
        entry.0 += 1;
        entry.1 += last.iter().sum::<f64>() / runs.max(1) as f64;
    }
    let total: f64 = by_op.values().map(|v| v.1).sum::<f64>().max(1e-9);
    let mut ops: Vec<OpTime> = by_op
        .into_iter()
        .map(|(op_type, (nodes, us))| OpTime {
            op_type,
            nodes,
            us_per_run: us,
            share: us / total,
        })
        .collect();
    ops.sort_by(|a, b| b.us_per_run.total_cmp(&a.us_per_run));
    Ok((ops, file))
}
