//! The C ABI between rin and its tokenizer, tagger and sentence segmenter plugins.
//!
//! This crate holds only `#[repr(C)]` plain data, function-pointer types and constants: it has no
//! dependencies and no code, so a plugin written in another language can mirror it by hand.
//!
//! # The contract
//!
//! - A plugin is a shared library exporting one entry symbol per kind it provides:
//!   [`TOKENIZER_ENTRY`] (`rin_tokenizer_plugin_v1`) of type [`TokenizerEntry`] and/or
//!   [`TAGGER_ENTRY`] (`rin_tagger_plugin_v1`) of type [`TaggerEntry`] and/or
//!   [`SEGMENTER_ENTRY`] (`rin_segmenter_plugin_v1`) of type [`SegmenterEntry`] (added without a
//!   version bump: a new kind is a new symbol, and plugins built before it load as they did). The
//!   entry takes the host's
//!   [`ABI_VERSION`] and returns a pointer to a static function table that lives as long as the
//!   library (the host never unloads a plugin).
//! - Every table starts with `abi_version` and `struct_size` ([`TableHeader`]). The host reads that
//!   header first and refuses the plugin when `abi_version != ABI_VERSION` or when `struct_size` is
//!   smaller than the table it was compiled against. Tables only ever grow at the end; a field added
//!   later is present exactly when `struct_size` covers it.
//! - Strings cross as borrowed UTF-8 slices ([`StrRef`]), valid only for the duration of the call
//!   that received them. Nothing allocated on one side is ever freed on the other: results come back
//!   through host callbacks ([`SpanSink`], [`MetadataSink`], [`TagsetSink`], [`ErrorSink`]) or are
//!   written into host-owned buffers (the tag ids of [`TaggerVTable::tag`]).
//! - Every function returns a [`Status`]; on anything but [`STATUS_OK`] the plugin should first
//!   report a message through the call's [`ErrorSink`]. A plugin must never let a panic or exception
//!   unwind into the host.
//! - Token offsets are byte offsets into the UTF-8 text, `start < end`, in increasing order,
//!   non-overlapping and on char boundaries. The host checks all of this.
#![no_std]
#![warn(missing_docs)]

use core::ffi::c_void;

/// Version of this ABI. A plugin whose table reports another version is refused.
///
/// Bumped only for incompatible changes, together with new entry symbols (`..._v2`). Additions at
/// the end of a table do not bump it: the host sees them through `struct_size`.
pub const ABI_VERSION: u32 = 1;

/// Name of the tokenizer entry symbol, NUL-terminated for `dlsym`.
pub const TOKENIZER_ENTRY: &[u8] = b"rin_tokenizer_plugin_v1\0";

/// Name of the tagger entry symbol, NUL-terminated for `dlsym`.
pub const TAGGER_ENTRY: &[u8] = b"rin_tagger_plugin_v1\0";

/// Name of the sentence segmenter entry symbol, NUL-terminated for `dlsym`.
pub const SEGMENTER_ENTRY: &[u8] = b"rin_segmenter_plugin_v1\0";

/// Result code of every plugin function.
pub type Status = u32;

/// The call succeeded.
pub const STATUS_OK: Status = 0;
/// The plugin reported an error (its message went through the [`ErrorSink`]).
pub const STATUS_ERROR: Status = 1;
/// The plugin panicked (or threw); it caught the panic at the boundary.
pub const STATUS_PANIC: Status = 2;
/// An argument broke the contract: a null pointer, or a string that is not UTF-8.
pub const STATUS_INVALID_ARGUMENT: Status = 3;
/// The plugin could not initialise itself (for example its embedded weights did not decode).
pub const STATUS_INIT_FAILED: Status = 4;

/// A borrowed UTF-8 string: `len` bytes at `ptr`. `ptr` may dangle when `len == 0`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StrRef {
    /// First byte.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

/// A token as a half-open byte range `start..end` of the tokenized text.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the token's first byte.
    pub start: usize,
    /// Byte offset one past the token's last byte.
    pub end: usize,
}

/// The first two fields of every function table.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TableHeader {
    /// [`ABI_VERSION`] of the plugin that built the table.
    pub abi_version: u32,
    /// `size_of` the whole table as the plugin knows it.
    pub struct_size: u32,
}

/// Descriptive data of a plugin, borrowed for the duration of a [`MetadataSink`] call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Metadata {
    /// Short name used to select the plugin, e.g. `perceptron`.
    pub name: StrRef,
    /// The plugin's version, e.g. `0.1.0`.
    pub version: StrRef,
    /// One line for `rin plugins list`.
    pub description: StrRef,
}

/// A tagger's tag inventory, borrowed for the duration of a [`TagsetSink`] call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Tagset {
    /// Name of the tagset, e.g. `ptb`.
    pub name: StrRef,
    /// `len` tags; [`TaggerVTable::tag`] answers with indices into this list.
    pub tags: *const StrRef,
    /// Number of tags.
    pub len: usize,
}

/// Host callback receiving an error message.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ErrorSink {
    /// Opaque host pointer, passed back to `write`.
    pub ctx: *mut c_void,
    /// Called at most once per plugin call, before a non-OK status is returned.
    pub write: unsafe extern "C" fn(ctx: *mut c_void, message: StrRef),
}

/// Host callback receiving token spans.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SpanSink {
    /// Opaque host pointer, passed back to `write`.
    pub ctx: *mut c_void,
    /// Appends `len` spans; may be called several times per tokenize call.
    pub write: unsafe extern "C" fn(ctx: *mut c_void, spans: *const Span, len: usize),
}

/// Host callback receiving a plugin's [`Metadata`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MetadataSink {
    /// Opaque host pointer, passed back to `write`.
    pub ctx: *mut c_void,
    /// Called once; the metadata is borrowed for the duration of the call.
    pub write: unsafe extern "C" fn(ctx: *mut c_void, metadata: *const Metadata),
}

/// Host callback receiving a tagger's [`Tagset`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TagsetSink {
    /// Opaque host pointer, passed back to `write`.
    pub ctx: *mut c_void,
    /// Called once; the tagset is borrowed for the duration of the call.
    pub write: unsafe extern "C" fn(ctx: *mut c_void, tagset: *const Tagset),
}

/// Function table of a tokenizer plugin (ABI version 1). Append-only.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TokenizerVTable {
    /// [`ABI_VERSION`].
    pub abi_version: u32,
    /// `size_of::<TokenizerVTable>()` as the plugin was compiled.
    pub struct_size: u32,
    /// Reports the plugin's metadata through `sink`.
    pub metadata: unsafe extern "C" fn(sink: MetadataSink, error: ErrorSink) -> Status,
    /// Splits `text` (UTF-8) into tokens and reports their byte spans through `sink`, in order.
    pub tokenize: unsafe extern "C" fn(text: StrRef, sink: SpanSink, error: ErrorSink) -> Status,
}

/// Function table of a part-of-speech tagger plugin (ABI version 1). Append-only.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaggerVTable {
    /// [`ABI_VERSION`].
    pub abi_version: u32,
    /// `size_of::<TaggerVTable>()` as the plugin was compiled.
    pub struct_size: u32,
    /// Reports the plugin's metadata through `sink`.
    pub metadata: unsafe extern "C" fn(sink: MetadataSink, error: ErrorSink) -> Status,
    /// Reports the tagset through `sink`.
    pub tagset: unsafe extern "C" fn(sink: TagsetSink, error: ErrorSink) -> Status,
    /// Tags the `len` tokens at `tokens` (one sentence), writing one tag index per token into the
    /// host-owned buffer `tags` (also `len` long).
    pub tag: unsafe extern "C" fn(
        tokens: *const StrRef,
        len: usize,
        tags: *mut u32,
        error: ErrorSink,
    ) -> Status,
}

/// Function table of a sentence segmenter plugin (ABI version 1). Append-only.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SegmenterVTable {
    /// [`ABI_VERSION`].
    pub abi_version: u32,
    /// `size_of::<SegmenterVTable>()` as the plugin was compiled.
    pub struct_size: u32,
    /// Reports the plugin's metadata through `sink`.
    pub metadata: unsafe extern "C" fn(sink: MetadataSink, error: ErrorSink) -> Status,
    /// Splits `text` (UTF-8) into sentences and reports their byte spans through `sink`, in
    /// order: the same contract as a tokenizer's spans (whitespace between sentences may be left
    /// out).
    pub segment: unsafe extern "C" fn(text: StrRef, sink: SpanSink, error: ErrorSink) -> Status,
}

/// Type of the [`SEGMENTER_ENTRY`] symbol: returns the plugin's static table, or null.
pub type SegmenterEntry = unsafe extern "C" fn(host_abi_version: u32) -> *const SegmenterVTable;

/// Type of the [`TOKENIZER_ENTRY`] symbol: returns the plugin's static table, or null.
pub type TokenizerEntry = unsafe extern "C" fn(host_abi_version: u32) -> *const TokenizerVTable;

/// Type of the [`TAGGER_ENTRY`] symbol: returns the plugin's static table, or null.
pub type TaggerEntry = unsafe extern "C" fn(host_abi_version: u32) -> *const TaggerVTable;

/// Size of a table as the `u32` stored in its `struct_size` field.
pub const fn table_size<T>() -> u32 {
    core::mem::size_of::<T>() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn tables_start_with_the_header() {
        assert_eq!(offset_of!(TokenizerVTable, abi_version), 0);
        assert_eq!(offset_of!(TokenizerVTable, struct_size), 4);
        assert_eq!(offset_of!(TaggerVTable, abi_version), 0);
        assert_eq!(offset_of!(TaggerVTable, struct_size), 4);
        assert_eq!(offset_of!(SegmenterVTable, abi_version), 0);
        assert_eq!(offset_of!(SegmenterVTable, struct_size), 4);
        assert_eq!(size_of::<TableHeader>(), 8);
    }

    #[test]
    fn entry_names_are_nul_terminated() {
        assert_eq!(TOKENIZER_ENTRY.last(), Some(&0));
        assert_eq!(TAGGER_ENTRY.last(), Some(&0));
        assert_eq!(SEGMENTER_ENTRY.last(), Some(&0));
    }

    #[test]
    fn v1_layout_is_frozen() {
        // Two pointers per callback struct; the v1 tables must never shrink or reorder.
        let p = size_of::<usize>();
        assert_eq!(size_of::<StrRef>(), 2 * p);
        assert_eq!(size_of::<Span>(), 2 * p);
        assert_eq!(size_of::<TokenizerVTable>(), 8 + 2 * p);
        assert_eq!(size_of::<TaggerVTable>(), 8 + 3 * p);
        assert_eq!(offset_of!(TaggerVTable, tag), 8 + 2 * p);
        assert_eq!(size_of::<SegmenterVTable>(), 8 + 2 * p);
    }
}
