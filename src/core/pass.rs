//! One pass as a use case over ports only: read → fingerprint → record → triage → diagnose →
//! notify → gate. The CLI resolves settings, wires adapters, runs this and prints the outcome.
//!
//! Ingest is one store transaction under the pass lock ([`crate::core::poll`]); diagnosis runs
//! without the lock where the store can let it go (`release_pass_lock`; spend reservations claim
//! its signatures), so other writers are not held up by LLM calls; notifications take the lock
//! again.

use crate::core::diagnose::{self, DiagnoseOptions, PassReport};
use crate::core::model::{Status, UnixNanos, NANOS_PER_DAY};
use crate::core::notify::{notify, NotifyOutcome};
use crate::core::poll::{poll, PollConfig, PollError, PollOutcome};
use crate::core::ports::codebase::{Codebase, History};
use crate::core::ports::{
    Clock, Diagnoser, Notifier, NotifyError, SignatureFilter, SignatureStore, StoreError,
    TelemetrySource,
};
use crate::core::redact::Redactor;
use crate::core::triage::{day_over_day, is_escalating, NotifyPolicy};

/// A state that makes the pass report findings (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    New,
    Regressed,
    Escalating,
}

/// Everything a pass is told, already validated.
#[derive(Debug, Clone)]
pub struct PassConfig {
    pub poll: PollConfig,
    pub notify: NotifyPolicy,
    /// `None`: no diagnosis this pass (no backend configured, or a dry run).
    pub diagnose: Option<DiagnoseOptions>,
    pub gates: Vec<Gate>,
}

/// The diagnosis ports, when a backend is configured.
pub struct DiagnosisPorts<'a> {
    pub diagnoser: &'a mut dyn Diagnoser,
    pub codebase: Option<&'a dyn Codebase>,
    pub redactor: &'a Redactor,
}

/// The ports a pass drives (the store is generic: diagnosis sees it through its own slice).
pub struct PassPorts<'a, S: SignatureStore> {
    pub source: &'a mut dyn TelemetrySource,
    pub store: &'a mut S,
    pub clock: &'a dyn Clock,
    pub notifiers: &'a mut [Box<dyn Notifier>],
    pub diagnosis: Option<DiagnosisPorts<'a>>,
    /// A git checkout: notifications name suspect commits.
    pub checkout: Option<&'a dyn History>,
}

/// Told about each phase as it ends, so the caller can show it at once (a pass can take
/// minutes: the ingest summary should not wait for diagnosis).
pub trait PassObserver {
    fn progress(&mut self, _events_read: u64) {}
    fn ingested(&mut self, _outcome: &PollOutcome) {}
    fn diagnosed(&mut self, _report: &PassReport) {}
}

/// An observer that wants nothing.
pub struct Quiet;
impl PassObserver for Quiet {}

/// What one pass did.
#[derive(Debug)]
pub struct PassOutcome {
    pub poll: PollOutcome,
    /// `None` when the pass did not diagnose.
    pub diagnosis: Option<PassReport>,
    /// What notifying did; in a dry run, the preview's failures only.
    pub notified: NotifyOutcome,
    /// Whether signatures in a `gates` state exist after the pass.
    pub findings: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error(transparent)]
    Poll(#[from] PollError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Run one pass.
pub fn run<S: SignatureStore>(
    ports: PassPorts<'_, S>,
    cfg: &PassConfig,
    observer: &mut dyn PassObserver,
) -> Result<PassOutcome, PassError> {
    let PassPorts {
        source,
        store,
        clock,
        notifiers,
        diagnosis,
        checkout,
    } = ports;
    let now = clock.now();
    let dry_run = cfg.poll.dry_run;

    // Read, fingerprint, record: one transaction. A dry run previews its notifications inside
    // it, before it is rolled back.
    let mut preview_failures = Vec::new();
    let ingested = {
        let mut progress = |n| observer.progress(n);
        poll(
            &mut *source,
            &mut *store as &mut dyn SignatureStore,
            clock,
            &cfg.poll,
            &mut progress,
            &mut |store, outcome| match notify(
                store,
                notifiers,
                &outcome.touched_ids,
                &cfg.notify,
                now,
                false,
                checkout,
            ) {
                Ok(n) => preview_failures.extend(n.failures),
                Err(e) => preview_failures.push(NotifyError::Config {
                    channel: "dry-run".into(),
                    reason: e.to_string(),
                }),
            },
        )?
    };
    observer.ingested(&ingested);

    // Triage and diagnose, without the pass lock.
    let mut report = None;
    if let (Some(d), Some(options), false) = (diagnosis, &cfg.diagnose, dry_run) {
        store.release_pass_lock();
        let r = diagnose::run(
            diagnose::Ports {
                store: &mut *store,
                diagnoser: d.diagnoser,
                codebase: d.codebase,
                // The source that found the errors also fetches the trace around them.
                telemetry: Some(&mut *source),
                clock,
                redactor: d.redactor,
            },
            options,
        )
        .map_err(|e| match e {
            diagnose::DiagnoseError::Store(s) => PassError::Store(s),
        })?;
        observer.diagnosed(&r);
        report = Some(r);
    }

    // Notify (the outbox first), under the lock again.
    let notified = if dry_run {
        NotifyOutcome {
            failures: preview_failures,
            ..NotifyOutcome::default()
        }
    } else {
        store.reacquire_pass_lock()?;
        notify(
            store,
            notifiers,
            &ingested.touched_ids,
            &cfg.notify,
            now,
            true,
            checkout,
        )?
    };

    let findings = gate(store, &cfg.gates, &cfg.notify, now)?;
    Ok(PassOutcome {
        poll: ingested,
        diagnosis: report,
        notified,
        findings,
    })
}

/// Whether signatures in a `gates` state exist.
pub fn gate(
    store: &dyn SignatureStore,
    gates: &[Gate],
    policy: &NotifyPolicy,
    now: UnixNanos,
) -> Result<bool, StoreError> {
    let statuses: Vec<Status> = gates
        .iter()
        .filter_map(|g| match g {
            Gate::New => Some(Status::New),
            Gate::Regressed => Some(Status::Regressed),
            Gate::Escalating => None,
        })
        .collect();
    if !statuses.is_empty() {
        let filter = SignatureFilter {
            statuses,
            limit: Some(1),
            ..SignatureFilter::default()
        };
        if !store.signatures(&filter)?.is_empty() {
            return Ok(true);
        }
    }
    if gates.contains(&Gate::Escalating) {
        // Escalating is day over day, so only signatures seen in the last 48 h can be.
        let recent = SignatureFilter {
            seen_since: Some(now - 2 * NANOS_PER_DAY),
            ..SignatureFilter::default()
        };
        for sig in store.signatures(&recent)? {
            if matches!(sig.status, Status::Ignored | Status::Resolved) {
                continue;
            }
            let (last, prev) = day_over_day(&store.hourly_counts(&sig.id, now, 48)?);
            if is_escalating(last, prev, policy) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
