//! Signature merges (a template widened, or `poll --regroup`) and the no-merge mark: everything
//! keyed by the absorbed id moves to the survivor in SQL and the absorbed id stays an alias, as in
//! SQLite. It runs inside the pass transaction when one is open.

use super::{i64_of, PgStore};
use crate::core::model::{Fingerprint, Signature, UnixNanos};
use crate::core::ports::store::MergeOutcome;
use crate::core::ports::StoreError;

impl PgStore {
    fn is_no_merge(&self, id: &str) -> Result<bool, StoreError> {
        let row = self.query_opt("SELECT no_merge FROM signatures WHERE id = $1", &[&id])?;
        match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e)),
            None => Ok(false),
        }
    }

    pub(super) fn merge(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> Result<MergeOutcome, StoreError> {
        if self.in_tx {
            // The pass's signature rows and hourly counts live in memory until commit.
            self.flush()?;
        }
        self.in_transaction(|s| s.merge_rows(absorbed, survivor, reason, now))
    }

    fn merge_rows(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> Result<MergeOutcome, StoreError> {
        let from = self.canonical_id(absorbed)?;
        let into = self.canonical_id(&survivor.id)?;
        if from == into {
            return Ok(MergeOutcome::Unchanged);
        }
        let Some(old) = self.load_signature(&from)? else {
            return Ok(MergeOutcome::Unchanged);
        };
        if self.is_no_merge(&from)? {
            return Ok(MergeOutcome::KeptApart);
        }
        let target = self.load_signature(&into)?;
        let outcome = match &target {
            None => {
                let frames =
                    serde_json::to_string(&survivor.key_frames).unwrap_or_else(|_| "[]".into());
                let explain = serde_json::to_string(&survivor.dropped_frames).unwrap_or_default();
                self.execute(
                    "UPDATE signatures SET id = $2, algorithm_version = $3, basis = $4,
                        exception_type = $5, template = $6, key_frames = $7, explain = $8 WHERE id = $1",
                    &[
                        &from,
                        &into,
                        &i64::from(survivor.algorithm_version),
                        &survivor.basis.as_str(),
                        &survivor.exception_type,
                        &survivor.template,
                        &frames,
                        &explain,
                    ],
                )?;
                self.execute(
                    "INSERT INTO status_history (signature_id, at, from_status, to_status, reason)
                     SELECT $2::TEXT, at, from_status, to_status, reason FROM status_history WHERE signature_id = $1 ORDER BY at, seq",
                    &[&from, &into],
                )?;
                MergeOutcome::Renamed
            }
            Some(t) => {
                let mut services = t.services.clone();
                for s in &old.services {
                    if !services.contains(s) {
                        services.push(s.clone());
                    }
                }
                services.sort();
                let services = serde_json::to_string(&services).unwrap_or_else(|_| "[]".into());
                self.execute(
                    "UPDATE signatures SET count = count + $2, first_seen = LEAST(first_seen, $3),
                        last_seen = GREATEST(last_seen, $4), services = $5, sample_stack = COALESCE(sample_stack, $6),
                        sample_message = COALESCE(sample_message, $7),
                        last_ingested = GREATEST(last_ingested, (SELECT last_ingested FROM signatures WHERE id = $8))
                     WHERE id = $1",
                    &[
                        &into,
                        &i64_of(old.count),
                        &old.first_seen,
                        &old.last_seen,
                        &services,
                        &old.sample_stack,
                        &old.sample_message,
                        &from,
                    ],
                )?;
                self.execute("DELETE FROM signatures WHERE id = $1", &[&from])?;
                MergeOutcome::Merged
            }
        };
        self.move_children(&from, &into, now)?;
        let survivor_status = target.as_ref().map(|t| t.status).unwrap_or(old.status);
        self.history(
            &from,
            now,
            Some(old.status),
            old.status,
            &format!("merged into {into}: {reason}"),
        )?;
        self.history(
            &into,
            now,
            Some(survivor_status),
            survivor_status,
            &format!("absorbed {from}: {reason}"),
        )?;
        Ok(outcome)
    }

    /// Re-key every row that belongs to `from` (the signature row itself is handled by the caller).
    fn move_children(&mut self, from: &str, into: &str, now: UnixNanos) -> Result<(), StoreError> {
        let statements = [
            "UPDATE events SET signature_id = $2 WHERE signature_id = $1",
            "UPDATE event_samples SET signature_id = $2 WHERE signature_id = $1",
            "INSERT INTO hourly_counts (signature_id, hour, count)
                SELECT $2::TEXT, hour, count FROM hourly_counts WHERE signature_id = $1
                ON CONFLICT (signature_id, hour) DO UPDATE SET count = hourly_counts.count + excluded.count",
            "UPDATE diagnoses SET signature_id = $2 WHERE signature_id = $1",
            "UPDATE diagnosis_attempts SET signature_id = $2 WHERE signature_id = $1",
            "UPDATE spend_ledger SET signature_id = $2 WHERE signature_id = $1",
            // Notifications follow the survivor; where it already has the same key, its own record
            // wins and the absorbed one stays behind under the alias, unused (SQLite's OR IGNORE).
            "UPDATE notifications n SET signature_id = $2 WHERE n.signature_id = $1 AND NOT EXISTS
                (SELECT 1 FROM notifications m WHERE m.signature_id = $2 AND m.channel = n.channel
                 AND m.dedup_key = n.dedup_key)",
            "UPDATE signature_aliases SET signature_id = $2 WHERE signature_id = $1",
        ];
        for sql in statements {
            self.execute(sql, &[&from, &into])?;
        }
        self.execute(
            "DELETE FROM hourly_counts WHERE signature_id = $1",
            &[&from],
        )?;
        self.move_releases(from, into)?;
        // Both sides may have been full: the survivor keeps its newest samples only.
        self.execute(
            "DELETE FROM event_samples WHERE signature_id = $1 AND seq NOT IN
                (SELECT seq FROM event_samples WHERE signature_id = $1
                 ORDER BY timestamp DESC, seq DESC LIMIT $2)",
            &[&into, &i64::from(super::ingest::MAX_SAMPLES)],
        )?;
        self.execute(
            "INSERT INTO signature_aliases (alias, signature_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (alias) DO UPDATE SET signature_id = excluded.signature_id",
            &[&from, &into, &now],
        )
        .map(|_| ())
    }

    pub(super) fn mark_no_merge(
        &mut self,
        id: &str,
        no_merge: bool,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            let Some(sig) = s.load_signature(id)? else {
                return Err(StoreError::UnknownId { id: id.to_string() });
            };
            s.execute(
                "UPDATE signatures SET no_merge = $2 WHERE id = $1",
                &[&id, &no_merge],
            )?;
            let reason = if no_merge {
                "marked no-merge: a widening template will not absorb it"
            } else {
                "no-merge lifted"
            };
            s.history(id, now, Some(sig.status), sig.status, reason)
        })
    }

    pub(super) fn aliases_of(&self, id: &str) -> Result<Vec<String>, StoreError> {
        self.rows(
            "SELECT alias FROM signature_aliases WHERE signature_id = $1 ORDER BY created_at, alias",
            &[&id],
            |r| r.try_get(0),
        )
    }

    pub(super) fn no_merge_list(&self) -> Result<Vec<Signature>, StoreError> {
        let ids: Vec<String> = self.rows(
            "SELECT id FROM signatures WHERE no_merge ORDER BY id",
            &[],
            |r| r.try_get(0),
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(s) = self.load_signature(&id)? {
                out.push(s);
            }
        }
        Ok(out)
    }
}
