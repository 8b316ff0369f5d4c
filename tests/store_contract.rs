//! One store contract, run against every `SignatureStore`: the in-memory store, SQLite on a
//! real file and PostgreSQL (a fresh schema per test on `ROUNDS_TEST_DATABASE_URL`; ignored,
//! visibly, without it). Each test is written once against `&mut dyn SignatureStore`; `contract!` makes one
//! `#[test]` per test and store, so a store that drifts fails by name (`store_contract::memory::…`).

use rounds::adapters::store::memory::MemoryStore;
use rounds::adapters::store::sqlite::{Access, SqliteStore};
use rounds::core::model::{
    Confidence, Diagnosis, ErrorEvent, EventKey, EventOrigin, Fingerprint, FingerprintBasis,
    SeenIn, Status, UnixNanos, NANOS_PER_HOUR,
};
use rounds::core::ports::store::{
    FailedAttempt, MergeOutcome, NotificationRecord, NotificationState, RecordOutcome, Reserve,
    SpendEntry, SpendReservation,
};
use rounds::core::ports::{SignatureFilter, SignatureSort, SignatureStore, StoreError};
use std::time::Duration;

const H: UnixNanos = NANOS_PER_HOUR;
/// Two ids sharing the prefix `aaaa`, one alone under `bb`.
const A: &str = "aaaa0000000000000000000000000001";
const B: &str = "aaaa0000000000000000000000000002";
const C: &str = "bbbb0000000000000000000000000003";

/// A store under test and whatever must outlive it (SQLite's temporary directory, PostgreSQL's
/// schema). Fields drop in order: the store (and its connection) before its schema.
struct Harness {
    store: Box<dyn SignatureStore>,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<crate::store_postgres::Schema>,
}

fn memory() -> Harness {
    Harness {
        store: Box::new(MemoryStore::new()),
        _dir: None,
        _schema: None,
    }
}

fn sqlite() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(
        &dir.path().join("rounds.db"),
        Access::Write {
            lock_wait: Duration::from_secs(1),
        },
    )
    .unwrap();
    Harness {
        store: Box::new(store),
        _dir: Some(dir),
        _schema: None,
    }
}

fn postgres() -> Harness {
    let schema = crate::store_postgres::Schema::fresh();
    Harness {
        store: Box::new(schema.open("contract")),
        _dir: None,
        _schema: Some(schema),
    }
}

fn fp(id: &str) -> Fingerprint {
    Fingerprint {
        id: id.into(),
        algorithm_version: 1,
        basis: FingerprintBasis::Template,
        service: "api".into(),
        exception_type: format!("Error{}", &id[id.len() - 1..]),
        template: "connection refused to <*>".into(),
        key_frames: Default::default(),
        dropped_frames: Default::default(),
    }
}

fn key(n: u64) -> EventKey {
    EventKey(format!("{n:032x}"))
}

fn event(service: &str, at: UnixNanos) -> ErrorEvent {
    let mut e = ErrorEvent::new(service, at, EventOrigin::SpanStatus);
    e.message = Some("connection refused to 10.0.0.1".into());
    e.trace_id = format!("{at:032x}");
    e
}

/// Record one event in its own pass.
fn record(
    s: &mut dyn SignatureStore,
    k: u64,
    id: &str,
    service: &str,
    at: UnixNanos,
    now: UnixNanos,
) -> RecordOutcome {
    s.begin().unwrap();
    let out = s
        .record_event(&key(k), &fp(id), &event(service, at), now)
        .unwrap();
    s.commit().unwrap();
    out
}

fn status_of(s: &dyn SignatureStore, id: &str) -> Status {
    s.signature(id).unwrap().status
}

fn exactly_once(s: &mut dyn SignatureStore) {
    s.begin().unwrap();
    let f = fp(A);
    let e = event("api", H);
    assert_eq!(
        s.record_event(&key(1), &f, &e, H).unwrap(),
        RecordOutcome::NewSignature
    );
    assert_eq!(
        s.record_event(&key(1), &f, &e, H).unwrap(),
        RecordOutcome::Duplicate
    );
    assert_eq!(
        s.record_event(&key(2), &f, &e, H).unwrap(),
        RecordOutcome::Recurring
    );
    s.commit().unwrap();
    // A later pass replaying the same key, even in upper case, still counts nothing.
    assert_eq!(record(s, 1, A, "api", H, 2 * H), RecordOutcome::Duplicate);
    s.begin().unwrap();
    let upper = EventKey(key(2).0.to_uppercase());
    assert_eq!(
        s.record_event(&upper, &f, &e, 2 * H).unwrap(),
        RecordOutcome::Duplicate
    );
    s.commit().unwrap();
    let sig = s.signature(A).unwrap();
    assert_eq!(sig.count, 2);
    assert_eq!(sig.status, Status::New);
    assert_eq!(sig.first_seen, H);
    assert_eq!(sig.services, vec!["api".to_string()]);
    assert_eq!(s.events(A, 0).unwrap().len(), 2);
}

fn recording_needs_a_pass(s: &mut dyn SignatureStore) {
    // Outside a pass transaction an event is refused before the ledger takes its key: neither
    // counted nor marked counted, so the next pass counts it.
    let err = s
        .record_event(&key(1), &fp(A), &event("api", H), H)
        .unwrap_err();
    assert!(matches!(err, StoreError::NoPass { .. }), "{err}");
    assert!(matches!(
        s.signature(A).unwrap_err(),
        StoreError::UnknownId { .. }
    ));
    assert_eq!(record(s, 1, A, "api", H, H), RecordOutcome::NewSignature);
    assert_eq!(s.signature(A).unwrap().count, 1);
}

fn outcomes_and_regression(s: &mut dyn SignatureStore) {
    assert_eq!(record(s, 1, A, "api", H, H), RecordOutcome::NewSignature);
    assert_eq!(
        record(s, 2, A, "web", 2 * H, 2 * H),
        RecordOutcome::Recurring
    );
    s.set_status(A, Status::Resolved, "fixed", 3 * H).unwrap();
    assert_eq!(
        record(s, 3, A, "api", 4 * H, 4 * H),
        RecordOutcome::Regressed
    );
    assert_eq!(
        record(s, 4, A, "api", 5 * H, 5 * H),
        RecordOutcome::Recurring
    );
    let sig = s.signature(A).unwrap();
    assert_eq!(sig.status, Status::Regressed);
    assert_eq!(sig.count, 4);
    assert_eq!((sig.first_seen, sig.last_seen), (H, 5 * H));
    assert_eq!(sig.services, vec!["api".to_string(), "web".to_string()]);
    assert_eq!(
        sig.sample_message.as_deref(),
        Some("connection refused to 10.0.0.1")
    );
    let hist: Vec<(Option<Status>, Status)> = s
        .status_history(A)
        .unwrap()
        .into_iter()
        .map(|c| (c.from, c.to))
        .collect();
    assert_eq!(
        hist,
        vec![
            (None, Status::New),
            (Some(Status::New), Status::Resolved),
            (Some(Status::Resolved), Status::Regressed),
        ]
    );
    // Setting the status it already has records nothing.
    s.set_status(A, Status::Regressed, "again", 6 * H).unwrap();
    assert_eq!(s.status_history(A).unwrap().len(), 3);
}

fn rollback_discards(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    s.set_cursor("otlp", 10, H).unwrap();
    s.begin().unwrap();
    s.record_event(&key(2), &fp(A), &event("api", 2 * H), 2 * H)
        .unwrap();
    s.record_event(&key(3), &fp(B), &event("api", 2 * H), 2 * H)
        .unwrap();
    s.set_cursor("otlp", 20, 2 * H).unwrap();
    s.rollback().unwrap();
    assert_eq!(s.signature(A).unwrap().count, 1);
    assert!(matches!(s.signature(B), Err(StoreError::UnknownId { .. })));
    assert_eq!(s.cursor("otlp").unwrap(), Some(10));
    assert_eq!(s.events(A, 0).unwrap().len(), 1);
    // The ledger entries went too: the same keys count when the pass is retried.
    assert_eq!(
        record(s, 2, A, "api", 2 * H, 3 * H),
        RecordOutcome::Recurring
    );
    assert_eq!(
        record(s, 3, B, "api", 2 * H, 3 * H),
        RecordOutcome::NewSignature
    );
}

fn cursors_round_trip(s: &mut dyn SignatureStore) {
    assert_eq!(s.cursor("otlp").unwrap(), None);
    s.set_cursor("otlp", 42, 1).unwrap();
    s.set_cursor("loki", -7, 1).unwrap();
    assert_eq!(s.cursor("otlp").unwrap(), Some(42));
    s.set_cursor("otlp", 40, 2).unwrap();
    assert_eq!(s.cursor("otlp").unwrap(), Some(40));
    assert_eq!(s.cursor("loki").unwrap(), Some(-7));
    assert_eq!(s.cursor("tempo").unwrap(), None);
}

fn prefix_lookup(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    record(s, 2, B, "api", H, H);
    record(s, 3, C, "api", H, H);
    assert_eq!(s.signature(A).unwrap().id, A);
    assert_eq!(s.signature(&A.to_uppercase()).unwrap().id, A);
    assert_eq!(s.signature("bb").unwrap().id, C);
    assert_eq!(s.signature(" BB ").unwrap().id, C);
    match s.signature("aaaa") {
        Err(StoreError::AmbiguousId { id, count }) => assert_eq!((id.as_str(), count), ("aaaa", 2)),
        other => panic!("expected ambiguous, got {other:?}"),
    }
    for unknown in ["cc", "", "zz", "aaaa-", "a%", "a_"] {
        assert!(
            matches!(s.signature(unknown), Err(StoreError::UnknownId { .. })),
            "{unknown:?}"
        );
    }
}

fn count_ignores_the_limit(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    record(s, 2, B, "web", 2 * H, 2 * H);
    record(s, 3, C, "api", 3 * H, 3 * H);
    s.set_status(B, Status::Resolved, "fixed", 4 * H).unwrap();
    let f = |statuses: Vec<Status>, service: Option<&str>| SignatureFilter {
        statuses,
        service: service.map(str::to_string),
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(s.count_signatures(&f(vec![], None)).unwrap(), 3);
    assert_eq!(s.count_signatures(&f(vec![], Some("api"))).unwrap(), 2);
    assert_eq!(s.count_signatures(&f(vec![Status::New], None)).unwrap(), 2);
    assert_eq!(s.signatures(&f(vec![], None)).unwrap().len(), 1);
}

fn filters_and_sorts(s: &mut dyn SignatureStore) {
    // A: 3 events, first 1H, last 5H, api. B: 1 event at 8H, web. C: 2 events 2H..3H, api+web.
    record(s, 1, A, "api", H, H);
    record(s, 2, A, "api", 4 * H, 4 * H);
    record(s, 3, A, "api", 5 * H, 5 * H);
    record(s, 4, B, "web", 8 * H, 8 * H);
    record(s, 5, C, "api", 2 * H, 8 * H);
    record(s, 6, C, "Web", 3 * H, 8 * H);
    s.set_status(B, Status::Investigating, "looking", 9 * H)
        .unwrap();
    let ids = |s: &dyn SignatureStore, f: SignatureFilter| -> Vec<String> {
        s.signatures(&f)
            .unwrap()
            .into_iter()
            .map(|x| x.id.into())
            .collect()
    };
    assert_eq!(ids(s, SignatureFilter::default()), vec![B, A, C]);
    let by = |sort| SignatureFilter {
        sort,
        ..Default::default()
    };
    assert_eq!(ids(s, by(SignatureSort::Count)), vec![A, C, B]);
    assert_eq!(ids(s, by(SignatureSort::FirstSeen)), vec![B, C, A]);
    let f = SignatureFilter {
        statuses: vec![Status::New],
        ..Default::default()
    };
    assert_eq!(ids(s, f), vec![A, C]);
    let f = SignatureFilter {
        service: Some("web".into()),
        ..Default::default()
    };
    assert_eq!(ids(s, f), vec![B, C]);
    let f = SignatureFilter {
        seen_since: Some(5 * H),
        ..Default::default()
    };
    assert_eq!(ids(s, f), vec![B, A]);
    for (q, want) in [
        ("ERROR2", vec![B]),
        ("REFUSED", vec![B, A, C]),
        ("bbbb", vec![C]),
        ("\"web\"", vec![B, C]),
        ("nothing", vec![]),
    ] {
        let f = SignatureFilter {
            search: Some(q.into()),
            ..Default::default()
        };
        assert_eq!(ids(s, f), want, "search {q}");
    }
    let f = SignatureFilter {
        sort: SignatureSort::Count,
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(ids(s, f), vec![A]);
}

fn auto_resolve_quiet(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    record(s, 2, B, "api", 10 * H, 10 * H);
    // Old data replayed late: seen long ago, but counted just now, so not quiet.
    record(s, 3, C, "api", H, 10 * H);
    assert_eq!(s.auto_resolve(5 * H, 11 * H).unwrap(), vec![A.to_string()]);
    assert_eq!(status_of(s, A), Status::Resolved);
    assert_eq!(status_of(s, B), Status::New);
    assert_eq!(status_of(s, C), Status::New);
    let last = s.status_history(A).unwrap().pop().unwrap();
    assert_eq!(
        (last.from, last.to, last.at),
        (Some(Status::New), Status::Resolved, 11 * H)
    );
    // Resolved and ignored signatures are left alone.
    s.set_ignore(B, None, None, 12 * H).unwrap();
    assert!(s.auto_resolve(20 * H, 21 * H).unwrap() == vec![C.to_string()]);
    assert_eq!(status_of(s, B), Status::Ignored);
}

fn ignore_and_expiry(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    record(s, 2, B, "api", H, H);
    s.set_status(A, Status::Investigating, "looking", 2 * H)
        .unwrap();
    s.set_ignore(A, Some("noise"), Some(5 * H), 3 * H).unwrap();
    s.set_ignore(B, None, None, 3 * H).unwrap();
    let a = s.signature(A).unwrap();
    assert_eq!(a.status, Status::Ignored);
    assert_eq!(a.ignore_reason.as_deref(), Some("noise"));
    assert_eq!(a.ignored_until, Some(5 * H));
    assert_eq!(
        s.status_history(A).unwrap().last().unwrap().reason,
        "ignored: noise"
    );
    // Ignoring again changes the terms, not the history.
    s.set_ignore(A, Some("still noise"), Some(6 * H), 4 * H)
        .unwrap();
    assert_eq!(s.status_history(A).unwrap().len(), 3);
    assert!(s.expire_ignores(5 * H).unwrap().is_empty());
    assert_eq!(s.expire_ignores(6 * H).unwrap(), vec![A.to_string()]);
    let a = s.signature(A).unwrap();
    assert_eq!(a.status, Status::Investigating);
    assert_eq!((a.ignore_reason, a.ignored_until), (None, None));
    assert_eq!(
        s.status_history(A).unwrap().last().unwrap().reason,
        "ignore period ended"
    );
    // An ignore without an end never expires.
    assert!(s.expire_ignores(100 * H).unwrap().is_empty());
    assert_eq!(status_of(s, B), Status::Ignored);
    assert!(matches!(
        s.set_ignore("cc", None, None, 1),
        Err(StoreError::UnknownId { .. })
    ));
}

fn diagnosis(id: &str, at: UnixNanos, cause: &str) -> Diagnosis {
    Diagnosis {
        signature_id: id.into(),
        created_at: at,
        root_cause: cause.into(),
        suggested_fix: "retry".into(),
        confidence: Confidence::Medium,
        evidence: vec![],
        backend: "fake".into(),
        model: "m".into(),
        cost_usd: Some(0.5),
        input_tokens: 10,
        output_tokens: 20,
        duration_ms: 30,
        prompt_version: 1,
        codebase_revision: None,
    }
}

fn spend(id: &str, at: UnixNanos, cost: f64) -> SpendEntry {
    SpendEntry {
        at,
        signature_id: id.into(),
        backend: "fake".into(),
        model: "m".into(),
        cost_usd: cost,
        estimated: false,
    }
}

fn diagnoses_and_spend(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    assert_eq!(s.latest_diagnosis(A).unwrap(), None);
    assert_eq!(s.spend_between(0, 100 * H).unwrap(), 0.0);
    s.record_diagnosis(&diagnosis(A, 2 * H, "second"), &spend(A, 2 * H, 0.5))
        .unwrap();
    s.record_diagnosis(&diagnosis(A, H, "first"), &spend(A, H, 0.125))
        .unwrap();
    let attempt = FailedAttempt {
        signature_id: A.into(),
        at: 3 * H,
        backend: "fake".into(),
        model: "m".into(),
        kind: "timeout".into(),
        detail: "killed".into(),
        codebase_revision: None,
    };
    s.record_failed_attempt(&attempt, Some(&spend(A, 3 * H, 0.25)))
        .unwrap();
    s.record_failed_attempt(&attempt, None).unwrap();
    assert_eq!(s.latest_diagnosis(A).unwrap().unwrap().root_cause, "second");
    let causes: Vec<String> = s
        .diagnoses(A)
        .unwrap()
        .into_iter()
        .map(|d| d.root_cause)
        .collect();
    assert_eq!(causes, vec!["first", "second"]);
    assert_eq!(
        s.failed_attempts(A).unwrap(),
        vec![attempt.clone(), attempt]
    );
    assert!(s.diagnoses(B).unwrap().is_empty());
    // Windows are [from, to).
    assert_eq!(s.spend_between(0, 100 * H).unwrap(), 0.875);
    assert_eq!(s.spend_between(H, 2 * H).unwrap(), 0.125);
    assert_eq!(s.spend_between(2 * H, 3 * H).unwrap(), 0.5);
    assert_eq!(s.spend_between(2 * H, 3 * H + 1).unwrap(), 0.75);
    assert_eq!(s.spend_between(4 * H, 5 * H).unwrap(), 0.0);
}

fn notifications_intent_then_sent(s: &mut dyn SignatureStore) {
    assert_eq!(s.notification("github", A, "new").unwrap(), None);
    let mut n = NotificationRecord {
        signature_id: A.into(),
        channel: "github".into(),
        dedup_key: "new".into(),
        state: NotificationState::Intent,
        external_ref: None,
        at: 1,
    };
    s.put_notification(&n).unwrap();
    assert_eq!(s.notification("github", A, "new").unwrap(), Some(n.clone()));
    n.state = NotificationState::Sent;
    n.external_ref = Some("#12".into());
    n.at = 2;
    s.put_notification(&n).unwrap();
    assert_eq!(s.notification("github", A, "new").unwrap(), Some(n.clone()));
    // A later write without a reference keeps the one known.
    let mut again = n.clone();
    again.external_ref = None;
    again.at = 3;
    s.put_notification(&again).unwrap();
    let got = s.notification("github", A, "new").unwrap().unwrap();
    assert_eq!((got.external_ref.as_deref(), got.at), (Some("#12"), 3));
    assert_eq!(s.notification("slack", A, "new").unwrap(), None);
    assert_eq!(s.notification("github", A, "regressed").unwrap(), None);
}

fn outbox_retries_intents_with_backoff(s: &mut dyn SignatureStore) {
    let n = |id: &str, key: &str, at: UnixNanos| NotificationRecord {
        signature_id: id.into(),
        channel: "github".into(),
        dedup_key: key.into(),
        state: NotificationState::Intent,
        external_ref: None,
        at,
    };
    assert!(s.due_notifications(100, 10).unwrap().is_empty());
    s.put_notification(&n(B, "new", 20)).unwrap();
    s.put_notification(&n(A, "new", 10)).unwrap();
    s.put_notification(&n(C, "new", 30)).unwrap();
    // Oldest first, bounded by the limit; a new intent is due at once.
    let due = s.due_notifications(30, 2).unwrap();
    let ids: Vec<&str> = due.iter().map(|p| p.record.signature_id.as_str()).collect();
    assert_eq!(ids, [A, B]);
    assert_eq!((due[0].first_at, due[0].attempts), (10, 0));
    // An attempt holds the row until its next attempt; a rewrite keeps first_at.
    s.notification_attempted("github", A, "new", 1_000).unwrap();
    s.put_notification(&n(A, "new", 40)).unwrap();
    let ids = |s: &dyn SignatureStore, now| -> Vec<String> {
        s.due_notifications(now, 10)
            .unwrap()
            .into_iter()
            .map(|p| p.record.signature_id.into())
            .collect()
    };
    assert_eq!(ids(s, 999), [B, C]);
    let again = s.due_notifications(1_000, 10).unwrap();
    assert_eq!(again[0].record.signature_id, A);
    assert_eq!(
        (again[0].first_at, again[0].attempts, again[0].next_attempt),
        (10, 1, 1_000)
    );
    // Sent and given-up rows leave the outbox.
    let mut sent = n(B, "new", 50);
    sent.state = NotificationState::Sent;
    s.put_notification(&sent).unwrap();
    let mut gone = n(C, "new", 50);
    gone.state = NotificationState::GivenUp;
    s.put_notification(&gone).unwrap();
    assert_eq!(ids(s, 1_000), [A]);
    // Attempting a row that does not exist changes nothing.
    s.notification_attempted("github", A, "regressed", 5)
        .unwrap();
    assert_eq!(ids(s, 1_000), [A]);
}

fn state_and_reports(s: &mut dyn SignatureStore) {
    assert_eq!(s.state("miner").unwrap(), None);
    s.put_state("miner", "{\"v\":1}").unwrap();
    s.put_state("miner", "{\"v\":2}").unwrap();
    assert_eq!(s.state("miner").unwrap().as_deref(), Some("{\"v\":2}"));
    assert_eq!(s.last_report_at().unwrap(), None);
    s.record_report(5).unwrap();
    s.record_report(3).unwrap();
    assert_eq!(s.last_report_at().unwrap(), Some(5));
}

fn prune_events_by_ingest(s: &mut dyn SignatureStore) {
    assert_eq!(s.prune_events(100 * H).unwrap(), 0);
    record(s, 1, A, "api", H, H);
    record(s, 2, A, "api", 2 * H, 2 * H);
    record(s, 3, A, "api", 10 * H, 10 * H);
    record(s, 4, B, "api", 2 * H, 2 * H);
    assert_eq!(s.prune_events(H).unwrap(), 0);
    assert_eq!(s.prune_events(5 * H).unwrap(), 3);
    assert_eq!(s.prune_events(5 * H).unwrap(), 0);
    let left: Vec<UnixNanos> = s
        .events(A, 0)
        .unwrap()
        .into_iter()
        .map(|e| e.timestamp)
        .collect();
    assert_eq!(left, vec![10 * H]);
    assert!(s.events(B, 0).unwrap().is_empty());
    // Samples went with their ledger; counts and signatures stay.
    assert_eq!(s.event_samples(A, 0).unwrap().len(), 1);
    assert!(s.event_samples(B, 0).unwrap().is_empty());
    assert_eq!(s.signature(A).unwrap().count, 3);
    assert_eq!(
        s.hourly_counts(A, 10 * H, 11)
            .unwrap()
            .counts
            .iter()
            .sum::<u64>(),
        1
    );
    // A pruned key is forgotten: replaying it counts again.
    assert_eq!(record(s, 1, A, "api", H, 11 * H), RecordOutcome::Recurring);
}

fn hourly_counts_window(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H + 1, 4 * H);
    record(s, 2, A, "api", 2 * H - 1, 4 * H);
    record(s, 3, A, "api", 3 * H, 4 * H);
    let h = s.hourly_counts(A, 3 * H + 5, 4).unwrap();
    assert_eq!((h.end, h.counts), (3 * H + 5, vec![0, 2, 0, 1]));
    assert_eq!(s.hourly_counts(A, 2 * H, 1).unwrap().counts, vec![0]);
    assert_eq!(s.hourly_counts(B, 3 * H, 2).unwrap().counts, vec![0, 0]);
}

fn events_and_samples(s: &mut dyn SignatureStore) {
    s.begin().unwrap();
    for i in 0..7u64 {
        let mut e = event("api", (i as i64 + 1) * H);
        e.attributes.insert("n".into(), i.to_string());
        s.record_event(&key(i), &fp(A), &e, H).unwrap();
    }
    s.commit().unwrap();
    let ts: Vec<UnixNanos> = s
        .events(A, 0)
        .unwrap()
        .into_iter()
        .map(|e| e.timestamp)
        .collect();
    assert_eq!(ts, (1..=7).rev().map(|i| i * H).collect::<Vec<_>>());
    assert_eq!(s.events(A, 3).unwrap().len(), 3);
    // The first five events are kept whole; shown newest first.
    let samples = s.event_samples(A, 0).unwrap();
    let ns: Vec<&str> = samples.iter().map(|x| x.attributes["n"].as_str()).collect();
    assert_eq!(ns, vec!["4", "3", "2", "1", "0"]);
    assert_eq!(s.event_samples(A, 2).unwrap().len(), 2);
    assert!(s.explain(A).unwrap().is_empty());
}

fn merges_and_aliases(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    record(s, 2, B, "web", 3 * H, 3 * H);
    s.record_diagnosis(&diagnosis(A, 2 * H, "a's"), &spend(A, 2 * H, 0.5))
        .unwrap();
    assert_eq!(
        s.merge_signatures(A, &fp(B), "widened", 4 * H).unwrap(),
        MergeOutcome::Merged
    );
    let b = s.signature(B).unwrap();
    assert_eq!((b.count, b.first_seen, b.last_seen), (2, H, 3 * H));
    assert_eq!(b.services, vec!["api".to_string(), "web".to_string()]);
    // The absorbed id resolves to the survivor and counts under it.
    assert_eq!(s.signature(A).unwrap().id, B);
    assert_eq!(s.aliases(B).unwrap(), vec![A.to_string()]);
    assert_eq!(s.diagnoses(B).unwrap().len(), 1);
    assert_eq!(s.events(B, 0).unwrap().len(), 2);
    assert_eq!(
        record(s, 3, A, "api", 5 * H, 5 * H),
        RecordOutcome::Recurring
    );
    assert_eq!(s.signature(B).unwrap().count, 3);
    assert_eq!(
        s.merge_signatures(A, &fp(B), "again", 6 * H).unwrap(),
        MergeOutcome::Unchanged
    );
    // A survivor that does not exist yet takes the absorbed one over under its id.
    assert_eq!(
        s.merge_signatures(B, &fp(C), "regroup", 7 * H).unwrap(),
        MergeOutcome::Renamed
    );
    let c = s.signature(C).unwrap();
    assert_eq!(
        (c.id.as_str(), c.count, c.exception_type.as_str()),
        (C, 3, "Error3")
    );
    assert_eq!(s.aliases(C).unwrap(), vec![A.to_string(), B.to_string()]);
    assert!(s.status_history(C).unwrap().len() >= 2);
    // No-merge keeps a signature apart.
    record(s, 4, A.replace("01", "09").as_str(), "api", H, 8 * H);
    let d = A.replace("01", "09");
    s.set_no_merge(&d, true, 8 * H).unwrap();
    assert_eq!(
        s.no_merge_signatures()
            .unwrap()
            .into_iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![d.clone()]
    );
    assert_eq!(
        s.merge_signatures(&d, &fp(C), "widened", 9 * H).unwrap(),
        MergeOutcome::KeptApart
    );
    s.set_no_merge(&d, false, 10 * H).unwrap();
    assert!(s.no_merge_signatures().unwrap().is_empty());
    assert!(matches!(
        s.set_no_merge("ff", true, 1),
        Err(StoreError::UnknownId { .. })
    ));
}

fn merge_inside_pass(s: &mut dyn SignatureStore) {
    // Pending pass state is part of the merge, and the pass commits it.
    s.begin().unwrap();
    s.record_event(&key(1), &fp(A), &event("api", H), H)
        .unwrap();
    s.record_event(&key(2), &fp(B), &event("api", 2 * H), H)
        .unwrap();
    let out = s.merge_signatures(A, &fp(B), "widened", H).unwrap();
    assert_eq!(out, MergeOutcome::Merged);
    assert_eq!(
        s.record_event(&key(3), &fp(A), &event("api", 2 * H), H)
            .unwrap(),
        RecordOutcome::Recurring
    );
    s.commit().unwrap();
    let b = s.signature(B).unwrap();
    assert_eq!((b.count, b.first_seen, b.last_seen), (3, H, 2 * H));
    assert_eq!(s.hourly_counts(B, 2 * H, 2).unwrap().counts, vec![1, 2]);
    assert_eq!(s.hourly_counts(A, 2 * H, 2).unwrap().counts, vec![0, 0]);
    let reasons: Vec<String> = s
        .status_history(A)
        .unwrap()
        .into_iter()
        .map(|c| c.reason)
        .collect();
    assert_eq!(
        reasons.last().map(String::as_str),
        Some(format!("merged into {B}: widened").as_str())
    );
}

fn notifications_follow_merge(s: &mut dyn SignatureStore) {
    record(s, 1, A, "api", H, H);
    record(s, 2, B, "api", H, H);
    let n = |id: &str, key: &str, r: &str| NotificationRecord {
        signature_id: id.into(),
        channel: "github".into(),
        dedup_key: key.into(),
        state: NotificationState::Sent,
        external_ref: Some(r.into()),
        at: 1,
    };
    s.put_notification(&n(A, "new", "#1")).unwrap();
    s.put_notification(&n(A, "regressed", "#1")).unwrap();
    s.put_notification(&n(B, "new", "#2")).unwrap();
    s.merge_signatures(A, &fp(B), "widened", 2 * H).unwrap();
    // The survivor's own record wins; the absorbed one's other keys move over.
    let got = |s: &dyn SignatureStore, id: &str, k: &str| {
        s.notification("github", id, k)
            .unwrap()
            .and_then(|r| r.external_ref)
    };
    assert_eq!(got(s, B, "new").as_deref(), Some("#2"));
    assert_eq!(got(s, B, "regressed").as_deref(), Some("#1"));
    assert_eq!(got(s, A, "regressed"), None);
    assert_eq!(got(s, A, "new").as_deref(), Some("#1"));
}

fn samples_are_bounded(s: &mut dyn SignatureStore) {
    let mut e = event("api", H);
    for i in 0..70 {
        e.attributes.insert(format!("k{i:02}"), "v".into());
    }
    e.attributes.insert("a_long".into(), "x".repeat(5000));
    s.begin().unwrap();
    s.record_event(&key(1), &fp(A), &e, H).unwrap();
    s.commit().unwrap();
    let sample = s.event_samples(A, 0).unwrap().remove(0);
    assert_eq!(sample.attributes.len(), 64);
    // Cut at 1024 characters, with a marker saying how much went.
    let long = &sample.attributes["a_long"];
    assert!(long.starts_with(&"x".repeat(1024)), "{long}");
    assert!(long.ends_with("…[cut 3976 bytes]"), "{long}");
    assert!(sample.attributes.contains_key("k00"));
    assert!(!sample.attributes.contains_key("k69"));
}

/// One event of `id` in `release` (and `env`), recorded in its own pass.
fn record_in(
    s: &mut dyn SignatureStore,
    k: u64,
    id: &str,
    release: Option<&str>,
    env: Option<&str>,
    at: UnixNanos,
) -> RecordOutcome {
    let mut e = event("api", at);
    e.service_version = release.map(str::to_string);
    e.environment = env.map(str::to_string);
    s.begin().unwrap();
    let out = s.record_event(&key(k), &fp(id), &e, at).unwrap();
    s.commit().unwrap();
    out
}

fn names(rows: &[SeenIn]) -> Vec<(&str, u64, UnixNanos, UnixNanos)> {
    rows.iter()
        .map(|r| (r.name.as_str(), r.count, r.first_seen, r.last_seen))
        .collect()
}

fn last_reason(s: &dyn SignatureStore, id: &str) -> String {
    s.status_history(id).unwrap().pop().unwrap().reason
}

fn releases_counted_per_signature(s: &mut dyn SignatureStore) {
    record_in(s, 1, A, Some("1.0.0"), Some("prod"), H);
    record_in(s, 2, A, Some("1.1.0"), Some("staging"), 3 * H);
    record_in(s, 3, A, Some("1.0.0"), Some("prod"), 4 * H);
    // No release, no environment: counted on the signature only; blank names are none.
    record_in(s, 4, A, None, None, 5 * H);
    record_in(s, 5, A, Some("  "), Some(""), 6 * H);
    record_in(s, 6, B, Some("2.0.0"), Some("prod"), 2 * H);
    // A duplicate event counts nowhere.
    record_in(s, 1, A, Some("1.0.0"), Some("prod"), H);
    let r = s.releases(A).unwrap();
    assert_eq!(s.signature(A).unwrap().count, 5);
    assert_eq!(
        names(&r.releases),
        vec![("1.0.0", 2, H, 4 * H), ("1.1.0", 1, 3 * H, 3 * H)]
    );
    assert_eq!(
        names(&r.environments),
        vec![("prod", 2, H, 4 * H), ("staging", 1, 3 * H, 3 * H)]
    );
    assert_eq!(r.first_release().unwrap().name, "1.0.0");
    assert_eq!(r.last_release().unwrap().name, "1.0.0");
    assert_eq!(r.latest().unwrap().name, "1.1.0");
    assert_eq!((r.resolved_in, r.regressed_in), (None, None));
    assert_eq!(
        names(&s.releases(B).unwrap().releases),
        vec![("2.0.0", 1, 2 * H, 2 * H)]
    );
    // Several events of one pass, out of order, count together.
    s.begin().unwrap();
    for (k, at) in [(7, 9 * H), (8, 7 * H), (9, 8 * H)] {
        let mut e = event("api", at);
        e.service_version = Some("1.2.0".into());
        s.record_event(&key(k), &fp(A), &e, 9 * H).unwrap();
    }
    s.commit().unwrap();
    let r = s.releases(A).unwrap();
    assert_eq!(names(&r.releases)[2], ("1.2.0", 3, 7 * H, 9 * H));
    assert_eq!(r.last_release().unwrap().name, "1.2.0");
    // A rolled-back pass counts nothing.
    s.begin().unwrap();
    let mut e = event("api", 10 * H);
    e.service_version = Some("9.9.9".into());
    s.record_event(&key(10), &fp(A), &e, 10 * H).unwrap();
    s.rollback().unwrap();
    assert_eq!(s.releases(A).unwrap().releases.len(), 3);
    // An unknown id holds none.
    assert!(s.releases(C).unwrap().releases.is_empty());
}

fn regression_names_its_release(s: &mut dyn SignatureStore) {
    record_in(s, 1, A, Some("1.0.0"), None, H);
    s.set_status(A, Status::Resolved, "fixed", 2 * H).unwrap();
    assert_eq!(
        record_in(s, 2, A, Some("1.0.1"), None, 3 * H),
        RecordOutcome::Regressed
    );
    assert_eq!(
        last_reason(s, A),
        "occurred again in release 1.0.1 after being resolved"
    );
    assert_eq!(
        s.releases(A).unwrap().regressed_in.as_deref(),
        Some("1.0.1")
    );
    // Plainly resolved, any release regresses, even an older one; no release: the old reason.
    record_in(s, 3, B, Some("2.0.0"), None, H);
    s.set_status(B, Status::Resolved, "fixed", 2 * H).unwrap();
    assert_eq!(
        record_in(s, 4, B, Some("1.0.0"), None, 3 * H),
        RecordOutcome::Regressed
    );
    s.set_status(B, Status::Resolved, "fixed", 4 * H).unwrap();
    assert_eq!(
        record_in(s, 5, B, None, None, 5 * H),
        RecordOutcome::Regressed
    );
    assert_eq!(last_reason(s, B), "occurred again after being resolved");
    assert_eq!(s.releases(B).unwrap().regressed_in, None);
}

fn resolve_in_next_release(s: &mut dyn SignatureStore) {
    record_in(s, 1, A, Some("1.9.0"), None, H);
    record_in(s, 2, A, Some("1.10.0"), None, 2 * H);
    s.set_resolved_in_release(A, "1.10.0", "fixed in the next release", 3 * H)
        .unwrap();
    let r = s.releases(A).unwrap();
    assert_eq!(r.resolved_in.as_deref(), Some("1.10.0"));
    assert_eq!(status_of(s, A), Status::Resolved);
    assert_eq!(last_reason(s, A), "fixed in the next release");
    let history = s.status_history(A).unwrap().len();
    // Asking again changes nothing and writes no history.
    s.set_resolved_in_release(A, "1.10.0", "again", 3 * H)
        .unwrap();
    assert_eq!(s.status_history(A).unwrap().len(), history);
    // The same release and an older one (1.9 < 1.10 by number, not text) are counted and
    // leave it resolved.
    assert_eq!(
        record_in(s, 3, A, Some("1.10.0"), None, 4 * H),
        RecordOutcome::Recurring
    );
    assert_eq!(
        record_in(s, 4, A, Some("1.9.0"), None, 5 * H),
        RecordOutcome::Recurring
    );
    assert_eq!(status_of(s, A), Status::Resolved);
    assert_eq!(s.signature(A).unwrap().count, 4);
    assert_eq!(s.status_history(A).unwrap().len(), history);
    // A newer one regresses it, names both releases and forgets the mark.
    assert_eq!(
        record_in(s, 5, A, Some("1.11.0"), None, 6 * H),
        RecordOutcome::Regressed
    );
    assert_eq!(
        last_reason(s, A),
        "occurred again in release 1.11.0, newer than 1.10.0 it was resolved in"
    );
    let r = s.releases(A).unwrap();
    assert_eq!(
        (r.resolved_in, r.regressed_in.as_deref()),
        (None, Some("1.11.0"))
    );

    // No release cannot be shown to be old: it regresses.
    record_in(s, 6, B, Some("3.0.0"), None, H);
    s.set_resolved_in_release(B, "3.0.0", "next", 2 * H)
        .unwrap();
    assert_eq!(
        record_in(s, 7, B, None, None, 3 * H),
        RecordOutcome::Regressed
    );
    assert_eq!(
        last_reason(s, B),
        "occurred again with no release after being resolved in the release after 3.0.0"
    );

    // Names that are not versions order by when the signature first saw them.
    record_in(s, 8, C, Some("f00d"), None, H);
    record_in(s, 9, C, Some("beef"), None, 2 * H);
    s.set_resolved_in_release(C, "beef", "next", 3 * H).unwrap();
    assert_eq!(
        record_in(s, 10, C, Some("f00d"), None, 4 * H),
        RecordOutcome::Recurring
    );
    assert_eq!(
        record_in(s, 11, C, Some("cafe"), None, 5 * H),
        RecordOutcome::Regressed
    );
}

fn other_status_changes_forget_the_release(s: &mut dyn SignatureStore) {
    record_in(s, 1, A, Some("1.0.0"), None, H);
    s.set_resolved_in_release(A, "1.0.0", "next", 2 * H)
        .unwrap();
    // Resolving plainly what was resolved in the next release is a change (and in the history).
    let n = s.status_history(A).unwrap().len();
    s.set_status(A, Status::Resolved, "resolved by hand", 3 * H)
        .unwrap();
    assert_eq!(s.status_history(A).unwrap().len(), n + 1);
    assert_eq!(s.releases(A).unwrap().resolved_in, None);
    assert_eq!(
        record_in(s, 2, A, Some("1.0.0"), None, 4 * H),
        RecordOutcome::Regressed
    );
    // Ignore, then back: the mark is gone too.
    s.set_resolved_in_release(A, "1.0.0", "next", 5 * H)
        .unwrap();
    s.set_ignore(A, Some("noisy"), None, 6 * H).unwrap();
    assert_eq!(s.releases(A).unwrap().resolved_in, None);
    s.set_status(A, Status::Resolved, "back", 7 * H).unwrap();
    assert_eq!(
        record_in(s, 3, A, Some("0.1.0"), None, 8 * H),
        RecordOutcome::Regressed
    );
    // A release the signature never saw is remembered as first seen when resolved.
    record_in(s, 4, B, Some("aaa"), None, H);
    s.set_resolved_in_release(B, "zzz", "next", 5 * H).unwrap();
    assert_eq!(s.releases(B).unwrap().resolved_in.as_deref(), Some("zzz"));
    // "aaa" (first seen 1H) is older than "zzz" (5H): no regression.
    assert_eq!(
        record_in(s, 5, B, Some("aaa"), None, 6 * H),
        RecordOutcome::Recurring
    );
    assert!(matches!(
        s.set_resolved_in_release("ff", "1", "x", H),
        Err(StoreError::UnknownId { .. })
    ));
}

fn release_and_environment_filters(s: &mut dyn SignatureStore) {
    record_in(s, 1, A, Some("1.0.0"), Some("prod"), H);
    record_in(s, 2, B, Some("1.0"), Some("Staging"), 2 * H);
    record_in(s, 3, C, Some("1.0.0"), Some("staging"), 3 * H);
    record_in(s, 4, C, Some("2.0.0"), Some("prod"), 4 * H);
    let ids = |s: &dyn SignatureStore, release: Option<&str>, env: Option<&str>| {
        let f = SignatureFilter {
            release: release.map(str::to_string),
            environment: env.map(str::to_string),
            ..Default::default()
        };
        let got: Vec<String> = s
            .signatures(&f)
            .unwrap()
            .into_iter()
            .map(|x| x.id.into())
            .collect();
        assert_eq!(s.count_signatures(&f).unwrap(), got.len() as u64);
        got
    };
    // Releases match exactly (1.0 is not 1.0.0); environments ignore ASCII case.
    assert_eq!(ids(s, Some("1.0.0"), None), vec![C, A]);
    assert_eq!(ids(s, Some("1.0"), None), vec![B]);
    assert_eq!(ids(s, Some("1.0.0 "), None), Vec::<String>::new());
    assert_eq!(ids(s, None, Some("STAGING")), vec![C, B]);
    assert_eq!(ids(s, Some("2.0.0"), Some("prod")), vec![C]);
    assert_eq!(ids(s, Some("1.0"), Some("prod")), Vec::<String>::new());
    let f = SignatureFilter {
        release: Some("1.0.0".into()),
        statuses: vec![Status::New],
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(s.count_signatures(&f).unwrap(), 2);
}

fn releases_are_bounded(s: &mut dyn SignatureStore) {
    use rounds::core::releases::{ENVIRONMENTS_PER_SIGNATURE, RELEASES_PER_SIGNATURE};
    // 60 releases, one pass each: the first and the 49 most recent are kept.
    for i in 0..60u64 {
        let name = format!("1.0.{i}");
        record_in(
            s,
            i + 1,
            A,
            Some(&name),
            Some(&format!("env{i}")),
            (i as i64 + 1) * H,
        );
    }
    let r = s.releases(A).unwrap();
    assert_eq!(r.releases.len(), RELEASES_PER_SIGNATURE);
    assert_eq!(r.releases[0].name, "1.0.0");
    assert_eq!(r.releases[1].name, "1.0.11");
    assert_eq!(r.releases.last().unwrap().name, "1.0.59");
    assert_eq!(r.first_release().unwrap().name, "1.0.0");
    assert_eq!(r.environments.len(), ENVIRONMENTS_PER_SIGNATURE);
    assert_eq!(r.environments[0].name, "env0");
    assert_eq!(r.environments[1].name, "env41");
    // A dropped release no longer matches the filter; a kept one does.
    let f = |r: &str| SignatureFilter {
        release: Some(r.into()),
        ..Default::default()
    };
    assert_eq!(s.count_signatures(&f("1.0.5")).unwrap(), 0);
    assert_eq!(s.count_signatures(&f("1.0.0")).unwrap(), 1);
    // The same bound holds for many releases in one pass.
    s.begin().unwrap();
    for i in 0..60u64 {
        let mut e = event("api", (i as i64 + 1) * H);
        e.service_version = Some(format!("2.0.{i}"));
        s.record_event(&key(1000 + i), &fp(B), &e, H).unwrap();
    }
    s.commit().unwrap();
    let r = s.releases(B).unwrap();
    assert_eq!(r.releases.len(), RELEASES_PER_SIGNATURE);
    assert_eq!(r.releases[0].name, "2.0.0");
    assert_eq!(r.releases[1].name, "2.0.11");
}

fn releases_follow_merge(s: &mut dyn SignatureStore) {
    record_in(s, 1, A, Some("1.0.0"), Some("prod"), H);
    record_in(s, 2, A, Some("1.1.0"), Some("prod"), 2 * H);
    record_in(s, 3, B, Some("1.1.0"), Some("staging"), 3 * H);
    s.merge_signatures(A, &fp(B), "widened", 4 * H).unwrap();
    let r = s.releases(B).unwrap();
    assert_eq!(
        names(&r.releases),
        vec![("1.0.0", 1, H, H), ("1.1.0", 2, 2 * H, 3 * H)]
    );
    assert_eq!(
        names(&r.environments),
        vec![("prod", 2, H, 2 * H), ("staging", 1, 3 * H, 3 * H)]
    );
    // Merged inside a pass: the pass's own counts move too.
    s.begin().unwrap();
    let mut e = event("api", 5 * H);
    e.service_version = Some("1.2.0".into());
    s.record_event(&key(4), &fp(C), &e, 5 * H).unwrap();
    s.merge_signatures(C, &fp(B), "widened", 5 * H).unwrap();
    s.commit().unwrap();
    let r = s.releases(B).unwrap();
    assert_eq!(names(&r.releases)[2], ("1.2.0", 1, 5 * H, 5 * H));
    let f = SignatureFilter {
        release: Some("1.2.0".into()),
        ..Default::default()
    };
    assert_eq!(s.count_signatures(&f).unwrap(), 1);
}

fn reservation(id: &str, at: UnixNanos, worst: f64, owner: &str) -> SpendReservation {
    SpendReservation {
        at,
        signature_id: id.into(),
        backend: "fake".into(),
        model: "m".into(),
        worst_case_usd: worst,
        owner: owner.into(),
    }
}

fn me() -> &'static str {
    rounds::adapters::liveness::current_owner()
}

/// The owner string of a process that has exited.
fn dead_owner() -> String {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    let start = rounds::adapters::liveness::start_time(pid).unwrap_or(1);
    child.wait().unwrap();
    format!("{pid}:{start}")
}

const DAY: (UnixNanos, UnixNanos) = (0, 24 * H);

fn reservations_bound_the_budget_and_claim(s: &mut dyn SignatureStore) {
    s.record_diagnosis(&diagnosis(C, H, "earlier"), &spend(C, H, 0.3))
        .unwrap();
    let Reserve::Reserved(a) = s
        .reserve_spend(&reservation(A, 2 * H, 0.5, me()), DAY, 1.0)
        .unwrap()
    else {
        panic!("A should fit: 0.3 spent + 0.5 <= 1.0");
    };
    // A call in flight counts as spend, at its worst case.
    assert_eq!(s.spend_between(0, 24 * H).unwrap(), 0.8);
    match s
        .reserve_spend(&reservation(B, 2 * H, 0.3, me()), DAY, 1.0)
        .unwrap()
    {
        Reserve::OverBudget { committed_usd } => assert!((committed_usd - 0.8).abs() < 1e-9),
        other => panic!("0.3 + 0.5 + 0.3 > 1.0 must not fit: {other:?}"),
    }
    // Exactly at the limit fits.
    assert!(matches!(
        s.reserve_spend(&reservation(B, 2 * H, 0.2, me()), DAY, 1.0)
            .unwrap(),
        Reserve::Reserved(_)
    ));
    // A live reservation claims its signature, whatever the budget.
    assert_eq!(
        s.reserve_spend(&reservation(A, 2 * H, 0.0, me()), DAY, 100.0)
            .unwrap(),
        Reserve::Claimed
    );
    assert_eq!(s.reservations().unwrap().len(), 2);
    // Settled at the actual cost: the worst case is released.
    assert!(s
        .settle_reservation(a, Some(&spend(A, 3 * H, 0.1)))
        .unwrap());
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.6).abs() < 1e-9);
    // Settling twice records nothing more.
    assert!(!s
        .settle_reservation(a, Some(&spend(A, 3 * H, 0.1)))
        .unwrap());
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.6).abs() < 1e-9);
    let left: Vec<String> = s
        .reservations()
        .unwrap()
        .into_iter()
        .map(|(_, r)| r.signature_id.into())
        .collect();
    assert_eq!(left, vec![B.to_string()]);
    // A is free again once settled.
    assert!(matches!(
        s.reserve_spend(&reservation(A, 4 * H, 0.1, me()), DAY, 1.0)
            .unwrap(),
        Reserve::Reserved(_)
    ));
}

fn abandoned_reservations_become_estimated_spend(s: &mut dyn SignatureStore) {
    let dead = dead_owner();
    let Reserve::Reserved(live) = s
        .reserve_spend(&reservation(B, H, 0.2, me()), DAY, 1.0)
        .unwrap()
    else {
        panic!("fits");
    };
    let Reserve::Reserved(old) = s
        .reserve_spend(&reservation(A, H, 0.7, &dead), DAY, 1.0)
        .unwrap()
    else {
        panic!("fits");
    };
    assert_eq!(s.settle_abandoned_reservations().unwrap(), 1);
    // Kept at its worst case (never under-counted), now a settled, estimated entry.
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.9).abs() < 1e-9);
    assert_eq!(s.reservations().unwrap().len(), 1);
    assert!(!s.settle_reservation(old, Some(&spend(A, H, 0.01))).unwrap());
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.9).abs() < 1e-9);
    assert!(s.settle_reservation(live, None).unwrap());
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.7).abs() < 1e-9);
    // reserve_spend settles abandoned ones first: a dead claim does not block the signature.
    s.reserve_spend(&reservation(C, H, 0.1, &dead), DAY, 10.0)
        .unwrap();
    assert!(matches!(
        s.reserve_spend(&reservation(C, 2 * H, 0.1, me()), DAY, 10.0)
            .unwrap(),
        Reserve::Reserved(_)
    ));
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.9).abs() < 1e-9);
}

fn reservations_commit_on_their_own(s: &mut dyn SignatureStore) {
    s.begin().unwrap();
    assert!(s
        .reserve_spend(&reservation(A, H, 0.1, me()), DAY, 1.0)
        .is_err());
    s.rollback().unwrap();
    let Reserve::Reserved(id) = s
        .reserve_spend(&reservation(A, H, 0.1, me()), DAY, 1.0)
        .unwrap()
    else {
        panic!("fits");
    };
    // A settlement inside the pass transaction rolls back with it: the reservation stays.
    s.begin().unwrap();
    assert!(s.settle_reservation(id, Some(&spend(A, H, 0.05))).unwrap());
    s.rollback().unwrap();
    assert_eq!(s.reservations().unwrap().len(), 1);
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.1).abs() < 1e-9);
    s.begin().unwrap();
    assert!(s.settle_reservation(id, Some(&spend(A, H, 0.05))).unwrap());
    s.commit().unwrap();
    assert!(s.reservations().unwrap().is_empty());
    assert!((s.spend_between(0, 24 * H).unwrap() - 0.05).abs() < 1e-9);
}

macro_rules! contract {
    ($store:ident, $make:path) => {
        contract!($store, $make, #[allow(dead_code)]);
    };
    // An attribute for every test of the store (PostgreSQL's `ignore` without a server).
    ($store:ident, $make:path, #[$meta:meta]) => {
        mod $store {
            contract!(@tests $make, #[$meta];
                exactly_once, recording_needs_a_pass, outcomes_and_regression, rollback_discards, cursors_round_trip,
                prefix_lookup, filters_and_sorts, auto_resolve_quiet, ignore_and_expiry,
                diagnoses_and_spend, notifications_intent_then_sent, count_ignores_the_limit, outbox_retries_intents_with_backoff, state_and_reports,
                prune_events_by_ingest, hourly_counts_window, events_and_samples,
                merges_and_aliases, merge_inside_pass, notifications_follow_merge,
                samples_are_bounded, releases_counted_per_signature,
                regression_names_its_release, resolve_in_next_release,
                other_status_changes_forget_the_release, release_and_environment_filters,
                releases_are_bounded, releases_follow_merge, reservations_bound_the_budget_and_claim,
                abandoned_reservations_become_estimated_spend, reservations_commit_on_their_own);
        }
    };
    (@tests $make:path, #[$meta:meta]; $($t:ident),* $(,)?) => {
        $(
            #[test]
            #[$meta]
            fn $t() {
                let mut h = $make();
                super::$t(&mut *h.store);
            }
        )*
    };
}

contract!(memory, super::memory);
contract!(sqlite, super::sqlite);
contract!(
    postgres,
    super::postgres,
    #[ignore = "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (tests/e2e/postgres.sh)"]
);
