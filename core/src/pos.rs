//! Penn Treebank POS tags as the model sees them: the fixed tag list behind the POS vocabulary,
//! shared by the trainer (which builds the vocabulary) and the runtime (which looks tags up in it).

use crate::vocab::Vocab;

/// The 45 Penn Treebank tags, with brackets written as Stanford writes them. POS ids are
/// `2 + index` in this list (0 is PAD, 1 is UNK), independent of the data.
pub const PENN_TAGS: [&str; 45] = [
    "CC", "CD", "DT", "EX", "FW", "IN", "JJ", "JJR", "JJS", "LS", "MD", "NN", "NNS", "NNP", "NNPS",
    "PDT", "POS", "PRP", "PRP$", "RB", "RBR", "RBS", "RP", "SYM", "TO", "UH", "VB", "VBD", "VBG",
    "VBN", "VBP", "VBZ", "WDT", "WP", "WP$", "WRB", "#", "$", ".", ",", ":", "-LRB-", "-RRB-",
    "``", "''",
];

/// The name of the tag set in checkpoints.
pub const TAGSET: &str = "penn-treebank";

/// The POS vocabulary: PAD, UNK, then [`PENN_TAGS`].
pub fn pos_vocab() -> Vocab {
    let mut vocab = Vocab::new();
    for tag in PENN_TAGS {
        vocab.insert(tag);
    }
    vocab
}

/// Maps spellings of the same tag onto [`PENN_TAGS`]: raw brackets and Stanford's curly-bracket
/// tags become `-LRB-`/`-RRB-`. Anything else is kept (and looks up as UNK if unknown).
pub fn normalize_tag(tag: &str) -> &str {
    match tag {
        "(" | "[" | "{" | "-LCB-" | "-LSB-" => "-LRB-",
        ")" | "]" | "}" | "-RCB-" | "-RSB-" => "-RRB-",
        other => other,
    }
}
