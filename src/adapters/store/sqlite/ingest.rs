//! Ingest: the event ledger and the signature updates of a pass.
//!
//! Each event costs one ledger insert; signature rows and hourly counts touched by the pass are
//! kept in memory and written once at commit, inside the same transaction.

use super::SqliteStore;
use crate::core::lifecycle;
use crate::core::model::{ErrorEvent, EventKey, Fingerprint, Signature, UnixNanos, NANOS_PER_HOUR};
use crate::core::ports::store::RecordOutcome;
use crate::core::ports::StoreError;
use rusqlite::{params, OptionalExtension};

/// A signature row as the pass has changed it.
pub(super) struct PendingSignature {
    pub sig: Signature,
    pub explain: String,
    pub is_new: bool,
    pub ingested_at: UnixNanos,
    /// Samples the signature holds, loaded once per pass and counted up as the pass adds them.
    pub samples: u32,
    /// What this pass counted per release and per environment (written and bounded at flush).
    pub releases: super::releases::Counts,
    pub environments: super::releases::Counts,
}

/// Whole events kept per signature (the rule every store keeps: `core::limits`).
pub(super) const MAX_SAMPLES: u32 = crate::core::limits::SAMPLES_PER_SIGNATURE as u32;

impl SqliteStore {
    pub(super) fn begin_pass(&mut self) -> Result<(), StoreError> {
        if self.in_tx {
            return Ok(());
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.write_err(e))?;
        self.in_tx = true;
        self.pending.clear();
        self.pending_hours.clear();
        self.clear_pending_releases();
        Ok(())
    }

    pub(super) fn commit_pass(&mut self) -> Result<(), StoreError> {
        if !self.in_tx {
            return Ok(());
        }
        if let Err(e) = self.flush() {
            let _ = self.rollback_pass();
            return Err(e);
        }
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| self.write_err(e))?;
        self.in_tx = false;
        self.markers.clear();
        Ok(())
    }

    pub(super) fn rollback_pass(&mut self) -> Result<(), StoreError> {
        self.pending.clear();
        self.pending_hours.clear();
        self.clear_pending_releases();
        if !self.in_tx {
            return Ok(());
        }
        self.in_tx = false;
        self.conn
            .execute_batch("ROLLBACK")
            .map_err(|e| self.write_err(e))
    }

    /// The id events of this fingerprint count under (an absorbed id counts under its survivor).
    fn canonical_id(&self, id: &str) -> Result<String, StoreError> {
        let alias: Option<String> = self
            .conn
            .prepare_cached("SELECT signature_id FROM signature_aliases WHERE alias = ?1")
            .and_then(|mut st| st.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| self.write_err(e))?;
        Ok(alias.unwrap_or_else(|| id.to_string()))
    }

    pub(super) fn record(
        &mut self,
        key: &EventKey,
        fp: &Fingerprint,
        ev: &ErrorEvent,
        now: UnixNanos,
    ) -> Result<RecordOutcome, StoreError> {
        if !self.in_tx {
            // Outside the pass transaction the ledger row would commit on its own while the
            // signature's count waits for a commit that never flushes it: the event would be
            // marked counted and never counted.
            return Err(StoreError::NoPass {
                path: self.path.display().to_string(),
            });
        }
        let sig_id = if self.pending.contains_key(fp.id.as_str()) {
            fp.id.to_string()
        } else {
            self.canonical_id(&fp.id)?
        };
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO events (event_key, signature_id, trace_id, span_id, timestamp, service, ingested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut st| st.execute(params![key_bytes(&key.0), sig_id, ev.trace_id, ev.span_id, ev.timestamp, ev.service, now]))
            .map_err(|e| self.write_err(e))?;
        if inserted == 0 {
            return Ok(RecordOutcome::Duplicate);
        }
        *self
            .pending_hours
            .entry((sig_id.clone(), ev.timestamp.div_euclid(NANOS_PER_HOUR)))
            .or_insert(0) += 1;

        if !self.pending.contains_key(&sig_id) {
            let loaded = self.load_signature(&sig_id)?;
            let pending = match loaded {
                Some(sig) => PendingSignature {
                    sig,
                    explain: String::new(),
                    is_new: false,
                    ingested_at: now,
                    samples: self.sample_count(&sig_id)?,
                    releases: Default::default(),
                    environments: Default::default(),
                },
                None => PendingSignature {
                    sig: Signature::first_of(&sig_id, fp, ev.timestamp),
                    explain: serde_json::to_string(&fp.dropped_frames).unwrap_or_default(),
                    is_new: true,
                    ingested_at: now,
                    samples: 0,
                    releases: Default::default(),
                    environments: Default::default(),
                },
            };
            self.pending.insert(sig_id.clone(), pending);
        }
        // Counted under its release first: the regression check reads that release's first seen.
        let resolved = self.pending.get_mut(&sig_id).is_some_and(|p| {
            super::releases::count(p, ev);
            lifecycle::may_regress(&p.sig, p.is_new && p.sig.count == 0)
        });
        let regression = if resolved {
            self.regression_check(&sig_id, ev)?
        } else {
            None
        };
        let (outcome, change, keep_sample) = {
            let Some(p) = self.pending.get_mut(&sig_id) else {
                return Err(StoreError::Corrupt {
                    path: self.path.display().to_string(),
                    reason: "pending signature vanished".into(),
                });
            };
            let first = p.is_new && p.sig.count == 0;
            let (outcome, change) = lifecycle::count_event(&mut p.sig, ev, first, regression);
            let keep_sample = lifecycle::keeps_sample(p.samples as usize);
            if keep_sample {
                p.samples += 1;
            }
            (outcome, change, keep_sample)
        };
        if keep_sample {
            self.insert_sample(&sig_id, key, ev)?;
        }
        if outcome == RecordOutcome::Regressed {
            self.mark_regressed(&sig_id, crate::core::releases::release_of(ev))?;
        }
        if let Some(t) = change {
            self.history(&sig_id, now, t.from, t.to, &t.reason)?;
        }
        Ok(outcome)
    }

    fn sample_count(&self, sig_id: &str) -> Result<u32, StoreError> {
        self.conn
            .prepare_cached("SELECT count(*) FROM event_samples WHERE signature_id = ?1")
            .and_then(|mut st| st.query_row([sig_id], |r| r.get::<_, i64>(0)))
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(|e| self.write_err(e))
    }

    fn insert_sample(
        &self,
        sig_id: &str,
        key: &EventKey,
        ev: &ErrorEvent,
    ) -> Result<(), StoreError> {
        let attributes = crate::core::limits::sample_attributes(&ev.all_attributes());
        let attributes = serde_json::to_string(&attributes).unwrap_or_else(|_| "{}".into());
        self.conn
            .prepare_cached(
                "INSERT INTO event_samples (signature_id, event_key, timestamp, service, service_version, trace_id,
                    span_id, message, attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    sig_id, key_bytes(&key.0), ev.timestamp, ev.service, ev.service_version, ev.trace_id,
                    ev.span_id, ev.message, attributes
                ])
            })
            .map(|_| ())
            .map_err(|e| self.write_err(e))
    }

    /// Write the signature rows and hourly counts the pass touched (idempotent: later events of
    /// the pass reload what they need).
    pub(super) fn flush(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.pending);
        for p in pending.values() {
            let s = &p.sig;
            let frames = serde_json::to_string(&s.key_frames).unwrap_or_else(|_| "[]".into());
            let services = serde_json::to_string(&s.services).unwrap_or_else(|_| "[]".into());
            let res = if p.is_new {
                self.conn
                    .prepare_cached(
                        "INSERT INTO signatures (id, algorithm_version, basis, status, exception_type, template, key_frames,
                            services, count, first_seen, last_seen, sample_stack, sample_message, explain, last_ingested)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    )
                    .and_then(|mut st| {
                        st.execute(params![
                            s.id, s.algorithm_version, s.basis.as_str(), s.status.as_str(), s.exception_type, s.template,
                            frames, services, s.count as i64, s.first_seen, s.last_seen, s.sample_stack, s.sample_message,
                            p.explain, p.ingested_at
                        ])
                    })
            } else {
                self.conn
                    .prepare_cached(
                        "UPDATE signatures SET status = ?2, services = ?3, count = ?4, first_seen = ?5, last_seen = ?6,
                            sample_stack = ?7, sample_message = ?8, last_ingested = ?9 WHERE id = ?1",
                    )
                    .and_then(|mut st| {
                        st.execute(params![
                            s.id, s.status.as_str(), services, s.count as i64, s.first_seen, s.last_seen, s.sample_stack,
                            s.sample_message, p.ingested_at
                        ])
                    })
            };
            res.map_err(|e| self.write_err(e))?;
        }
        self.flush_releases(&pending)?;
        let hours = std::mem::take(&mut self.pending_hours);
        for ((id, hour), n) in hours {
            self.conn
                .prepare_cached(
                    "INSERT INTO hourly_counts (signature_id, hour, count) VALUES (?1, ?2, ?3)
                     ON CONFLICT (signature_id, hour) DO UPDATE SET count = count + excluded.count",
                )
                .and_then(|mut st| st.execute(params![id, hour, n]))
                .map_err(|e| self.write_err(e))?;
        }
        Ok(())
    }

    pub(super) fn get_cursor(&self, scope: &str) -> Result<Option<UnixNanos>, StoreError> {
        self.conn
            .query_row(
                "SELECT position FROM cursors WHERE scope = ?1",
                [scope],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn put_cursor(
        &mut self,
        scope: &str,
        pos: UnixNanos,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO cursors (scope, position, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (scope) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
                params![scope, pos, now],
            )
            .map(|_| ())
            .map_err(|e| self.write_err(e))
    }
}

/// The 16 bytes behind a 32-hex-character ledger key (stored as a blob: half the index size).
fn key_bytes(hex: &str) -> Vec<u8> {
    let b = hex.as_bytes();
    let val = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    };
    if !b.len().is_multiple_of(2) || !b.iter().all(u8::is_ascii_hexdigit) {
        return b.to_vec();
    }
    b.chunks(2).map(|p| val(p[0]) << 4 | val(p[1])).collect()
}
