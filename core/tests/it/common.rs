//! Paths to the data sets and small helpers shared by the test modules.

use std::path::{Path, PathBuf};

use rin_core::dataset::load_relations;
use rin_core::{load_split, DataFormat, Dataset, RelationSet};

/// WebNLG* (partial match, CasRel format), committed in the repository.
pub const WEBNLG_STAR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/webnlg-star");
/// WebNLG exact (JointER format), committed in the repository.
pub const WEBNLG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/webnlg");
/// NYT* (partial match), only in ../shared beside the checkout.
pub const NYT_STAR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/nyt-star");
/// NYT exact, only in ../shared beside the checkout.
pub const NYT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/nyt");

/// Loads one split and its relations.
pub fn load(dir: &str, split: &str, format: DataFormat) -> (RelationSet, Dataset) {
    let dir = Path::new(dir);
    let relations = load_relations(dir).unwrap();
    let dataset = load_split(dir, split, format, &relations).unwrap();
    (relations, dataset)
}

/// The directory when it exists; otherwise says why the test is skipped (printed, and appended to
/// `$RIN_SKIP_LOG`). With `RIN_REQUIRE_SHARED` set (`cargo xtask test` sets it when ../shared/data
/// exists) a missing directory fails the test instead.
pub fn shared_dir(dir: &str, name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(dir);
    if path.is_dir() {
        return Some(path);
    }
    let reason = format!("../shared/data/{name} not found");
    assert!(
        std::env::var_os("RIN_REQUIRE_SHARED").is_none(),
        "{reason} (RIN_REQUIRE_SHARED is set: this test must not be skipped)"
    );
    println!("skipping: {reason}");
    if let Some(log) = std::env::var_os("RIN_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(f, "rin-core data test: {reason}");
        }
    }
    None
}
