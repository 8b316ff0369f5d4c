//! `core::pass` driven through its ports with fakes: the in-memory store from the library and a
//! scripted telemetry source, diagnoser and notifier written here. No binary, no files.

use rounds::adapters::store::memory::MemoryStore;
use rounds::core::diagnose::budget::BudgetLimits;
use rounds::core::diagnose::triage::TriageRules;
use rounds::core::diagnose::DiagnoseOptions;
use rounds::core::model::{
    Confidence, ErrorEvent, EventOrigin, Status, UnixNanos, NANOS_PER_DAY, NANOS_PER_HOUR,
};
use rounds::core::pass::{self, DiagnosisPorts, Gate, PassConfig, PassOutcome, PassPorts, Quiet};
use rounds::core::poll::PollConfig;
use rounds::core::ports::diagnoser::{CallCost, DiagnosisAnswer, DiagnosisRequest, Tokens};
use rounds::core::ports::store::prelude::*;
use rounds::core::ports::telemetry::{EventSink, FetchReport, SourceCheck};
use rounds::core::ports::{
    Diagnoser, DiagnoserError, FixedClock, Notification, NotificationKind, Notifier, NotifyError,
    PollWindow, SignatureFilter, TelemetryError, TelemetrySource,
};
use rounds::core::redact::Redactor;
use rounds::core::triage::NotifyPolicy;
use std::cell::RefCell;
use std::rc::Rc;

const T0: UnixNanos = 20_000 * NANOS_PER_DAY;

/// Emits its events on every fetch (a position-free source, like a file read whole), and
/// reports the failures of the services it is told are down.
#[derive(Default)]
struct FakeSource {
    events: Vec<ErrorEvent>,
    down: Vec<String>,
}

impl TelemetrySource for FakeSource {
    fn backend(&self) -> &str {
        "fake"
    }
    fn cursor_scope(&self) -> String {
        "fake".into()
    }
    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        Ok(SourceCheck::default())
    }
    fn fetch(
        &mut self,
        _window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        for e in &self.events {
            sink(e.clone()).map_err(TelemetryError::Sink)?;
        }
        Ok(FetchReport {
            window_ignored: true,
            partial_failures: self
                .down
                .iter()
                .map(|s| {
                    (
                        s.clone(),
                        TelemetryError::Transient {
                            backend: "fake".into(),
                            url: format!("http://fake/{s}"),
                            reason: "HTTP 503".into(),
                        },
                    )
                })
                .collect(),
            ..FetchReport::default()
        })
    }
}

fn event(service: &str, at: UnixNanos, ty: &str, trace: u64) -> ErrorEvent {
    let mut e = ErrorEvent::new(service, at, EventOrigin::SpanStatus);
    e.exception_type = Some(ty.into());
    e.message = Some(format!("{ty}: order {trace} failed"));
    e.trace_id = format!("{trace:032x}");
    e.span_id = format!("{trace:016x}");
    e
}

/// Records what it sent; fails the first `fail_first` sends as a 502 would.
#[derive(Clone, Default)]
struct FakeNotifier {
    sent: Rc<RefCell<Vec<(NotificationKind, String)>>>,
    fail_first: Rc<RefCell<usize>>,
}

impl Notifier for FakeNotifier {
    fn channel(&self) -> &str {
        "fake"
    }
    fn notify(&mut self, n: &Notification) -> Result<Option<String>, NotifyError> {
        let mut fail = self.fail_first.borrow_mut();
        if *fail > 0 {
            *fail -= 1;
            return Err(NotifyError::Transient {
                channel: "fake".into(),
                reason: "HTTP 502".into(),
            });
        }
        self.sent
            .borrow_mut()
            .push((n.kind, n.signature.id.to_string()));
        Ok(None)
    }
}

/// Each call costs `cost`; the worst case is the cap plus one call of `overshoot`.
struct FakeDiagnoser {
    calls: usize,
    cost: f64,
    overshoot: f64,
}

impl Diagnoser for FakeDiagnoser {
    fn backend(&self) -> &str {
        "fake"
    }
    fn model(&self) -> &str {
        "fake-model"
    }
    fn worst_case_cost_usd(&self, r: &DiagnosisRequest) -> Option<f64> {
        Some(r.budget_usd + self.overshoot)
    }
    fn diagnose(&mut self, _r: &DiagnosisRequest) -> Result<DiagnosisAnswer, DiagnoserError> {
        self.calls += 1;
        Ok(DiagnosisAnswer {
            root_cause: "the order has no discount".into(),
            suggested_fix: "guard it".into(),
            confidence: Confidence::Medium,
            evidence: vec![],
            model: "fake-model".into(),
            cost: CallCost::Reported(self.cost),
            tokens: Tokens::default(),
            duration_ms: 1,
            denials: vec![],
        })
    }
}

fn config() -> PassConfig {
    PassConfig {
        poll: PollConfig {
            lookback: NANOS_PER_HOUR,
            overlap: 0,
            max_catchup: 365 * NANOS_PER_DAY,
            retention: 30 * NANOS_PER_DAY,
            resolve_after: 7 * NANOS_PER_DAY,
            dry_run: false,
            limits: Default::default(),
            grouping: Default::default(),
        },
        notify: NotifyPolicy {
            min_occurrences: 1,
            escalation_factor: None,
        },
        diagnose: None,
        gates: vec![Gate::New, Gate::Regressed],
    }
}

struct World {
    store: MemoryStore,
    source: FakeSource,
    notifier: FakeNotifier,
}

impl World {
    fn new(events: Vec<ErrorEvent>) -> World {
        World {
            store: MemoryStore::new(),
            source: FakeSource {
                events,
                down: vec![],
            },
            notifier: FakeNotifier::default(),
        }
    }

    fn pass_at(&mut self, now: UnixNanos, cfg: &PassConfig) -> PassOutcome {
        self.pass_with(now, cfg, None)
    }

    fn pass_with(
        &mut self,
        now: UnixNanos,
        cfg: &PassConfig,
        diagnoser: Option<&mut FakeDiagnoser>,
    ) -> PassOutcome {
        let mut notifiers: Vec<Box<dyn Notifier>> = vec![Box::new(self.notifier.clone())];
        let redactor = Redactor::new();
        pass::run(
            PassPorts {
                source: &mut self.source,
                store: &mut self.store,
                clock: &FixedClock(now),
                notifiers: &mut notifiers,
                diagnosis: diagnoser.map(|d| DiagnosisPorts {
                    diagnoser: d,
                    codebase: None,
                    redactor: &redactor,
                }),
                checkout: None,
            },
            cfg,
            &mut Quiet,
        )
        .expect("the pass runs")
    }

    fn ids(&self) -> Vec<String> {
        self.store
            .signatures(&SignatureFilter::default())
            .unwrap()
            .into_iter()
            .map(|s| s.id.into())
            .collect()
    }

    fn total(&self) -> u64 {
        self.store
            .signatures(&SignatureFilter::default())
            .unwrap()
            .iter()
            .map(|s| s.count)
            .sum()
    }

    fn sent(&self) -> Vec<(NotificationKind, String)> {
        self.notifier.sent.borrow().clone()
    }
}

#[test]
fn a_re_poll_of_the_same_events_counts_and_notifies_nothing_more() {
    let mut w = World::new(vec![
        event("checkout", T0, "KeyError", 1),
        event("checkout", T0 + 1, "KeyError", 2),
        event("billing", T0 + 2, "TimeoutError", 3),
    ]);
    let first = w.pass_at(T0 + NANOS_PER_HOUR, &config());
    assert_eq!(first.poll.summary.events_read, 3);
    assert_eq!(first.poll.summary.new, 2);
    assert_eq!(w.total(), 3);
    assert_eq!(w.sent().len(), 2, "{:?}", w.sent());
    assert!(first.findings, "--fail-on new finds the new signatures");
    let again = w.pass_at(T0 + 2 * NANOS_PER_HOUR, &config());
    assert_eq!(again.poll.summary.events_read, 3);
    assert_eq!(again.poll.summary.duplicates, 3);
    assert_eq!(
        (again.poll.summary.new, again.poll.summary.recurring),
        (0, 0)
    );
    assert_eq!(w.total(), 3, "counted once however often it is read");
    assert_eq!(w.sent().len(), 2, "announced once");
    assert!(again.poll.touched_ids.is_empty());
}

#[test]
fn a_new_occurrence_of_a_resolved_signature_regresses_it_and_says_so() {
    let mut w = World::new(vec![event("checkout", T0, "KeyError", 1)]);
    w.pass_at(T0 + NANOS_PER_HOUR, &config());
    let id = w.ids().remove(0);
    w.store
        .set_status(&id, Status::Resolved, "fixed", T0 + NANOS_PER_HOUR)
        .unwrap();
    let mut quiet = config();
    quiet.gates = vec![Gate::Regressed];
    assert!(!pass::gate(&w.store, &quiet.gates, &quiet.notify, T0).unwrap());
    w.source
        .events
        .push(event("checkout", T0 + 2 * NANOS_PER_HOUR, "KeyError", 2));
    let out = w.pass_at(T0 + 3 * NANOS_PER_HOUR, &quiet);
    assert_eq!(out.poll.summary.regressed, 1);
    assert_eq!(out.poll.regressed_ids, vec![id.clone()]);
    assert_eq!(w.store.signature(&id).unwrap().status, Status::Regressed);
    assert_eq!(
        w.sent().last(),
        Some(&(NotificationKind::Regressed, id.clone()))
    );
    assert!(out.findings, "--fail-on regressed");
}

#[test]
fn a_signature_quiet_past_resolve_after_resolves_itself() {
    let mut w = World::new(vec![event("checkout", T0, "KeyError", 1)]);
    w.pass_at(T0 + NANOS_PER_HOUR, &config());
    let id = w.ids().remove(0);
    // Still within RESOLVE_AFTER_DAYS (7): nothing changes.
    let out = w.pass_at(T0 + 6 * NANOS_PER_DAY, &config());
    assert!(out.poll.auto_resolved.is_empty());
    let out = w.pass_at(T0 + 8 * NANOS_PER_DAY, &config());
    assert_eq!(out.poll.auto_resolved, vec![id.clone()]);
    assert_eq!(w.store.signature(&id).unwrap().status, Status::Resolved);
    assert!(!out.findings, "nothing new or regressed is left");
}

#[test]
fn a_failing_service_does_not_stop_the_others_and_is_reported() {
    let mut w = World::new(vec![
        event("checkout", T0, "KeyError", 1),
        event("checkout", T0 + 1, "KeyError", 2),
    ]);
    w.source.down = vec!["billing".into()];
    let out = w.pass_at(T0 + NANOS_PER_HOUR, &config());
    assert_eq!(out.poll.summary.events_read, 2);
    assert_eq!(w.total(), 2, "the services that answered are counted");
    assert_eq!(out.poll.partial_failures.len(), 1);
    assert_eq!(out.poll.partial_failures[0].0, "billing");
    assert_eq!(w.sent().len(), 1, "and notified");
}

#[test]
fn a_failed_notification_is_retried_by_a_later_pass_without_new_events_after_its_backoff() {
    let mut w = World::new(vec![event("checkout", T0, "KeyError", 1)]);
    *w.notifier.fail_first.borrow_mut() = 1;
    let now = T0 + NANOS_PER_HOUR;
    let first = w.pass_at(now, &config());
    assert_eq!(first.notified.failures.len(), 1, "the 502 is reported");
    assert!(w.sent().is_empty());
    // Before the backoff: not tried again.
    let early = w.pass_at(now + 1, &config());
    assert_eq!(early.notified.retried, 0);
    assert!(w.sent().is_empty());
    // After it: sent from the outbox, once, although no event is new.
    let later = now + rounds::core::notify::retry_delay(1) + 1;
    let out = w.pass_at(later, &config());
    assert_eq!(out.poll.summary.new, 0);
    assert_eq!(out.notified.retried, 1);
    assert_eq!(w.sent().len(), 1);
    assert_eq!(w.sent()[0].0, NotificationKind::New);
    let after = w.pass_at(later + NANOS_PER_DAY, &config());
    assert_eq!(after.notified.retried, 0);
    assert_eq!(w.sent().len(), 1, "never twice");
}

#[test]
fn diagnosis_stops_where_the_daily_budget_cannot_hold_another_worst_case() {
    let mut w = World::new(
        (0..4)
            .map(|i| event("checkout", T0 + i, &format!("Error{i}"), i as u64 + 1))
            .collect(),
    );
    let mut cfg = config();
    cfg.diagnose = Some(DiagnoseOptions {
        rules: TriageRules {
            min_occurrences: 1,
            max_per_pass: 10,
            ..TriageRules::default()
        },
        limits: BudgetLimits {
            daily_usd: 1.6,
            per_diagnosis_usd: 0.5,
            run_usd: None,
        },
        owner: rounds::adapters::liveness::current_owner().to_string(),
        ..DiagnoseOptions::default()
    });
    // Each call costs 0.4 and may cost its cap + 1.0: 1.5 fits, then 0.2 + 1.0 beside 0.4
    // spent, then nothing beside 0.8.
    let mut d = FakeDiagnoser {
        calls: 0,
        cost: 0.4,
        overshoot: 1.0,
    };
    let now = T0 + NANOS_PER_HOUR;
    let out = w.pass_with(now, &cfg, Some(&mut d));
    assert_eq!(d.calls, 2);
    let report = out.diagnosis.expect("diagnosed");
    let pending: Vec<&String> = report
        .outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            rounds::core::diagnose::Outcome::Pending(why) if why.contains("no call made") => {
                Some(why)
            }
            _ => None,
        })
        .collect();
    assert_eq!(pending.len(), 2, "{:?}", report.outcomes);
    let day = (now / NANOS_PER_DAY) * NANOS_PER_DAY;
    let spent = w.store.spend_between(day, day + NANOS_PER_DAY).unwrap();
    assert!((spent - 0.8).abs() < 1e-9, "{spent}");
    assert!(w.store.reservations().unwrap().is_empty(), "all settled");
    // The diagnosed ones are announced as such; a later pass the same day calls nothing.
    assert_eq!(
        w.sent()
            .iter()
            .filter(|(k, _)| *k == NotificationKind::Diagnosed)
            .count(),
        2,
        "{:?}",
        w.sent()
    );
    let mut d2 = FakeDiagnoser {
        calls: 0,
        cost: 0.4,
        overshoot: 1.0,
    };
    w.pass_with(now + NANOS_PER_HOUR, &cfg, Some(&mut d2));
    assert_eq!(d2.calls, 0);
}
