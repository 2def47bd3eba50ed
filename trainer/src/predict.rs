//! Triples for raw token sequences from a checkpoint: what the demo prints.

use std::path::Path;

use rin_core::checkpoint::choose_tagger;
use rin_core::{RelationSet, Sentence, Span};
use serde::{Deserialize, Serialize};
use tch::Device;

use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::eval::{predict, Decoding};
use crate::pos::{self, SentenceTagger};

/// A decoded triple as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedTriple {
    /// The subject's tokens, joined by spaces.
    pub subject: String,
    /// The relation name.
    pub relation: String,
    /// The object's tokens, joined by spaces.
    pub object: String,
    /// The subject's token range.
    pub subject_span: Span,
    /// The object's token range.
    pub object_span: Span,
}

/// A loaded checkpoint ready to extract triples from tokenized sentences.
pub struct Predictor {
    checkpoint: Checkpoint,
    relations: RelationSet,
    device: Device,
    tagger: Option<Box<dyn SentenceTagger>>,
    threshold: Option<f32>,
}

impl std::fmt::Debug for Predictor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Predictor")
            .field("checkpoint", &self.checkpoint.dir)
            .finish_non_exhaustive()
    }
}

impl Predictor {
    /// Loads the checkpoint in `dir` onto `device`. A model with POS input gets the tagger it was
    /// trained with when that is a plugin, else the configured `pos_tagger`; without any, tokens
    /// get the UNK tag (and a warning).
    pub fn load(dir: &Path, device: Device, plugin_dir: Option<&Path>) -> Result<Predictor> {
        let checkpoint = Checkpoint::load(dir, device)?;
        let relations = RelationSet::from_names(checkpoint.meta.relations.clone());
        let meta = &checkpoint.meta;
        let tagger = match choose_tagger(meta.pos.as_ref(), None, &meta.train.pos_tagger) {
            None => None,
            Some(name) => match pos::load_tagger(name, plugin_dir) {
                Ok(tagger) => Some(tagger),
                Err(e) => {
                    tracing::warn!(tagger = %name, error = %e, "no POS tagger: every token gets the UNK tag");
                    None
                }
            },
        };
        Ok(Predictor {
            checkpoint,
            relations,
            device,
            tagger,
            threshold: None,
        })
    }

    /// Decodes with this relation threshold instead of the training setting.
    pub fn with_threshold(mut self, threshold: f32) -> Predictor {
        self.threshold = Some(threshold);
        self
    }

    /// The loaded checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The triples of each sentence, unrolling `k` rounds (`None`: the trained K).
    pub fn extract(
        &mut self,
        sentences: &[Vec<String>],
        k: Option<usize>,
    ) -> Result<Vec<Vec<ExtractedTriple>>> {
        let meta = &self.checkpoint.meta;
        let mut prepared = Vec::with_capacity(sentences.len());
        for tokens in sentences.iter().filter(|t| !t.is_empty()) {
            let mut s = Sentence::from_tokens(tokens.clone());
            if let (Some(_), Some(tagger)) = (&meta.pos, self.tagger.as_mut()) {
                let tags = tagger.tag(tokens)?;
                s.pos_tags = Some(
                    tags.iter()
                        .map(|t| pos::normalize_tag(t).to_owned())
                        .collect(),
                );
            }
            prepared.push(s);
        }
        let pos_vocab = meta.pos_vocab();
        let decoding = Decoding {
            words: &meta.words,
            pos: &pos_vocab,
            k: k.unwrap_or(meta.model.k),
            threshold: self.threshold.unwrap_or(meta.threshold),
            mode: meta.match_mode,
            batch_size: 64,
        };
        let refs: Vec<&Sentence> = prepared.iter().collect();
        let predictions = predict(&self.checkpoint.model, &refs, &decoding, self.device)?;
        let mut by_input = predictions.into_iter().zip(prepared.iter());
        let mut out = Vec::with_capacity(sentences.len());
        for tokens in sentences {
            if tokens.is_empty() {
                out.push(Vec::new());
                continue;
            }
            let (p, s) = by_input
                .next()
                .expect("one prediction per non-empty sentence");
            let text = |span: Span| span.text(&s.tokens).unwrap_or_default();
            out.push(
                p.triples
                    .iter()
                    .map(|t| ExtractedTriple {
                        subject: text(t.subject),
                        relation: self.relations.name(t.relation).to_owned(),
                        object: text(t.object),
                        subject_span: t.subject,
                        object_span: t.object,
                    })
                    .collect(),
            );
        }
        Ok(out)
    }
}
