//! Name-robust training (`--name-substitution P`): in a share `P` of the training sentences, each
//! epoch anew, every word of every gold entity mention is replaced by a word drawn from the
//! vocabulary rows that only the embeddings file brought (`--glove-words`), the same word for the
//! same word within a sentence. Tags and relation cells stay as they are: the model must find
//! entities and relations from the context and from pre-trained vectors, not from the few hundred
//! names of the training set. With [`SubstituteNeighbours`] (`--substitute-neighbours N`), a word
//! is replaced by one of its nearest substitute rows instead, so that the entity keeps its kind.
//! Partial-match data (WebNLG*) marks only a name's last word ("Alan [Bean]"), which would leave
//! "Alan" for the model to key on; [`NameSubstitution::with_name_prefixes`] also replaces the
//! proper nouns (POS `NNP`, `NNPS`) just before such a word. With [`SubstitutionUnit::Mention`]
//! each mention is replaced or kept on its own draw, so that sentences mix known and unseen names
//! as user text does ("A.C. Cesena is in Tartu").

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use rin_core::{PaddedBatch, Sentence};

use crate::mentions::{mention_spans, mention_words};
use crate::neighbours::SubstituteNeighbours;
use crate::rng::SplitMix64;

/// What one draw of `--name-substitution P` decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SubstitutionUnit {
    /// A share P of the sentences has all its mentions replaced.
    #[default]
    Sentence,
    /// Each distinct mention of every sentence is replaced with probability P.
    Mention,
}

/// The substitution of one epoch: its draw is fixed by the epoch's seed, so `--resume` repeats it.
#[derive(Debug, Clone)]
pub struct NameSubstitution {
    pool: Range<usize>,
    probability: f64,
    neighbours: Option<Arc<SubstituteNeighbours>>,
    name_prefixes: bool,
    unit: SubstitutionUnit,
    random: SplitMix64,
}

impl NameSubstitution {
    /// `None` when nothing would be replaced (probability 0, or no rows to draw from).
    pub fn new(pool: Range<usize>, probability: f64, seed: u64) -> Option<Self> {
        (probability > 0.0 && !pool.is_empty()).then_some(NameSubstitution {
            pool,
            probability,
            neighbours: None,
            name_prefixes: false,
            unit: SubstitutionUnit::Sentence,
            // Its own stream: the shuffle uses the same seed.
            random: SplitMix64::new(seed, 0x6E61_6D65_5F73_7562),
        })
    }

    /// Draws each word's substitute from its neighbours where it has a list.
    pub fn with_neighbours(mut self, neighbours: Option<Arc<SubstituteNeighbours>>) -> Self {
        self.neighbours = neighbours;
        self
    }

    /// Also replaces the proper nouns right before a mention (for partial-match data, whose
    /// mentions are last words only); needs POS tags, without them mentions stay as marked.
    pub fn with_name_prefixes(mut self, on: bool) -> Self {
        self.name_prefixes = on;
        self
    }

    /// Whether a draw picks a sentence (all its mentions) or one mention.
    pub fn with_unit(mut self, unit: SubstitutionUnit) -> Self {
        self.unit = unit;
        self
    }

    /// Replaces entity words in `batch`, whose row `b` holds `sentences[b]`. Returns how many
    /// sentences were changed.
    pub fn apply(&mut self, batch: &mut PaddedBatch, sentences: &[&Sentence]) -> usize {
        let mut changed = 0;
        for (b, sentence) in sentences.iter().enumerate() {
            if sentence.entities.is_empty() {
                continue;
            }
            let positions: Vec<usize> = match self.unit {
                SubstitutionUnit::Sentence => {
                    if self.random.uniform() >= self.probability {
                        continue;
                    }
                    mention_words(sentence, self.name_prefixes).collect()
                }
                SubstitutionUnit::Mention => self.chosen_mentions(sentence),
            };
            if positions.is_empty() {
                continue;
            }
            // The same word gets the same substitute wherever it stands in the sentence.
            let row = b * batch.seq_len;
            let mut replacement: HashMap<i64, i64> = HashMap::new();
            for t in positions {
                let original = batch.word_ids[row + t];
                let new = *replacement
                    .entry(original)
                    .or_insert_with(|| self.draw(original));
                batch.word_ids[row + t] = new;
            }
            changed += 1;
        }
        changed
    }

    /// The words of the mentions drawn for replacement, one draw per distinct mention text
    /// (a name said twice is replaced in both places or in neither).
    fn chosen_mentions(&mut self, sentence: &Sentence) -> Vec<usize> {
        let mut decided: HashMap<&[String], bool> = HashMap::new();
        let mut positions = Vec::new();
        for span in mention_spans(sentence, self.name_prefixes) {
            let (probability, random) = (self.probability, &mut self.random);
            if *decided
                .entry(&sentence.tokens[span.clone()])
                .or_insert_with(|| random.uniform() < probability)
            {
                positions.extend(span);
            }
        }
        positions
    }

    fn draw(&mut self, original: i64) -> i64 {
        let near = self.neighbours.as_ref().and_then(|n| n.of(original));
        match near {
            Some(list) => list[self.random.below(list.len())],
            None => (self.pool.start + self.random.below(self.pool.len())) as i64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rin_core::{Span, Vocab};

    fn sentence(tokens: &str, entities: &[(usize, usize)]) -> Sentence {
        let mut s = Sentence::from_tokens(tokens.split(' ').map(String::from).collect());
        s.entities = entities.iter().map(|&(a, b)| Span::new(a, b)).collect();
        s
    }

    #[test]
    fn entity_words_are_replaced_consistently_and_the_rest_is_kept() {
        let mut words = Vocab::new();
        for w in "bach was born in eisenach and bach died".split(' ') {
            words.insert(w);
        }
        let s = sentence(
            "bach was born in eisenach and bach died",
            &[(0, 1), (4, 5), (6, 7)],
        );
        let other = sentence("born in", &[]);
        let sentences = [&s, &other];
        let mut batch = PaddedBatch::new(&sentences, &words, &Vocab::new());
        let before = batch.clone();
        let mut sub = NameSubstitution::new(100..200, 1.0, 7).unwrap();
        assert_eq!(sub.apply(&mut batch, &sentences), 1);
        let ids = &batch.word_ids;
        for t in [0, 4, 6] {
            assert!((100..200).contains(&ids[t]), "token {t}: {}", ids[t]);
        }
        // The same name gets the same substitute; another name most likely another.
        assert_eq!(ids[0], ids[6]);
        for t in [1, 2, 3, 5, 7] {
            assert_eq!(ids[t], before.word_ids[t]);
        }
        assert_eq!(
            batch.word_ids[batch.seq_len..],
            before.word_ids[batch.seq_len..]
        );
        assert_eq!(batch.tags, before.tags);
        assert_eq!(batch.relation_cells, before.relation_cells);
    }

    #[test]
    fn a_word_with_neighbours_is_replaced_by_one_of_them() {
        let mut words = Vocab::new();
        for w in "bach was born in eisenach".split(' ') {
            words.insert(w);
        }
        let s = sentence("bach was born in eisenach", &[(0, 1), (4, 5)]);
        let sentences = [&s];
        let eisenach = words.id("eisenach") as i64;
        let lists = HashMap::from([(eisenach, vec![150, 151])]);
        let near = Arc::new(SubstituteNeighbours::from_lists(lists));
        for seed in 0..20 {
            let mut batch = PaddedBatch::new(&sentences, &words, &Vocab::new());
            let mut sub = NameSubstitution::new(100..200, 1.0, seed)
                .unwrap()
                .with_neighbours(Some(near.clone()));
            sub.apply(&mut batch, &sentences);
            assert!([150, 151].contains(&batch.word_ids[4]), "seed {seed}");
            assert!((100..200).contains(&batch.word_ids[0]), "no list: any row");
        }
    }

    /// The token positions of `sentence` that `substitution` changes.
    fn replaced_positions(
        sentence: &Sentence,
        words: &Vocab,
        mut substitution: NameSubstitution,
    ) -> Vec<usize> {
        let sentences = [sentence];
        let mut batch = PaddedBatch::new(&sentences, words, &Vocab::new());
        let before = batch.word_ids.clone();
        substitution.apply(&mut batch, &sentences);
        (0..sentence.len())
            .filter(|&t| batch.word_ids[t] != before[t])
            .collect()
    }

    #[test]
    fn name_prefixes_replace_the_proper_nouns_before_a_last_word_mention() {
        let mut words = Vocab::new();
        for w in "the american alan bean was born in wheeler , texas".split(' ') {
            words.insert(w);
        }
        // Partial match: "Bean" and "Texas" are marked, "Alan" and "Wheeler" are not.
        let mut s = sentence(
            "the american alan bean was born in wheeler , texas",
            &[(3, 4), (9, 10)],
        );
        s.pos_tags = Some(
            "DT JJ NNP NNP VBD VBN IN NNP , NNP"
                .split(' ')
                .map(String::from)
                .collect(),
        );
        let replaced = |s: &Sentence, prefixes: bool| {
            let substitution = NameSubstitution::new(100..200, 1.0, 3)
                .unwrap()
                .with_name_prefixes(prefixes);
            replaced_positions(s, &words, substitution)
        };
        assert_eq!(replaced(&s, false), vec![3, 9]);
        // "alan" joins "bean"; "wheeler" is cut off from "texas" by the comma; "american" is JJ.
        assert_eq!(replaced(&s, true), vec![2, 3, 9]);
        let mut untagged = s.clone();
        untagged.pos_tags = None;
        assert_eq!(
            replaced(&untagged, true),
            vec![3, 9],
            "no tags: mentions as marked"
        );
    }

    #[test]
    fn mention_units_replace_some_names_of_a_sentence_and_keep_the_others() {
        let mut words = Vocab::new();
        for w in "cesena is in tartu and cesena has fans".split(' ') {
            words.insert(w);
        }
        let s = sentence(
            "cesena is in tartu and cesena has fans",
            &[(0, 1), (3, 4), (5, 6)],
        );
        let sentences = [&s];
        let (mut mixed, mut cesena_apart) = (0, 0);
        for seed in 0..200 {
            let mut batch = PaddedBatch::new(&sentences, &words, &Vocab::new());
            let before = batch.word_ids.clone();
            NameSubstitution::new(100..200, 0.5, seed)
                .unwrap()
                .with_unit(SubstitutionUnit::Mention)
                .apply(&mut batch, &sentences);
            let ids = &batch.word_ids;
            let changed = |t: usize| ids[t] != before[t];
            if changed(0) != changed(3) {
                mixed += 1;
            }
            if changed(0) != changed(5) || (changed(0) && ids[0] != ids[5]) {
                cesena_apart += 1;
            }
            for t in [1, 2, 4, 6, 7] {
                assert!(!changed(t), "seed {seed}: token {t} is no mention");
            }
        }
        // Two independent draws at 0.5 differ about half the time; a sentence-level draw never.
        assert!((60..140).contains(&mixed), "{mixed} of 200 mixed");
        assert_eq!(
            cesena_apart, 0,
            "one draw and one substitute per mention text"
        );
    }

    #[test]
    fn the_probability_and_the_seed_decide_what_changes() {
        let words = Vocab::new();
        let many: Vec<Sentence> = (0..2000).map(|_| sentence("a b c", &[(0, 2)])).collect();
        let refs: Vec<&Sentence> = many.iter().collect();
        let batch = PaddedBatch::new(&refs, &words, &Vocab::new());
        let count = |p, seed| {
            let mut b = batch.clone();
            NameSubstitution::new(10..20, p, seed).map_or(0, |mut s| s.apply(&mut b, &refs))
        };
        let third = count(0.3, 1);
        assert!((500..700).contains(&third), "{third} of 2000 at p = 0.3");
        assert_eq!(count(0.3, 1), third, "same seed, same draw");
        assert_eq!(count(0.0, 1), 0);
        assert_eq!(count(1.0, 2), 2000);
        assert!(NameSubstitution::new(5..5, 1.0, 1).is_none());
    }
}
