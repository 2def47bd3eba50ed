//! `--glove-words`: words that no training sentence has keep their pre-trained vectors, in the
//! checkpoint and in the exported graph; words in neither map to UNK; the export agrees with the
//! trainer on sentences made of such words. `--name-substitution` runs along.

use std::path::Path;

use prost::Message;
use rin_core::{PaddedBatch, Sentence, Vocab, UNK};
use rin_exporter::pb::ModelProto;
use rin_exporter::weights::names::WORD_EMBEDDING;
use rin_exporter::ExportOptions;
use rin_trainer::checkpoint::Checkpoint;
use rin_trainer::train::{train, Silent};
use rin_trainer::TrainConfig;

use crate::util::setup;

/// Distinct 8-d vectors: row `i` is `i + 0.125 * d` for `d` in 0..8.
fn vector(i: usize) -> Vec<f32> {
    (0..8).map(|d| i as f32 + 0.125 * d as f32).collect()
}

/// A GloVe file: three frequent words first (two of them in no WebNLG sentence, one in every
/// training sentence), then a word outside the first three.
fn write_glove(path: &Path) -> Vec<(&'static str, Vec<f32>)> {
    let rows = vec![
        ("zanzibar", vector(3)),
        ("quokka", vector(4)),
        ("the", vector(5)),
        ("born", vector(6)),
    ];
    write_vectors(path, &rows);
    rows
}

/// The `last` checkpoint of `run`: its record and its word table, flat.
fn last_word_table(run: &Path) -> (rin_trainer::checkpoint::CheckpointMeta, Vec<f32>) {
    let ckpt = Checkpoint::load(&run.join("last"), tch::Device::Cpu).unwrap();
    let table = ckpt
        .vs
        .variables()
        .into_iter()
        .find(|(name, _)| name == "word_embedding.weight")
        .map(|(_, t)| Vec::<f32>::try_from(t.flatten(0, -1)).unwrap())
        .unwrap();
    (ckpt.meta, table)
}

/// A GloVe text file of `rows`.
fn write_vectors<W: AsRef<str>>(path: &Path, rows: &[(W, Vec<f32>)]) {
    let text: String = rows
        .iter()
        .map(|(w, v)| {
            let values: Vec<String> = v.iter().map(f32::to_string).collect();
            format!("{} {}\n", w.as_ref(), values.join(" "))
        })
        .collect();
    std::fs::write(path, text).unwrap();
}

/// The exported word table, read from the graph's external data in weights.bin.
fn exported_word_table(export: &Path) -> Vec<f32> {
    let model =
        ModelProto::decode(&std::fs::read(export.join("model_k2.onnx")).unwrap()[..]).unwrap();
    let init = model
        .graph
        .unwrap()
        .initializer
        .into_iter()
        .find(|t| t.name() == WORD_EMBEDDING)
        .expect("the word table is an initializer");
    let field = |key: &str| -> usize {
        init.external_data
            .iter()
            .find(|e| e.key() == key)
            .map(|e| e.value().parse().unwrap())
            .unwrap_or_else(|| panic!("no {key} in the external data"))
    };
    let bytes = std::fs::read(export.join("weights.bin")).unwrap();
    bytes[field("offset")..field("offset") + field("length")]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

#[test]
fn unseen_words_keep_their_vectors_through_training_and_export() {
    let _torch = setup(43);
    let dir = tempfile::tempdir().unwrap();
    let glove = dir.path().join("glove.txt");
    let rows = write_glove(&glove);
    let run = dir.path().join("run");
    // The small run of the training tests (first 40 WebNLG sentences, 8-d vectors), with the
    // vectors file and its words.
    let config = TrainConfig {
        embeddings: Some(glove),
        glove_words: 3,
        name_substitution: 0.5,
        ..crate::train::small_config(&run, 2)
    };
    train(config, &mut Silent).unwrap();
    let export = dir.path().join("export");
    rin_exporter::export(
        &run,
        &export,
        &ExportOptions {
            ks: vec![2],
            ..Default::default()
        },
    )
    .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("manifest.json")).unwrap())
            .unwrap();
    let mut words = Vocab::new();
    for w in manifest["words"].as_array().unwrap().iter().skip(2) {
        words.insert(w.as_str().unwrap());
    }
    let table = exported_word_table(&export);
    assert_eq!(table.len(), words.len() * 8);
    let row = |id: usize| &table[id * 8..(id + 1) * 8];
    for (word, v) in &rows[..2] {
        let id = words.word_id(word);
        assert_ne!(id, UNK, "{word} is in the vocabulary");
        assert_eq!(row(id), &v[..], "{word} keeps its pre-trained vector");
    }
    // A training word's row was trained: it moved away from its vector.
    let the = words.word_id("the");
    assert_ne!(
        row(the),
        &rows[2].1[..],
        "a word of the training sentences is fine-tuned"
    );
    // A word in neither the data nor the vectors file is UNK.
    assert_eq!(words.word_id("qwertyuiopasdf"), UNK);

    // tch and ONNX Runtime agree on sentences of words only the vectors file knows.
    let unseen =
        |tokens: &str| Sentence::from_tokens(tokens.split(' ').map(String::from).collect());
    let sentences = [
        unseen("zanzibar quokka zanzibar the quokka"),
        unseen("quokka zanzibar qwertyuiopasdf"),
    ];
    let refs: Vec<&Sentence> = sentences.iter().collect();
    let mut pos = Vocab::new();
    pos.insert("NNP");
    let batch = PaddedBatch::new(&refs, &words, &pos);
    assert!(
        batch
            .word_ids
            .iter()
            .filter(|&&id| id as usize >= 2)
            .count()
            >= 7
    );
    let worst = crate::onnx_parity::check(&run.join("best"), &[batch]);
    println!("unseen words: max |tch - onnx| = {worst:e}");
}

#[test]
fn fine_tuning_can_widen_the_vocabulary_with_pretrained_vectors() {
    let _torch = setup(44);
    let dir = tempfile::tempdir().unwrap();
    let glove = dir.path().join("glove.txt");
    let rows = write_glove(&glove);
    let (base, tuned) = (dir.path().join("base"), dir.path().join("tuned"));
    let base_config = TrainConfig {
        embeddings: Some(glove.clone()),
        ..crate::train::small_config(&base, 1)
    };
    let first = train(base_config, &mut Silent).unwrap();
    // Almost no learning: the widened model must score as its base did.
    let config = TrainConfig {
        init_from: Some(base.join("best")),
        embeddings: Some(glove),
        glove_words: 3,
        name_substitution: 0.5,
        lr: 1e-12,
        ..crate::train::small_config(&tuned, 1)
    };
    let outcome = train(config, &mut Silent).unwrap();
    assert_eq!(outcome.records[0].dev, first.records[0].dev);

    let ((before, old), (after, new)) = (last_word_table(&base), last_word_table(&tuned));
    let known = before.words.len();
    assert_eq!(after.words.tokens()[..known], before.words.tokens()[..]);
    assert_eq!(
        after.model.word_vocab,
        known + 2,
        "zanzibar and quokka are new"
    );
    let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
    assert!(close(&new[..known * 8], &old), "known rows are kept");
    for (word, v) in &rows[..2] {
        let id = after.words.word_id(word);
        assert!(id >= known, "{word} was appended");
        assert!(
            close(&new[id * 8..(id + 1) * 8], v),
            "{word} has its vector"
        );
    }
    assert_eq!(after.embeddings.substitutes.1, known + 2);
}

#[test]
fn frozen_vectors_stay_exact_while_rows_without_one_train() {
    let _torch = setup(45);
    let dir = tempfile::tempdir().unwrap();
    let glove = dir.path().join("glove.txt");
    let rows = write_glove(&glove);
    let config = |run: &Path, epochs| TrainConfig {
        embeddings: Some(glove.clone()),
        glove_words: 3,
        name_substitution: 0.5,
        freeze_vectors: true,
        ..crate::train::small_config(run, epochs)
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    train(config(&one, 1), &mut Silent).unwrap();
    train(config(&two, 2), &mut Silent).unwrap();
    let ((meta, after_one), (_, after_two)) = (last_word_table(&one), last_word_table(&two));
    let words = meta.words;
    let row = |t: &[f32], id: usize| t[id * 8..(id + 1) * 8].to_vec();
    // "the" and "born" are in the training sentences and have vectors: kept exactly, unlike
    // `unseen_words_keep_their_vectors_through_training_and_export`'s fine-tuned "the".
    for (word, v) in &rows {
        let id = words.word_id(word);
        assert_ne!(id, UNK, "{word} is in the vocabulary");
        assert_eq!(row(&after_two, id), *v, "{word} keeps its vector");
    }
    // Training words without a vector were trained between the first and the second epoch.
    let moved = (2..words.len())
        .filter(|&id| !rows.iter().any(|(w, _)| words.word_id(w) == id))
        .filter(|&id| row(&after_one, id) != row(&after_two, id))
        .count();
    assert!(moved > 100, "only {moved} rows without a vector moved");
}

/// `--freeze-added-vectors`: the rows `--glove-words` added keep their vectors even when they
/// stand in for names (without it, substitute rows drift), while the data's words train.
#[test]
fn added_rows_stay_exact_under_substitution_when_frozen() {
    let _torch = setup(46);
    let dir = tempfile::tempdir().unwrap();
    // 1,200 words in no WebNLG sentence (past the 1,000 most frequent, which substitution
    // skips, 200 substitutes), then "the" (in every training sentence).
    let glove = dir.path().join("glove.txt");
    let mut rows: Vec<(String, Vec<f32>)> = (0..1200)
        .map(|i| (format!("zq{i:04}"), vector(i + 10)))
        .collect();
    rows.push(("the".into(), vector(5)));
    write_vectors(&glove, &rows);
    let table = |frozen: bool| {
        let run = dir.path().join(format!("run-{frozen}"));
        let config = TrainConfig {
            embeddings: Some(glove.clone()),
            glove_words: 1200,
            name_substitution: 1.0,
            freeze_added_vectors: frozen,
            ..crate::train::small_config(&run, 1)
        };
        train(config, &mut Silent).unwrap();
        let (meta, table) = last_word_table(&run);
        (meta.words, table)
    };
    let moved = |(words, table): &(Vocab, Vec<f32>)| {
        rows[..1200]
            .iter()
            .filter(|(w, v)| {
                let id = words.word_id(w);
                assert_ne!(id, UNK, "{w}");
                table[id * 8..(id + 1) * 8] != v[..]
            })
            .count()
    };
    let (free, frozen) = (table(false), table(true));
    assert!(moved(&free) > 0, "substitutes drift when not frozen");
    assert_eq!(moved(&frozen), 0, "added rows are kept");
    let the = frozen.0.word_id("the");
    assert_ne!(
        &frozen.1[the * 8..(the + 1) * 8],
        &vector(5)[..],
        "data words train"
    );
}
