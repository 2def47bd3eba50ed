//! The one integration-test binary of rin-core (one binary links once: linking is the slow part).

mod bad_data;
mod common;
mod format;
mod reader;
mod round_trip;
mod vocab;
