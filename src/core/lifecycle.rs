//! The signature lifecycle on ingest: what counting one event does to its signature. Every store
//! follows these rules; a store only finds the signature, asks `core::releases` whether a
//! resolved one regresses, and persists what [`count_event`] decided.

use crate::core::limits::SAMPLES_PER_SIGNATURE;
use crate::core::model::{ErrorEvent, Signature, Status, UnixNanos};
use crate::core::ports::store::RecordOutcome;

/// A status change for the signature's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: Option<Status>,
    pub to: Status,
    pub reason: String,
}

/// Whether an event of `sig` needs the store's regression check (`core::releases::regresses`,
/// which reads the release's first seen): only a resolved signature counted before can regress.
/// `first`: no event of `sig` was counted yet (the store is opening it).
pub fn may_regress(sig: &Signature, first: bool) -> bool {
    !first && sig.status == Status::Resolved
}

/// Count one event (not a duplicate: the ledger took its key) into `sig`, and say how it landed.
///
/// - `first` (no event counted yet): a new signature, history "first seen".
/// - `regression` given (the store's release check said this resolved signature regresses, with
///   the reason): regressed, history resolved → regressed with that reason.
/// - otherwise recurring, status unchanged (a resolved signature the release check spared stays
///   resolved).
///
/// Either way the count grows by one, first and last seen widen to the event, its service joins
/// the sorted services, and the first stack and message seen stay as the signature's samples.
pub fn count_event(
    sig: &mut Signature,
    ev: &ErrorEvent,
    first: bool,
    regression: Option<String>,
) -> (RecordOutcome, Option<Transition>) {
    let landed = if first {
        (
            RecordOutcome::NewSignature,
            Some(Transition {
                from: None,
                to: Status::New,
                reason: "first seen".to_string(),
            }),
        )
    } else if let Some(reason) = regression.filter(|_| sig.status == Status::Resolved) {
        sig.status = Status::Regressed;
        (
            RecordOutcome::Regressed,
            Some(Transition {
                from: Some(Status::Resolved),
                to: Status::Regressed,
                reason,
            }),
        )
    } else {
        (RecordOutcome::Recurring, None)
    };
    sig.count += 1;
    sig.first_seen = sig.first_seen.min(ev.timestamp);
    sig.last_seen = sig.last_seen.max(ev.timestamp);
    if !sig.services.iter().any(|s| s == &ev.service) {
        sig.services.push(ev.service.clone());
        sig.services.sort();
    }
    if sig.sample_stack.is_none() {
        sig.sample_stack = ev.stacktrace.clone();
    }
    if sig.sample_message.is_none() {
        sig.sample_message = ev.message.clone();
    }
    landed
}

/// The statuses a quiet signature leaves for resolved (`RESOLVE_AFTER_DAYS`); a resolved one
/// has nothing to do and an ignored one waits for its ignore to end.
pub const AUTO_RESOLVES: [Status; 4] = [
    Status::New,
    Status::Investigating,
    Status::Diagnosed,
    Status::Regressed,
];

/// The history reason of an auto-resolve.
pub const QUIET_REASON: &str = "quiet long enough to resolve itself";

/// The history reason of an ignore whose `until` passed.
pub const IGNORE_ENDED_REASON: &str = "ignore period ended";

/// Whether a signature resolves itself: an open status ([`AUTO_RESOLVES`]), and no event seen
/// nor counted since `quiet_since` (replaying old data counts events: it is not quiet).
pub fn resolves_when_quiet(
    status: Status,
    last_seen: UnixNanos,
    last_ingested: UnixNanos,
    quiet_since: UnixNanos,
) -> bool {
    AUTO_RESOLVES.contains(&status) && last_seen < quiet_since && last_ingested < quiet_since
}

/// [`AUTO_RESOLVES`] as an SQL list (`'new', 'investigating', ...`), for the stores that select
/// in SQL what [`resolves_when_quiet`] says.
pub fn auto_resolves_sql() -> String {
    AUTO_RESOLVES
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether an ignored signature's ignore has ended at `now` (an ignore without `until` never does).
pub fn ignore_ended(status: Status, ignored_until: Option<UnixNanos>, now: UnixNanos) -> bool {
    status == Status::Ignored && ignored_until.is_some_and(|u| u <= now)
}

/// Whether a signature that holds `held` whole events as samples keeps this one too
/// (`core::limits::SAMPLES_PER_SIGNATURE`).
pub fn keeps_sample(held: usize) -> bool {
    held < SAMPLES_PER_SIGNATURE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{EventOrigin, Fingerprint, FingerprintBasis};

    fn event(service: &str, at: i64) -> ErrorEvent {
        let mut ev = ErrorEvent::new(service, at, EventOrigin::SpanEvent);
        ev.message = Some(format!("boom at {at}"));
        ev.stacktrace = Some(format!("stack {at}"));
        ev
    }

    fn opened(at: i64) -> Signature {
        let fp = Fingerprint {
            id: "a".repeat(32).into(),
            algorithm_version: 1,
            basis: FingerprintBasis::Template,
            service: "web".into(),
            exception_type: "E".into(),
            template: "boom at <*>".into(),
            key_frames: Default::default(),
            dropped_frames: Default::default(),
        };
        Signature::first_of(&fp.id, &fp, at)
    }

    #[test]
    fn the_first_event_opens_a_new_signature_and_later_ones_recur() {
        let mut sig = opened(50);
        let (outcome, change) = count_event(&mut sig, &event("web", 50), true, None);
        assert_eq!(outcome, RecordOutcome::NewSignature);
        assert_eq!(
            change,
            Some(Transition {
                from: None,
                to: Status::New,
                reason: "first seen".into()
            })
        );
        let (outcome, change) = count_event(&mut sig, &event("api", 10), false, None);
        assert_eq!((outcome, change), (RecordOutcome::Recurring, None));
        assert_eq!(sig.count, 2);
        assert_eq!((sig.first_seen, sig.last_seen), (10, 50));
        assert_eq!(sig.services, ["api", "web"]);
        // The first sample stays.
        assert_eq!(sig.sample_message.as_deref(), Some("boom at 50"));
        assert_eq!(sig.sample_stack.as_deref(), Some("stack 50"));
    }

    #[test]
    fn only_a_resolved_signature_regresses_and_only_when_the_store_says_so() {
        let mut sig = opened(0);
        count_event(&mut sig, &event("web", 0), true, None);
        assert!(!may_regress(&sig, false), "a new signature cannot regress");
        // A reason for a signature that is not resolved changes nothing.
        let (outcome, _) = count_event(&mut sig, &event("web", 1), false, Some("x".into()));
        assert_eq!(outcome, RecordOutcome::Recurring);
        assert_eq!(sig.status, Status::New);

        sig.status = Status::Resolved;
        assert!(may_regress(&sig, false));
        assert!(!may_regress(&sig, true));
        // The release check spared it: it stays resolved, counted.
        let (outcome, change) = count_event(&mut sig, &event("web", 2), false, None);
        assert_eq!((outcome, change), (RecordOutcome::Recurring, None));
        assert_eq!((sig.status, sig.count), (Status::Resolved, 3));

        let (outcome, change) = count_event(
            &mut sig,
            &event("web", 3),
            false,
            Some("seen in 2.0".into()),
        );
        assert_eq!(outcome, RecordOutcome::Regressed);
        assert_eq!(sig.status, Status::Regressed);
        assert_eq!(
            change,
            Some(Transition {
                from: Some(Status::Resolved),
                to: Status::Regressed,
                reason: "seen in 2.0".into()
            })
        );
        assert_eq!(sig.count, 4);
    }

    #[test]
    fn open_signatures_resolve_when_nothing_was_seen_or_counted_since() {
        for s in AUTO_RESOLVES {
            assert!(resolves_when_quiet(s, 9, 9, 10));
            assert!(!resolves_when_quiet(s, 10, 9, 10), "seen at the boundary");
            assert!(
                !resolves_when_quiet(s, 9, 10, 10),
                "old data counted just now"
            );
        }
        for s in [Status::Resolved, Status::Ignored] {
            assert!(!resolves_when_quiet(s, 0, 0, 10));
        }
        assert_eq!(
            auto_resolves_sql(),
            "'new', 'investigating', 'diagnosed', 'regressed'"
        );
        assert!(ignore_ended(Status::Ignored, Some(10), 10));
        assert!(!ignore_ended(Status::Ignored, Some(11), 10));
        assert!(!ignore_ended(Status::Ignored, None, 10));
        assert!(!ignore_ended(Status::New, Some(0), 10));
    }

    #[test]
    fn samples_stop_at_the_cap() {
        assert!(keeps_sample(0));
        assert!(keeps_sample(SAMPLES_PER_SIGNATURE - 1));
        assert!(!keeps_sample(SAMPLES_PER_SIGNATURE));
    }
}
