//! `max_words` and float16 word rows, read back from `weights.bin` and `manifest.json`.

use std::path::Path;

use rin_core::manifest::{WordTable, WordTablePrecision};
use rin_exporter::pb::tensor_proto::DataType;
use rin_exporter::weights::names::WORD_EMBEDDING;
use rin_exporter::{export, Checkpoint, ExportOptions};

use crate::util::{read_model, Fixture};

/// The tiny fixture (12 words) as if its last 4 words had been added from a vectors file
/// (`rin-train --glove-words`): its first 8 rows are PAD, UNK and the data's words.
fn fixture_with_added_words() -> Fixture {
    let fixture = Fixture::tiny();
    let path = fixture.ckpt().join("checkpoint.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    meta["embeddings"]["added_words"] = 4.into();
    std::fs::write(&path, serde_json::to_vec_pretty(&meta).unwrap()).unwrap();
    fixture
}

/// The word table as the K = 2 graph's initializer points into `dir/weights.bin`: element type,
/// dims and bytes.
fn stored_word_table(dir: &Path) -> (DataType, Vec<i64>, Vec<u8>) {
    let model = read_model(dir, 2);
    let init = model
        .graph
        .as_ref()
        .unwrap()
        .initializer
        .iter()
        .find(|t| t.name() == WORD_EMBEDDING)
        .expect("the word table is an initializer")
        .clone();
    let value = |key: &str| -> usize {
        let entry = init.external_data.iter().find(|e| e.key() == key).unwrap();
        entry.value().parse().unwrap()
    };
    let (offset, length) = (value("offset"), value("length"));
    let weights = std::fs::read(dir.join("weights.bin")).unwrap();
    (
        DataType::try_from(init.data_type()).expect("a known element type"),
        init.dims.clone(),
        weights[offset..offset + length].to_vec(),
    )
}

fn export_with(fixture: &Fixture, max_words: Option<usize>, rows: WordTablePrecision) {
    let options = ExportOptions {
        max_words,
        word_table: rows,
        ..Default::default()
    };
    export(&fixture.ckpt(), &fixture.out(), &options).unwrap();
}

#[test]
fn a_cut_keeps_the_first_rows_bit_identical_and_the_words_past_it_read_as_unk() {
    let fixture = fixture_with_added_words();
    export_with(&fixture, Some(10), WordTablePrecision::Fp32);
    let ckpt = Checkpoint::load(&fixture.ckpt()).unwrap();
    let table = ckpt.onnx_weights().get(WORD_EMBEDDING).unwrap().clone();
    let dim = table.dims[1];

    let (elem, dims, bytes) = stored_word_table(&fixture.out());
    assert_eq!((elem, dims), (DataType::Float, vec![10, dim as i64]));
    let expected: Vec<u8> = table.data[..10 * dim]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert_eq!(bytes, expected, "every kept row, bit for bit");

    let manifest: rin_core::manifest::ManifestFile = serde_json::from_str(
        &std::fs::read_to_string(fixture.out().join("manifest.json")).unwrap(),
    )
    .unwrap();
    let m = &manifest.manifest;
    let words = ckpt.meta.words.tokens();
    assert_eq!(m.words, words[..10]);
    assert_eq!(m.config.word_vocab, 10);
    assert_eq!(
        m.word_table(),
        WordTable {
            rows: 10,
            checkpoint_rows: 12,
            precision: WordTablePrecision::Fp32
        }
    );
    // What the runtime looks words up in: kept words keep their ids, the cut ones are UNK.
    let vocab = rin_core::Vocab::from(m.words.clone());
    for (id, word) in words[2..10].iter().enumerate() {
        assert_eq!(vocab.word_id(word), id + 2, "{word}");
    }
    for word in &words[10..] {
        assert_eq!(vocab.word_id(word), rin_core::vocab::UNK, "{word}");
    }
}

#[test]
fn an_fp16_only_folder_records_float16_rows_whatever_was_asked() {
    let fixture = Fixture::tiny();
    let options = ExportOptions {
        ks: vec![2],
        precisions: vec![rin_core::manifest::Precision::Fp16],
        ..Default::default()
    };
    export(&fixture.ckpt(), &fixture.out(), &options).unwrap();
    let manifest: rin_core::manifest::ManifestFile = serde_json::from_str(
        &std::fs::read_to_string(fixture.out().join("manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest.manifest.word_table().precision,
        WordTablePrecision::Fp16
    );
}

#[test]
fn fp16_rows_are_the_fp32_rows_rounded_to_half() {
    let fixture = Fixture::tiny();
    export_with(&fixture, None, WordTablePrecision::Fp16);
    let ckpt = Checkpoint::load(&fixture.ckpt()).unwrap();
    let table = ckpt.onnx_weights().get(WORD_EMBEDDING).unwrap().clone();

    let (elem, dims, bytes) = stored_word_table(&fixture.out());
    assert_eq!(elem, DataType::Float16);
    assert_eq!(
        dims,
        table.dims.iter().map(|&d| d as i64).collect::<Vec<_>>()
    );
    let stored: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let rounded: Vec<u16> = table
        .data
        .iter()
        .map(|&v| half::f16::from_f32(v).to_bits())
        .collect();
    assert_eq!(stored, rounded);
    // Every graph widens the looked-up rows back to float32 before the LSTM.
    let model = read_model(&fixture.out(), 2);
    let cast = model
        .graph
        .as_ref()
        .unwrap()
        .node
        .iter()
        .find(|n| n.op_type() == "Cast" && n.name().starts_with("encoder/word_embedding"))
        .expect("a Cast after the word look-up");
    assert_eq!(cast.attribute[0].i(), DataType::Float as i64);
}

#[test]
fn a_cut_into_the_training_words_is_refused_and_writes_nothing() {
    let fixture = fixture_with_added_words();
    let options = ExportOptions {
        max_words: Some(7),
        ..Default::default()
    };
    let error = export(&fixture.ckpt(), &fixture.out(), &options).unwrap_err();
    assert!(
        matches!(
            error,
            rin_exporter::Error::MaxWords {
                asked: 7,
                data_rows: 8,
                vocab: 12
            }
        ),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("only 7 words") && message.contains("keep at least 8"),
        "{message}"
    );
    assert!(!fixture.out().exists());
}

/// fp16 graphs beside fp32 ones with `--word-table fp16`: both read one float16 copy of the
/// rows (the same bytes of weights.bin), not two.
#[test]
fn fp16_rows_beside_fp16_graphs_are_stored_once() {
    let fixture = Fixture::tiny();
    let options = ExportOptions {
        ks: vec![2],
        precisions: vec![
            rin_core::manifest::Precision::Fp32,
            rin_core::manifest::Precision::Fp16,
        ],
        word_table: WordTablePrecision::Fp16,
        ..Default::default()
    };
    export(&fixture.ckpt(), &fixture.out(), &options).unwrap();
    let place = |file: &str| -> (i32, Vec<(String, String)>) {
        let model = <rin_exporter::pb::ModelProto as prost::Message>::decode(
            &std::fs::read(fixture.out().join(file)).unwrap()[..],
        )
        .unwrap();
        let init = model
            .graph
            .unwrap()
            .initializer
            .into_iter()
            .find(|t| t.name() == WORD_EMBEDDING)
            .expect("the word table is an initializer");
        let data = init
            .external_data
            .iter()
            .filter(|e| e.key() != "location")
            .map(|e| (e.key().to_owned(), e.value().to_owned()))
            .collect();
        (init.data_type(), data)
    };
    let (fp32_graph, fp16_graph) = (place("model_k2.onnx"), place("model_k2_fp16.onnx"));
    assert_eq!(fp32_graph.0, DataType::Float16 as i32);
    assert_eq!(fp32_graph, fp16_graph, "one copy of the rows");
}
