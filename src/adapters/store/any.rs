//! The store a command opened, whichever backend `STORE_BACKEND` chose: one type for the
//! commands, every `SignatureStore` call passed to the adapter, plus what `status` reads.

use crate::adapters::store::postgres::PgStore;
use crate::adapters::store::sqlite::SqliteStore;
use crate::core::model::{
    Diagnosis, DropReason, ErrorEvent, EventKey, EventRef, EventSample, Fingerprint, Frame,
    HourlyCounts, Signature, SignatureReleases, Status, StatusChange, UnixNanos,
};
use crate::core::ports::store::{
    Cursors, DiagnosisLedger, EventLedger, NotificationOutbox, PassTransaction, SignatureLifecycle,
};
use crate::core::ports::store::{
    FailedAttempt, MergeOutcome, NotificationRecord, PassSummary, PendingNotification,
    RecordOutcome, ReservationId, Reserve, SignatureFilter, SpendEntry, SpendReservation,
};
use crate::core::ports::StoreError;

// One store per process: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Call the same method on whichever store this is.
macro_rules! each {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $call,
            AnyStore::Postgres($s) => $call,
        }
    };
}

impl AnyStore {
    pub fn last_pass(&self) -> Result<Option<PassSummary>, StoreError> {
        each!(self, s => s.last_pass())
    }
    pub fn pass_count(&self) -> Result<u64, StoreError> {
        each!(self, s => s.pass_count())
    }
    pub fn status_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        each!(self, s => s.status_counts())
    }
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        each!(self, s => s.schema_version())
    }
    /// The schema version this build writes (the same number for every backend).
    pub fn known_schema_version(&self) -> i64 {
        match self {
            AnyStore::Sqlite(_) => SqliteStore::known_schema_version(),
            AnyStore::Postgres(_) => PgStore::known_schema_version(),
        }
    }
}

// Every role's every method is forwarded, defaults included: a default here would silently keep
// the SQLite pass lock through diagnosis (`tests/architecture.rs` checks it).
impl PassTransaction for AnyStore {
    fn release_pass_lock(&mut self) {
        each!(self, s => s.release_pass_lock())
    }
    fn reacquire_pass_lock(&mut self) -> Result<(), StoreError> {
        each!(self, s => s.reacquire_pass_lock())
    }
    fn begin(&mut self) -> Result<(), StoreError> {
        each!(self, s => s.begin())
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        each!(self, s => s.commit())
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        each!(self, s => s.rollback())
    }
}

impl EventLedger for AnyStore {
    fn record_event(
        &mut self,
        key: &EventKey,
        fingerprint: &Fingerprint,
        event: &ErrorEvent,
        now: UnixNanos,
    ) -> Result<RecordOutcome, StoreError> {
        each!(self, s => s.record_event(key, fingerprint, event, now))
    }
    fn hourly_counts(
        &self,
        id: &str,
        end: UnixNanos,
        hours: usize,
    ) -> Result<HourlyCounts, StoreError> {
        each!(self, s => s.hourly_counts(id, end, hours))
    }
    fn events(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError> {
        each!(self, s => s.events(id, limit))
    }
    fn event_samples(&self, id: &str, limit: usize) -> Result<Vec<EventSample>, StoreError> {
        each!(self, s => s.event_samples(id, limit))
    }
    fn prune_events(&mut self, before: UnixNanos) -> Result<u64, StoreError> {
        each!(self, s => s.prune_events(before))
    }
    fn record_pass(&mut self, pass: &PassSummary) -> Result<(), StoreError> {
        each!(self, s => s.record_pass(pass))
    }
}

impl SignatureLifecycle for AnyStore {
    fn signature(&self, id_or_prefix: &str) -> Result<Signature, StoreError> {
        each!(self, s => s.signature(id_or_prefix))
    }
    fn signatures(&self, filter: &SignatureFilter) -> Result<Vec<Signature>, StoreError> {
        each!(self, s => s.signatures(filter))
    }
    fn count_signatures(&self, filter: &SignatureFilter) -> Result<u64, StoreError> {
        each!(self, s => s.count_signatures(filter))
    }
    fn set_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        each!(self, s => s.set_status(id, to, reason, now))
    }
    fn set_ignore(
        &mut self,
        id: &str,
        reason: Option<&str>,
        until: Option<UnixNanos>,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        each!(self, s => s.set_ignore(id, reason, until, now))
    }
    fn set_resolved_in_release(
        &mut self,
        id: &str,
        release: &str,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        each!(self, s => s.set_resolved_in_release(id, release, reason, now))
    }
    fn releases(&self, id: &str) -> Result<SignatureReleases, StoreError> {
        each!(self, s => s.releases(id))
    }
    fn status_history(&self, id: &str) -> Result<Vec<StatusChange>, StoreError> {
        each!(self, s => s.status_history(id))
    }
    fn explain(&self, id: &str) -> Result<Vec<(Frame, DropReason)>, StoreError> {
        each!(self, s => s.explain(id))
    }
    fn auto_resolve(
        &mut self,
        quiet_since: UnixNanos,
        now: UnixNanos,
    ) -> Result<Vec<String>, StoreError> {
        each!(self, s => s.auto_resolve(quiet_since, now))
    }
    fn expire_ignores(&mut self, now: UnixNanos) -> Result<Vec<String>, StoreError> {
        each!(self, s => s.expire_ignores(now))
    }
    fn merge_signatures(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> Result<MergeOutcome, StoreError> {
        each!(self, s => s.merge_signatures(absorbed, survivor, reason, now))
    }
    fn set_no_merge(&mut self, id: &str, no_merge: bool, now: UnixNanos) -> Result<(), StoreError> {
        each!(self, s => s.set_no_merge(id, no_merge, now))
    }
    fn aliases(&self, id: &str) -> Result<Vec<String>, StoreError> {
        each!(self, s => s.aliases(id))
    }
    fn no_merge_signatures(&self) -> Result<Vec<Signature>, StoreError> {
        each!(self, s => s.no_merge_signatures())
    }
}

impl DiagnosisLedger for AnyStore {
    fn latest_diagnosis(&self, id: &str) -> Result<Option<Diagnosis>, StoreError> {
        each!(self, s => s.latest_diagnosis(id))
    }
    fn diagnoses(&self, id: &str) -> Result<Vec<Diagnosis>, StoreError> {
        each!(self, s => s.diagnoses(id))
    }
    fn record_diagnosis(
        &mut self,
        diagnosis: &Diagnosis,
        spend: &SpendEntry,
    ) -> Result<(), StoreError> {
        each!(self, s => s.record_diagnosis(diagnosis, spend))
    }
    fn record_failed_attempt(
        &mut self,
        attempt: &FailedAttempt,
        spend: Option<&SpendEntry>,
    ) -> Result<(), StoreError> {
        each!(self, s => s.record_failed_attempt(attempt, spend))
    }
    fn failed_attempts(&self, id: &str) -> Result<Vec<FailedAttempt>, StoreError> {
        each!(self, s => s.failed_attempts(id))
    }
    fn spend_between(&self, from: UnixNanos, to: UnixNanos) -> Result<f64, StoreError> {
        each!(self, s => s.spend_between(from, to))
    }
    fn reserve_spend(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError> {
        each!(self, s => s.reserve_spend(r, day, daily_limit_usd))
    }
    fn settle_reservation(
        &mut self,
        id: ReservationId,
        spend: Option<&SpendEntry>,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.settle_reservation(id, spend))
    }
    fn settle_abandoned_reservations(&mut self) -> Result<u64, StoreError> {
        each!(self, s => s.settle_abandoned_reservations())
    }
    fn reservations(&self) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError> {
        each!(self, s => s.reservations())
    }
}

impl NotificationOutbox for AnyStore {
    fn notification(
        &self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
    ) -> Result<Option<NotificationRecord>, StoreError> {
        each!(self, s => s.notification(channel, signature_id, dedup_key))
    }
    fn put_notification(&mut self, record: &NotificationRecord) -> Result<(), StoreError> {
        each!(self, s => s.put_notification(record))
    }
    fn due_notifications(
        &self,
        now: UnixNanos,
        limit: usize,
    ) -> Result<Vec<PendingNotification>, StoreError> {
        each!(self, s => s.due_notifications(now, limit))
    }
    fn notification_attempted(
        &mut self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
        next_attempt: UnixNanos,
    ) -> Result<(), StoreError> {
        each!(self, s => s.notification_attempted(channel, signature_id, dedup_key, next_attempt))
    }
    fn last_report_at(&self) -> Result<Option<UnixNanos>, StoreError> {
        each!(self, s => s.last_report_at())
    }
    fn record_report(&mut self, at: UnixNanos) -> Result<(), StoreError> {
        each!(self, s => s.record_report(at))
    }
}

impl Cursors for AnyStore {
    fn cursor(&self, scope: &str) -> Result<Option<UnixNanos>, StoreError> {
        each!(self, s => s.cursor(scope))
    }
    fn set_cursor(
        &mut self,
        scope: &str,
        position: UnixNanos,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        each!(self, s => s.set_cursor(scope, position, now))
    }
    fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        each!(self, s => s.state(key))
    }
    fn put_state(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        each!(self, s => s.put_state(key, value))
    }
}
