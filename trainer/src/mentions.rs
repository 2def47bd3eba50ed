//! The words of a training sentence that name substitution replaces: every word of its gold
//! entity mentions and, for partial-match data whose mentions are last words only ("Alan
//! [Bean]"), the proper nouns right before a mention. Shared by the substitution itself
//! ([`crate::names`]) and the neighbour lists built for those words ([`crate::neighbours`]).

use std::ops::Range;

use rin_core::Sentence;

/// The token range of each gold mention of `sentence`, widened with `name_prefixes` to the
/// proper nouns right before it.
pub fn mention_spans(
    sentence: &Sentence,
    name_prefixes: bool,
) -> impl Iterator<Item = Range<usize>> + '_ {
    sentence.entities.iter().map(move |span| {
        let end = span.end.min(sentence.len());
        let start = if name_prefixes {
            name_start(sentence, span.start)
        } else {
            span.start
        };
        start.min(end)..end
    })
}

/// The positions substitution replaces in `sentence`: every word of [`mention_spans`].
pub fn mention_words(sentence: &Sentence, name_prefixes: bool) -> impl Iterator<Item = usize> + '_ {
    mention_spans(sentence, name_prefixes).flatten()
}

/// The first word of the run of proper nouns that ends right before `start`.
fn name_start(sentence: &Sentence, start: usize) -> usize {
    let Some(tags) = sentence.pos_tags.as_deref() else {
        return start;
    };
    let mut first = start.min(tags.len());
    while first > 0 && matches!(tags[first - 1].as_str(), "NNP" | "NNPS") {
        first -= 1;
    }
    first
}
