//! The shipped plugins, loaded through the C ABI.

use rin_plugin_host::{
    check_tagset, list_plugins, Error, ModelTagset, PluginDir, PluginKind, ABI_VERSION,
};

use crate::{harness, tagger, tokenizer};

#[test]
fn shipped_plugins_report_their_metadata() {
    for name in ["whitespace", "english"] {
        let t = tokenizer(name);
        assert_eq!(t.metadata().name, name);
        assert_eq!(t.metadata().version, env!("CARGO_PKG_VERSION"));
    }
    for (name, tagset) in [("perceptron", "ptb"), ("brill", "ptb"), ("none", "none")] {
        let t = tagger(name);
        assert_eq!(t.info().name, name);
        assert_eq!(t.info().tagset, tagset);
        assert!(!t.info().tags.is_empty());
    }
    assert_eq!(tagger("brill").info().tags.len(), 45);
}

#[test]
fn plugins_load_by_name_from_the_plugin_dir_only() {
    let dir = PluginDir::new(harness::plugin_dir());
    // SAFETY: the harness built these libraries from this repository.
    let tagger = unsafe { dir.tagger("perceptron") }.unwrap();
    assert_eq!(tagger.info().name, "perceptron");
    // SAFETY: as above.
    let tokenizer = unsafe { dir.tokenizer("english") }.unwrap();
    assert_eq!(tokenizer.metadata().name, "english");
    // SAFETY: as above.
    let missing = unsafe { dir.tagger("nonexistent") }.unwrap_err();
    let msg = missing.to_string();
    assert!(matches!(missing, Error::NotFound { .. }));
    assert!(
        msg.contains("nonexistent") && msg.contains("perceptron"),
        "{msg}"
    );
    // An explicit path works from anywhere.
    let path = harness::lib("brill");
    // SAFETY: as above.
    let by_path = unsafe { PluginDir::new("/nonexistent").tagger(path.to_str().unwrap()) }.unwrap();
    assert_eq!(by_path.info().name, "brill");
}

#[test]
fn list_plugins_describes_every_library() {
    // SAFETY: the directory holds only libraries the harness built from this repository.
    let listing = unsafe { list_plugins(harness::plugin_dir()) }.unwrap();
    let ok: Vec<_> = listing.iter().filter_map(|l| l.as_ref().ok()).collect();
    let find = |name: &str, kind| ok.iter().find(|l| l.name == name && l.kind == kind);
    let perceptron = find("perceptron", PluginKind::Tagger).expect("perceptron listed");
    assert_eq!(perceptron.abi_version, ABI_VERSION);
    assert!(
        perceptron.tagset.as_deref().unwrap().starts_with("ptb ("),
        "{:?}",
        perceptron.tagset
    );
    assert!(find("english", PluginKind::Tokenizer).is_some());
    assert!(
        find("template", PluginKind::Tokenizer).is_some()
            && find("template", PluginKind::Tagger).is_some()
    );
    assert!(find("english", PluginKind::Tagger).is_none());
    // One library, two kinds: the english tokenizer and the english sentence segmenter.
    let segmenter = find("english", PluginKind::Segmenter).expect("english segmenter listed");
    assert!(segmenter.description.contains("UAX #29"));
    assert!(find("perceptron", PluginKind::Segmenter).is_none());
    // The broken fixtures are listed as errors, not skipped, and never crash the listing.
    let errors: Vec<String> = listing
        .iter()
        .filter_map(|l| l.as_ref().err())
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("ABI version 999")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("weights missing")),
        "{errors:?}"
    );
}

#[test]
fn swapping_the_tagger_changes_the_tags() {
    let words: Vec<String> =
        "Stanley Kubrick , born in Manhattan , directed The Shining in 1980 , lol :)"
            .split(' ')
            .map(String::from)
            .collect();
    let perceptron = tagger("perceptron");
    let brill = tagger("brill");
    let none = tagger("none");
    let a = perceptron.tag(&words).unwrap();
    let b = brill.tag(&words).unwrap();
    let c = none.tag(&words).unwrap();
    assert_eq!(a.len(), words.len());
    assert_eq!(b.len(), words.len());
    assert_eq!(a[..3], ["NNP", "NNP", ","]);
    assert_ne!(a, b, "perceptron and brill agree everywhere");
    assert!(c.iter().all(|t| t == "_"));
    // Taggers are Send + Sync: tag from several threads at once.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(perceptron.tag(&words).unwrap(), a));
        }
    });
    // ... the tagset check accepts another tagger of the same tag set (PTB) ...
    fn trained_on(t: &rin_plugin_host::Tagger) -> ModelTagset<'_> {
        ModelTagset::of_tagger(t.info())
    }
    check_tagset(&trained_on(&perceptron), brill.info(), false).unwrap();
    check_tagset(&trained_on(&perceptron), tagger("perceptron").info(), false).unwrap();
    // ... and catches one of another tag set.
    let err = check_tagset(&trained_on(&perceptron), none.info(), false).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`perceptron`") && msg.contains("`none`"),
        "{msg}"
    );
    check_tagset(&trained_on(&perceptron), none.info(), true).unwrap();
    assert!(check_tagset(&trained_on(&none), perceptron.info(), false).is_err());
}

/// Texts whose every token must slice back exactly.
const TEXTS: &[&str] = &[
    "The U.S. team didn't win: 23,900 fans (mostly locals) left early.",
    "  Ça coûte 5 € à Zürich ; naïve café-crème… d’accord?  ",
    "東京は日本の首都です。北京、上海",
    "Great 👍🏽 game!!! 👩‍👩‍👧 🇮🇹 #1️⃣ e\u{301}",
    "",
    " \t\n ",
    "a",
];

#[test]
fn tokenizer_offsets_slice_back_to_the_tokens() {
    for name in ["whitespace", "english", "template"] {
        let t = tokenizer(name);
        for text in TEXTS {
            let tokens = t.tokenize(text).unwrap();
            let mut last = 0;
            for token in &tokens {
                assert_eq!(
                    &text[token.start..token.end],
                    token.text,
                    "{name} on {text:?}"
                );
                assert!(
                    token.start >= last && token.start < token.end,
                    "{name} on {text:?}"
                );
                last = token.end;
            }
            let joined: String = tokens.iter().map(|t| t.text.as_str()).collect();
            assert_eq!(
                joined,
                text.split_whitespace().collect::<String>(),
                "{name} on {text:?}"
            );
        }
    }
    let english = tokenizer("english");
    let tokens: Vec<String> = english
        .tokenize(TEXTS[0])
        .unwrap()
        .into_iter()
        .map(|t| t.text)
        .collect();
    assert_eq!(tokens[..6], ["The", "U.S.", "team", "did", "n't", "win"]);
}

#[test]
fn the_tokenizer_feeds_the_tagger() {
    let text = "Alan Shepard was born in New Hampshire on November 18th, 1923.";
    let tokens: Vec<String> = tokenizer("english")
        .tokenize(text)
        .unwrap()
        .into_iter()
        .map(|t| t.text)
        .collect();
    let tags = tagger("perceptron").tag(&tokens).unwrap();
    assert_eq!(tokens.len(), tags.len());
    assert_eq!(tags[0], "NNP");
    assert_eq!(tags.last().map(String::as_str), Some("."));
}
