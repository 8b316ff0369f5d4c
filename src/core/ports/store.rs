//! The store port: signatures, the event ledger, cursors, status history, diagnoses, spend and
//! notifications, all in one transactional store.

use crate::core::model::{
    Diagnosis, DropReason, ErrorEvent, EventKey, EventRef, EventSample, Fingerprint, Frame,
    HourlyCounts, Signature, SignatureId, SignatureReleases, Status, StatusChange, UnixNanos,
};

/// Errors from the store. Each names the database path.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A read-only command (or a change by hand) was pointed at a database that does not exist:
    /// never created behind the user's back, so a typo in `--db` is not read as "all quiet".
    #[error("no database at {path}: `rounds poll` creates it; or point --db (STORE_SQLITE_PATH) at an existing one")]
    Missing { path: String },
    #[error("cannot create the database {path}: {reason}")]
    Create { path: String, reason: String },
    #[error("cannot write the database {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("the database {path} is busy: another pass holds its lock (waited {waited_secs}s)")]
    Locked { path: String, waited_secs: u64 },
    /// SQLite's own write lock stayed held (by another program, or a writer that ignores the pass
    /// lock) for the whole `--lock-wait`: temporary, like `Locked`.
    #[error("the database {path} is busy: another program holds its SQLite write lock (waited {waited_secs}s)")]
    Busy { path: String, waited_secs: u64 },
    #[error("no signature matches '{id}'")]
    UnknownId { id: String },
    #[error("'{id}' matches {count} signatures; give more characters")]
    AmbiguousId { id: String, count: usize },
    #[error("the database {path} was written by a newer rounds (schema {found}, this build knows {known})")]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("the database {path} holds bad data: {reason}")]
    Corrupt { path: String, reason: String },
    /// A database server that cannot be reached (or dropped the connection).
    #[error("the database {path} is unavailable: {reason}")]
    Unavailable { path: String, reason: String },
    /// A PostgreSQL reader pointed at a database or schema nobody created (never created by it).
    #[error("no rounds store at {path}: `rounds poll` creates the schema; or point DATABASE_URL and STORE_PG_SCHEMA (--pg-schema) at an existing one")]
    MissingSchema { path: String },
    /// A database server that rejected the credentials.
    #[error("the database {path} rejected the credentials: {reason}")]
    Credentials { path: String, reason: String },
    /// An event recorded outside a pass transaction (`PassTransaction::begin` first): refused
    /// before the ledger takes its key, so it is neither counted nor lost.
    #[error("the database {path}: an event was recorded outside a pass transaction (a bug in the caller)")]
    NoPass { path: String },
}

/// How one event landed in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Already in the ledger: counted before, not counted again.
    Duplicate,
    /// First event of a new signature.
    NewSignature,
    /// Another event of a known signature.
    Recurring,
    /// First event of a resolved signature since it was resolved: now regressed.
    Regressed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureSort {
    #[default]
    LastSeen,
    Count,
    FirstSeen,
}

#[derive(Debug, Clone, Default)]
pub struct SignatureFilter {
    pub statuses: Vec<Status>,
    pub service: Option<String>,
    /// Only signatures seen at or after this instant.
    pub seen_since: Option<UnixNanos>,
    /// Case-insensitive substring of type, template or id.
    pub search: Option<String>,
    /// Only signatures seen in this release (`service.version`, exact; among the releases the
    /// store keeps per signature, docs/releases.md).
    pub release: Option<String>,
    /// Only signatures seen in this environment (`deployment.environment`, ASCII
    /// case-insensitive; among the environments the store keeps).
    pub environment: Option<String>,
    pub sort: SignatureSort,
    pub limit: Option<usize>,
}

/// A diagnosis attempt that produced no diagnosis.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedAttempt {
    pub signature_id: SignatureId,
    pub at: UnixNanos,
    pub backend: String,
    pub model: String,
    /// Short machine-readable kind, e.g. `schema`, `timeout`, `budget`, `rate_limited`.
    pub kind: String,
    pub detail: String,
    pub codebase_revision: Option<String>,
}

/// One line of the spend ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendEntry {
    pub at: UnixNanos,
    pub signature_id: SignatureId,
    pub backend: String,
    pub model: String,
    /// What the call cost; for a killed call, its worst case.
    pub cost_usd: f64,
    /// True when the cost is an upper bound rather than reported by the backend.
    pub estimated: bool,
}

/// A notification as recorded: intent first, then sent, so a crash never notifies twice.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    pub signature_id: SignatureId,
    pub channel: String,
    /// e.g. `new`, `regressed`, `diagnosed:<diagnosis id>`, `escalating:<hour>`.
    pub dedup_key: String,
    pub state: NotificationState,
    pub external_ref: Option<String>,
    pub at: UnixNanos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationState {
    Intent,
    Sent,
    /// An intent older than the outbox's age limit: reported once, never retried.
    GivenUp,
}

/// An intent row still waiting in the outbox (not yet sent, not given up).
#[derive(Debug, Clone, PartialEq)]
pub struct PendingNotification {
    pub record: NotificationRecord,
    /// When the intent was first written (the age limit counts from here).
    pub first_at: UnixNanos,
    /// Sends tried so far.
    pub attempts: u32,
    /// Not retried before this instant (backoff).
    pub next_attempt: UnixNanos,
}

/// What `merge_signatures` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The absorbed signature joined an existing survivor.
    Merged,
    /// No survivor existed yet: the absorbed signature became it under the new id.
    Renamed,
    /// The absorbed signature is marked no-merge and stays as it is.
    KeptApart,
    /// Nothing to do: no such signature, or both ids already name one signature.
    Unchanged,
}

/// Summary of one finished pass, kept for `report`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PassSummary {
    pub started_at: UnixNanos,
    pub finished_at: UnixNanos,
    pub source: String,
    pub events_read: u64,
    pub duplicates: u64,
    pub new: u64,
    pub recurring: u64,
    pub regressed: u64,
    pub skipped: u64,
    /// Records skipped as unreadable (poison) by the source.
    pub quarantined: u64,
}

/// A call's worst case held in the spend ledger while the call runs: written (in its own
/// committed transaction) before the LLM is started, settled after. An unsettled reservation
/// counts as spend, so a `rounds` killed mid-call never under-counts; it also claims its
/// signature, so a concurrent pass never diagnoses the same signature.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendReservation {
    pub at: UnixNanos,
    pub signature_id: SignatureId,
    pub backend: String,
    pub model: String,
    /// The most the call can cost (what an abandoned reservation is settled at).
    pub worst_case_usd: f64,
    /// The process that made it (`pid:start`, see `adapters::liveness`): a reservation whose
    /// owner is dead is abandoned and is settled as an estimated spend entry by the next pass.
    pub owner: String,
}

/// A reservation's handle, for `settle_reservation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReservationId(pub i64);

/// What `reserve_spend` did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reserve {
    /// Written and committed: the call may start.
    Reserved(ReservationId),
    /// Spend in the day + live reservations + this worst case would exceed the daily limit;
    /// `committed_usd` is the first two.
    OverBudget { committed_usd: f64 },
    /// A live reservation (another call in flight) already holds this signature.
    Claimed,
}

/// Whether a call of `worst_case_usd` fits beside `committed_usd` (spent + reserved) under
/// `limit_usd`: the one budget rule every store applies inside `reserve_spend`.
pub fn reservation_fits(committed_usd: f64, worst_case_usd: f64, limit_usd: f64) -> bool {
    committed_usd + worst_case_usd <= limit_usd + 1e-9
}

/// The pass's single transaction and the pass lock of a store shared by processes.
pub trait PassTransaction {
    /// Start the pass's single transaction.
    fn begin(&mut self) -> Result<(), StoreError>;
    fn commit(&mut self) -> Result<(), StoreError>;
    fn rollback(&mut self) -> Result<(), StoreError>;

    // The pass (ingest) lock of a store shared by processes.
    /// Let other writers in during slow work that needs no exclusive access (diagnosis, whose
    /// signatures are claimed by spend reservations). No open pass transaction is allowed.
    fn release_pass_lock(&mut self) {}
    /// Take the pass lock again before work that must not interleave (notifications).
    fn reacquire_pass_lock(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Ingest: the event ledger (each event counted once per key), its samples, hourly counts and
/// retention, and the record of each pass.
pub trait EventLedger {
    /// Inside a pass transaction only (`NoPass` otherwise, with nothing written).
    /// Count one event under its fingerprint, exactly once per `key`; also under its release
    /// and environment (`core::releases`: bounded per signature). A resolved signature
    /// regresses unless it was resolved in the next release (`set_resolved_in_release`) and
    /// the event's release is not newer than that one (`core::releases::regresses`); the
    /// history names the release (`core::releases::regression_reason`). An event that does not
    /// regress it is counted as `Recurring` and leaves it resolved.
    fn record_event(
        &mut self,
        key: &EventKey,
        fingerprint: &Fingerprint,
        event: &ErrorEvent,
        now: UnixNanos,
    ) -> Result<RecordOutcome, StoreError>;
    /// Counts per UTC hour for the `hours` hours ending with the hour that holds `end`.
    fn hourly_counts(
        &self,
        id: &str,
        end: UnixNanos,
        hours: usize,
    ) -> Result<HourlyCounts, StoreError>;
    /// Retained event references, newest first; `limit` 0 = all.
    fn events(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError>;
    /// The few events kept whole as samples of the signature, newest first; `limit` 0 = all.
    fn event_samples(&self, id: &str, limit: usize) -> Result<Vec<EventSample>, StoreError>;

    /// Drop ledger entries older than `before`; returns how many.
    fn prune_events(&mut self, before: UnixNanos) -> Result<u64, StoreError>;

    fn record_pass(&mut self, pass: &PassSummary) -> Result<(), StoreError>;
}

/// Signatures and their lifecycle: lookup, status changes (resolve, ignore, regress, auto-resolve)
/// and merges. The rules a status change follows live in `core::releases` and the doc of each
/// method; the store persists them.
pub trait SignatureLifecycle {
    /// Resolve a full id, a unique prefix or an alias to a signature.
    fn signature(&self, id_or_prefix: &str) -> Result<Signature, StoreError>;
    fn signatures(&self, filter: &SignatureFilter) -> Result<Vec<Signature>, StoreError>;
    /// How many signatures match `filter`, ignoring its limit (the M of "showing N of M").
    fn count_signatures(&self, filter: &SignatureFilter) -> Result<u64, StoreError> {
        let all = SignatureFilter {
            limit: None,
            ..filter.clone()
        };
        Ok(self.signatures(&all)?.len() as u64)
    }
    fn set_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError>;
    fn set_ignore(
        &mut self,
        id: &str,
        reason: Option<&str>,
        until: Option<UnixNanos>,
        now: UnixNanos,
    ) -> Result<(), StoreError>;
    /// Resolve a signature as of `release` (`resolve --in-next-release`): occurrences in that
    /// release or an older one leave it resolved. The store remembers the release with its
    /// first seen for this signature (`now` when it holds none). A history entry is written
    /// when the status or the release changes. Every other status change (`set_status`,
    /// `set_ignore`, `auto_resolve`, a regression) forgets the release.
    fn set_resolved_in_release(
        &mut self,
        id: &str,
        release: &str,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError>;
    /// The releases and environments a signature was seen in (`core::releases` bounds them),
    /// with its resolved-in and regressed-in releases. Merges add the absorbed signature's.
    /// `id` is a full id as [`SignatureLifecycle::signature`] returns it; an unknown one holds none.
    fn releases(&self, id: &str) -> Result<SignatureReleases, StoreError>;
    fn status_history(&self, id: &str) -> Result<Vec<StatusChange>, StoreError>;
    /// Frames the fingerprint left out when the signature was made, with why.
    fn explain(&self, id: &str) -> Result<Vec<(Frame, DropReason)>, StoreError>;
    /// Resolve signatures not seen since `quiet_since`; returns their ids.
    fn auto_resolve(
        &mut self,
        quiet_since: UnixNanos,
        now: UnixNanos,
    ) -> Result<Vec<String>, StoreError>;
    /// Lift ignores whose `until` has passed; returns their ids.
    fn expire_ignores(&mut self, now: UnixNanos) -> Result<Vec<String>, StoreError>;

    // Grouping: merges when a template widens or the algorithm changes.
    /// Merge `absorbed` into the signature `survivor` names (creating it from `absorbed` when
    /// it does not exist): counts, first/last seen, hourly counts, event refs, diagnoses and
    /// notifications move over, `absorbed` stays as an alias, and both histories record it.
    /// Safe inside the pass transaction (pending pass state is written first).
    fn merge_signatures(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> Result<MergeOutcome, StoreError>;
    /// Mark a signature no-merge (its split is intentional) or lift the mark; recorded in its history.
    fn set_no_merge(&mut self, id: &str, no_merge: bool, now: UnixNanos) -> Result<(), StoreError>;
    /// Ids that now resolve to `id` (absorbed by merges), oldest first.
    fn aliases(&self, id: &str) -> Result<Vec<String>, StoreError>;
    /// Signatures marked no-merge.
    fn no_merge_signatures(&self) -> Result<Vec<Signature>, StoreError>;
}

/// Diagnoses, failed attempts and the spend ledger with its reservations (the hard budget).
pub trait DiagnosisLedger {
    fn latest_diagnosis(&self, id: &str) -> Result<Option<Diagnosis>, StoreError>;
    fn diagnoses(&self, id: &str) -> Result<Vec<Diagnosis>, StoreError>;
    /// Record a diagnosis and its spend in one transaction.
    fn record_diagnosis(
        &mut self,
        diagnosis: &Diagnosis,
        spend: &SpendEntry,
    ) -> Result<(), StoreError>;
    /// Record a failed attempt and what it cost in one transaction.
    fn record_failed_attempt(
        &mut self,
        attempt: &FailedAttempt,
        spend: Option<&SpendEntry>,
    ) -> Result<(), StoreError>;
    fn failed_attempts(&self, id: &str) -> Result<Vec<FailedAttempt>, StoreError>;
    /// Total spend in `[from, to)`: settled entries plus the worst case of every unsettled
    /// reservation made in it (a call in flight or abandoned is never under-counted).
    fn spend_between(&self, from: UnixNanos, to: UnixNanos) -> Result<f64, StoreError>;

    // Spend reservations (see `SpendReservation`).
    /// In one transaction of its own, committed before returning (an error inside the pass
    /// transaction): settle abandoned reservations (`settle_abandoned_reservations`); `Claimed`
    /// when a reservation holds `r.signature_id`; `OverBudget` unless spend in `[day.0, day.1)`
    /// plus every unsettled reservation plus `r.worst_case_usd` fits in `daily_limit_usd`
    /// (`reservation_fits`); else write the reservation.
    fn reserve_spend(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError>;
    /// Drop a reservation and record `spend` (the actual cost, or the worst case of a killed
    /// call) in the same transaction (the pass transaction when one is open, so it commits with
    /// the diagnosis or attempt recorded beside it). `false` when no such reservation is left
    /// (it was settled already, e.g. as abandoned): nothing is recorded then.
    fn settle_reservation(
        &mut self,
        id: ReservationId,
        spend: Option<&SpendEntry>,
    ) -> Result<bool, StoreError>;
    /// Settle every reservation whose owner is dead as an estimated spend entry of its worst
    /// case (at the reservation's time); returns how many.
    fn settle_abandoned_reservations(&mut self) -> Result<u64, StoreError>;
    /// Unsettled reservations, oldest first.
    fn reservations(&self) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError>;
}

/// Notifications (the outbox every channel's retries come from) and the report marker.
pub trait NotificationOutbox {
    fn notification(
        &self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
    ) -> Result<Option<NotificationRecord>, StoreError>;
    fn put_notification(&mut self, record: &NotificationRecord) -> Result<(), StoreError>;
    /// Intent rows of every channel whose next attempt is due at `now`, oldest first, at most
    /// `limit` (the outbox: required of every store, so none silently drops retries).
    fn due_notifications(
        &self,
        now: UnixNanos,
        limit: usize,
    ) -> Result<Vec<PendingNotification>, StoreError>;
    /// Count one send attempt of an intent row and hold its next one until `next_attempt`.
    /// Written before sending, so a crash mid-send still counts.
    fn notification_attempted(
        &mut self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
        next_attempt: UnixNanos,
    ) -> Result<(), StoreError>;

    // Reports.
    fn last_report_at(&self) -> Result<Option<UnixNanos>, StoreError>;
    fn record_report(&mut self, at: UnixNanos) -> Result<(), StoreError>;
}

/// Poll cursors per source scope, and key/value state for core algorithms (JSON-encoded).
pub trait Cursors {
    fn cursor(&self, scope: &str) -> Result<Option<UnixNanos>, StoreError>;
    fn set_cursor(
        &mut self,
        scope: &str,
        position: UnixNanos,
        now: UnixNanos,
    ) -> Result<(), StoreError>;

    fn state(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn put_state(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
}

/// A whole store: every role. Adapters implement the roles; this is implemented for them. A use
/// case that needs one role takes that role's trait; the pass takes the whole store.
pub trait SignatureStore:
    PassTransaction + EventLedger + SignatureLifecycle + DiagnosisLedger + NotificationOutbox + Cursors
{
}

impl<T> SignatureStore for T where
    T: PassTransaction
        + EventLedger
        + SignatureLifecycle
        + DiagnosisLedger
        + NotificationOutbox
        + Cursors
        + ?Sized
{
}

/// The role traits, for code that calls a whole store's methods (`use ...::store::prelude::*`).
pub mod prelude {
    pub use super::{
        Cursors, DiagnosisLedger, EventLedger, NotificationOutbox, PassTransaction,
        SignatureLifecycle, SignatureStore,
    };
}
