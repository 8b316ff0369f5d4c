//! Triage for diagnosis: which signatures get a model call this pass, and why the others do not.

use crate::core::model::{Signature, Status, UnixNanos};

/// Configurable triage rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TriageRules {
    /// A new signature is diagnosed once it has been seen this many times.
    pub min_occurrences: u64,
    /// At most this many model calls per pass.
    pub max_per_pass: usize,
    /// A signature whose answers failed validation this many times at one revision waits for a
    /// new revision (or `--force`).
    pub max_invalid_attempts: usize,
}

impl Default for TriageRules {
    fn default() -> Self {
        TriageRules {
            min_occurrences: 1,
            max_per_pass: 3,
            max_invalid_attempts: 3,
        }
    }
}

/// What the store knows about a signature's earlier diagnoses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Revision of the latest diagnosis, `Some(None)` when it was made outside git.
    pub diagnosed_at_revision: Option<Option<String>>,
    /// Failed attempts whose answer was invalid, at the current revision.
    pub invalid_attempts: usize,
}

/// Why a signature was passed over.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    Ignored,
    Resolved,
    AlreadyDiagnosed {
        revision: Option<String>,
    },
    TooFewOccurrences {
        count: u64,
        min: u64,
    },
    TooManyInvalidAnswers {
        attempts: usize,
    },
    OverPassCap {
        cap: usize,
    },
    /// Another pass holds a live spend reservation on it: that pass is diagnosing it now.
    InFlight,
    /// Another pass diagnosed it after this one's triage.
    DiagnosedMeanwhile,
}

impl Skip {
    pub fn describe(&self) -> String {
        match self {
            Skip::Ignored => "ignored".into(),
            Skip::Resolved => "resolved".into(),
            Skip::AlreadyDiagnosed { revision: Some(r) } => {
                format!(
                    "already diagnosed at revision {}; use --force to diagnose again",
                    r.get(..12).unwrap_or(r)
                )
            }
            Skip::AlreadyDiagnosed { revision: None } => {
                "already diagnosed (codebase is not a git work tree); use --force to diagnose again"
                    .into()
            }
            Skip::TooFewOccurrences { count, min } => {
                format!("seen {count} time(s), MIN_OCCURRENCES is {min}")
            }
            Skip::TooManyInvalidAnswers { attempts } => {
                format!("{attempts} invalid answers at this revision; use --force to try again")
            }
            Skip::OverPassCap { cap } => format!("pending: MAX_DIAGNOSES_PER_PASS ({cap}) reached"),
            Skip::InFlight => "another pass is diagnosing it now".into(),
            Skip::DiagnosedMeanwhile => "diagnosed by another pass meanwhile".into(),
        }
    }
}

/// One signature considered by triage.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub signature: Signature,
    pub history: History,
}

/// Triage's verdict: what to diagnose, in order, and what was passed over.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub selected: Vec<Signature>,
    pub skipped: Vec<(Signature, Skip)>,
}

/// Select signatures to diagnose.
///
/// `explicit` is true when the user named the signatures: then status and occurrence rules do
/// not apply (they asked), nor does the per-pass cap; the same-revision rule still does unless
/// `force`.
pub fn select(
    candidates: Vec<Candidate>,
    current_revision: Option<&str>,
    rules: &TriageRules,
    explicit: bool,
    force: bool,
    now: UnixNanos,
) -> Selection {
    let mut eligible = Vec::new();
    let mut skipped = Vec::new();
    for c in candidates {
        let s = &c.signature;
        if !explicit {
            let ignored = s.status == Status::Ignored || s.ignored_until.is_some_and(|u| u > now);
            if ignored {
                skipped.push((c.signature, Skip::Ignored));
                continue;
            }
            if s.status == Status::Resolved {
                skipped.push((c.signature, Skip::Resolved));
                continue;
            }
            if s.status != Status::Regressed && s.count < rules.min_occurrences {
                let min = rules.min_occurrences;
                let count = s.count;
                skipped.push((c.signature, Skip::TooFewOccurrences { count, min }));
                continue;
            }
        }
        if !force {
            if let Some(rev) = &c.history.diagnosed_at_revision {
                if rev.as_deref() == current_revision {
                    let revision = rev.clone();
                    skipped.push((c.signature, Skip::AlreadyDiagnosed { revision }));
                    continue;
                }
            }
            if c.history.invalid_attempts >= rules.max_invalid_attempts {
                let attempts = c.history.invalid_attempts;
                skipped.push((c.signature, Skip::TooManyInvalidAnswers { attempts }));
                continue;
            }
        }
        eligible.push(c.signature);
    }
    // Most frequent first; ties by most recent, then id, so the order is total and stable.
    eligible.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.last_seen.cmp(&a.last_seen))
            .then(a.id.cmp(&b.id))
    });
    let mut selected = Vec::new();
    for s in eligible {
        if !explicit && selected.len() >= rules.max_per_pass {
            skipped.push((
                s,
                Skip::OverPassCap {
                    cap: rules.max_per_pass,
                },
            ));
        } else {
            selected.push(s);
        }
    }
    Selection { selected, skipped }
}
