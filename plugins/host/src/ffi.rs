//! The host side of the C ABI: opening libraries, checking their tables, calling through them.
//!
//! This module is the only place of the host with `unsafe` code. Everything it hands out is safe
//! to use: tables are checked ([`ABI_VERSION`], `struct_size`) before any of their functions is
//! called, libraries are leaked so that their code stays mapped for the life of the process, and
//! every call goes through [`call`], which turns the plugin's status into a `Result`.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::path::Path;

use libloading::Library;
use rin_plugin_abi::{
    table_size, ErrorSink, Metadata, MetadataSink, SegmenterVTable, Span, SpanSink, Status, StrRef,
    TableHeader, TaggerVTable, Tagset, TagsetSink, TokenizerVTable, ABI_VERSION, SEGMENTER_ENTRY,
    STATUS_ERROR, STATUS_INIT_FAILED, STATUS_INVALID_ARGUMENT, STATUS_OK, STATUS_PANIC,
    TAGGER_ENTRY, TOKENIZER_ENTRY,
};

use crate::error::{CallStatus, Error, Result};
use crate::{PluginDir, PluginKind, PluginListing, PluginMetadata, Segmenter, Tagger, Tokenizer};

impl Tokenizer {
    /// Loads the tokenizer plugin at `path`, checking its entry symbol, ABI version and table
    /// size before calling anything.
    ///
    /// The library is never unloaded, even when this fails after opening it.
    ///
    /// # Safety
    /// Loading a library runs its initialisers, and its functions are then trusted to follow the
    /// ABI ([`rin_plugin_abi`]): only load plugins you trust, as you would any code you run.
    pub unsafe fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        // SAFETY: forwarded from the caller.
        let table = unsafe { load_tokenizer(path) }?;
        Tokenizer::from_table(path.to_owned(), table)
    }
}

impl Tagger {
    /// Loads the tagger plugin at `path`, checking its entry symbol, ABI version and table size
    /// before calling anything.
    ///
    /// The library is never unloaded, even when this fails after opening it.
    ///
    /// # Safety
    /// Loading a library runs its initialisers, and its functions are then trusted to follow the
    /// ABI ([`rin_plugin_abi`]): only load plugins you trust, as you would any code you run.
    pub unsafe fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        // SAFETY: forwarded from the caller.
        let table = unsafe { load_tagger(path) }?;
        Tagger::from_table(path.to_owned(), table)
    }
}

impl Segmenter {
    /// Loads the sentence segmenter plugin at `path`, checking its entry symbol, ABI version and
    /// table size before calling anything.
    ///
    /// The library is never unloaded, even when this fails after opening it.
    ///
    /// # Safety
    /// Loading a library runs its initialisers, and its functions are then trusted to follow the
    /// ABI ([`rin_plugin_abi`]): only load plugins you trust, as you would any code you run.
    pub unsafe fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        // SAFETY: forwarded from the caller.
        let table = unsafe { load_table(path, SEGMENTER_ENTRY, PluginKind::Segmenter) }?;
        Segmenter::from_table(path.to_owned(), SegmenterTable(table))
    }
}

impl PluginDir {
    /// Loads a tokenizer by name from this directory, or from an explicit path (see
    /// [`crate::PluginRef::parse`]).
    ///
    /// # Safety
    /// As [`Tokenizer::load`]: the library is trusted code.
    pub unsafe fn tokenizer(&self, spec: &str) -> Result<Tokenizer> {
        let path = self.locate(spec)?;
        // SAFETY: forwarded from the caller.
        unsafe { Tokenizer::load(path) }
    }

    /// Loads a tagger by name from this directory, or from an explicit path (see
    /// [`crate::PluginRef::parse`]).
    ///
    /// # Safety
    /// As [`Tagger::load`]: the library is trusted code.
    pub unsafe fn tagger(&self, spec: &str) -> Result<Tagger> {
        let path = self.locate(spec)?;
        // SAFETY: forwarded from the caller.
        unsafe { Tagger::load(path) }
    }

    /// Loads a sentence segmenter by name from this directory, or from an explicit path (see
    /// [`crate::PluginRef::parse`]).
    ///
    /// # Safety
    /// As [`Segmenter::load`]: the library is trusted code.
    pub unsafe fn segmenter(&self, spec: &str) -> Result<Segmenter> {
        let path = self.locate(spec)?;
        // SAFETY: forwarded from the caller.
        unsafe { Segmenter::load(path) }
    }

    /// Loads every plugin library of the directory and describes it; see [`list_plugins`].
    ///
    /// # Safety
    /// As [`list_plugins`].
    pub unsafe fn list(&self) -> Result<Vec<Result<PluginListing>>> {
        self.list_with(
            // SAFETY: forwarded from the caller.
            |path| unsafe { Tokenizer::load(path) },
            // SAFETY: forwarded from the caller.
            |path| unsafe { Tagger::load(path) },
            // SAFETY: forwarded from the caller.
            |path| unsafe { Segmenter::load(path) },
        )
    }
}

/// Loads every plugin library (`librin_plugin_*.so`, or the platform's equivalent) in `dir` and
/// describes each plugin: name, kind, version, ABI version and tagset, for `rin plugins list`.
/// A library that fails to load, or is no plugin, gives an `Err` entry; an unreadable directory
/// gives the outer `Err`.
///
/// # Safety
/// Every such library in `dir` is loaded and run: all of them must be trusted code.
pub unsafe fn list_plugins(dir: impl AsRef<Path>) -> Result<Vec<Result<PluginListing>>> {
    // SAFETY: forwarded from the caller.
    unsafe { PluginDir::new(dir.as_ref()).list() }
}

/// A checked tokenizer table of a library that is never unloaded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenizerTable(&'static TokenizerVTable);

/// A checked tagger table of a library that is never unloaded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TaggerTable(&'static TaggerVTable);

/// A checked sentence segmenter table of a library that is never unloaded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SegmenterTable(&'static SegmenterVTable);

/// Opens `path` and leaks the handle: a plugin is never unloaded, because thread-local destructors
/// and other callbacks registered by its code would crash after `dlclose`.
///
/// # Safety
/// Loading runs the library's initialisers: the caller trusts the file.
unsafe fn open(path: &Path) -> Result<&'static Library> {
    // SAFETY: the caller trusts the library (see this function's contract).
    let library = unsafe { Library::new(path) }.map_err(|source| Error::Open {
        path: path.to_owned(),
        source,
    })?;
    Ok(Box::leak(Box::new(library)))
}

fn symbol_name(symbol: &'static [u8]) -> &'static str {
    // The entry names are ASCII constants ending in NUL.
    std::str::from_utf8(&symbol[..symbol.len() - 1]).unwrap_or("?")
}

/// Reads and checks the header of the table at `table` against the host's ABI.
///
/// # Safety
/// `table` must be null or point to at least a readable [`TableHeader`] that lives forever.
unsafe fn check_header(
    path: &Path,
    symbol: &'static str,
    table: *const TableHeader,
    expected: u32,
) -> Result<()> {
    if table.is_null() {
        return Err(Error::NullTable {
            path: path.to_owned(),
            symbol,
        });
    }
    // SAFETY: non-null; every table version starts with this header (caller's contract).
    let header = unsafe { table.read_unaligned() };
    if header.abi_version != ABI_VERSION {
        return Err(Error::AbiMismatch {
            path: path.to_owned(),
            symbol,
            plugin: header.abi_version,
            host: ABI_VERSION,
        });
    }
    if header.struct_size < expected {
        return Err(Error::TableTooSmall {
            path: path.to_owned(),
            symbol,
            abi: ABI_VERSION,
            actual: header.struct_size,
            expected,
        });
    }
    Ok(())
}

/// Loads the tokenizer table of the library at `path`.
///
/// # Safety
/// See [`crate::Tokenizer::load`].
pub(crate) unsafe fn load_tokenizer(path: &Path) -> Result<TokenizerTable> {
    // SAFETY: forwarded from the caller.
    unsafe { load_table(path, TOKENIZER_ENTRY, PluginKind::Tokenizer) }.map(TokenizerTable)
}

/// Loads the tagger table of the library at `path`.
///
/// # Safety
/// See [`crate::Tagger::load`].
pub(crate) unsafe fn load_tagger(path: &Path) -> Result<TaggerTable> {
    // SAFETY: forwarded from the caller.
    unsafe { load_table(path, TAGGER_ENTRY, PluginKind::Tagger) }.map(TaggerTable)
}

/// Opens the library at `path`, calls its entry `entry_symbol` (of type
/// `extern "C" fn(u32) -> *const T`, as the ABI fixes for each kind) and checks the table.
///
/// # Safety
/// See [`crate::Tokenizer::load`]; `T` must be the table type the ABI gives `entry_symbol`.
unsafe fn load_table<T>(
    path: &Path,
    entry_symbol: &'static [u8],
    kind: PluginKind,
) -> Result<&'static T> {
    // SAFETY: forwarded from the caller.
    let library = unsafe { open(path) }?;
    let symbol = symbol_name(entry_symbol);
    // SAFETY: the symbol's type is fixed by the ABI; a library exporting this name promises it.
    let entry = unsafe { library.get::<unsafe extern "C" fn(u32) -> *const T>(entry_symbol) }
        .map_err(|source| Error::MissingSymbol {
            path: path.to_owned(),
            kind,
            symbol,
            source,
        })?;
    // SAFETY: calling the entry point is how the ABI starts; it only returns a pointer.
    let table = unsafe { entry(ABI_VERSION) };
    let expected = table_size::<T>();
    // SAFETY: by the ABI the entry returns null or a static table starting with the header.
    unsafe { check_header(path, symbol, table.cast(), expected) }?;
    // SAFETY: checked non-null, of our ABI version and at least as large as our table; it lives
    // as long as the library, which is leaked.
    Ok(unsafe { &*table })
}

/// Who is being called, for error messages.
pub(crate) struct Callee<'a> {
    pub(crate) plugin: &'a str,
    pub(crate) path: &'a Path,
}

fn str_ref(s: &str) -> StrRef {
    StrRef {
        ptr: s.as_ptr(),
        len: s.len(),
    }
}

/// Copies a plugin's string. Invalid UTF-8 is replaced rather than trusted.
///
/// # Safety
/// `s` must be valid for reads of `s.len` bytes (or `s.len == 0`, or `s.ptr` null).
unsafe fn copy_str(s: StrRef) -> String {
    if s.len == 0 || s.ptr.is_null() {
        return String::new();
    }
    // SAFETY: non-null and valid for `len` bytes by the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    String::from_utf8_lossy(bytes).into_owned()
}

unsafe extern "C" fn write_error(ctx: *mut c_void, message: StrRef) {
    // SAFETY: `ctx` is the `Option<String>` that `call` lent for this call.
    let slot = unsafe { &mut *ctx.cast::<Option<String>>() };
    // SAFETY: by the ABI the message is valid for the duration of this callback.
    *slot = Some(unsafe { copy_str(message) });
}

/// Runs one plugin call with an error sink and turns its status into a `Result`.
fn call(
    callee: &Callee<'_>,
    name: &'static str,
    f: impl FnOnce(ErrorSink) -> Status,
) -> Result<()> {
    let mut message: Option<String> = None;
    let sink = ErrorSink {
        ctx: (&mut message as *mut Option<String>).cast(),
        write: write_error,
    };
    let status = f(sink);
    let status = match status {
        STATUS_OK => return Ok(()),
        STATUS_ERROR => CallStatus::Error,
        STATUS_PANIC => CallStatus::Panic,
        STATUS_INVALID_ARGUMENT => CallStatus::InvalidArgument,
        STATUS_INIT_FAILED => CallStatus::InitFailed,
        other => CallStatus::Unknown(other),
    };
    Err(Error::Call {
        plugin: callee.plugin.to_owned(),
        path: callee.path.to_owned(),
        call: name,
        status,
        message: message.unwrap_or_else(|| "(the plugin gave no message)".to_owned()),
    })
}

fn no_result(callee: &Callee<'_>, name: &'static str) -> Error {
    Error::NoResult {
        plugin: callee.plugin.to_owned(),
        path: callee.path.to_owned(),
        call: name,
    }
}

unsafe extern "C" fn write_metadata(ctx: *mut c_void, metadata: *const Metadata) {
    if metadata.is_null() {
        return;
    }
    // SAFETY: `ctx` is the `Option<PluginMetadata>` lent by `metadata`; `metadata` is non-null and
    // by the ABI valid, with its strings, for the duration of this callback.
    unsafe {
        let m = &*metadata;
        *ctx.cast::<Option<PluginMetadata>>() = Some(PluginMetadata {
            name: copy_str(m.name),
            version: copy_str(m.version),
            description: copy_str(m.description),
        });
    }
}

fn metadata(
    callee: &Callee<'_>,
    f: unsafe extern "C" fn(MetadataSink, ErrorSink) -> Status,
) -> Result<PluginMetadata> {
    let mut out: Option<PluginMetadata> = None;
    let sink = MetadataSink {
        ctx: (&mut out as *mut Option<PluginMetadata>).cast(),
        write: write_metadata,
    };
    // SAFETY: `f` comes from a checked table; the sinks and their contexts outlive the call.
    call(callee, "metadata", |error| unsafe { f(sink, error) })?;
    out.ok_or_else(|| no_result(callee, "metadata"))
}

impl TokenizerTable {
    pub(crate) fn metadata(self, callee: &Callee<'_>) -> Result<PluginMetadata> {
        metadata(callee, self.0.metadata)
    }

    /// Tokenizes `text`, returning the spans exactly as the plugin sent them (unchecked).
    pub(crate) fn tokenize(self, callee: &Callee<'_>, text: &str) -> Result<Vec<Span>> {
        call_spans(callee, "tokenize", self.0.tokenize, text)
    }
}

impl SegmenterTable {
    pub(crate) fn metadata(self, callee: &Callee<'_>) -> Result<PluginMetadata> {
        metadata(callee, self.0.metadata)
    }

    /// Splits `text` into sentences, returning the spans exactly as the plugin sent them
    /// (unchecked).
    pub(crate) fn segment(self, callee: &Callee<'_>, text: &str) -> Result<Vec<Span>> {
        call_spans(callee, "segment", self.0.segment, text)
    }
}

/// Calls a table's text-to-spans function `f` (`tokenize`, `segment`) on `text`.
fn call_spans(
    callee: &Callee<'_>,
    name: &'static str,
    f: unsafe extern "C" fn(StrRef, SpanSink, ErrorSink) -> Status,
    text: &str,
) -> Result<Vec<Span>> {
    unsafe extern "C" fn write_spans(ctx: *mut c_void, spans: *const Span, len: usize) {
        if spans.is_null() || len == 0 {
            return;
        }
        // SAFETY: `ctx` is the `Vec<Span>` lent by `call_spans`; by the ABI `spans` points to
        // `len` spans valid for the duration of this callback.
        unsafe {
            let out = &mut *ctx.cast::<Vec<Span>>();
            out.extend_from_slice(std::slice::from_raw_parts(spans, len));
        }
    }
    let mut spans: Vec<Span> = Vec::new();
    let sink = SpanSink {
        ctx: (&mut spans as *mut Vec<Span>).cast(),
        write: write_spans,
    };
    // SAFETY: `f` comes from a checked table; `text`, the sinks and their contexts outlive the
    // call.
    call(callee, name, |error| unsafe {
        f(str_ref(text), sink, error)
    })?;
    Ok(spans)
}

impl TaggerTable {
    pub(crate) fn metadata(self, callee: &Callee<'_>) -> Result<PluginMetadata> {
        metadata(callee, self.0.metadata)
    }

    /// The tagset's name and tags.
    pub(crate) fn tagset(self, callee: &Callee<'_>) -> Result<(String, Vec<String>)> {
        unsafe extern "C" fn write_tagset(ctx: *mut c_void, tagset: *const Tagset) {
            if tagset.is_null() {
                return;
            }
            // SAFETY: `ctx` is the `Option` lent by `tagset`; `tagset` is non-null and by the ABI
            // valid, with its tag array and strings, for the duration of this callback.
            unsafe {
                let t = &*tagset;
                let tags = if t.tags.is_null() || t.len == 0 {
                    Vec::new()
                } else {
                    std::slice::from_raw_parts(t.tags, t.len)
                        .iter()
                        .map(|&s| copy_str(s))
                        .collect()
                };
                *ctx.cast::<Option<(String, Vec<String>)>>() = Some((copy_str(t.name), tags));
            }
        }
        let mut out: Option<(String, Vec<String>)> = None;
        let sink = TagsetSink {
            ctx: (&mut out as *mut Option<(String, Vec<String>)>).cast(),
            write: write_tagset,
        };
        let f = self.0.tagset;
        // SAFETY: `f` comes from a checked table; the sinks and their contexts outlive the call.
        call(callee, "tagset", |error| unsafe { f(sink, error) })?;
        out.ok_or_else(|| no_result(callee, "tagset"))
    }

    /// Tags one sentence, returning the tag indices as the plugin wrote them (unchecked).
    pub(crate) fn tag<S: AsRef<str>>(self, callee: &Callee<'_>, tokens: &[S]) -> Result<Vec<u32>> {
        let refs: Vec<StrRef> = tokens.iter().map(|t| str_ref(t.as_ref())).collect();
        let mut ids = vec![u32::MAX; tokens.len()];
        let f = self.0.tag;
        // SAFETY: `f` comes from a checked table; `refs` (and the strings it borrows) and the
        // `ids` buffer, both `tokens.len()` long, outlive the call.
        call(callee, "tag", |error| unsafe {
            f(refs.as_ptr(), refs.len(), ids.as_mut_ptr(), error)
        })?;
        Ok(ids)
    }
}
