//! Structural checks run on every graph before it is written: a failure is an exporter bug, and
//! catching it here gives a precise message instead of an ONNX Runtime load error.
//!
//! Checked: node names are unique; every value has one producer; nodes are in topological order
//! (every input is a graph input, an initializer or an earlier node's output); every initializer
//! and every node output is used; every graph output is produced; inline initializers hold
//! exactly as many bytes as their shape says.

use std::collections::{HashMap, HashSet};

use crate::pb::{tensor_proto::DataType, GraphProto};

/// The first structural problem of `graph`, if any.
pub fn check_graph(graph: &GraphProto) -> Result<(), String> {
    let mut produced: HashSet<&str> = HashSet::new();
    let mut defined: HashSet<String> = HashSet::new();
    let define = |defined: &mut HashSet<String>, name: &str, what: &str| -> Result<(), String> {
        if name.is_empty() {
            return Err(format!("{what} has an empty name"));
        }
        if !defined.insert(name.to_owned()) {
            return Err(format!("value {name:?} is defined twice (again by {what})"));
        }
        Ok(())
    };
    for input in &graph.input {
        define(&mut defined, input.name(), "a graph input")?;
    }
    for init in &graph.initializer {
        define(&mut defined, init.name(), "an initializer")?;
        if init.raw_data.is_some() {
            let elems: i64 = init.dims.iter().product();
            let width = match DataType::try_from(init.data_type()) {
                Ok(DataType::Float | DataType::Int32) => 4,
                Ok(DataType::Int64) => 8,
                Ok(DataType::Float16) => 2,
                Ok(DataType::Int8 | DataType::Uint8) => 1,
                _ => {
                    return Err(format!(
                        "initializer {:?} has an unexpected type",
                        init.name()
                    ))
                }
            };
            if init.raw_data().len() as i64 != elems * width {
                return Err(format!(
                    "initializer {:?} holds {} bytes for shape {:?}",
                    init.name(),
                    init.raw_data().len(),
                    init.dims
                ));
            }
        }
    }
    let mut node_names = HashSet::new();
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for node in &graph.node {
        if !node_names.insert(node.name()) {
            return Err(format!("node name {:?} is used twice", node.name()));
        }
        for input in node.input.iter().filter(|i| !i.is_empty()) {
            if !defined.contains(input.as_str()) {
                return Err(format!(
                    "node {:?} reads {input:?} before anything produces it",
                    node.name()
                ));
            }
            *uses.entry(input.as_str()).or_default() += 1;
        }
        for output in &node.output {
            define(&mut defined, output, &format!("node {:?}", node.name()))?;
            produced.insert(output.as_str());
        }
    }
    for output in &graph.output {
        if !produced.contains(output.name()) {
            return Err(format!(
                "graph output {:?} is not produced by any node",
                output.name()
            ));
        }
        *uses.entry(output.name()).or_default() += 1;
    }
    for init in &graph.initializer {
        if !uses.contains_key(init.name()) {
            return Err(format!("initializer {:?} is unused", init.name()));
        }
    }
    for node in &graph.node {
        for output in &node.output {
            if !uses.contains_key(output.as_str()) {
                return Err(format!(
                    "output {output:?} of node {:?} is unused",
                    node.name()
                ));
            }
        }
    }
    Ok(())
}
