//! Records kept beside signatures (passes, diagnoses and the spend ledger, notifications, reports,
//! algorithm state) and the `SignatureStore` implementation that ties the store together.

use super::{i64_of, u64_of, PgStore};
use crate::core::model::{
    Confidence, Diagnosis, ErrorEvent, EventKey, EventRef, EventSample, Evidence, Fingerprint,
    HourlyCounts, Signature, SignatureReleases, Status, StatusChange, UnixNanos,
};
use crate::core::ports::store::{
    Cursors, DiagnosisLedger, EventLedger, NotificationOutbox, PassTransaction, SignatureLifecycle,
};
use crate::core::ports::store::{
    FailedAttempt, MergeOutcome, NotificationRecord, NotificationState, PassSummary,
    PendingNotification, RecordOutcome, ReservationId, Reserve, SignatureFilter, SpendEntry,
    SpendReservation,
};
use crate::core::ports::StoreError;
use postgres::Row;

fn row_to_diagnosis(r: &Row) -> Result<Diagnosis, postgres::Error> {
    let confidence: String = r.try_get(4)?;
    let evidence: String = r.try_get(5)?;
    Ok(Diagnosis {
        signature_id: r.try_get(0)?,
        created_at: r.try_get(1)?,
        root_cause: r.try_get(2)?,
        suggested_fix: r.try_get(3)?,
        confidence: Confidence::parse(&confidence).unwrap_or(Confidence::Low),
        evidence: serde_json::from_str::<Vec<Evidence>>(&evidence).unwrap_or_default(),
        backend: r.try_get(6)?,
        model: r.try_get(7)?,
        cost_usd: r.try_get(8)?,
        input_tokens: u64_of(r.try_get(9)?),
        output_tokens: u64_of(r.try_get(10)?),
        duration_ms: u64_of(r.try_get(11)?),
        prompt_version: u32::try_from(r.try_get::<_, i64>(12)?).unwrap_or(0),
        codebase_revision: r.try_get(13)?,
    })
}

pub(super) fn state_str(s: NotificationState) -> &'static str {
    match s {
        NotificationState::Intent => "intent",
        NotificationState::Sent => "sent",
        NotificationState::GivenUp => "given_up",
    }
}

fn state_from_str(s: &str) -> NotificationState {
    match s {
        "sent" => NotificationState::Sent,
        "given_up" => NotificationState::GivenUp,
        _ => NotificationState::Intent,
    }
}

impl PgStore {
    pub(super) fn insert_spend(&self, s: &SpendEntry) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO spend_ledger (at, signature_id, backend, model, cost_usd, estimated) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&s.at, &s.signature_id, &s.backend, &s.model, &s.cost_usd, &s.estimated],
        )
        .map(|_| ())
    }

    pub(super) fn insert_diagnosis(&self, d: &Diagnosis) -> Result<(), StoreError> {
        let evidence = serde_json::to_string(&d.evidence).unwrap_or_else(|_| "[]".into());
        self.execute(
            "INSERT INTO diagnoses (signature_id, created_at, root_cause, suggested_fix, confidence, evidence, backend,
                model, cost_usd, input_tokens, output_tokens, duration_ms, prompt_version, codebase_revision)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &[
                &d.signature_id, &d.created_at, &d.root_cause, &d.suggested_fix, &d.confidence.as_str(), &evidence,
                &d.backend, &d.model, &d.cost_usd, &i64_of(d.input_tokens), &i64_of(d.output_tokens),
                &i64_of(d.duration_ms), &i64::from(d.prompt_version), &d.codebase_revision,
            ],
        )
        .map(|_| ())
    }

    pub(super) fn insert_attempt(&self, a: &FailedAttempt) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO diagnosis_attempts (signature_id, at, backend, model, kind, detail, codebase_revision)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&a.signature_id, &a.at, &a.backend, &a.model, &a.kind, &a.detail, &a.codebase_revision],
        )
        .map(|_| ())
    }
}

impl PassTransaction for PgStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.begin_pass()
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        self.commit_pass()
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        self.rollback_pass()
    }

    fn release_pass_lock(&mut self) {
        self.release_lock();
    }

    fn reacquire_pass_lock(&mut self) -> Result<(), StoreError> {
        self.reacquire_lock()
    }
}

impl EventLedger for PgStore {
    fn record_event(
        &mut self,
        key: &EventKey,
        fingerprint: &Fingerprint,
        event: &ErrorEvent,
        now: UnixNanos,
    ) -> Result<RecordOutcome, StoreError> {
        self.record(key, fingerprint, event, now)
    }
    fn hourly_counts(
        &self,
        id: &str,
        end: UnixNanos,
        hours: usize,
    ) -> Result<HourlyCounts, StoreError> {
        self.hours(id, end, hours)
    }
    fn events(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError> {
        self.event_refs(id, limit)
    }
    fn event_samples(&self, id: &str, limit: usize) -> Result<Vec<EventSample>, StoreError> {
        self.samples(id, limit)
    }
    fn prune_events(&mut self, before: UnixNanos) -> Result<u64, StoreError> {
        self.prune(before)
    }

    fn record_pass(&mut self, p: &PassSummary) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.execute(
                "INSERT INTO passes (started_at, finished_at, source, events_read, duplicates, new, recurring, regressed, skipped, quarantined)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &p.started_at, &p.finished_at, &p.source, &i64_of(p.events_read), &i64_of(p.duplicates),
                    &i64_of(p.new), &i64_of(p.recurring), &i64_of(p.regressed), &i64_of(p.skipped),
                    &i64_of(p.quarantined),
                ],
            )
            .map(|_| ())
        })
    }
}

impl SignatureLifecycle for PgStore {
    fn signature(&self, id_or_prefix: &str) -> Result<Signature, StoreError> {
        self.resolve(id_or_prefix)
    }
    fn signatures(&self, filter: &SignatureFilter) -> Result<Vec<Signature>, StoreError> {
        self.list(filter)
    }
    fn count_signatures(&self, filter: &SignatureFilter) -> Result<u64, StoreError> {
        self.count(filter)
    }
    fn set_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.change_status(id, to, reason, now)
    }
    fn set_ignore(
        &mut self,
        id: &str,
        reason: Option<&str>,
        until: Option<UnixNanos>,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.ignore(id, reason, until, now)
    }
    fn set_resolved_in_release(
        &mut self,
        id: &str,
        release: &str,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.resolve_in_release(id, release, reason, now)
    }
    fn releases(&self, id: &str) -> Result<SignatureReleases, StoreError> {
        self.releases_of(id)
    }
    fn status_history(&self, id: &str) -> Result<Vec<StatusChange>, StoreError> {
        self.history_of(id)
    }
    fn explain(
        &self,
        id: &str,
    ) -> Result<Vec<(crate::core::model::Frame, crate::core::model::DropReason)>, StoreError> {
        self.dropped_frames(id)
    }
    fn auto_resolve(
        &mut self,
        quiet_since: UnixNanos,
        now: UnixNanos,
    ) -> Result<Vec<String>, StoreError> {
        self.resolve_quiet(quiet_since, now)
    }
    fn expire_ignores(&mut self, now: UnixNanos) -> Result<Vec<String>, StoreError> {
        self.lift_expired_ignores(now)
    }

    fn merge_signatures(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> Result<MergeOutcome, StoreError> {
        self.merge(absorbed, survivor, reason, now)
    }

    fn set_no_merge(&mut self, id: &str, no_merge: bool, now: UnixNanos) -> Result<(), StoreError> {
        self.mark_no_merge(id, no_merge, now)
    }

    fn aliases(&self, id: &str) -> Result<Vec<String>, StoreError> {
        self.aliases_of(id)
    }

    fn no_merge_signatures(&self) -> Result<Vec<Signature>, StoreError> {
        self.no_merge_list()
    }
}

impl DiagnosisLedger for PgStore {
    fn latest_diagnosis(&self, id: &str) -> Result<Option<Diagnosis>, StoreError> {
        let row = self.query_opt(
            "SELECT signature_id, created_at, root_cause, suggested_fix, confidence, evidence, backend, model,
                cost_usd, input_tokens, output_tokens, duration_ms, prompt_version, codebase_revision
             FROM diagnoses WHERE signature_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
            &[&id],
        )?;
        row.map(|r| row_to_diagnosis(&r).map_err(|e| self.err(e)))
            .transpose()
    }

    fn diagnoses(&self, id: &str) -> Result<Vec<Diagnosis>, StoreError> {
        self.rows(
            "SELECT signature_id, created_at, root_cause, suggested_fix, confidence, evidence, backend, model,
                cost_usd, input_tokens, output_tokens, duration_ms, prompt_version, codebase_revision
             FROM diagnoses WHERE signature_id = $1 ORDER BY created_at, id",
            &[&id],
            row_to_diagnosis,
        )
    }

    fn record_diagnosis(&mut self, d: &Diagnosis, spend: &SpendEntry) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.insert_diagnosis(d)?;
            s.insert_spend(spend)
        })
    }

    fn record_failed_attempt(
        &mut self,
        a: &FailedAttempt,
        spend: Option<&SpendEntry>,
    ) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.insert_attempt(a)?;
            match spend {
                Some(sp) => s.insert_spend(sp),
                None => Ok(()),
            }
        })
    }

    fn failed_attempts(&self, id: &str) -> Result<Vec<FailedAttempt>, StoreError> {
        self.rows(
            "SELECT signature_id, at, backend, model, kind, detail, codebase_revision FROM diagnosis_attempts
             WHERE signature_id = $1 ORDER BY at, id",
            &[&id],
            |r| {
                Ok(FailedAttempt {
                    signature_id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    backend: r.try_get(2)?,
                    model: r.try_get(3)?,
                    kind: r.try_get(4)?,
                    detail: r.try_get(5)?,
                    codebase_revision: r.try_get(6)?,
                })
            },
        )
    }

    fn spend_between(&self, from: UnixNanos, to: UnixNanos) -> Result<f64, StoreError> {
        let row = self.query_opt(
            "SELECT COALESCE(SUM(cost_usd), 0.0)::DOUBLE PRECISION FROM spend_ledger WHERE at >= $1 AND at < $2",
            &[&from, &to],
        )?;
        let settled: f64 = match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e))?,
            None => 0.0,
        };
        Ok(settled + self.reserved_usd(Some((from, to)))?)
    }

    fn reserve_spend(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError> {
        self.reserve(r, day, daily_limit_usd)
    }

    fn settle_reservation(
        &mut self,
        id: ReservationId,
        spend: Option<&SpendEntry>,
    ) -> Result<bool, StoreError> {
        self.settle(id, spend)
    }

    fn settle_abandoned_reservations(&mut self) -> Result<u64, StoreError> {
        self.settle_abandoned()
    }

    fn reservations(&self) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError> {
        self.list_reservations()
    }
}

impl NotificationOutbox for PgStore {
    fn notification(
        &self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
    ) -> Result<Option<NotificationRecord>, StoreError> {
        let row = self.query_opt(
            "SELECT state, external_ref, at FROM notifications WHERE channel = $1 AND signature_id = $2 AND dedup_key = $3",
            &[&channel, &signature_id, &dedup_key],
        )?;
        row.map(|r| {
            let state: String = r.try_get(0).map_err(|e| self.err(e))?;
            Ok(NotificationRecord {
                signature_id: signature_id.into(),
                channel: channel.to_string(),
                dedup_key: dedup_key.to_string(),
                state: state_from_str(&state),
                external_ref: r.try_get(1).map_err(|e| self.err(e))?,
                at: r.try_get(2).map_err(|e| self.err(e))?,
            })
        })
        .transpose()
    }

    fn put_notification(&mut self, n: &NotificationRecord) -> Result<(), StoreError> {
        let state = state_str(n.state);
        self.in_transaction(|s| {
            s.execute(
                "INSERT INTO notifications (channel, signature_id, dedup_key, state, external_ref, at, first_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)
                 ON CONFLICT (channel, signature_id, dedup_key) DO UPDATE SET state = excluded.state,
                    external_ref = COALESCE(excluded.external_ref, notifications.external_ref), at = excluded.at,
                    first_at = COALESCE(notifications.first_at, notifications.at)",
                &[&n.channel, &n.signature_id, &n.dedup_key, &state, &n.external_ref, &n.at],
            )
            .map(|_| ())
        })
    }

    fn due_notifications(
        &self,
        now: UnixNanos,
        limit: usize,
    ) -> Result<Vec<PendingNotification>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(
            "SELECT channel, signature_id, dedup_key, external_ref, at, COALESCE(first_at, at), attempts, next_attempt
             FROM notifications WHERE state = 'intent' AND next_attempt <= $1
             ORDER BY COALESCE(first_at, at), seq LIMIT $2",
            &[&now, &limit],
            |r| {
                Ok(PendingNotification {
                    record: NotificationRecord {
                        channel: r.try_get(0)?,
                        signature_id: r.try_get(1)?,
                        dedup_key: r.try_get(2)?,
                        state: NotificationState::Intent,
                        external_ref: r.try_get(3)?,
                        at: r.try_get(4)?,
                    },
                    first_at: r.try_get(5)?,
                    attempts: u32::try_from(r.try_get::<_, i64>(6)?.max(0)).unwrap_or(u32::MAX),
                    next_attempt: r.try_get(7)?,
                })
            },
        )
    }

    fn notification_attempted(
        &mut self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
        next_attempt: UnixNanos,
    ) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.execute(
                "UPDATE notifications SET attempts = attempts + 1, next_attempt = $4
                 WHERE channel = $1 AND signature_id = $2 AND dedup_key = $3",
                &[&channel, &signature_id, &dedup_key, &next_attempt],
            )
            .map(|_| ())
        })
    }

    fn last_report_at(&self) -> Result<Option<UnixNanos>, StoreError> {
        let row = self.query_opt("SELECT MAX(at) FROM reports", &[])?;
        match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e)),
            None => Ok(None),
        }
    }

    fn record_report(&mut self, at: UnixNanos) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.execute("INSERT INTO reports (at) VALUES ($1)", &[&at])
                .map(|_| ())
        })
    }
}

impl Cursors for PgStore {
    fn cursor(&self, scope: &str) -> Result<Option<UnixNanos>, StoreError> {
        self.get_cursor(scope)
    }
    fn set_cursor(
        &mut self,
        scope: &str,
        position: UnixNanos,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.put_cursor(scope, position, now)
    }

    fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = self.query_opt(
            "SELECT value FROM state WHERE instance = $1 AND key = $2",
            &[&self.state_instance(key), &key],
        )?;
        row.map(|r| r.try_get(0).map_err(|e| self.err(e)))
            .transpose()
    }

    fn put_state(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        let instance = self.state_instance(key).to_string();
        self.in_transaction(|s| {
            s.execute(
                "INSERT INTO state (instance, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (instance, key) DO UPDATE SET value = excluded.value",
                &[&instance, &key, &value],
            )
            .map(|_| ())
        })
    }
}
