//! The one tag-set check: does a loaded tagger produce the tag set a model was trained on?
//!
//! The trainer records the model's tag set (its name and the tags in its POS vocabulary, plus the
//! tagger plugin that tagged the training data, if one did); the runtime checks every tagger it
//! loads for a model with [`check_tagset`] before tagging anything.

use std::collections::BTreeSet;

use crate::error::{Error, Result};
use crate::tagger::TaggerInfo;

/// The tag set a model was trained on, as [`check_tagset`] compares it with a tagger.
#[derive(Clone, Debug)]
pub struct ModelTagset<'a> {
    /// The tag set's name, e.g. `penn-treebank` (`ptb` is the same name).
    pub name: &'a str,
    /// The tags the model knows (its POS vocabulary, without PAD and UNK).
    pub tags: Vec<&'a str>,
    /// The name and version of the tagger plugin that tagged the training data, if a plugin did.
    pub trained_with: Option<(&'a str, &'a str)>,
    /// Where the training tags came from, in words, for messages (`plugin perceptron 0.1.0`).
    pub source: String,
    /// Maps a tagger's spelling of a tag onto the model's (e.g. `(` to `-LRB-`), as the model
    /// looks tags up.
    pub normalize: fn(&str) -> &str,
}

impl<'a> ModelTagset<'a> {
    /// The tag set of a model trained on the tags of the tagger `recorded`, spelled as it spells
    /// them.
    pub fn of_tagger(recorded: &'a TaggerInfo) -> Self {
        ModelTagset {
            name: &recorded.tagset,
            tags: recorded.tags.iter().map(String::as_str).collect(),
            trained_with: Some((&recorded.name, &recorded.version)),
            source: format!("tagger `{}` {}", recorded.name, recorded.version),
            normalize: |tag| tag,
        }
    }
}

/// The tag set's name with aliases folded together: `ptb` and `penn-treebank` are one tag set.
pub fn canonical_tagset(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "ptb" | "penn-treebank" | "penn_treebank" | "penntreebank" => "penn-treebank".into(),
        other => other.to_owned(),
    }
}

/// Checks that the loaded tagger (`actual`) produces the tag set the model was trained on
/// (`model`).
///
/// The tag sets differ when their names differ (up to [`canonical_tagset`] aliases) or when more
/// than half of the tagger's tags (after `model.normalize`) are unknown to the model. Otherwise
/// the tagger fits: tags the model does not know read as UNK and are only logged (a few, e.g.
/// UD's `HYPH` from a PTB tagger, are normal), and so is another plugin, or another version of the
/// plugin, than the one that tagged the training data (same tag set, possibly different tagging).
///
/// With `allow_mismatch`, differing tag sets are logged as a warning instead of being an
/// [`Error::TagsetMismatch`].
pub fn check_tagset(
    model: &ModelTagset<'_>,
    actual: &TaggerInfo,
    allow_mismatch: bool,
) -> Result<()> {
    let known: BTreeSet<&str> = model.tags.iter().copied().collect();
    let produced: BTreeSet<&str> = actual.tags.iter().map(|t| (model.normalize)(t)).collect();
    let unknown: Vec<&str> = produced.difference(&known).copied().collect();
    let mut details = Vec::new();
    if canonical_tagset(model.name) != canonical_tagset(&actual.tagset) {
        details.push(format!(
            "tagset `{}` instead of `{}`",
            actual.tagset, model.name
        ));
    }
    if unknown.len() * 2 > produced.len() {
        details.push(format!(
            "{} of its {} tags are unknown to the model: {}",
            unknown.len(),
            produced.len(),
            preview(&unknown)
        ));
    }
    let model_desc = format!(
        "tagset `{}` ({} tags, from {})",
        model.name,
        known.len(),
        model.source
    );
    if details.is_empty() {
        if !unknown.is_empty() {
            tracing::info!(
                tagger = %actual.name,
                "{} tags of the tagger are unknown to the model and read as UNK: {}",
                unknown.len(),
                preview(&unknown)
            );
        }
        match model.trained_with {
            Some((name, _)) if name != actual.name => tracing::warn!(
                "the model's POS tags came from tagger `{name}`, `{}` is used (same tag set)",
                actual.name
            ),
            Some((_, version)) if version != actual.version => tracing::warn!(
                expected = %version,
                actual = %actual.version,
                tagger = %actual.name,
                "the tagger's version differs from the one the model was trained with"
            ),
            _ => {}
        }
        return Ok(());
    }
    let details = details.join("; ");
    if allow_mismatch {
        tracing::warn!("tagset mismatch accepted by override: the model expects {model_desc}, {actual} is loaded ({details})");
        return Ok(());
    }
    Err(Error::TagsetMismatch {
        model: model_desc,
        tagger: Box::new(actual.clone()),
        details,
    })
}

/// Up to eight tags, quoted.
fn preview(tags: &[&str]) -> String {
    let mut s: Vec<String> = tags.iter().take(8).map(|t| format!("`{t}`")).collect();
    if tags.len() > 8 {
        s.push("...".into());
    }
    s.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, version: &str, tagset: &str, tags: &[&str]) -> TaggerInfo {
        TaggerInfo {
            name: name.into(),
            version: version.into(),
            tagset: tagset.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn check(expected: &TaggerInfo, actual: &TaggerInfo, allow: bool) -> Result<()> {
        check_tagset(&ModelTagset::of_tagger(expected), actual, allow)
    }

    #[test]
    fn same_tagger_passes_even_with_another_version_or_order() {
        let a = info("perceptron", "1", "ptb", &["NN", "VB"]);
        let b = info("perceptron", "2", "ptb", &["VB", "NN"]);
        check(&a, &b, false).unwrap();
    }

    #[test]
    fn another_tagger_of_the_same_tagset_passes() {
        let a = info("perceptron", "0.1.0", "ptb", &["NN", "VB", "HYPH"]);
        let b = info("brill", "0.1.0", "penn-treebank", &["NN", "VB", "("]);
        check(&a, &b, false).unwrap();
    }

    #[test]
    fn mismatch_names_both_taggers() {
        let a = info("perceptron", "0.1.0", "ptb", &["NN", "VB", "HYPH"]);
        let b = info("brill", "0.1.0", "ud", &["NOUN", "VERB", "PUNCT"]);
        let err = check(&a, &b, false).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::TagsetMismatch { .. }));
        assert!(
            msg.contains("tagset `ptb` (3 tags, from tagger `perceptron` 0.1.0)"),
            "{msg}"
        );
        assert!(
            msg.contains("tagger `brill` 0.1.0 (tagset `ud`, 3 tags) is loaded"),
            "{msg}"
        );
        assert!(msg.contains("tagset `ud` instead of `ptb`"), "{msg}");
        assert!(
            msg.contains("3 of its 3 tags are unknown to the model: `NOUN` `PUNCT` `VERB`"),
            "{msg}"
        );
        check(&a, &b, true).unwrap();
    }

    #[test]
    fn a_different_tagset_name_is_a_mismatch() {
        let a = info("none", "1", "none", &["_"]);
        let b = info("none", "1", "other", &["_"]);
        let msg = check(&a, &b, false).unwrap_err().to_string();
        assert!(msg.contains("tagset `other` instead of `none`"), "{msg}");
    }

    #[test]
    fn mostly_unknown_tags_are_a_mismatch_even_under_the_same_name() {
        let a = info("perceptron", "1", "ptb", &["NN", "VB", "DT", "IN", "JJ"]);
        let b = info("other", "1", "ptb", &["NN", "X1", "X2"]);
        let msg = check(&a, &b, false).unwrap_err().to_string();
        assert!(msg.contains("2 of its 3 tags are unknown"), "{msg}");
        let c = info("other", "1", "ptb", &["NN", "VB", "X1"]);
        check(&a, &c, false).unwrap();
    }

    #[test]
    fn tags_are_compared_in_the_model_s_spelling() {
        let model = ModelTagset {
            name: "penn-treebank",
            tags: vec!["NN", "-LRB-"],
            trained_with: None,
            source: "the data set (Stanford CoreNLP)".into(),
            normalize: |t| if t == "(" { "-LRB-" } else { t },
        };
        let tagger = info("brill", "1", "ptb", &["NN", "(", "X"]);
        check_tagset(&model, &tagger, false).unwrap();
    }

    #[test]
    fn ptb_aliases_are_one_tagset() {
        assert_eq!(canonical_tagset("ptb"), canonical_tagset("penn-treebank"));
        assert_ne!(canonical_tagset("none"), canonical_tagset("ptb"));
    }
}
