//! Whether a sentence continues the text before it, learned from the sentence boundaries of
//! consecutive training texts (whose labels are known: a boundary inside a text, or between two).
//!
//! A logistic regression over a few named features of the next sentence: its first word (kept
//! as itself when it is a closed-class word such as `It`, `The`, `In`, else its tag's family:
//! `name`, `number`, `noun`, ...), whether a proper noun comes before its first verb (a sentence
//! whose subject is a definite description, "The capital of the country is Athens", refers back;
//! one naming its subject, "The Bakewell tart originates from ...", usually starts a new text),
//! both together, and how many sentences the text already has. The features need POS tags; a
//! sentence without them falls back to the pronoun list (rin-runtime's `chunk::ANAPHORA`).
//! Weights are data (`manifest.json`'s `reading.continuation`), fitted by `rin fit-continuation`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Penn Treebank tags of closed word classes: a sentence's first word with one of these tags is
/// a feature by itself (`the`, `it`, `its`, `this`, `in`, `there`, ...); any other first word is
/// only its tag's family, so that no entity name is learned.
const CLOSED_CLASS_TAGS: &[&str] = &[
    "DT", "PDT", "PRP", "PRP$", "WDT", "WP", "WP$", "IN", "EX", "CC", "RB", "TO", "MD",
];

/// Sentences of a text counted by the features; more count as this many.
const MAX_COUNTED_SENTENCES: usize = 3;

/// A fitted continuation decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Continuation {
    /// The weight of each feature (features not listed weigh 0).
    pub weights: BTreeMap<String, f32>,
    /// The log-odds of a continuation when no feature is on.
    pub bias: f32,
    /// A sentence continues the text when the probability is at least this (chosen on dev F1).
    pub threshold: f32,
}

/// The features of a sentence of `tokens` with `tags` (the same length) that would follow a text
/// of `sentences_before` sentences.
pub fn features(tokens: &[String], tags: &[String], sentences_before: usize) -> Vec<String> {
    let first = match (tokens.first(), tags.first()) {
        (Some(word), Some(tag)) => word_class(word, tag),
        _ => "none".to_owned(),
    };
    let subject = subject_kind(tags);
    vec![
        format!("first={first}"),
        format!("subject={subject}"),
        format!("first={first}&subject={subject}"),
        format!("sentences={}", sentences_before.min(MAX_COUNTED_SENTENCES)),
    ]
}

/// A first word as a feature: closed-class words themselves (lower case), others their tag's
/// family.
fn word_class(word: &str, tag: &str) -> String {
    if CLOSED_CLASS_TAGS.contains(&tag) {
        return word.to_lowercase();
    }
    let family = match tag {
        t if t.starts_with("NNP") => "name",
        t if t.starts_with("NN") => "noun",
        t if t.starts_with("VB") => "verb",
        t if t.starts_with("JJ") => "adjective",
        "CD" => "number",
        _ => "other",
    };
    family.to_owned()
}

/// Whether a proper noun comes between the first word and the first verb (`name`), none does
/// (`none`), or there is no verb (`noverb`).
fn subject_kind(tags: &[String]) -> &'static str {
    let rest = tags.get(1..).unwrap_or(&[]);
    match rest
        .iter()
        .position(|t| t.starts_with("VB") || t.as_str() == "MD")
    {
        None => "noverb",
        Some(verb) if rest[..verb].iter().any(|t| t.starts_with("NNP")) => "name",
        Some(_) => "none",
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Continuation {
    /// The probability that a sentence with `features` continues the text before it.
    pub fn probability(&self, features: &[String]) -> f32 {
        let z: f32 = self.bias
            + features
                .iter()
                .filter_map(|f| self.weights.get(f))
                .sum::<f32>();
        sigmoid(z)
    }

    /// Whether a sentence of `tokens` and `tags` continues a text of `sentences_before`
    /// sentences.
    pub fn continues(&self, tokens: &[String], tags: &[String], sentences_before: usize) -> bool {
        self.probability(&features(tokens, tags, sentences_before)) >= self.threshold
    }

    /// Whether the weights and threshold are usable numbers.
    pub fn check(&self) -> Result<(), String> {
        if !crate::decode::is_threshold(self.threshold) {
            return Err(format!(
                "continuation threshold {} is not in [0, 1]",
                self.threshold
            ));
        }
        if let Some((name, w)) = self.weights.iter().find(|(_, w)| !w.is_finite()) {
            return Err(format!("continuation weight {name} is {w}"));
        }
        if !self.bias.is_finite() {
            return Err(format!("continuation bias is {}", self.bias));
        }
        Ok(())
    }

    /// Fits the weights to `examples` (a sentence's features, and whether it continued the text)
    /// by full-batch gradient descent on the mean log loss plus `l2` times the squared weights:
    /// deterministic, and the problem is small (a few hundred features, thousands of examples).
    pub fn fit(examples: &[(Vec<String>, bool)], l2: f32, threshold: f32) -> Continuation {
        const STEPS: usize = 2000;
        const RATE: f32 = 1.0;
        let mut names: Vec<&String> = examples.iter().flat_map(|(f, _)| f).collect();
        names.sort();
        names.dedup();
        let index: BTreeMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let rows: Vec<(Vec<usize>, f32)> = examples
            .iter()
            .map(|(f, y)| {
                (
                    f.iter().map(|n| index[n]).collect(),
                    f32::from(u8::from(*y)),
                )
            })
            .collect();
        let mut weights = vec![0.0f32; names.len()];
        let mut bias = 0.0f32;
        let scale = 1.0 / rows.len().max(1) as f32;
        for _ in 0..STEPS {
            let mut grad = vec![0.0f32; weights.len()];
            let mut grad_bias = 0.0f32;
            for (on, y) in &rows {
                let z = bias + on.iter().map(|&i| weights[i]).sum::<f32>();
                let error = sigmoid(z) - y;
                grad_bias += error;
                for &i in on {
                    grad[i] += error;
                }
            }
            bias -= RATE * grad_bias * scale;
            for (w, g) in weights.iter_mut().zip(grad) {
                *w -= RATE * (g * scale + 2.0 * l2 * *w);
            }
        }
        Continuation {
            weights: names
                .into_iter()
                .cloned()
                .zip(weights)
                .filter(|(_, w)| w.abs() >= 1e-4)
                .collect(),
            bias,
            threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn features_name_closed_class_words_and_tag_families_never_entity_names() {
        let f = features(
            &words("The capital of the country is Athens ."),
            &words("DT NN IN DT NN VBZ NNP ."),
            1,
        );
        assert_eq!(
            f,
            [
                "first=the",
                "subject=none",
                "first=the&subject=none",
                "sentences=1"
            ]
        );
        let f = features(
            &words("Baked Alaska is a dessert ."),
            &words("NNP NNP VBZ DT NN ."),
            7,
        );
        assert_eq!(f[0], "first=name");
        assert_eq!(f[1], "subject=name");
        assert_eq!(f[3], "sentences=3");
        assert_eq!(features(&[], &[], 1)[0], "first=none");
    }

    #[test]
    fn fitting_learns_which_openings_continue_and_a_bad_model_is_refused() {
        let the_none = features(&words("The capital is Athens"), &words("DT NN VBZ NNP"), 1);
        let the_name = features(&words("The Bakewell tart is"), &words("DT NNP NN VBZ"), 1);
        let mut examples = Vec::new();
        for _ in 0..9 {
            examples.push((the_none.clone(), true));
            examples.push((the_name.clone(), false));
        }
        examples.push((the_none.clone(), false));
        examples.push((the_name.clone(), true));
        let model = Continuation::fit(&examples, 1e-3, 0.5);
        assert!(model.check().is_ok());
        let (yes, no) = (model.probability(&the_none), model.probability(&the_name));
        assert!(yes > 0.8 && no < 0.2, "{yes} {no}");
        assert!(model.continues(&words("The capital is Athens"), &words("DT NN VBZ NNP"), 1));
        let json = serde_json::to_string(&model).unwrap();
        assert_eq!(serde_json::from_str::<Continuation>(&json).unwrap(), model);
        let bad = Continuation {
            threshold: 2.0,
            ..model.clone()
        };
        assert!(bad.check().unwrap_err().contains("threshold 2"));
        let mut nan = model;
        nan.weights.insert("first=it".into(), f32::NAN);
        assert!(nan.check().unwrap_err().contains("first=it"));
    }
}
