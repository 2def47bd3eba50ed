//! Training examples for the learned continuation decision (`rin_core::continuation`): texts of
//! a data set joined `n` at a time, as `rin eval --documents n` joins them, cut into sentences
//! by the model's segmenter; each sentence after the first of a document is an example,
//! continuing the text before it when it does not start a new data-set text.

use rin_core::continuation::features;
use rin_core::dataset::Dataset;
use rin_core::sentence::Sentence;

use crate::chunk::sentence_ranges;
use crate::pipeline::{join_tokens, Predictor};
use crate::Result;

/// One sentence's continuation features, and whether it continued the text before it.
pub type Example = (Vec<String>, bool);

/// The examples of `dataset` read as documents of `n` consecutive texts with `predictor`'s
/// segmenter and tagger (the data's own tags where it has them). Sentences without tags (a
/// model that reads none) give no example.
pub fn continuation_examples(
    predictor: &Predictor,
    dataset: &Dataset,
    n: usize,
) -> Result<Vec<Example>> {
    let mut examples = Vec::new();
    for (d, texts) in dataset.sentences.chunks(n.max(1)).enumerate() {
        let name = format!("document {}", d + 1);
        let document = Sentence::joined(&texts.iter().collect::<Vec<_>>());
        let text_starts: Vec<usize> = texts
            .iter()
            .scan(0, |offset, t| {
                let start = *offset;
                *offset += t.tokens.len();
                Some(start)
            })
            .collect();
        let (text, spans) = join_tokens(&document.tokens);
        let (_, starts) = predictor.segment(&text, &spans, &name)?;
        let prepared = predictor.prepare_sentences(
            document.tokens.clone(),
            document.pos_tags.clone(),
            &starts,
            &name,
        )?;
        let Some(tags) = prepared.pos_tags.as_ref() else {
            continue;
        };
        let mut sentences_before = 1;
        for sentence in sentence_ranges(prepared.len(), &starts).into_iter().skip(1) {
            let continued = text_starts.binary_search(&sentence.start).is_err();
            examples.push((
                features(
                    &prepared.tokens[sentence.clone()],
                    &tags[sentence],
                    sentences_before,
                ),
                continued,
            ));
            sentences_before = if continued { sentences_before + 1 } else { 1 };
        }
    }
    Ok(examples)
}
