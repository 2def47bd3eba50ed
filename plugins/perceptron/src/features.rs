//! Feature extraction: each token's features are hashed to `u32`s, so neither training nor
//! tagging builds strings for them, and the weights file stores 4 bytes per feature.

/// History value of the tag before the first token.
pub(crate) const START: u8 = 254;
/// History value of the tag two before the first token.
pub(crate) const START2: u8 = 253;

/// 64-bit FNV-1a over template ids and strings, folded to 32 bits.
#[derive(Clone, Copy)]
struct Hash(u64);

impl Hash {
    fn new(template: u8) -> Self {
        Hash(0xcbf2_9ce4_8422_2325).byte(template)
    }

    fn byte(self, b: u8) -> Self {
        Hash((self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    }

    fn str(self, s: &str) -> Self {
        // The trailing separator keeps ("ab", "c") and ("a", "bc") apart.
        s.bytes().fold(self, Hash::byte).byte(0xff)
    }

    fn finish(self) -> u32 {
        (self.0 ^ (self.0 >> 32)) as u32
    }
}

/// Normalised word → bit mask of the tags it had in training (its ambiguity class).
pub(crate) type Lexicon = std::collections::HashMap<String, u64>;

/// Ambiguity class of a word missing from the lexicon, and of the padding.
const UNKNOWN: u64 = 0;
const PAD_START: u64 = u64::MAX;
const PAD_END: u64 = u64::MAX - 1;

/// Per-sentence data the features are read from, computed once per sentence.
pub(crate) struct Context {
    /// Ambiguity classes, padded like `norm`.
    amb: Vec<u64>,
    /// Normalised words, with two padding entries on each side.
    norm: Vec<String>,
    /// Word shapes, padded the same way.
    shape: Vec<String>,
    /// Lowercased words (unpadded), for affixes.
    lower: Vec<String>,
    /// The words as they are.
    raw: Vec<String>,
    /// The first char of each word, as a string.
    first: Vec<String>,
    /// Capitalisation and character-class flags of each word.
    flags: Vec<u8>,
}

/// Collapses a word to a shape: `Cesena` → `Xx`, `23,900` → `d,d`, `U.S.` → `X.X.`.
pub(crate) fn shape(word: &str) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in word.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if last != Some(s) {
            out.push(s);
            last = Some(s);
        }
        if out.len() > 12 {
            break;
        }
    }
    out
}

/// The word form used by the word features: numbers are folded into
/// classes, everything else lowercased.
pub(crate) fn normalize(word: &str) -> String {
    let mut chars = word.chars();
    let first = chars.next();
    if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        "!YEAR".to_owned()
    } else if first.is_some_and(|c| c.is_ascii_digit()) {
        "!DIGITS".to_owned()
    } else {
        word.to_lowercase()
    }
}

fn flags(word: &str, position: usize) -> u8 {
    let upper = word.chars().any(char::is_uppercase);
    let all_upper = upper && !word.chars().any(char::is_lowercase);
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
    u8::from(upper)
        | u8::from(all_upper) << 1
        | u8::from(word.chars().any(|c| c.is_ascii_digit())) << 2
        | u8::from(word.contains('-')) << 3
        | u8::from(first_upper && position == 0) << 4
        | u8::from(word.chars().any(|c| !c.is_alphanumeric())) << 5
}

impl Context {
    pub(crate) fn new<S: AsRef<str>>(words: &[S], lexicon: &Lexicon) -> Self {
        let pad = |a: &str, b: &str| [a.to_owned(), b.to_owned()];
        let mut norm = pad("-START-", "-START2-").to_vec();
        let mut shape_ = pad("-START-", "-START2-").to_vec();
        for w in words {
            norm.push(normalize(w.as_ref()));
            shape_.push(shape(w.as_ref()));
        }
        let mut amb = vec![PAD_START, PAD_START];
        amb.extend(
            norm[2..]
                .iter()
                .map(|w| lexicon.get(w).copied().unwrap_or(UNKNOWN)),
        );
        amb.extend([PAD_END, PAD_END]);
        norm.extend(pad("-END-", "-END2-"));
        shape_.extend(pad("-END-", "-END2-"));
        Context {
            amb,
            norm,
            shape: shape_,
            lower: words.iter().map(|w| w.as_ref().to_lowercase()).collect(),
            raw: words.iter().map(|w| w.as_ref().to_owned()).collect(),
            first: words
                .iter()
                .map(|w| {
                    w.as_ref()
                        .chars()
                        .next()
                        .map(String::from)
                        .unwrap_or_default()
                })
                .collect(),
            flags: words
                .iter()
                .enumerate()
                .map(|(i, w)| flags(w.as_ref(), i))
                .collect(),
        }
    }

    /// Number of tokens.
    pub(crate) fn len(&self) -> usize {
        self.lower.len()
    }

    /// Appends the feature hashes of token `i`, given the two previous tags, to `out`.
    pub(crate) fn features(&self, i: usize, prev: u8, prev2: u8, out: &mut Vec<u32>) {
        let c = i + 2; // index into the padded vectors
        let w = self.norm[c].as_str();
        let lower = self.lower[i].as_str();
        let mut t = 0u8;
        let mut add = |h: Hash| out.push(h.finish());
        let mut next = || {
            t += 1;
            Hash::new(t)
        };
        add(next()); // bias
        add(next().str(w));
        for k in 1..=4 {
            add(next().str(suffix(lower, k)));
        }
        add(next().str(&self.first[i]));
        add(next().str(prefix(lower, 2)));
        add(next().str(prefix(lower, 3)));
        add(next().str(&self.shape[c]));
        add(next().byte(self.flags[i]));
        add(next().byte(prev));
        add(next().byte(prev2));
        add(next().byte(prev).byte(prev2));
        add(next().byte(prev).str(w));
        add(next().str(&self.norm[c - 1]));
        add(next().str(suffix(&self.norm[c - 1], 3)));
        add(next().str(&self.norm[c - 2]));
        add(next().str(&self.norm[c + 1]));
        add(next().str(suffix(&self.norm[c + 1], 3)));
        add(next().str(&self.norm[c + 2]));
        add(next().str(&self.norm[c - 1]).str(w));
        add(next().str(w).str(&self.norm[c + 1]));
        add(next().str(&self.shape[c - 1]));
        add(next().str(&self.shape[c + 1]));
        add(next().byte(prev).str(&self.norm[c + 1]));
        add(next().str(suffix(lower, 3)).str(&self.shape[c + 1]));
        add(next().str(&self.raw[i]));
        let amb = |k: usize| self.amb[k].to_le_bytes();
        add(amb(c).into_iter().fold(next(), Hash::byte));
        add(amb(c + 1).into_iter().fold(next(), Hash::byte));
        add(amb(c + 2).into_iter().fold(next(), Hash::byte));
        add(amb(c)
            .into_iter()
            .chain(amb(c + 1))
            .fold(next(), Hash::byte));
        add(amb(c + 1).into_iter().fold(next().byte(prev), Hash::byte));
    }
}

/// The last `k` chars of `s` (all of it if shorter).
fn suffix(s: &str, k: usize) -> &str {
    match s.char_indices().rev().nth(k - 1) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// The first `k` chars of `s` (all of it if shorter).
fn prefix(s: &str, k: usize) -> &str {
    match s.char_indices().nth(k) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affixes_respect_char_boundaries() {
        assert_eq!(suffix("café", 2), "fé");
        assert_eq!(suffix("é", 3), "é");
        assert_eq!(prefix("日本語", 2), "日本");
        assert_eq!(prefix("a", 3), "a");
    }

    #[test]
    fn shapes_and_normal_forms() {
        assert_eq!(shape("Cesena"), "Xx");
        assert_eq!(shape("23,900"), "d,d");
        assert_eq!(shape("U.S."), "X.X.");
        assert_eq!(normalize("1983"), "!YEAR");
        assert_eq!(normalize("23,900"), "!DIGITS");
        assert_eq!(normalize("Well-known"), "well-known");
        assert_eq!(normalize("Rome"), "rome");
    }

    #[test]
    fn features_are_deterministic_and_distinct() {
        let ctx = Context::new(&["Rome", "is", "old"], &Lexicon::new());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        ctx.features(1, 3, START, &mut a);
        ctx.features(1, 3, START, &mut b);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), a.len());
    }
}
