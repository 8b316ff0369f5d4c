//! Triage: pure rules for what deserves a notification, and under which dedup key.

use crate::core::model::{Diagnosis, HourlyCounts, Signature, Status, StatusChange, NANOS_PER_DAY};
use crate::core::ports::NotificationKind;

#[derive(Debug, Clone, Copy)]
pub struct NotifyPolicy {
    /// A new signature is announced once it has occurred this often.
    pub min_occurrences: u64,
    /// A signature escalates when its last-24 h count is at least this many times the previous
    /// 24 h (and the previous 24 h saw it at all). `None` turns escalation off.
    pub escalation_factor: Option<f64>,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        NotifyPolicy {
            min_occurrences: 1,
            escalation_factor: None,
        }
    }
}

/// One thing to announce about a signature, and the key that makes it happen once per channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub kind: NotificationKind,
    pub dedup_key: String,
}

/// Occurrences in the last 24 h and in the 24 h before, from hourly counts of at least 48 hours.
pub fn day_over_day(counts: &HourlyCounts) -> (u64, u64) {
    let c = &counts.counts;
    let split = c.len().saturating_sub(24);
    let last: u64 = c[split..].iter().sum();
    let prev: u64 = c[split.saturating_sub(24)..split].iter().sum();
    (last, prev)
}

/// The status a signature had before it was last ignored (where `ignore --undo` and an expired
/// `--until` return it); `new` when the history does not say.
pub fn status_before_ignore(history: &[StatusChange]) -> Status {
    history
        .iter()
        .rev()
        .find(|c| c.to == Status::Ignored)
        .and_then(|c| c.from)
        .filter(|s| *s != Status::Ignored)
        .unwrap_or(Status::New)
}

/// Whether the frequency jumped by the policy's factor, day over day.
pub fn is_escalating(last_24h: u64, prev_24h: u64, policy: &NotifyPolicy) -> bool {
    match policy.escalation_factor {
        // A signature unseen the day before is new or back, not escalating; the floor keeps
        // 1 → 3 occurrences from paging anyone.
        Some(f) if f > 1.0 && prev_24h > 0 => {
            last_24h >= policy.min_occurrences.max(1) && (last_24h as f64) >= f * prev_24h as f64
        }
        _ => false,
    }
}

/// Everything to announce about `sig` now, in the order it should be sent.
///
/// `hourly_48h` holds the hourly counts of the 48 hours ending now (for escalation); `now` keys
/// an escalation to its UTC day so one jump gives one comment, not one per occurrence.
pub fn decisions(
    sig: &Signature,
    history: &[crate::core::model::StatusChange],
    diagnosis: Option<&Diagnosis>,
    hourly_48h: Option<&HourlyCounts>,
    policy: &NotifyPolicy,
    now: i64,
) -> Vec<Decision> {
    let mut out = Vec::new();
    if matches!(sig.status, Status::Ignored | Status::Resolved) {
        return out;
    }
    let announced = match sig.status {
        Status::Regressed => {
            // One announcement per regression: keyed on when this one happened.
            let at = history
                .iter()
                .rev()
                .find(|c| c.to == Status::Regressed)
                .map(|c| c.at)
                .unwrap_or(sig.last_seen);
            out.push(Decision {
                kind: NotificationKind::Regressed,
                dedup_key: format!("regressed:{at}"),
            });
            true
        }
        _ if sig.count >= policy.min_occurrences.max(1) => {
            out.push(Decision {
                kind: NotificationKind::New,
                dedup_key: "new".to_string(),
            });
            true
        }
        _ => false,
    };
    // Below the threshold nothing is said at all, diagnosis or not.
    if !announced {
        return out;
    }
    if let Some(d) = diagnosis {
        out.push(Decision {
            kind: NotificationKind::Diagnosed,
            dedup_key: format!("diagnosed:{}", d.created_at),
        });
    }
    if let Some(h) = hourly_48h {
        let (last, prev) = day_over_day(h);
        if is_escalating(last, prev, policy) {
            out.push(Decision {
                kind: NotificationKind::Escalating,
                dedup_key: format!("escalating:{}", now.div_euclid(NANOS_PER_DAY)),
            });
        }
    }
    out
}

/// The first thing to announce about `sig`, if anything (status announcements only).
pub fn notification_for(
    sig: &Signature,
    history: &[crate::core::model::StatusChange],
    policy: &NotifyPolicy,
) -> Option<(NotificationKind, String)> {
    decisions(sig, history, None, None, policy, 0)
        .into_iter()
        .next()
        .map(|d| (d.kind, d.dedup_key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Confidence, FingerprintBasis, StatusChange, NANOS_PER_HOUR};

    fn sig(status: Status, count: u64) -> Signature {
        Signature {
            id: "a".into(),
            algorithm_version: 1,
            basis: FingerprintBasis::Template,
            status,
            exception_type: "E".into(),
            template: "t".into(),
            key_frames: vec![],
            services: vec!["s".into()],
            count,
            first_seen: 0,
            last_seen: 10,
            sample_stack: None,
            sample_message: None,
            ignore_reason: None,
            ignored_until: None,
        }
    }

    fn diag(at: i64) -> Diagnosis {
        Diagnosis {
            signature_id: "a".into(),
            created_at: at,
            root_cause: "r".into(),
            suggested_fix: "f".into(),
            confidence: Confidence::High,
            evidence: vec![],
            backend: "b".into(),
            model: "m".into(),
            cost_usd: None,
            input_tokens: 0,
            output_tokens: 0,
            duration_ms: 0,
            prompt_version: 1,
            codebase_revision: None,
        }
    }

    fn hours(prev: u64, last: u64) -> HourlyCounts {
        let mut counts = vec![0; 48];
        counts[10] = prev;
        counts[40] = last;
        HourlyCounts {
            end: 48 * NANOS_PER_HOUR,
            counts,
        }
    }

    #[test]
    fn ignored_never_new_after_threshold_regressed_per_occurrence() {
        let p = NotifyPolicy {
            min_occurrences: 3,
            escalation_factor: None,
        };
        assert!(notification_for(&sig(Status::Ignored, 100), &[], &p).is_none());
        assert!(notification_for(&sig(Status::New, 2), &[], &p).is_none());
        assert_eq!(
            notification_for(&sig(Status::New, 3), &[], &p).unwrap().1,
            "new"
        );
        let h = vec![StatusChange {
            at: 7,
            from: Some(Status::Resolved),
            to: Status::Regressed,
            reason: String::new(),
        }];
        assert_eq!(
            notification_for(&sig(Status::Regressed, 1), &h, &p)
                .unwrap()
                .1,
            "regressed:7"
        );
    }

    #[test]
    fn diagnosis_is_announced_once_per_diagnosis_and_never_for_ignored() {
        let p = NotifyPolicy::default();
        let d = diag(42);
        let got = decisions(&sig(Status::Diagnosed, 5), &[], Some(&d), None, &p, 0);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].kind, NotificationKind::Diagnosed);
        assert_eq!(got[1].dedup_key, "diagnosed:42");
        assert!(decisions(&sig(Status::Ignored, 5), &[], Some(&d), None, &p, 0).is_empty());
        assert!(decisions(&sig(Status::Resolved, 5), &[], Some(&d), None, &p, 0).is_empty());
    }

    #[test]
    fn escalation_needs_the_factor_and_a_previous_day() {
        let p = NotifyPolicy {
            min_occurrences: 1,
            escalation_factor: Some(3.0),
        };
        let s = sig(Status::New, 100);
        let day = 5 * NANOS_PER_DAY + 7;
        let esc = |h: &HourlyCounts| {
            decisions(&s, &[], None, Some(h), &p, day)
                .into_iter()
                .find(|d| d.kind == NotificationKind::Escalating)
        };
        assert_eq!(esc(&hours(10, 30)).unwrap().dedup_key, "escalating:5");
        assert!(esc(&hours(10, 29)).is_none());
        assert!(esc(&hours(0, 500)).is_none(), "new, not escalating");
        assert!(esc(&hours(40, 30)).is_none());
        let off = NotifyPolicy::default();
        assert!(decisions(&s, &[], None, Some(&hours(1, 100)), &off, day)
            .iter()
            .all(|d| d.kind != NotificationKind::Escalating));
        assert_eq!(day_over_day(&hours(4, 9)), (9, 4));
    }
}
