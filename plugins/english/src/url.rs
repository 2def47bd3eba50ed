//! URLs and e-mail addresses, which the English tokenizer keeps whole.

/// Characters that may open a chunk before a URL: `(http://x.org)`.
const OPENERS: &[char] = &[
    '(', '[', '{', '<', '"', '\'', '`', '\u{201C}', '\u{2018}', '\u{AB}',
];

/// Characters that may close a chunk after a URL: `http://x.org).`.
const CLOSERS: &[char] = &[
    '.', ',', ';', ':', '!', '?', '\'', '"', '>', '\u{201D}', '\u{2019}', '\u{BB}', '\u{203A}',
];

/// Top-level domains recognised without a scheme (`example.com`).
const TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "mil", "int", "io", "ai", "co", "info", "biz", "app", "dev",
    "uk", "us", "de", "fr", "it", "es", "nl", "eu", "ca", "au", "jp", "cn", "ru", "in", "br", "ch",
    "se", "no", "pl", "be", "at", "ie", "nz",
];

/// Byte range of the URL or e-mail address in `chunk` (a whitespace-free piece of text), if the
/// chunk is one, possibly wrapped in punctuation.
pub(crate) fn find(chunk: &str) -> Option<(usize, usize)> {
    let start = chunk.len() - chunk.trim_start_matches(OPENERS).len();
    let mut core = &chunk[start..];
    loop {
        let last = core.chars().next_back()?;
        let unbalanced = |open: char| {
            core.chars().filter(|&c| c == open).count()
                < core.chars().filter(|&c| c == last).count()
        };
        let strip = CLOSERS.contains(&last)
            || (last == ')' && unbalanced('('))
            || (last == ']' && unbalanced('['))
            || (last == '}' && unbalanced('{'));
        if !strip {
            break;
        }
        core = &core[..core.len() - last.len_utf8()];
    }
    (is_url(core) || is_email(core)).then_some((start, start + core.len()))
}

fn is_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    for scheme in ["http://", "https://", "ftp://", "www.", "mailto:"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            return rest.len() > 1;
        }
    }
    let host = lower.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    is_host(host)
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| TLDS.contains(&tld))
}

/// `labels.separated.by.dots`, at least two, ASCII letters, digits and inner hyphens.
fn is_host(host: &str) -> bool {
    host.split('.').count() >= 2
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && is_host(domain)
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_urls_and_emails_inside_punctuation() {
        assert_eq!(
            find("(https://en.wikipedia.org/wiki/Rome_(city))."),
            Some((1, 42))
        );
        assert_eq!(find("www.example.com,"), Some((0, 15)));
        assert_eq!(find("example.com"), Some((0, 11)));
        assert_eq!(find("<jane.doe+rin@mail.example.co.uk>"), Some((1, 32)));
        assert_eq!(find("U.S."), None);
        assert_eq!(find("e.g."), None);
        assert_eq!(find("@user"), None);
        assert_eq!(find("a@b"), None);
        assert_eq!(find("http://"), None);
        assert_eq!(find("\"'"), None);
    }
}
