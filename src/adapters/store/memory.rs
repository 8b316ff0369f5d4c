//! An in-memory signature store with the SQLite store's semantics (tests/store_contract.rs runs
//! one suite against both): for tests and embedders that need no file. A pass transaction is a
//! snapshot clone taken at `begin` and restored at `rollback`; everything else applies at once.

use crate::core::lifecycle;
use crate::core::model::{
    Diagnosis, DropReason, ErrorEvent, EventKey, EventRef, EventSample, Fingerprint, Frame,
    HourlyCounts, SeenIn, Signature, SignatureReleases, Status, StatusChange, UnixNanos,
    NANOS_PER_HOUR,
};
use crate::core::ports::store::{
    Cursors, DiagnosisLedger, EventLedger, NotificationOutbox, PassTransaction, SignatureLifecycle,
};
use crate::core::ports::store::{
    FailedAttempt, MergeOutcome, NotificationRecord, NotificationState, PassSummary,
    PendingNotification, RecordOutcome, ReservationId, Reserve, SignatureFilter, SignatureSort,
    SpendEntry, SpendReservation,
};
use crate::core::ports::StoreError;
use crate::core::releases::{self, ResolvedIn, ENVIRONMENTS_PER_SIGNATURE, RELEASES_PER_SIGNATURE};
use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::core::limits::{sample_attributes, SAMPLES_PER_SIGNATURE as MAX_SAMPLES};
/// Prefix lookups look at this many ids and this many aliases (as the SQLite store's LIMIT).
const PREFIX_LOOKUP: usize = 10;

#[derive(Debug, Clone)]
struct Row {
    sig: Signature,
    explain: Vec<(Frame, DropReason)>,
    last_ingested: UnixNanos,
    no_merge: bool,
    /// Set by `set_resolved_in_release`, forgotten by every other status change.
    resolved_in: Option<ResolvedIn>,
    regressed_in: Option<String>,
}

#[derive(Debug, Clone)]
struct LedgerEntry {
    key: Vec<u8>,
    signature_id: String,
    event: EventRef,
    ingested_at: UnixNanos,
    seq: u64,
}

#[derive(Debug, Clone)]
struct SampleRow {
    signature_id: String,
    sample: EventSample,
    seq: u64,
}

#[derive(Debug, Clone, Default)]
struct Data {
    seq: u64,
    signatures: BTreeMap<String, Row>,
    /// In insertion order (the SQLite rowid order).
    events: Vec<LedgerEntry>,
    keys: HashSet<Vec<u8>>,
    samples: Vec<SampleRow>,
    hourly: BTreeMap<(String, i64), i64>,
    /// Per signature, bounded by `core::releases::keep_bounded`.
    releases: BTreeMap<String, Vec<SeenIn>>,
    environments: BTreeMap<String, Vec<SeenIn>>,
    /// Signatures whose releases or environments the open pass added to (bounded at commit).
    unbounded: BTreeSet<String>,
    history: Vec<(String, StatusChange)>,
    cursors: BTreeMap<String, UnixNanos>,
    /// alias → (signature id, created at)
    aliases: BTreeMap<String, (String, UnixNanos)>,
    diagnoses: Vec<Diagnosis>,
    attempts: Vec<FailedAttempt>,
    spend: Vec<SpendEntry>,
    notifications: BTreeMap<(String, String, String), NotificationRecord>,
    /// The outbox's bookkeeping per notification key (SQLite's first_at, attempts, next_attempt).
    outbox: BTreeMap<(String, String, String), OutboxMeta>,
    outbox_seq: u64,
    passes: Vec<PassSummary>,
    reports: Vec<UnixNanos>,
    state: BTreeMap<String, String>,
    /// Unsettled spend reservations by id (ids never reused, as SQLite's AUTOINCREMENT-free
    /// rowid after the largest).
    reservations: BTreeMap<i64, SpendReservation>,
    reservation_seq: i64,
}

/// When an intent was first written, how often it was tried, and when it may be tried again.
#[derive(Debug, Clone, Copy, Default)]
struct OutboxMeta {
    first_at: UnixNanos,
    attempts: u32,
    next_attempt: UnixNanos,
    /// Insertion order: ties on `first_at` go oldest row first, as SQLite's rowid does.
    seq: u64,
}

/// The in-memory store. Dropped with the process: nothing is written anywhere.
#[derive(Debug, Default)]
pub struct MemoryStore {
    data: Data,
    /// The state at `begin`, while a pass transaction is open.
    snapshot: Option<Data>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Passes recorded so far (oldest first).
    pub fn passes(&self) -> &[PassSummary] {
        &self.data.passes
    }
}

impl Data {
    /// Apply the per-signature bound to what the pass added (`core::releases::keep_bounded`).
    fn bound_releases(&mut self) {
        for id in std::mem::take(&mut self.unbounded) {
            if let Some(rows) = self.releases.get_mut(&id) {
                releases::keep_bounded(rows, RELEASES_PER_SIGNATURE);
            }
            if let Some(rows) = self.environments.get_mut(&id) {
                releases::keep_bounded(rows, ENVIRONMENTS_PER_SIGNATURE);
            }
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn survivor_of(&self, id: &str) -> String {
        self.aliases
            .get(id)
            .map(|(s, _)| s.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn push_history(
        &mut self,
        id: &str,
        at: UnixNanos,
        from: Option<Status>,
        to: Status,
        reason: &str,
    ) {
        self.history.push((
            id.to_string(),
            StatusChange {
                at,
                from,
                to,
                reason: reason.to_string(),
            },
        ));
    }

    fn history_of(&self, id: &str) -> Vec<StatusChange> {
        let mut out: Vec<StatusChange> = self
            .history
            .iter()
            .filter(|(s, _)| s == id)
            .map(|(_, c)| c.clone())
            .collect();
        // Stable: equal instants keep insertion (rowid) order.
        out.sort_by_key(|c| c.at);
        out
    }

    fn resolve(&self, needle: &str) -> Result<Signature, StoreError> {
        let needle = needle.trim().to_ascii_lowercase();
        let unknown = || StoreError::UnknownId { id: needle.clone() };
        if needle.is_empty() || !needle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(unknown());
        }
        if let Some(r) = self.signatures.get(&needle) {
            return Ok(r.sig.clone());
        }
        let matches = |k: &str| k.to_ascii_lowercase().starts_with(&needle);
        let mut ids: Vec<String> = self
            .signatures
            .keys()
            .filter(|k| matches(k))
            .take(PREFIX_LOOKUP)
            .cloned()
            .collect();
        ids.extend(
            self.aliases
                .iter()
                .filter(|(a, _)| matches(a))
                .take(PREFIX_LOOKUP)
                .map(|(_, (s, _))| s.clone()),
        );
        ids.sort();
        ids.dedup();
        match ids.len() {
            0 => Err(unknown()),
            1 => self
                .signatures
                .get(&ids[0])
                .map(|r| r.sig.clone())
                .ok_or_else(unknown),
            n => Err(StoreError::AmbiguousId {
                id: needle.clone(),
                count: n,
            }),
        }
    }

    fn change_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        let sig = self.resolve(id)?;
        // Resolving plainly what was resolved in the next release changes what regresses it.
        let had_release = self
            .signatures
            .get_mut(sig.id.as_str())
            .and_then(|r| r.resolved_in.take())
            .is_some();
        if sig.status == to && !had_release {
            return Ok(());
        }
        if let Some(r) = self.signatures.get_mut(sig.id.as_str()) {
            r.sig.status = to;
            if to != Status::Ignored {
                r.sig.ignore_reason = None;
                r.sig.ignored_until = None;
            }
        }
        self.push_history(&sig.id, now, Some(sig.status), to, reason);
        Ok(())
    }

    fn record(
        &mut self,
        key: &EventKey,
        fp: &Fingerprint,
        ev: &ErrorEvent,
        now: UnixNanos,
    ) -> RecordOutcome {
        let sig_id = self.survivor_of(&fp.id);
        let kb = key_bytes(&key.0);
        if !self.keys.insert(kb.clone()) {
            return RecordOutcome::Duplicate;
        }
        let seq = self.next_seq();
        self.events.push(LedgerEntry {
            key: kb,
            signature_id: sig_id.clone(),
            event: EventRef {
                trace_id: ev.trace_id.clone(),
                span_id: ev.span_id.clone(),
                timestamp: ev.timestamp,
                service: ev.service.clone(),
            },
            ingested_at: now,
            seq,
        });
        *self
            .hourly
            .entry((sig_id.clone(), ev.timestamp.div_euclid(NANOS_PER_HOUR)))
            .or_insert(0) += 1;
        let row = self
            .signatures
            .entry(sig_id.clone())
            .or_insert_with(|| Row {
                sig: Signature::first_of(&sig_id, fp, ev.timestamp),
                explain: fp.dropped_frames.to_vec(),
                last_ingested: now,
                no_merge: false,
                resolved_in: None,
                regressed_in: None,
            });
        let release = releases::release_of(ev);
        let held = self.releases.entry(sig_id.clone()).or_default();
        if let Some(r) = release {
            releases::count_in(held, r, ev.timestamp);
        }
        let release_seen = release.map(|r| {
            let seen = held
                .iter()
                .find(|x| x.name == r)
                .map_or(ev.timestamp, |x| x.first_seen);
            (r, seen)
        });
        if let Some(e) = releases::environment_of(ev) {
            let held = self.environments.entry(sig_id.clone()).or_default();
            releases::count_in(held, e, ev.timestamp);
        }
        // Bounded at commit, as SQLite bounds them when it writes the pass.
        self.unbounded.insert(sig_id.clone());
        let first = row.sig.count == 0;
        let regression = (lifecycle::may_regress(&row.sig, first)
            && releases::regresses(row.resolved_in.as_ref(), release_seen))
        .then(|| releases::regression_reason(row.resolved_in.as_ref(), release));
        let (outcome, change) = lifecycle::count_event(&mut row.sig, ev, first, regression);
        if outcome == RecordOutcome::Regressed {
            row.resolved_in = None;
            row.regressed_in = release.map(str::to_string);
        }
        row.last_ingested = now;
        let held = self
            .samples
            .iter()
            .filter(|x| x.signature_id == sig_id)
            .count();
        if lifecycle::keeps_sample(held) {
            let seq = self.next_seq();
            self.samples.push(SampleRow {
                signature_id: sig_id.clone(),
                sample: sample_of(ev),
                seq,
            });
        }
        if let Some(t) = change {
            self.push_history(&sig_id, now, t.from, t.to, &t.reason);
        }
        outcome
    }

    fn list(&self, f: &SignatureFilter) -> Vec<Signature> {
        let mut out: Vec<Signature> = self
            .signatures
            .values()
            .map(|r| &r.sig)
            .filter(|s| f.statuses.is_empty() || f.statuses.contains(&s.status))
            .filter(|s| {
                f.service
                    .as_ref()
                    .is_none_or(|svc| s.services.iter().any(|x| x.eq_ignore_ascii_case(svc)))
            })
            .filter(|s| f.seen_since.is_none_or(|t| s.last_seen >= t))
            .filter(|s| {
                f.release.as_ref().is_none_or(|r| {
                    self.releases
                        .get(s.id.as_str())
                        .is_some_and(|rows| rows.iter().any(|x| &x.name == r))
                })
            })
            .filter(|s| {
                f.environment.as_ref().is_none_or(|e| {
                    self.environments
                        .get(s.id.as_str())
                        .is_some_and(|rows| rows.iter().any(|x| x.name.eq_ignore_ascii_case(e)))
                })
            })
            .filter(|s| {
                f.search.as_ref().is_none_or(|q| {
                    let q = q.to_lowercase();
                    let services = serde_json::to_string(&s.services).unwrap_or_default();
                    [&s.exception_type, &s.template, &s.id.to_string(), &services]
                        .iter()
                        .any(|field| field.to_lowercase().contains(&q))
                })
            })
            .cloned()
            .collect();
        match f.sort {
            SignatureSort::LastSeen => {
                out.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then_with(|| a.id.cmp(&b.id)))
            }
            SignatureSort::Count => out.sort_by(|a, b| {
                b.count
                    .cmp(&a.count)
                    .then_with(|| b.last_seen.cmp(&a.last_seen))
                    .then_with(|| a.id.cmp(&b.id))
            }),
            SignatureSort::FirstSeen => out.sort_by(|a, b| {
                b.first_seen
                    .cmp(&a.first_seen)
                    .then_with(|| a.id.cmp(&b.id))
            }),
        }
        if let Some(limit) = f.limit {
            out.truncate(limit);
        }
        out
    }

    fn merge(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> MergeOutcome {
        let from = self.survivor_of(absorbed);
        let into = self.survivor_of(&survivor.id);
        if from == into {
            return MergeOutcome::Unchanged;
        }
        let Some(old) = self.signatures.get(&from).cloned() else {
            return MergeOutcome::Unchanged;
        };
        if old.no_merge {
            return MergeOutcome::KeptApart;
        }
        let target = self.signatures.get(&into).map(|r| r.sig.clone());
        self.signatures.remove(&from);
        let outcome = match &target {
            None => {
                let mut row = old.clone();
                row.sig.id = into.clone().into();
                row.sig.algorithm_version = survivor.algorithm_version;
                row.sig.basis = survivor.basis;
                row.sig.exception_type = survivor.exception_type.clone();
                row.sig.template = survivor.template.clone();
                row.sig.key_frames = survivor.key_frames.to_vec();
                row.explain = survivor.dropped_frames.to_vec();
                self.signatures.insert(into.clone(), row);
                let copied: Vec<(String, StatusChange)> = self
                    .history
                    .iter()
                    .filter(|(s, _)| *s == from)
                    .map(|(_, c)| (into.clone(), c.clone()))
                    .collect();
                self.history.extend(copied);
                MergeOutcome::Renamed
            }
            Some(_) => {
                if let Some(t) = self.signatures.get_mut(&into) {
                    let s = &mut t.sig;
                    s.count += old.sig.count;
                    s.first_seen = s.first_seen.min(old.sig.first_seen);
                    s.last_seen = s.last_seen.max(old.sig.last_seen);
                    for svc in &old.sig.services {
                        if !s.services.contains(svc) {
                            s.services.push(svc.clone());
                        }
                    }
                    s.services.sort();
                    if s.sample_stack.is_none() {
                        s.sample_stack = old.sig.sample_stack.clone();
                    }
                    if s.sample_message.is_none() {
                        s.sample_message = old.sig.sample_message.clone();
                    }
                    t.last_ingested = t.last_ingested.max(old.last_ingested);
                }
                MergeOutcome::Merged
            }
        };
        self.move_children(&from, &into, now);
        let survivor_status = target.as_ref().map(|t| t.status).unwrap_or(old.sig.status);
        self.push_history(
            &from,
            now,
            Some(old.sig.status),
            old.sig.status,
            &format!("merged into {into}: {reason}"),
        );
        self.push_history(
            &into,
            now,
            Some(survivor_status),
            survivor_status,
            &format!("absorbed {from}: {reason}"),
        );
        outcome
    }

    fn move_children(&mut self, from: &str, into: &str, now: UnixNanos) {
        for e in self.events.iter_mut().filter(|e| e.signature_id == from) {
            e.signature_id = into.to_string();
        }
        for s in self.samples.iter_mut().filter(|s| s.signature_id == from) {
            s.signature_id = into.to_string();
        }
        let hours: Vec<(i64, i64)> = self
            .hourly
            .iter()
            .filter(|((s, _), _)| s == from)
            .map(|((_, h), c)| (*h, *c))
            .collect();
        for (h, c) in hours {
            self.hourly.remove(&(from.to_string(), h));
            *self.hourly.entry((into.to_string(), h)).or_insert(0) += c;
        }
        self.bound_releases();
        for (table, cap) in [
            (&mut self.releases, RELEASES_PER_SIGNATURE),
            (&mut self.environments, ENVIRONMENTS_PER_SIGNATURE),
        ] {
            if let Some(moved) = table.remove(from) {
                let rows = table.entry(into.to_string()).or_default();
                releases::absorb(rows, &moved);
                releases::keep_bounded(rows, cap);
            }
        }
        for d in self.diagnoses.iter_mut().filter(|d| d.signature_id == from) {
            d.signature_id = into.into();
        }
        for a in self.attempts.iter_mut().filter(|a| a.signature_id == from) {
            a.signature_id = into.into();
        }
        for s in self.spend.iter_mut().filter(|s| s.signature_id == from) {
            s.signature_id = into.into();
        }
        // The survivor's own record wins where both hold a key (SQLite's UPDATE OR IGNORE).
        let moving: Vec<(String, String, String)> = self
            .notifications
            .keys()
            .filter(|(_, s, _)| s == from)
            .cloned()
            .collect();
        for k in moving {
            let to_key = (k.0.clone(), into.to_string(), k.2.clone());
            if self.notifications.contains_key(&to_key) {
                continue;
            }
            if let Some(mut n) = self.notifications.remove(&k) {
                n.signature_id = into.into();
                self.notifications.insert(to_key.clone(), n);
            }
            if let Some(meta) = self.outbox.remove(&k) {
                self.outbox.insert(to_key, meta);
            }
        }
        for (s, _) in self.aliases.values_mut().filter(|(s, _)| s == from) {
            *s = into.to_string();
        }
        // Both sides may have been full: the survivor keeps its newest samples only.
        let mut held: Vec<(UnixNanos, u64)> = self
            .samples
            .iter()
            .filter(|s| s.signature_id == into)
            .map(|s| (s.sample.timestamp, s.seq))
            .collect();
        held.sort_by(|a, b| b.cmp(a));
        let keep: HashSet<u64> = held.iter().take(MAX_SAMPLES).map(|x| x.1).collect();
        self.samples
            .retain(|s| s.signature_id != into || keep.contains(&s.seq));
        match self.aliases.get_mut(from) {
            Some(a) => a.0 = into.to_string(),
            None => {
                self.aliases
                    .insert(from.to_string(), (into.to_string(), now));
            }
        }
    }
}

impl PassTransaction for MemoryStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.snapshot.is_none() {
            self.snapshot = Some(self.data.clone());
        }
        Ok(())
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        self.data.bound_releases();
        self.snapshot = None;
        Ok(())
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        if let Some(d) = self.snapshot.take() {
            self.data = d;
        }
        Ok(())
    }
}

impl EventLedger for MemoryStore {
    fn record_event(
        &mut self,
        key: &EventKey,
        fingerprint: &Fingerprint,
        event: &ErrorEvent,
        now: UnixNanos,
    ) -> Result<RecordOutcome, StoreError> {
        if self.snapshot.is_none() {
            // As every store: an event is recorded inside a pass transaction only.
            return Err(StoreError::NoPass {
                path: "memory".into(),
            });
        }
        Ok(self.data.record(key, fingerprint, event, now))
    }
    fn hourly_counts(
        &self,
        id: &str,
        end: UnixNanos,
        hours: usize,
    ) -> Result<HourlyCounts, StoreError> {
        let last = end.div_euclid(NANOS_PER_HOUR);
        let first = last - hours as i64 + 1;
        let mut counts = vec![0u64; hours];
        for ((_, h), c) in self
            .data
            .hourly
            .range((id.to_string(), first)..=(id.to_string(), last))
        {
            if let Some(slot) = counts.get_mut((h - first) as usize) {
                *slot = (*c).max(0) as u64;
            }
        }
        Ok(HourlyCounts { end, counts })
    }
    fn events(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError> {
        let mut rows: Vec<&LedgerEntry> = self
            .data
            .events
            .iter()
            .filter(|e| e.signature_id == id)
            .collect();
        rows.sort_by_key(|e| std::cmp::Reverse((e.event.timestamp, e.seq)));
        let n = if limit == 0 { rows.len() } else { limit };
        Ok(rows.into_iter().take(n).map(|e| e.event.clone()).collect())
    }
    fn event_samples(&self, id: &str, limit: usize) -> Result<Vec<EventSample>, StoreError> {
        let mut rows: Vec<&SampleRow> = self
            .data
            .samples
            .iter()
            .filter(|s| s.signature_id == id)
            .collect();
        rows.sort_by_key(|s| std::cmp::Reverse((s.sample.timestamp, s.seq)));
        let n = if limit == 0 { rows.len() } else { limit };
        Ok(rows.into_iter().take(n).map(|s| s.sample.clone()).collect())
    }
    fn prune_events(&mut self, before: UnixNanos) -> Result<u64, StoreError> {
        let d = &mut self.data;
        // As SQLite: the oldest ledger row decides whether anything expired at all.
        if d.events.first().is_none_or(|e| e.ingested_at >= before) {
            return Ok(0);
        }
        let hour = before.div_euclid(NANOS_PER_HOUR);
        let n0 = d.events.len();
        let mut gone = Vec::new();
        d.events.retain(|e| {
            let keep = e.ingested_at >= before;
            if !keep {
                gone.push(e.key.clone());
            }
            keep
        });
        for k in gone {
            d.keys.remove(&k);
        }
        let pruned = (n0 - d.events.len()) as u64;
        d.hourly.retain(|(_, h), _| *h >= hour);
        let with_events: HashSet<&str> = d.events.iter().map(|e| e.signature_id.as_str()).collect();
        d.samples.retain(|s| {
            s.sample.timestamp >= before && with_events.contains(s.signature_id.as_str())
        });
        Ok(pruned)
    }
    fn record_pass(&mut self, pass: &PassSummary) -> Result<(), StoreError> {
        self.data.passes.push(pass.clone());
        Ok(())
    }
}

impl SignatureLifecycle for MemoryStore {
    fn signature(&self, id_or_prefix: &str) -> Result<Signature, StoreError> {
        self.data.resolve(id_or_prefix)
    }
    fn signatures(&self, filter: &SignatureFilter) -> Result<Vec<Signature>, StoreError> {
        Ok(self.data.list(filter))
    }
    fn set_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.data.change_status(id, to, reason, now)
    }
    fn set_ignore(
        &mut self,
        id: &str,
        reason: Option<&str>,
        until: Option<UnixNanos>,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        let sig = self.data.resolve(id)?;
        if let Some(r) = self.data.signatures.get_mut(sig.id.as_str()) {
            r.resolved_in = None;
            r.sig.status = Status::Ignored;
            r.sig.ignore_reason = reason.map(str::to_string);
            r.sig.ignored_until = until;
        }
        if sig.status != Status::Ignored {
            let why = match reason {
                Some(r) => format!("ignored: {r}"),
                None => "ignored".to_string(),
            };
            self.data
                .push_history(&sig.id, now, Some(sig.status), Status::Ignored, &why);
        }
        Ok(())
    }
    fn set_resolved_in_release(
        &mut self,
        id: &str,
        release: &str,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        let sig = self.data.resolve(id)?;
        let first_seen = self
            .data
            .releases
            .get(sig.id.as_str())
            .and_then(|rows| rows.iter().find(|r| r.name == release))
            .map_or(now, |r| r.first_seen);
        let marker = ResolvedIn {
            release: release.to_string(),
            first_seen,
        };
        let Some(r) = self.data.signatures.get_mut(sig.id.as_str()) else {
            return Err(StoreError::UnknownId { id: id.to_string() });
        };
        let same_release = r.resolved_in.as_ref().map(|m| &m.release) == Some(&marker.release);
        if sig.status == Status::Resolved && same_release {
            return Ok(());
        }
        r.sig.status = Status::Resolved;
        r.sig.ignore_reason = None;
        r.sig.ignored_until = None;
        r.resolved_in = Some(marker);
        self.data
            .push_history(&sig.id, now, Some(sig.status), Status::Resolved, reason);
        Ok(())
    }
    fn releases(&self, id: &str) -> Result<SignatureReleases, StoreError> {
        let row = self.data.signatures.get(id);
        Ok(SignatureReleases {
            releases: self.data.releases.get(id).cloned().unwrap_or_default(),
            environments: self.data.environments.get(id).cloned().unwrap_or_default(),
            resolved_in: row.and_then(|r| r.resolved_in.as_ref().map(|m| m.release.clone())),
            regressed_in: row.and_then(|r| r.regressed_in.clone()),
        })
    }
    fn status_history(&self, id: &str) -> Result<Vec<StatusChange>, StoreError> {
        Ok(self.data.history_of(id))
    }
    fn explain(&self, id: &str) -> Result<Vec<(Frame, DropReason)>, StoreError> {
        Ok(self
            .data
            .signatures
            .get(id)
            .map(|r| r.explain.clone())
            .unwrap_or_default())
    }
    fn auto_resolve(
        &mut self,
        quiet_since: UnixNanos,
        now: UnixNanos,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String, Status)> = self
            .data
            .signatures
            .values()
            .filter(|r| {
                lifecycle::resolves_when_quiet(
                    r.sig.status,
                    r.sig.last_seen,
                    r.last_ingested,
                    quiet_since,
                )
            })
            .map(|r| (r.sig.id.to_string(), r.sig.status))
            .collect();
        for (id, status) in &rows {
            if let Some(r) = self.data.signatures.get_mut(id) {
                r.sig.status = Status::Resolved;
                r.resolved_in = None;
            }
            self.data.push_history(
                id,
                now,
                Some(*status),
                Status::Resolved,
                lifecycle::QUIET_REASON,
            );
        }
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
    fn expire_ignores(&mut self, now: UnixNanos) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> = self
            .data
            .signatures
            .values()
            .filter(|r| lifecycle::ignore_ended(r.sig.status, r.sig.ignored_until, now))
            .map(|r| r.sig.id.to_string())
            .collect();
        for id in &ids {
            let back = crate::core::triage::status_before_ignore(&self.data.history_of(id));
            self.data
                .change_status(id, back, lifecycle::IGNORE_ENDED_REASON, now)?;
        }
        Ok(ids)
    }
    fn merge_signatures(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> Result<MergeOutcome, StoreError> {
        Ok(self.data.merge(absorbed, survivor, reason, now))
    }
    fn set_no_merge(&mut self, id: &str, no_merge: bool, now: UnixNanos) -> Result<(), StoreError> {
        let Some(r) = self.data.signatures.get_mut(id) else {
            return Err(StoreError::UnknownId { id: id.to_string() });
        };
        r.no_merge = no_merge;
        let status = r.sig.status;
        let reason = if no_merge {
            "marked no-merge: a widening template will not absorb it"
        } else {
            "no-merge lifted"
        };
        self.data
            .push_history(id, now, Some(status), status, reason);
        Ok(())
    }
    fn aliases(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut out: Vec<(UnixNanos, String)> = self
            .data
            .aliases
            .iter()
            .filter(|(_, (s, _))| s == id)
            .map(|(a, (_, at))| (*at, a.clone()))
            .collect();
        out.sort();
        Ok(out.into_iter().map(|x| x.1).collect())
    }
    fn no_merge_signatures(&self) -> Result<Vec<Signature>, StoreError> {
        Ok(self
            .data
            .signatures
            .values()
            .filter(|r| r.no_merge)
            .map(|r| r.sig.clone())
            .collect())
    }
}

impl DiagnosisLedger for MemoryStore {
    fn latest_diagnosis(&self, id: &str) -> Result<Option<Diagnosis>, StoreError> {
        Ok(self.diagnoses(id)?.pop())
    }
    fn diagnoses(&self, id: &str) -> Result<Vec<Diagnosis>, StoreError> {
        let mut out: Vec<Diagnosis> = self
            .data
            .diagnoses
            .iter()
            .filter(|d| d.signature_id == id)
            .cloned()
            .collect();
        out.sort_by_key(|d| d.created_at);
        Ok(out)
    }
    fn record_diagnosis(
        &mut self,
        diagnosis: &Diagnosis,
        spend: &SpendEntry,
    ) -> Result<(), StoreError> {
        self.data.diagnoses.push(diagnosis.clone());
        self.data.spend.push(spend.clone());
        Ok(())
    }
    fn record_failed_attempt(
        &mut self,
        attempt: &FailedAttempt,
        spend: Option<&SpendEntry>,
    ) -> Result<(), StoreError> {
        self.data.attempts.push(attempt.clone());
        if let Some(s) = spend {
            self.data.spend.push(s.clone());
        }
        Ok(())
    }
    fn failed_attempts(&self, id: &str) -> Result<Vec<FailedAttempt>, StoreError> {
        let mut out: Vec<FailedAttempt> = self
            .data
            .attempts
            .iter()
            .filter(|a| a.signature_id == id)
            .cloned()
            .collect();
        out.sort_by_key(|a| a.at);
        Ok(out)
    }
    fn spend_between(&self, from: UnixNanos, to: UnixNanos) -> Result<f64, StoreError> {
        let settled: f64 = self
            .data
            .spend
            .iter()
            .filter(|s| s.at >= from && s.at < to)
            .map(|s| s.cost_usd)
            .sum();
        let reserved: f64 = self
            .data
            .reservations
            .values()
            .filter(|r| r.at >= from && r.at < to)
            .map(|r| r.worst_case_usd)
            .sum();
        Ok(settled + reserved)
    }
    fn reserve_spend(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError> {
        if self.snapshot.is_some() {
            return Err(StoreError::Write {
                path: ":memory:".into(),
                reason:
                    "a spend reservation must commit on its own, not inside the pass transaction"
                        .into(),
            });
        }
        self.settle_abandoned_reservations()?;
        if self
            .data
            .reservations
            .values()
            .any(|x| x.signature_id == r.signature_id)
        {
            return Ok(Reserve::Claimed);
        }
        let settled: f64 = self
            .data
            .spend
            .iter()
            .filter(|s| s.at >= day.0 && s.at < day.1)
            .map(|s| s.cost_usd)
            .sum();
        // Every unsettled reservation counts, whatever its day: it may still spend today.
        let reserved: f64 = self
            .data
            .reservations
            .values()
            .map(|x| x.worst_case_usd)
            .sum();
        let committed = settled + reserved;
        if !crate::core::ports::store::reservation_fits(
            committed,
            r.worst_case_usd,
            daily_limit_usd,
        ) {
            return Ok(Reserve::OverBudget {
                committed_usd: committed,
            });
        }
        self.data.reservation_seq += 1;
        let id = self.data.reservation_seq;
        self.data.reservations.insert(id, r.clone());
        Ok(Reserve::Reserved(ReservationId(id)))
    }
    fn settle_reservation(
        &mut self,
        id: ReservationId,
        spend: Option<&SpendEntry>,
    ) -> Result<bool, StoreError> {
        if self.data.reservations.remove(&id.0).is_none() {
            return Ok(false);
        }
        self.data.spend.extend(spend.cloned());
        Ok(true)
    }
    fn settle_abandoned_reservations(&mut self) -> Result<u64, StoreError> {
        let dead: Vec<i64> = self
            .data
            .reservations
            .iter()
            .filter(|(_, r)| !crate::adapters::liveness::owner_alive(&r.owner))
            .map(|(id, _)| *id)
            .collect();
        for id in &dead {
            if let Some(r) = self.data.reservations.remove(id) {
                self.data.spend.push(abandoned_spend(r));
            }
        }
        Ok(dead.len() as u64)
    }
    fn reservations(&self) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError> {
        Ok(self
            .data
            .reservations
            .iter()
            .map(|(id, r)| (ReservationId(*id), r.clone()))
            .collect())
    }
}

impl NotificationOutbox for MemoryStore {
    fn notification(
        &self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
    ) -> Result<Option<NotificationRecord>, StoreError> {
        Ok(self
            .data
            .notifications
            .get(&(
                channel.to_string(),
                signature_id.to_string(),
                dedup_key.to_string(),
            ))
            .cloned())
    }
    fn put_notification(&mut self, record: &NotificationRecord) -> Result<(), StoreError> {
        let key = (
            record.channel.clone(),
            record.signature_id.to_string(),
            record.dedup_key.clone(),
        );
        let mut rec = record.clone();
        if rec.external_ref.is_none() {
            rec.external_ref = self
                .data
                .notifications
                .get(&key)
                .and_then(|n| n.external_ref.clone());
        }
        if !self.data.outbox.contains_key(&key) {
            self.data.outbox_seq += 1;
            let meta = OutboxMeta {
                first_at: rec.at,
                seq: self.data.outbox_seq,
                ..OutboxMeta::default()
            };
            self.data.outbox.insert(key.clone(), meta);
        }
        self.data.notifications.insert(key, rec);
        Ok(())
    }
    fn due_notifications(
        &self,
        now: UnixNanos,
        limit: usize,
    ) -> Result<Vec<PendingNotification>, StoreError> {
        let mut due: Vec<(OutboxMeta, &NotificationRecord)> = self
            .data
            .notifications
            .iter()
            .filter(|(_, n)| n.state == NotificationState::Intent)
            .filter_map(|(k, n)| self.data.outbox.get(k).map(|m| (*m, n)))
            .filter(|(m, _)| m.next_attempt <= now)
            .collect();
        due.sort_by_key(|(m, _)| (m.first_at, m.seq));
        Ok(due
            .into_iter()
            .take(limit)
            .map(|(m, n)| PendingNotification {
                record: n.clone(),
                first_at: m.first_at,
                attempts: m.attempts,
                next_attempt: m.next_attempt,
            })
            .collect())
    }
    fn notification_attempted(
        &mut self,
        channel: &str,
        signature_id: &str,
        dedup_key: &str,
        next_attempt: UnixNanos,
    ) -> Result<(), StoreError> {
        let key = (
            channel.to_string(),
            signature_id.to_string(),
            dedup_key.to_string(),
        );
        if let Some(meta) = self.data.outbox.get_mut(&key) {
            meta.attempts = meta.attempts.saturating_add(1);
            meta.next_attempt = next_attempt;
        }
        Ok(())
    }
    fn last_report_at(&self) -> Result<Option<UnixNanos>, StoreError> {
        Ok(self.data.reports.iter().copied().max())
    }
    fn record_report(&mut self, at: UnixNanos) -> Result<(), StoreError> {
        self.data.reports.push(at);
        Ok(())
    }
}

impl Cursors for MemoryStore {
    fn cursor(&self, scope: &str) -> Result<Option<UnixNanos>, StoreError> {
        Ok(self.data.cursors.get(scope).copied())
    }
    fn set_cursor(
        &mut self,
        scope: &str,
        position: UnixNanos,
        _now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.data.cursors.insert(scope.to_string(), position);
        Ok(())
    }
    fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.data.state.get(key).cloned())
    }
    fn put_state(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.data.state.insert(key.to_string(), value.to_string());
        Ok(())
    }
}

/// The event kept whole as a sample, its attributes bounded as every store bounds them.
fn sample_of(ev: &ErrorEvent) -> EventSample {
    let attributes = sample_attributes(&ev.all_attributes());
    EventSample {
        trace_id: ev.trace_id.clone(),
        span_id: ev.span_id.clone(),
        timestamp: ev.timestamp,
        service: ev.service.clone(),
        service_version: ev.service_version.clone(),
        message: ev.message.clone(),
        attributes,
    }
}

/// The ledger identity of a key, as the SQLite store stores it (hex decoded to bytes, so case
/// does not matter; anything else kept as its bytes).
fn key_bytes(hex: &str) -> Vec<u8> {
    let b = hex.as_bytes();
    if !b.len().is_multiple_of(2) || !b.iter().all(u8::is_ascii_hexdigit) {
        return b.to_vec();
    }
    let val = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    };
    b.chunks(2).map(|p| val(p[0]) << 4 | val(p[1])).collect()
}

/// The spend entry an abandoned reservation becomes: its worst case, estimated, at its time.
pub(crate) fn abandoned_spend(r: SpendReservation) -> SpendEntry {
    SpendEntry {
        at: r.at,
        signature_id: r.signature_id,
        backend: r.backend,
        model: r.model,
        cost_usd: r.worst_case_usd,
        estimated: true,
    }
}
