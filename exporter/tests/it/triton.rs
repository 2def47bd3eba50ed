//! `rin_exporter::triton`: the repository layout, and each `config.pbtxt` checked against the
//! fields Triton documents (model_configuration.md) and against the graph it describes. Triton
//! itself cannot run here; rin-runtime's tests load the repository's graphs in ONNX Runtime.

use std::collections::BTreeMap;
use std::path::Path;

use prost::Message;
use rin_exporter::fixture::FixtureSpec;
use rin_exporter::pb::{tensor_proto::DataType, type_proto, ModelProto};
use rin_exporter::triton::{self, InstanceKind, TritonOptions, WeightsPlacement};
use rin_exporter::{ExportOptions, ManifestFile};

use crate::util::Fixture;

/// A protobuf text-format value: a scalar (kept as written), a message, or a list.
#[derive(Debug, Clone, PartialEq)]
enum Pb {
    Scalar(String),
    Message(BTreeMap<String, Vec<Pb>>),
    List(Vec<Pb>),
}

impl Pb {
    fn fields(&self) -> &BTreeMap<String, Vec<Pb>> {
        match self {
            Pb::Message(m) => m,
            other => panic!("not a message: {other:?}"),
        }
    }

    /// The single value of field `name`.
    fn get(&self, name: &str) -> &Pb {
        let values = self
            .fields()
            .get(name)
            .unwrap_or_else(|| panic!("no field {name} in {self:?}"));
        assert_eq!(values.len(), 1, "field {name} repeated");
        &values[0]
    }

    /// Every value of a repeated field, whether written `f [a, b]` or `f a f b`.
    fn all(&self, name: &str) -> Vec<&Pb> {
        let mut out = Vec::new();
        for value in self.fields().get(name).into_iter().flatten() {
            match value {
                Pb::List(items) => out.extend(items),
                other => out.push(other),
            }
        }
        out
    }

    fn scalar(&self) -> &str {
        match self {
            Pb::Scalar(s) => s,
            other => panic!("not a scalar: {other:?}"),
        }
    }

    fn string(&self) -> &str {
        let s = self.scalar();
        assert!(s.starts_with('"') && s.ends_with('"'), "not a string: {s}");
        &s[1..s.len() - 1]
    }

    fn int(&self) -> i64 {
        self.scalar().parse().unwrap()
    }

    fn ints(&self, name: &str) -> Vec<i64> {
        self.all(name).iter().map(|v| v.int()).collect()
    }
}

/// A small parser for the protobuf text format as Triton's configs use it: `name: value`,
/// `name { ... }`, `name: { ... }`, lists `[ ... ]`, `#` comments, fields separated by
/// whitespace or commas.
fn parse_pbtxt(text: &str) -> Pb {
    let tokens = tokenize(text);
    let mut pos = 0;
    let message = parse_fields(&tokens, &mut pos, None);
    assert_eq!(pos, tokens.len(), "trailing tokens");
    message
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '#' => while chars.next().is_some_and(|c| c != '\n') {},
            c if c.is_whitespace() || c == ',' => {
                chars.next();
            }
            '{' | '}' | '[' | ']' | ':' => {
                tokens.push(c.to_string());
                chars.next();
            }
            '"' => {
                let mut s = String::from('"');
                chars.next();
                for c in chars.by_ref() {
                    s.push(c);
                    if c == '"' {
                        break;
                    }
                }
                tokens.push(s);
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "{}[]:,#\"".contains(c) {
                        break;
                    }
                    s.push(c);
                    chars.next();
                }
                tokens.push(s);
            }
        }
    }
    tokens
}

fn parse_fields(tokens: &[String], pos: &mut usize, close: Option<&str>) -> Pb {
    let mut fields: BTreeMap<String, Vec<Pb>> = BTreeMap::new();
    while *pos < tokens.len() {
        if Some(tokens[*pos].as_str()) == close {
            *pos += 1;
            return Pb::Message(fields);
        }
        let name = tokens[*pos].clone();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad field name {name:?}"
        );
        *pos += 1;
        if tokens[*pos] == ":" {
            *pos += 1;
        }
        let value = parse_value(tokens, pos);
        fields.entry(name).or_default().push(value);
    }
    assert!(close.is_none(), "unclosed message");
    Pb::Message(fields)
}

fn parse_value(tokens: &[String], pos: &mut usize) -> Pb {
    let token = tokens[*pos].clone();
    *pos += 1;
    match token.as_str() {
        "{" => parse_fields(tokens, pos, Some("}")),
        "[" => {
            let mut items = Vec::new();
            while tokens[*pos] != "]" {
                items.push(parse_value(tokens, pos));
            }
            *pos += 1;
            Pb::List(items)
        }
        _ => Pb::Scalar(token),
    }
}

/// The field names Triton's `ModelConfig`, `ModelInput`, `ModelOutput`, `ModelDynamicBatching`
/// and `ModelInstanceGroup` define, for the fields written here.
const MODEL_CONFIG_FIELDS: [&str; 7] = [
    "name",
    "platform",
    "max_batch_size",
    "input",
    "output",
    "dynamic_batching",
    "instance_group",
];
const TENSOR_FIELDS: [&str; 4] = ["name", "data_type", "dims", "reshape"];
/// Triton's `DataType` enum.
const TRITON_TYPES: [&str; 14] = [
    "TYPE_BOOL",
    "TYPE_UINT8",
    "TYPE_UINT16",
    "TYPE_UINT32",
    "TYPE_UINT64",
    "TYPE_INT8",
    "TYPE_INT16",
    "TYPE_INT32",
    "TYPE_INT64",
    "TYPE_FP16",
    "TYPE_FP32",
    "TYPE_FP64",
    "TYPE_STRING",
    "TYPE_BF16",
];

/// `(name, Triton type, dims with -1 for dynamic)` of each graph input or output.
fn graph_tensors(values: &[rin_exporter::pb::ValueInfoProto]) -> Vec<(String, String, Vec<i64>)> {
    values
        .iter()
        .map(|v| {
            let Some(type_proto::Value::TensorType(t)) = &v.r#type.as_ref().unwrap().value else {
                panic!("not a tensor")
            };
            let dtype = match t.elem_type() {
                x if x == DataType::Int64 as i32 => "TYPE_INT64",
                x if x == DataType::Int32 as i32 => "TYPE_INT32",
                x if x == DataType::Float as i32 => "TYPE_FP32",
                other => panic!("unexpected element type {other}"),
            };
            let dims = t
                .shape
                .as_ref()
                .unwrap()
                .dim
                .iter()
                .map(|d| match d.value.as_ref().unwrap() {
                    rin_exporter::pb::tensor_shape_proto::dimension::Value::DimValue(v) => *v,
                    rin_exporter::pb::tensor_shape_proto::dimension::Value::DimParam(_) => -1,
                })
                .collect();
            (v.name().to_owned(), dtype.to_owned(), dims)
        })
        .collect()
}

/// Checks `config` against Triton's rules and against `graph` (the model it configures).
fn check_config(config: &Pb, graph: &ModelProto, name: &str, options: &TritonOptions) {
    for field in config.fields().keys() {
        assert!(
            MODEL_CONFIG_FIELDS.contains(&field.as_str()),
            "unknown ModelConfig field {field}"
        );
    }
    assert_eq!(config.get("name").string(), name);
    assert_eq!(config.get("platform").string(), "onnxruntime_onnx");
    let max_batch = config.get("max_batch_size").int();
    assert_eq!(max_batch, options.max_batch_size as i64);
    assert!(max_batch > 0);
    let graph = graph.graph.as_ref().unwrap();
    for (section, values) in [("input", &graph.input), ("output", &graph.output)] {
        let expected = graph_tensors(values);
        let entries = config.all(section);
        assert_eq!(entries.len(), expected.len(), "{section} count");
        for (entry, (graph_name, graph_type, graph_dims)) in entries.iter().zip(&expected) {
            for field in entry.fields().keys() {
                assert!(
                    TENSOR_FIELDS.contains(&field.as_str()),
                    "unknown field {field}"
                );
            }
            assert_eq!(entry.get("name").string(), graph_name);
            let dtype = entry.get("data_type").scalar();
            assert!(TRITON_TYPES.contains(&dtype), "{dtype}");
            assert_eq!(dtype, graph_type, "{graph_name}");
            // With max_batch_size > 0 the dims leave out the graph's first (batch) dimension.
            assert_eq!(
                graph_dims[0], -1,
                "{graph_name}: batch is dynamic in the graph"
            );
            let dims = entry.ints("dims");
            assert!(
                !dims.is_empty(),
                "{graph_name}: Triton needs at least one dim"
            );
            assert!(dims.iter().all(|&d| d == -1 || d > 0), "{dims:?}");
            let per_request: Vec<i64> = graph_dims[1..].to_vec();
            match entry.fields().get("reshape") {
                // A graph tensor of shape [batch] alone: dims [1], reshaped to [].
                Some(_) => {
                    assert_eq!(dims, [1]);
                    let reshape = entry.get("reshape");
                    assert!(reshape.ints("shape").is_empty());
                    assert!(per_request.is_empty());
                }
                None => assert_eq!(dims, per_request, "{graph_name}"),
            }
        }
    }
    let batching = config.get("dynamic_batching");
    assert_eq!(
        batching.get("max_queue_delay_microseconds").int(),
        options.max_queue_delay_us as i64
    );
    let groups = config.all("instance_group");
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].get("count").int(), options.instances as i64);
    assert_eq!(
        groups[0].get("kind").scalar(),
        options.instance_kind.as_str()
    );
}

fn export_repo(fixture: &Fixture, ks: Vec<usize>, options: &TritonOptions) -> triton::TritonReport {
    let export_options = ExportOptions {
        ks,
        ..Default::default()
    };
    triton::export_triton(&fixture.ckpt(), &fixture.out(), &export_options, options).unwrap()
}

#[test]
fn the_repository_has_one_model_per_k_with_config_graph_weights_and_manifest() {
    let fixture = Fixture::tiny();
    let options = TritonOptions::default();
    let report = export_repo(&fixture, vec![0, 1, 2], &options);
    let out = fixture.out();
    assert_eq!(report.models.len(), 3);
    let mut entries: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, ["rin_k0", "rin_k1", "rin_k2"], "no staging left");
    for (k, model) in report.models.iter().enumerate() {
        assert_eq!(model.k, k);
        let dir = out.join(format!("rin_k{k}"));
        assert_eq!(model.dir, dir);
        for file in [
            "config.pbtxt",
            "manifest.json",
            "1/model.onnx",
            "1/weights.bin",
        ] {
            assert!(dir.join(file).is_file(), "{file}");
        }
        // The graph's external data points at weights.bin next to it.
        let bytes = std::fs::read(dir.join("1/model.onnx")).unwrap();
        let graph = ModelProto::decode(bytes.as_slice()).unwrap();
        let locations: std::collections::BTreeSet<String> = graph
            .graph
            .as_ref()
            .unwrap()
            .initializer
            .iter()
            .flat_map(|t| &t.external_data)
            .filter(|kv| kv.key() == "location")
            .map(|kv| kv.value().to_owned())
            .collect();
        assert_eq!(
            locations.into_iter().collect::<Vec<_>>(),
            ["weights.bin"],
            "K = {k}"
        );
        // The folder's manifest is a rin manifest for this K, with paths into 1/.
        let manifest: ManifestFile =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest.manifest.exported_k, [k]);
        assert_eq!(manifest.manifest.graphs.len(), 1);
        assert_eq!(manifest.manifest.graphs[0].file, "1/model.onnx");
        assert_eq!(manifest.manifest.onnx.weights_file, "1/weights.bin");
        for file in &manifest.files {
            let data = std::fs::read(dir.join(&file.path)).unwrap();
            assert_eq!(data.len() as u64, file.bytes, "{}", file.path);
            assert_eq!(
                rin_exporter::export::sha256_hex(&data),
                file.sha256,
                "{}",
                file.path
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn weights_are_hard_links_to_one_file() {
    use std::os::unix::fs::MetadataExt;
    let fixture = Fixture::tiny();
    let report = export_repo(&fixture, vec![0, 2], &TritonOptions::default());
    assert_eq!(report.weights, WeightsPlacement::HardLinked);
    let inode = |k: usize| {
        std::fs::metadata(fixture.out().join(format!("rin_k{k}/1/weights.bin")))
            .unwrap()
            .ino()
    };
    assert_eq!(inode(0), inode(2));
    // Exporting again over the same repository replaces the files.
    let again = export_repo(&fixture, vec![0, 2], &TritonOptions::default());
    assert_eq!(again.models.len(), 2);
}

#[test]
fn configs_declare_what_triton_documents_and_match_the_graphs() {
    for (spec, options) in [
        (FixtureSpec::tiny(7), TritonOptions::default()),
        (
            FixtureSpec::tiny(11).without_pos(),
            TritonOptions {
                name: "rin-nopos".into(),
                max_batch_size: 8,
                max_queue_delay_us: 500,
                instances: 2,
                instance_kind: InstanceKind::Cpu,
            },
        ),
    ] {
        let fixture = Fixture::new(&spec);
        let report = export_repo(&fixture, vec![0, 1, 3], &options);
        for model in &report.models {
            let text = std::fs::read_to_string(model.dir.join("config.pbtxt")).unwrap();
            let config = parse_pbtxt(&text);
            let bytes = std::fs::read(model.dir.join("1/model.onnx")).unwrap();
            let graph = ModelProto::decode(bytes.as_slice()).unwrap();
            check_config(&config, &graph, &model.name, &options);
            assert_eq!(model.name, format!("{}_k{}", options.name, model.k));
            // The relation dimension is the model's.
            let relation = config
                .all("output")
                .into_iter()
                .find(|o| o.get("name").string() == "relation_probs")
                .unwrap()
                .ints("dims");
            assert_eq!(relation, [-1, -1, spec.relations.len() as i64]);
        }
    }
}

#[test]
fn the_pbtxt_reader_reads_triton_example_syntax() {
    // The model_configuration.md examples' syntax: `input [ { ... } ]`, `dims: [ 16 ]`,
    // `reshape: { shape: [ ] }`, `dynamic_batching { }`, repeated fields, comments.
    let config = parse_pbtxt(
        "# c\nname: \"m\"\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: 8\n\
         input [ { name: \"a\", data_type: TYPE_INT32, dims: [ 1 ], reshape: { shape: [ ] } } ]\n\
         output { name: \"b\" data_type: TYPE_FP32 dims: [ -1, 5 ] }\n\
         output { name: \"c\" data_type: TYPE_FP32 dims: [ 2 ] }\n\
         dynamic_batching { }\n",
    );
    assert_eq!(config.get("max_batch_size").int(), 8);
    assert_eq!(config.all("output").len(), 2);
    assert_eq!(config.all("output")[0].ints("dims"), [-1, 5]);
    assert!(config.all("input")[0]
        .get("reshape")
        .ints("shape")
        .is_empty());
}

#[test]
fn bad_settings_are_refused_before_anything_is_written() {
    let fixture = Fixture::tiny();
    for options in [
        TritonOptions {
            name: "a/b".into(),
            ..Default::default()
        },
        TritonOptions {
            max_batch_size: 0,
            ..Default::default()
        },
    ] {
        let err = triton::export_triton(
            &fixture.ckpt(),
            &fixture.out(),
            &ExportOptions::default(),
            &options,
        )
        .unwrap_err();
        assert!(err.to_string().contains("Triton model repository"), "{err}");
        assert!(!fixture.out().exists() || is_empty(&fixture.out()));
    }
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}
