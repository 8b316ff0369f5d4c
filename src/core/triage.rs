//! Triage: pure rules for what deserves a notification, and under which dedup key.

use crate::core::model::{Signature, Status, StatusChange};
use crate::core::ports::NotificationKind;

#[derive(Debug, Clone, Copy)]
pub struct NotifyPolicy {
    /// A new signature is announced once it has occurred this often.
    pub min_occurrences: u64,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        NotifyPolicy { min_occurrences: 1 }
    }
}

/// What to announce about `sig`, if anything, and the key that makes it happen once.
pub fn notification_for(
    sig: &Signature,
    history: &[StatusChange],
    policy: &NotifyPolicy,
) -> Option<(NotificationKind, String)> {
    match sig.status {
        Status::Ignored | Status::Resolved => None,
        Status::Regressed => {
            // One announcement per regression: keyed on when this one happened.
            let at = history
                .iter()
                .rev()
                .find(|c| c.to == Status::Regressed)
                .map(|c| c.at)
                .unwrap_or(sig.last_seen);
            Some((NotificationKind::Regressed, format!("regressed:{at}")))
        }
        Status::New | Status::Investigating | Status::Diagnosed
            if sig.count >= policy.min_occurrences.max(1) =>
        {
            Some((NotificationKind::New, "new".to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::FingerprintBasis;

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

    #[test]
    fn ignored_never_new_after_threshold_regressed_per_occurrence() {
        let p = NotifyPolicy { min_occurrences: 3 };
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
}
