//! Ingest: the event ledger and the signature updates of a pass, as SQLite does them: one ledger
//! insert per event (`ON CONFLICT DO NOTHING`: the unique key counts an event once whichever host
//! sees it), signature rows and hourly counts kept in memory and written at commit as increments
//! (`count = count + n`), inside the pass transaction.

use super::{i64_of, PgStore};
use crate::core::lifecycle;
use crate::core::model::{ErrorEvent, EventKey, Fingerprint, Signature, UnixNanos, NANOS_PER_HOUR};
use crate::core::ports::store::RecordOutcome;
use crate::core::ports::StoreError;

/// A signature row as the pass has changed it.
pub(super) struct PendingSignature {
    pub sig: Signature,
    pub explain: String,
    pub is_new: bool,
    pub ingested_at: UnixNanos,
    /// Samples the signature holds, loaded once per pass and counted up as the pass adds them.
    pub samples: u32,
    /// Events this pass counted (written as an increment).
    pub added: u64,
}

/// Whole events kept per signature (the rule every store keeps: `core::limits`).
pub(super) const MAX_SAMPLES: u32 = crate::core::limits::SAMPLES_PER_SIGNATURE as u32;

/// State keys that describe this host's files (checkpoints by device and inode): kept per
/// instance, like cursors. Every other key (the template miner) is shared.
fn host_local(key: &str) -> bool {
    key.starts_with("otlp_file.")
}

impl PgStore {
    pub(super) fn begin_pass(&mut self) -> Result<(), StoreError> {
        if self.in_tx {
            return Ok(());
        }
        self.batch("BEGIN")?;
        if let Err(e) = self.take_write_lock() {
            let _ = self.batch("ROLLBACK");
            return Err(e);
        }
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
        self.in_tx = false;
        self.markers.clear();
        self.batch("COMMIT")
    }

    pub(super) fn rollback_pass(&mut self) -> Result<(), StoreError> {
        self.pending.clear();
        self.pending_hours.clear();
        self.clear_pending_releases();
        if !self.in_tx {
            return Ok(());
        }
        self.in_tx = false;
        self.batch("ROLLBACK")
    }

    /// The id events of this fingerprint count under (an absorbed id counts under its survivor).
    pub(super) fn canonical_id(&self, id: &str) -> Result<String, StoreError> {
        let row = self.query_opt(
            "SELECT signature_id FROM signature_aliases WHERE alias = $1",
            &[&id],
        )?;
        match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e)),
            None => Ok(id.to_string()),
        }
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
                path: self.display.clone(),
            });
        }
        let sig_id = if self.pending.contains_key(fp.id.as_str()) {
            fp.id.to_string()
        } else {
            self.canonical_id(&fp.id)?
        };
        let inserted = self.execute(
            "INSERT INTO events (event_key, signature_id, trace_id, span_id, timestamp, service, ingested_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_key) DO NOTHING",
            &[&key_bytes(&key.0), &sig_id, &ev.trace_id, &ev.span_id, &ev.timestamp, &ev.service, &now],
        )?;
        if inserted == 0 {
            return Ok(RecordOutcome::Duplicate);
        }
        *self
            .pending_hours
            .entry((sig_id.clone(), ev.timestamp.div_euclid(NANOS_PER_HOUR)))
            .or_insert(0) += 1;

        if !self.pending.contains_key(&sig_id) {
            let pending = match self.load_signature(&sig_id)? {
                Some(sig) => PendingSignature {
                    sig,
                    explain: String::new(),
                    is_new: false,
                    ingested_at: now,
                    samples: self.sample_count(&sig_id)?,
                    added: 0,
                },
                None => PendingSignature {
                    sig: Signature::first_of(&sig_id, fp, ev.timestamp),
                    explain: serde_json::to_string(&fp.dropped_frames).unwrap_or_default(),
                    is_new: true,
                    ingested_at: now,
                    samples: 0,
                    added: 0,
                },
            };
            self.pending.insert(sig_id.clone(), pending);
        }
        // Counted under its release first: the regression check reads that release's first seen.
        self.count_release(&sig_id, ev);
        let resolved = self
            .pending
            .get(&sig_id)
            .is_some_and(|p| lifecycle::may_regress(&p.sig, p.is_new && p.sig.count == 0));
        let regression = if resolved {
            self.regression_check(&sig_id, ev)?
        } else {
            None
        };
        let (outcome, change, keep_sample) = {
            let Some(p) = self.pending.get_mut(&sig_id) else {
                return Err(StoreError::Corrupt {
                    path: self.display.clone(),
                    reason: "pending signature vanished".into(),
                });
            };
            let first = p.is_new && p.sig.count == 0;
            let (outcome, change) = lifecycle::count_event(&mut p.sig, ev, first, regression);
            p.added += 1;
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
        let rows = self.query(
            "SELECT count(*) FROM event_samples WHERE signature_id = $1",
            &[&sig_id],
        )?;
        let n: i64 = match rows.first() {
            Some(r) => r.try_get(0).map_err(|e| self.err(e))?,
            None => 0,
        };
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn insert_sample(
        &self,
        sig_id: &str,
        key: &EventKey,
        ev: &ErrorEvent,
    ) -> Result<(), StoreError> {
        let attributes = crate::core::limits::sample_attributes(&ev.all_attributes());
        let attributes = serde_json::to_string(&attributes).unwrap_or_else(|_| "{}".into());
        self.execute(
            "INSERT INTO event_samples (signature_id, event_key, timestamp, service, service_version, trace_id,
                span_id, message, attributes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &sig_id, &key_bytes(&key.0), &ev.timestamp, &ev.service, &ev.service_version, &ev.trace_id,
                &ev.span_id, &ev.message, &attributes,
            ],
        )
        .map(|_| ())
    }

    /// Write the signature rows and hourly counts the pass touched, as increments.
    pub(super) fn flush(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.pending);
        for p in pending.values() {
            let s = &p.sig;
            let frames = serde_json::to_string(&s.key_frames).unwrap_or_else(|_| "[]".into());
            let services = serde_json::to_string(&s.services).unwrap_or_else(|_| "[]".into());
            if p.is_new {
                self.execute(
                    "INSERT INTO signatures (id, algorithm_version, basis, status, exception_type, template, key_frames,
                        services, count, first_seen, last_seen, sample_stack, sample_message, explain, last_ingested)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                     ON CONFLICT (id) DO UPDATE SET count = signatures.count + excluded.count,
                        first_seen = LEAST(signatures.first_seen, excluded.first_seen),
                        last_seen = GREATEST(signatures.last_seen, excluded.last_seen),
                        last_ingested = GREATEST(signatures.last_ingested, excluded.last_ingested)",
                    &[
                        &s.id, &i64::from(s.algorithm_version), &s.basis.as_str(), &s.status.as_str(), &s.exception_type,
                        &s.template, &frames, &services, &i64_of(p.added), &s.first_seen, &s.last_seen, &s.sample_stack,
                        &s.sample_message, &p.explain, &p.ingested_at,
                    ],
                )?;
            } else {
                self.execute(
                    "UPDATE signatures SET status = $2, services = $3, count = count + $4,
                        first_seen = LEAST(first_seen, $5), last_seen = GREATEST(last_seen, $6),
                        sample_stack = COALESCE(sample_stack, $7), sample_message = COALESCE(sample_message, $8),
                        last_ingested = GREATEST(last_ingested, $9) WHERE id = $1",
                    &[
                        &s.id, &s.status.as_str(), &services, &i64_of(p.added), &s.first_seen, &s.last_seen,
                        &s.sample_stack, &s.sample_message, &p.ingested_at,
                    ],
                )?;
            }
        }
        self.flush_releases()?;
        let hours = std::mem::take(&mut self.pending_hours);
        for ((id, hour), n) in hours {
            self.execute(
                "INSERT INTO hourly_counts (signature_id, hour, count) VALUES ($1, $2, $3)
                 ON CONFLICT (signature_id, hour) DO UPDATE SET count = hourly_counts.count + excluded.count",
                &[&id, &hour, &n],
            )?;
        }
        Ok(())
    }

    pub(super) fn get_cursor(&self, scope: &str) -> Result<Option<UnixNanos>, StoreError> {
        let row = self.query_opt(
            "SELECT position FROM cursors WHERE instance = $1 AND scope = $2",
            &[&self.instance, &scope],
        )?;
        row.map(|r| r.try_get(0).map_err(|e| self.err(e)))
            .transpose()
    }

    pub(super) fn put_cursor(
        &mut self,
        scope: &str,
        pos: UnixNanos,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO cursors (instance, scope, position, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (instance, scope) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
            &[&self.instance, &scope, &pos, &now],
        )
        .map(|_| ())
    }

    pub(super) fn state_instance(&self, key: &str) -> &str {
        if host_local(key) {
            &self.instance
        } else {
            ""
        }
    }
}

/// The 16 bytes behind a 32-hex-character ledger key (as SQLite stores it).
pub(super) fn key_bytes(hex: &str) -> Vec<u8> {
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
