//! The diagnose use case: triage, gather context, assemble a redacted prompt, check the budget
//! against the spend ledger, call the diagnoser, verify and record the answer with its cost.

pub mod budget;
pub mod evidence;
pub mod prompt;
pub mod triage;

use crate::core::model::{
    Diagnosis, EventRef, EventSample, Signature, SignatureId, Status, UnixNanos,
};
use crate::core::ports::codebase::Codebase;
use crate::core::ports::diagnoser::{CallCost, Diagnoser, DiagnoserError, DiagnosisRequest};
use crate::core::ports::store::prelude::*;
use crate::core::ports::store::{
    FailedAttempt, ReservationId, Reserve, SignatureFilter, SignatureStore, SpendEntry,
    SpendReservation, StoreError,
};
use crate::core::ports::telemetry::TelemetrySource;
use crate::core::ports::Clock;
use crate::core::redact::Redactor;
use budget::{allowance, reported_model_key, utc_day, Allowance, BudgetLimits};
use prompt::{DiagnosisContext, Prompt, SampleEvent, PROMPT_VERSION};
use std::collections::BTreeMap;
use triage::{Candidate, History, Selection, Skip, TriageRules};

/// The slice of the store this use case needs; every `SignatureStore` provides it.
pub trait DiagnosisStore {
    fn signature(&self, id_or_prefix: &str) -> Result<Signature, StoreError>;
    fn signatures(&self, filter: &SignatureFilter) -> Result<Vec<Signature>, StoreError>;
    fn events(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError>;
    /// Events kept whole, newest first. A store that keeps none has only `events` to offer.
    fn event_samples(&self, _id: &str, _limit: usize) -> Result<Vec<EventSample>, StoreError> {
        Ok(Vec::new())
    }
    fn latest_diagnosis(&self, id: &str) -> Result<Option<Diagnosis>, StoreError>;
    fn failed_attempts(&self, id: &str) -> Result<Vec<FailedAttempt>, StoreError>;
    fn spend_between(&self, from: UnixNanos, to: UnixNanos) -> Result<f64, StoreError>;
    fn record_diagnosis(
        &mut self,
        diagnosis: &Diagnosis,
        spend: &SpendEntry,
    ) -> Result<(), StoreError>;
    fn record_failed_attempt(
        &mut self,
        attempt: &FailedAttempt,
        spend: Option<&SpendEntry>,
    ) -> Result<(), StoreError>;
    fn set_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError>;
    /// One transaction around a call's records (diagnosis or attempt, settlement, status).
    fn begin(&mut self) -> Result<(), StoreError>;
    fn commit(&mut self) -> Result<(), StoreError>;
    fn rollback(&mut self) -> Result<(), StoreError>;
    fn reserve_spend(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError>;
    fn settle_reservation(
        &mut self,
        id: ReservationId,
        spend: Option<&SpendEntry>,
    ) -> Result<bool, StoreError>;
    fn settle_abandoned_reservations(&mut self) -> Result<u64, StoreError>;
    fn reservations(&self) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError>;
    fn state(&self, _key: &str) -> Result<Option<String>, StoreError> {
        Ok(None)
    }
    fn put_state(&mut self, _key: &str, _value: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

impl<T: SignatureStore + ?Sized> DiagnosisStore for T {
    fn signature(&self, id_or_prefix: &str) -> Result<Signature, StoreError> {
        SignatureLifecycle::signature(self, id_or_prefix)
    }
    fn signatures(&self, filter: &SignatureFilter) -> Result<Vec<Signature>, StoreError> {
        SignatureLifecycle::signatures(self, filter)
    }
    fn events(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError> {
        EventLedger::events(self, id, limit)
    }
    fn event_samples(&self, id: &str, limit: usize) -> Result<Vec<EventSample>, StoreError> {
        EventLedger::event_samples(self, id, limit)
    }
    fn latest_diagnosis(&self, id: &str) -> Result<Option<Diagnosis>, StoreError> {
        DiagnosisLedger::latest_diagnosis(self, id)
    }
    fn failed_attempts(&self, id: &str) -> Result<Vec<FailedAttempt>, StoreError> {
        DiagnosisLedger::failed_attempts(self, id)
    }
    fn spend_between(&self, from: UnixNanos, to: UnixNanos) -> Result<f64, StoreError> {
        DiagnosisLedger::spend_between(self, from, to)
    }
    fn record_diagnosis(
        &mut self,
        diagnosis: &Diagnosis,
        spend: &SpendEntry,
    ) -> Result<(), StoreError> {
        DiagnosisLedger::record_diagnosis(self, diagnosis, spend)
    }
    fn record_failed_attempt(
        &mut self,
        attempt: &FailedAttempt,
        spend: Option<&SpendEntry>,
    ) -> Result<(), StoreError> {
        DiagnosisLedger::record_failed_attempt(self, attempt, spend)
    }
    fn set_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        SignatureLifecycle::set_status(self, id, to, reason, now)
    }
    fn begin(&mut self) -> Result<(), StoreError> {
        PassTransaction::begin(self)
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        PassTransaction::commit(self)
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        PassTransaction::rollback(self)
    }
    fn reserve_spend(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError> {
        DiagnosisLedger::reserve_spend(self, r, day, daily_limit_usd)
    }
    fn settle_reservation(
        &mut self,
        id: ReservationId,
        spend: Option<&SpendEntry>,
    ) -> Result<bool, StoreError> {
        DiagnosisLedger::settle_reservation(self, id, spend)
    }
    fn settle_abandoned_reservations(&mut self) -> Result<u64, StoreError> {
        DiagnosisLedger::settle_abandoned_reservations(self)
    }
    fn reservations(&self) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError> {
        DiagnosisLedger::reservations(self)
    }
    fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        Cursors::state(self, key)
    }
    fn put_state(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        Cursors::put_state(self, key, value)
    }
}

/// Everything a diagnose pass is told.
#[derive(Debug, Clone)]
pub struct DiagnoseOptions {
    pub rules: TriageRules,
    pub limits: BudgetLimits,
    /// Signatures named by the user; empty = all pending per triage.
    pub ids: Vec<String>,
    pub force: bool,
    /// Assemble and report prompts; call nothing, spend nothing, record nothing.
    pub dry_run: bool,
    /// Sample events put in the prompt.
    pub max_samples: usize,
    /// Source excerpts put in the prompt, and lines either side of each frame.
    pub max_excerpts: usize,
    pub excerpt_radius: u32,
    pub max_commits: usize,
    /// This process as spend reservations name their owner (`pid:start`): a reservation whose
    /// owner is dead is abandoned and settled by the next pass.
    pub owner: String,
}

impl Default for DiagnoseOptions {
    fn default() -> Self {
        DiagnoseOptions {
            rules: TriageRules::default(),
            limits: BudgetLimits {
                daily_usd: 5.0,
                per_diagnosis_usd: 0.5,
                run_usd: None,
            },
            ids: Vec::new(),
            force: false,
            dry_run: false,
            max_samples: 3,
            max_excerpts: 5,
            excerpt_radius: 8,
            max_commits: 5,
            owner: String::new(),
        }
    }
}

/// What happened to one signature.
#[derive(Debug, Clone)]
pub enum Outcome {
    Diagnosed(Box<Diagnosis>),
    /// Dry run: what would be sent, after redaction, and the cap it would get.
    WouldSend {
        prompt: Box<Prompt>,
        cap_usd: Option<f64>,
        worst_case_usd: Option<f64>,
    },
    Skipped(Skip),
    /// Left pending: budget, or a transient failure; retried next pass.
    Pending(String),
    /// The call failed; recorded as a failed attempt.
    Failed {
        kind: &'static str,
        detail: String,
    },
}

/// The result of a pass, for the printer and the exit code.
#[derive(Debug, Default)]
pub struct PassReport {
    pub outcomes: Vec<(String, Outcome)>,
    /// Lines for the user: budget notes, unknown price, denials, context problems.
    pub notes: Vec<String>,
    pub spent_this_run_usd: f64,
    pub spent_today_usd: f64,
    pub daily_limit_usd: f64,
    /// A failure that stopped the pass (missing program, rejected credentials, bad config).
    pub fatal: Option<DiagnoserError>,
    /// Transient failures (timeout, 429, 5xx) that left signatures pending.
    pub transient: usize,
    /// Answers that failed validation.
    pub invalid: usize,
}

/// Errors that stop the use case before or between calls.
#[derive(Debug, thiserror::Error)]
pub enum DiagnoseError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The ports a pass drives.
pub struct Ports<'a> {
    pub store: &'a mut dyn DiagnosisStore,
    pub diagnoser: &'a mut dyn Diagnoser,
    pub codebase: Option<&'a dyn Codebase>,
    pub telemetry: Option<&'a mut dyn TelemetrySource>,
    pub clock: &'a dyn Clock,
    pub redactor: &'a Redactor,
}

/// Run one diagnose pass.
pub fn run(ports: Ports<'_>, options: &DiagnoseOptions) -> Result<PassReport, DiagnoseError> {
    let Ports {
        store,
        diagnoser,
        codebase,
        mut telemetry,
        clock,
        redactor,
    } = ports;
    let mut report = PassReport {
        daily_limit_usd: options.limits.daily_usd,
        ..Default::default()
    };

    let revision = match codebase.map(|c| c.revision()).transpose() {
        Ok(r) => r.flatten(),
        Err(e) => {
            report.notes.push(format!("codebase revision unknown: {e}"));
            None
        }
    };

    if !options.dry_run {
        let n = store.settle_abandoned_reservations()?;
        if n > 0 {
            report.notes.push(format!(
                "{n} spend reservation(s) left by a rounds killed mid-call settled at their worst case"
            ));
        }
    }
    // No pinned model: price calls as the model the backend reported last time, or until one
    // is known as the dearest its default can be, so the daily budget holds either way.
    let unpinned = diagnoser.model().is_empty();
    let model_key = reported_model_key(diagnoser.backend());
    let mut price_model = diagnoser.model().to_string();
    if unpinned {
        let reported = store.state(&model_key)?;
        if let Some(m) = diagnoser.assume_model(reported.as_deref()) {
            if reported.as_deref() != Some(m.as_str()) {
                report.notes.push(format!(
                    "{}: no model pinned and {}: budgeting each call as {m}, the dearest model the backend's default can be (DIAGNOSIS_MODEL pins one)",
                    diagnoser.backend(),
                    match &reported {
                        Some(r) => format!("the model it reported last ({r}) has no price"),
                        None => "none reported yet".to_string(),
                    }
                ));
            }
            price_model = m;
        }
    }
    let in_flight: Vec<SignatureId> = store
        .reservations()?
        .into_iter()
        .map(|(_, r)| r.signature_id)
        .collect();
    let (selection, seen) =
        triage_pass(store, revision.as_deref(), options, &in_flight, clock.now())?;
    for (sig, skip) in selection.skipped {
        report
            .outcomes
            .push((sig.id.into(), Outcome::Skipped(skip)));
    }

    let mut unknown_price_noted = false;
    for sig in selection.selected {
        let now = clock.now();
        let context = gather_context(
            store,
            &sig,
            codebase,
            telemetry.as_deref_mut(),
            revision.clone(),
            options,
            &mut report.notes,
        )?;
        let prompt = prompt::assemble(&sig, &context, redactor);
        let (day_start, day_end) = utc_day(now);
        let spent_today = store.spend_between(day_start, day_end)?;
        report.spent_today_usd = spent_today;

        let mut request = DiagnosisRequest {
            signature_id: sig.id.clone(),
            prompt: prompt.user.clone(),
            system: prompt.system.clone(),
            schema: prompt.schema.clone(),
            budget_usd: options.limits.per_diagnosis_usd,
        };
        let probe = request.clone();
        let allowed = allowance(
            &options.limits,
            spent_today,
            report.spent_this_run_usd,
            |cap| {
                let r = DiagnosisRequest {
                    budget_usd: cap,
                    ..probe.clone()
                };
                diagnoser.worst_case_cost_usd(&r)
            },
        );
        let (cap, worst) = match allowed {
            Allowance::Call {
                cap_usd,
                worst_case_usd,
            } => (cap_usd, Some(worst_case_usd)),
            Allowance::CallPriceUnknown { cap_usd } => {
                if !unknown_price_noted {
                    unknown_price_noted = true;
                    report.notes.push(format!(
                        "{}: the price of model '{}' is unknown: each call is reserved and charged at its cap (${cap_usd:.4}), \
                         an estimate the backend may exceed; MAX_DIAGNOSES_PER_PASS ({}) bounds the calls (DIAGNOSIS_PRICES prices it)",
                        diagnoser.backend(),
                        if diagnoser.model().is_empty() { "(backend default)" } else { diagnoser.model() },
                        options.rules.max_per_pass
                    ));
                }
                (cap_usd, None)
            }
            Allowance::Exhausted {
                remaining_usd,
                needed_usd,
                which,
            } => {
                let why = format!(
                    "pending: {which} leaves ${remaining_usd:.4}, a call may cost up to ${needed_usd:.4}; no call made"
                );
                report
                    .outcomes
                    .push((sig.id.to_string(), Outcome::Pending(why)));
                continue;
            }
        };
        request.budget_usd = cap;

        if options.dry_run {
            report.outcomes.push((
                sig.id.to_string(),
                Outcome::WouldSend {
                    prompt: Box::new(prompt),
                    cap_usd: Some(cap),
                    worst_case_usd: worst,
                },
            ));
            continue;
        }

        // The worst case goes into the ledger before the call starts, in its own committed
        // transaction: a `rounds` killed mid-call leaves it there, counted, and the budget check
        // and the claim on the signature are one atomic step with writing it.
        let reserved_usd = worst.unwrap_or(cap);
        let reservation = SpendReservation {
            at: now,
            signature_id: sig.id.clone(),
            backend: diagnoser.backend().to_string(),
            model: price_model.clone(),
            worst_case_usd: reserved_usd,
            owner: options.owner.clone(),
        };
        let rid = match store.reserve_spend(&reservation, utc_day(now), options.limits.daily_usd)? {
            Reserve::Reserved(id) => id,
            Reserve::Claimed => {
                report
                    .outcomes
                    .push((sig.id.to_string(), Outcome::Skipped(Skip::InFlight)));
                continue;
            }
            Reserve::OverBudget { committed_usd } => {
                let why = format!(
                    "pending: DAILY_BUDGET_LIMIT leaves ${:.4} (calls in flight included), a call may cost up to ${reserved_usd:.4}; no call made",
                    (options.limits.daily_usd - committed_usd).max(0.0)
                );
                report
                    .outcomes
                    .push((sig.id.to_string(), Outcome::Pending(why)));
                continue;
            }
        };
        // Another pass may have diagnosed it between triage and the claim.
        let latest_now = store.latest_diagnosis(&sig.id)?.map(|d| d.created_at);
        if latest_now != seen.get(sig.id.as_str()).copied().flatten() {
            store.settle_reservation(rid, None)?;
            report.outcomes.push((
                sig.id.to_string(),
                Outcome::Skipped(Skip::DiagnosedMeanwhile),
            ));
            continue;
        }

        let result = diagnoser.diagnose(&request);
        let done = clock.now();
        match result {
            Ok(answer) => {
                let (cost_usd, charged, estimated) = charge(answer.cost, cap, worst);
                report.spent_this_run_usd += charged;
                if !answer.denials.is_empty() {
                    report.notes.push(format!(
                        "{}: the backend refused {} tool use(s) while diagnosing {} (possible prompt injection): {}",
                        diagnoser.backend(),
                        answer.denials.len(),
                        short(&sig.id),
                        redactor.redact(&answer.denials.join("; "))
                    ));
                }
                let model = if answer.model.is_empty() {
                    diagnoser.model().to_string()
                } else {
                    answer.model.clone()
                };
                let diagnosis = Diagnosis {
                    signature_id: sig.id.clone(),
                    created_at: done,
                    root_cause: redactor.redact(&answer.root_cause),
                    suggested_fix: redactor.redact(&answer.suggested_fix),
                    confidence: answer.confidence,
                    evidence: evidence::verify(&answer.evidence, codebase, redactor),
                    backend: diagnoser.backend().to_string(),
                    model: model.clone(),
                    cost_usd,
                    input_tokens: answer.tokens.input,
                    output_tokens: answer.tokens.output,
                    duration_ms: answer.duration_ms,
                    prompt_version: PROMPT_VERSION,
                    codebase_revision: revision.clone(),
                };
                let spend = SpendEntry {
                    at: done,
                    signature_id: sig.id.clone(),
                    backend: diagnoser.backend().to_string(),
                    model,
                    cost_usd: charged,
                    estimated,
                };
                // The diagnosis, its spend and the settlement commit together: never both the
                // reservation and the actual cost, never neither.
                let learned = (unpinned && !answer.model.is_empty()).then_some(&answer.model);
                in_one_transaction(store, |store| {
                    store.record_diagnosis(&diagnosis, &spend)?;
                    if let Some(m) = learned {
                        store.put_state(&model_key, m)?;
                    }
                    store.settle_reservation(rid, None)?;
                    // As it is now: a `resolve` or `ignore` during the call stands.
                    let current = store.signature(&sig.id)?.status;
                    if matches!(
                        current,
                        Status::New | Status::Regressed | Status::Investigating
                    ) {
                        store.set_status(&sig.id, Status::Diagnosed, "diagnosed", done)?;
                    }
                    Ok(())
                })?;
                report
                    .outcomes
                    .push((sig.id.to_string(), Outcome::Diagnosed(Box::new(diagnosis))));
            }
            Err(err) => {
                let (_, charged, estimated) = charge(err.cost(), cap, worst);
                report.spent_this_run_usd += charged;
                let detail = redactor.redact(&match &err {
                    DiagnoserError::Invalid {
                        detail, excerpt, ..
                    } => format!("{detail}; answer began: {excerpt}"),
                    other => other.to_string(),
                });
                let spend = (!matches!(err.cost(), CallCost::Nothing)).then(|| SpendEntry {
                    at: done,
                    signature_id: sig.id.clone(),
                    backend: diagnoser.backend().to_string(),
                    model: price_model.clone(),
                    cost_usd: charged,
                    estimated,
                });
                let attempt = FailedAttempt {
                    signature_id: sig.id.clone(),
                    at: done,
                    backend: diagnoser.backend().to_string(),
                    model: diagnoser.model().to_string(),
                    kind: err.kind().to_string(),
                    detail: detail.clone(),
                    codebase_revision: revision.clone(),
                };
                // A missing program cost nothing and says nothing about the signature.
                let record = !matches!(
                    err,
                    DiagnoserError::Missing { .. } | DiagnoserError::Config { .. }
                );
                in_one_transaction(store, |store| {
                    if record {
                        store.record_failed_attempt(&attempt, spend.as_ref())?;
                    }
                    store.settle_reservation(rid, None)?;
                    Ok(())
                })?;
                match &err {
                    DiagnoserError::Transient { .. } => {
                        report.transient += 1;
                        report
                            .outcomes
                            .push((sig.id.to_string(), Outcome::Pending(detail)));
                    }
                    DiagnoserError::Invalid { .. } => {
                        report.invalid += 1;
                        report.outcomes.push((
                            sig.id.to_string(),
                            Outcome::Failed {
                                kind: err.kind(),
                                detail,
                            },
                        ));
                    }
                    _ => report.outcomes.push((
                        sig.id.to_string(),
                        Outcome::Failed {
                            kind: err.kind(),
                            detail,
                        },
                    )),
                }
                if err.is_fatal() {
                    report.fatal = Some(err);
                    break;
                }
            }
        }
    }
    let (day_start, day_end) = utc_day(clock.now());
    report.spent_today_usd = store.spend_between(day_start, day_end)?;
    Ok(report)
}

/// How often the records of a finished call are tried when the store stays busy (each try
/// already waited the store's own busy timeout, `--lock-wait`): the answer is paid for, and
/// another pass's long ingest transaction must not lose it.
const RECORD_TRIES: u32 = 10;

/// Run `f` in one store transaction: committed when it succeeds, rolled back when it fails;
/// tried again (whole) while the store is busy, up to [`RECORD_TRIES`] times.
fn in_one_transaction(
    store: &mut dyn DiagnosisStore,
    mut f: impl FnMut(&mut dyn DiagnosisStore) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let result = store
            .begin()
            .and_then(|()| f(store))
            .and_then(|()| store.commit());
        match result {
            Ok(()) => return Ok(()),
            Err(e) => {
                let _ = store.rollback();
                if !matches!(e, StoreError::Busy { .. }) || tries >= RECORD_TRIES {
                    return Err(e);
                }
                std::thread::sleep(std::time::Duration::from_millis(100 * u64::from(tries)));
            }
        }
    }
}

/// (cost to record on the diagnosis, amount charged to the ledger, whether it is an estimate).
fn charge(cost: CallCost, cap: f64, worst: Option<f64>) -> (Option<f64>, f64, bool) {
    match cost {
        CallCost::Nothing => (Some(0.0), 0.0, false),
        CallCost::Reported(c) | CallCost::Priced(c) => (Some(c), c, false),
        // Tokens were spent at an unknown price: charge what was reserved (never nothing).
        CallCost::Unknown => (None, worst.unwrap_or(cap), true),
        // No usage report: charge the worst case, or the cap when even that is unknown.
        CallCost::Killed => {
            let w = worst.unwrap_or(cap);
            (Some(w), w, true)
        }
    }
}

/// Triage, leaving out signatures a live reservation holds (another pass is diagnosing them),
/// with the time of each selected signature's latest diagnosis as triage saw it.
fn triage_pass(
    store: &dyn DiagnosisStore,
    revision: Option<&str>,
    options: &DiagnoseOptions,
    in_flight: &[SignatureId],
    now: UnixNanos,
) -> Result<(Selection, BTreeMap<String, Option<UnixNanos>>), DiagnoseError> {
    let explicit = !options.ids.is_empty();
    let signatures = if explicit {
        let mut v = Vec::new();
        for id in &options.ids {
            let s = store.signature(id)?;
            if !v.iter().any(|x: &Signature| x.id == s.id) {
                v.push(s);
            }
        }
        v
    } else {
        store.signatures(&SignatureFilter {
            statuses: vec![Status::New, Status::Regressed, Status::Investigating],
            ..Default::default()
        })?
    };
    let mut candidates = Vec::with_capacity(signatures.len());
    let mut busy = Vec::new();
    let mut seen = BTreeMap::new();
    for s in signatures {
        if in_flight.contains(&s.id) {
            busy.push((s, Skip::InFlight));
            continue;
        }
        let latest = store.latest_diagnosis(&s.id)?;
        seen.insert(s.id.to_string(), latest.as_ref().map(|d| d.created_at));
        let invalid_attempts = store
            .failed_attempts(&s.id)?
            .iter()
            .filter(|a| a.kind == "schema" && a.codebase_revision.as_deref() == revision)
            .count();
        let history = History {
            diagnosed_at_revision: latest.map(|d| d.codebase_revision),
            invalid_attempts,
        };
        candidates.push(Candidate {
            signature: s,
            history,
        });
    }
    let mut selection = triage::select(
        candidates,
        revision,
        &options.rules,
        explicit,
        options.force,
        now,
    );
    selection.skipped.extend(busy);
    Ok((selection, seen))
}

fn gather_context(
    store: &dyn DiagnosisStore,
    sig: &Signature,
    codebase: Option<&dyn Codebase>,
    telemetry: Option<&mut (dyn TelemetrySource + '_)>,
    revision: Option<String>,
    options: &DiagnoseOptions,
    notes: &mut Vec<String>,
) -> Result<DiagnosisContext, DiagnoseError> {
    let events = store.events(&sig.id, options.max_samples)?;
    let kept = if options.max_samples == 0 {
        Vec::new()
    } else {
        store.event_samples(&sig.id, options.max_samples)?
    };
    // Whole samples when the store kept them; bare references (a database from before samples
    // were kept, or whose samples aged out) otherwise.
    let samples: Vec<SampleEvent> = if kept.is_empty() {
        events
            .iter()
            .map(|e| SampleEvent {
                timestamp: e.timestamp,
                service: e.service.clone(),
                trace_id: e.trace_id.clone(),
                span_id: e.span_id.clone(),
                ..Default::default()
            })
            .collect()
    } else {
        kept.into_iter()
            .map(|e| SampleEvent {
                timestamp: e.timestamp,
                service: e.service,
                service_version: e.service_version,
                trace_id: e.trace_id,
                span_id: e.span_id,
                message: e.message,
                attributes: e.attributes.into_iter().collect(),
            })
            .collect()
    };
    let mut trace = Vec::new();
    if let (Some(source), Some(ev)) = (telemetry, events.iter().find(|e| !e.trace_id.is_empty())) {
        match source.fetch_trace(&ev.trace_id) {
            Ok(Some(spans)) => trace = spans,
            Ok(None) => {}
            Err(e) => notes.push(format!(
                "trace {} not fetched for {}: {e}",
                ev.trace_id,
                short(&sig.id)
            )),
        }
    }
    let mut excerpts = Vec::new();
    let mut commits = Vec::new();
    let mut suspects = Vec::new();
    if let Some(history) = codebase.and_then(|cb| cb.history()) {
        // As `show` finds them: every kept sample's release, the first occurrence's first.
        let mut releases: Vec<String> = store
            .event_samples(&sig.id, 0)?
            .into_iter()
            .rev()
            .filter_map(|e| e.service_version)
            .collect();
        releases.dedup();
        suspects = crate::core::suspects::find(sig, &releases, history).suspects;
    }
    if let Some(cb) = codebase {
        let mut seen: Vec<(String, u32)> = Vec::new();
        for f in sig.key_frames.iter().filter(|f| f.in_app) {
            if excerpts.len() >= options.max_excerpts {
                break;
            }
            let (Some(file), Some(line)) = (&f.file, f.line) else {
                continue;
            };
            let Some(path) = cb.resolve(file) else {
                continue;
            };
            if seen.contains(&(path.clone(), line)) {
                continue;
            }
            seen.push((path.clone(), line));
            match cb.excerpt(&path, line, options.excerpt_radius) {
                Ok(Some(ex)) => excerpts.push(ex),
                Ok(None) => {}
                Err(e) => notes.push(format!("source excerpt skipped: {e}")),
            }
        }
        let mut paths: Vec<String> = excerpts.iter().map(|e| e.path.clone()).collect();
        paths.dedup();
        if !paths.is_empty() && revision.is_some() {
            match cb.recent_commits(&paths, options.max_commits) {
                Ok(c) => commits = c,
                Err(e) => notes.push(format!("recent commits skipped: {e}")),
            }
        }
    }
    Ok(DiagnosisContext {
        samples,
        trace,
        excerpts,
        commits,
        suspects,
        codebase_revision: revision,
    })
}

/// Which files cited by a diagnosis changed since it was made: non-empty means stale.
pub fn stale_files(
    diagnosis: &Diagnosis,
    codebase: &dyn Codebase,
) -> Result<Vec<String>, crate::core::ports::CodebaseError> {
    let Some(rev) = &diagnosis.codebase_revision else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<String> = diagnosis
        .evidence
        .iter()
        .filter(|e| e.verified)
        .map(|e| e.file.clone())
        .collect();
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    codebase.changed_since(rev, &paths)
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests;
