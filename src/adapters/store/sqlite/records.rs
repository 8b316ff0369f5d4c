//! Records kept beside signatures (passes, diagnoses and the spend ledger, notifications, reports,
//! algorithm state) and the `SignatureStore` implementation that ties the store together.

use super::SqliteStore;
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
use rusqlite::{params, OptionalExtension, Row};

const DIAG_COLUMNS: &str =
    "signature_id, created_at, root_cause, suggested_fix, confidence, evidence, backend, model,
    cost_usd, input_tokens, output_tokens, duration_ms, prompt_version, codebase_revision";

fn row_to_diagnosis(r: &Row<'_>) -> rusqlite::Result<Diagnosis> {
    let confidence: String = r.get(4)?;
    let evidence: String = r.get(5)?;
    Ok(Diagnosis {
        signature_id: r.get(0)?,
        created_at: r.get(1)?,
        root_cause: r.get(2)?,
        suggested_fix: r.get(3)?,
        confidence: Confidence::parse(&confidence).unwrap_or(Confidence::Low),
        evidence: serde_json::from_str::<Vec<Evidence>>(&evidence).unwrap_or_default(),
        backend: r.get(6)?,
        model: r.get(7)?,
        cost_usd: r.get(8)?,
        input_tokens: r.get::<_, i64>(9)? as u64,
        output_tokens: r.get::<_, i64>(10)? as u64,
        duration_ms: r.get::<_, i64>(11)? as u64,
        prompt_version: r.get(12)?,
        codebase_revision: r.get(13)?,
    })
}

impl SqliteStore {
    pub(super) fn insert_spend(&self, s: &SpendEntry) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO spend_ledger (at, signature_id, backend, model, cost_usd, estimated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![s.at, s.signature_id, s.backend, s.model, s.cost_usd, s.estimated],
            )
            .map(|_| ())
            .map_err(|e| self.write_err(e))
    }
}

impl PassTransaction for SqliteStore {
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

impl EventLedger for SqliteStore {
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
            s.conn
                .execute(
                    "INSERT INTO passes (started_at, finished_at, source, events_read, duplicates, new, recurring, regressed, skipped, quarantined)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        p.started_at, p.finished_at, p.source, p.events_read as i64, p.duplicates as i64, p.new as i64,
                        p.recurring as i64, p.regressed as i64, p.skipped as i64, p.quarantined as i64
                    ],
                )
                .map(|_| ())
                .map_err(|e| s.write_err(e))
        })
    }
}

impl SignatureLifecycle for SqliteStore {
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

impl DiagnosisLedger for SqliteStore {
    fn latest_diagnosis(&self, id: &str) -> Result<Option<Diagnosis>, StoreError> {
        self
            .cached_row(
                &format!("SELECT {DIAG_COLUMNS} FROM diagnoses WHERE signature_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1"),
                [id],
                row_to_diagnosis,
            )
            .optional()
            .map_err(|e| self.write_err(e))
    }

    fn diagnoses(&self, id: &str) -> Result<Vec<Diagnosis>, StoreError> {
        self.conn
            .prepare_cached(&format!("SELECT {DIAG_COLUMNS} FROM diagnoses WHERE signature_id = ?1 ORDER BY created_at, id"))
            .and_then(|mut st| st.query_map([id], row_to_diagnosis)?.collect())
            .map_err(|e| self.write_err(e))
    }

    fn record_diagnosis(&mut self, d: &Diagnosis, spend: &SpendEntry) -> Result<(), StoreError> {
        let evidence = serde_json::to_string(&d.evidence).unwrap_or_else(|_| "[]".into());
        self.in_transaction(|s| {
            s.conn
                .execute(
                    &format!("INSERT INTO diagnoses ({DIAG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                    params![
                        d.signature_id, d.created_at, d.root_cause, d.suggested_fix, d.confidence.as_str(), evidence, d.backend,
                        d.model, d.cost_usd, d.input_tokens as i64, d.output_tokens as i64, d.duration_ms as i64,
                        d.prompt_version, d.codebase_revision
                    ],
                )
                .map_err(|e| s.write_err(e))?;
            s.insert_spend(spend)
        })
    }

    fn record_failed_attempt(
        &mut self,
        a: &FailedAttempt,
        spend: Option<&SpendEntry>,
    ) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.conn
                .execute(
                    "INSERT INTO diagnosis_attempts (signature_id, at, backend, model, kind, detail, codebase_revision)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![a.signature_id, a.at, a.backend, a.model, a.kind, a.detail, a.codebase_revision],
                )
                .map_err(|e| s.write_err(e))?;
            match spend {
                Some(sp) => s.insert_spend(sp),
                None => Ok(()),
            }
        })
    }

    fn failed_attempts(&self, id: &str) -> Result<Vec<FailedAttempt>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT signature_id, at, backend, model, kind, detail, codebase_revision FROM diagnosis_attempts
                 WHERE signature_id = ?1 ORDER BY at, id",
            )
            .and_then(|mut st| {
                st.query_map([id], |r| {
                    Ok(FailedAttempt {
                        signature_id: r.get(0)?,
                        at: r.get(1)?,
                        backend: r.get(2)?,
                        model: r.get(3)?,
                        kind: r.get(4)?,
                        detail: r.get(5)?,
                        codebase_revision: r.get(6)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.write_err(e))
    }

    fn spend_between(&self, from: UnixNanos, to: UnixNanos) -> Result<f64, StoreError> {
        self.cached_row(
            "SELECT COALESCE(SUM(cost_usd), 0.0) FROM spend_ledger WHERE at >= ?1 AND at < ?2",
            [from, to],
            |r| r.get::<_, f64>(0),
        )
        .map_err(|e| self.write_err(e))
        .and_then(|settled| Ok(settled + self.reserved_usd(Some((from, to)))?))
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

impl NotificationOutbox for SqliteStore {
    fn notification(
        &self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
    ) -> Result<Option<NotificationRecord>, StoreError> {
        self
            .cached_row(
                "SELECT state, external_ref, at FROM notifications WHERE channel = ?1 AND signature_id = ?2 AND dedup_key = ?3",
                params![channel, signature_id, dedup_key],
                |r| {
                    let state: String = r.get(0)?;
                    Ok(NotificationRecord {
                        signature_id: signature_id.into(),
                        channel: channel.to_string(),
                        dedup_key: dedup_key.to_string(),
                        state: state_from_str(&state),
                        external_ref: r.get(1)?,
                        at: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.write_err(e))
    }

    fn put_notification(&mut self, n: &NotificationRecord) -> Result<(), StoreError> {
        let state = match n.state {
            NotificationState::Intent => "intent",
            NotificationState::Sent => "sent",
            NotificationState::GivenUp => "given_up",
        };
        self.in_transaction(|s| {
            s.conn
                .execute(
                    "INSERT INTO notifications (channel, signature_id, dedup_key, state, external_ref, at, first_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                     ON CONFLICT (channel, signature_id, dedup_key) DO UPDATE SET state = excluded.state,
                        external_ref = COALESCE(excluded.external_ref, external_ref), at = excluded.at,
                        first_at = COALESCE(first_at, at)",
                    params![n.channel, n.signature_id, n.dedup_key, state, n.external_ref, n.at],
                )
                .map(|_| ())
                .map_err(|e| s.write_err(e))
        })
    }

    fn due_notifications(
        &self,
        now: UnixNanos,
        limit: usize,
    ) -> Result<Vec<PendingNotification>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT channel, signature_id, dedup_key, external_ref, at, COALESCE(first_at, at), attempts, next_attempt
                 FROM notifications WHERE state = 'intent' AND next_attempt <= ?1
                 ORDER BY COALESCE(first_at, at), rowid LIMIT ?2",
            )
            .map_err(|e| self.write_err(e))?;
        let rows = stmt
            .query_map(params![now, limit], |r| {
                Ok(PendingNotification {
                    record: NotificationRecord {
                        channel: r.get(0)?,
                        signature_id: r.get(1)?,
                        dedup_key: r.get(2)?,
                        state: NotificationState::Intent,
                        external_ref: r.get(3)?,
                        at: r.get(4)?,
                    },
                    first_at: r.get(5)?,
                    attempts: u32::try_from(r.get::<_, i64>(6)?.max(0)).unwrap_or(u32::MAX),
                    next_attempt: r.get(7)?,
                })
            })
            .map_err(|e| self.write_err(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.write_err(e))
    }

    fn notification_attempted(
        &mut self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
        next_attempt: UnixNanos,
    ) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.conn
                .execute(
                    "UPDATE notifications SET attempts = attempts + 1, next_attempt = ?4
                     WHERE channel = ?1 AND signature_id = ?2 AND dedup_key = ?3",
                    params![channel, signature_id, dedup_key, next_attempt],
                )
                .map(|_| ())
                .map_err(|e| s.write_err(e))
        })
    }

    fn last_report_at(&self) -> Result<Option<UnixNanos>, StoreError> {
        self.cached_row("SELECT MAX(at) FROM reports", [], |r| r.get(0))
            .map_err(|e| self.write_err(e))
    }

    fn record_report(&mut self, at: UnixNanos) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.conn
                .execute("INSERT INTO reports (at) VALUES (?1)", [at])
                .map(|_| ())
                .map_err(|e| s.write_err(e))
        })
    }
}

impl Cursors for SqliteStore {
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
        self.cached_row("SELECT value FROM state WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| self.write_err(e))
    }

    fn put_state(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            s.conn
                .execute(
                    "INSERT INTO state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )
                .map(|_| ())
                .map_err(|e| s.write_err(e))
        })
    }
}

fn state_from_str(s: &str) -> NotificationState {
    match s {
        "sent" => NotificationState::Sent,
        "given_up" => NotificationState::GivenUp,
        _ => NotificationState::Intent,
    }
}
