//! GloVe files: plain and gzip, and the real GloVe 6B 50-d when ../shared has it.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use rin_core::{load_glove, word_key, DataFormat, UNK};

use crate::common::{load, WEBNLG_STAR};

const GLOVE_6B_50D: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/embeddings/glove.6B.50d.txt.gz"
);

#[test]
fn glove_txt_and_gz_agree() {
    let text = "the 0.1 0.2\n, -0.5 1e-3\nparis 3 4\n";
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("g.txt");
    std::fs::write(&plain, text).unwrap();
    let gz = dir.path().join("g.txt.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();
    let a = load_glove(&plain, None).unwrap();
    let b = load_glove(&gz, None).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.dim, 2);
    assert_eq!(a.vocab.word_id("Paris"), 4);
    assert_eq!(a.row(3), Some(&[-0.5, 0.001][..]));
    assert_eq!(a.row(UNK), Some(&[0.0, 0.0][..]));
}

#[test]
fn real_glove_covers_webnlg_star() {
    if !Path::new(GLOVE_6B_50D).exists() {
        println!("skipping: ../shared/embeddings/glove.6B.50d.txt.gz not found");
        return;
    }
    let (_, train) = load(WEBNLG_STAR, "train", DataFormat::CasRel);
    let keys: HashSet<String> = train.word_keys();
    let emb = load_glove(Path::new(GLOVE_6B_50D), Some(&keys)).unwrap();
    assert_eq!(emb.dim, 50);
    assert_eq!(emb.vectors.len(), emb.vocab.len() * 50);
    let covered = emb.vocab.len() - 2;
    println!(
        "GloVe 6B 50d covers {covered} of {} WebNLG* train word types",
        keys.len()
    );
    assert!(covered * 10 > keys.len() * 8, "{covered} of {}", keys.len());
    // "the" is GloVe 6B's first word; its vector starts with 0.418.
    let the = emb.vocab.word_id("The");
    assert_eq!(emb.row(the).unwrap()[0], 0.418);
    assert_eq!(word_key("The"), "the");
}
