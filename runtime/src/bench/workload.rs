//! Inputs of exactly n tokens cut from real sentences, so that every backend times the same words.
//!
//! WebNLG sentences are mostly 10 to 40 tokens long; a 60- or 100-token input is consecutive test
//! sentences joined and cut at n (real words and real lengths of words, if not one real sentence).

use std::path::Path;

use rin_core::{DataFormat, PaddedBatch, Sentence, Vocab};

use crate::error::{Error, Result};

/// The tokens of a data set's sentences, in file order.
#[derive(Debug, Clone)]
pub struct Corpus {
    sentences: Vec<Vec<String>>,
}

impl Corpus {
    /// Reads `data_dir/{split}.json` (any format rin-core reads) and its `rel2id.json`.
    pub fn load(data_dir: &Path, split: &str) -> Result<Corpus> {
        let relations = rin_core::dataset::load_relations(data_dir)?;
        let json = data_dir.join(format!("{split}.json"));
        let path = if json.exists() {
            json
        } else {
            data_dir.join(format!("{split}.jsonl"))
        };
        let format = DataFormat::detect(&path)?;
        let dataset = rin_core::load_file(&path, format, &relations)?;
        Corpus::from_sentences(dataset.sentences.into_iter().map(|s| s.tokens).collect())
    }

    /// A corpus of the given token lists (empty ones are dropped).
    pub fn from_sentences(sentences: Vec<Vec<String>>) -> Result<Corpus> {
        let sentences: Vec<Vec<String>> = sentences.into_iter().filter(|s| !s.is_empty()).collect();
        if sentences.is_empty() {
            return Err(Error::EmptyCorpus);
        }
        Ok(Corpus { sentences })
    }

    /// `count` token sequences of exactly `n` tokens; sequence `i` starts at sentence
    /// `first + i` and runs on through the following sentences (wrapping round) until it is long
    /// enough.
    pub fn sequences(&self, n: usize, count: usize, first: usize) -> Vec<Vec<String>> {
        (0..count)
            .map(|i| {
                let mut tokens = Vec::with_capacity(n);
                let mut s = first + i;
                while tokens.len() < n {
                    let sentence = &self.sentences[s % self.sentences.len()];
                    tokens.extend(sentence.iter().take(n - tokens.len()).cloned());
                    s += 1;
                }
                tokens
            })
            .collect()
    }

    /// A padded model input of `batch` sequences of `n` tokens (POS ids UNK: the tagger is part of
    /// the end-to-end timing, not of the model's).
    pub fn batch(&self, n: usize, batch: usize, words: &Vocab, pos: &Vocab) -> PaddedBatch {
        let sentences: Vec<Sentence> = self
            .sequences(n, batch, 0)
            .into_iter()
            .map(Sentence::from_tokens)
            .collect();
        let refs: Vec<&Sentence> = sentences.iter().collect();
        PaddedBatch::new(&refs, words, pos)
    }

    /// Texts that tokenize to about `n` tokens: the sequences joined by spaces.
    pub fn texts(&self, n: usize, count: usize) -> Vec<String> {
        self.sequences(n, count, 0)
            .into_iter()
            .map(|tokens| tokens.join(" "))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Corpus {
        let s = |t: &str| t.split(' ').map(str::to_owned).collect::<Vec<_>>();
        Corpus::from_sentences(vec![s("a b c"), s("d e"), vec![], s("f g h i")]).unwrap()
    }

    #[test]
    fn sequences_have_exactly_n_tokens_from_consecutive_sentences() {
        let c = corpus();
        let seqs = c.sequences(4, 3, 0);
        assert_eq!(seqs[0], ["a", "b", "c", "d"]);
        assert_eq!(seqs[1], ["d", "e", "f", "g"]);
        // Wraps round to the first sentence.
        assert_eq!(seqs[2], ["f", "g", "h", "i"]);
        assert_eq!(c.sequences(10, 1, 2)[0].len(), 10);
        assert_eq!(c.sequences(2, 1, 0)[0], ["a", "b"]);
    }

    #[test]
    fn batches_are_full_length_and_texts_are_joined() {
        let c = corpus();
        let words = Vocab::new();
        let batch = c.batch(5, 3, &words, &Vocab::new());
        assert_eq!((batch.batch, batch.seq_len), (3, 5));
        assert!(batch.lengths.iter().all(|&l| l == 5));
        assert_eq!(c.texts(3, 1), ["a b c"]);
        assert!(Corpus::from_sentences(vec![vec![]]).is_err());
    }
}
