//! Document-shaped training (`--join-texts P`): users hand the model paragraphs in which texts
//! about different things follow each other, while every WebNLG training input is one short entry
//! about one thing, so a model trained on entries alone links entities across unrelated sentences
//! with confidence. Each epoch anew, a share `P` of the training inputs are entries read together
//! with the entries that follow them. The gold of a joined input is that of a document: a pair of
//! mentions is linked when their strings and the relation make a gold triple of any of its entries
//! (neighbouring entries often state the same fact again, and a document's facts are scored as
//! strings); other pairs across entries are not linked. [`JoinOrder::Neighbours`] joins the entries that follow in the data file,
//! which are about the same kind of thing (WebNLG lists entries by category and entity), as in a
//! user's paragraph: the model must learn that a fact's relation type fitting is not enough.
//! [`JoinOrder::Random`] joins entries from anywhere (easier negatives).

use std::collections::HashMap;

use rin_core::Sentence;
use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// Entries per joined input, at most.
pub const MAX_JOINED: usize = 5;
/// Tokens per joined input, at most: five WebNLG entries hold 115 tokens on average, and the
/// relation tensor grows with the square of the length.
pub const MAX_JOINED_TOKENS: usize = 160;

/// Which entries are read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum JoinOrder {
    /// An entry and those after it in the data file.
    #[default]
    Neighbours,
    /// An entry and those after it in the epoch's random order.
    Random,
}

/// The joining of one epoch; its draw is fixed by the epoch's seed.
#[derive(Debug, Clone)]
pub struct TextJoining {
    probability: f64,
    order: JoinOrder,
    random: SplitMix64,
}

impl TextJoining {
    /// `None` when nothing would be joined.
    pub fn new(probability: f64, order: JoinOrder, seed: u64) -> Option<Self> {
        (probability > 0.0).then(|| TextJoining {
            probability,
            order,
            random: SplitMix64::new(seed, 0x6A6F_696E_5F74_7874),
        })
    }

    /// The epoch's inputs as groups of entry indices: every entry in exactly one group, groups of
    /// up to [`MAX_JOINED`] entries and [`MAX_JOINED_TOKENS`] tokens (a longer entry stays alone).
    pub fn groups(&mut self, lengths: &[usize]) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..lengths.len()).collect();
        if self.order == JoinOrder::Random {
            self.random.shuffle(&mut order);
        }
        let mut groups = Vec::new();
        let mut rest = order.as_slice();
        while let Some((&first, tail)) = rest.split_first() {
            let mut group = vec![first];
            rest = tail;
            if self.random.uniform() < self.probability {
                let wanted = 2 + self.random.below(MAX_JOINED - 1);

                let mut tokens = lengths[first];
                while group.len() < wanted {
                    match rest.split_first() {
                        Some((&next, tail)) if tokens + lengths[next] <= MAX_JOINED_TOKENS => {
                            tokens += lengths[next];
                            group.push(next);
                            rest = tail;
                        }
                        _ => break,
                    }
                }
            }
            groups.push(group);
        }
        groups
    }

    /// The epoch's training inputs: `entries` joined per [`TextJoining::groups`].
    pub fn join(&mut self, entries: &[Sentence]) -> Vec<Sentence> {
        let lengths: Vec<usize> = entries.iter().map(Sentence::len).collect();
        self.groups(&lengths)
            .iter()
            .map(|group| {
                let parts: Vec<&Sentence> = group.iter().map(|&i| &entries[i]).collect();
                let mut whole = Sentence::joined(&parts);
                if parts.len() > 1 {
                    link_by_strings(&mut whole);
                }
                whole
            })
            .collect()
    }
}

/// Adds a triple for every pair of entity mentions whose strings, with a relation, make one of
/// `sentence`'s gold triples.
fn link_by_strings(sentence: &mut Sentence) {
    let text = |span: &rin_core::Span| sentence.tokens[span.start..span.end].join(" ");
    let mut mentions: HashMap<String, Vec<rin_core::Span>> = HashMap::new();
    for span in &sentence.entities {
        mentions.entry(text(span)).or_default().push(*span);
    }
    // In the triples' order (a set's order would vary between runs, and so would the batches).
    let mut facts: Vec<(String, usize, String)> = Vec::new();
    for t in &sentence.triples {
        let fact = (text(&t.subject), t.relation, text(&t.object));
        if !facts.contains(&fact) {
            facts.push(fact);
        }
    }
    let mut triples = sentence.triples.clone();
    for (subject, relation, object) in &facts {
        let (Some(subjects), Some(objects)) = (mentions.get(subject), mentions.get(object)) else {
            continue;
        };
        for &subject in subjects {
            for &object in objects {
                let triple = rin_core::Triple {
                    subject,
                    relation: *relation,
                    object,
                };
                if !triples.contains(&triple) {
                    triples.push(triple);
                }
            }
        }
    }
    sentence.triples = triples;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rin_core::{Span, Triple};

    #[test]
    fn every_entry_is_read_once_and_groups_respect_the_limits() {
        let lengths: Vec<usize> = (0..1000).map(|i| 5 + (i * 37) % 90).collect();
        let groups = TextJoining::new(0.5, JoinOrder::Random, 3)
            .unwrap()
            .groups(&lengths);
        let mut seen: Vec<usize> = groups.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..1000).collect::<Vec<_>>());
        let joined = groups.iter().filter(|g| g.len() > 1).count();
        assert!((250..500).contains(&joined), "{joined} joined groups");
        for g in groups.iter().filter(|g| g.len() > 1) {
            assert!(g.len() <= MAX_JOINED);
            assert!(g.iter().map(|&i| lengths[i]).sum::<usize>() <= MAX_JOINED_TOKENS);
        }
        let again = TextJoining::new(0.5, JoinOrder::Random, 3)
            .unwrap()
            .groups(&lengths);
        assert_eq!(groups, again, "same seed, same groups");
        assert!(TextJoining::new(0.0, JoinOrder::Random, 3).is_none());

        // Neighbours: each group is a run of consecutive entries, in the file's order.
        let groups = TextJoining::new(0.5, JoinOrder::Neighbours, 3)
            .unwrap()
            .groups(&lengths);
        let flat: Vec<usize> = groups.iter().flatten().copied().collect();
        assert_eq!(flat, (0..1000).collect::<Vec<_>>());
        assert!(groups.iter().any(|g| g.len() > 2));
    }

    #[test]
    fn a_fact_stated_again_links_its_mentions_across_entries() {
        let entry = |text: &str| {
            let mut s = Sentence::from_tokens(text.split(' ').map(String::from).collect());
            let (subject, object) = (Span::new(0, 1), Span::new(4, 5));
            s.entities = vec![subject, object];
            s.triples = vec![Triple {
                subject,
                relation: 1,
                object,
            }];
            s
        };
        let entries = [
            entry("Bach was born in Eisenach ."),
            entry("Bach was born in Eisenach ."),
        ];
        let inputs = TextJoining::new(1.0, JoinOrder::Neighbours, 11)
            .unwrap()
            .join(&entries);
        assert_eq!(inputs.len(), 1);
        // Both subjects with both objects: the same fact four times over.
        assert_eq!(inputs[0].triples.len(), 4);
    }

    #[test]
    fn joined_entries_keep_their_own_entities_and_triples() {
        let entry = |text: &str, subject: (usize, usize), object: (usize, usize)| {
            let mut s = Sentence::from_tokens(text.split(' ').map(String::from).collect());
            let (subject, object) = (
                Span::new(subject.0, subject.1),
                Span::new(object.0, object.1),
            );
            s.entities = vec![subject.min(object), subject.max(object)];
            s.triples = vec![Triple {
                subject,
                relation: 1,
                object,
            }];
            s
        };
        let entries = [
            entry("Bach was born in Eisenach .", (0, 1), (4, 5)),
            entry("Athens is the capital of Greece .", (5, 6), (0, 1)),
        ];
        let mut joining = TextJoining::new(1.0, JoinOrder::Random, 11).unwrap();
        let inputs = joining.join(&entries);
        assert_eq!(inputs.len(), 1);
        let whole = &inputs[0];
        assert_eq!(whole.len(), 13);
        for t in &whole.triples {
            let words = |s: Span| whole.tokens[s.start..s.end].join(" ");
            let pair = (words(t.subject), words(t.object));
            assert!(
                pair == ("Bach".into(), "Eisenach".into())
                    || pair == ("Greece".into(), "Athens".into()),
                "{pair:?}"
            );
        }
        assert_eq!(whole.triples.len(), 2);
        assert_eq!(whole.entities.len(), 4);
    }
}
