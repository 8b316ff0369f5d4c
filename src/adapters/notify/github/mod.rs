//! The github_issue notifier: one issue per signature, found again through a hidden marker in
//! its body (listing the issues labelled `rounds`, which works on GitHub Enterprise and has no
//! search-index delay), so reruns and crashes never open duplicates. Comments on regression, on
//! a new diagnosis and on escalation, each with its own marker so a retried pass does not post
//! twice; reopens on regression. Everything posted is redacted and escaped.

mod client;

use crate::core::model::Signature;
use crate::core::ports::{Notification, NotificationKind, Notifier, NotifyError};
use crate::core::report::{code, signature_body, title, ReportEntry};
use client::{has_next, Client, CHANNEL};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

const MARKER_PREFIX: &str = "<!-- rounds:fingerprint=";
const NOTE_PREFIX: &str = "<!-- rounds:notification=";
/// GitHub rejects bodies over 65 536 characters; the sample stack is what gets clipped.
const MAX_STACK_CHARS: usize = 20_000;
/// GitHub refuses an issue body or comment over 65,536 characters (422, on every pass).
pub const MAX_BODY_CHARS: usize = 65_536;
/// A sample message in a body: the rest of the body (stack, diagnosis) must fit too.
const MAX_MESSAGE_BYTES: usize = 16_000;
const TRUNCATED: &str = "*…truncated by rounds to fit GitHub's 65,536-character limit; `rounds show <id>` has the rest.*";
const MAX_PAGES: u32 = 50;

/// Settings of the notifier, already validated.
#[derive(Debug, Clone)]
pub struct GithubConfig {
    pub api_url: String,
    pub token: String,
    pub default_repository: Option<String>,
    /// service → owner/name.
    pub by_service: Vec<(String, String)>,
    pub trace_url_template: Option<String>,
    pub max_wait: Duration,
}

/// `owner/name` with GitHub's allowed characters.
pub fn valid_repository(r: &str) -> bool {
    let ok = |p: &str| {
        p.chars().any(|c| c.is_ascii_alphanumeric())
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    matches!(r.split_once('/'), Some((o, n)) if ok(o) && ok(n))
}

/// Parse `service=owner/name,...`.
pub fn parse_routes(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((svc, repo)) = part.split_once('=') else {
            return Err(format!("'{part}' is not service=owner/name"));
        };
        let (svc, repo) = (svc.trim(), repo.trim());
        if svc.is_empty() || !valid_repository(repo) {
            return Err(format!("'{part}' is not service=owner/name"));
        }
        out.push((svc.to_string(), repo.to_string()));
    }
    Ok(out)
}

#[derive(Debug, Clone)]
struct Issue {
    number: u64,
    open: bool,
    labels: Vec<String>,
    html_url: String,
}

pub struct GithubNotifier {
    cfg: GithubConfig,
    client: Client,
    /// Per repository: fingerprint → issue, loaded once per pass.
    known: HashMap<String, HashMap<String, Issue>>,
}

/// The fingerprint in an issue body's marker, if any.
fn marker_id(body: &str) -> Option<&str> {
    let start = body.find(MARKER_PREFIX)? + MARKER_PREFIX.len();
    let rest = &body[start..];
    let end = rest.find("-->")?;
    Some(rest[..end].trim())
}

/// Only characters a label, marker or path segment can carry safely.
fn clean(s: &str, max: usize) -> String {
    crate::core::redact::redact(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
        .take(max)
        .collect()
}

fn issue_from(v: &Value) -> Option<Issue> {
    Some(Issue {
        number: v.get("number")?.as_u64()?,
        open: v.get("state").and_then(Value::as_str) != Some("closed"),
        labels: v
            .get("labels")
            .and_then(Value::as_array)
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| l.get("name").and_then(Value::as_str).or_else(|| l.as_str()))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        html_url: v
            .get("html_url")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

impl GithubNotifier {
    pub fn new(cfg: GithubConfig) -> Self {
        let client = Client::new(&cfg.api_url, cfg.token.clone(), cfg.max_wait);
        GithubNotifier {
            cfg,
            client,
            known: HashMap::new(),
        }
    }

    /// The repository a signature's issue lives in.
    fn repository(&self, sig: &Signature) -> Result<String, NotifyError> {
        for svc in &sig.services {
            if let Some((_, repo)) = self.cfg.by_service.iter().find(|(s, _)| s == svc) {
                return Ok(repo.clone());
            }
        }
        self.cfg
            .default_repository
            .clone()
            .ok_or_else(|| NotifyError::Config {
                channel: CHANNEL.into(),
                reason: format!(
                    "no repository for services {:?}: set GITHUB_REPOSITORY or add them to GITHUB_REPOSITORY_BY_SERVICE",
                    sig.services
                ),
            })
    }

    /// Every rounds issue of `repo`, by fingerprint (oldest issue wins if a human duplicated one).
    fn load(&mut self, repo: &str) -> Result<(), NotifyError> {
        if self.known.contains_key(repo) {
            return Ok(());
        }
        let mut found: HashMap<String, Issue> = HashMap::new();
        for page in 1..=MAX_PAGES {
            let a = self.client.call(
                "GET",
                &format!("/repos/{repo}/issues?labels=rounds&state=all&per_page=100&page={page}&sort=created&direction=asc"),
                None,
            )?;
            let items = a.json.as_array().cloned().unwrap_or_default();
            for it in &items {
                if it.get("pull_request").is_some() {
                    continue;
                }
                let body = it.get("body").and_then(Value::as_str).unwrap_or_default();
                if let (Some(id), Some(issue)) = (marker_id(body), issue_from(it)) {
                    found.entry(id.to_string()).or_insert(issue);
                }
            }
            let more = match a.link.as_deref() {
                Some(l) => has_next(Some(l)),
                None => items.len() == 100,
            };
            if !more {
                break;
            }
        }
        self.known.insert(repo.to_string(), found);
        Ok(())
    }

    fn labels(&self, sig: &Signature, existing: &[String]) -> Vec<String> {
        let mut out: Vec<String> = existing
            .iter()
            .filter(|l| !l.starts_with("status:") && l.as_str() != "rounds")
            .cloned()
            .collect();
        out.insert(0, "rounds".to_string());
        out.push(format!("status:{}", sig.status.as_str()));
        for svc in &sig.services {
            let l = format!("service:{}", clean(svc, 40));
            if !out.contains(&l) {
                out.push(l);
            }
        }
        out
    }

    fn issue_body(&self, n: &Notification) -> String {
        let mut n = n.clone();
        if let Some(st) = &mut n.signature.sample_stack {
            if st.chars().count() > MAX_STACK_CHARS {
                // Redacted before it is cut, so no secret's prefix is left at the cut.
                let cut = crate::core::redact::redact_cut(st, MAX_STACK_CHARS);
                *st = cut.chars().take(MAX_STACK_CHARS).collect::<String>() + "\n…";
            }
        }
        if let Some(m) = &mut n.signature.sample_message {
            if m.len() > MAX_MESSAGE_BYTES {
                *m = crate::core::redact::redact_cut(m, MAX_MESSAGE_BYTES);
            }
        }
        if n.signature.template.len() > MAX_MESSAGE_BYTES {
            n.signature.template =
                crate::core::redact::redact_cut(&n.signature.template, MAX_MESSAGE_BYTES);
        }
        let id = clean(&n.signature.id, 64);
        let body = format!(
            "{MARKER_PREFIX}{id} -->\nOpened by rounds for signature {}. It updates this issue and comments when the signature regresses, is diagnosed or escalates.\n\n{}",
            code(&id),
            signature_body(
                &ReportEntry::from_notification(&n),
                self.cfg.trace_url_template.as_deref()
            )
        );
        crate::core::report::fit(&body, MAX_BODY_CHARS, usize::MAX, TRUNCATED)
    }

    fn comment_body(&self, n: &Notification) -> String {
        let s = &n.signature;
        let key = clean(&n.dedup_key, 80);
        let last = n.last_24h.as_ref().map(|h| h.total()).unwrap_or(0);
        let headline = match n.kind {
            NotificationKind::Regressed => format!(
                "**Regressed**: seen again at {}{} after it was resolved ({} occurrences in total).",
                crate::core::time::rfc3339(s.last_seen),
                n.releases
                    .regressed_in
                    .as_deref()
                    .map(|r| format!(" in release {}", code(r)))
                    .unwrap_or_default(),
                s.count
            ),
            NotificationKind::Diagnosed => "**New diagnosis**".to_string(),
            NotificationKind::Escalating => format!(
                "**Escalating**: {last} occurrences in the last 24 h, {} in the 24 h before.",
                n.previous_24h.unwrap_or(0)
            ),
            NotificationKind::New => "**Seen again**".to_string(),
        };
        let detail = match n.kind {
            NotificationKind::Diagnosed => {
                // Only the diagnosis part: the issue body carries the rest.
                let body = signature_body(
                    &ReportEntry::from_notification(n),
                    self.cfg.trace_url_template.as_deref(),
                );
                match body.find("\n**Diagnosis**") {
                    Some(i) => body[i..].to_string(),
                    None => body,
                }
            }
            _ => String::new(),
        };
        let body = format!("{NOTE_PREFIX}{key} -->\n{headline}\n{detail}");
        crate::core::report::fit(&body, MAX_BODY_CHARS, usize::MAX, TRUNCATED)
    }

    /// Whether a comment for this notification is already on the issue (a crash after posting).
    fn already_commented(&self, repo: &str, number: u64, key: &str) -> Result<bool, NotifyError> {
        let needle = format!("{NOTE_PREFIX}{} -->", clean(key, 80));
        for page in 1..=MAX_PAGES {
            let a = self.client.call(
                "GET",
                &format!("/repos/{repo}/issues/{number}/comments?per_page=100&page={page}"),
                None,
            )?;
            let items = a.json.as_array().cloned().unwrap_or_default();
            if items.iter().any(|c| {
                c.get("body")
                    .and_then(Value::as_str)
                    .is_some_and(|b| b.contains(&needle))
            }) {
                return Ok(true);
            }
            let more = match a.link.as_deref() {
                Some(l) => has_next(Some(l)),
                None => items.len() == 100,
            };
            if !more {
                break;
            }
        }
        Ok(false)
    }
}

impl Notifier for GithubNotifier {
    fn channel(&self) -> &str {
        CHANNEL
    }

    fn has_side_effects(&self) -> bool {
        true
    }

    fn notify(&mut self, n: &Notification) -> Result<Option<String>, NotifyError> {
        let repo = self.repository(&n.signature)?;
        self.load(&repo)?;
        let id = clean(&n.signature.id, 64);
        // After a merge the issue may still carry an absorbed id; the update below re-marks it.
        let existing = self.known.get(&repo).and_then(|m| {
            m.get(&id)
                .or_else(|| n.aliases.iter().rev().find_map(|a| m.get(&clean(a, 64))))
        });
        let existing = existing.cloned();
        let Some(issue) = existing else {
            let payload = json!({
                // Titles are plain text, but a mention in one could still page somebody.
                "title": format!("[rounds] {}", title(&n.signature).replace('@', "@\u{200b}")),
                "body": self.issue_body(n),
                "labels": self.labels(&n.signature, &[]),
            });
            let a = self
                .client
                .call("POST", &format!("/repos/{repo}/issues"), Some(&payload))?;
            let issue = issue_from(&a.json).ok_or_else(|| NotifyError::Rejected {
                channel: CHANNEL.into(),
                reason: format!("POST /repos/{repo}/issues: the answer has no issue number"),
            })?;
            let url = issue.html_url.clone();
            self.known.entry(repo).or_default().insert(id, issue);
            return Ok(Some(url));
        };
        if n.kind != NotificationKind::New
            && !self.already_commented(&repo, issue.number, &n.dedup_key)?
        {
            let payload = json!({ "body": self.comment_body(n) });
            self.client.call(
                "POST",
                &format!("/repos/{repo}/issues/{}/comments", issue.number),
                Some(&payload),
            )?;
        }
        let mut patch = json!({
            "body": self.issue_body(n),
            "labels": self.labels(&n.signature, &issue.labels),
        });
        let reopen = n.kind == NotificationKind::Regressed && !issue.open;
        if reopen {
            patch["state"] = json!("open");
        }
        let a = self.client.call(
            "PATCH",
            &format!("/repos/{repo}/issues/{}", issue.number),
            Some(&patch),
        )?;
        let updated = issue_from(&a.json).unwrap_or(Issue {
            open: issue.open || reopen,
            ..issue
        });
        let url = updated.html_url.clone();
        self.known.entry(repo).or_default().insert(id, updated);
        Ok(Some(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_markers() {
        assert_eq!(
            parse_routes("checkout=acme/shop, auth = acme/id").unwrap(),
            vec![
                ("checkout".to_string(), "acme/shop".to_string()),
                ("auth".to_string(), "acme/id".to_string())
            ]
        );
        assert!(parse_routes("checkout").is_err());
        assert!(parse_routes("a=../x").is_err());
        assert_eq!(
            marker_id("text\n<!-- rounds:fingerprint=abc123 -->\nmore"),
            Some("abc123")
        );
        assert_eq!(marker_id("no marker"), None);
    }

    #[test]
    fn regression_comment_and_issue_body_name_the_release() {
        use crate::core::model::{FingerprintBasis, SeenIn, SignatureReleases, Status};
        let gh = GithubNotifier::new(GithubConfig {
            api_url: "http://127.0.0.1:9".into(),
            token: "t".into(),
            default_repository: Some("acme/shop".into()),
            by_service: vec![],
            trace_url_template: None,
            max_wait: Duration::from_secs(1),
        });
        let seen = |name: &str, count, at| SeenIn {
            name: name.into(),
            count,
            first_seen: at,
            last_seen: at,
        };
        let n = Notification {
            kind: NotificationKind::Regressed,
            signature: Signature {
                id: "0123456789abcdef0123456789abcdef".into(),
                algorithm_version: 1,
                basis: FingerprintBasis::Template,
                status: Status::Regressed,
                exception_type: "E".into(),
                template: "t".into(),
                key_frames: vec![],
                services: vec!["api".into()],
                count: 3,
                first_seen: 0,
                last_seen: 2,
                sample_stack: None,
                sample_message: None,
                ignore_reason: None,
                ignored_until: None,
            },
            diagnosis: None,
            last_24h: None,
            previous_24h: None,
            trace_ids: vec![],
            dedup_key: "regressed:2".into(),
            aliases: vec![],
            suspects: vec![],
            releases: SignatureReleases {
                releases: vec![seen("1.3.0", 2, 0), seen("1.4.0", 1, 2)],
                environments: vec![seen("prod", 3, 0)],
                resolved_in: None,
                regressed_in: Some("1.4.0".into()),
            },
        };
        let comment = gh.comment_body(&n);
        assert!(
            comment.contains(
                "seen again at 1970-01-01T00:00:00Z in release `1.4.0` after it was resolved"
            ),
            "{comment}"
        );
        let body = gh.issue_body(&n);
        assert!(
            body.contains("- **releases:** first `1.3.0` · last `1.4.0` · `1.4.0` ×1, `1.3.0` ×2"),
            "{body}"
        );
        assert!(
            body.contains("- **regressed in release:** `1.4.0`"),
            "{body}"
        );
        assert!(body.contains("- **environments:** prod ×3"), "{body}");
    }
}
