//! Loads rin's tokenizer and tagger plugins: shared libraries speaking the C ABI of
//! [`rin_plugin_abi`], usually written with `rin-plugin-sdk`.
//!
//! Both the trainer and the runtime use this crate, so that the same tagger plugin prepares the
//! training data and tags at inference, and [`check_tagset`] catches a model used with a tagger
//! of another tag set.
//!
//! - [`Tokenizer::load`] / [`Tagger::load`] load a library by path; [`PluginDir`] finds one by
//!   name in the plugin directory (`--plugin-dir`, else `$RIN_PLUGIN_DIR`, else next to the
//!   executable; never the working directory). [`list_plugins`] describes a directory.
//! - Loading checks the entry symbol and the table's ABI version and size before calling
//!   anything. Libraries are never unloaded.
//! - Every call's status becomes a [`Result`]: an error or a panic inside a plugin is an
//!   [`Error`], never a crash, and the host checks what comes back (token offsets, tag indices).
//!
//! ```no_run
//! use rin_plugin_host::{check_tagset, ModelTagset, PluginDir};
//!
//! # fn main() -> Result<(), rin_plugin_host::Error> {
//! let plugins = PluginDir::resolve(None)?;
//! // SAFETY: the plugin directory holds trusted plugins.
//! let tagger = unsafe { plugins.tagger("perceptron") }?;
//! let tokens: Vec<String> = ["Rome", "is", "the", "capital", "of", "Italy", "."].map(String::from).into();
//! let tags = tagger.tag(&tokens)?;
//! assert_eq!(tags.len(), tokens.len());
//! // At inference: the tagger must produce the tag set recorded with the model.
//! let recorded = tagger.info().clone();
//! check_tagset(&ModelTagset::of_tagger(&recorded), tagger.info(), false)?;
//! # Ok(())
//! # }
//! ```

mod dir;
mod error;
mod ffi;
mod segmenter;
mod tagger;
mod tagset;
mod tokenizer;

use std::fmt;

pub use dir::{
    library_file_name, plugin_name_of_file, PluginDir, PluginListing, PluginRef, FILE_PREFIX,
    PLUGIN_DIR_ENV,
};
pub use error::{CallStatus, Error, Result};
pub use ffi::list_plugins;
pub use rin_plugin_abi::ABI_VERSION;
pub use segmenter::{Segmenter, LINES};
pub use tagger::{Tagger, TaggerInfo};
pub use tagset::{canonical_tagset, check_tagset, ModelTagset};
pub use tokenizer::{Token, Tokenizer};

/// The kinds of plugins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PluginKind {
    /// Text to tokens with byte offsets.
    Tokenizer,
    /// Tokens to part-of-speech tags.
    Tagger,
    /// Text to sentences with byte offsets.
    Segmenter,
}

impl fmt::Display for PluginKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PluginKind::Tokenizer => "tokenizer",
            PluginKind::Tagger => "tagger",
            PluginKind::Segmenter => "segmenter",
        })
    }
}

/// A plugin's name, version and description.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PluginMetadata {
    /// Name used to select the plugin.
    pub name: String,
    /// Version.
    pub version: String,
    /// One line describing the plugin.
    pub description: String,
}
