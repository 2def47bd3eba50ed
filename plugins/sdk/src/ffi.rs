//! The plugin side of the C ABI: the functions the export macros put in the function tables.
//!
//! Every function here is reached from the host through a table and runs its body inside
//! [`guard`], which turns errors and panics into a status plus a message. This module is the only
//! place of the SDK with `unsafe` code: it reads the host's borrowed slices and calls the host's
//! callbacks.
#![allow(unsafe_code)]

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use rin_plugin_abi::{
    table_size, ErrorSink, Metadata as RawMetadata, MetadataSink, SegmenterVTable, Span, SpanSink,
    Status, StrRef, TaggerVTable, Tagset as RawTagset, TagsetSink, TokenizerVTable, ABI_VERSION,
    STATUS_INIT_FAILED, STATUS_INVALID_ARGUMENT, STATUS_OK, STATUS_PANIC,
};

use crate::{Metadata, PluginError, Segmenter, Tagger, Tokenizer};

/// The lazily built plugin instance behind an exported table (or the message of its failure).
pub struct InstanceCell<T>(OnceLock<Result<T, String>>);

impl<T> InstanceCell<T> {
    /// An empty cell.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        InstanceCell(OnceLock::new())
    }
}

/// Gives the export macros a static instance per exported type.
pub trait Instance: Sized + 'static {
    /// The type's static cell.
    fn cell() -> &'static InstanceCell<Self>;
}

/// A failed call: the status to return and the message for the host.
struct Failure {
    status: Status,
    message: String,
}

impl From<PluginError> for Failure {
    fn from(e: PluginError) -> Self {
        Failure {
            status: rin_plugin_abi::STATUS_ERROR,
            message: e.message,
        }
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure {
        status: STATUS_INVALID_ARGUMENT,
        message: message.into(),
    }
}

fn instance<T: Instance>(init: fn() -> Result<T, PluginError>) -> Result<&'static T, Failure> {
    let slot = T::cell().0.get_or_init(|| init().map_err(|e| e.message));
    slot.as_ref().map_err(|message| Failure {
        status: STATUS_INIT_FAILED,
        message: format!("plugin failed to initialise: {message}"),
    })
}

/// Runs `body`, turning an error or a panic into a status and a message sent to `error`.
fn guard(error: ErrorSink, body: impl FnOnce() -> Result<(), Failure>) -> Status {
    let (status, message) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return STATUS_OK,
        Ok(Err(failure)) => (failure.status, failure.message),
        Err(payload) => {
            let message = if let Some(s) = payload.downcast_ref::<&str>() {
                format!("plugin panicked: {s}")
            } else if let Some(s) = payload.downcast_ref::<String>() {
                format!("plugin panicked: {s}")
            } else {
                "plugin panicked".to_owned()
            };
            // Dropping a payload can itself panic; that must not unwind into the host either.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            (STATUS_PANIC, message)
        }
    };
    // SAFETY: the host passed a callback valid for this call, and `str_ref` borrows `message`,
    // which outlives the call.
    unsafe { (error.write)(error.ctx, str_ref(&message)) };
    status
}

fn str_ref(s: &str) -> StrRef {
    StrRef {
        ptr: s.as_ptr(),
        len: s.len(),
    }
}

/// Borrows the host's string for the duration of the current call.
///
/// # Safety
/// `s.ptr` must be valid for reads of `s.len` bytes for `'a` (or `s.len` must be 0).
unsafe fn borrow_str<'a>(s: StrRef, what: &str) -> Result<&'a str, Failure> {
    if s.len == 0 {
        return Ok("");
    }
    if s.ptr.is_null() {
        return Err(invalid(format!("{what} is a null pointer")));
    }
    // SAFETY: non-null, and valid for `len` bytes for 'a by the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    std::str::from_utf8(bytes).map_err(|e| invalid(format!("{what} is not UTF-8: {e}")))
}

fn send_metadata(meta: Metadata, sink: MetadataSink) {
    let raw = RawMetadata {
        name: str_ref(meta.name),
        version: str_ref(meta.version),
        description: str_ref(meta.description),
    };
    // SAFETY: the host passed a callback valid for this call; `raw` and the strings it borrows
    // outlive the call.
    unsafe { (sink.write)(sink.ctx, &raw) };
}

/// The entry point's body: returns the static table, or null if that ever panicked.
pub fn entry<T>(_host_abi_version: u32, table: &'static T) -> *const T {
    // The host compares versions itself (it must handle plugins built by other SDKs anyway), so
    // the table is returned whatever the host's version.
    catch_unwind(AssertUnwindSafe(|| table as *const T)).unwrap_or(std::ptr::null())
}

/// The function table of tokenizer `T`.
pub const fn tokenizer_table<T: Tokenizer + Instance>() -> TokenizerVTable {
    TokenizerVTable {
        abi_version: ABI_VERSION,
        struct_size: table_size::<TokenizerVTable>(),
        metadata: tokenizer_metadata::<T>,
        tokenize: tokenize::<T>,
    }
}

/// The function table of sentence segmenter `T`.
pub const fn segmenter_table<T: Segmenter + Instance>() -> SegmenterVTable {
    SegmenterVTable {
        abi_version: ABI_VERSION,
        struct_size: table_size::<SegmenterVTable>(),
        metadata: segmenter_metadata::<T>,
        segment: segment::<T>,
    }
}

/// The function table of tagger `T`.
pub const fn tagger_table<T: Tagger + Instance>() -> TaggerVTable {
    TaggerVTable {
        abi_version: ABI_VERSION,
        struct_size: table_size::<TaggerVTable>(),
        metadata: tagger_metadata::<T>,
        tagset: tagger_tagset::<T>,
        tag: tag::<T>,
    }
}

unsafe extern "C" fn tokenizer_metadata<T: Tokenizer + Instance>(
    sink: MetadataSink,
    error: ErrorSink,
) -> Status {
    report_metadata(sink, error, T::init, T::metadata)
}

thread_local! {
    /// Reused span buffer: tokenizing allocates nothing once warm.
    static SPANS: RefCell<Vec<Span>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn tokenize<T: Tokenizer + Instance>(
    text: StrRef,
    sink: SpanSink,
    error: ErrorSink,
) -> Status {
    // SAFETY: the host's arguments, passed on unchanged under the same contract.
    unsafe {
        report_spans(text, sink, error, |text, spans| {
            instance::<T>(T::init)?
                .tokenize(text, spans)
                .map_err(Failure::from)
        })
    }
}

unsafe extern "C" fn segmenter_metadata<T: Segmenter + Instance>(
    sink: MetadataSink,
    error: ErrorSink,
) -> Status {
    report_metadata(sink, error, T::init, T::metadata)
}

unsafe extern "C" fn segment<T: Segmenter + Instance>(
    text: StrRef,
    sink: SpanSink,
    error: ErrorSink,
) -> Status {
    // SAFETY: the host's arguments, passed on unchanged under the same contract.
    unsafe {
        report_spans(text, sink, error, |text, spans| {
            instance::<T>(T::init)?
                .segment(text, spans)
                .map_err(Failure::from)
        })
    }
}

/// The body of every kind's `metadata`: builds the instance if needed and reports its metadata.
fn report_metadata<T: Instance>(
    sink: MetadataSink,
    error: ErrorSink,
    init: fn() -> Result<T, PluginError>,
    metadata: fn(&T) -> Metadata,
) -> Status {
    guard(error, || {
        send_metadata(metadata(instance::<T>(init)?), sink);
        Ok(())
    })
}

/// The body of `tokenize` and `segment`: borrows the text, fills the span buffer with `split`,
/// and reports the spans.
///
/// # Safety
/// `text` must be valid for the duration of the call, and `sink` and `error` callbacks the host
/// made for it (the ABI's contract for both functions).
unsafe fn report_spans(
    text: StrRef,
    sink: SpanSink,
    error: ErrorSink,
    split: impl FnOnce(&str, &mut Vec<Span>) -> Result<(), Failure>,
) -> Status {
    guard(error, || {
        // SAFETY: by the ABI, `text` is valid for the duration of this call.
        let text = unsafe { borrow_str(text, "text") }?;
        SPANS.with(|cell| {
            let mut local = Vec::new();
            let mut borrowed = cell.try_borrow_mut();
            let spans = match borrowed.as_deref_mut() {
                Ok(spans) => spans,
                Err(_) => &mut local,
            };
            spans.clear();
            split(text, spans)?;
            // SAFETY: the host passed a callback valid for this call; `spans` outlives it.
            unsafe { (sink.write)(sink.ctx, spans.as_ptr(), spans.len()) };
            Ok(())
        })
    })
}

unsafe extern "C" fn tagger_metadata<T: Tagger + Instance>(
    sink: MetadataSink,
    error: ErrorSink,
) -> Status {
    report_metadata(sink, error, T::init, T::metadata)
}

unsafe extern "C" fn tagger_tagset<T: Tagger + Instance>(
    sink: TagsetSink,
    error: ErrorSink,
) -> Status {
    guard(error, || {
        let tagset = instance::<T>(T::init)?.tagset();
        let tags: Vec<StrRef> = tagset.tags().iter().map(|t| str_ref(t)).collect();
        let raw = RawTagset {
            name: str_ref(tagset.name()),
            tags: tags.as_ptr(),
            len: tags.len(),
        };
        // SAFETY: the host passed a callback valid for this call; `raw`, `tags` and the strings
        // they borrow outlive it.
        unsafe { (sink.write)(sink.ctx, &raw) };
        Ok(())
    })
}

unsafe extern "C" fn tag<T: Tagger + Instance>(
    tokens: *const StrRef,
    len: usize,
    out: *mut u32,
    error: ErrorSink,
) -> Status {
    guard(error, || {
        if len == 0 {
            return Ok(());
        }
        if tokens.is_null() || out.is_null() {
            return Err(invalid("tokens or tag buffer is a null pointer"));
        }
        // SAFETY: non-null, and by the ABI `tokens` points to `len` StrRefs valid for this call.
        let raw = unsafe { std::slice::from_raw_parts(tokens, len) };
        let words = raw
            .iter()
            .enumerate()
            // SAFETY: by the ABI each token string is valid for the duration of this call.
            .map(|(i, &s)| unsafe { borrow_str(s, &format!("token {i}")) })
            .collect::<Result<Vec<&str>, _>>()?;
        let tagger = instance::<T>(T::init)?;
        let mut ids = Vec::with_capacity(len);
        tagger.tag(&words, &mut ids)?;
        if ids.len() != len {
            return Err(PluginError::new(format!(
                "tagger returned {} tags for {len} tokens",
                ids.len()
            ))
            .into());
        }
        // SAFETY: non-null, and by the ABI `out` is a host buffer of `len` u32s, writable and not
        // aliased for the duration of this call.
        let out = unsafe { std::slice::from_raw_parts_mut(out, len) };
        out.copy_from_slice(&ids);
        Ok(())
    })
}
