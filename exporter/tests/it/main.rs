//! Integration tests of rin-exporter (one binary, see STYLE.md).

mod util;

mod cli;
mod codegen;
mod errors;
mod fixture;
mod python;
mod structure;
mod triton;
mod word_table;
