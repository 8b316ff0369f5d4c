//! A small GitHub REST client: auth headers, JSON, and bounded waits on rate limits (primary,
//! secondary, Retry-After) and 5xx, mapped onto the notifier's error kinds. Requests go through
//! the one HTTP transport every adapter shares ([`crate::adapters::http`]): its timeouts,
//! backoff, Retry-After bound, redirect policy (none: the token stays with the API host) and
//! credential-free errors.

use crate::adapters::http::{
    parse_retry_after, Policy, Reply, Request, Retry, Transport, TransportError,
};
use crate::core::ports::NotifyError;
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) const CHANNEL: &str = "github_issue";
const ATTEMPTS: u32 = 4;
/// Largest answer read (an issue list page is well under it).
const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

pub struct Client {
    transport: Transport,
    api_url: String,
    token: String,
    user_agent: String,
}

/// One answer: the decoded JSON (Null when empty) and the `Link` header for pagination.
pub struct Answer {
    pub json: Value,
    pub link: Option<String>,
}

/// Whether a 403/429 is a rate limit (primary or secondary) rather than a missing permission.
fn rate_limited(reply: &Reply) -> bool {
    let lower = github_message(&reply.body).to_ascii_lowercase();
    reply.status == 429
        || reply.header("retry-after").is_some()
        || reply.header("x-ratelimit-remaining") == Some("0")
        || lower.contains("rate limit")
}

/// GitHub's retry rule: rate limits wait what GitHub says (Retry-After, else the primary
/// limit's reset, else the minute its docs ask for secondary limits); 5xx back off.
fn github_retry(reply: &Reply) -> Retry {
    match reply.status {
        403 | 429 if rate_limited(reply) => {
            let retry_after = reply.header("retry-after").and_then(parse_retry_after);
            let reset = reply
                .header("x-ratelimit-reset")
                .and_then(|v| v.trim().parse::<u64>().ok());
            let wait = match (retry_after, reply.header("x-ratelimit-remaining"), reset) {
                (Some(w), _, _) => w,
                (None, Some("0"), Some(reset)) => {
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0);
                    Duration::from_secs(reset.saturating_sub(now) + 1)
                }
                _ => Duration::from_secs(60),
            };
            Retry::After(Some(wait))
        }
        500..=599 => Retry::After(None),
        _ => Retry::No,
    }
}

impl Client {
    pub fn new(api_url: &str, token: String, max_wait: Duration) -> Client {
        // Creating issues and comments is not idempotent: a timeout or a broken connection is
        // not repeated within the pass (the outbox retries it next pass).
        let transport = Transport::new(Policy {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: ATTEMPTS - 1,
            backoff_base: Duration::from_secs(1),
            max_wait,
            refuse_long_waits: true,
            idempotent: false,
            retry_refused: false,
            deadline: None,
            max_body_bytes: MAX_BODY_BYTES,
        });
        Client {
            transport,
            api_url: api_url.trim_end_matches('/').to_string(),
            token,
            user_agent: format!("rounds/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_url)
    }

    fn transient(reason: String) -> NotifyError {
        NotifyError::Transient {
            channel: CHANNEL.into(),
            reason,
        }
    }

    /// Send one request, retrying rate limits and server errors within the wait bound.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, NotifyError> {
        let url = self.url(path);
        let auth = format!("Bearer {}", self.token);
        let mut headers = vec![
            ("Authorization", auth.as_str()),
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", "2022-11-28"),
            ("User-Agent", self.user_agent.as_str()),
        ];
        let text = body.map(Value::to_string);
        if text.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let req = Request {
            method,
            url: &url,
            query: &[],
            headers: &headers,
            body: text.as_deref(),
        };
        let reply = self
            .transport
            .send(&req, &github_retry)
            .map_err(|e| self.transport_error(method, &url, e))?;
        let code = reply.status;
        if !reply.is_success() {
            let message = github_message(&reply.body);
            return Err(match code {
                401 => NotifyError::Auth {
                    channel: CHANNEL.into(),
                    url,
                    status: code,
                },
                403 | 429 if rate_limited(&reply) => Self::transient(format!(
                    "{method} {url}: gave up after {ATTEMPTS} attempts: HTTP {code} rate limited ({message})"
                )),
                // A plain 403: the token lacks a permission on this repository.
                403 => NotifyError::Auth {
                    channel: CHANNEL.into(),
                    url,
                    status: code,
                },
                404 => NotifyError::Config {
                    channel: CHANNEL.into(),
                    reason: format!(
                        "{method} {url}: not found (does the repository exist, and can the token see it?)"
                    ),
                },
                422 => NotifyError::Rejected {
                    channel: CHANNEL.into(),
                    reason: format!("{method} {url}: HTTP 422 {message}"),
                },
                c if c >= 500 => Self::transient(format!(
                    "{method} {url}: gave up after {ATTEMPTS} attempts: HTTP {c} {message}"
                )),
                c => NotifyError::Rejected {
                    channel: CHANNEL.into(),
                    reason: format!("{method} {url}: HTTP {c} {message}"),
                },
            });
        }
        let link = reply.header("link").map(str::to_string);
        let json = if reply.body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&reply.body).map_err(|e| NotifyError::Rejected {
                channel: CHANNEL.into(),
                reason: format!("{method} {url}: the answer is not JSON: {e}"),
            })?
        };
        Ok(Answer { json, link })
    }

    fn transport_error(&self, method: &str, url: &str, e: TransportError) -> NotifyError {
        match e {
            TransportError::Unavailable { reason, .. } => NotifyError::Unavailable {
                channel: CHANNEL.into(),
                url: url.to_string(),
                reason,
            },
            TransportError::WaitTooLong { wait, .. } => Self::transient(format!(
                "{method} {url}: rate limited for {}s more",
                wait.as_secs()
            )),
            TransportError::Redirect {
                status, location, ..
            } => NotifyError::Config {
                channel: CHANNEL.into(),
                reason: format!(
                    "{method} {url} redirects (HTTP {status}) to {location}; was the repository renamed or moved? set GITHUB_REPOSITORY (or GITHUB_API_URL) to the final address"
                ),
            },
            TransportError::InvalidUrl { reason, .. } => NotifyError::Config {
                channel: CHANNEL.into(),
                reason: format!("{method} {url}: {reason}"),
            },
            TransportError::ProxyAuth { .. } => NotifyError::Auth {
                channel: CHANNEL.into(),
                url: url.to_string(),
                status: 407,
            },
            TransportError::Body { reason, .. } => Self::transient(format!(
                "{method} {url}: reading the answer failed: {reason}"
            )),
            e @ (TransportError::Timeout { .. }
            | TransportError::Broken { .. }
            | TransportError::NotHttp { .. }) => Self::transient(format!("{method} {e}")),
        }
    }
}

/// GitHub's `message` field, clipped, for error lines (never the request, which may hold text).
fn github_message(body: &str) -> String {
    let msg = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            let m = v.get("message")?.as_str()?.to_string();
            let details = v
                .get("errors")
                .and_then(|e| e.as_array())
                .map(|errs| {
                    errs.iter()
                        .filter_map(|e| {
                            e.get("message")
                                .or_else(|| e.get("code"))
                                .and_then(|x| x.as_str())
                                .map(str::to_string)
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            Some(if details.is_empty() {
                m
            } else {
                format!("{m}: {details}")
            })
        })
        .unwrap_or_else(|| body.trim().to_string());
    msg.chars().take(200).collect()
}

/// Whether a `Link` header has a `rel="next"` page.
pub fn has_next(link: Option<&str>) -> bool {
    link.is_some_and(|l| l.split(',').any(|part| part.contains("rel=\"next\"")))
}
