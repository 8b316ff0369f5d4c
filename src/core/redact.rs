//! Secret redaction for everything that leaves the machine (LLM prompts, notifications, stored text).
//!
//! A pure function over text: built-in rules for credentials that have a recognisable shape, plus
//! user-configured patterns; e-mail addresses and IP addresses optionally. Each match becomes a
//! named placeholder such as `[REDACTED:jwt]` so a reader still sees what kind of thing was there.

use regex::Regex;
use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

/// One built-in rule: a name for the placeholder and a pattern. When the pattern has a capture
/// group named `s`, only that group is replaced (the surrounding label stays readable).
struct Rule {
    name: &'static str,
    re: Regex,
}

fn rule(name: &'static str, pattern: &str) -> Rule {
    // The patterns are literals of this file, checked by the unit tests; a typo is a build-time bug.
    #[allow(clippy::expect_used)]
    let re = Regex::new(pattern).expect("built-in redaction pattern compiles");
    Rule { name, re }
}

/// Order matters: the most specific shapes first, so a private key block is one placeholder and
/// not a dozen partial matches.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(
            "private_key",
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
        ),
        // Distinctive prefixes need no word boundary in front: a token glued to a word
        // character (`keyghp_…`, `idAKIA…`) is still a token.
        rule(
            "jwt",
            r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}",
        ),
        rule("anthropic_key", r"sk-ant-[A-Za-z0-9_-]{10,}"),
        // `sk-` alone is too common inside words (`risk-…`, `task-…`) to drop the boundary.
        rule(
            "openai_key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}",
        ),
        rule(
            "github_token",
            r"(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})",
        ),
        rule("gitlab_token", r"glpat-[A-Za-z0-9_-]{20,}"),
        rule("slack_token", r"xox[abposr]-[A-Za-z0-9-]{10,}"),
        rule(
            "slack_webhook",
            r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+",
        ),
        rule(
            "aws_access_key",
            r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}",
        ),
        rule("google_api_key", r"AIza[0-9A-Za-z_-]{35}"),
        rule("stripe_key", r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"),
        rule(
            "sendgrid_key",
            r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
        ),
        rule("npm_token", r"npm_[A-Za-z0-9]{36}"),
        rule("huggingface_token", r"hf_[A-Za-z0-9]{30,}"),
        // `Authorization: Bearer x`, `Basic x`, `Token x`: keep the scheme, hide the credential.
        rule(
            "bearer",
            r"(?i)\b(?:bearer|basic|token)\s+(?P<s>[A-Za-z0-9._~+/=-]{8,})",
        ),
        // AWS secret keys carry no prefix: recognise them by the label next to them, in the
        // env/ini spelling (`aws_secret_access_key = …`) and the boto/JSON one
        // (`"SecretAccessKey": "…"`).
        rule(
            "aws_secret_key",
            r#"(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s*[:=]\s*["']?(?P<s>[A-Za-z0-9/+=]{16,})"#,
        ),
        // user:password@host in any URL scheme.
        rule(
            "url_password",
            r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<s>[^@\s/]+)@",
        ),
        // Credentials in a query string: `?token=…`, `&access_token=…`, `&X-Amz-Signature=…`.
        rule(
            "url_credential",
            r"(?i)[?&;][a-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|apikey|access[_-]?key|signature|sig|auth|code|session)[a-z0-9_.-]*=(?P<s>[^&\s#\x22'<>]{3,})",
        ),
        // password=..., "api_key": "...", "SessionToken": ..., in logs and JSON alike: a
        // credential word anywhere in the label (`db_password_main`, `x-auth-token`).
        rule(
            "credential",
            r#"(?i)\b[a-z0-9_.-]*(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|session[_-]?token|refresh[_-]?token|id[_-]?token|private[_-]?key|client[_-]?secret|credentials?)[a-z0-9_.-]*["']?\s*[:=]\s*["']?(?P<s>[^\s"'&,;}<>]{4,})"#,
        ),
    ]
});

/// Card numbers (PAN) of the major schemes, digits optionally grouped by spaces or dashes; a
/// candidate is redacted only when its Luhn checksum holds, so order ids and nanosecond
/// timestamps of the same length stay readable.
static CARD: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"\b(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|3[47]\d{2}|3[0689]\d{2}|6011|65\d{2}|64[4-9]\d|35\d{2})(?:[ -]?\d){9,15}\b",
    )
    .expect("card pattern compiles")
});

/// The Luhn checksum over the digits of `s` (separators ignored), for 13 to 19 digits.
fn luhn(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if !i.is_multiple_of(2) {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether an attribute key names a credential, so its whole value is a secret whatever its
/// shape (`aws.secret_access_key`, `http.request.header.authorization`, `db.password`).
/// Counters such as `gen_ai.usage.input_tokens` are not credentials.
pub fn is_credential_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let words: Vec<&str> = k
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let joined: String = words.concat();
    const WORDS: [&str; 10] = [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "accesskey",
        "privatekey",
        "credential",
        "authorization",
        "cookie",
    ];
    if words.iter().any(|w| *w == "pwd" || *w == "auth") {
        return true;
    }
    WORDS.iter().any(|w| joined.contains(w)) && !words.last().is_some_and(|w| w.ends_with("tokens"))
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
        .expect("email pattern compiles")
});

static IP: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b|\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b",
    )
    .expect("ip pattern compiles")
});

/// A user pattern that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("redaction pattern '{pattern}' is not a valid regular expression: {reason}")]
pub struct PatternError {
    pub pattern: String,
    pub reason: String,
}

/// What to redact beyond the built-in credential rules.
///
/// E-mail addresses are redacted by default: they are personal data, and prompts, issues and
/// reports leave the machine; `REDACT_EMAILS=0` keeps them. IP addresses are kept by default
/// (a refused connection to 10.0.0.5:5432 is diagnosis material, not a person); `REDACT_IPS=1`
/// hides them. Card numbers (Luhn-checked) are always redacted.
#[derive(Debug, Clone)]
pub struct Redactor {
    extra: Vec<Regex>,
    pub emails: bool,
    pub ips: bool,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor {
            extra: Vec::new(),
            emails: true,
            ips: false,
        }
    }
}

/// The redactor of this process, configured once from `REDACT_PATTERNS`, `REDACT_EMAILS` and
/// `REDACT_IPS` before any command runs. Every sink that leaves the machine (prompts, GitHub,
/// markdown, reports, the stdout notifier) redacts through [`redact`], so none can be handed a
/// different or forgotten configuration.
static CONFIGURED: OnceLock<Redactor> = OnceLock::new();

/// Make `r` the process's redactor. The first call wins (a process runs one command); returns
/// whether `r` was installed.
pub fn install(r: Redactor) -> bool {
    CONFIGURED.set(r).is_ok()
}

/// The process's redactor: the installed one, else the defaults.
pub fn configured() -> &'static Redactor {
    CONFIGURED.get_or_init(Redactor::default)
}

impl Redactor {
    /// Built-in rules and the default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Built-in rules plus user patterns (e.g. from `REDACT_PATTERNS`).
    pub fn with_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PatternError> {
        let mut extra = Vec::with_capacity(patterns.len());
        for p in patterns {
            let p = p.as_ref();
            if p.is_empty() {
                continue;
            }
            extra.push(Regex::new(p).map_err(|e| PatternError {
                pattern: p.to_string(),
                reason: e.to_string(),
            })?);
        }
        Ok(Redactor {
            extra,
            ..Redactor::default()
        })
    }

    pub fn emails(mut self, on: bool) -> Self {
        self.emails = on;
        self
    }

    pub fn ips(mut self, on: bool) -> Self {
        self.ips = on;
        self
    }

    /// The text with every secret replaced by a `[REDACTED:kind]` placeholder.
    pub fn redact(&self, text: &str) -> String {
        let mut out: Cow<'_, str> = Cow::Borrowed(text);
        for rule in RULES.iter() {
            if let Cow::Owned(s) = replace(&rule.re, &out, rule.name) {
                out = Cow::Owned(s);
            }
        }
        if let Cow::Owned(s) = replace_cards(&out) {
            out = Cow::Owned(s);
        }
        for re in &self.extra {
            if let Cow::Owned(s) = replace(re, &out, "custom") {
                out = Cow::Owned(s);
            }
        }
        if self.emails {
            if let Cow::Owned(s) = replace(&EMAIL, &out, "email") {
                out = Cow::Owned(s);
            }
        }
        if self.ips {
            if let Cow::Owned(s) = replace(&IP, &out, "ip") {
                out = Cow::Owned(s);
            }
        }
        out.into_owned()
    }

    /// An attribute value: all of it when the key names a credential, else as text.
    pub fn redact_attribute(&self, key: &str, value: &str) -> String {
        if is_credential_key(key) && !value.is_empty() {
            "[REDACTED:credential]".to_string()
        } else {
            self.redact(value)
        }
    }

    /// Redact, then cut to at most `max_bytes` (on a character boundary, with a marker), so a
    /// secret that straddles the cap never leaves a readable prefix behind. Only a window a
    /// little longer than the cap is scanned: any secret overlapping the cut lies within it
    /// (the rules match secrets far shorter than [`CUT_MARGIN`], and the unbounded ones match a
    /// prefix of their secret too), so cutting a 50 MiB message costs what cutting 24 KiB does.
    pub fn redact_cut(&self, text: &str, max_bytes: usize) -> String {
        if text.len() <= max_bytes {
            return self.redact(text);
        }
        let window = &text[..floor_char(text, max_bytes.saturating_add(CUT_MARGIN))];
        let red = self.redact(window);
        let dropped = text.len() - window.len();
        cut_marked(&red, max_bytes, dropped)
    }
}

impl Redactor {
    /// The last `max_bytes` of `text`, redacted from a window reaching [`CUT_MARGIN`] further
    /// back, so the kept part never starts with the readable rest of a secret.
    pub fn redact_tail(&self, text: &str, max_bytes: usize) -> String {
        if text.len() <= max_bytes {
            return self.redact(text);
        }
        let wide = floor_char(
            text,
            text.len() - max_bytes - CUT_MARGIN.min(text.len() - max_bytes),
        );
        let red = self.redact(&text[wide..]);
        let mut k = red.len().saturating_sub(max_bytes);
        while k < red.len() && !red.is_char_boundary(k) {
            k += 1;
        }
        red[k..].to_string()
    }
}

/// Bytes past a cap that are redacted with the kept part (see [`Redactor::redact_cut`]).
pub const CUT_MARGIN: usize = 8 * 1024;

/// The largest index ≤ `i` on a character boundary of `s`.
pub fn floor_char(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `s` cut to `max_bytes` with a ` …[cut N bytes]` marker when anything was removed
/// (`extra_dropped` counts bytes already removed before `s`).
pub fn cut_marked(s: &str, max_bytes: usize, extra_dropped: usize) -> String {
    if s.len() <= max_bytes && extra_dropped == 0 {
        return s.to_string();
    }
    let end = floor_char(s, max_bytes);
    let dropped = s.len() - end + extra_dropped;
    let mut out = String::with_capacity(end + 32);
    out.push_str(&s[..end]);
    out.push_str(&format!(" …[cut {dropped} bytes]"));
    out
}

/// Redact with the process's configured redactor (see [`install`]).
pub fn redact(text: &str) -> String {
    configured().redact(text)
}

/// [`Redactor::redact_cut`] with the process's configured redactor.
pub fn redact_cut(text: &str, max_bytes: usize) -> String {
    configured().redact_cut(text, max_bytes)
}

/// Card numbers that pass the Luhn check become `[REDACTED:card]`.
fn replace_cards(text: &str) -> Cow<'_, str> {
    if !CARD.is_match(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut changed = false;
    for m in CARD.find_iter(text) {
        if luhn(m.as_str()) {
            out.push_str(&text[last..m.start()]);
            out.push_str("[REDACTED:card]");
            last = m.end();
            changed = true;
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

fn replace<'a>(re: &Regex, text: &'a str, name: &str) -> Cow<'a, str> {
    if !re.is_match(text) {
        return Cow::Borrowed(text);
    }
    let placeholder = format!("[REDACTED:{name}]");
    let has_group = re.capture_names().any(|n| n == Some("s"));
    if !has_group {
        return Cow::Owned(re.replace_all(text, placeholder.as_str()).into_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in re.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        match caps.name("s") {
            Some(secret) => {
                out.push_str(&text[last..secret.start()]);
                out.push_str(&placeholder);
                last = secret.end();
            }
            None => {
                out.push_str(&text[last..whole.start()]);
                out.push_str(&placeholder);
                last = whole.end();
            }
        }
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Planted secrets of every kind the module claims to catch, each with a marker the output
    /// must not contain.
    pub(crate) const PLANTED: &[(&str, &str)] = &[
        ("Authorization: Bearer abcDEF123456ghiJKL789.xyz", "abcDEF123456ghiJKL789"),
        ("key=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345", "AbCdEfGhIjKlMnOpQrSt"),
        ("OPENAI sk-proj-Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe", "Zy9Xw8Vu7Ts6Rq5"),
        ("legacy sk-ZZZZaaaaBBBBccccDDDDeeee1234", "ZZZZaaaaBBBBcccc"),
        ("token ghp_1234567890abcdefghijABCDEFGHIJklmn", "1234567890abcdefghij"),
        ("gho_AAAAbbbbCCCCddddEEEEffff00001111", "AAAAbbbbCCCCdddd"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstu", "11ABCDEFG0123456789"),
        ("slack xoxb-123456789012-abcdefghijkl", "123456789012-abcdef"),
        ("slack xoxp-99887766-5544332211-zzyyxx", "99887766-5544332211"),
        ("aws AKIAIOSFODNN7EXAMPLE here", "IOSFODNN7EXAMPLE"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
        ("gitlab glpat-xxxxYYYYzzzz11112222", "xxxxYYYYzzzz1111"),
        (
            "jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "SflKxwRJSMeKKF2QT4fw",
        ),
        ("dsn postgres://app:hunter2secret@db.internal:5432/app", "hunter2secret"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAmysteryKeyMaterial\n-----END RSA PRIVATE KEY-----",
            "mysteryKeyMaterial",
        ),
        ("{\"password\": \"correct-horse-battery\"}", "correct-horse-battery"),
        ("?api_key=q1w2e3r4t5y6&x=1", "q1w2e3r4t5y6"),
        ("google AIzaSyA1234567890abcdefghijklmnopqrstuv", "SyA1234567890abcdef"),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjt"),
        // boto / AWS JSON credentials.
        (
            r#"{"AccessKeyId": "ASIAXXXXXXXXEXAMPLE1", "SecretAccessKey": "Zq9vT3xw8Lk2Jh5Gf7Ds1Ap0Oi4Uy6Tr8Ew2Qa3B", "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLETOKEN"}"#,
            "Zq9vT3xw8Lk2Jh5Gf7Ds",
        ),
        (
            r#"{"SessionToken": "IQoJb3JpZ2luX2VjEXAMPLETOKEN"}"#,
            "IQoJb3JpZ2luX2Vj",
        ),
        ("GET /cb?token=s3cr3tT0kenValue99&x=1", "s3cr3tT0kenValue99"),
        ("GET /cb?x=1&access_token=ya29.a0AfH6SMBexample", "ya29.a0AfH6SMB"),
        ("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abcdef0123456789fedcba", "abcdef0123456789fedcba"),
        // Tokens glued to a word character.
        ("idghp_1234567890abcdefghijABCDEFGHIJklmn", "1234567890abcdefghij"),
        ("keyAKIAIOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"),
        ("x_xoxb-123456789012-abcdefghijkl", "123456789012-abcdef"),
        ("tokeneyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU", "eyJzdWIiOiIxIn0"),
        ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
        ("card 5500-0000-0000-0004 declined", "5500-0000-0000-0004"),
        ("amex 378282246310005 declined", "378282246310005"),
        ("mail bob.smith@example.com failed", "bob.smith@example.com"),
    ];

    #[test]
    fn every_planted_secret_is_removed() {
        for (text, secret) in PLANTED {
            let out = redact(text);
            assert!(!out.contains(secret), "secret survived in {out:?}");
            assert!(out.contains("[REDACTED:"), "no placeholder in {out:?}");
        }
    }

    #[test]
    fn all_secrets_in_one_blob_are_removed() {
        let blob: String = PLANTED
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<_>>()
            .join("\n");
        let out = redact(&blob);
        for (_, secret) in PLANTED {
            assert!(!out.contains(secret), "{secret} survived");
        }
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        let text =
            "NullPointerException at com.acme.Orders.total(Orders.java:88) for order 12345; \
                    token count 3; see https://example.com/docs/errors";
        assert_eq!(redact(text), text);
    }

    #[test]
    fn labels_stay_readable() {
        let out = redact("Authorization: Bearer abcdefghijklmnop");
        assert_eq!(out, "Authorization: Bearer [REDACTED:bearer]");
        let out = redact("postgres://app:pw12345@db/x");
        assert_eq!(out, "postgres://app:[REDACTED:url_password]@db/x");
    }

    #[test]
    fn emails_by_default_ips_on_request() {
        let text = "user alice@example.com from 10.1.2.3";
        assert_eq!(redact(text), "user [REDACTED:email] from 10.1.2.3");
        assert_eq!(Redactor::new().emails(false).redact(text), text);
        let r = Redactor::new().ips(true);
        let out = r.redact(text);
        assert!(
            !out.contains("alice@example.com") && !out.contains("10.1.2.3"),
            "{out}"
        );
    }

    #[test]
    fn card_numbers_need_a_valid_checksum() {
        // Same shape, wrong check digit: an order number, not a card.
        assert_eq!(redact("order 4111111111111112"), "order 4111111111111112");
        // A nanosecond timestamp is 19 digits but no card scheme starts with 17.
        assert_eq!(redact("at 1700000000000000000"), "at 1700000000000000000");
        assert_eq!(redact("pan 4111111111111111"), "pan [REDACTED:card]");
    }

    #[test]
    fn credential_named_attributes_hide_the_whole_value() {
        let r = Redactor::new();
        for key in [
            "aws.secret_access_key",
            "db.password",
            "http.request.header.authorization",
            "http.request.header.cookie",
            "app.refreshToken",
            "stripe_api_key",
        ] {
            assert!(is_credential_key(key), "{key}");
            assert_eq!(
                r.redact_attribute(key, "plainvalue"),
                "[REDACTED:credential]"
            );
        }
        for key in ["gen_ai.usage.input_tokens", "http.route", "service.name"] {
            assert!(!is_credential_key(key), "{key}");
        }
        assert_eq!(r.redact_attribute("http.route", "/x"), "/x");
    }

    #[test]
    fn a_secret_straddling_the_cap_leaves_no_prefix() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        for pad in [0usize, 1, 10, 38, 39, 40, 41] {
            let text = format!(
                "{}aws_secret_access_key={secret} tail",
                "x".repeat(1000 - pad)
            );
            let out = Redactor::new().redact_cut(&text, 1024);
            assert!(out.len() <= 1024 + 40, "{}", out.len());
            assert!(!out.contains("wJalrX"), "prefix leaked at pad {pad}: {out}");
        }
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let text = format!("{}{jwt}", "y".repeat(990));
        let out = Redactor::new().redact_cut(&text, 1000);
        assert!(!out.contains("eyJ"), "{out}");
    }

    #[test]
    fn cutting_a_huge_text_scans_only_the_window() {
        let text = "a".repeat(50 * 1024 * 1024);
        let start = std::time::Instant::now();
        let out = Redactor::new().redact_cut(&text, 8192);
        assert!(out.len() < 8192 + 40);
        assert!(out.ends_with("bytes]"), "{}", &out[out.len() - 30..]);
        assert!(start.elapsed().as_millis() < 500, "{:?}", start.elapsed());
    }

    #[test]
    fn user_patterns_apply_and_bad_ones_are_reported() {
        let r = Redactor::with_patterns(&["ACME-[0-9]{6}"]).expect("valid");
        assert_eq!(r.redact("id ACME-123456 ok"), "id [REDACTED:custom] ok");
        let err = Redactor::with_patterns(&["(unclosed"]).expect_err("invalid");
        assert!(err.to_string().contains("(unclosed"));
    }

    #[test]
    fn redaction_is_fast_on_large_input() {
        let line = "2024-01-01 ERROR request failed for order 991 at Orders.java:88 user=bob\n";
        let text = line.repeat(20_000);
        let start = std::time::Instant::now();
        let out = redact(&text);
        assert_eq!(out.len(), text.len());
        assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    }
}
