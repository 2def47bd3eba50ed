//! What the on-disk formats share: the version check, and the sha256 that names file contents.

use sha2::{Digest, Sha256};

/// A file of another format or of a version this build does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// `format` names another format (or is missing).
    #[error("\"format\" is {}, expected {expected:?}", found.as_ref().map_or("missing".to_owned(), |f| format!("{f:?}")))]
    Format {
        /// The format this reader reads.
        expected: &'static str,
        /// The file's `format`, if any.
        found: Option<String>,
    },
    /// `format_version` is missing.
    #[error("\"format_version\" is missing or not a number")]
    NoVersion,
    /// `format_version` is not the one this build reads.
    #[error("format version {found} is not supported (this build reads version {supported})")]
    Version {
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
}

/// Fails unless `found` is `supported`.
pub fn check_version(found: u32, supported: u32) -> Result<(), FormatError> {
    if found == supported {
        Ok(())
    } else {
        Err(FormatError::Version { found, supported })
    }
}

/// Lower-case hex sha256 of `bytes` (the checksums of `manifest.json`'s file list).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_nothing_is_the_known_digest() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn another_version_names_both() {
        assert_eq!(check_version(1, 1), Ok(()));
        let err = check_version(99, 1).unwrap_err().to_string();
        assert!(err.contains("99") && err.contains("version 1"), "{err}");
    }
}
