//! Shared code of the plugin measuring tools `pos-eval` and `plugin-bench`: the evaluation
//! corpora and how to load plugins from the command line.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rin_plugin_host::PluginDir;
use rin_plugin_perceptron::corpus::{self, normalize_tag, TaggedSentence};

/// `../shared/pos` and `data/` relative to this crate, for default paths.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An evaluation set: a name and tagged sentences.
pub struct EvalSet {
    /// Shown in the table.
    pub name: String,
    /// The sentences with gold tags.
    pub sentences: Vec<TaggedSentence>,
}

/// Reads a CoNLL-U or CoNLL-2000 file.
pub fn read_corpus(name: &str, path: &Path) -> anyhow::Result<EvalSet> {
    let sentences =
        corpus::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(EvalSet {
        name: name.to_owned(),
        sentences,
    })
}

#[derive(serde::Deserialize)]
struct WebNlgExample {
    tokens: Vec<String>,
    pos_tags: Vec<String>,
}

/// Reads a WebNLG file with `tokens` and `pos_tags` (Stanford CoreNLP's tags).
pub fn read_webnlg(name: &str, path: &Path) -> anyhow::Result<EvalSet> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let examples: Vec<WebNlgExample> =
        serde_json::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))?;
    let sentences = examples
        .into_iter()
        .filter(|e| e.tokens.len() == e.pos_tags.len())
        .map(|e| TaggedSentence {
            words: e.tokens,
            tags: e
                .pos_tags
                .iter()
                .map(|t| normalize_tag(t).to_owned())
                .collect(),
        })
        .collect();
    Ok(EvalSet {
        name: name.to_owned(),
        sentences,
    })
}

/// The plugin directory from `--plugin-dir`, `$RIN_PLUGIN_DIR` or next to this executable.
pub fn plugin_dir(explicit: Option<&Path>) -> anyhow::Result<PluginDir> {
    let dir = PluginDir::resolve(explicit)?;
    eprintln!("plugin directory: {}", dir.path().display());
    Ok(dir)
}

/// Loads a tagger plugin by name or path.
#[allow(unsafe_code)]
pub fn load_tagger(dir: &PluginDir, spec: &str) -> anyhow::Result<rin_plugin_host::Tagger> {
    // SAFETY: these tools load the project's own plugins, or ones the user names: trusted code.
    unsafe { dir.tagger(spec) }.with_context(|| format!("cannot load tagger {spec}"))
}

/// Loads a tokenizer plugin by name or path.
#[allow(unsafe_code)]
pub fn load_tokenizer(dir: &PluginDir, spec: &str) -> anyhow::Result<rin_plugin_host::Tokenizer> {
    // SAFETY: these tools load the project's own plugins, or ones the user names: trusted code.
    unsafe { dir.tokenizer(spec) }.with_context(|| format!("cannot load tokenizer {spec}"))
}
