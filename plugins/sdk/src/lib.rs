//! Write rin tokenizer, tagger and sentence segmenter plugins in safe Rust.
//!
//! A plugin is a struct implementing [`Tokenizer`], [`Tagger`] or [`Segmenter`] plus one line,
//! [`export_tokenizer!`], [`export_tagger!`] or [`export_segmenter!`], in a crate built as a `cdylib`. The macro generates
//! the C entry point of [`rin_plugin_abi`]: every call is wrapped in `catch_unwind`, inputs are
//! checked (UTF-8, null pointers) and results go back through the host's callbacks, so no memory is
//! ever freed across the boundary.
//!
//! ```
//! use rin_plugin_sdk::{export_tagger, Metadata, PluginError, Tagger, Tagset};
//!
//! /// Tags every token that starts with a capital letter as `NNP`, every other one as `NN`.
//! pub struct CapitalTagger {
//!     tagset: Tagset,
//! }
//!
//! impl Tagger for CapitalTagger {
//!     fn init() -> Result<Self, PluginError> {
//!         Ok(CapitalTagger { tagset: Tagset::new("toy", ["NN", "NNP"]) })
//!     }
//!
//!     fn metadata(&self) -> Metadata {
//!         Metadata { name: "capital", version: "0.1.0", description: "toy tagger" }
//!     }
//!
//!     fn tagset(&self) -> &Tagset {
//!         &self.tagset
//!     }
//!
//!     fn tag(&self, tokens: &[&str], tags: &mut Vec<u32>) -> Result<(), PluginError> {
//!         tags.extend(tokens.iter().map(|t| u32::from(t.starts_with(char::is_uppercase))));
//!         Ok(())
//!     }
//! }
//!
//! export_tagger!(CapitalTagger);
//!
//! let tagger = CapitalTagger::init().unwrap();
//! assert_eq!(tagger.tag_to_strings(&["Paris", "is", "big"]).unwrap(), ["NNP", "NN", "NN"]);
//! ```
#![warn(missing_docs)]

use std::collections::HashMap;
use std::fmt;

#[doc(hidden)]
pub mod ffi;
pub mod testing;

pub use rin_plugin_abi as abi;
pub use rin_plugin_abi::Span;

/// Identity of a plugin, as `rin plugins list` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// Short name used to select the plugin (`--tagger perceptron`); also the library's file name
    /// without the `rin_plugin_` prefix, by convention.
    pub name: &'static str,
    /// The plugin's version; bump it whenever its output changes (new weights, new rules).
    pub version: &'static str,
    /// One line describing the plugin.
    pub description: &'static str,
}

/// An error a plugin reports to the host; the message reaches the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginError {
    message: String,
}

impl PluginError {
    /// An error with the given message (lowercase, no trailing period).
    pub fn new(message: impl fmt::Display) -> Self {
        PluginError {
            message: message.to_string(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

/// A named list of tags; a [`Tagger`] answers with indices into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tagset {
    name: String,
    tags: Vec<String>,
    index: HashMap<String, u32>,
}

impl Tagset {
    /// A tagset called `name` with the given tags, in this order. A repeated tag keeps its first
    /// index.
    pub fn new<I, S>(name: impl Into<String>, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut set = Tagset {
            name: name.into(),
            tags: Vec::new(),
            index: HashMap::new(),
        };
        for tag in tags {
            let tag = tag.into();
            if !set.index.contains_key(&tag) {
                set.index.insert(tag.clone(), set.tags.len() as u32);
                set.tags.push(tag);
            }
        }
        set
    }

    /// The tagset's name, e.g. `ptb`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// All tags, in index order.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Number of tags.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// Whether the tagset has no tags.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// Index of `tag`, if it belongs to the tagset.
    pub fn id(&self, tag: &str) -> Option<u32> {
        self.index.get(tag).copied()
    }

    /// The tag with index `id`, if any.
    pub fn tag(&self, id: u32) -> Option<&str> {
        self.tags.get(id as usize).map(String::as_str)
    }
}

/// A tokenizer: UTF-8 text to token byte spans.
pub trait Tokenizer: Send + Sync + 'static {
    /// Builds the tokenizer. Called once, on the first call through the C ABI.
    fn init() -> Result<Self, PluginError>
    where
        Self: Sized;

    /// The plugin's identity.
    fn metadata(&self) -> Metadata;

    /// Appends the spans of the tokens of `text` to `spans` (which arrives empty), in order.
    ///
    /// Spans are byte ranges: `start < end <= text.len()`, each on a char boundary, each starting
    /// at or after the previous one's end. The host rejects anything else.
    fn tokenize(&self, text: &str, spans: &mut Vec<Span>) -> Result<(), PluginError>;

    /// Convenience for Rust callers: the tokens of `text` as string slices.
    fn tokenize_to_strs<'t>(&self, text: &'t str) -> Result<Vec<&'t str>, PluginError> {
        let mut spans = Vec::new();
        self.tokenize(text, &mut spans)?;
        spans
            .iter()
            .map(|s| {
                text.get(s.start..s.end)
                    .ok_or_else(|| PluginError::new(format!("invalid span {}..{}", s.start, s.end)))
            })
            .collect()
    }
}

/// A part-of-speech tagger: the tokens of one sentence to one tag each.
pub trait Tagger: Send + Sync + 'static {
    /// Builds the tagger (loads its weights). Called once, on the first call through the C ABI.
    fn init() -> Result<Self, PluginError>
    where
        Self: Sized;

    /// The plugin's identity.
    fn metadata(&self) -> Metadata;

    /// The tags this tagger can produce.
    fn tagset(&self) -> &Tagset;

    /// Appends one tag index (into [`Tagger::tagset`]) per token of `tokens` to `tags` (which
    /// arrives empty).
    fn tag(&self, tokens: &[&str], tags: &mut Vec<u32>) -> Result<(), PluginError>;

    /// Convenience for Rust callers: the tags of `tokens` as strings.
    fn tag_to_strings(&self, tokens: &[&str]) -> Result<Vec<String>, PluginError> {
        let mut ids = Vec::with_capacity(tokens.len());
        self.tag(tokens, &mut ids)?;
        let tagset = self.tagset();
        ids.iter()
            .map(|&id| {
                tagset
                    .tag(id)
                    .map(str::to_owned)
                    .ok_or_else(|| PluginError::new(format!("tag index {id} is not in the tagset")))
            })
            .collect()
    }
}

/// Exports a [`Tokenizer`] as the `rin_tokenizer_plugin_v1` symbol of this library.
///
/// Use it once, at the root of a `cdylib` crate: `export_tokenizer!(MyTokenizer);`. The crate must
/// allow `unsafe_code` to be lowered to `deny` (the generated entry point is `#[no_mangle]`); it
/// needs no `unsafe` of its own.
#[macro_export]
macro_rules! export_tokenizer {
    ($ty:ty) => {
        $crate::__export_plugin!(
            $ty,
            rin_tokenizer_plugin_v1,
            TokenizerVTable,
            tokenizer_table
        );
    };
}

/// A sentence segmenter: splits a text into sentences (byte spans, in order, without overlap).
/// Export it with [`export_segmenter!`].
pub trait Segmenter: Send + Sync + 'static {
    /// Builds the segmenter (once, on first use).
    fn init() -> Result<Self, PluginError>
    where
        Self: Sized;

    /// Name, version and description.
    fn metadata(&self) -> Metadata;

    /// Appends the byte spans of the sentences of `text` to `spans`, in order. Whitespace between
    /// sentences may be left out of every span.
    fn segment(&self, text: &str, spans: &mut Vec<Span>) -> Result<(), PluginError>;
}

/// Exports `$ty` (a [`Segmenter`]) as this library's sentence segmenter plugin
/// (`rin_segmenter_plugin_v1`).
#[macro_export]
macro_rules! export_segmenter {
    ($ty:ty) => {
        $crate::__export_plugin!(
            $ty,
            rin_segmenter_plugin_v1,
            SegmenterVTable,
            segmenter_table
        );
    };
}

/// Exports a [`Tagger`] as the `rin_tagger_plugin_v1` symbol of this library.
///
/// Use it once, at the root of a `cdylib` crate: `export_tagger!(MyTagger);`. The crate must allow
/// `unsafe_code` to be lowered to `deny` (the generated entry point is `#[no_mangle]`); it needs no
/// `unsafe` of its own.
#[macro_export]
macro_rules! export_tagger {
    ($ty:ty) => {
        $crate::__export_plugin!($ty, rin_tagger_plugin_v1, TaggerVTable, tagger_table);
    };
}

/// What the `export_*!` macros expand to: the type's static instance, and the `#[no_mangle]` entry
/// point `$entry` returning its function table of type `abi::$table`, built by `ffi::$build`.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_plugin {
    ($ty:ty, $entry:ident, $table:ident, $build:ident) => {
        const _: () = {
            impl $crate::ffi::Instance for $ty {
                fn cell() -> &'static $crate::ffi::InstanceCell<Self> {
                    static CELL: $crate::ffi::InstanceCell<$ty> = $crate::ffi::InstanceCell::new();
                    &CELL
                }
            }
        };

        /// Entry point of a rin plugin ABI function table.
        #[unsafe(no_mangle)]
        #[allow(unsafe_code)]
        pub extern "C" fn $entry(host_abi_version: u32) -> *const $crate::abi::$table {
            static TABLE: $crate::abi::$table = $crate::ffi::$build::<$ty>();
            $crate::ffi::entry(host_abi_version, &TABLE)
        }
    };
}

#[cfg(test)]
mod tests;
