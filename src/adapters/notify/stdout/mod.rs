//! The stdout notifier: one line per new, regressed or newly diagnosed signature, or JSON Lines.
//! It writes to stdout itself because stdout is its channel; a closed pipe is not an error.

use crate::core::ports::{Notification, Notifier, NotifyError};
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
        let what = crate::output::table::clip(&what, 120);
        format!(
            "{:<10} {}  {}  {}  (count {}, last seen {})",
            n.kind.as_str(),
            &s.id[..12.min(s.id.len())],
            s.services.join(","),
            what,
            s.count,
            rfc3339(s.last_seen)
        )
    }

    pub fn json_line(n: &Notification) -> String {
        let s = &n.signature;
        serde_json::json!({
            "version": crate::output::json::JSON_VERSION,
            "kind": n.kind.as_str(),
            "id": s.id,
            "status": s.status.as_str(),
            "services": s.services,
            "exception_type": s.exception_type,
            "template": s.template,
            "count": s.count,
            "first_seen": rfc3339(s.first_seen),
            "last_seen": rfc3339(s.last_seen),
            "trace_ids": n.trace_ids,
            "diagnosis": n.diagnosis.as_ref().map(|d| serde_json::json!({
                "root_cause": d.root_cause, "suggested_fix": d.suggested_fix, "confidence": d.confidence.as_str(),
            })),
        })
        .to_string()
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
