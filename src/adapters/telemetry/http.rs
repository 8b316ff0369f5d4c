//! The telemetry backends' HTTP client: base URL, auth, tenant and extra headers over the one
//! transport every HTTP adapter shares ([`crate::adapters::http`]), and its answers mapped onto
//! the telemetry port's errors.
//!
//! Every backend adapter talks through [`HttpClient`], so the fault semantics are the same for all:
//! 401/403 → `Auth` (the URL is named, credentials never are), refused connection or DNS failure →
//! `Unavailable`, timeouts/429/5xx → retried with exponential backoff (honouring a bounded
//! `Retry-After`) and then `Transient`, a body that is not what the API documents → `BadData` with
//! the endpoint and a short excerpt.

use crate::adapters::http::{
    retry_transient, strip_userinfo, Policy, Reply, Request, Transport, TransportError,
};
use crate::core::ports::telemetry::TelemetryError;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;

pub use crate::adapters::http::{days_from_civil, excerpt, parse_retry_after};

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

/// A blocking client bound to one backend's base URL.
pub struct HttpClient {
    backend: String,
    base: String,
    settings: HttpSettings,
    transport: Transport,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("backend", &self.backend)
            .field("settings", &self.settings)
            .finish()
    }
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
        // Queries are idempotent: timeouts and broken connections are retried; a refused
        // connection is not (the backend is down: exit 69 at once).
        let transport = Transport::new(Policy {
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            retries: settings.retries,
            backoff_base: settings.backoff_base,
            max_wait: settings.max_wait,
            max_body_bytes: settings.max_body_bytes,
            ..Policy::idempotent()
        });
        settings.base_url = base.clone();
        Ok(HttpClient {
            backend: backend.to_string(),
            base,
            settings,
            transport,
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
        let auth = match &self.settings.auth {
            HttpAuth::None => None,
            HttpAuth::Basic { user, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            HttpAuth::Bearer(t) => Some(format!("Bearer {t}")),
        };
        let mut headers: Vec<(&str, &str)> = vec![("Accept", "application/json")];
        if let Some(a) = &auth {
            headers.push(("Authorization", a));
        }
        if let Some(org) = &self.settings.org_id {
            headers.push(("X-Scope-OrgID", org));
        }
        headers.extend(
            self.settings
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        headers.extend_from_slice(extra);
        let req = Request {
            method,
            url: &endpoint,
            query,
            headers: &headers,
            body,
        };
        match self.transport.send(&req, &retry_transient) {
            Ok(reply) => self.answer(&endpoint, reply),
            Err(e) => Err(self.transport_error(&endpoint, e)),
        }
    }

    /// A final answer: 2xx and 404 go to the caller, the rest become the port's errors.
    fn answer(&self, endpoint: &str, reply: Reply) -> Result<HttpResponse, TelemetryError> {
        let status = reply.status;
        match status {
            200..=299 | 404 => Ok(HttpResponse {
                status,
                content_type: reply.header("Content-Type").map(str::to_string),
                body: reply.body,
                endpoint: endpoint.to_string(),
            }),
            401 | 403 => Err(TelemetryError::Auth {
                backend: self.backend.clone(),
                url: endpoint.to_string(),
                status,
                hint: self.tenant_hint(status),
            }),
            408 | 429 | 500..=599 => Err(self.transient(
                endpoint,
                format!("HTTP {status} ({})", excerpt(&reply.body)),
            )),
            400 | 422 => Err(TelemetryError::Config {
                backend: self.backend.clone(),
                reason: format!(
                    "{endpoint} rejected the query with HTTP {status}: {}",
                    excerpt(&reply.body)
                ),
            }),
            _ => Err(bad_data(
                endpoint,
                &format!("unexpected HTTP {status}"),
                &reply.body,
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

    fn transport_error(&self, endpoint: &str, e: TransportError) -> TelemetryError {
        let backend = self.backend.clone();
        match e {
            TransportError::Unavailable { reason, .. } => TelemetryError::Unavailable {
                backend,
                url: endpoint.to_string(),
                reason,
            },
            TransportError::Timeout { reason, .. } | TransportError::Broken { reason, .. } => {
                self.transient(endpoint, reason)
            }
            TransportError::Redirect {
                status, location, ..
            } => TelemetryError::Config {
                backend,
                reason: format!(
                    "{endpoint} redirects (HTTP {status}) to {location}; set the API URL to the final address"
                ),
            },
            TransportError::WaitTooLong { wait, .. } => self.transient(
                endpoint,
                format!(
                    "server asked to retry after {}s, longer than the {}s bound",
                    wait.as_secs(),
                    self.settings.max_wait.as_secs()
                ),
            ),
            TransportError::Body {
                reason, excerpt, ..
            } => TelemetryError::BadData {
                location: endpoint.to_string(),
                detail: format!("{reason}; body starts: {excerpt}"),
            },
            TransportError::InvalidUrl { reason, .. } => TelemetryError::Config {
                backend,
                reason: format!("{endpoint}: {reason}"),
            },
            TransportError::ProxyAuth { .. } => TelemetryError::Auth {
                backend,
                url: endpoint.to_string(),
                status: 407,
                hint: "; the proxy wants credentials".into(),
            },
            TransportError::NotHttp { reason, .. } => {
                bad_data(endpoint, &format!("not an HTTP answer ({reason})"), "")
            }
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
            crate::adapters::http::parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
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
