//! Training: a greedy left-to-right averaged perceptron (Collins 2002), with the tag dictionary
//! and feature set of Honnibal's tagger extended with affixes, shapes and word bigrams.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::corpus::TaggedSentence;
use crate::features::{normalize, Context, Lexicon, START, START2};
use crate::model::{FeatureMap, Model};

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Passes over the data.
    pub iterations: usize,
    /// Seed of the sentence shuffling before each pass.
    pub seed: u64,
    /// A word enters the tag dictionary if seen at least this often...
    pub tagdict_min_count: u32,
    /// ...with its most frequent tag at least this share of the time.
    pub tagdict_min_share: f64,
    /// Averaged weights smaller than this in magnitude are dropped.
    pub prune: f32,
    /// A word gets an ambiguity class if seen at least this often...
    pub lexicon_min_count: u32,
    /// ...made of the tags it had at least this share of the time.
    pub lexicon_min_share: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            iterations: 10,
            seed: 0x5eed,
            tagdict_min_count: 20,
            tagdict_min_share: 0.97,
            prune: 0.0,
            lexicon_min_count: 3,
            lexicon_min_share: 0.1,
        }
    }
}

/// A small deterministic generator (xorshift64*), for shuffling.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Dense weights with lazy averaging.
struct Weights {
    n_classes: usize,
    index: FeatureMap<u32>,
    hashes: Vec<u32>,
    current: Vec<f32>,
    totals: Vec<f64>,
    stamps: Vec<u32>,
}

impl Weights {
    fn row(&self, f: u32) -> Option<usize> {
        self.index.get(&f).map(|&r| r as usize * self.n_classes)
    }

    fn row_or_insert(&mut self, f: u32) -> usize {
        let next = self.hashes.len() as u32;
        let r = *self.index.entry(f).or_insert(next);
        if r == next {
            self.hashes.push(f);
            self.current
                .resize(self.current.len() + self.n_classes, 0.0);
            self.totals.resize(self.totals.len() + self.n_classes, 0.0);
            self.stamps.resize(self.stamps.len() + self.n_classes, 0);
        }
        r as usize * self.n_classes
    }

    fn predict(&self, features: &[u32], scores: &mut [f32]) -> u8 {
        scores.iter_mut().for_each(|s| *s = 0.0);
        for &f in features {
            if let Some(row) = self.row(f) {
                for (s, w) in scores
                    .iter_mut()
                    .zip(&self.current[row..row + self.n_classes])
                {
                    *s += w;
                }
            }
        }
        let mut best = 0;
        for (c, &s) in scores.iter().enumerate() {
            if s > scores[best] {
                best = c;
            }
        }
        best as u8
    }

    fn update(&mut self, step: u32, truth: u8, guess: u8, features: &[u32]) {
        for &f in features {
            let row = self.row_or_insert(f);
            for (class, delta) in [(truth, 1.0f32), (guess, -1.0)] {
                let k = row + class as usize;
                self.totals[k] += f64::from(step - self.stamps[k]) * f64::from(self.current[k]);
                self.stamps[k] = step;
                self.current[k] += delta;
            }
        }
    }

    fn averaged(&self, step: u32) -> impl Iterator<Item = (u32, Vec<(u8, f32)>)> + '_ {
        self.hashes.iter().enumerate().map(move |(r, &h)| {
            let row = r * self.n_classes;
            let ws = (0..self.n_classes)
                .filter_map(|c| {
                    let k = row + c;
                    let total = self.totals[k]
                        + f64::from(step - self.stamps[k]) * f64::from(self.current[k]);
                    let avg = (total / f64::from(step.max(1))) as f32;
                    (avg != 0.0).then_some((c as u8, avg))
                })
                .collect();
            (h, ws)
        })
    }
}

/// Trains a model on `sentences`. `progress` is called after each pass with the pass number and
/// the training accuracy of that pass.
pub fn train(
    sentences: &[TaggedSentence],
    config: &TrainConfig,
    mut progress: impl FnMut(usize, f64),
) -> Model {
    let tags: BTreeSet<&str> = sentences
        .iter()
        .flat_map(|s| s.tags.iter().map(String::as_str))
        .collect();
    let classes: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    let class_of: HashMap<&str, u8> = tags
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, i as u8))
        .collect();
    let tagdict = build_tagdict(sentences, &class_of, config);
    let lexicon = build_lexicon(sentences, &class_of, config);

    let prepared: Vec<(Context, Vec<u8>, &TaggedSentence)> = sentences
        .iter()
        .map(|s| {
            (
                Context::new(&s.words, &lexicon),
                s.tags.iter().map(|t| class_of[t.as_str()]).collect(),
                s,
            )
        })
        .collect();
    let mut weights = Weights {
        n_classes: classes.len(),
        index: FeatureMap::default(),
        hashes: Vec::new(),
        current: Vec::new(),
        totals: Vec::new(),
        stamps: Vec::new(),
    };
    let mut order: Vec<usize> = (0..prepared.len()).collect();
    let mut rng = Rng(config.seed.max(1));
    let mut step = 0u32;
    let mut features = Vec::with_capacity(32);
    let mut scores = vec![0f32; classes.len()];
    for pass in 1..=config.iterations {
        rng.shuffle(&mut order);
        let (mut correct, mut total) = (0usize, 0usize);
        for &k in &order {
            let (context, gold, sentence) = &prepared[k];
            let (mut prev, mut prev2) = (START, START2);
            for (i, &truth) in gold.iter().enumerate() {
                let guess = match tagdict.get(sentence.words[i].as_str()) {
                    Some(&t) => t,
                    None => {
                        features.clear();
                        context.features(i, prev, prev2, &mut features);
                        let guess = weights.predict(&features, &mut scores);
                        step += 1;
                        if guess != truth {
                            weights.update(step, truth, guess, &features);
                        }
                        guess
                    }
                };
                correct += usize::from(guess == truth);
                total += 1;
                prev2 = prev;
                prev = guess;
            }
        }
        progress(pass, correct as f64 / total.max(1) as f64);
    }
    Model::from_weights(
        classes,
        tagdict,
        lexicon,
        weights.averaged(step),
        config.prune,
    )
}

fn build_tagdict(
    sentences: &[TaggedSentence],
    class_of: &HashMap<&str, u8>,
    config: &TrainConfig,
) -> HashMap<String, u8> {
    let mut counts: BTreeMap<&str, BTreeMap<u8, u32>> = BTreeMap::new();
    for s in sentences {
        for (w, t) in s.words.iter().zip(&s.tags) {
            *counts
                .entry(w)
                .or_default()
                .entry(class_of[t.as_str()])
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(word, by_tag)| {
            let n: u32 = by_tag.values().sum();
            let (&tag, &best) = by_tag
                .iter()
                .max_by_key(|(&t, &c)| (c, std::cmp::Reverse(t)))?;
            (n >= config.tagdict_min_count
                && f64::from(best) / f64::from(n) >= config.tagdict_min_share)
                .then(|| (word.to_owned(), tag))
        })
        .collect()
}

fn build_lexicon(
    sentences: &[TaggedSentence],
    class_of: &HashMap<&str, u8>,
    config: &TrainConfig,
) -> Lexicon {
    let mut counts: BTreeMap<String, BTreeMap<u8, u32>> = BTreeMap::new();
    for s in sentences {
        for (w, t) in s.words.iter().zip(&s.tags) {
            *counts
                .entry(normalize(w))
                .or_default()
                .entry(class_of[t.as_str()])
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(word, by_tag)| {
            let n: u32 = by_tag.values().sum();
            let mask = by_tag
                .iter()
                .filter(|(_, &c)| f64::from(c) / f64::from(n) >= config.lexicon_min_share)
                .fold(0u64, |m, (&t, _)| m | 1 << t);
            (n >= config.lexicon_min_count && word.len() < 256).then_some((word, mask))
        })
        .collect()
}

/// Share of tokens whose predicted tag equals the gold tag.
pub fn accuracy(model: &Model, sentences: &[TaggedSentence]) -> f64 {
    let (mut correct, mut total) = (0usize, 0usize);
    for s in sentences {
        let ids = model.tag_ids(&s.words);
        for (id, gold) in ids.iter().zip(&s.tags) {
            correct += usize::from(model.classes[*id as usize] == *gold);
            total += 1;
        }
    }
    correct as f64 / total.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(pairs: &[(&str, &str)]) -> TaggedSentence {
        TaggedSentence {
            words: pairs.iter().map(|p| p.0.to_owned()).collect(),
            tags: pairs.iter().map(|p| p.1.to_owned()).collect(),
        }
    }

    #[test]
    fn learns_a_toy_corpus_deterministically_and_round_trips() {
        let data = vec![
            sentence(&[("the", "DT"), ("dog", "NN"), ("runs", "VBZ")]),
            sentence(&[("a", "DT"), ("cat", "NN"), ("sleeps", "VBZ")]),
            sentence(&[("the", "DT"), ("cat", "NN"), ("runs", "VBZ")]),
        ];
        let config = TrainConfig {
            iterations: 5,
            ..TrainConfig::default()
        };
        let a = train(&data, &config, |_, _| {});
        let b = train(&data, &config, |_, _| {});
        assert_eq!(a, b);
        assert_eq!(accuracy(&a, &data), 1.0);
        let mut bytes = Vec::new();
        a.write(&mut bytes).unwrap();
        let c = Model::read(&bytes).unwrap();
        assert_eq!(c.classes(), a.classes());
        assert_eq!(accuracy(&c, &data), 1.0);
        assert!(Model::read(&bytes[..bytes.len() / 2]).is_err());
    }
}
