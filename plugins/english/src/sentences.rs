//! The `english` sentence segmenter: Unicode sentence boundaries (UAX #29, from the
//! `unicode-segmentation` crate), corrected where a full stop ends an abbreviation or an initial
//! rather than a sentence.
//!
//! UAX #29 already keeps decimals (`3.5`), closing quotes and brackets after a full stop
//! (`He left.") Then`), and a full stop followed by a lower-case word (`etc. and`) inside one
//! sentence. It breaks after every full stop followed by a space and a capital, which is wrong
//! after titles (`Mr. Smith`), initials (`J. K. Rowling`) and abbreviations that rarely end a
//! sentence (`U.S. Army`, `e.g. Paris`, `Fig. 3`). Those boundaries are removed, unless the next
//! word is one that usually starts a sentence (`The`, `He`, `In`, ...), which keeps `... in the
//! U.S. The company ...` split.

use std::ops::Range;

use rin_plugin_sdk::{Metadata, PluginError, Segmenter, Span};
use unicode_segmentation::UnicodeSegmentation;

/// English sentence segmenter (UAX #29 plus abbreviations).
#[derive(Clone, Copy, Debug, Default)]
pub struct EnglishSegmenter;

impl Segmenter for EnglishSegmenter {
    fn init() -> Result<Self, PluginError> {
        Ok(EnglishSegmenter)
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "english",
            version: env!("CARGO_PKG_VERSION"),
            description: "English sentences: Unicode (UAX #29) boundaries corrected for abbreviations and initials",
        }
    }

    fn segment(&self, text: &str, spans: &mut Vec<Span>) -> Result<(), PluginError> {
        spans.extend(sentences(text).into_iter().map(|r| Span {
            start: r.start,
            end: r.end,
        }));
        Ok(())
    }
}

/// Titles and abbreviations that come before what they qualify (`Mr. Smith`, `Fig. 3`,
/// `U.S. Army`, `Oct. 15`): after them a capitalised word or a number does not start a new
/// sentence. Abbreviations that end a name (`Inc.`, `Corp.`, `Co.`, `Ltd.`, `Jr.`, `Va.`) are
/// left out on purpose: a capital after them starts a new sentence more often than not
/// (measured on CoNLL-2000's training sentences, see `examples/segment_eval.rs`).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "rev", "gen", "col", "lt", "sgt", "capt", "cmdr",
    "gov", "sen", "rep", "pres", "hon", "messrs", "mmes", "vs", "v", "e.g", "i.e", "cf", "viz",
    "fig", "figs", "no", "nos", "vol", "vols", "p", "pp", "ch", "sec", "art", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "u.s.a",
    "e.u", "approx",
];

/// Words that usually open a sentence: after an abbreviation, a boundary before them is kept.
const SENTENCE_STARTERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "in",
    "on",
    "at",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "however",
    "its",
    "his",
    "her",
    "their",
    "our",
    "my",
    "as",
    "for",
    "if",
    "when",
    "while",
    "after",
    "before",
    "since",
    "although",
    "though",
    "because",
    "what",
    "who",
    "which",
    "where",
    "why",
    "how",
    "some",
    "many",
    "most",
    "all",
    "both",
    "each",
    "other",
    "another",
    "one",
    "no",
    "not",
    "also",
    "meanwhile",
    "still",
    "then",
    "thus",
    "yesterday",
    "today",
    "last",
    "first",
];

/// The byte ranges of the sentences of `text`, without the whitespace between them.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut merged: Vec<Range<usize>> = Vec::new();
    for (start, piece) in text.split_sentence_bound_indices() {
        let end = start + piece.len();
        match merged.last_mut() {
            Some(last)
                if closes_open_bracket(&text[last.clone()], &text[start..])
                    || continues(&text[last.clone()], piece) =>
            {
                last.end = end
            }
            _ => merged.push(start..end),
        }
    }
    merged
        .into_iter()
        .flat_map(|r| split_before_lower_case(text, r))
        .filter_map(|r| {
            let s = &text[r.clone()];
            let lead = s.len() - s.trim_start().len();
            let trail = s.len() - s.trim_end().len();
            (lead < s.len()).then(|| r.start + lead..r.end - trail)
        })
        .collect()
}

/// Lower-case words that end with a full stop in running text without ending a sentence.
const LOWER_CASE_ABBREVIATIONS: &[&str] = &[
    "etc", "vs", "approx", "incl", "esp", "misc", "dept", "est", "govt", "cf", "viz", "al", "ca",
    "min", "max", "no", "nos", "vol", "pp", "ch", "sec", "ft", "oz", "lb", "lbs", "hr", "hrs",
    "jr", "sr", "mr", "mrs", "ms", "dr", "st",
];

/// `range` of `text`, cut after every full stop that ends a plain word (two or more lower-case
/// letters or digits, not an abbreviation) and is followed by a space and a lower-case word: informal text
/// often starts sentences in lower case ("... a cockerspaniel. no, i am not kidding"), which
/// UAX #29 does not split. Newswire is unaffected: its lower-case words after a full stop follow
/// abbreviations (`Corp. said`, `etc. and`).
fn split_before_lower_case(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let piece = &text[range.clone()];
    let mut cuts = Vec::new();
    for (i, _) in piece.match_indices(". ") {
        let before = &piece[..i];
        let word = before
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let after = piece[i + 2..].trim_start();
        // Capitalised words before a full stop are often abbreviations of names (`Inc.`,
        // `Corp.`, `Sens.`): only lower-case words and numbers count.
        let plain_word = word.chars().count() >= 2
            && !word.chars().any(char::is_uppercase)
            && !before[..before.len() - word.len()].ends_with('.')
            && !LOWER_CASE_ABBREVIATIONS.contains(&word.to_lowercase().as_str());
        if plain_word && after.chars().next().is_some_and(char::is_lowercase) {
            cuts.push(range.start + i + 1);
        }
    }
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = range.start;
    for cut in cuts {
        out.push(start..cut);
        start = cut;
    }
    out.push(start..range.end);
    out
}

/// How far after a sentence piece a bracket it left open may close, in bytes.
const BRACKET_REACH: usize = 200;

/// Whether `previous` leaves a round bracket open that `rest` (the text after it) closes soon,
/// before opening another: a full stop inside brackets does not end the sentence (tokenized text
/// such as WebNLG's writes abbreviations apart, "( abbr . Acta Palaeontol . Pol )", where UAX #29
/// breaks twice).
fn closes_open_bracket(previous: &str, rest: &str) -> bool {
    let open = previous.matches('(').count() > previous.matches(')').count();
    let close = rest.find(')').filter(|&close| close <= BRACKET_REACH);
    open && close.is_some_and(|close| rest.find('(').is_none_or(|opening| opening > close))
}

/// Whether `next` continues the sentence `previous`: `previous` ends with an abbreviation or an
/// initial and `next` does not open with a usual sentence starter.
fn continues(previous: &str, next: &str) -> bool {
    let previous = previous.trim_end();
    let Some(before_dot) = previous.strip_suffix('.') else {
        return false;
    };
    let last_word = |text: &str| {
        text.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '\u{201c}')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let mut word = last_word(before_dot);
    // Tokenized text puts the full stop of `R.S.C. Anderlecht` apart: `R.S.C . Anderlecht`.
    if word.is_empty() && is_dotted_initialism(&last_word(before_dot.trim_end())) {
        word = last_word(before_dot.trim_end());
    }
    let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    let abbreviation =
        ABBREVIATIONS.contains(&word.to_lowercase().as_str()) || is_dotted_initialism(&word);
    if !(initial || abbreviation) {
        return false;
    }
    let first_word: String = next
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    // Titles and initials always continue: "Mr. Smith", "J. K. Rowling".
    let title = matches!(
        word.to_lowercase().as_str(),
        "mr" | "mrs"
            | "ms"
            | "dr"
            | "prof"
            | "st"
            | "mt"
            | "rev"
            | "gen"
            | "col"
            | "lt"
            | "sgt"
            | "capt"
            | "gov"
            | "sen"
            | "rep"
            | "messrs"
    );
    initial && first_word.chars().next().is_some_and(char::is_uppercase)
        || title
        || !SENTENCE_STARTERS.contains(&first_word.to_lowercase().as_str())
}

/// Letters joined by full stops, the first a capital, each part one or two letters: `A.S`
/// (`A.S. Roma`), `R.S.C`, `F.C`, `S.p.A`. Names of clubs and firms more often than sentence ends.
fn is_dotted_initialism(word: &str) -> bool {
    let mut parts = word.split('.');
    let first_is_capital = word.chars().next().is_some_and(char::is_uppercase);
    first_is_capital
        && word.contains('.')
        && parts.all(|p| (1..=2).contains(&p.chars().count()) && p.chars().all(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn plain_sentences_split_at_full_stops_question_and_exclamation_marks() {
        assert_eq!(
            split("Rome is in Italy. Is Paris in France? Yes!  It is."),
            ["Rome is in Italy.", "Is Paris in France?", "Yes!", "It is."]
        );
        // WebNLG's tokenized text: spaces before the full stop.
        assert_eq!(
            split("X is in Greece . The capital of the country is Athens ."),
            ["X is in Greece .", "The capital of the country is Athens ."]
        );
    }

    #[test]
    fn abbreviations_initials_and_decimals_do_not_end_sentences() {
        assert_eq!(
            split("Mr. Smith met Dr. Jones at St. Paul's. They talked."),
            ["Mr. Smith met Dr. Jones at St. Paul's.", "They talked."]
        );
        assert_eq!(
            split("J. K. Rowling wrote it. The U.S. Army bought 3.5 million copies."),
            [
                "J. K. Rowling wrote it.",
                "The U.S. Army bought 3.5 million copies."
            ]
        );
        assert_eq!(
            split("Cities, e.g. Paris, are big. See Fig. 3 for more."),
            ["Cities, e.g. Paris, are big.", "See Fig. 3 for more."]
        );
        // Dotted initials of clubs and firms, also as tokenized text writes them.
        assert_eq!(
            split("A.S. Roma beat R.S.C . Anderlecht in 1999. F.C. Porto lost."),
            [
                "A.S. Roma beat R.S.C . Anderlecht in 1999.",
                "F.C. Porto lost."
            ]
        );
        // An abbreviation that does end the sentence, before a usual sentence starter.
        assert_eq!(
            split("He moved to the U.S. The company followed."),
            ["He moved to the U.S.", "The company followed."]
        );
    }

    #[test]
    fn informal_sentences_may_start_in_lower_case() {
        assert_eq!(
            split("get a cockerspaniel. no, i am not kidding. call 303-832-8160. they know."),
            [
                "get a cockerspaniel.",
                "no, i am not kidding.",
                "call 303-832-8160.",
                "they know."
            ]
        );
        // Not after abbreviations, initials or capitalised names (`Inc.`), nor in tokenized text.
        for kept in [
            "apples, pears etc. and more.",
            "see e.g. this one.",
            "Apple Computer Inc. posted a profit.",
            "X is in Greece . it is big .",
        ] {
            assert_eq!(split(kept), [kept]);
        }
    }

    #[test]
    fn quotes_and_brackets_stay_with_their_sentence() {
        assert_eq!(
            split("He said \"It is late.\" Then he left. (It was noon.) Fine."),
            [
                "He said \"It is late.\"",
                "Then he left.",
                "(It was noon.)",
                "Fine."
            ]
        );
        // A full stop inside brackets, as tokenized text writes abbreviations, ends nothing.
        assert_eq!(
            split(
                "The journal ( abbr . Acta Palaeontol . Pol ) is published in Warsaw . It is old ."
            ),
            [
                "The journal ( abbr . Acta Palaeontol . Pol ) is published in Warsaw .",
                "It is old ."
            ]
        );
    }

    #[test]
    fn spans_cover_no_outer_whitespace_and_empty_text_has_none() {
        let text = "  \tOne.\r\n\r\nTwo.  ";
        assert_eq!(split(text), ["One.", "Two."]);
        assert!(sentences("").is_empty());
        assert!(sentences(" \n\t ").is_empty());
        // Punctuation alone is one sentence, multi-byte text keeps char boundaries.
        assert_eq!(split("..."), ["..."]);
        assert_eq!(split("Zoë ist hier. Ça va."), ["Zoë ist hier.", "Ça va."]);
    }
}
