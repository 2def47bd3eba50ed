//! Errors of the plugin host.

use std::fmt;
use std::path::PathBuf;

use crate::{PluginKind, TaggerInfo};

/// Result of the plugin host.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a failed plugin call reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallStatus {
    /// The plugin reported an error.
    Error,
    /// The plugin panicked (and caught the panic at the boundary).
    Panic,
    /// The plugin rejected an argument.
    InvalidArgument,
    /// The plugin could not initialise itself.
    InitFailed,
    /// A status code this host does not know.
    Unknown(u32),
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallStatus::Error => f.write_str("failed"),
            CallStatus::Panic => f.write_str("panicked"),
            CallStatus::InvalidArgument => f.write_str("rejected its arguments"),
            CallStatus::InitFailed => f.write_str("failed to initialise"),
            CallStatus::Unknown(code) => write!(f, "returned unknown status {code}"),
        }
    }
}

/// An error of the plugin host. Each variant names the library and, where there is one, the
/// symbol or call involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be loaded as a shared library.
    #[error("cannot load {path} as a plugin library")]
    Open {
        /// The library.
        path: PathBuf,
        /// The loader's error.
        #[source]
        source: libloading::Error,
    },

    /// The library does not export the entry symbol of the wanted kind.
    #[error("{path} is not a rin {kind} plugin: it has no `{symbol}` symbol")]
    MissingSymbol {
        /// The library.
        path: PathBuf,
        /// The kind that was wanted.
        kind: PluginKind,
        /// The entry symbol looked for.
        symbol: &'static str,
        /// The loader's error.
        #[source]
        source: libloading::Error,
    },

    /// The entry symbol returned a null table.
    #[error("plugin {path}: `{symbol}` returned no function table")]
    NullTable {
        /// The library.
        path: PathBuf,
        /// The entry symbol.
        symbol: &'static str,
    },

    /// The plugin was built for another ABI version.
    #[error(
        "plugin {path}: `{symbol}` reports ABI version {plugin}, but this rin speaks ABI version \
         {host}; rebuild the plugin against rin-plugin-abi with ABI version {host}"
    )]
    AbiMismatch {
        /// The library.
        path: PathBuf,
        /// The entry symbol.
        symbol: &'static str,
        /// The plugin's ABI version.
        plugin: u32,
        /// The host's ABI version.
        host: u32,
    },

    /// The plugin's function table is smaller than its ABI version requires.
    #[error("plugin {path}: the table of `{symbol}` is {actual} bytes, ABI version {abi} needs {expected}")]
    TableTooSmall {
        /// The library.
        path: PathBuf,
        /// The entry symbol.
        symbol: &'static str,
        /// The ABI version.
        abi: u32,
        /// The size the plugin reported.
        actual: u32,
        /// The size the host needs.
        expected: u32,
    },

    /// A plugin function returned a failure status.
    #[error("plugin `{plugin}` ({path}) {status} in `{call}`: {message}")]
    Call {
        /// The plugin's name (or its file name before its metadata is known).
        plugin: String,
        /// The library.
        path: PathBuf,
        /// The function of the table.
        call: &'static str,
        /// The status it returned.
        status: CallStatus,
        /// Its message, or a note that it gave none.
        message: String,
    },

    /// A plugin function returned OK without sending its result.
    #[error("plugin `{plugin}` ({path}) returned no result from `{call}`")]
    NoResult {
        /// The plugin's name (or its file name).
        plugin: String,
        /// The library.
        path: PathBuf,
        /// The function of the table.
        call: &'static str,
    },

    /// A tokenizer or segmenter returned offsets that do not cut the text into ordered spans.
    #[error(
        "{kind} `{plugin}` ({path}) returned invalid offsets: {unit} {index} is {start}..{end} \
         in a text of {len} bytes ({reason})",
        unit = if *kind == crate::PluginKind::Segmenter { "sentence" } else { "token" }
    )]
    BadOffsets {
        /// The kind of plugin (tokenizer or segmenter).
        kind: crate::PluginKind,
        /// The plugin's name.
        plugin: String,
        /// The library.
        path: PathBuf,
        /// Index of the first bad token.
        index: usize,
        /// Its start offset.
        start: usize,
        /// Its end offset.
        end: usize,
        /// Length of the text in bytes.
        len: usize,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A tagger returned a tag index outside its tagset.
    #[error(
        "tagger `{plugin}` ({path}) returned tag index {id} for token {index}, but its tagset \
         `{tagset}` has {tags} tags"
    )]
    BadTag {
        /// The plugin's name.
        plugin: String,
        /// The library.
        path: PathBuf,
        /// Index of the token.
        index: usize,
        /// The tag index returned.
        id: u32,
        /// The tagset's name.
        tagset: String,
        /// Number of tags in the tagset.
        tags: usize,
    },

    /// No plugin library of that name in the plugin directory.
    #[error("no plugin named `{name}` in {dir} (looked for {file}); available: {available}")]
    NotFound {
        /// The name asked for.
        name: String,
        /// The plugin directory.
        dir: PathBuf,
        /// The file name looked for.
        file: String,
        /// The plugin names found there, comma-separated, or `none`.
        available: String,
    },

    /// The plugin directory could not be read.
    #[error("cannot read the plugin directory {dir}")]
    ReadDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The executable's path, needed for the default plugin directory, is unknown.
    #[error("cannot locate the running executable to find the default plugin directory; pass --plugin-dir or set RIN_PLUGIN_DIR")]
    NoExecutable {
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The loaded tagger's tag set is not the one the model was trained on.
    #[error(
        "tagset mismatch: the model was trained on {model}, but {tagger} is loaded ({details}); \
         use a tagger with the model's tag set, or override the check explicitly to accept different POS input"
    )]
    TagsetMismatch {
        /// The model's tag set, in words.
        model: String,
        /// The loaded tagger.
        tagger: Box<TaggerInfo>,
        /// What differs.
        details: String,
    },
}
