use super::*;

#[test]
fn pad_and_unk_come_first() {
    let mut vocab = Vocab::new();
    assert_eq!(vocab.len(), 2);
    assert_eq!(vocab.tokens(), [PAD_TOKEN, UNK_TOKEN]);
    assert_eq!(vocab.insert("the"), 2);
    assert_eq!(vocab.insert("cat"), 3);
    assert_eq!(vocab.insert("the"), 2);
    assert_eq!(vocab.id("cat"), 3);
    assert_eq!(vocab.id("dog"), UNK);
    // Special strings are not look-up keys: a token spelled "<pad>" is unknown, not padding.
    assert_eq!(vocab.id(PAD_TOKEN), UNK);
}

#[test]
fn word_lookup_is_lower_cased() {
    let mut vocab = Vocab::new();
    vocab.insert(&word_key("Paris"));
    assert_eq!(vocab.word_id("PARIS"), 2);
    assert_eq!(vocab.id("Paris"), UNK);
    assert_eq!(word_key("Émile"), "émile");
}

#[test]
fn serde_round_trip_keeps_ids() {
    let mut vocab = Vocab::new();
    for w in ["x", "y", "z"] {
        vocab.insert(w);
    }
    let json = serde_json::to_string(&vocab).unwrap();
    assert_eq!(json, r#"["<pad>","<unk>","x","y","z"]"#);
    let back: Vocab = serde_json::from_str(&json).unwrap();
    assert_eq!(back, vocab);
    assert_eq!(back.id("z"), 4);
}

#[test]
fn glove_text_with_filter_and_duplicates() {
    let text = "the 0.5 -1 2\ncat 1 2 3\nthe 9 9 9\ndog 4 5 6\n";
    let keep: HashSet<String> = ["the", "dog", "absent"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let emb = read_glove(Path::new("x.txt"), text.as_bytes(), Some(&keep)).unwrap();
    assert_eq!(emb.dim, 3);
    assert_eq!(emb.vocab.tokens(), [PAD_TOKEN, UNK_TOKEN, "the", "dog"]);
    assert_eq!(
        emb.vectors,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, -1.0, 2.0, 4.0, 5.0, 6.0]
    );
    assert_eq!(emb.row(3), Some(&[4.0, 5.0, 6.0][..]));
}

#[test]
fn glove_errors_name_the_line() {
    let err = read_glove(Path::new("g.txt"), "a 1 2\nb 1\n".as_bytes(), None).unwrap_err();
    assert!(matches!(
        err,
        Error::Embedding {
            line: 2,
            source: EmbeddingError::Dimension {
                expected: 2,
                found: 1
            },
            ..
        }
    ));
    let err = read_glove(Path::new("g.txt"), "a 1 2\nb 1 x\n".as_bytes(), None).unwrap_err();
    assert!(matches!(
        err,
        Error::Embedding {
            line: 2,
            source: EmbeddingError::Value { .. },
            ..
        }
    ));
    assert_eq!(err.to_string(), "invalid embedding line 2 in g.txt");
    let err = read_glove(Path::new("g.txt"), "".as_bytes(), None).unwrap_err();
    assert!(matches!(
        err,
        Error::Embedding {
            source: EmbeddingError::Empty,
            ..
        }
    ));
}

#[test]
fn the_first_rows_are_kept_whatever_the_filter_says() {
    let text = "the 1 1\nof 2 2\nrare 3 3\nzebra 4 4\n";
    let keep: HashSet<String> = ["zebra".to_owned()].into_iter().collect();
    let emb = read_glove_top(Path::new("x.txt"), text.as_bytes(), Some(&keep), 2).unwrap();
    let words: Vec<&str> = emb.vocab.tokens()[2..].iter().map(String::as_str).collect();
    assert_eq!(words, ["the", "of", "zebra"]);
    assert_eq!(emb.row(emb.vocab.id("zebra")), Some(&[4.0, 4.0][..]));
}
