//! Secret redaction for everything that leaves the machine (LLM prompts, notifications, stored text).
//!
//! A pure function over text: built-in rules for credentials that have a recognisable shape, plus
//! user-configured patterns; e-mail addresses and IP addresses optionally. Each match becomes a
//! named placeholder such as `[REDACTED:jwt]` so a reader still sees what kind of thing was there.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

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
        rule(
            "jwt",
            r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}",
        ),
        rule("anthropic_key", r"\bsk-ant-[A-Za-z0-9_-]{10,}"),
        rule(
            "openai_key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}",
        ),
        rule(
            "github_token",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})",
        ),
        rule("gitlab_token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        rule("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        rule(
            "slack_webhook",
            r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+",
        ),
        rule(
            "aws_access_key",
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",
        ),
        rule("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}"),
        rule(
            "stripe_key",
            r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}",
        ),
        rule(
            "sendgrid_key",
            r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
        ),
        rule("npm_token", r"\bnpm_[A-Za-z0-9]{36}"),
        rule("huggingface_token", r"\bhf_[A-Za-z0-9]{30,}"),
        // `Authorization: Bearer x`, `Basic x`, `Token x`: keep the scheme, hide the credential.
        rule(
            "bearer",
            r"(?i)\b(?:bearer|basic|token)\s+(?P<s>[A-Za-z0-9._~+/=-]{8,})",
        ),
        // AWS secret keys carry no prefix: recognise them by the label next to them.
        rule(
            "aws_secret_key",
            r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?(?P<s>[A-Za-z0-9/+=]{40})"#,
        ),
        // user:password@host in any URL scheme.
        rule(
            "url_password",
            r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<s>[^@\s/]+)@",
        ),
        // password=..., "api_key": "...", secret: ..., in logs, query strings and JSON alike.
        rule(
            "credential",
            r#"(?i)\b[a-z0-9_.-]*(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|private[_-]?key|client[_-]?secret)["']?\s*[:=]\s*["']?(?P<s>[^\s"'&,;}<>]{4,})"#,
        ),
    ]
});

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
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    extra: Vec<Regex>,
    pub emails: bool,
    pub ips: bool,
}

impl Redactor {
    /// Built-in rules only.
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
            emails: false,
            ips: false,
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
}

/// Redact with the built-in rules only.
pub fn redact(text: &str) -> String {
    Redactor::new().redact(text)
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
    fn emails_and_ips_only_on_request() {
        let text = "user alice@example.com from 10.1.2.3";
        assert_eq!(redact(text), text);
        let r = Redactor::new().emails(true).ips(true);
        let out = r.redact(text);
        assert!(
            !out.contains("alice@example.com") && !out.contains("10.1.2.3"),
            "{out}"
        );
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
