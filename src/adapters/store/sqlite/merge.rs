//! Signature merges (a template widened, or `poll --regroup`) and the no-merge mark.
//!
//! A merge moves everything keyed by the absorbed id to the survivor in SQL and leaves the
//! absorbed id as an alias, so `show OLD`, ledger lookups and notifier dedup keys all land on
//! the survivor. It runs inside the pass transaction when one is open.

use super::SqliteStore;
use crate::core::model::{Fingerprint, Signature, UnixNanos};
use crate::core::ports::store::MergeOutcome;
use crate::core::ports::StoreError;
use rusqlite::{params, OptionalExtension};

const RENAME: &str = "UPDATE signatures SET id = ?2, algorithm_version = ?3, basis = ?4,
    exception_type = ?5, template = ?6, key_frames = ?7, explain = ?8 WHERE id = ?1";

const COPY_HISTORY: &str =
    "INSERT INTO status_history (signature_id, at, from_status, to_status, reason)
    SELECT ?2, at, from_status, to_status, reason FROM status_history WHERE signature_id = ?1";

const ABSORB: &str = "UPDATE signatures SET count = count + ?2, first_seen = min(first_seen, ?3),
    last_seen = max(last_seen, ?4), services = ?5, sample_stack = coalesce(sample_stack, ?6),
    sample_message = coalesce(sample_message, ?7),
    last_ingested = max(last_ingested, (SELECT last_ingested FROM signatures WHERE id = ?8))
    WHERE id = ?1";

impl SqliteStore {
    /// Run one cached statement (merges run the same few statements many times in a pass).
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut st| st.execute(params))
            .map_err(|e| self.write_err(e))
    }

    /// The signature an id currently counts under (itself unless it is an alias).
    fn survivor_of(&self, id: &str) -> Result<String, StoreError> {
        let alias: Option<String> = self
            .conn
            .prepare_cached("SELECT signature_id FROM signature_aliases WHERE alias = ?1")
            .and_then(|mut st| st.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| self.write_err(e))?;
        Ok(alias.unwrap_or_else(|| id.to_string()))
    }

    fn is_no_merge(&self, id: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT no_merge FROM signatures WHERE id = ?1")
            .and_then(|mut st| st.query_row([id], |r| r.get::<_, i64>(0)).optional())
            .map(|v| v.unwrap_or(0) != 0)
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn merge(
        &mut self,
        absorbed: &str,
        survivor: &Fingerprint,
        reason: &str,
        now: UnixNanos,
    ) -> Result<MergeOutcome, StoreError> {
        if self.in_tx {
            // Signature rows and hourly counts of this pass live in memory until commit;
            // write them first so the SQL below sees (and moves) them.
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
        let from = self.survivor_of(absorbed)?;
        let into = self.survivor_of(&survivor.id)?;
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
                // The survivor is new: the absorbed row becomes it, under the new fingerprint.
                let frames =
                    serde_json::to_string(&survivor.key_frames).unwrap_or_else(|_| "[]".into());
                let explain = serde_json::to_string(&survivor.dropped_frames).unwrap_or_default();
                self.exec(
                    RENAME,
                    params![
                        from,
                        into,
                        survivor.algorithm_version,
                        survivor.basis.as_str(),
                        survivor.exception_type,
                        survivor.template,
                        frames,
                        explain
                    ],
                )?;
                // The survivor's history starts with the absorbed one's.
                self.exec(COPY_HISTORY, params![from, into])?;
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
                self.exec(
                    ABSORB,
                    params![
                        into,
                        old.count as i64,
                        old.first_seen,
                        old.last_seen,
                        services,
                        old.sample_stack,
                        old.sample_message,
                        from
                    ],
                )?;
                self.exec("DELETE FROM signatures WHERE id = ?1", [&from])?;
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
            "UPDATE events SET signature_id = ?2 WHERE signature_id = ?1",
            "UPDATE event_samples SET signature_id = ?2 WHERE signature_id = ?1",
            "INSERT INTO hourly_counts (signature_id, hour, count)
                SELECT ?2, hour, count FROM hourly_counts WHERE signature_id = ?1
                ON CONFLICT (signature_id, hour) DO UPDATE SET count = count + excluded.count",
            "DELETE FROM hourly_counts WHERE signature_id = ?1 AND ?2 IS NOT NULL",
            "UPDATE diagnoses SET signature_id = ?2 WHERE signature_id = ?1",
            "UPDATE diagnosis_attempts SET signature_id = ?2 WHERE signature_id = ?1",
            "UPDATE spend_ledger SET signature_id = ?2 WHERE signature_id = ?1",
            // Notifications follow the survivor (its GitHub issue, its dedup keys); where the
            // survivor already has the same key, its own record wins and the absorbed one stays
            // behind under the alias, unused.
            "UPDATE OR IGNORE notifications SET signature_id = ?2 WHERE signature_id = ?1",
            "UPDATE signature_aliases SET signature_id = ?2 WHERE signature_id = ?1",
        ];
        for sql in statements {
            self.exec(sql, params![from, into])?;
        }
        self.move_releases(from, into)?;
        // Both sides may have been full: the survivor keeps its newest samples only.
        self.exec(
            "DELETE FROM event_samples WHERE signature_id = ?1 AND rowid NOT IN
                (SELECT rowid FROM event_samples WHERE signature_id = ?1
                 ORDER BY timestamp DESC, rowid DESC LIMIT ?2)",
            params![into, i64::from(super::ingest::MAX_SAMPLES)],
        )?;
        self.exec(
            "INSERT INTO signature_aliases (alias, signature_id, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (alias) DO UPDATE SET signature_id = excluded.signature_id",
            params![from, into, now],
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
            s.exec(
                "UPDATE signatures SET no_merge = ?2 WHERE id = ?1",
                params![id, i64::from(no_merge)],
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
        self.conn
            .prepare_cached(
                "SELECT alias FROM signature_aliases WHERE signature_id = ?1 ORDER BY created_at, alias",
            )
            .and_then(|mut st| st.query_map([id], |r| r.get(0))?.collect())
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn no_merge_list(&self) -> Result<Vec<Signature>, StoreError> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT id FROM signatures WHERE no_merge != 0 ORDER BY id")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.write_err(e))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(s) = self.load_signature(&id)? {
                out.push(s);
            }
        }
        Ok(out)
    }
}
