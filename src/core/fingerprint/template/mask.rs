//! Per-event masking: one hand-written pass that turns the variable parts of a message into `<*>`.
//!
//! The scanner works on bytes: every delimiter it splits on is ASCII, so slicing between them
//! never cuts a UTF-8 sequence. No regex, no allocation besides the output string.

use super::WILDCARD;

/// Longest quoted value masked as one unit; longer quotes are more likely prose than a value.
const MAX_QUOTED: usize = 256;

/// Mask the variable parts of `message` (numbers, hex, ids, IPs, hosts, URLs, paths, e-mails,
/// dates, durations, quoted values) into `<*>`, normalising whitespace to single spaces and
/// collapsing placeholders separated only by spaces or light punctuation into one.
pub fn mask(message: &str) -> String {
    let mut m = Masker {
        src: message,
        out: String::with_capacity(message.len()),
        last_wild_end: None,
        unit_end: None,
    };
    m.run();
    m.out
}

struct Masker<'a> {
    src: &'a str,
    out: String,
    /// Where the last placeholder ended in `out`, to collapse the next one into it.
    last_wild_end: Option<usize>,
    /// Where the last quantity-with-unit ended in `out`.
    unit_end: Option<usize>,
}

/// Splits a token into segments; kept verbatim in the output.
fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'=' | b','
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'<'
            | b'>'
            | b';'
            | b'|'
            | b'"'
            | b'\''
    )
}

/// Punctuation that may sit between two placeholders and still let them collapse into one.
fn is_collapsible(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'.' | b':' | b'-' | b'/' | b'_' | b'#' | b'@' | b'~' | b'+' | b','
    )
}

impl Masker<'_> {
    fn run(&mut self) {
        let b = self.src.as_bytes();
        let n = b.len();
        let mut i = 0;
        while i < n {
            while i < n && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= n {
                break;
            }
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            i = self.token(i);
        }
    }

    /// Mask one whitespace-delimited token starting at `start` (a quoted value may carry it past
    /// spaces); returns where scanning resumes.
    fn token(&mut self, start: usize) -> usize {
        let b = self.src.as_bytes();
        let n = b.len();
        let mut p = start;
        while p < n && !b[p].is_ascii_whitespace() {
            let c = b[p];
            if (c == b'"' || c == b'\'') && opens_quote(b, start, p) && is_request_line(&b[p + 1..])
            {
                // `"GET /api/users/1 HTTP/1.1"`: the method and route name the statement, so
                // the quoted request is masked token by token, not as one value.
                self.push_str(&self.src[p..p + 1]);
                p += 1;
                continue;
            }
            if (c == b'"' || c == b'\'') && opens_quote(b, start, p) {
                if let Some(close) = find_close_quote(b, p) {
                    self.push_str(&self.src[p..p + 1]);
                    self.push_wild();
                    self.push_str(&self.src[close..close + 1]);
                    p = close + 1;
                    continue;
                }
            }
            if c.is_ascii_alphabetic() && starts_url(&b[p..]) {
                // A URL runs to the next space: its `=`, `&` and `:` belong to it.
                while p < n && !b[p].is_ascii_whitespace() {
                    p += 1;
                }
                self.push_wild();
                continue;
            }
            if c == b')' && self.unit_end == Some(self.out.len()) && self.out.ends_with("<*> (<*>")
            {
                // `1190 bytes (1.16 KB)`: a quantity and its other unit are one value.
                let keep = self.out.len() - " (<*>".len();
                self.out.truncate(keep);
                self.last_wild_end = Some(keep);
                p += 1;
                continue;
            }
            if is_delim(c) {
                self.push_str(&self.src[p..p + 1]);
                p += 1;
                continue;
            }
            let mut e = p;
            while e < n && !b[e].is_ascii_whitespace() && !is_delim(b[e]) {
                e += 1;
            }
            self.segment(p, e);
            p = e;
        }
        p
    }

    /// Mask one segment (text between delimiters): whole-segment kinds first, then each
    /// `:`-separated part on its own so `index:42` keeps its key.
    fn segment(&mut self, s: usize, e: usize) {
        let seg = &self.src[s..e];
        if is_route_path(seg.as_bytes()) {
            self.path(seg);
            return;
        }
        if is_whole_variable(seg) {
            self.push_wild();
            return;
        }
        if is_month_or_day(seg) && self.near_number(s, e) {
            self.push_wild();
            return;
        }
        if is_unit(seg) && self.out.ends_with("<*> ") {
            // `12 ms`, `450 bytes`: the unit belongs to the quantity before it.
            self.out.pop();
            self.unit_end = Some(self.out.len());
            return;
        }
        if is_literal_value(seg) && s > 0 && matches!(self.src.as_bytes()[s - 1], b'=' | b':') {
            // `enabled=true`: the value of a key is data, whatever its spelling.
            self.push_wild();
            return;
        }
        let mut first = true;
        for part in seg.split(':') {
            let first_part = first;
            if !first {
                self.push_str(":");
            }
            first = false;
            if part.is_empty() {
                continue;
            }
            let value = !first_part && is_literal_value(part);
            if value
                || part.bytes().any(|c| c.is_ascii_digit())
                || is_hostname(part)
                || is_long_hex(part)
            {
                self.push_wild();
            } else {
                self.push_str(part);
            }
        }
    }

    /// A `/`-separated path keeps its constant directories (`/api/users/<*>/orders`): a route
    /// or a directory names the statement, only its id-like parts are data. A placeholder here
    /// still collapses with a neighbouring one across spaces (`/orders/<*> 200 <*>` → one).
    fn path(&mut self, seg: &str) {
        let mut first = true;
        for part in seg.split('/') {
            if !first {
                self.push_str("/");
            }
            first = false;
            if part.is_empty() || matches!(part, "." | ".." | "~") {
                self.push_str(part);
            } else if is_variable_path_part(part) {
                self.push_wild();
            } else {
                self.push_str(part);
            }
        }
    }

    /// A month or weekday name is part of a date when a number or placeholder touches it.
    fn near_number(&self, s: usize, e: usize) -> bool {
        let b = self.src.as_bytes();
        let mut j = e;
        // Look past at most one more name: `Sun Jul 24`.
        for _ in 0..2 {
            while j < b.len() && matches!(b[j], b' ' | b',' | b'.') {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                return true;
            }
            let k = j;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            if !is_month_or_day(&self.src[k..j]) {
                break;
            }
        }
        let _ = s;
        self.out.trim_end_matches([' ', ',']).ends_with(WILDCARD)
    }

    fn push_str(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn push_wild(&mut self) {
        if let Some(end) = self.last_wild_end {
            if end <= self.out.len()
                && self.out.as_bytes()[end..]
                    .iter()
                    .all(|&c| is_collapsible(c))
            {
                self.out.truncate(end);
                return;
            }
        }
        self.out.push_str(WILDCARD);
        self.last_wild_end = Some(self.out.len());
    }
}

/// An HTTP request line at the start of `b`: an upper-case method, one space, then `/`.
fn is_request_line(b: &[u8]) -> bool {
    const METHODS: &[&[u8]] = &[
        b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"CONNECT", b"TRACE",
    ];
    METHODS
        .iter()
        .any(|m| b.starts_with(m) && b[m.len()..].starts_with(b" /"))
}

/// `scheme://` at the start of `b`.
fn starts_url(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() && i < 16 && (b[i].is_ascii_alphanumeric() || b[i] == b'+') {
        i += 1;
    }
    i > 0 && b[i..].starts_with(b"://")
}

/// A quote opens a value at the start of a token or right after a key separator; an apostrophe
/// inside a word (`can't`) does not.
fn opens_quote(b: &[u8], token_start: usize, p: usize) -> bool {
    p == token_start || matches!(b[p - 1], b'=' | b':' | b'(' | b'[' | b'{' | b'<' | b',')
}

/// The matching closing quote: same character, followed by the end, a space or punctuation,
/// within `MAX_QUOTED` bytes and on the same line.
fn find_close_quote(b: &[u8], open: usize) -> Option<usize> {
    let q = b[open];
    let limit = (open + 1 + MAX_QUOTED).min(b.len());
    let mut j = open + 1;
    while j < limit {
        let c = b[j];
        if c == b'\n' {
            return None;
        }
        if c == q {
            let next = b.get(j + 1).copied();
            let ok = match next {
                None => true,
                Some(n) => {
                    n.is_ascii_whitespace()
                        || matches!(
                            n,
                            b',' | b';' | b')' | b']' | b'}' | b'>' | b'.' | b':' | b'!' | b'?'
                        )
                }
            };
            if ok {
                return Some(j);
            }
        }
        j += 1;
    }
    None
}

/// Kinds recognised on the whole segment, before any split on `:`.
fn is_whole_variable(seg: &str) -> bool {
    let b = seg.as_bytes();
    if b.len() < 2 {
        return false;
    }
    // URL: scheme://...
    if let Some(pos) = seg.find("://") {
        return pos > 0
            && b[..pos]
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'+');
    }
    // Path: /a/b, ./a, ~/a, C:\a
    if is_path(b) {
        return true;
    }
    if is_email(seg) {
        return true;
    }
    // IPv6 (with optional port in brackets handled by the delimiters) and MAC addresses.
    if is_ipv6_or_mac(b) {
        return true;
    }
    // host:port
    if let Some((host, port)) = seg.rsplit_once(':') {
        if !port.is_empty() && port.bytes().all(|c| c.is_ascii_digit()) && is_host_before_port(host)
        {
            return true;
        }
    }
    false
}

/// Before `:port`, any dotted name is a host (`bx.optimix.asia:443`), except a source file
/// (`Main.java:42` is a location, and its file name is template text).
fn is_host_before_port(host: &str) -> bool {
    if is_hostname(host) {
        return true;
    }
    let Some((head, last)) = host.rsplit_once('.') else {
        return false;
    };
    const SOURCE: &[&str] = &[
        "java", "kt", "scala", "py", "rb", "go", "rs", "js", "ts", "jsx", "tsx", "c", "cc", "cpp",
        "h", "hpp", "cs", "php", "swift", "m", "ex", "exs", "erl", "clj", "groovy", "lua", "pl",
    ];
    !head.is_empty()
        && !last.is_empty()
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
        && !SOURCE.iter().any(|e| last.eq_ignore_ascii_case(e))
}

/// An absolute `/a/b` path that is not under a filesystem root: a route (`/api/users/1/cart`),
/// masked part by part. A file path (`/etc/xinetd.d/echo`, `./a`, `~/a`, `C:\\a`) names a file,
/// which is data, so it stays one placeholder.
fn is_route_path(b: &[u8]) -> bool {
    let Some(rest) = b.strip_prefix(b"/") else {
        return false;
    };
    if !rest.iter().any(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    // Top-level directories of the Filesystem Hierarchy Standard and of macOS.
    const FS_ROOTS: &[&[u8]] = &[
        b"bin",
        b"boot",
        b"dev",
        b"etc",
        b"home",
        b"lib",
        b"lib32",
        b"lib64",
        b"media",
        b"mnt",
        b"opt",
        b"proc",
        b"root",
        b"run",
        b"sbin",
        b"srv",
        b"sys",
        b"tmp",
        b"usr",
        b"var",
        b"nix",
        b"snap",
        b"private",
        b"Users",
        b"Volumes",
        b"System",
        b"Library",
        b"Applications",
    ];
    let first = rest.split(|&c| c == b'/').next().unwrap_or_default();
    !FS_ROOTS.contains(&first)
}

/// Longest path part kept as text; a longer one is a token or a generated name.
const MAX_PATH_WORD: usize = 24;

/// A path part that is data: any digit (ids, versions, `app.123.js`), hex, a host, a value
/// after `:`/`?`/`&`, or a part too long to be a route word.
fn is_variable_path_part(part: &str) -> bool {
    part.len() > MAX_PATH_WORD
        || part
            .bytes()
            .any(|c| c.is_ascii_digit() || matches!(c, b'?' | b'&' | b'%' | b':' | b'@'))
        || is_long_hex(part)
        || is_hostname(part)
}

fn is_path(b: &[u8]) -> bool {
    let rest = match b {
        [b'/', r @ ..] => r,
        [b'.', b'/', r @ ..] | [b'~', b'/', r @ ..] => r,
        [d, b':', b'\\', r @ ..] if d.is_ascii_alphabetic() => r,
        [b'\\', b'\\', r @ ..] => r,
        _ => return false,
    };
    // `/` alone or `//` are punctuation, not paths.
    rest.iter().any(|c| c.is_ascii_alphanumeric())
}

fn is_email(seg: &str) -> bool {
    let Some((user, domain)) = seg.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && user
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+'))
        && domain.contains('.')
        && domain
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
}

/// `fe80::1`, `2001:db8::ff00:42:8329`, `aa:bb:cc:dd:ee:ff`: hex groups joined by colons, at
/// least two colons, and some digit (so `a:b:c` prose stays).
fn is_ipv6_or_mac(b: &[u8]) -> bool {
    let colons = b.iter().filter(|&&c| c == b':').count();
    colons >= 2
        && b.iter().any(|c| c.is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
        && b.split(|&c| c == b':')
            .all(|g| g.len() <= 4 || g.contains(&b'.'))
}

/// A DNS name ending in a well-known top-level domain (`api.example.com`). Dotted names with
/// other endings are usually code (`android.intent.action`), which is template text.
pub(crate) fn is_hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    let Some((head, tld)) = s.rsplit_once('.') else {
        return false;
    };
    if head.is_empty()
        || !s
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
    {
        return false;
    }
    const TLDS: &[&str] = &[
        "com",
        "net",
        "org",
        "edu",
        "gov",
        "mil",
        "int",
        "io",
        "co",
        "us",
        "uk",
        "de",
        "fr",
        "jp",
        "cn",
        "hk",
        "ru",
        "in",
        "br",
        "au",
        "ca",
        "eu",
        "nl",
        "it",
        "es",
        "ch",
        "se",
        "kr",
        "tw",
        "info",
        "biz",
        "dev",
        "app",
        "cloud",
        "local",
        "internal",
        "localdomain",
        "lan",
        "corp",
        "svc",
        "cluster",
        "arpa",
    ];
    TLDS.iter().any(|t| tld.eq_ignore_ascii_case(t))
}

/// Units written after a number.
fn is_unit(seg: &str) -> bool {
    const UNITS: &[&str] = &[
        "b", "byte", "bytes", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "bit", "bits", "ns",
        "us", "ms", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
        "h", "hr", "hrs", "hour", "hours", "day", "days", "%", "percent", "times", "kb/s", "mb/s",
    ];
    let s = seg.trim_end_matches(['.', ',']);
    s.len() <= 7 && UNITS.iter().any(|u| s.eq_ignore_ascii_case(u))
}

/// Spellings of booleans and nulls.
fn is_literal_value(seg: &str) -> bool {
    const VALUES: &[&str] = &["true", "false", "null", "nil", "none", "undefined"];
    VALUES.iter().any(|v| seg.eq_ignore_ascii_case(v))
}

/// Hex without a digit (`ffffffff`): eight or more hex letters is never an English word.
fn is_long_hex(part: &str) -> bool {
    part.len() >= 8 && part.bytes().all(|c| c.is_ascii_hexdigit())
}

fn is_month_or_day(seg: &str) -> bool {
    const NAMES: &[&str] = &[
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let s = seg.trim_end_matches(['.', ',']);
    s.len() >= 3 && s.len() <= 9 && NAMES.iter().any(|n| s.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[track_caller]
    fn check(input: &str, want: &str) {
        assert_eq!(mask(input), want, "mask({input:?})");
    }

    #[test]
    fn numbers_and_durations() {
        check("retry 3 of 5 failed", "retry <*> of <*> failed");
        check("took 12ms then 3.5s", "took <*> then <*>");
        check("waited 12 ms for 450 bytes", "waited <*> for <*>");
        check("sent 1190 bytes (1.16 KB) ok", "sent <*> ok");
        check("offset -487.0 invalid", "offset <*> invalid");
        check("value 1e-9 too small", "value <*> too small");
    }

    #[test]
    fn hex_uuid_and_glued_identifiers() {
        check("bad pointer 0x7ffdeadbeef", "bad pointer <*>");
        check(
            "trace 123e4567-e89b-12d3-a456-426614174000 lost",
            "trace <*> lost",
        );
        check("block blk_-1234567 missing", "block <*> missing");
        check("no such user42 here", "no such <*> here");
        check(
            "attempt appattempt_1445144423722_0020_000001 failed",
            "attempt <*> failed",
        );
        check(
            "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
            "commit <*>",
        );
    }

    #[test]
    fn network_kinds() {
        check(
            "connect to 10.0.0.12:5432 refused",
            "connect to <*> refused",
        );
        check("from 192.168.1.1 denied", "from <*> denied");
        check("peer fe80::1ff:fe23:4567:890a gone", "peer <*> gone");
        check("peer [2001:db8::1]:443 gone", "peer [<*>]:<*> gone");
        check("resolve api.example.com failed", "resolve <*> failed");
        check("dial db.internal:5432: timeout", "dial <*>: timeout");
        check(
            "GET https://x.io/a/b?c=1 returned 502",
            "GET <*> returned <*>",
        );
        check("mail to ops@example.com bounced", "mail to <*> bounced");
        check("mac 00:1a:2b:3c:4d:5e down", "mac <*> down");
        check("bx.optimix.asia:443 open", "<*> open");
        check("at Main.java:42 boom", "at Main.java:<*> boom");
        check("from 1.2.3.4 (a-1.example.net) at", "from <*> (<*>) at");
    }

    #[test]
    fn paths_dates_and_quotes() {
        check("cannot open /var/log/app.log", "cannot open <*>");
        check("cannot open C:\\tmp\\x.txt now", "cannot open <*> now");
        check("at 2024-01-05T10:11:12Z done", "at <*> done");
        check(
            "connection at Sun Jul 24 02:38:22 2005",
            "connection at <*>",
        );
        check("user 'bob smith' not found", "user '<*>' not found");
        check("key=\"a b c\" rejected", "key=\"<*>\" rejected");
        check("can't open it", "can't open it");
    }

    #[test]
    fn routes_keep_constant_parts_and_file_paths_stay_whole() {
        check(
            "GET /api/users/123/orders failed",
            "GET /api/users/<*>/orders failed",
        );
        check(
            "DELETE /api/sessions/9f86d081884c7d65 401",
            "DELETE /api/sessions/<*>",
        );
        check(
            "GET /api/tokens/AbCdEfGhIjKlMnOpQrStUvWxYz/x",
            "GET /api/tokens/<*>/x",
        );
        check("GET /static/app.123.js 304", "GET /static/<*>");
        check("no route /health/live", "no route /health/live");
        check(
            "GET /api/users/123e4567-e89b-12d3-a456-426614174000/cart",
            "GET /api/users/<*>/cart",
        );
        // Filesystem paths name a file, which is data.
        check("reading /etc/xinetd.d/echo now", "reading <*> now");
        check("open ./conf/app.yaml failed", "open <*> failed");
        check(
            r#"10.0.0.1 - - [03/Dec/2026:10:00:01 +0000] "GET /api/users/123/orders HTTP/1.1" 200 512 "-" "curl/8""#,
            r#"<*> - - [<*>] "GET /api/users/<*>/orders <*>" <*> "<*>" "<*>""#,
        );
        check(r#"said "GET off" loudly"#, r#"said "<*>" loudly"#);
    }

    #[test]
    fn masks_inside_tokens() {
        check("index:42 out of range", "index:<*> out of range");
        check("size=12 too big", "size=<*> too big");
        check("lookup (id=5) failed", "lookup (id=<*>) failed");
        check("a=1,b=2", "a=<*>,b=<*>");
        check(
            "updateClipping isOverlap:true, x=null",
            "updateClipping isOverlap:<*>, x=<*>",
        );
        check("it is true", "it is true");
        check("mask=ffffffff set", "mask=<*> set");
    }

    #[test]
    fn placeholders_collapse_and_words_stay() {
        check("fans 3552 3534 3391 ok", "fans <*> ok");
        check("steps 1##2##3", "steps <*>");
        check("  spaced\tout  words ", "spaced out words");
        check(
            "android.intent.action.TIME_TICK",
            "android.intent.action.TIME_TICK",
        );
        check("", "");
        check("héllo wörld 42€", "héllo wörld <*>");
    }
}
