//! Broken plugins and files: each gives an error message, never a crash.

use rin_plugin_host::{CallStatus, Error, PluginKind, Tagger, Tokenizer};

use crate::{harness, tagger, tokenizer};

#[test]
fn an_abi_version_mismatch_is_refused_before_any_call() {
    let path = harness::lib("future-abi");
    // SAFETY: a fixture built by the harness; its functions abort if called, which this test
    // checks never happens.
    let err = unsafe { Tagger::load(&path) }.unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::AbiMismatch {
                plugin: 999,
                host: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.contains("rin_tagger_plugin_v1") && msg.contains("999"),
        "{msg}"
    );
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    // SAFETY: as above.
    let err = unsafe { Tokenizer::load(&path) }.unwrap_err();
    assert!(
        matches!(err, Error::TableTooSmall { actual: 8, .. }),
        "{err:?}"
    );
}

#[test]
fn a_missing_symbol_is_an_error() {
    // SAFETY: a library the harness built.
    let err = unsafe { Tagger::load(harness::lib("whitespace")) }.unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::MissingSymbol {
                kind: PluginKind::Tagger,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.contains("is not a rin tagger plugin") && msg.contains("rin_tagger_plugin_v1"),
        "{msg}"
    );
    // SAFETY: as above.
    let err = unsafe { Tokenizer::load(harness::lib("perceptron")) }.unwrap_err();
    assert!(err.to_string().contains("rin_tokenizer_plugin_v1"), "{err}");
}

#[test]
fn a_file_that_is_no_library_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir
        .path()
        .join(rin_plugin_host::library_file_name("garbage"));
    std::fs::write(&garbage, b"\x7fELF but not really, just some bytes").unwrap();
    let text = dir.path().join("notes.so");
    std::fs::write(&text, "plain text").unwrap();
    for path in [
        garbage.clone(),
        text,
        dir.path().join("missing.so"),
        dir.path().to_owned(),
    ] {
        // SAFETY: loading fails before any code of these files could run (none is a library).
        let err = unsafe { Tagger::load(&path) }.unwrap_err();
        assert!(matches!(err, Error::Open { .. }), "{path:?}: {err:?}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
    // Listing a directory with such a file reports it instead of failing.
    // SAFETY: as above.
    let listing = unsafe { rin_plugin_host::list_plugins(dir.path()) }.unwrap();
    assert_eq!(listing.len(), 1);
    assert!(matches!(listing[0], Err(Error::Open { .. })));
}

#[test]
fn a_panicking_plugin_gives_an_error_and_keeps_working() {
    let t = tokenizer("faulty");
    let err = t.tokenize("panic").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Call {
                status: CallStatus::Panic,
                call: "tokenize",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("boom in tokenize"), "{err}");
    assert_eq!(t.tokenize("fine").unwrap()[0].text, "fine");

    let g = tagger("faulty");
    let err = g.tag(&["ok", "panic"]).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::Call {
                status: CallStatus::Panic,
                call: "tag",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.contains("plugin `faulty`") && msg.contains("panicked") && msg.contains("boom in tag"),
        "{msg}"
    );
    assert_eq!(g.tag(&["ok"]).unwrap(), ["A"]);
}

#[test]
fn plugin_errors_carry_their_message() {
    let err = tokenizer("faulty").tokenize("error").unwrap_err();
    assert!(matches!(
        err,
        Error::Call {
            status: CallStatus::Error,
            ..
        }
    ));
    assert!(err.to_string().contains("refused to tokenize"), "{err}");
    let err = tagger("faulty").tag(&["error"]).unwrap_err();
    assert!(err.to_string().contains("refused to tag"), "{err}");
    // SAFETY: a fixture built by the harness.
    let err = unsafe { Tagger::load(harness::lib("init-fails")) }.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Call {
                status: CallStatus::InitFailed,
                call: "metadata",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("weights missing"), "{err}");
}

#[test]
fn bad_offsets_are_caught() {
    let t = tokenizer("faulty");
    for (text, reason) in [
        ("reversed", "empty or reversed"),
        ("empty", "empty or reversed"),
        ("past the end", "past the end of the text"),
        ("overlap", "overlaps or precedes the previous token"),
        ("é!", "not on a char boundary"),
    ] {
        let err = t.tokenize(text).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::BadOffsets { .. }), "{text}: {err:?}");
        assert!(
            msg.contains(reason) && msg.contains("tokenizer `faulty`"),
            "{text}: {msg}"
        );
    }
}

#[test]
fn a_segmenter_s_bad_offsets_and_panics_are_caught() {
    // SAFETY: the harness built this library from this repository.
    let s = unsafe { rin_plugin_host::Segmenter::load(crate::harness::lib("faulty")) }.unwrap();
    for (text, reason) in [
        ("reversed", "empty or reversed"),
        ("past the end", "past the end of the text"),
        ("overlap", "overlaps or precedes the previous sentence"),
        ("é!", "not on a char boundary"),
    ] {
        let err = s.segment_spans(text).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(reason)
                && msg.contains("segmenter `faulty`")
                && msg.contains("returned invalid offsets: sentence "),
            "{text}: {msg}"
        );
    }
    let err = s.segment_spans("panic").unwrap_err();
    assert!(err.to_string().contains("boom in segment"), "{err}");
    assert_eq!(s.segment_spans("fine text").unwrap(), vec![0..9]);
}

#[test]
fn bad_tags_are_caught() {
    let g = tagger("faulty");
    let err = g.tag(&["ok", "bad-tag"]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::BadTag {
                index: 1,
                id: 7,
                tags: 2,
                ..
            }
        ),
        "{err:?}"
    );
    let err = g.tag(&["short", "ok"]).unwrap_err();
    assert!(
        err.to_string().contains("returned 1 tags for 2 tokens"),
        "{err}"
    );
    assert!(g.tag::<&str>(&[]).unwrap().is_empty());
}
