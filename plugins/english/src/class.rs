//! Character classes of the English tokenizer's scanner.

/// Zero-width joiner: glues the parts of an emoji sequence.
pub(crate) const ZWJ: char = '\u{200D}';

/// How the scanner treats a character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Letters and digits (any script but CJK ideographs).
    Word,
    /// A CJK ideograph: a token by itself.
    Ideograph,
    /// Punctuation (all ASCII non-alphanumerics among them): split off, identical runs kept.
    Punct,
    /// Other symbols, emoji among them: a token each, with their modifiers.
    Symbol,
    /// Combining marks, joiners, variation selectors, skin tones: stay with what precedes.
    Extend,
}

pub(crate) fn classify(c: char) -> Class {
    let u = c as u32;
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Class::Word
        } else {
            Class::Punct
        };
    }
    if is_extend(u) {
        return Class::Extend;
    }
    if matches!(u, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F) {
        return Class::Ideograph;
    }
    if c.is_alphanumeric() {
        return Class::Word;
    }
    if matches!(
        u,
        0x00A1..=0x00BF
            | 0x00D7
            | 0x00F7
            | 0x2010..=0x2027
            | 0x2030..=0x205E
            | 0x2E00..=0x2E7F
            | 0x3001..=0x3003
            | 0x3008..=0x3020
            | 0x3030
            | 0xFF01..=0xFF0F
            | 0xFF1A..=0xFF20
            | 0xFF3B..=0xFF40
            | 0xFF5B..=0xFF65
    ) {
        return Class::Punct;
    }
    Class::Symbol
}

fn is_extend(u: u32) -> bool {
    matches!(
        u,
        0x0300..=0x036F        // combining diacritical marks
            | 0x1AB0..=0x1AFF  // combining diacritical marks extended
            | 0x1DC0..=0x1DFF  // combining diacritical marks supplement
            | 0x200C..=0x200D  // zero-width non-joiner and joiner
            | 0x20D0..=0x20FF  // combining marks for symbols (keycaps)
            | 0xFE00..=0xFE0F  // variation selectors
            | 0xFE20..=0xFE2F  // combining half marks
            | 0x1F3FB..=0x1F3FF // skin tone modifiers
            | 0xE0020..=0xE007F // tags (subdivision flags)
            | 0xE0100..=0xE01EF // variation selectors supplement
    )
}

pub(crate) fn is_regional_indicator(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

/// Whether punctuation `c` between word characters `prev` and `next` stays inside the word.
pub(crate) fn is_connector(prev: char, c: char, next: char) -> bool {
    match c {
        '-' | '.' | '\'' | '\u{2019}' | '&' | '_' | '/' | '\u{2010}' | '\u{2011}' | '\u{00B7}' => {
            true
        }
        ',' | ':' => prev.is_ascii_digit() && next.is_ascii_digit(),
        _ => false,
    }
}
