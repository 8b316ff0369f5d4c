//! Small string helpers shared by the per-runtime parsers (no regex: these run per line).

/// `Foo.java:12` → ("Foo.java", Some(12)); `file.js:3:14` → ("file.js", Some(3), Some(14)).
pub(crate) fn split_location(loc: &str) -> (Option<String>, Option<u32>, Option<u32>) {
    let (file, line, column) = location_parts(loc);
    (file.map(str::to_string), line, column)
}

/// [`split_location`] without allocating, for the checks that only look at a line.
pub(crate) fn location_parts<'a>(loc: &'a str) -> (Option<&'a str>, Option<u32>, Option<u32>) {
    let loc = loc.trim();
    if loc.is_empty() {
        return (None, None, None);
    }
    // Byte searches: `rsplit_once(char)` verifies each hit with a memcmp call.
    let split = |s: &'a str| {
        s.bytes()
            .rposition(|b| b == b':')
            .map(|i| (&s[..i], &s[i + 1..]))
    };
    let (rest, last) = match split(loc) {
        Some((r, n)) if is_digits(n) => (r, n.parse().ok()),
        _ => return (Some(loc), None, None),
    };
    match split(rest) {
        Some((r, n)) if is_digits(n) => (Some(r), n.parse().ok(), last),
        _ => (Some(rest), last, None),
    }
}

pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A plausible exception/class type name: `java.io.IOException`, `ValueError`, `Foo::Bar`.
pub(crate) fn looks_like_type(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() < 200
        && !s.contains(' ')
        && s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    '.' | '_' | '$' | ':' | '\\' | '`' | '+' | '<' | '>' | '-'
                )
        })
}

/// `dir/sub/file.ext` → `file.ext` (handles `\` too).
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
