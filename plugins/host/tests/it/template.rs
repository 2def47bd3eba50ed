//! The template plugin builds on its own and loads like any other.

use crate::{tagger, tokenizer};

#[test]
fn the_template_builds_and_loads() {
    let t = tokenizer("template");
    assert_eq!(t.metadata().name, "template");
    let tokens: Vec<String> = t
        .tokenize("Rome has 2,870,500 people.")
        .unwrap()
        .into_iter()
        .map(|t| t.text)
        .collect();
    assert_eq!(tokens, ["Rome", "has", "2,870,500", "people", "."]);
    let g = tagger("template");
    assert_eq!(g.info().tagset, "ptb");
    assert_eq!(g.tag(&tokens).unwrap(), ["NNP", "NNS", "CD", "NN", "."]);
}
