//! Training on parts of texts (`--split-texts P`): the runtime reads a long document in parts,
//! cut at sentence boundaries (`links: orphans`), so a part often names an entity whose fact is
//! stated with an entity of the sentence before ("... used in Ireland , and its currency is the
//! Euro ." after "Adare Manor is in the Republic of Ireland ."). A model that only ever read whole
//! entries links such a part's entities to whatever the part offers. Each epoch anew, a share `P`
//! of the training entries of several sentences are read as their sentences instead, each with
//! the gold mentions inside it and only the triples whose two entities it holds: a mention whose
//! fact lies outside stays an entity, unlinked, as the orphan reading expects.

use rin_core::{Sentence, Span};

use crate::rng::SplitMix64;

/// Tokens that end a sentence when the next token opens one.
const SENTENCE_ENDS: [&str; 3] = [".", "!", "?"];

/// The splitting of one epoch; its draw is fixed by the epoch's seed.
#[derive(Debug, Clone)]
pub struct TextSplitting {
    probability: f64,
    random: SplitMix64,
}

impl TextSplitting {
    /// `None` when nothing would be split.
    pub fn new(probability: f64, seed: u64) -> Option<Self> {
        (probability > 0.0).then(|| TextSplitting {
            probability,
            random: SplitMix64::new(seed, 0x7370_6C69_745F_7478),
        })
    }

    /// The epoch's training inputs: each entry whole, or (with the probability, when it has
    /// several sentences) its sentences one by one, in order.
    pub fn split(&mut self, entries: &[Sentence]) -> Vec<Sentence> {
        let mut inputs = Vec::with_capacity(entries.len());
        for entry in entries {
            let starts = sentence_starts(entry);
            // Drawn for every entry, so an entry's draw does not depend on those before it.
            let split = self.random.uniform() < self.probability;
            if !split || starts.len() < 2 {
                inputs.push(entry.clone());
                continue;
            }
            let ends = starts.iter().skip(1).copied().chain([entry.len()]);
            for (start, end) in starts.iter().copied().zip(ends) {
                inputs.push(part(entry, start..end));
            }
        }
        inputs
    }
}

/// Where the sentences of `entry` start (always 0 first): after a sentence-ending token whose
/// next token opens a sentence (a capital, a digit or an opening quote), never inside a gold
/// mention.
pub fn sentence_starts(entry: &Sentence) -> Vec<usize> {
    let opens = |token: &str| {
        token.starts_with("``")
            || token.starts_with('"')
            || token
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    let inside_mention = |i: usize| entry.entities.iter().any(|e| e.start < i && i < e.end);
    let mut starts = vec![0];
    for i in 1..entry.len() {
        if SENTENCE_ENDS.contains(&entry.tokens[i - 1].as_str())
            && opens(&entry.tokens[i])
            && !inside_mention(i)
        {
            starts.push(i);
        }
    }
    starts
}

/// The tokens `range` of `entry` as an input of their own: its tags, the mentions inside, the
/// triples whose two entities are inside.
fn part(entry: &Sentence, range: std::ops::Range<usize>) -> Sentence {
    let inside = |span: &Span| range.start <= span.start && span.end <= range.end;
    let back = |span: &Span| Span::new(span.start - range.start, span.end - range.start);
    Sentence {
        tokens: entry.tokens[range.clone()].to_vec(),
        pos_tags: entry
            .pos_tags
            .as_ref()
            .map(|tags| tags[range.clone()].to_vec()),
        entities: entry
            .entities
            .iter()
            .filter(|e| inside(e))
            .map(back)
            .collect(),
        triples: entry
            .triples
            .iter()
            .filter(|t| inside(&t.subject) && inside(&t.object))
            .map(|t| rin_core::Triple {
                subject: back(&t.subject),
                relation: t.relation,
                object: back(&t.object),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rin_core::Triple;

    /// "Adare Manor is in the Republic of Ireland . Its currency is the Euro ." with the two
    /// facts of the text: one inside the first sentence, one across both.
    fn ireland() -> Sentence {
        let text = "Adare Manor is in the Republic of Ireland . Its currency is the Euro .";
        let mut s = Sentence::from_tokens(text.split(' ').map(String::from).collect());
        s.pos_tags = Some(vec!["X".into(); s.len()]);
        let (manor, ireland, euro) = (Span::new(0, 2), Span::new(5, 8), Span::new(13, 14));
        s.entities = vec![manor, ireland, euro];
        s.triples = vec![
            Triple {
                subject: manor,
                relation: 1,
                object: ireland,
            },
            Triple {
                subject: ireland,
                relation: 2,
                object: euro,
            },
        ];
        s
    }

    #[test]
    fn a_split_entry_keeps_its_mentions_and_only_the_facts_inside_each_sentence() {
        let entry = ireland();
        assert_eq!(sentence_starts(&entry), vec![0, 9]);
        let inputs = TextSplitting::new(1.0, 7).unwrap().split(&[entry]);
        assert_eq!(inputs.len(), 2);
        let (first, second) = (&inputs[0], &inputs[1]);
        assert_eq!(
            first.tokens.join(" "),
            "Adare Manor is in the Republic of Ireland ."
        );
        assert_eq!(second.tokens.join(" "), "Its currency is the Euro .");
        assert_eq!(second.pos_tags.as_ref().map(Vec::len), Some(6));
        assert_eq!(first.entities, vec![Span::new(0, 2), Span::new(5, 8)]);
        assert_eq!(first.triples.len(), 1);
        assert_eq!(first.triples[0].relation, 1);
        // The Euro stays an entity of the second sentence, with its fact across the cut gone.
        assert_eq!(second.entities, vec![Span::new(4, 5)]);
        assert!(second.triples.is_empty());
    }

    #[test]
    fn no_cut_inside_a_mention_or_before_a_lower_case_word() {
        let mut entry = Sentence::from_tokens(
            "He studied at Harvard . He got his M.A . in 1957 from St . Louis University ."
                .split(' ')
                .map(String::from)
                .collect(),
        );
        // "St . Louis University" is one mention: no sentence starts at "Louis".
        entry.entities = vec![Span::new(13, 17)];
        assert_eq!(sentence_starts(&entry), vec![0, 5]);
    }

    #[test]
    fn the_share_is_drawn_per_entry_and_fixed_by_the_seed() {
        let entries = vec![ireland(); 1000];
        let split = |seed| TextSplitting::new(0.3, seed).unwrap().split(&entries);
        let inputs = split(5);
        let parts = inputs.len() - entries.len();
        assert!((240..360).contains(&parts), "{parts} entries split");
        assert_eq!(inputs, split(5));
        assert_ne!(inputs, split(6));
        assert!(TextSplitting::new(0.0, 5).is_none());
        // One sentence: never split.
        let one = Sentence::from_tokens(vec!["Bach".into(), "lived".into(), ".".into()]);
        let inputs = TextSplitting::new(1.0, 5)
            .unwrap()
            .split(std::slice::from_ref(&one));
        assert_eq!(inputs, [one]);
    }
}
