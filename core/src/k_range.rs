//! The one parser of K selections (`--k`, `--ks`: `2`, `0..=4`, `0..5`, `1,3..=4`), for the
//! exporter and every `rin` subcommand that picks interaction depths.

/// The largest K an export unrolls (and so the largest K any selection may name).
pub const MAX_K: usize = 16;

/// A K selection that does not parse, or names a K past [`MAX_K`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KRangeError {
    /// The text is not a number, a range or a comma list of those.
    #[error("invalid K selection {text:?}: {reason}")]
    Invalid {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A K past [`MAX_K`].
    #[error("K = {k} is out of range: the exporter unrolls 0..={max} interaction layers")]
    OutOfRange {
        /// The K asked for.
        k: usize,
        /// The largest supported K.
        max: usize,
    },
}

/// Parses one K selection: `2`, `0..=4`, `0..5` or a comma list of those (`1,3..=4`), in the
/// order given.
pub fn parse_ks(text: &str) -> Result<Vec<usize>, KRangeError> {
    let bad = |reason| KRangeError::Invalid {
        text: text.to_owned(),
        reason,
    };
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| bad("expected a number, a range a..=b or a..b"))
    };
    let mut ks = Vec::new();
    for part in text.split(',') {
        if let Some((a, b)) = part.split_once("..=") {
            let (a, b) = (number(a)?, number(b)?);
            if a > b {
                return Err(bad("empty range"));
            }
            ks.extend(a..=b);
        } else if let Some((a, b)) = part.split_once("..") {
            let (a, b) = (number(a)?, number(b)?);
            if a >= b {
                return Err(bad("empty range"));
            }
            ks.extend(a..b);
        } else {
            ks.push(number(part)?);
        }
    }
    if let Some(&k) = ks.iter().find(|&&k| k > MAX_K) {
        return Err(KRangeError::OutOfRange { k, max: MAX_K });
    }
    Ok(ks)
}

/// Every K of several selections (repeated flags), in the order given.
pub fn parse_k_list<S: AsRef<str>>(texts: &[S]) -> Result<Vec<usize>, KRangeError> {
    let mut ks = Vec::new();
    for text in texts {
        ks.extend(parse_ks(text.as_ref())?);
    }
    Ok(ks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_ranges_and_lists() {
        assert_eq!(parse_ks("2").unwrap(), vec![2]);
        assert_eq!(parse_ks("0..=4").unwrap(), vec![0, 1, 2, 3, 4]);
        assert_eq!(parse_ks("0..3").unwrap(), vec![0, 1, 2]);
        assert_eq!(parse_ks("1,3..=4").unwrap(), vec![1, 3, 4]);
        assert_eq!(parse_k_list(&["1", "3..5"]).unwrap(), vec![1, 3, 4]);
        assert!(matches!(parse_ks("x"), Err(KRangeError::Invalid { .. })));
        assert!(matches!(parse_ks("4..2"), Err(KRangeError::Invalid { .. })));
        assert!(matches!(
            parse_ks("17"),
            Err(KRangeError::OutOfRange { k: 17, .. })
        ));
    }
}
