//! `GraphBuilder`: the only way the exporter makes ONNX graphs.
//!
//! It hands out unique, scoped names (node `interaction_2/gru_e/r` writes the value of the same
//! name, so Netron shows the layer structure), adds each weight initializer on first use only (so
//! no graph carries an unused initializer), and keeps small constants inline while weights point
//! into the shared external-data file ([`WeightFile`]). A builder made with
//! [`GraphBuilder::float16`] writes every float weight and constant in float16 ([`crate::fp16`]).

use std::collections::{HashMap, HashSet};

use crate::external::WeightFile;
use crate::fp16;
use crate::pb::{
    attribute_proto::AttributeType, tensor_proto::DataType, tensor_shape_proto, type_proto,
    AttributeProto, GraphProto, NodeProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};

/// One dimension of a graph input or output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A dynamic size, named (`"batch"`, `"seq"`).
    Named(&'static str),
}

/// A node attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    /// `INT`.
    Int(i64),
    /// `INTS`.
    Ints(Vec<i64>),
    /// `FLOAT`.
    Float(f32),
    /// `STRING`.
    Str(&'static str),
}

impl Attr {
    fn to_proto(&self, name: &str) -> AttributeProto {
        let mut a = AttributeProto {
            name: Some(name.to_owned()),
            ..Default::default()
        };
        match self {
            Attr::Int(v) => {
                a.r#type = Some(AttributeType::Int as i32);
                a.i = Some(*v);
            }
            Attr::Ints(v) => {
                a.r#type = Some(AttributeType::Ints as i32);
                a.ints = v.clone();
            }
            Attr::Float(v) => {
                a.r#type = Some(AttributeType::Float as i32);
                a.f = Some(*v);
            }
            Attr::Str(v) => {
                a.r#type = Some(AttributeType::String as i32);
                a.s = Some(v.as_bytes().to_vec());
            }
        }
        a
    }
}

/// Builds one ONNX `GraphProto`.
#[derive(Debug)]
pub struct GraphBuilder<'w> {
    name: String,
    weights: &'w WeightFile,
    /// Float weights and constants in float16 (the weights' float16 copies), else float32.
    half: bool,
    scope: Vec<String>,
    nodes: Vec<NodeProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    initializers: Vec<TensorProto>,
    /// Inline constants by name, to reuse one initializer for equal constants.
    constants: HashMap<String, TensorProto>,
    /// Every value name handed out (inputs, initializers, node outputs).
    values: HashSet<String>,
    node_names: HashSet<String>,
}

impl<'w> GraphBuilder<'w> {
    /// An empty graph called `name` whose weights live in `weights`.
    pub fn new(name: impl Into<String>, weights: &'w WeightFile) -> Self {
        GraphBuilder {
            name: name.into(),
            weights,
            half: false,
            scope: Vec::new(),
            nodes: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            initializers: Vec::new(),
            constants: HashMap::new(),
            values: HashSet::new(),
            node_names: HashSet::new(),
        }
    }

    /// An empty graph like [`GraphBuilder::new`] whose float weights are the weight file's float16
    /// copies ([`fp16::half_name`], named as the float32 weight) and whose float constants are
    /// float16.
    pub fn float16(name: impl Into<String>, weights: &'w WeightFile) -> Self {
        GraphBuilder {
            half: true,
            ..Self::new(name, weights)
        }
    }

    /// The element type of float weights and constants: float16 or float32.
    pub fn float_type(&self) -> DataType {
        if self.half {
            DataType::Float16
        } else {
            DataType::Float
        }
    }

    /// Where float weight `name` is in the weight file: its float16 copy in a float16 graph.
    fn stored_name(&self, name: &str) -> String {
        let half = fp16::half_name(name);
        // A float32 graph reads the float16 copy where the file keeps only that one (the word
        // table of `--word-table fp16` beside fp16 graphs: one copy, not two).
        if self.half
            || (self.weights.elem_type(name).is_none() && self.weights.elem_type(&half).is_some())
        {
            half
        } else {
            name.to_owned()
        }
    }

    /// Runs `f` with `part` appended to the name scope (`interaction_2` then `gru_e`).
    pub fn scoped<T>(&mut self, part: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.scope.push(part.to_owned());
        let out = f(self);
        self.scope.pop();
        out
    }

    fn scoped_name(&self, label: &str) -> String {
        if self.scope.is_empty() {
            label.to_owned()
        } else {
            format!("{}/{label}", self.scope.join("/"))
        }
    }

    /// `base`, else `base_1`, `base_2`, ...: the first that `taken` does not hold. Node names and
    /// value names are separate namespaces, so a node and its output share one name.
    fn fresh(taken: &HashSet<String>, base: String) -> String {
        if !taken.contains(&base) {
            return base;
        }
        (1..)
            .map(|i| format!("{base}_{i}"))
            .find(|n| !taken.contains(n))
            .expect("an unused suffix exists")
    }

    /// Declares a graph input.
    pub fn input(&mut self, name: &str, elem: DataType, dims: &[Dim]) -> String {
        assert!(
            self.values.insert(name.to_owned()),
            "duplicate input {name}"
        );
        self.inputs.push(value_info(name, elem, dims));
        name.to_owned()
    }

    /// Declares `value` (a node output) a graph output called `name`, renaming it everywhere.
    pub fn output(&mut self, value: &str, name: &str, elem: DataType, dims: &[Dim]) {
        assert!(!self.values.contains(name), "output name {name} is taken");
        for node in &mut self.nodes {
            for v in node.input.iter_mut().chain(node.output.iter_mut()) {
                if v == value {
                    *v = name.to_owned();
                }
            }
        }
        self.values.remove(value);
        self.values.insert(name.to_owned());
        self.outputs.push(value_info(name, elem, dims));
    }

    /// The float weight initializer `name` (ONNX layout, see `weights::names`), added on first
    /// use; in a float16 graph, its float16 copy under the same initializer name.
    ///
    /// # Panics
    /// When the weight file has no such tensor: the graph builder and the weight conversion are
    /// out of step, a bug.
    pub fn weight(&mut self, name: &str) -> String {
        let stored = self.stored_name(name);
        self.stored_weight(name, &stored)
    }

    fn stored_weight(&mut self, name: &str, stored: &str) -> String {
        if !self.values.contains(name) {
            let mut tensor = self
                .weights
                .tensor_proto(stored)
                .unwrap_or_else(|| panic!("weight {stored} is not in the weight file"));
            tensor.name = Some(name.to_owned());
            self.values.insert(name.to_owned());
            self.initializers.push(tensor);
        }
        name.to_owned()
    }

    /// The dimensions of weight `name`.
    ///
    /// # Panics
    /// As [`GraphBuilder::weight`].
    pub fn weight_dims(&self, name: &str) -> Vec<usize> {
        let stored = self.stored_name(name);
        self.weights
            .dims(&stored)
            .unwrap_or_else(|| panic!("weight {stored} is not in the weight file"))
            .to_vec()
    }

    /// The element type of weight `name`.
    ///
    /// # Panics
    /// As [`GraphBuilder::weight`].
    pub fn weight_type(&self, name: &str) -> DataType {
        let stored = self.stored_name(name);
        self.weights
            .elem_type(&stored)
            .unwrap_or_else(|| panic!("weight {stored} is not in the weight file"))
    }

    /// An inline int64 constant called `const/{label}`, shared by every node that asks for it.
    pub fn const_i64(&mut self, label: &str, dims: &[i64], values: &[i64]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.constant(label, DataType::Int64, dims, raw)
    }

    /// An inline float constant called `const/{label}`: float32, or float16 in a float16 graph
    /// (saturating, [`fp16::to_f16`]).
    pub fn const_float(&mut self, label: &str, dims: &[i64], values: &[f32]) -> String {
        let raw = if self.half {
            fp16::f16_bytes(values)
        } else {
            values.iter().flat_map(|v| v.to_le_bytes()).collect()
        };
        self.constant(label, self.float_type(), dims, raw)
    }

    /// An inline int8 constant called `const/{label}`.
    pub fn const_i8(&mut self, label: &str, dims: &[i64], values: &[i8]) -> String {
        self.constant(
            label,
            DataType::Int8,
            dims,
            values.iter().map(|&v| v as u8).collect(),
        )
    }

    fn constant(&mut self, label: &str, elem: DataType, dims: &[i64], raw: Vec<u8>) -> String {
        let name = format!("const/{label}");
        let tensor = TensorProto {
            name: Some(name.clone()),
            dims: dims.to_vec(),
            data_type: Some(elem as i32),
            raw_data: Some(raw),
            ..Default::default()
        };
        match self.constants.get(&name) {
            Some(existing) => assert_eq!(
                existing, &tensor,
                "constant {name} defined twice, differently"
            ),
            None => {
                assert!(
                    self.values.insert(name.clone()),
                    "constant name {name} is taken"
                );
                self.constants.insert(name.clone(), tensor.clone());
                self.initializers.push(tensor);
            }
        }
        name
    }

    /// Adds a node `op` called `{scope}/{label}` whose outputs are `{scope}/{output label}`.
    /// An empty input name is an omitted optional input. Returns the output value names.
    pub fn node(
        &mut self,
        op: &str,
        label: &str,
        inputs: &[&str],
        outputs: &[&str],
        attributes: &[(&str, Attr)],
    ) -> Vec<String> {
        let node_name = Self::fresh(&self.node_names, self.scoped_name(label));
        self.node_names.insert(node_name.clone());
        let outputs: Vec<String> = outputs
            .iter()
            .map(|o| {
                let v = Self::fresh(&self.values, self.scoped_name(o));
                self.values.insert(v.clone());
                v
            })
            .collect();
        self.nodes.push(NodeProto {
            name: Some(node_name),
            op_type: Some(op.to_owned()),
            input: inputs.iter().map(|s| (*s).to_owned()).collect(),
            output: outputs.clone(),
            attribute: attributes.iter().map(|(n, a)| a.to_proto(n)).collect(),
            ..Default::default()
        });
        outputs
    }

    /// A single-output node whose output is named like the node.
    pub fn op(
        &mut self,
        op: &str,
        label: &str,
        inputs: &[&str],
        attributes: &[(&str, Attr)],
    ) -> String {
        self.node(op, label, inputs, &[label], attributes).remove(0)
    }

    /// The finished graph.
    pub fn finish(self) -> GraphProto {
        GraphProto {
            name: Some(self.name),
            node: self.nodes,
            initializer: self.initializers,
            input: self.inputs,
            output: self.outputs,
            ..Default::default()
        }
    }
}

/// A tensor `ValueInfoProto`.
pub fn value_info(name: &str, elem: DataType, dims: &[Dim]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                Dim::Fixed(v) => tensor_shape_proto::dimension::Value::DimValue(*v),
                Dim::Named(p) => tensor_shape_proto::dimension::Value::DimParam((*p).to_owned()),
            }),
            ..Default::default()
        })
        .collect();
    ValueInfoProto {
        name: Some(name.to_owned()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(elem as i32),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}
