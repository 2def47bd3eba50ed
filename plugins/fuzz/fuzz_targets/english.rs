//! Fuzzes the `english` tokenizer: on any input (bytes made UTF-8), its spans must be ordered,
//! non-empty, on char boundaries, free of whitespace, and cover every non-whitespace character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rin_plugin_english::EnglishTokenizer;
use rin_plugin_sdk::testing::check_tokenizer;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = check_tokenizer(&EnglishTokenizer, &text) {
        panic!("{e} on {text:?}");
    }
});
