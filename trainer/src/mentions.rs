//! The words of a training sentence that name substitution replaces: every word of its gold
//! entity mentions and, for partial-match data whose mentions are last words only ("Alan
//! [Bean]"), the proper nouns right before a mention. Shared by the substitution itself
//! ([`crate::names`]) and the neighbour lists built for those words ([`crate::neighbours`]).

use rin_core::Sentence;

/// The positions substitution replaces in `sentence`: every word of its gold mentions, and with
/// `name_prefixes` the proper nouns right before each mention.
pub fn mention_words(sentence: &Sentence, name_prefixes: bool) -> impl Iterator<Item = usize> + '_ {
    sentence.entities.iter().flat_map(move |span| {
        let start = if name_prefixes {
            name_start(sentence, span.start)
        } else {
            span.start
        };
        start..span.end.min(sentence.len())
    })
}

/// The first word of the run of proper nouns that ends right before `start`.
pub fn name_start(sentence: &Sentence, start: usize) -> usize {
    let Some(tags) = sentence.pos_tags.as_deref() else {
        return start;
    };
    let mut first = start.min(tags.len());
    while first > 0 && matches!(tags[first - 1].as_str(), "NNP" | "NNPS") {
        first -= 1;
    }
    first
}
