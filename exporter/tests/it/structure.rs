//! The graphs' structure, read back with prost: interface, opset, names, op counts, external data.

use std::collections::BTreeMap;

use rin_exporter::check::check_graph;
use rin_exporter::fixture::FixtureSpec;
use rin_exporter::pb::{tensor_proto::DataLocation, type_proto, ModelProto};
use rin_exporter::{export, export::sha256_hex, ExportOptions, Interaction};

use crate::util::{read_file, read_model, Fixture};

fn op_counts(model: &ModelProto) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for node in &model.graph.as_ref().unwrap().node {
        *counts.entry(node.op_type().to_owned()).or_default() += 1;
    }
    counts
}

fn export_ks(fixture: &Fixture, ks: Vec<usize>) -> rin_exporter::ExportReport {
    export(
        &fixture.ckpt(),
        &fixture.out(),
        &ExportOptions {
            ks,
            ..Default::default()
        },
    )
    .unwrap()
}

/// `(elem_type, dims)` of a value info, dims as strings ("batch", "5").
fn signature(v: &rin_exporter::pb::ValueInfoProto) -> (i32, Vec<String>) {
    let Some(type_proto::Value::TensorType(t)) = &v.r#type.as_ref().unwrap().value else {
        panic!("not a tensor")
    };
    let dims = t
        .shape
        .as_ref()
        .unwrap()
        .dim
        .iter()
        .map(|d| match d.value.as_ref().unwrap() {
            rin_exporter::pb::tensor_shape_proto::dimension::Value::DimValue(v) => v.to_string(),
            rin_exporter::pb::tensor_shape_proto::dimension::Value::DimParam(p) => p.clone(),
        })
        .collect();
    (t.elem_type(), dims)
}

#[test]
fn every_k_has_the_interface_opset_and_checked_structure() {
    let fixture = Fixture::tiny();
    let report = export_ks(&fixture, (0..=4).collect());
    for k in 0..=4 {
        let model = read_model(&fixture.out(), k);
        assert_eq!(model.ir_version(), 8);
        assert_eq!(model.opset_import.len(), 1);
        assert_eq!(
            (
                model.opset_import[0].domain(),
                model.opset_import[0].version()
            ),
            ("", 17)
        );
        let graph = model.graph.as_ref().unwrap();
        check_graph(graph).unwrap();
        let inputs: Vec<_> = graph
            .input
            .iter()
            .map(|v| (v.name().to_owned(), signature(v)))
            .collect();
        let s = |v: &[&str]| v.iter().map(|d| (*d).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            inputs,
            vec![
                ("word_ids".to_owned(), (7, s(&["batch", "seq"]))),
                ("pos_ids".to_owned(), (7, s(&["batch", "seq"]))),
                ("lengths".to_owned(), (6, s(&["batch"]))),
            ]
        );
        let outputs: Vec<_> = graph
            .output
            .iter()
            .map(|v| (v.name().to_owned(), signature(v)))
            .collect();
        assert_eq!(
            outputs,
            vec![
                ("entity_probs".to_owned(), (1, s(&["batch", "seq", "5"]))),
                (
                    "relation_probs".to_owned(),
                    (1, s(&["batch", "seq", "seq", "3"]))
                ),
            ]
        );
        let meta: BTreeMap<_, _> = model
            .metadata_props
            .iter()
            .map(|p| (p.key(), p.value()))
            .collect();
        assert_eq!(meta["rin.k"], k.to_string());
        assert_eq!(meta["rin.trained_k"], "2");
        assert_eq!(meta["rin.exported_k"], "[0,1,2,3,4]");
        assert_eq!(
            meta["rin.relations"],
            r#"["born_in","located_in","part_of"]"#
        );
        assert_eq!(meta["rin.weights_sha256"], report.manifest.files[0].sha256);
        for key in [
            "rin.words",
            "rin.pos",
            "rin.tokenizer",
            "rin.threshold",
            "rin.embeddings",
            "rin.onnx",
            "rin.dev_f1",
        ] {
            assert!(meta.contains_key(key), "metadata lacks {key}");
        }
    }
}

#[test]
fn op_counts_follow_the_unrolling() {
    let fixture = Fixture::tiny();
    export_ks(&fixture, (0..=4).collect());
    for k in 0..=4usize {
        let ops = op_counts(&read_model(&fixture.out(), k));
        let c = |op: &str| ops.get(op).copied().unwrap_or(0);
        let total: usize = ops.values().sum();
        // Encoder, layer 0 and the relation head's extra channels; then the padding mask, each
        // middle layer, and the last layer (no residual sum).
        let expected_total = if k == 0 {
            27
        } else {
            27 + 7 + 51 * (k - 1) + 49
        };
        assert_eq!(total, expected_total, "K = {k}: {ops:?}");
        assert_eq!(c("LSTM"), 1);
        assert_eq!(c("Gather"), 2 + usize::from(k > 0));
        assert_eq!(c("Softmax"), k + 1);
        assert_eq!(c("Split"), 4 * k);
        assert_eq!(c("Tanh"), 2 * k);
        // One mask for every pooled layer; no n x n x R masking of its own.
        assert_eq!(c("Where"), usize::from(k > 0));
        assert_eq!(c("ReduceMax"), k);
        // Words with POS, the channel shape, and per relation head the two extended sides and
        // the extended output weights.
        assert_eq!(c("Concat"), 2 + 3 * (k + 1));
        assert_eq!(c("Expand"), 2);
        assert_eq!(c("Range"), usize::from(k > 0));
        // Pool + r and z of both cells per layer, and the output.
        assert_eq!(c("Sigmoid"), 5 * k + 1);
        assert_eq!(c("Relu"), k + 1);
        assert_eq!(c("MatMul"), 4 * (k + 1) + 4 * k);
    }
}

#[test]
fn node_names_show_the_layers() {
    let fixture = Fixture::tiny();
    export_ks(&fixture, vec![2]);
    let model = read_model(&fixture.out(), 2);
    let names: Vec<&str> = model
        .graph
        .as_ref()
        .unwrap()
        .node
        .iter()
        .map(|n| n.name())
        .collect();
    for expected in [
        "encoder/word_embedding/Gather",
        "encoder/pos_embedding/Gather",
        "encoder/lstm/LSTM",
        "layer_0/entity_head/probs",
        "layer_0/relation_head/pair",
        "relation_channels/object_mask",
        "relation_channels/subject_zero",
        "layer_0/relation_head/scores",
        "interaction_1/pool/max_logits",
        "interaction_1/gru_e/r",
        "interaction_1/gru_r/h_new",
        "interaction_1/residual/h",
        "interaction_2/gru_e/n",
        "interaction_2/entity_head/probs",
        "interaction_2/relation_head/probs",
    ] {
        assert!(names.contains(&expected), "no node {expected} in {names:?}");
    }
    // H^K feeds nothing, so the last layer has no residual sum.
    assert!(!names
        .iter()
        .any(|n| n.starts_with("interaction_2/residual")));
}

#[test]
fn weights_live_once_in_the_shared_file() {
    let fixture = Fixture::tiny();
    let report = export_ks(&fixture, (0..=4).collect());
    let weights = std::fs::read(fixture.out().join("weights.bin")).unwrap();
    let file_entry = &report.manifest.files[0];
    assert_eq!(file_entry.path, "weights.bin");
    assert_eq!(file_entry.sha256, sha256_hex(&weights));
    for k in 0..=4 {
        let model = read_model(&fixture.out(), k);
        let graph = model.graph.unwrap();
        for init in &graph.initializer {
            if init.name().starts_with("const/") {
                assert!(init.raw_data.is_some() && init.external_data.is_empty());
                continue;
            }
            assert_eq!(init.data_location(), DataLocation::External);
            let kv: BTreeMap<_, _> = init
                .external_data
                .iter()
                .map(|e| (e.key(), e.value()))
                .collect();
            assert_eq!(kv["location"], "weights.bin");
            let (offset, length): (usize, usize) =
                (kv["offset"].parse().unwrap(), kv["length"].parse().unwrap());
            assert_eq!(offset % 64, 0);
            assert!(offset + length <= weights.len());
            assert_eq!(length, 4 * init.dims.iter().product::<i64>() as usize);
        }
        let has_gru = graph
            .initializer
            .iter()
            .any(|i| i.name().starts_with("gru_"));
        assert_eq!(has_gru, k > 0, "K = {k}: GRU weights only where used");
    }
    // The file is the same whichever Ks are exported.
    let other = Fixture::tiny();
    export_ks(&other, vec![1]);
    assert_eq!(
        std::fs::read(other.out().join("weights.bin")).unwrap(),
        weights
    );
}

#[test]
fn manifest_lists_every_file_with_its_hash() {
    let fixture = Fixture::tiny();
    let report = export_ks(&fixture, vec![2, 0]);
    let text = std::fs::read_to_string(fixture.out().join("manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["format"], "rin-onnx-export");
    assert_eq!(json["exported_k"], serde_json::json!([0, 2]));
    assert_eq!(json["trained_k"], 2);
    assert_eq!(json["onnx"]["opset"], 17);
    assert_eq!(json["tags"], serde_json::json!(["O", "B", "I", "E", "S"]));
    assert_eq!(json["pos"]["tagset"], "penn-treebank");
    assert_eq!(
        json["graphs"][1],
        serde_json::json!({"k": 2, "file": "model_k2.onnx", "trained": true, "precision": "fp32"})
    );
    assert_eq!(json["graphs"][0]["trained"], false);
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for f in files {
        let bytes = std::fs::read(fixture.out().join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(f["sha256"], sha256_hex(&bytes));
        assert_eq!(f["bytes"], bytes.len());
    }
    assert_eq!(
        report.manifest.manifest.source.weights_sha256,
        sha256_hex(&std::fs::read(fixture.ckpt().join("model.safetensors")).unwrap())
    );
    assert!(
        json["source"].get("averaged").is_none(),
        "{}",
        json["source"]
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(fixture.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn default_k_is_the_trained_k() {
    let fixture = Fixture::tiny();
    let report = export_ks(&fixture, vec![]);
    assert_eq!(report.manifest.manifest.exported_k, vec![2]);
    assert!(fixture.out().join("model_k2.onnx").is_file());
}

#[test]
fn ablations_change_the_graph() {
    // w/o POS: no POS table, no Concat; pos_ids stays an input (uniform interface) but is unread.
    let fixture = Fixture::new(&FixtureSpec::tiny(3).without_pos());
    export_ks(&fixture, vec![1]);
    let model = read_model(&fixture.out(), 1);
    let ops = op_counts(&model);
    // No word-and-POS Concat: only the channel shape and the relation heads' (3 per layer).
    assert_eq!(ops.get("Concat"), Some(&(1 + 3 * 2)));
    let graph = model.graph.unwrap();
    assert!(!graph
        .initializer
        .iter()
        .any(|i| i.name() == "pos_embedding.weight"));
    assert!(!graph
        .node
        .iter()
        .any(|n| n.input.iter().any(|i| i == "pos_ids")));
    assert_eq!(graph.input[1].name(), "pos_ids");

    for (interaction, reads) in [
        (Interaction::NoEr, "interaction_1/gru_r/h_new"),
        (Interaction::NoRc, "interaction_1/gru_e/h_new"),
    ] {
        let mut spec = FixtureSpec::tiny(3);
        spec.config.interaction = interaction;
        let fixture = Fixture::new(&spec);
        export_ks(&fixture, vec![2]);
        let graph = read_model(&fixture.out(), 2).graph.unwrap();
        let residual: Vec<_> = graph
            .node
            .iter()
            .filter(|n| n.name().starts_with("interaction_1/residual"))
            .collect();
        assert_eq!(residual.len(), 1, "{interaction:?}");
        assert_eq!(
            residual[0].input,
            vec!["encoder/lstm/h0".to_owned(), reads.to_owned()]
        );
    }
}

#[test]
fn int8_graphs_quantize_every_product_but_the_lstm_and_pass_the_checks() {
    use rin_exporter::manifest::Precision;
    use rin_exporter::pb::tensor_proto::DataType;
    let fp32 = Fixture::tiny();
    let fp32_report = export_ks(&fp32, (0..=4).collect());
    let int8 = Fixture::tiny();
    let report = export(
        &int8.ckpt(),
        &int8.out(),
        &ExportOptions {
            ks: (0..=4).collect(),
            precisions: vec![Precision::Int8],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(report.manifest.manifest.precision, Precision::Int8);
    assert_eq!(fp32_report.manifest.manifest.precision, Precision::Fp32);
    // The 8-bit W_r^T (1 byte a value) replaces the float32 one (4 bytes).
    assert!(report.manifest.files[0].bytes < fp32_report.manifest.files[0].bytes);
    for k in 0..=4 {
        let model = read_file(&int8.out().join(format!("model_k{k}_int8.onnx")));
        let graph = model.graph.as_ref().unwrap();
        check_graph(graph).unwrap();
        let ops = op_counts(&model);
        // Every product but the LSTM's in 8 bits: per layer the entity head and the relation
        // head's subject, object and pair products (4), per interaction layer the two GRUs'
        // input and hidden products too (4 more); no float MatMul is left.
        assert_eq!(ops.get("MatMulInteger"), Some(&(4 + 8 * k)), "K = {k}");
        assert_eq!(
            ops.get("DynamicQuantizeLinear"),
            Some(&(4 + 8 * k)),
            "K = {k}"
        );
        assert_eq!(ops.get("MatMul"), None, "K = {k}");
        let init = |name: &str| graph.initializer.iter().find(|t| t.name() == name);
        let q = init("relation_head.output.weight_t.quantized");
        assert_eq!(
            q.map(|t| t.data_type()),
            Some(DataType::Int8 as i32),
            "{:?}",
            graph
                .initializer
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
        );
        assert_eq!(q.unwrap().data_location(), DataLocation::External);
        assert!(init("relation_head.output.weight_t").is_none());
        // (A K = 0 graph has no GRU.)
        let quantized = rin_exporter::export::quantized_weights();
        for name in quantized.iter().filter(|n| k > 0 || !n.starts_with("gru")) {
            assert!(init(name).is_none(), "{name} is stored in 8 bits only");
            assert!(init(&format!("{name}.quantized")).is_some(), "{name}");
        }
        // The fp32 graph has no integer ops.
        let ops = op_counts(&read_model(&fp32.out(), k));
        assert!(!ops.contains_key("MatMulInteger"));
    }
}

/// fp16 graphs: every float initializer is float16 (the weights' float16 copies, the float32
/// weights left out of an fp16-only folder's file), a Cast to float32 before the output softmax
/// and sigmoid, float32 outputs; the padding mask saturates instead of overflowing to infinity.
#[test]
fn fp16_graphs_hold_float16_weights_and_return_float32() {
    use rin_exporter::manifest::Precision;
    use rin_exporter::pb::tensor_proto::DataType;
    let fp32 = Fixture::tiny();
    let fp32_report = export_ks(&fp32, vec![0, 2]);
    let half = Fixture::tiny();
    let report = export(
        &half.ckpt(),
        &half.out(),
        &ExportOptions {
            ks: vec![0, 2],
            precisions: vec![Precision::Fp16],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(report.manifest.manifest.precision, Precision::Fp16);
    // Two bytes a value instead of four (each tensor's 64-byte alignment aside).
    let (bytes16, bytes32) = (
        report.manifest.files[0].bytes,
        fp32_report.manifest.files[0].bytes,
    );
    assert!(bytes16 < bytes32, "{bytes16} vs {bytes32}");
    for k in [0, 2] {
        let model = read_file(&half.out().join(format!("model_k{k}_fp16.onnx")));
        let graph = model.graph.as_ref().unwrap();
        check_graph(graph).unwrap();
        let fp32_model = read_model(&fp32.out(), k);
        let fp32_graph = fp32_model.graph.as_ref().unwrap();
        // The same initializers, every float one now float16.
        let types = |g: &rin_exporter::pb::GraphProto| {
            g.initializer
                .iter()
                .map(|t| (t.name().to_owned(), t.data_type()))
                .collect::<Vec<_>>()
        };
        let expected: Vec<(String, i32)> = types(fp32_graph)
            .into_iter()
            .map(|(name, ty)| {
                let ty = if ty == DataType::Float as i32 {
                    DataType::Float16 as i32
                } else {
                    ty
                };
                (name, ty)
            })
            .collect();
        assert_eq!(types(graph), expected, "K = {k}");
        let mask = graph
            .initializer
            .iter()
            .find(|t| t.name() == "const/padded_value");
        // Pooled layers (K > 0) mask padded objects with 1e30, saturated to 65504.
        assert_eq!(
            mask.map(|m| m.raw_data().to_vec()),
            (k > 0).then(|| vec![0xff, 0x7b]),
            "K = {k}"
        );
        // Two Casts to float32, feeding the output softmax and sigmoid; outputs float32.
        let casts: Vec<&str> = graph
            .node
            .iter()
            .filter(|n| n.op_type() == "Cast")
            .filter(|n| n.attribute[0].i == Some(DataType::Float as i64))
            .map(|n| n.output[0].as_str())
            .collect();
        assert_eq!(casts.len(), 2, "K = {k}");
        for cast in casts {
            let reader = graph.node.iter().find(|n| n.input[0] == cast).unwrap();
            assert!(
                ["Softmax", "Sigmoid"].contains(&reader.op_type())
                    && graph.output.iter().any(|o| o.name() == reader.output[0]),
                "{reader:?}"
            );
        }
        assert_eq!(graph.output, fp32_graph.output);
    }
}

/// `precisions: [Int8, Fp32]`: one folder, one weights file holding the float32 `W_r^T` and its
/// 8-bit form, fp32 graphs under the usual names (the default), int8 ones with a suffix, each
/// graph's precision in the manifest and in its `rin.precision` metadata.
#[test]
fn one_folder_holds_fp32_and_int8_graphs() {
    use rin_exporter::manifest::Precision;
    let both = Fixture::tiny();
    let report = export(
        &both.ckpt(),
        &both.out(),
        &ExportOptions {
            ks: vec![0, 2],
            precisions: vec![Precision::Int8, Precision::Fp32],
            ..Default::default()
        },
    )
    .unwrap();
    let m = &report.manifest.manifest;
    assert_eq!(m.precision, Precision::Fp32);
    assert_eq!(m.precisions(), vec![Precision::Fp32, Precision::Int8]);
    let graphs: Vec<(usize, &str, Option<Precision>)> = m
        .graphs
        .iter()
        .map(|g| (g.k, g.file.as_str(), g.precision))
        .collect();
    assert_eq!(
        graphs,
        vec![
            (0, "model_k0.onnx", Some(Precision::Fp32)),
            (2, "model_k2.onnx", Some(Precision::Fp32)),
            (0, "model_k0_int8.onnx", Some(Precision::Int8)),
            (2, "model_k2_int8.onnx", Some(Precision::Int8)),
        ]
    );
    let files: Vec<&str> = report
        .manifest
        .files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        files,
        vec![
            "weights.bin",
            "model_k0.onnx",
            "model_k2.onnx",
            "model_k0_int8.onnx",
            "model_k2_int8.onnx"
        ]
    );
    for (file, precision, integer_ops) in [
        ("model_k2.onnx", "fp32", false),
        ("model_k2_int8.onnx", "int8", true),
    ] {
        let model = read_file(&both.out().join(file));
        check_graph(model.graph.as_ref().unwrap()).unwrap();
        assert_eq!(
            op_counts(&model).contains_key("MatMulInteger"),
            integer_ops,
            "{file}"
        );
        let meta = model
            .metadata_props
            .iter()
            .find(|p| p.key() == "rin.precision")
            .map(|p| p.value());
        assert_eq!(meta, Some(precision), "{file}");
    }
}

/// The manifest names the epochs an averaged checkpoint (`rin-train --average-from`) is the mean
/// of, which `rin info` shows.
#[test]
fn the_manifest_names_the_epochs_an_averaged_checkpoint_is_the_mean_of() {
    let fixture = Fixture::tiny();
    fixture.edit_meta(|meta| meta["averaged"] = serde_json::json!({"first": 3, "last": 5}));
    let report = export_ks(&fixture, vec![]);
    let averaged = report.manifest.manifest.source.averaged.unwrap();
    assert_eq!((averaged.first, averaged.last, averaged.count()), (3, 5, 3));
    let text = std::fs::read_to_string(fixture.out().join("manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["source"]["averaged"],
        serde_json::json!({"first": 3, "last": 5})
    );
}
