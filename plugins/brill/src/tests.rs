use super::*;

fn tag(words: &[&str]) -> Vec<String> {
    BrillTagger::init().unwrap().tag_to_strings(words).unwrap()
}

#[test]
fn parses_all_shipped_rules() {
    let tagger = BrillTagger::init().unwrap();
    assert!(tagger.lexicon.len() > 90_000, "{}", tagger.lexicon.len());
    let morphology = data_lines(MORPHOLOGY).count();
    let context = data_lines(CONTEXT).count();
    // Only rules Pattern never applies (or with non-PTB tags) may be dropped.
    assert!(
        tagger.morphology.len() + 2 >= morphology,
        "{} of {morphology}",
        tagger.morphology.len()
    );
    assert!(
        tagger.context.len() + 2 >= context,
        "{} of {context}",
        tagger.context.len()
    );
}

#[test]
fn known_unknown_and_contextual_words() {
    assert_eq!(
        tag(&["The", "cat", "sat", "on", "the", "mat", "."]),
        ["DT", "NN", "VBD", "IN", "DT", "NN", "."]
    );
    // Unknown words: title case, numbers, suffix rules.
    assert_eq!(
        tag(&["Cesena", "has", "23,900", "blorfs"]),
        ["NNP", "VBZ", "CD", "NNS"]
    );
    // Contextual rule: a noun after `to` becomes a verb.
    assert_eq!(
        tag(&["I", "want", "to", "book", "it"]),
        ["PRP", "VBP", "TO", "VB", "PRP"]
    );
    assert_eq!(tag(&["(", "x", ")"])[0], "-LRB-");
    assert!(tag(&[]).is_empty());
}

#[test]
fn python_istitle_and_cardinals() {
    assert!(is_title("Rome") && is_title("A.C.") && is_title("Jean-Luc"));
    assert!(!is_title("McDonald") && !is_title("NASA") && !is_title("rome") && !is_title("42"));
    assert!(is_cardinal("23,900") && is_cardinal("10/03/1983") && is_cardinal("$5"));
    assert!(!is_cardinal("5km") && !is_cardinal(""));
}

#[test]
fn tag_mapping() {
    assert_eq!(tag_id("NP"), tag_id("NNP"));
    assert_eq!(tag_id("NN|JJ"), tag_id("NN"));
    assert_eq!(tag_id("("), tag_id("-LRB-"));
    assert_eq!(tag_id("1991)"), None);
}
