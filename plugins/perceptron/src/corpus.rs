//! Readers for the part-of-speech corpora in `../shared/pos`: CoNLL-U (UD English EWT, the
//! Penn Treebank tag in the XPOS column) and CoNLL-2000 (`word POS chunk` lines).

use std::path::Path;

/// A sentence: tokens and their gold tags, the same length.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaggedSentence {
    /// The tokens.
    pub words: Vec<String>,
    /// One Penn Treebank tag per token.
    pub tags: Vec<String>,
}

/// Brings a corpus tag to the form this tagger uses: CoNLL-2000 writes brackets as `(` and `)`,
/// UD and Stanford CoreNLP as `-LRB-` and `-RRB-`.
pub fn normalize_tag(tag: &str) -> &str {
    match tag {
        "(" => "-LRB-",
        ")" => "-RRB-",
        other => other,
    }
}

/// Parses CoNLL-U text, keeping syntactic words (not multiword-token ranges or empty nodes) and
/// their XPOS (column 5). Sentences without XPOS are skipped.
pub fn parse_conllu(text: &str) -> Vec<TaggedSentence> {
    let mut out = Vec::new();
    let mut current = TaggedSentence::default();
    let mut complete = true;
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !current.words.is_empty() && complete {
                out.push(std::mem::take(&mut current));
            }
            current = TaggedSentence::default();
            complete = true;
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 5 || !cols[0].bytes().all(|b| b.is_ascii_digit()) {
            continue; // "3-4" multiword range or "8.1" empty node
        }
        if cols[4] == "_" {
            complete = false;
        }
        current.words.push(cols[1].to_owned());
        current.tags.push(normalize_tag(cols[4]).to_owned());
    }
    out
}

/// Parses CoNLL-2000 text: `word POS chunk` per line, blank lines between sentences.
pub fn parse_conll2000(text: &str) -> Vec<TaggedSentence> {
    let mut out = Vec::new();
    let mut current = TaggedSentence::default();
    for line in text.lines().chain(std::iter::once("")) {
        let mut cols = line.split_whitespace();
        match (cols.next(), cols.next()) {
            (Some(word), Some(tag)) => {
                current.words.push(word.to_owned());
                current.tags.push(normalize_tag(tag).to_owned());
            }
            _ => {
                if !current.words.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    out
}

/// Reads a corpus file, choosing the format by extension (`.conllu`, else CoNLL-2000).
pub fn read(path: &Path) -> std::io::Result<Vec<TaggedSentence>> {
    let text = std::fs::read_to_string(path)?;
    Ok(if path.extension().is_some_and(|e| e == "conllu") {
        parse_conllu(&text)
    } else {
        parse_conll2000(&text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conllu_keeps_words_and_xpos() {
        let text = "# text = Don't go.\n1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_\n1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n3\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_\n3.1\tx\tx\tX\tNN\t_\t_\t_\t_\t_\n4\t(\t(\tPUNCT\t-LRB-\t_\t3\tpunct\t_\t_\n\n";
        let s = parse_conllu(text);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].words, ["Do", "n't", "go", "("]);
        assert_eq!(s[0].tags, ["VBP", "RB", "VB", "-LRB-"]);
    }

    #[test]
    fn conll2000_maps_brackets() {
        let s = parse_conll2000("He PRP B-NP\n( ( O\n\n\nok JJ O\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tags, ["PRP", "-LRB-"]);
        assert_eq!(s[1].words, ["ok"]);
    }
}
