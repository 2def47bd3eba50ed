//! How a model reads documents: the sentence segmenter that cuts them, and the chunks of
//! consecutive sentences the model runs on (rin-runtime's `chunk` module says how chunks are cut
//! and merged). An export records the plan chosen for its model in `manifest.json` (`reading`);
//! `rin`'s options override it, and manifests written before it existed read as
//! [`ReadingPlan::default`], the plan chosen on WebNLG and WebNLG* dev for the models trained on
//! single entries (RESULTS.md, "Documents").

use serde::{Deserialize, Serialize};

use crate::continuation::Continuation;

/// The segmenter used when the manifest names none: the `english` plugin.
pub const DEFAULT_SEGMENTER: &str = "english";
/// The largest training text of WebNLG and WebNLG* in tokens (80).
pub const DEFAULT_CHUNK_TOKENS: usize = 80;
/// A text of at most this many sentences (and [`DEFAULT_CHUNK_TOKENS`] tokens) is read whole.
/// 98% of WebNLG's training texts have at most 3 sentences; 4 was chosen on WebNLG and WebNLG*
/// dev: it reads every dev text whole as before, while five texts joined into one (often under 80
/// tokens) are read in chunks.
pub const DEFAULT_WHOLE_SENTENCES: usize = 4;
/// Sentences per chunk: pairs of adjacent sentences. Chosen on WebNLG dev with the shipped exact
/// model: larger chunks, up to a training text's 6 sentences, found more facts across sentences
/// and many more false ones.
pub const DEFAULT_CHUNK_SENTENCES: usize = 2;
/// The probability a triple linking two texts needs (`links: orphans`, chosen on WebNLG and
/// WebNLG* dev, session 11: 0.5, 0.9 and 0.99 within 0.4 F1 of each other, 0.9 best on WebNLG).
/// `links: pairs` was chosen at 0.99: models trained on single entries are confidently wrong
/// about many links between unrelated sentences, and pairs read every boundary.
pub const DEFAULT_JOINT_THRESHOLD: f32 = 0.9;

/// How sentences of a text too long to read whole are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceLinks {
    /// A sentence that opens with a pronoun (`It`, `His`, `They`, ...) is read together with
    /// the sentences before it, as one training-like text within the chunk budget; every other
    /// sentence starts a new text. Texts are read whole and no triple links two of them.
    Anaphora,
    /// Each sentence alone, plus chunks of `chunk_sentences` adjacent sentences that add only the
    /// triples linking two sentences with at least `joint_threshold`.
    Pairs,
    /// As `anaphora`, then each two adjacent texts read together add the triples (at least
    /// `joint_threshold`) that link an entity of the later text which its own reading left
    /// unlinked (an orphan) to an entity of the text before: in WebNLG every entity of a text
    /// takes part in a fact, so an orphan is a sign of a fact stated across the cut ("X is in
    /// Greece . The capital of the country is Athens ."). The default since session 11.
    #[default]
    Orphans,
}

/// The reading of documents an export was chosen with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadingPlan {
    /// The sentence segmenter plugin, or `lines` (one sentence per line).
    pub segmenter: String,
    /// Tokens per chunk of sentences, at most; a text of at most this many tokens and
    /// `whole_sentences` sentences is read whole, like a training text.
    pub chunk_tokens: usize,
    /// Sentences of a text read whole, at most.
    pub whole_sentences: usize,
    /// Sentences per chunk of a longer text, at most; each sentence is also read alone.
    pub chunk_sentences: usize,
    /// The probability a triple linking two sentences of a chunk (`pairs`) or two texts
    /// (`orphans`) needs.
    pub joint_threshold: f32,
    /// How the sentences of a longer text are linked.
    pub links: SentenceLinks,
    /// With `links: anaphora` or `orphans`, the learned decision whether a sentence continues the
    /// text before it; `None` (manifests written before it existed) is the pronoun list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation: Option<Continuation>,
}

/// Which continuation decision to use instead of the plan's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ContinuationRule {
    /// The pronoun list, even where the plan has a learned decision.
    Pronouns,
    /// The plan's learned decision, with this threshold.
    Threshold(f32),
}

impl Default for ReadingPlan {
    fn default() -> Self {
        ReadingPlan {
            segmenter: DEFAULT_SEGMENTER.into(),
            chunk_tokens: DEFAULT_CHUNK_TOKENS,
            whole_sentences: DEFAULT_WHOLE_SENTENCES,
            chunk_sentences: DEFAULT_CHUNK_SENTENCES,
            joint_threshold: DEFAULT_JOINT_THRESHOLD,
            links: SentenceLinks::default(),
            continuation: None,
        }
    }
}

/// Reading settings given for one use of a model; each `None` keeps the plan's (the manifest's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadingOverrides {
    /// The sentence segmenter plugin, or `lines`.
    pub segmenter: Option<String>,
    /// Tokens per chunk of sentences, at most.
    pub chunk_tokens: Option<usize>,
    /// Sentences of a text read whole, at most.
    pub whole_sentences: Option<usize>,
    /// Sentences per chunk of a longer text, at most.
    pub chunk_sentences: Option<usize>,
    /// The probability a triple linking two sentences of a chunk needs.
    pub joint_threshold: Option<f32>,
    /// How the sentences of a longer text are linked.
    pub links: Option<SentenceLinks>,
    /// The continuation decision (`links: anaphora`).
    pub continuation: Option<ContinuationRule>,
}

impl ReadingOverrides {
    /// `plan` with these settings put over it.
    pub fn over(&self, plan: &ReadingPlan) -> ReadingPlan {
        ReadingPlan {
            segmenter: self
                .segmenter
                .clone()
                .unwrap_or_else(|| plan.segmenter.clone()),
            chunk_tokens: self.chunk_tokens.unwrap_or(plan.chunk_tokens),
            whole_sentences: self.whole_sentences.unwrap_or(plan.whole_sentences),
            chunk_sentences: self.chunk_sentences.unwrap_or(plan.chunk_sentences),
            joint_threshold: self.joint_threshold.unwrap_or(plan.joint_threshold),
            links: self.links.unwrap_or(plan.links),
            continuation: match self.continuation {
                None => plan.continuation.clone(),
                Some(ContinuationRule::Pronouns) => None,
                Some(ContinuationRule::Threshold(threshold)) => plan
                    .continuation
                    .clone()
                    .map(|c| Continuation { threshold, ..c }),
            },
        }
    }

    /// Whether these settings fit `plan`: a continuation threshold needs a learned decision.
    pub fn check_against(&self, plan: &ReadingPlan) -> Result<(), String> {
        match self.continuation {
            Some(ContinuationRule::Threshold(t)) if plan.continuation.is_none() => Err(format!(
                "continuation threshold {t} given, but the model's reading plan has no learned \
                 continuation (`rin fit-continuation` fits one)"
            )),
            _ => Ok(()),
        }
    }
}

impl ReadingPlan {
    /// Whether every number is usable: chunks of at least one token and one sentence, and a
    /// joint threshold in [0, 1].
    pub fn check(&self) -> Result<(), String> {
        if self.chunk_tokens == 0 || self.whole_sentences == 0 || self.chunk_sentences == 0 {
            return Err(format!(
                "chunk sizes must be at least 1 (tokens {}, whole sentences {}, chunk sentences {})",
                self.chunk_tokens, self.whole_sentences, self.chunk_sentences
            ));
        }
        if !crate::decode::is_threshold(self.joint_threshold) {
            return Err(format!(
                "joint threshold {} is not in [0, 1]",
                self.joint_threshold
            ));
        }
        if self.segmenter.trim().is_empty() {
            return Err("no segmenter named".into());
        }
        self.continuation
            .as_ref()
            .map_or(Ok(()), Continuation::check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_without_a_plan_or_with_part_of_one_reads_the_defaults() {
        let whole: ReadingPlan = serde_json::from_str("{}").unwrap();
        assert_eq!(whole, ReadingPlan::default());
        let part: ReadingPlan = serde_json::from_str(r#"{"chunk_tokens": 160}"#).unwrap();
        assert_eq!(part.chunk_tokens, 160);
        assert_eq!(part.joint_threshold, DEFAULT_JOINT_THRESHOLD);
        assert!(ReadingPlan::default().check().is_ok());
        let pairs: ReadingPlan = serde_json::from_str(r#"{"links": "pairs"}"#).unwrap();
        assert_eq!(pairs.links, SentenceLinks::Pairs);
        let given = ReadingOverrides {
            chunk_tokens: Some(120),
            links: Some(SentenceLinks::Anaphora),
            ..ReadingOverrides::default()
        };
        let plan = given.over(&pairs);
        assert_eq!(
            (plan.chunk_tokens, plan.links),
            (120, SentenceLinks::Anaphora)
        );
        assert_eq!(plan.whole_sentences, pairs.whole_sentences);
        assert_eq!(ReadingOverrides::default().over(&pairs), pairs);
        let bad = ReadingPlan {
            joint_threshold: 1.5,
            ..ReadingPlan::default()
        };
        assert!(bad.check().unwrap_err().contains("1.5"));
    }

    #[test]
    fn a_learned_continuation_is_read_overridden_and_checked() {
        let plan: ReadingPlan = serde_json::from_str(
            r#"{"continuation": {"weights": {"first=the&subject=none": 1.5}, "bias": -0.5, "threshold": 0.6}}"#,
        )
        .unwrap();
        let learned = plan.continuation.clone().unwrap();
        assert_eq!(learned.weights["first=the&subject=none"], 1.5);
        assert!(plan.check().is_ok());
        // `--continuation 0.8` keeps the weights at a new threshold; `pronouns` drops them.
        let at = |rule| ReadingOverrides {
            continuation: Some(rule),
            ..ReadingOverrides::default()
        };
        let higher = at(ContinuationRule::Threshold(0.8)).over(&plan);
        assert_eq!(higher.continuation.as_ref().map(|c| c.threshold), Some(0.8));
        assert_eq!(higher.continuation.unwrap().weights, learned.weights);
        assert_eq!(
            at(ContinuationRule::Pronouns).over(&plan).continuation,
            None
        );
        // A threshold for a plan without a learned decision is refused, and says why.
        let err = at(ContinuationRule::Threshold(0.8))
            .check_against(&ReadingPlan::default())
            .unwrap_err();
        assert!(err.contains("no learned continuation"), "{err}");
        // A recorded decision with an unusable threshold makes the plan unusable.
        let bad: ReadingPlan = serde_json::from_str(
            r#"{"continuation": {"weights": {}, "bias": 0.0, "threshold": 1.5}}"#,
        )
        .unwrap();
        assert!(bad
            .check()
            .unwrap_err()
            .contains("continuation threshold 1.5"));
        // Written plans without a learned decision stay as before (no `continuation` key).
        let json = serde_json::to_value(ReadingPlan::default()).unwrap();
        assert!(json.get("continuation").is_none());
    }
}
