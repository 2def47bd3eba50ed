//! One sentence's decoded output ([`Prediction`]) and how a batch's model outputs become it:
//! rin-core's decoding, the same as the trainer's eval.

use rin_core::{
    argmax_tags, decode_bioes, decode_cells, decode_triples, MatchMode, Span, Tag, Triple,
};

use crate::session::ModelOutput;

/// How one sentence's outputs are decoded: the relation threshold and triple matching. A
/// [`crate::Predictor`] has defaults ([`crate::Predictor::decode_options`]);
/// [`crate::Predictor::predict_with`] takes
/// them per sentence, so that one batch can serve requests that ask for different settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeOptions {
    /// Relation probability threshold.
    pub threshold: f32,
    /// Partial or exact triples.
    pub match_mode: MatchMode,
}

/// A triple with the model's probability for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredTriple {
    /// The triple (token spans and relation id).
    pub triple: Triple,
    /// `relation_probs[subject last token, object last token, relation]`.
    pub score: f32,
}

/// The model's decoded output for one sentence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prediction {
    /// One BIOES tag per token.
    pub tags: Vec<Tag>,
    /// Entity spans decoded from the tags.
    pub entities: Vec<Span>,
    /// Triples, ordered by subject end, object end, relation (per window).
    pub triples: Vec<ScoredTriple>,
}

impl Prediction {
    /// The triples without scores, as rin-core's evaluator takes them.
    pub fn plain_triples(&self) -> Vec<Triple> {
        self.triples.iter().map(|t| t.triple).collect()
    }
}

/// Decodes sentence `b` (of `n` tokens) of a batch with rin-core: what [`crate::Predictor::predict`]
/// does to each sentence of each batch (benchmarks time it as a stage of its own).
pub fn decode_one(output: &ModelOutput, b: usize, n: usize, options: DecodeOptions) -> Prediction {
    let tags = argmax_tags(output.entity_block(b), n);
    let triples = match &output.relation_cells {
        Some(cells) => decode_cells(
            &tags,
            cells.get(b).map_or(&[][..], Vec::as_slice),
            options.threshold,
            options.match_mode,
        )
        .into_iter()
        .map(|(triple, score)| ScoredTriple { triple, score })
        .collect(),
        None => {
            let probs = output.relation_block(b);
            let (seq, r) = (output.seq_len, output.relations);
            decode_triples(&tags, probs, seq, r, options.threshold, options.match_mode)
                .into_iter()
                .map(|triple| ScoredTriple {
                    score: probs[(triple.subject.last() * seq + triple.object.last()) * r
                        + triple.relation],
                    triple,
                })
                .collect()
        }
    };
    Prediction {
        entities: decode_bioes(&tags),
        tags,
        triples,
    }
}
