//! Releases and environments per signature: counted in memory during a pass and written (and
//! bounded, `core::releases::keep_bounded`) with the pass's other signature state at commit;
//! the resolved-in-next-release mark and the regression check that reads it.

use super::ingest::PendingSignature;
use super::SqliteStore;
use crate::core::model::{ErrorEvent, SeenIn, SignatureReleases, Status, UnixNanos};
use crate::core::ports::StoreError;
use crate::core::releases::{self, ResolvedIn, ENVIRONMENTS_PER_SIGNATURE, RELEASES_PER_SIGNATURE};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// What a pass added to one release or environment of one signature.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delta {
    count: i64,
    first_seen: UnixNanos,
    last_seen: UnixNanos,
}

/// Per name, kept on the signature's pending state (one lookup per event for both).
pub(super) type Counts = HashMap<String, Delta>;

fn add(counts: &mut Counts, name: &str, at: UnixNanos) {
    // Look up before allocating: most events land on a release seen already.
    if let Some(d) = counts.get_mut(name) {
        d.count += 1;
        d.first_seen = d.first_seen.min(at);
        d.last_seen = d.last_seen.max(at);
        return;
    }
    counts.insert(
        name.to_string(),
        Delta {
            count: 1,
            first_seen: at,
            last_seen: at,
        },
    );
}

/// Count the event under its release and environment (written at flush).
pub(super) fn count(p: &mut PendingSignature, ev: &ErrorEvent) {
    if let Some(r) = releases::release_of(ev) {
        add(&mut p.releases, r, ev.timestamp);
    }
    if let Some(e) = releases::environment_of(ev) {
        add(&mut p.environments, e, ev.timestamp);
    }
}

/// The two tables, named once: (table, name column, bound).
const TABLES: [(&str, &str, usize); 2] = [
    ("signature_releases", "release", RELEASES_PER_SIGNATURE),
    (
        "signature_environments",
        "environment",
        ENVIRONMENTS_PER_SIGNATURE,
    ),
];

fn upsert_sql(table: &str, col: &str) -> String {
    format!(
        "INSERT INTO {table} (signature_id, {col}, count, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (signature_id, {col}) DO UPDATE SET count = count + excluded.count,
            first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
         RETURNING count"
    )
}

/// Keep the first seen and the `?2 - 1` most recently seen (ties by name), as keep_bounded.
fn bound_sql(table: &str, col: &str) -> String {
    let first = format!(
        "(SELECT {col} FROM {table} WHERE signature_id = ?1 ORDER BY first_seen, {col} LIMIT 1)"
    );
    format!(
        "DELETE FROM {table} WHERE signature_id = ?1 AND (SELECT count(*) FROM {table} WHERE signature_id = ?1) > ?2
            AND {col} != {first}
            AND {col} NOT IN (SELECT {col} FROM {table} WHERE signature_id = ?1 AND {col} != {first}
                ORDER BY last_seen DESC, {col} LIMIT ?2 - 1)"
    )
}

impl SqliteStore {
    pub(super) fn clear_pending_releases(&mut self) {
        self.markers.clear();
    }

    /// Write what the pass counted, then bound each touched signature.
    pub(super) fn flush_releases(
        &mut self,
        pending: &HashMap<String, PendingSignature>,
    ) -> Result<(), StoreError> {
        for (i, (table, col, cap)) in TABLES.into_iter().enumerate() {
            let upsert = upsert_sql(table, col);
            let bound = bound_sql(table, col);
            for (sig_id, p) in pending {
                let names = if i == 0 { &p.releases } else { &p.environments };
                if names.is_empty() {
                    continue;
                }
                // Only a name new to the signature can take it over the bound (the count after
                // the upsert equals what this pass added only for a row just inserted).
                let mut added = false;
                for (name, d) in names {
                    let after: i64 = self
                        .conn
                        .prepare_cached(&upsert)
                        .and_then(|mut st| {
                            st.query_row(
                                params![sig_id, name, d.count, d.first_seen, d.last_seen],
                                |r| r.get(0),
                            )
                        })
                        .map_err(|e| self.write_err(e))?;
                    added |= after == d.count;
                }
                // A signature born in this pass holds only what the pass counted.
                if !added || (p.is_new && names.len() <= cap) {
                    continue;
                }
                self.conn
                    .prepare_cached(&bound)
                    .and_then(|mut st| st.execute(params![sig_id, cap as i64]))
                    .map_err(|e| self.write_err(e))?;
            }
        }
        Ok(())
    }

    /// The resolved-in-next-release mark of a signature (cached for the pass).
    fn marker(&mut self, sig_id: &str) -> Result<Option<ResolvedIn>, StoreError> {
        if let Some(m) = self.markers.get(sig_id) {
            return Ok(m.clone());
        }
        let row: Option<(Option<String>, Option<i64>)> = self
            .conn
            .prepare_cached(
                "SELECT resolved_in_release, resolved_in_release_seen FROM signatures WHERE id = ?1",
            )
            .and_then(|mut st| st.query_row([sig_id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| self.write_err(e))?;
        let m = match row {
            Some((Some(release), seen)) => Some(ResolvedIn {
                release,
                first_seen: seen.unwrap_or(0),
            }),
            _ => None,
        };
        self.markers.insert(sig_id.to_string(), m.clone());
        Ok(m)
    }

    /// When this signature first saw `release`: written rows and this pass's count together.
    fn release_first_seen(&self, sig_id: &str, release: &str) -> Result<Option<i64>, StoreError> {
        let stored: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT first_seen FROM signature_releases WHERE signature_id = ?1 AND release = ?2",
            )
            .and_then(|mut st| st.query_row([sig_id, release], |r| r.get(0)).optional())
            .map_err(|e| self.write_err(e))?;
        let pending = self
            .pending
            .get(sig_id)
            .and_then(|p| p.releases.get(release))
            .map(|d| d.first_seen);
        Ok(match (stored, pending) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Whether this event regresses the resolved signature `sig_id`, and the history reason.
    /// Called after the event was counted under its release.
    pub(super) fn regression_check(
        &mut self,
        sig_id: &str,
        ev: &ErrorEvent,
    ) -> Result<Option<String>, StoreError> {
        let marker = self.marker(sig_id)?;
        releases::regression(marker.as_ref(), ev, |r| self.release_first_seen(sig_id, r))
    }

    /// A regression forgets the mark and names the release it came back in.
    pub(super) fn mark_regressed(
        &mut self,
        sig_id: &str,
        release: Option<&str>,
    ) -> Result<(), StoreError> {
        self.markers.insert(sig_id.to_string(), None);
        self.conn
            .prepare_cached(
                "UPDATE signatures SET resolved_in_release = NULL, resolved_in_release_seen = NULL,
                    regressed_in_release = ?2 WHERE id = ?1",
            )
            .and_then(|mut st| st.execute(params![sig_id, release]))
            .map(|_| ())
            .map_err(|e| self.write_err(e))
    }

    /// Whether the signature carries a resolved-in-next-release mark (read from the database).
    pub(super) fn has_marker(&self, sig_id: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT resolved_in_release IS NOT NULL FROM signatures WHERE id = ?1")
            .and_then(|mut st| st.query_row([sig_id], |r| r.get::<_, bool>(0)).optional())
            .map(|v| v.unwrap_or(false))
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn resolve_in_release(
        &mut self,
        id: &str,
        release: &str,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        let sig = self.resolve(id)?;
        let current = self.marker(&sig.id)?;
        if sig.status == Status::Resolved && current.as_ref().is_some_and(|m| m.release == release)
        {
            return Ok(());
        }
        let seen = self.release_first_seen(&sig.id, release)?.unwrap_or(now);
        self.markers.remove(sig.id.as_str());
        self.in_transaction(|s| {
            s.conn
                .execute(
                    "UPDATE signatures SET status = 'resolved', ignore_reason = NULL, ignored_until = NULL,
                        resolved_in_release = ?2, resolved_in_release_seen = ?3 WHERE id = ?1",
                    params![sig.id, release, seen],
                )
                .map_err(|e| s.write_err(e))?;
            s.history(&sig.id, now, Some(sig.status), Status::Resolved, reason)
        })
    }

    fn seen_in(&self, table: &str, col: &str, id: &str) -> Result<Vec<SeenIn>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {col}, count, first_seen, last_seen FROM {table} WHERE signature_id = ?1
                 ORDER BY first_seen, {col}"
            ))
            .and_then(|mut st| {
                st.query_map([id], |r| {
                    Ok(SeenIn {
                        name: r.get(0)?,
                        count: r.get::<_, i64>(1)?.max(0) as u64,
                        first_seen: r.get(2)?,
                        last_seen: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn releases_of(&self, id: &str) -> Result<SignatureReleases, StoreError> {
        let marks: Option<(Option<String>, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT resolved_in_release, regressed_in_release FROM signatures WHERE id = ?1",
            )
            .and_then(|mut st| {
                st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.write_err(e))?;
        let (resolved_in, regressed_in) = marks.unwrap_or_default();
        Ok(SignatureReleases {
            releases: self.seen_in(TABLES[0].0, TABLES[0].1, id)?,
            environments: self.seen_in(TABLES[1].0, TABLES[1].1, id)?,
            resolved_in,
            regressed_in,
        })
    }

    /// A merge: the absorbed signature's releases and environments join the survivor's.
    pub(super) fn move_releases(&self, from: &str, into: &str) -> Result<(), StoreError> {
        for (table, col, cap) in TABLES {
            let statements = [
                format!(
                    "INSERT INTO {table} (signature_id, {col}, count, first_seen, last_seen)
                        SELECT ?2, {col}, count, first_seen, last_seen FROM {table} WHERE signature_id = ?1
                        ON CONFLICT (signature_id, {col}) DO UPDATE SET count = count + excluded.count,
                        first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)"
                ),
                format!("DELETE FROM {table} WHERE signature_id = ?1 AND ?2 IS NOT NULL"),
            ];
            for sql in statements {
                self.conn
                    .prepare_cached(&sql)
                    .and_then(|mut st| st.execute(params![from, into]))
                    .map_err(|e| self.write_err(e))?;
            }
            self.conn
                .prepare_cached(&bound_sql(table, col))
                .and_then(|mut st| st.execute(params![into, cap as i64]))
                .map_err(|e| self.write_err(e))?;
        }
        Ok(())
    }
}

/// The SQL filters of `list --release` and `--environment` (appended to the WHERE clause).
pub(super) fn filter_sql(
    release: Option<&str>,
    environment: Option<&str>,
    sql: &mut String,
    args: &mut Vec<rusqlite::types::Value>,
) {
    if let Some(r) = release {
        args.push(r.to_string().into());
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM signature_releases r WHERE r.signature_id = signatures.id AND r.release = ?{})",
            args.len()
        ));
    }
    if let Some(e) = environment {
        args.push(e.to_string().into());
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM signature_environments e WHERE e.signature_id = signatures.id
                AND e.environment = ?{} COLLATE NOCASE)",
            args.len()
        ));
    }
}
