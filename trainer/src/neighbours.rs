//! Substitutes of the same kind for name-robust training (`--substitute-neighbours N`): each word
//! of a training entity mention may be replaced only by one of its `N` nearest substitute rows in
//! the pre-trained vector space (cosine), so that a city stands in for a city, a first name for a
//! first name and a year for a year. A uniform draw over all substitute rows (N = 0) replaces names
//! by any word ("born in walked"), which also hides the kind of entity the relation depends on.
//!
//! The neighbours are a function of the vocabulary, the training mentions and the embeddings file
//! alone (never of trained rows), so a resumed run rebuilds the same lists.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use rin_core::{load_glove, Sentence, Vocab};
use tch::{Kind, Tensor};

use crate::error::{Error, Result};
use crate::mentions::mention_words;

/// Queries scored against every candidate at once: bounds the similarity block to
/// `QUERY_BLOCK x candidates` floats (100 MB for 100,000 candidates).
const QUERY_BLOCK: usize = 256;

/// For each entity word with a pre-trained vector, its nearest substitute rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubstituteNeighbours {
    lists: HashMap<i64, Vec<i64>>,
}

impl SubstituteNeighbours {
    /// The `n` nearest rows of `pool` for every word substitution may replace in `sentences`
    /// ([`mention_words`], proper nouns before a mention included with `name_prefixes`) that has
    /// a vector in the GloVe file `embeddings` (words without one get no list and are replaced by
    /// a uniform draw).
    pub fn build(
        words: &Vocab,
        sentences: &[Sentence],
        pool: Range<usize>,
        embeddings: &Path,
        n: usize,
        name_prefixes: bool,
    ) -> Result<Self> {
        let queries: BTreeSet<usize> = sentences
            .iter()
            .flat_map(|s| mention_words(s, name_prefixes).map(move |t| words.word_id(&s.tokens[t])))
            .filter(|&id| id > rin_core::UNK)
            .collect();
        let wanted: HashSet<String> = queries
            .iter()
            .copied()
            .chain(pool.clone())
            .filter_map(|id| words.token(id).map(String::from))
            .collect();
        let glove = load_glove(embeddings, Some(&wanted)).map_err(Error::data(format!(
            "read word vectors {}",
            embeddings.display()
        )))?;
        let vector = |id: usize| {
            let word = words.token(id)?;
            glove
                .vocab
                .contains(word)
                .then(|| glove.row(glove.vocab.id(word)))
                .flatten()
        };
        let (mut candidate_ids, mut candidates) = (Vec::new(), Vec::new());
        for id in pool {
            if let Some(v) = vector(id) {
                candidate_ids.push(id as i64);
                candidates.extend_from_slice(v);
            }
        }
        let (mut query_ids, mut query_vectors) = (Vec::new(), Vec::new());
        for &id in &queries {
            if let Some(v) = vector(id) {
                query_ids.push(id as i64);
                query_vectors.extend_from_slice(v);
            }
        }
        let nearest = nearest_rows(&query_vectors, &candidates, glove.dim, n);
        let lists = query_ids
            .into_iter()
            .zip(nearest)
            .map(|(word, rows)| (word, rows.iter().map(|&r| candidate_ids[r]).collect()))
            .collect();
        Ok(SubstituteNeighbours { lists })
    }

    /// The substitutes of `word`, nearest first, if it has a list.
    pub fn of(&self, word: i64) -> Option<&[i64]> {
        self.lists
            .get(&word)
            .map(Vec::as_slice)
            .filter(|l| !l.is_empty())
    }

    /// How many words have a list.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether no word has a list.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Lists given directly (tests).
    pub fn from_lists(lists: HashMap<i64, Vec<i64>>) -> Self {
        SubstituteNeighbours { lists }
    }
}

/// For each row of `queries` (`q x dim`), the indices of its `n` most cosine-similar rows of
/// `candidates` (`c x dim`), most similar first.
pub fn nearest_rows(queries: &[f32], candidates: &[f32], dim: usize, n: usize) -> Vec<Vec<usize>> {
    let (q, c) = (queries.len() / dim.max(1), candidates.len() / dim.max(1));
    let n = n.min(c);
    if q == 0 || n == 0 {
        return vec![Vec::new(); q];
    }
    let unit = |rows: &[f32], count: usize| {
        let t = Tensor::from_slice(rows).view([count as i64, dim as i64]);
        let norm = t.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12);
        t / norm
    };
    tch::no_grad(|| {
        let candidates = unit(candidates, c).transpose(0, 1);
        let queries = unit(queries, q);
        let mut out = Vec::with_capacity(q);
        for start in (0..q).step_by(QUERY_BLOCK) {
            let len = QUERY_BLOCK.min(q - start);
            let block = queries
                .narrow(0, start as i64, len as i64)
                .matmul(&candidates);
            let (_, index) = block.topk(n as i64, 1, true, true);
            let index = index.to_kind(Kind::Int64).contiguous();
            let flat = Vec::<i64>::try_from(index.view([-1])).unwrap_or_default();
            out.extend(
                flat.chunks(n)
                    .map(|row| row.iter().map(|&i| i as usize).collect()),
            );
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rows_rank_by_cosine_not_length() {
        // Candidates: along x (long), along y, between x and y.
        let candidates = [10.0, 0.0, 0.0, 1.0, 1.0, 1.1];
        let queries = [1.0, 0.1, 0.0, 2.0];
        let near = nearest_rows(&queries, &candidates, 2, 2);
        assert_eq!(near, vec![vec![0, 2], vec![1, 2]]);
        assert_eq!(nearest_rows(&queries, &candidates, 2, 9)[0].len(), 3);
    }

    #[test]
    fn entity_words_get_neighbours_from_the_pool_only() {
        let dir = tempfile::tempdir().unwrap();
        let glove = dir.path().join("g.txt");
        std::fs::write(
            &glove,
            "paris 1 0\nborn 0 1\nlyon 0.9 0.1\nwalked 0.1 1\nnice 0.8 0.3\n",
        )
        .unwrap();
        let mut words = Vocab::new();
        for w in ["paris", "born", "lyon", "walked", "nice"] {
            words.insert(w);
        }
        let mut s = Sentence::from_tokens(vec!["Paris".into(), "born".into()]);
        s.entities = vec![rin_core::Span::new(0, 1)];
        // Pool: lyon, walked, nice (ids 4..7).
        let near = SubstituteNeighbours::build(&words, &[s], 4..7, &glove, 2, false).unwrap();
        assert_eq!(near.len(), 1, "only the entity word has a list");
        assert_eq!(near.of(2), Some(&[4i64, 6][..]), "lyon, then nice");
        assert_eq!(near.of(3), None);
    }
}
