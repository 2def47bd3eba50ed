//! Brill's lexical (morphological) and contextual rules, parsed from Pattern's files and applied
//! as Pattern's `Morphology.apply` and `Context.apply` do.

use std::collections::HashMap;

use crate::{data_lines, tag_id};

/// Tag of the padding around a sentence (Pattern's `STAART`).
const STAART: u8 = u8::MAX;
/// Word of the padding around a sentence.
const STAART_WORD: &str = "STAART";

fn rule_tag(tag: &str) -> Option<u8> {
    if tag == STAART_WORD {
        Some(STAART)
    } else {
        tag_id(tag)
    }
}

/// What a lexical rule tests about the word `w`, given its argument `x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MorphologyTest {
    /// `w == x`.
    Word,
    /// `w` contains `x`.
    Char,
    /// `w` starts with `x`.
    HasPrefix,
    /// `w` ends with `x`.
    HasSuffix,
    /// `x + w` is a known word.
    AddPrefix,
    /// `w + x` is a known word.
    AddSuffix,
    /// `w` starts with `x` and the rest is a known word.
    DeletePrefix,
    /// `w` ends with `x` and the rest is a known word.
    DeleteSuffix,
    /// The next word is `x` (Pattern's reading of Brill's `goodleft`).
    GoodLeft,
    /// The previous word is `x` (Pattern's reading of Brill's `goodright`).
    GoodRight,
}

impl MorphologyTest {
    fn parse(cmd: &str) -> Option<Self> {
        Some(match cmd.to_ascii_lowercase().as_str() {
            "word" => MorphologyTest::Word,
            "char" => MorphologyTest::Char,
            "haspref" => MorphologyTest::HasPrefix,
            "hassuf" => MorphologyTest::HasSuffix,
            "addpref" => MorphologyTest::AddPrefix,
            "addsuf" => MorphologyTest::AddSuffix,
            "deletepref" => MorphologyTest::DeletePrefix,
            "deletesuf" => MorphologyTest::DeleteSuffix,
            "goodleft" => MorphologyTest::GoodLeft,
            "goodright" => MorphologyTest::GoodRight,
            _ => return None,
        })
    }
}

/// A lexical rule: `[from] x test ... to`.
#[derive(Clone, Debug)]
pub(crate) struct MorphologyRule {
    /// For the `f...` forms: the rule applies only to words currently tagged `from`.
    from: Option<u8>,
    test: MorphologyTest,
    x: String,
    to: u8,
}

/// Parses `en-morphology.txt`: `ly hassuf 2 RB x` or `NN s fhassuf 1 NNS x`. Rules with tags
/// outside the Penn Treebank are dropped.
pub(crate) fn parse_morphology(text: &str) -> Vec<MorphologyRule> {
    data_lines(text)
        .filter_map(|f| {
            if f.len() < 4 {
                return None;
            }
            let to = tag_id(f[f.len() - 2])?;
            if let Some(test) = f[2].strip_prefix('f').and_then(MorphologyTest::parse) {
                Some(MorphologyRule {
                    from: Some(tag_id(f[0])?),
                    test,
                    x: f[1].to_owned(),
                    to,
                })
            } else {
                let test = MorphologyTest::parse(f[1])?;
                Some(MorphologyRule {
                    from: None,
                    test,
                    x: f[0].to_owned(),
                    to,
                })
            }
        })
        .collect()
}

/// Tags the unknown word `w`, starting from `default`, with every matching rule in order.
pub(crate) fn apply_morphology(
    rules: &[MorphologyRule],
    w: &str,
    default: u8,
    previous: Option<&str>,
    next: Option<&str>,
    known: &HashMap<String, u8>,
) -> u8 {
    let mut tag = default;
    for r in rules {
        if r.from.is_some_and(|from| from != tag) {
            continue;
        }
        let x = r.x.as_str();
        let hit = match r.test {
            MorphologyTest::Word => w == x,
            MorphologyTest::Char => w.contains(x),
            MorphologyTest::HasPrefix => w.starts_with(x),
            MorphologyTest::HasSuffix => w.ends_with(x),
            MorphologyTest::AddPrefix => known.contains_key(&format!("{x}{w}")),
            MorphologyTest::AddSuffix => known.contains_key(&format!("{w}{x}")),
            MorphologyTest::DeletePrefix => w
                .strip_prefix(x)
                .is_some_and(|rest| known.contains_key(rest)),
            MorphologyTest::DeleteSuffix => w
                .strip_suffix(x)
                .is_some_and(|rest| known.contains_key(rest)),
            MorphologyTest::GoodLeft => next == Some(x),
            MorphologyTest::GoodRight => previous == Some(x),
        };
        if hit {
            tag = r.to;
        }
    }
    tag
}

/// The condition of a contextual rule, relative to the current position `i`.
#[derive(Clone, Debug)]
enum Condition {
    /// Tag at offset is `x`.
    Tag(isize, u8),
    /// One of the tags at these offsets is `x`.
    AnyTag(&'static [isize], u8),
    /// Word at offset is `x`.
    Word(isize, String),
    /// One of the words at these offsets is `x`.
    AnyWord(&'static [isize], String),
    /// Tag at the first offset is `x` and tag at the second is `y`.
    TagTag(isize, u8, isize, u8),
    /// Word at the first offset is `x` and tag at the second is `y`.
    WordTag(isize, String, isize, u8),
    /// Word at the first offset is `x` and word at the second is `y`.
    WordWord(isize, String, isize, String),
}

/// A contextual rule: change `from` (any tag if `None`) to `to` where the condition holds.
#[derive(Clone, Debug)]
pub(crate) struct ContextRule {
    from: Option<u8>,
    to: u8,
    condition: Condition,
}

/// Parses `en-context.txt`: `from to COMMAND x [y]`. Rules with tags outside the Penn Treebank,
/// or with commands Pattern does not apply, are dropped.
pub(crate) fn parse_context(text: &str) -> Vec<ContextRule> {
    data_lines(text)
        .filter_map(|f| {
            if f.len() < 4 {
                return None;
            }
            let from = if f[0] == "*" {
                None
            } else {
                Some(tag_id(f[0])?)
            };
            let to = tag_id(f[1])?;
            let (x, y) = (f[3], f.get(4).copied().unwrap_or(""));
            let word = |s: &str| s.to_owned();
            use Condition::*;
            let condition = match f[2].to_ascii_lowercase().as_str() {
                "prevtag" => Tag(-1, rule_tag(x)?),
                "nexttag" => Tag(1, rule_tag(x)?),
                "prev2tag" => Tag(-2, rule_tag(x)?),
                "next2tag" => Tag(2, rule_tag(x)?),
                "prev1or2tag" => AnyTag(&[-1, -2], rule_tag(x)?),
                "next1or2tag" => AnyTag(&[1, 2], rule_tag(x)?),
                "prev1or2or3tag" => AnyTag(&[-1, -2, -3], rule_tag(x)?),
                "next1or2or3tag" => AnyTag(&[1, 2, 3], rule_tag(x)?),
                "surroundtag" => TagTag(-1, rule_tag(x)?, 1, rule_tag(y)?),
                "curwd" => Word(0, word(x)),
                "prevwd" => Word(-1, word(x)),
                "nextwd" => Word(1, word(x)),
                "prev1or2wd" => AnyWord(&[-1, -2], word(x)),
                "next1or2wd" => AnyWord(&[1, 2], word(x)),
                "prevwdtag" => WordTag(-1, word(x), -1, rule_tag(y)?),
                "nextwdtag" => WordTag(1, word(x), 1, rule_tag(y)?),
                "wdprevtag" => WordTag(0, word(y), -1, rule_tag(x)?),
                "wdnexttag" => WordTag(0, word(x), 1, rule_tag(y)?),
                "wdand2aft" => WordWord(0, word(x), 2, word(y)),
                "wdand2tagbfr" => WordTag(0, word(y), -2, rule_tag(x)?),
                "wdand2tagaft" => WordTag(0, word(x), 2, rule_tag(y)?),
                "lbigram" => WordWord(-1, word(x), 0, word(y)),
                "rbigram" => WordWord(0, word(x), 1, word(y)),
                "prevbigram" => TagTag(-2, rule_tag(x)?, -1, rule_tag(y)?),
                "nextbigram" => TagTag(1, rule_tag(x)?, 2, rule_tag(y)?),
                _ => return None,
            };
            Some(ContextRule {
                from,
                to,
                condition,
            })
        })
        .collect()
}

/// Rewrites `tags` with the contextual rules, left to right: a position's new tag is seen by the
/// positions after it, and each rule tests the tag the position had before any rule ran on it.
pub(crate) fn apply_context(rules: &[ContextRule], words: &[&str], tags: Vec<u8>) -> Vec<u8> {
    const PAD: usize = 3;
    let n = words.len();
    let mut t: Vec<u8> = vec![STAART; PAD];
    t.extend(&tags);
    t.extend([STAART; PAD]);
    let mut w: Vec<&str> = vec![STAART_WORD; PAD];
    w.extend(words);
    w.extend([STAART_WORD; PAD]);
    let at = |i: usize, d: isize| i.wrapping_add_signed(d);
    for i in PAD..PAD + n {
        let original = t[i];
        for r in rules {
            if r.from.is_some_and(|from| from != original) {
                continue;
            }
            let hit = match &r.condition {
                Condition::Tag(d, x) => t[at(i, *d)] == *x,
                Condition::AnyTag(ds, x) => ds.iter().any(|d| t[at(i, *d)] == *x),
                Condition::Word(d, x) => w[at(i, *d)] == x,
                Condition::AnyWord(ds, x) => ds.iter().any(|d| w[at(i, *d)] == x),
                Condition::TagTag(d1, x, d2, y) => t[at(i, *d1)] == *x && t[at(i, *d2)] == *y,
                Condition::WordTag(d1, x, d2, y) => w[at(i, *d1)] == x && t[at(i, *d2)] == *y,
                Condition::WordWord(d1, x, d2, y) => w[at(i, *d1)] == x && w[at(i, *d2)] == y,
            };
            if hit {
                t[i] = r.to;
            }
        }
    }
    t[PAD..PAD + n].to_vec()
}
