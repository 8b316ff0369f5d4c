//! Shared blocking HTTP client for telemetry backends: auth, headers, retries, error mapping.
//!
//! Every backend adapter talks through [`HttpClient`], so the fault semantics are the same for all:
//! 401/403 → `Auth` (the URL is named, credentials never are), refused connection or DNS failure →
//! `Unavailable`, timeouts/429/5xx → retried with exponential backoff (honouring a bounded
//! `Retry-After`) and then `Transient`, a body that is not what the API documents → `BadData` with
//! the endpoint and a short excerpt.

use crate::core::ports::telemetry::TelemetryError;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use std::fmt;
use std::io::Read;
use std::time::Duration;

/// Credentials sent with every request.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum HttpAuth {
    #[default]
    None,
    /// HTTP Basic (Grafana Cloud: stack user id and access-policy token).
    Basic { user: String, password: String },
    /// `Authorization: Bearer <token>`.
    Bearer(String),
}

// Hand-written so credentials never reach a log line through `{:?}`.
impl fmt::Debug for HttpAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpAuth::None => f.write_str("None"),
            HttpAuth::Basic { user, .. } => write!(f, "Basic({user}:***)"),
            HttpAuth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// How to reach one backend. Plain fields: settings resolution lives in the app layer.
#[derive(Clone)]
pub struct HttpSettings {
    /// Base URL, possibly with a path prefix (`https://host/jaeger`); `user:pass@` becomes Basic auth.
    pub base_url: String,
    /// Extra headers sent with every request (tenant ids, API keys). Values are treated as secrets.
    pub headers: Vec<(String, String)>,
    pub auth: HttpAuth,
    /// `X-Scope-OrgID` for multi-tenant Grafana Tempo/Loki.
    pub org_id: Option<String>,
    pub connect_timeout: Duration,
    /// Budget for one whole request (connect, send, read).
    pub timeout: Duration,
    /// Extra attempts after the first for retryable failures.
    pub retries: u32,
    /// First backoff; doubles per attempt.
    pub backoff_base: Duration,
    /// Upper bound for any single wait (backoff or `Retry-After`). A server asking for longer
    /// ends the pass as transient: the next cron pass is the better retry.
    pub max_wait: Duration,
    /// Largest body accepted, so a runaway answer cannot exhaust memory.
    pub max_body_bytes: u64,
}

impl HttpSettings {
    pub fn new(base_url: impl Into<String>) -> Self {
        HttpSettings {
            base_url: base_url.into(),
            headers: Vec::new(),
            auth: HttpAuth::None,
            org_id: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retries: 3,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
            max_body_bytes: 256 * 1024 * 1024,
        }
    }
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("HttpSettings")
            .field("base_url", &strip_userinfo(&self.base_url))
            .field("headers", &header_names)
            .field("auth", &self.auth)
            .field("org_id", &self.org_id)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

/// Parses `k=v,k2=v2` (the `ROUNDS_HTTP_HEADERS` format) into header pairs.
pub fn parse_header_list(spec: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, part) in spec
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        // Values may be secrets: errors name the entry's position, never its text.
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("entry {} has no '=': expected name=value", i + 1))?;
        let k = k.trim();
        if k.is_empty()
            || !k
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            return Err(format!("entry {} has an invalid header name", i + 1));
        }
        out.push((k.to_string(), v.trim().to_string()));
    }
    Ok(out)
}

/// A response the caller must interpret: 2xx, or 404 (which some APIs use for "nothing found").
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    /// The endpoint without query string or credentials, for error messages.
    pub endpoint: String,
    pub content_type: Option<String>,
}

impl HttpResponse {
    /// Decodes the body, or names the endpoint and shows a short excerpt.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, TelemetryError> {
        serde_json::from_str(&self.body).map_err(|e| {
            bad_data(
                &self.endpoint,
                &format!("unexpected body ({e})"),
                &self.body,
            )
        })
    }

    /// Whether the body parses as JSON at all (Jaeger's "route gone" 404 is plain text).
    pub fn is_json(&self) -> bool {
        serde_json::from_str::<serde_json::Value>(&self.body).is_ok()
    }
}

/// A `BadData` error naming the endpoint, with a one-line excerpt of the body.
pub fn bad_data(endpoint: &str, detail: &str, body: &str) -> TelemetryError {
    TelemetryError::BadData {
        location: endpoint.to_string(),
        detail: format!("{detail}; body starts: {}", excerpt(body)),
    }
}

/// The first ~160 characters of a body on one line.
pub fn excerpt(body: &str) -> String {
    let flat: String = body
        .chars()
        .take(160)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if body.chars().count() > 160 {
        format!("{flat}…")
    } else if flat.is_empty() {
        "(empty)".to_string()
    } else {
        flat
    }
}

/// A blocking client bound to one backend's base URL.
pub struct HttpClient {
    backend: String,
    base: String,
    settings: HttpSettings,
    agent: ureq::Agent,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("backend", &self.backend)
            .field("settings", &self.settings)
            .finish()
    }
}

enum Attempt {
    Done(HttpResponse),
    Fail(TelemetryError),
    Retry {
        err: TelemetryError,
        wait: Option<Duration>,
    },
}

impl HttpClient {
    pub fn new(backend: &str, mut settings: HttpSettings) -> Result<Self, TelemetryError> {
        let config = |reason: String| TelemetryError::Config {
            backend: backend.to_string(),
            reason,
        };
        let raw = settings.base_url.trim().trim_end_matches('/').to_string();
        let (scheme, rest) = raw.split_once("://").ok_or_else(|| {
            config(format!(
                "API URL must start with http:// or https://, got '{}'",
                strip_userinfo(&raw)
            ))
        })?;
        if scheme != "http" && scheme != "https" {
            return Err(config(format!(
                "unsupported URL scheme '{scheme}' (use http or https)"
            )));
        }
        // Credentials in the URL would otherwise end up in every error message.
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let base = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                if settings.auth == HttpAuth::None {
                    let (u, p) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                    settings.auth = HttpAuth::Basic {
                        user: u.to_string(),
                        password: p.to_string(),
                    };
                }
                format!("{scheme}://{host}{path}")
            }
            None => raw.clone(),
        };
        if authority.is_empty() || base.contains(['?', '#']) {
            return Err(config(format!(
                "API URL '{}' has no host or carries a query",
                strip_userinfo(&raw)
            )));
        }
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(settings.connect_timeout)
            .timeout(settings.timeout)
            // Redirects would carry tenant and API-key headers to wherever they point.
            .redirects(0)
            .build();
        settings.base_url = base.clone();
        Ok(HttpClient {
            backend: backend.to_string(),
            base,
            settings,
            agent,
        })
    }

    pub fn backend(&self) -> &str {
        &self.backend
    }

    /// Base URL without credentials.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The full URL of `path` (which starts with `/`), without query.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<HttpResponse, TelemetryError> {
        self.get_with(path, query, &[])
    }

    /// GET with headers for this request only (e.g. Loki's encoding flags).
    pub fn get_with(
        &self,
        path: &str,
        query: &[(&str, String)],
        extra: &[(&str, &str)],
    ) -> Result<HttpResponse, TelemetryError> {
        self.run("GET", path, query, extra, None)
    }

    pub fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<HttpResponse, TelemetryError> {
        let body = body.to_string();
        self.run(
            "POST",
            path,
            &[],
            &[("Content-Type", "application/json")],
            Some(&body),
        )
    }

    fn run(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        extra: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<HttpResponse, TelemetryError> {
        let endpoint = self.endpoint(path);
        let mut attempt: u32 = 0;
        loop {
            match self.once(method, &endpoint, query, extra, body) {
                Attempt::Done(r) => return Ok(r),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { err, wait } => {
                    if attempt >= self.settings.retries {
                        return Err(err);
                    }
                    let backoff = self
                        .settings
                        .backoff_base
                        .saturating_mul(1u32 << attempt.min(16));
                    let wait = match wait {
                        Some(w) if w > self.settings.max_wait => {
                            return Err(self.transient(
                                &endpoint,
                                format!(
                                    "server asked to retry after {}s, longer than the {}s bound",
                                    w.as_secs(),
                                    self.settings.max_wait.as_secs()
                                ),
                            ))
                        }
                        Some(w) => w.max(backoff.min(self.settings.max_wait)),
                        None => backoff.min(self.settings.max_wait),
                    };
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        }
    }

    fn once(
        &self,
        method: &str,
        endpoint: &str,
        query: &[(&str, String)],
        extra: &[(&str, &str)],
        body: Option<&str>,
    ) -> Attempt {
        let mut req = self
            .agent
            .request(method, endpoint)
            .set("Accept", "application/json");
        for (k, v) in query {
            req = req.query(k, v);
        }
        match &self.settings.auth {
            HttpAuth::None => {}
            HttpAuth::Basic { user, password } => {
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                req = req.set("Authorization", &format!("Basic {token}"));
            }
            HttpAuth::Bearer(t) => req = req.set("Authorization", &format!("Bearer {t}")),
        }
        if let Some(org) = &self.settings.org_id {
            req = req.set("X-Scope-OrgID", org);
        }
        for (k, v) in &self.settings.headers {
            req = req.set(k, v);
        }
        for (k, v) in extra {
            req = req.set(k, v);
        }
        let result = match body {
            Some(b) => req.send_string(b),
            None => req.call(),
        };
        match result {
            Ok(resp) => self.read(endpoint, resp),
            Err(ureq::Error::Status(status, resp)) => self.status_error(endpoint, status, resp),
            Err(ureq::Error::Transport(t)) => self.transport_error(endpoint, &t),
        }
    }

    fn read(&self, endpoint: &str, resp: ureq::Response) -> Attempt {
        let status = resp.status();
        if (300..400).contains(&status) {
            let to = resp.header("Location").unwrap_or("elsewhere");
            return Attempt::Fail(TelemetryError::Config {
                backend: self.backend.clone(),
                reason: format!(
                    "{endpoint} redirects (HTTP {status}) to {}; set the API URL to the final address",
                    strip_userinfo(to)
                ),
            });
        }
        let content_type = resp.header("Content-Type").map(str::to_string);
        let mut buf = Vec::new();
        let limit = self.settings.max_body_bytes;
        match resp.into_reader().take(limit + 1).read_to_end(&mut buf) {
            Ok(_) if buf.len() as u64 > limit => Attempt::Fail(bad_data(
                endpoint,
                &format!("body larger than {limit} bytes"),
                &String::from_utf8_lossy(&buf[..256]),
            )),
            Ok(_) => match String::from_utf8(buf) {
                Ok(body) => Attempt::Done(HttpResponse {
                    status,
                    body,
                    endpoint: endpoint.to_string(),
                    content_type,
                }),
                Err(e) => Attempt::Fail(bad_data(
                    endpoint,
                    "body is not UTF-8",
                    &String::from_utf8_lossy(e.as_bytes()),
                )),
            },
            Err(e) if is_timeout(&e) => Attempt::Retry {
                err: self.transient(endpoint, "timed out reading the response".into()),
                wait: None,
            },
            // A body cut short is not what the API documents; retrying would hide a broken proxy.
            Err(e) => Attempt::Fail(bad_data(
                endpoint,
                &format!("body truncated ({e})"),
                &String::from_utf8_lossy(&buf),
            )),
        }
    }

    /// A multi-tenant Tempo or Loki answers 401 "no org id" to a request without a tenant:
    /// say which setting is missing rather than only "credentials rejected".
    fn tenant_hint(&self, status: u16) -> String {
        let tenant_set = self.settings.org_id.is_some()
            || self
                .settings
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("X-Scope-OrgID"));
        match self.backend.as_str() {
            b @ ("tempo" | "loki") if status == 401 && !tenant_set => format!(
                "; a multi-tenant {b} needs a tenant id (X-Scope-OrgID): set {}_TENANT",
                b.to_ascii_uppercase()
            ),
            _ => String::new(),
        }
    }

    fn status_error(&self, endpoint: &str, status: u16, resp: ureq::Response) -> Attempt {
        let retry_after = resp.header("Retry-After").and_then(parse_retry_after);
        let mut body = String::new();
        let _ = resp.into_reader().take(4096).read_to_string(&mut body);
        match status {
            404 => Attempt::Done(HttpResponse {
                status,
                body,
                endpoint: endpoint.to_string(),
                content_type: None,
            }),
            401 | 403 => Attempt::Fail(TelemetryError::Auth {
                backend: self.backend.clone(),
                url: endpoint.to_string(),
                status,
                hint: self.tenant_hint(status),
            }),
            408 | 429 | 500..=599 => Attempt::Retry {
                err: self.transient(endpoint, format!("HTTP {status} ({})", excerpt(&body))),
                wait: retry_after,
            },
            400 | 422 => Attempt::Fail(TelemetryError::Config {
                backend: self.backend.clone(),
                reason: format!(
                    "{endpoint} rejected the query with HTTP {status}: {}",
                    excerpt(&body)
                ),
            }),
            _ => Attempt::Fail(bad_data(
                endpoint,
                &format!("unexpected HTTP {status}"),
                &body,
            )),
        }
    }

    fn transport_error(&self, endpoint: &str, t: &ureq::Transport) -> Attempt {
        use ureq::ErrorKind as K;
        let reason = t
            .message()
            .map(str::to_string)
            .unwrap_or_else(|| t.kind().to_string());
        let source = std::error::Error::source(t)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        let unavailable = |reason: String| TelemetryError::Unavailable {
            backend: self.backend.clone(),
            url: endpoint.to_string(),
            reason,
        };
        match t.kind() {
            K::Dns => Attempt::Fail(unavailable(format!("DNS lookup failed{source}"))),
            K::ConnectionFailed => {
                let timed_out = std::error::Error::source(t)
                    .and_then(|s| s.downcast_ref::<std::io::Error>())
                    .is_some_and(is_timeout);
                if timed_out {
                    Attempt::Retry {
                        err: self.transient(endpoint, "connect timed out".into()),
                        wait: None,
                    }
                } else {
                    Attempt::Fail(unavailable(format!("{reason}{source}")))
                }
            }
            K::Io => {
                let io =
                    std::error::Error::source(t).and_then(|s| s.downcast_ref::<std::io::Error>());
                let why = if io.is_some_and(is_timeout) {
                    "timed out".to_string()
                } else {
                    format!("{reason}{source}")
                };
                Attempt::Retry {
                    err: self.transient(endpoint, why),
                    wait: None,
                }
            }
            K::InvalidUrl | K::UnknownScheme | K::InsecureRequestHttpsOnly | K::InvalidProxyUrl => {
                Attempt::Fail(TelemetryError::Config {
                    backend: self.backend.clone(),
                    reason: format!("{endpoint}: {reason}"),
                })
            }
            K::ProxyUnauthorized => Attempt::Fail(TelemetryError::Auth {
                backend: self.backend.clone(),
                url: endpoint.to_string(),
                status: 407,
                hint: "; the proxy wants credentials".into(),
            }),
            K::BadStatus | K::BadHeader | K::TooManyRedirects => Attempt::Fail(bad_data(
                endpoint,
                &format!("not an HTTP answer ({reason})"),
                "",
            )),
            K::ProxyConnect | K::HTTP => Attempt::Fail(unavailable(format!("{reason}{source}"))),
        }
    }

    fn transient(&self, endpoint: &str, reason: String) -> TelemetryError {
        TelemetryError::Transient {
            backend: self.backend.clone(),
            url: endpoint.to_string(),
            reason,
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

/// `Retry-After` as delta-seconds or an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_imf_fixdate(v)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some(Duration::from_secs((at - now).max(0) as u64))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn parse_imf_fixdate(v: &str) -> Option<i64> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let mut it = v.split_whitespace().skip(1);
    let day: i64 = it.next()?.parse().ok()?;
    let month_name = it.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as i64 + 1;
    let year: i64 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if it.next()? != "GMT" {
        return None;
    }
    // Range-checked before the arithmetic: a server's year 10^18 must not overflow (found by
    // fuzz_parsers).
    let in_range = (1..=9999).contains(&year)
        && (1..=31).contains(&day)
        && (0..24).contains(&h)
        && (0..60).contains(&m)
        && (0..=60).contains(&s);
    if !in_range {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn strip_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((s, rest)) => {
            let (auth, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = auth.rsplit_once('@').map(|x| x.1).unwrap_or(auth);
            format!("{s}://{host}{path}")
        }
        None => url
            .rsplit_once('@')
            .map(|x| x.1.to_string())
            .unwrap_or_else(|| url.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_list_parses_and_rejects() {
        let h = parse_header_list("X-Scope-OrgID=tenant1, Authorization=Bearer a=b").unwrap();
        assert_eq!(
            h,
            vec![
                ("X-Scope-OrgID".into(), "tenant1".into()),
                ("Authorization".into(), "Bearer a=b".into())
            ]
        );
        assert!(parse_header_list("").unwrap().is_empty());
        let err = parse_header_list("supersecretvalue").unwrap_err();
        assert!(!err.contains("supersecretvalue"), "{err}");
        assert!(parse_header_list("bad name=x").is_err());
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn userinfo_becomes_basic_auth_and_leaves_the_url() {
        let c = HttpClient::new(
            "tempo",
            HttpSettings::new("https://123:glc_secret@tempo.example/prefix/"),
        )
        .unwrap();
        assert_eq!(c.base_url(), "https://tempo.example/prefix");
        assert_eq!(
            c.settings.auth,
            HttpAuth::Basic {
                user: "123".into(),
                password: "glc_secret".into()
            }
        );
        assert!(!format!("{c:?}").contains("glc_secret"));
        let e = HttpClient::new("tempo", HttpSettings::new("ftp://u:pw@x")).unwrap_err();
        assert!(!e.to_string().contains("pw"), "{e}");
    }
}
