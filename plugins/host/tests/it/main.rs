//! Integration tests of the plugin host: they build real plugin libraries (rin's shipped
//! plugins, the template, and deliberately broken fixtures) and load them.
#![allow(unsafe_code)] // loading a plugin is an `unsafe fn`; the tests load only their own builds

mod faults;
mod harness;
mod loading;
mod template;

use rin_plugin_host::{Tagger, Tokenizer};

/// Loads a tokenizer built by the harness.
pub fn tokenizer(name: &str) -> Tokenizer {
    // SAFETY: the harness built this library from this repository.
    unsafe { Tokenizer::load(harness::lib(name)) }.unwrap()
}

/// Loads a tagger built by the harness.
pub fn tagger(name: &str) -> Tagger {
    // SAFETY: the harness built this library from this repository.
    unsafe { Tagger::load(harness::lib(name)) }.unwrap()
}
