//! A small GitHub REST client: auth headers, JSON, and bounded waits on rate limits (primary,
//! secondary, Retry-After) and 5xx, mapped onto the notifier's error kinds.

use crate::core::ports::NotifyError;
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) const CHANNEL: &str = "github_issue";
const ATTEMPTS: u32 = 4;

pub struct Client {
    agent: ureq::Agent,
    api_url: String,
    token: String,
    user_agent: String,
    /// The longest single wait for a rate limit; longer means Transient (retry next pass).
    max_wait: Duration,
}

/// One answer: the decoded JSON (Null when empty) and the `Link` header for pagination.
pub struct Answer {
    pub json: Value,
    pub link: Option<String>,
}

impl Client {
    pub fn new(api_url: &str, token: String, max_wait: Duration) -> Client {
        Client {
            agent: ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(10))
                .timeout(Duration::from_secs(30))
                .build(),
            api_url: api_url.trim_end_matches('/').to_string(),
            token,
            user_agent: format!("rounds/{}", env!("CARGO_PKG_VERSION")),
            max_wait,
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
        let mut backoff = Duration::from_secs(1);
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            let req = self
                .agent
                .request(method, &url)
                .set("Authorization", &format!("Bearer {}", self.token))
                .set("Accept", "application/vnd.github+json")
                .set("X-GitHub-Api-Version", "2022-11-28")
                .set("User-Agent", &self.user_agent);
            let result = match body {
                Some(b) => req.send_json(b.clone()),
                None => req.call(),
            };
            let resp = match result {
                Ok(r) => r,
                Err(ureq::Error::Transport(t)) => {
                    let reason = t.to_string();
                    let timed_out = reason.contains("timed out") || reason.contains("timeout");
                    if timed_out {
                        return Err(Self::transient(format!("{method} {url}: {reason}")));
                    }
                    return Err(NotifyError::Unavailable {
                        channel: CHANNEL.into(),
                        url,
                        reason,
                    });
                }
                Err(ureq::Error::Status(code, r)) => {
                    let retry_after = r
                        .header("retry-after")
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let remaining = r.header("x-ratelimit-remaining").map(str::to_string);
                    let reset = r
                        .header("x-ratelimit-reset")
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let text = r.into_string().unwrap_or_default();
                    let message = github_message(&text);
                    match code {
                        401 => {
                            return Err(NotifyError::Auth {
                                channel: CHANNEL.into(),
                                url,
                                status: code,
                            })
                        }
                        403 | 429 => {
                            let lower = message.to_ascii_lowercase();
                            let limited = code == 429
                                || retry_after.is_some()
                                || remaining.as_deref() == Some("0")
                                || lower.contains("rate limit");
                            if !limited {
                                // A plain 403: the token lacks a permission on this repository.
                                return Err(NotifyError::Auth {
                                    channel: CHANNEL.into(),
                                    url,
                                    status: code,
                                });
                            }
                            let wait = match (retry_after, remaining.as_deref(), reset) {
                                (Some(s), _, _) => Duration::from_secs(s),
                                (None, Some("0"), Some(reset)) => {
                                    let now = SystemTime::now()
                                        .duration_since(UNIX_EPOCH)
                                        .map(|d| d.as_secs())
                                        .unwrap_or(0);
                                    Duration::from_secs(reset.saturating_sub(now) + 1)
                                }
                                // Secondary limits without a hint: GitHub asks for at least a minute.
                                _ => Duration::from_secs(60),
                            };
                            last = format!("HTTP {code} rate limited ({message})");
                            if wait > self.max_wait {
                                return Err(Self::transient(format!(
                                    "{method} {url}: rate limited for {}s more",
                                    wait.as_secs()
                                )));
                            }
                            if attempt < ATTEMPTS {
                                std::thread::sleep(wait);
                            }
                            continue;
                        }
                        404 => {
                            return Err(NotifyError::Config {
                                channel: CHANNEL.into(),
                                reason: format!(
                                    "{method} {url}: not found (does the repository exist, and can the token see it?)"
                                ),
                            })
                        }
                        422 => {
                            return Err(NotifyError::Rejected {
                                channel: CHANNEL.into(),
                                reason: format!("{method} {url}: HTTP 422 {message}"),
                            })
                        }
                        c if c >= 500 => {
                            last = format!("HTTP {c} {message}");
                            if attempt < ATTEMPTS {
                                std::thread::sleep(backoff.min(self.max_wait));
                                backoff *= 2;
                            }
                            continue;
                        }
                        c => {
                            return Err(NotifyError::Rejected {
                                channel: CHANNEL.into(),
                                reason: format!("{method} {url}: HTTP {c} {message}"),
                            })
                        }
                    }
                }
            };
            let link = resp.header("link").map(str::to_string);
            let text = resp.into_string().map_err(|e| {
                Self::transient(format!("{method} {url}: reading the answer failed: {e}"))
            })?;
            let json = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).map_err(|e| NotifyError::Rejected {
                    channel: CHANNEL.into(),
                    reason: format!("{method} {url}: the answer is not JSON: {e}"),
                })?
            };
            return Ok(Answer { json, link });
        }
        Err(Self::transient(format!(
            "{method} {url}: gave up after {ATTEMPTS} attempts: {last}"
        )))
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
