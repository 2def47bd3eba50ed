//! Helpers for plugin authors' tests: the offset invariants the host enforces, and awkward
//! characters and fragments to build random (property-test) inputs from.

use crate::{Span, Tokenizer};

/// Checks what the host checks of a tokenizer's output on `text`, plus that the tokens cover every
/// non-whitespace character exactly once and contain no whitespace. Returns a description of the
/// first violation.
pub fn check_spans(text: &str, spans: &[Span]) -> Result<(), String> {
    let mut last = 0;
    let mut joined = String::with_capacity(text.len());
    for (i, s) in spans.iter().enumerate() {
        if s.start >= s.end || s.end > text.len() || s.start < last {
            return Err(format!(
                "span {i} {}..{} out of order or range (text of {} bytes)",
                s.start,
                s.end,
                text.len()
            ));
        }
        let Some(token) = text.get(s.start..s.end) else {
            return Err(format!(
                "span {i} {}..{} is not on char boundaries",
                s.start, s.end
            ));
        };
        if token.contains(char::is_whitespace) {
            return Err(format!("token {i} {token:?} contains whitespace"));
        }
        joined.push_str(token);
        last = s.end;
    }
    let expected: String = text.split_whitespace().collect();
    if joined != expected {
        return Err(format!(
            "tokens {joined:?} do not cover the non-whitespace text {expected:?}"
        ));
    }
    Ok(())
}

/// Runs `tokenizer` on `text` twice and checks [`check_spans`] and determinism.
pub fn check_tokenizer(tokenizer: &impl Tokenizer, text: &str) -> Result<(), String> {
    let mut a = Vec::new();
    tokenizer
        .tokenize(text, &mut a)
        .map_err(|e| e.to_string())?;
    check_spans(text, &a)?;
    let mut b = Vec::new();
    tokenizer
        .tokenize(text, &mut b)
        .map_err(|e| e.to_string())?;
    if a != b {
        return Err("two runs gave different spans".into());
    }
    Ok(())
}

/// Characters that stress tokenizers: whitespace of every kind, punctuation and apostrophes,
/// combining marks, joiners and selectors, emoji parts, CJK, RTL and surrogate-plane letters.
pub const AWKWARD_CHARS: &[char] = &[
    ' ',
    '\t',
    '\n',
    '\r',
    '\u{a0}',
    '\u{2009}',
    '\u{3000}',
    '\u{2028}',
    '\u{85}',
    '.',
    ',',
    ';',
    ':',
    '!',
    '?',
    '\'',
    '"',
    '`',
    '(',
    ')',
    '[',
    ']',
    '-',
    '/',
    '&',
    '@',
    '#',
    '$',
    '%',
    '_',
    '\u{2019}',
    '\u{201c}',
    '\u{201d}',
    '\u{2026}',
    '\u{2014}',
    '\u{ab}',
    '\u{bb}',
    'a',
    'Z',
    'é',
    'ß',
    '0',
    '9',
    '\u{301}',
    '\u{200d}',
    '\u{fe0f}',
    '\u{20e3}',
    '\u{1f3fd}',
    '\u{1f1ee}',
    '\u{1f1f9}',
    '\u{1f600}',
    '\u{1f469}',
    '\u{1f44d}',
    '東',
    '京',
    'は',
    'ア',
    '한',
    'ע',
    'ب',
    '\u{10348}',
    '\u{1d11e}',
    '\u{e0067}',
    '\u{fffd}',
    '\u{0}',
    '\u{7f}',
    '\u{ad}',
    '\u{2060}',
];

/// Fragments that reach a tokenizer's special cases: abbreviations, clitics, numbers, URLs,
/// e-mail addresses.
pub const AWKWARD_FRAGMENTS: &[&str] = &[
    "U.S.",
    "e.g.",
    "Mr.",
    "don't",
    "can't",
    "n't",
    "'s",
    "O'Neil",
    "23,900",
    "10/03/1983",
    "3.14",
    "10:30",
    "state-of-the-art",
    "--",
    "...",
    "``",
    "''",
    "http://x.org/a_(b)",
    "www.a.com",
    "a@b.co",
    "jane.doe@example.com",
    "(",
    ")",
    "\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f467}",
    "cafe\u{301}",
    "1\u{fe0f}\u{20e3}",
    "\u{1f1ee}\u{1f1f9}",
    "AT&T",
    "'90s",
    "cannot",
    "gonna",
];
