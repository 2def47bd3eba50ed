//! The `english` tokenizer plugin: rule-based, Penn Treebank style, with exact byte offsets. The
//! same library is also the `english` sentence segmenter ([`EnglishSegmenter`]).
//!
//! Text is cut at whitespace, then each chunk is scanned by character class:
//!
//! - punctuation is split off (`(`, `"`, `,`, `;`, `!`, ...), runs of one character stay one
//!   token (`--`, `...`, `''`, `!!`);
//! - clitics are split as in the Penn Treebank: `John's` → `John` `'s`, `don't` → `do` `n't`,
//!   `can't` → `ca` `n't`, `we're` → `we` `'re`, `cannot` → `can` `not`, `gonna` → `gon` `na`;
//! - words keep their inner hyphens, apostrophes, dots, slashes and ampersands (`state-of-the-art`,
//!   `O'Neil`, `and/or`, `AT&T`), numbers their separators (`23,900`, `3.14`, `10/03/1983`,
//!   `10:30`), abbreviations their final dot (`U.S.`, `e.g.`, `Mr.`, `J.`); URLs and e-mail
//!   addresses stay whole;
//! - each CJK ideograph is a token (those scripts do not separate words by spaces), and an emoji
//!   stays whole with its modifiers and zero-width-joined parts.
//!
//! Every token is a slice of the input: the offsets come from `char_indices`, so they are always
//! char boundaries and `&text[start..end]` is the token. Unlike the Penn Treebank scripts, nothing
//! is rewritten (no `` ` `` `` for `"`), and a sentence-final abbreviation keeps its dot
//! (`in the U.S.` ends with the token `U.S.`, not `U.S.` `.`).
//!
//! ```
//! use rin_plugin_english::EnglishTokenizer;
//! use rin_plugin_sdk::Tokenizer;
//!
//! let tokens = EnglishTokenizer.tokenize_to_strs("The U.S. team didn't win: 23,900 fans.").unwrap();
//! assert_eq!(tokens, ["The", "U.S.", "team", "did", "n't", "win", ":", "23,900", "fans", "."]);
//! ```

mod class;
mod sentences;
mod url;

use rin_plugin_sdk::{export_segmenter, export_tokenizer, Metadata, PluginError, Span, Tokenizer};

pub use sentences::{sentences, EnglishSegmenter};

use class::{classify, is_connector, Class};

/// Penn Treebank style English tokenizer.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnglishTokenizer;

impl Tokenizer for EnglishTokenizer {
    fn init() -> Result<Self, PluginError> {
        Ok(EnglishTokenizer)
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            name: "english",
            version: env!("CARGO_PKG_VERSION"),
            description: "rule-based Penn Treebank style English tokenizer",
        }
    }

    fn tokenize(&self, text: &str, spans: &mut Vec<Span>) -> Result<(), PluginError> {
        tokenize(text, spans);
        Ok(())
    }
}

export_tokenizer!(EnglishTokenizer);
export_segmenter!(EnglishSegmenter);

/// Appends the spans of the tokens of `text` to `spans`.
pub fn tokenize(text: &str, spans: &mut Vec<Span>) {
    let mut raw = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                chunk(text, s, i, &mut raw, spans);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        chunk(text, s, text.len(), &mut raw, spans);
    }
}

/// Kind of a token found by the scanner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Punct,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Raw {
    kind: Kind,
    start: usize,
    end: usize,
}

/// Tokenizes the whitespace-free chunk `text[start..end]`.
fn chunk(text: &str, start: usize, end: usize, raw: &mut Vec<Raw>, spans: &mut Vec<Span>) {
    if let Some((url_start, url_end)) = url::find(&text[start..end]) {
        let (url_start, url_end) = (start + url_start, start + url_end);
        chunk(text, start, url_start, raw, spans);
        spans.push(Span {
            start: url_start,
            end: url_end,
        });
        chunk(text, url_end, end, raw, spans);
        return;
    }
    raw.clear();
    scan(text, start, end, raw);
    merge_abbreviations(text, raw);
    merge_leading_clitics(text, raw);
    for token in raw.iter() {
        if token.kind == Kind::Word {
            split_clitics(text, token.start, token.end, spans);
        } else {
            spans.push(Span {
                start: token.start,
                end: token.end,
            });
        }
    }
}

/// Cuts `text[start..end]` into words, punctuation runs and single symbols.
fn scan(text: &str, start: usize, end: usize, out: &mut Vec<Raw>) {
    let s = &text[start..end];
    let chars: Vec<(usize, char)> = s.char_indices().map(|(i, c)| (start + i, c)).collect();
    let offset = |k: usize| chars.get(k).map_or(end, |&(i, _)| i);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let mut j = i + 1;
        let kind = match classify(c) {
            Class::Word => {
                loop {
                    match chars.get(j).map(|&(_, c)| classify(c)) {
                        Some(Class::Word | Class::Extend) => j += 1,
                        Some(Class::Punct)
                            if chars.get(j + 1).is_some_and(|&(_, n)| {
                                classify(n) == Class::Word
                                    && is_connector(chars[j - 1].1, chars[j].1, n)
                            }) =>
                        {
                            j += 2
                        }
                        _ => break,
                    }
                }
                Kind::Word
            }
            Class::Punct => {
                while chars.get(j).is_some_and(|&(_, n)| n == c) {
                    j += 1;
                }
                j = skip_extend(&chars, j);
                Kind::Punct
            }
            Class::Ideograph => {
                j = skip_extend(&chars, j);
                Kind::Other
            }
            Class::Symbol | Class::Extend => {
                j = symbol_end(&chars, i);
                Kind::Other
            }
        };
        out.push(Raw {
            kind,
            start: offset(i),
            end: offset(j),
        });
        i = j;
    }
}

fn skip_extend(chars: &[(usize, char)], mut j: usize) -> usize {
    while chars
        .get(j)
        .is_some_and(|&(_, c)| classify(c) == Class::Extend)
    {
        j += 1;
    }
    j
}

/// End (char index) of the emoji or symbol starting at `i`: modifiers, variation selectors and
/// zero-width-joined parts stay with it, and regional indicators pair into a flag.
fn symbol_end(chars: &[(usize, char)], i: usize) -> usize {
    let mut j = i + 1;
    if class::is_regional_indicator(chars[i].1)
        && chars
            .get(j)
            .is_some_and(|&(_, c)| class::is_regional_indicator(c))
    {
        j += 1;
    }
    loop {
        j = skip_extend(chars, j);
        let joined = chars[j - 1].1 == class::ZWJ;
        if joined && j < chars.len() && classify(chars[j].1) != Class::Extend {
            j += 1;
        } else {
            return j;
        }
    }
}

/// Abbreviations that keep their final dot (besides single letters and dotted forms like `U.S`).
const ABBREVIATIONS: &[&str] = &[
    "Adm", "Ala", "Apr", "Ariz", "Ark", "Aug", "Ave", "Bros", "Calif", "Capt", "Cmdr", "Co", "Col",
    "Colo", "Conn", "Corp", "Dec", "Del", "Dept", "Dr", "Feb", "Fig", "Fla", "Ft", "Ga", "Gen",
    "Gov", "Ill", "Inc", "Ind", "Jan", "Jr", "Jul", "Jun", "Kan", "Ky", "La", "Lt", "Ltd", "Maj",
    "Mar", "Mass", "Md", "Messrs", "Mich", "Minn", "Miss", "Mo", "Mont", "Mr", "Mrs", "Ms", "Mt",
    "Neb", "Nev", "No", "Nos", "Nov", "Oct", "Okla", "Ore", "Pa", "Ph", "Prof", "Rep", "Rev",
    "Sen", "Sep", "Sept", "Sgt", "Sr", "St", "Tenn", "Tex", "Va", "Vol", "Vt", "Wash", "Wis",
    "Wyo", "al", "approx", "cf", "etc", "fig", "pp", "vol", "vs",
];

fn is_abbreviation(word: &str) -> bool {
    let mut letters = 0;
    let mut dots = 0;
    for c in word.chars() {
        if c == '.' {
            dots += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        } else {
            return false;
        }
    }
    letters == 1 || (dots > 0 && letters > 0) || ABBREVIATIONS.contains(&word)
}

/// Glues a single `.` to the word before it when that word is an abbreviation (`U.S`, `Mr`, `J`).
fn merge_abbreviations(text: &str, raw: &mut Vec<Raw>) {
    let mut k = 0;
    while k + 1 < raw.len() {
        let (w, p) = (raw[k], raw[k + 1]);
        if w.kind == Kind::Word
            && p.kind == Kind::Punct
            && &text[p.start..p.end] == "."
            && is_abbreviation(&text[w.start..w.end])
        {
            raw[k].end = p.end;
            raw.remove(k + 1);
        }
        k += 1;
    }
}

/// Glues a lone apostrophe to a clitic after it: `John 's` keeps `'s` whole, as does `'90s`.
fn merge_leading_clitics(text: &str, raw: &mut Vec<Raw>) {
    let mut k = 0;
    while k + 1 < raw.len() {
        let (a, w) = (raw[k], raw[k + 1]);
        let apostrophe = matches!(&text[a.start..a.end], "'" | "\u{2019}");
        let after_word = k > 0 && raw[k - 1].kind == Kind::Word && raw[k - 1].end == a.start;
        if a.kind == Kind::Punct && apostrophe && !after_word && w.kind == Kind::Word {
            let word = text[w.start..w.end].to_lowercase();
            let decade = word.len() >= 2
                && word.ends_with('s')
                && word[..word.len() - 1].bytes().all(|b| b.is_ascii_digit());
            if decade || matches!(word.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m" | "em") {
                raw[k] = Raw {
                    kind: Kind::Other,
                    start: a.start,
                    end: w.end,
                };
                raw.remove(k + 1);
            }
        }
        k += 1;
    }
}

/// Splits a word's clitic suffix (`n't`, `'s`, `'re`, ...) and the PTB's special cases.
fn split_clitics(text: &str, start: usize, end: usize, spans: &mut Vec<Span>) {
    let word = &text[start..end];
    let lower: String = word
        .chars()
        .map(|c| {
            if c == '\u{2019}' {
                '\''
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let cut_chars = match lower.as_str() {
        "cannot" => Some(3),
        "gonna" | "gotta" | "wanna" => Some(3),
        _ => {
            let n = lower.chars().count();
            let suffix = |s: &str| lower.ends_with(s) && n > s.chars().count();
            if suffix("n't") || suffix("'re") || suffix("'ve") || suffix("'ll") {
                Some(n - 3)
            } else if suffix("'s") || suffix("'m") || suffix("'d") {
                Some(n - 2)
            } else {
                None
            }
        }
    };
    // `lower` has the same chars as `word`, so a char count is a valid cut in `word`.
    match cut_chars.and_then(|k| word.char_indices().nth(k)) {
        Some((cut, _)) => {
            spans.push(Span {
                start,
                end: start + cut,
            });
            spans.push(Span {
                start: start + cut,
                end,
            });
        }
        None => spans.push(Span { start, end }),
    }
}

#[cfg(test)]
mod tests;
