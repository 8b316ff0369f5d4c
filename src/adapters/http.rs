//! The one HTTP transport of every adapter that speaks HTTP (telemetry backends, GitHub,
//! OpenAI-compatible servers): connect and request timeouts, bounded retries with doubling
//! backoff, the server's Retry-After (seconds, HTTP date, `retry-after-ms`) within a bound, no
//! redirects, bounded bodies, and errors that name the URL without query or userinfo, never a
//! header value.
//!
//! Each adapter keeps only what is its own: the headers it sends, which statuses its API
//! retries (most share [`retry_transient`]; GitHub adds its rate-limit 403), and how a final
//! status or a [`TransportError`] maps onto its port's error.

use std::fmt;
use std::io::Read;
use std::time::{Duration, Instant};

/// How one client talks to its server.
#[derive(Debug, Clone)]
pub struct Policy {
    pub connect_timeout: Duration,
    /// Budget for one whole attempt (connect, send, read).
    pub timeout: Duration,
    /// Extra attempts after the first.
    pub retries: u32,
    /// First backoff; doubles per attempt. A server's Retry-After is waited at least this long.
    pub backoff_base: Duration,
    /// Longest single wait (backoff or Retry-After).
    pub max_wait: Duration,
    /// A server asking for a longer wait than `max_wait`: give up at once with
    /// [`TransportError::WaitTooLong`] (`true`: the next pass is the better retry), or wait
    /// `max_wait` and try again (`false`).
    pub refuse_long_waits: bool,
    /// Whether the request may be repeated after it may have reached the server: a timeout or
    /// a connection broken mid-exchange is retried only then (reads and queries, not a POST
    /// that creates an issue or is billed).
    pub idempotent: bool,
    /// Whether a refused connection (nothing was sent) is retried; otherwise it is
    /// [`TransportError::Unavailable`] at once.
    pub retry_refused: bool,
    /// No retry starts if it would end past this much time since the first attempt.
    pub deadline: Option<Duration>,
    /// Largest body accepted, so a runaway answer cannot exhaust memory.
    pub max_body_bytes: u64,
}

impl Policy {
    /// Reads and queries: timeouts retried, 3 retries from 500 ms, waits up to 30 s.
    pub fn idempotent() -> Self {
        Policy {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retries: 3,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
            refuse_long_waits: true,
            idempotent: true,
            retry_refused: false,
            deadline: None,
            max_body_bytes: 256 * 1024 * 1024,
        }
    }
}

/// One request. `url` carries no query: `query` is appended encoded, and only `url` ever
/// appears in an error.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub query: &'a [(&'a str, String)],
    /// Sent as given; values may be secrets and are never shown.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: Option<&'a str>,
}

/// A final answer: any status the retry rule did not retry (or the last one when the retries
/// ran out), with its headers and body. 3xx never arrives here ([`TransportError::Redirect`]).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Names lower-case.
    headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// A header by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// What a client's retry rule says about an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Final: hand it to the caller.
    No,
    /// Try again, after at least this long when the server said so.
    After(Option<Duration>),
}

/// The rule most APIs share: 408, 429 and 5xx are retried, after the server's Retry-After.
pub fn retry_transient(reply: &Reply) -> Retry {
    match reply.status {
        408 | 429 | 500..=599 => Retry::After(retry_after(reply)),
        _ => Retry::No,
    }
}

/// `retry-after-ms` (OpenAI), then `Retry-After` as seconds (fractions allowed) or an HTTP date.
pub fn retry_after(reply: &Reply) -> Option<Duration> {
    if let Some(ms) = reply
        .header("retry-after-ms")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite())
    {
        return Some(Duration::from_millis(ms.clamp(0.0, 1e12) as u64));
    }
    parse_retry_after(reply.header("retry-after")?)
}

/// `Retry-After` as delta-seconds or an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Some(secs) = v.parse::<f64>().ok().filter(|s| s.is_finite()) {
        return Some(Duration::from_millis(
            (secs.clamp(0.0, 1e9) * 1000.0) as u64,
        ));
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

/// Seconds since the epoch of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
pub fn parse_imf_fixdate(v: &str) -> Option<i64> {
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

pub use crate::core::time::days_from_civil;

/// A URL without `user:password@`, for messages.
pub fn strip_userinfo(url: &str) -> String {
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

/// Why no final answer came back. Every variant names the URL (no query, no credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// DNS failure or refused connection: nothing was sent.
    Unavailable { url: String, reason: String },
    /// Connect or read timed out (after the retries, where the policy allows them).
    Timeout { url: String, reason: String },
    /// The connection broke mid-exchange (not a timeout); the server may have acted on it.
    Broken { url: String, reason: String },
    /// A 3xx: never followed, so headers with credentials stay with their host.
    Redirect {
        url: String,
        status: u16,
        location: String,
    },
    /// The server asked to wait longer than the policy's bound.
    WaitTooLong {
        url: String,
        status: u16,
        wait: Duration,
    },
    /// The body is over the cap, cut short, or not UTF-8.
    Body {
        url: String,
        reason: String,
        excerpt: String,
    },
    /// The URL or proxy setting cannot be used.
    InvalidUrl { url: String, reason: String },
    /// A proxy wants credentials.
    ProxyAuth { url: String },
    /// What came back is not HTTP.
    NotHttp { url: String, reason: String },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Unavailable { url, reason } => write!(f, "{url}: {reason}"),
            TransportError::Timeout { url, reason } => write!(f, "{url}: {reason}"),
            TransportError::Broken { url, reason } => write!(f, "{url}: {reason}"),
            TransportError::Redirect {
                url,
                status,
                location,
            } => write!(f, "{url} redirects (HTTP {status}) to {location}"),
            TransportError::WaitTooLong { url, status, wait } => write!(
                f,
                "{url}: HTTP {status}, the server asked to retry after {}s",
                wait.as_secs()
            ),
            TransportError::Body {
                url,
                reason,
                excerpt,
            } => write!(f, "{url}: {reason}; body starts: {excerpt}"),
            TransportError::InvalidUrl { url, reason } => write!(f, "{url}: {reason}"),
            TransportError::ProxyAuth { url } => write!(f, "{url}: the proxy wants credentials"),
            TransportError::NotHttp { url, reason } => {
                write!(f, "{url}: not an HTTP answer ({reason})")
            }
        }
    }
}

/// Largest error body kept (enough for any API's error JSON).
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// A blocking transport with one [`Policy`].
pub struct Transport {
    agent: ureq::Agent,
    policy: Policy,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

enum Attempt {
    Reply(Reply),
    Fail(TransportError),
    /// Failed in a way a retry may fix, if the policy allows it for this kind.
    Retryable(TransportError),
}

impl Transport {
    pub fn new(policy: Policy) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(policy.connect_timeout)
            .timeout(policy.timeout)
            // Redirects would carry tenant, token and API-key headers to wherever they point.
            .redirects(0)
            .build();
        Transport { agent, policy }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Sends `req`, retrying what `retry` and the policy allow; returns the final answer
    /// (whatever its status) or why there is none.
    pub fn send(
        &self,
        req: &Request<'_>,
        retry: &dyn Fn(&Reply) -> Retry,
    ) -> Result<Reply, TransportError> {
        let p = &self.policy;
        let start = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            let backoff = p
                .backoff_base
                .saturating_mul(1u32 << attempt.min(16))
                .min(p.max_wait);
            let within_deadline =
                |wait: Duration| p.deadline.is_none_or(|d| start.elapsed() + wait < d);
            let wait = match self.once(req) {
                Attempt::Reply(reply) => {
                    let asked = match retry(&reply) {
                        Retry::No => return Ok(reply),
                        Retry::After(asked) => asked,
                    };
                    if attempt >= p.retries {
                        return Ok(reply);
                    }
                    let wait = match asked {
                        Some(w) if w > p.max_wait && p.refuse_long_waits => {
                            return Err(TransportError::WaitTooLong {
                                url: strip_userinfo(req.url),
                                status: reply.status,
                                wait: w,
                            })
                        }
                        Some(w) => w.min(p.max_wait).max(backoff),
                        None => backoff,
                    };
                    if !within_deadline(wait) {
                        return Ok(reply);
                    }
                    wait
                }
                Attempt::Fail(e) => return Err(e),
                Attempt::Retryable(e) => {
                    let allowed = match e {
                        TransportError::Unavailable { .. } => p.retry_refused,
                        TransportError::Timeout { .. } | TransportError::Broken { .. } => {
                            p.idempotent
                        }
                        _ => false,
                    };
                    if !allowed || attempt >= p.retries || !within_deadline(backoff) {
                        return Err(e);
                    }
                    backoff
                }
            };
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    fn once(&self, req: &Request<'_>) -> Attempt {
        let url = strip_userinfo(req.url);
        let mut r = self.agent.request(req.method, req.url);
        for (k, v) in req.query {
            r = r.query(k, v);
        }
        for (k, v) in req.headers {
            r = r.set(k, v);
        }
        let result = match req.body {
            Some(b) => r.send_string(b),
            None => r.call(),
        };
        match result {
            Ok(resp) => self.read(url, resp),
            Err(ureq::Error::Status(status, resp)) => {
                let headers = headers_of(&resp);
                let mut buf = Vec::new();
                let _ = resp
                    .into_reader()
                    .take(MAX_ERROR_BODY)
                    .read_to_end(&mut buf);
                Attempt::Reply(Reply {
                    status,
                    headers,
                    body: String::from_utf8_lossy(&buf).into_owned(),
                })
            }
            Err(ureq::Error::Transport(t)) => transport_error(url, &t),
        }
    }

    fn read(&self, url: String, resp: ureq::Response) -> Attempt {
        let status = resp.status();
        if (300..400).contains(&status) {
            let location = strip_userinfo(resp.header("Location").unwrap_or("elsewhere"));
            return Attempt::Fail(TransportError::Redirect {
                url,
                status,
                location,
            });
        }
        let headers = headers_of(&resp);
        let limit = self.policy.max_body_bytes;
        let mut buf = Vec::new();
        match resp.into_reader().take(limit + 1).read_to_end(&mut buf) {
            Ok(_) if buf.len() as u64 > limit => Attempt::Fail(TransportError::Body {
                url,
                reason: format!("body larger than {limit} bytes"),
                excerpt: excerpt(&String::from_utf8_lossy(&buf[..buf.len().min(256)])),
            }),
            Ok(_) => match String::from_utf8(buf) {
                Ok(body) => Attempt::Reply(Reply {
                    status,
                    headers,
                    body,
                }),
                Err(e) => Attempt::Fail(TransportError::Body {
                    url,
                    reason: "body is not UTF-8".into(),
                    excerpt: excerpt(&String::from_utf8_lossy(e.as_bytes())),
                }),
            },
            Err(e) if is_timeout(&e) => Attempt::Retryable(TransportError::Timeout {
                url,
                reason: "timed out reading the response".into(),
            }),
            // A body cut short is not what the API documents; retrying would hide a broken proxy.
            Err(e) => Attempt::Fail(TransportError::Body {
                url,
                reason: format!("body truncated ({e})"),
                excerpt: excerpt(&String::from_utf8_lossy(&buf)),
            }),
        }
    }
}

fn headers_of(resp: &ureq::Response) -> Vec<(String, String)> {
    resp.headers_names()
        .into_iter()
        .filter_map(|name| {
            let value = resp.header(&name)?.to_string();
            Some((name.to_ascii_lowercase(), value))
        })
        .collect()
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

fn transport_error(url: String, t: &ureq::Transport) -> Attempt {
    use ureq::ErrorKind as K;
    let reason = t
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| t.kind().to_string());
    let io = std::error::Error::source(t).and_then(|s| s.downcast_ref::<std::io::Error>());
    let source = std::error::Error::source(t)
        .map(|s| format!(": {s}"))
        .unwrap_or_default();
    match t.kind() {
        K::Dns => Attempt::Retryable(TransportError::Unavailable {
            url,
            reason: format!("DNS lookup failed{source}"),
        }),
        K::ConnectionFailed if io.is_some_and(is_timeout) => {
            Attempt::Retryable(TransportError::Timeout {
                url,
                reason: "connect timed out".into(),
            })
        }
        K::ConnectionFailed | K::ProxyConnect => Attempt::Retryable(TransportError::Unavailable {
            url,
            reason: format!("{reason}{source}"),
        }),
        K::Io if io.is_some_and(is_timeout) => Attempt::Retryable(TransportError::Timeout {
            url,
            reason: "timed out".into(),
        }),
        K::Io => Attempt::Retryable(TransportError::Broken {
            url,
            reason: format!("{reason}{source}"),
        }),
        K::InvalidUrl | K::UnknownScheme | K::InsecureRequestHttpsOnly | K::InvalidProxyUrl => {
            Attempt::Fail(TransportError::InvalidUrl { url, reason })
        }
        K::ProxyUnauthorized => Attempt::Fail(TransportError::ProxyAuth { url }),
        K::BadStatus | K::BadHeader | K::TooManyRedirects => {
            Attempt::Fail(TransportError::NotHttp { url, reason })
        }
        K::HTTP => Attempt::Fail(TransportError::Unavailable {
            url,
            reason: format!("{reason}{source}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_retry_after("soon"), None);
        let r = Reply {
            status: 429,
            headers: vec![
                ("retry-after-ms".into(), "150".into()),
                ("retry-after".into(), "9".into()),
            ],
            body: String::new(),
        };
        assert_eq!(retry_after(&r), Some(Duration::from_millis(150)));
        assert_eq!(
            retry_transient(&r),
            Retry::After(Some(Duration::from_millis(150)))
        );
        assert_eq!(
            retry_transient(&Reply {
                status: 404,
                headers: Vec::new(),
                body: String::new()
            }),
            Retry::No
        );
    }

    #[test]
    fn userinfo_never_reaches_a_message() {
        assert_eq!(strip_userinfo("https://u:secret@host/p"), "https://host/p");
        assert_eq!(strip_userinfo("u:secret@host"), "host");
    }
}
