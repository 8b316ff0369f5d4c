//! The notifier port: where findings go (stdout, markdown files, GitHub issues).

use crate::core::model::{Diagnosis, HourlyCounts, Signature};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    New,
    Regressed,
    Diagnosed,
    Escalating,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::New => "new",
            NotificationKind::Regressed => "regressed",
            NotificationKind::Diagnosed => "diagnosed",
            NotificationKind::Escalating => "escalating",
        }
    }
}

/// Everything a notifier needs to say about one signature.
#[derive(Debug, Clone)]
pub struct Notification {
    pub kind: NotificationKind,
    pub signature: Signature,
    pub diagnosis: Option<Diagnosis>,
    pub last_24h: Option<HourlyCounts>,
    /// Trace ids of recent events, newest first.
    pub trace_ids: Vec<String>,
    /// Occurrences in the 24 h before `last_24h` (for escalation wording).
    pub previous_24h: Option<u64>,
    /// What makes this notification happen once (`new`, `regressed:<at>`, `diagnosed:<at>`, ...);
    /// a notifier can embed it to reconcile after a crash between sending and recording.
    pub dedup_key: String,
    /// Ids merged into this signature (a template widened, or a regroup): a notifier that keys
    /// external state by id (GitHub issue markers) finds it under these too.
    pub aliases: Vec<String>,
    /// Suspect commits (docs/suspects.md), at most [`crate::core::suspects::MAX_SUSPECTS`];
    /// empty without a git checkout at CODEBASE_PATH.
    pub suspects: Vec<crate::core::suspects::Suspect>,
    /// Releases and environments seen, and the release a regression came back in
    /// (docs/releases.md).
    pub releases: crate::core::model::SignatureReleases,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{channel}: cannot reach {url}: {reason}")]
    Unavailable {
        channel: String,
        url: String,
        reason: String,
    },
    #[error("{channel}: credentials rejected by {url} (HTTP {status})")]
    Auth {
        channel: String,
        url: String,
        status: u16,
    },
    #[error("{channel}: {reason} (will retry next pass)")]
    Transient { channel: String, reason: String },
    #[error("{channel}: {reason}")]
    Rejected { channel: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{channel}: {reason}")]
    Config { channel: String, reason: String },
}

pub trait Notifier {
    /// Channel name, e.g. `stdout`, `markdown`, `github_issue`.
    fn channel(&self) -> &str;
    /// Deliver one notification. Returns an external reference (issue URL, file path) if any.
    fn notify(&mut self, notification: &Notification) -> Result<Option<String>, NotifyError>;
    /// Called once after all notifications of a pass (e.g. to rewrite an index).
    fn finish(&mut self) -> Result<(), NotifyError> {
        Ok(())
    }
    /// Whether notifying changes something outside this process (files, issues). A dry run
    /// skips such channels: it may print, never write.
    fn has_side_effects(&self) -> bool {
        false
    }
}
