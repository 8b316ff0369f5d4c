//! The stdout notifier: one line per new, regressed or newly diagnosed signature, or JSON Lines.
//! It writes to stdout itself because stdout is its channel; a closed pipe is not an error.

use crate::core::ports::{Notification, Notifier, NotifyError};
use crate::core::redact::redact;
use crate::core::time::rfc3339;
use std::io::{self, Write};

pub struct StdoutNotifier {
    json: bool,
    closed: bool,
}

impl StdoutNotifier {
    pub fn new(json: bool) -> Self {
        StdoutNotifier {
            json,
            closed: false,
        }
    }

    /// The text line for a notification.
    pub fn line(n: &Notification) -> String {
        let s = &n.signature;
        let what = if s.template.is_empty() {
            s.exception_type.clone()
        } else if s.exception_type.is_empty() {
            s.template.clone()
        } else {
            format!("{}: {}", s.exception_type, s.template)
        };
        // Cron mails stdout around: secrets in telemetry never get that far.
        let what = crate::output::table::clip(&redact(&what), 120);
        // The release it came back in, or the one it was last seen in (docs/releases.md).
        let release = match (n.kind, &n.releases.regressed_in) {
            (crate::core::ports::NotificationKind::Regressed, Some(r)) => {
                format!(", regressed in release {r}")
            }
            _ => n
                .releases
                .last_release()
                .map(|r| format!(", release {}", r.name))
                .unwrap_or_default(),
        };
        let line = format!(
            "{:<10} {}  {}  {}  (count {}, last seen {}{release})",
            n.kind.as_str(),
            &s.id[..12.min(s.id.len())],
            s.services.join(","),
            what,
            s.count,
            rfc3339(s.last_seen)
        );
        // A newline or an escape in a service name must not forge or repaint a line.
        crate::core::visible::visible(&redact(&line)).into_owned()
    }

    pub fn json_line(n: &Notification) -> String {
        // The signature shape every document shares (redacted), plus what the notification says.
        let s = crate::core::report::redacted_signature(&n.signature);
        let mut v = crate::output::json::signature(&s);
        if let Some(day) = &n.last_24h {
            crate::output::json::add_activity(&mut v, &s, day, n.previous_24h.unwrap_or(0));
        }
        crate::output::json::add_releases(&mut v, &n.releases);
        v["version"] = serde_json::json!(crate::output::json::JSON_VERSION);
        v["kind"] = serde_json::json!(n.kind.as_str());
        v["trace_ids"] = serde_json::json!(n.trace_ids);
        v["diagnosis"] = serde_json::json!(n.diagnosis.as_ref().map(|d| serde_json::json!({
            "root_cause": redact(&d.root_cause), "suggested_fix": redact(&d.suggested_fix), "confidence": d.confidence.as_str(),
        })));
        v.to_string()
    }
}

impl Notifier for StdoutNotifier {
    fn channel(&self) -> &str {
        "stdout"
    }

    fn notify(&mut self, n: &Notification) -> Result<Option<String>, NotifyError> {
        if self.closed {
            return Ok(None);
        }
        let line = if self.json {
            Self::json_line(n)
        } else {
            Self::line(n)
        };
        let mut out = io::stdout().lock();
        match writeln!(out, "{line}").and_then(|_| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => {
                return Err(NotifyError::Io {
                    path: "<stdout>".into(),
                    source: e,
                })
            }
            Ok(()) => {}
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{FingerprintBasis, Signature, Status};
    use crate::core::ports::NotificationKind;

    #[test]
    fn lines_never_carry_secrets() {
        let sig = Signature {
            id: "0123456789abcdef0123456789abcdef".into(),
            algorithm_version: 1,
            basis: FingerprintBasis::Template,
            status: Status::New,
            exception_type: "AuthError".into(),
            template: "login failed for https://admin:hunter2secret@db.internal/ with token ghp_abcdefghijklmnopqrstuvwxyz0123456789".into(),
            key_frames: vec![],
            services: vec!["api".into()],
            count: 1,
            first_seen: 0,
            last_seen: 0,
            sample_stack: None,
            sample_message: None,
            ignore_reason: None,
            ignored_until: None,
        };
        let n = Notification {
            kind: NotificationKind::New,
            signature: sig,
            diagnosis: None,
            last_24h: None,
            previous_24h: None,
            trace_ids: vec![],
            dedup_key: "new".into(),
            aliases: vec![],
            suspects: vec![],
            releases: Default::default(),
        };
        for line in [StdoutNotifier::line(&n), StdoutNotifier::json_line(&n)] {
            assert!(!line.contains("hunter2secret"), "{line}");
            assert!(
                !line.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
                "{line}"
            );
            assert!(line.contains("AuthError"));
        }
    }
}
