//! Reads and lifecycle updates of signatures: lookup by id/prefix/alias, listing, status changes,
//! history, frequency, retained events, retention and auto-resolution.

use super::SqliteStore;
use crate::core::lifecycle;
use crate::core::model::{
    EventRef, EventSample, FingerprintBasis, Frame, HourlyCounts, Signature, Status, StatusChange,
    UnixNanos, NANOS_PER_HOUR,
};
use crate::core::ports::store::{SignatureFilter, SignatureSort};
use crate::core::ports::StoreError;
use rusqlite::{params, OptionalExtension, Row};

const SIG_COLUMNS: &str =
    "id, algorithm_version, basis, status, exception_type, template, key_frames, services, count,
    first_seen, last_seen, sample_stack, sample_message, ignore_reason, ignored_until";

fn row_to_signature(r: &Row<'_>) -> rusqlite::Result<Signature> {
    let frames: String = r.get(6)?;
    let services: String = r.get(7)?;
    let basis: String = r.get(2)?;
    let status: String = r.get(3)?;
    Ok(Signature {
        id: r.get(0)?,
        algorithm_version: r.get(1)?,
        basis: FingerprintBasis::parse(&basis).unwrap_or(FingerprintBasis::Template),
        status: Status::parse(&status).unwrap_or(Status::New),
        exception_type: r.get(4)?,
        template: r.get(5)?,
        key_frames: serde_json::from_str::<Vec<Frame>>(&frames).unwrap_or_default(),
        services: serde_json::from_str(&services).unwrap_or_default(),
        count: r.get::<_, i64>(8)? as u64,
        first_seen: r.get(9)?,
        last_seen: r.get(10)?,
        sample_stack: r.get(11)?,
        sample_message: r.get(12)?,
        ignore_reason: r.get(13)?,
        ignored_until: r.get(14)?,
    })
}

/// The WHERE clause (and its parameters) shared by listing and counting.
fn filter_sql(f: &SignatureFilter) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f
            .statuses
            .iter()
            .map(|s| {
                args.push(s.as_str().to_string().into());
                format!("?{}", args.len())
            })
            .collect();
        sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
    }
    if let Some(svc) = &f.service {
        args.push(format!("%\"{}\"%", svc.replace('"', "\\\"")).into());
        sql.push_str(&format!(" AND services LIKE ?{}", args.len()));
    }
    if let Some(since) = f.seen_since {
        args.push(since.into());
        sql.push_str(&format!(" AND last_seen >= ?{}", args.len()));
    }
    if let Some(q) = &f.search {
        args.push(format!("%{}%", q.to_lowercase()).into());
        let n = args.len();
        sql.push_str(&format!(
            " AND (lower(exception_type) LIKE ?{n} OR lower(template) LIKE ?{n} OR id LIKE ?{n} OR lower(services) LIKE ?{n})"
        ));
    }
    super::releases::filter_sql(
        f.release.as_deref(),
        f.environment.as_deref(),
        &mut sql,
        &mut args,
    );
    (sql, args)
}

impl SqliteStore {
    pub(super) fn load_signature(&self, id: &str) -> Result<Option<Signature>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SIG_COLUMNS} FROM signatures WHERE id = ?1"
            ))
            .and_then(|mut st| st.query_row([id], row_to_signature).optional())
            .map_err(|e| self.write_err(e))
    }

    /// Full id, alias, or unique prefix (of ids and aliases) → the signature.
    pub(super) fn resolve(&self, needle: &str) -> Result<Signature, StoreError> {
        let needle = needle.trim().to_ascii_lowercase();
        let unknown = || StoreError::UnknownId { id: needle.clone() };
        if needle.is_empty() || !needle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(unknown());
        }
        if let Some(s) = self.load_signature(&needle)? {
            return Ok(s);
        }
        let pattern = format!("{needle}%");
        let mut ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT id FROM signatures WHERE id LIKE ?1 LIMIT 10")
            .and_then(|mut st| st.query_map([&pattern], |r| r.get(0))?.collect())
            .map_err(|e| self.write_err(e))?;
        let aliased: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT signature_id FROM signature_aliases WHERE alias LIKE ?1 LIMIT 10",
            )
            .and_then(|mut st| st.query_map([&pattern], |r| r.get(0))?.collect())
            .map_err(|e| self.write_err(e))?;
        ids.extend(aliased);
        ids.sort();
        ids.dedup();
        match ids.len() {
            0 => Err(unknown()),
            1 => self.load_signature(&ids[0])?.ok_or_else(unknown),
            n => Err(StoreError::AmbiguousId {
                id: needle.clone(),
                count: n,
            }),
        }
    }

    pub(super) fn list(&self, f: &SignatureFilter) -> Result<Vec<Signature>, StoreError> {
        let (conditions, args) = filter_sql(f);
        let mut sql = format!("SELECT {SIG_COLUMNS} FROM signatures WHERE {conditions}");
        sql.push_str(match f.sort {
            SignatureSort::LastSeen => " ORDER BY last_seen DESC, id",
            SignatureSort::Count => " ORDER BY count DESC, last_seen DESC, id",
            SignatureSort::FirstSeen => " ORDER BY first_seen DESC, id",
        });
        if let Some(limit) = f.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        self.conn
            .prepare(&sql)
            .and_then(|mut st| {
                st.query_map(rusqlite::params_from_iter(args), row_to_signature)?
                    .collect()
            })
            .map_err(|e| self.write_err(e))
    }

    /// How many signatures match `f`, ignoring its limit and sort.
    pub(super) fn count(&self, f: &SignatureFilter) -> Result<u64, StoreError> {
        let (conditions, args) = filter_sql(f);
        let sql = format!("SELECT COUNT(*) FROM signatures WHERE {conditions}");
        self.conn
            .prepare(&sql)
            .and_then(|mut st| {
                st.query_row(rusqlite::params_from_iter(args), |r| r.get::<_, i64>(0))
            })
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn change_status(
        &mut self,
        id: &str,
        to: Status,
        reason: &str,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        let sig = self.resolve(id)?;
        // Resolving plainly what was resolved in the next release changes what regresses it.
        if sig.status == to && !self.has_marker(&sig.id)? {
            return Ok(());
        }
        self.markers.remove(sig.id.as_str());
        self.in_transaction(|s| {
            s.conn
                .execute(
                    "UPDATE signatures SET status = ?2, resolved_in_release = NULL, resolved_in_release_seen = NULL,
                        ignore_reason = CASE WHEN ?2 = 'ignored' THEN ignore_reason ELSE NULL END,
                        ignored_until = CASE WHEN ?2 = 'ignored' THEN ignored_until ELSE NULL END
                     WHERE id = ?1",
                    params![sig.id, to.as_str()],
                )
                .map_err(|e| s.write_err(e))?;
            s.history(&sig.id, now, Some(sig.status), to, reason)
        })
    }

    pub(super) fn ignore(
        &mut self,
        id: &str,
        reason: Option<&str>,
        until: Option<UnixNanos>,
        now: UnixNanos,
    ) -> Result<(), StoreError> {
        let sig = self.resolve(id)?;
        self.in_transaction(|s| {
            s.conn
                .execute(
                    "UPDATE signatures SET status = 'ignored', ignore_reason = ?2, ignored_until = ?3,
                        resolved_in_release = NULL, resolved_in_release_seen = NULL WHERE id = ?1",
                    params![sig.id, reason, until],
                )
                .map_err(|e| s.write_err(e))?;
            if sig.status != Status::Ignored {
                let why = match reason {
                    Some(r) => format!("ignored: {r}"),
                    None => "ignored".to_string(),
                };
                s.history(&sig.id, now, Some(sig.status), Status::Ignored, &why)?;
            }
            Ok(())
        })
    }

    /// The status a signature had before it was last ignored (for `ignore --undo` and expiry).
    pub(super) fn status_before_ignore(&self, id: &str) -> Result<Status, StoreError> {
        Ok(crate::core::triage::status_before_ignore(
            &self.history_of(id)?,
        ))
    }

    pub(super) fn history_of(&self, id: &str) -> Result<Vec<StatusChange>, StoreError> {
        self.conn
            .prepare_cached("SELECT at, from_status, to_status, reason FROM status_history WHERE signature_id = ?1 ORDER BY at, rowid")
            .and_then(|mut st| {
                st.query_map([id], |r| {
                    let from: Option<String> = r.get(1)?;
                    let to: String = r.get(2)?;
                    Ok(StatusChange {
                        at: r.get(0)?,
                        from: from.and_then(|s| Status::parse(&s)),
                        to: Status::parse(&to).unwrap_or(Status::New),
                        reason: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn hours(
        &self,
        id: &str,
        end: UnixNanos,
        hours: usize,
    ) -> Result<HourlyCounts, StoreError> {
        let last = end.div_euclid(NANOS_PER_HOUR);
        let first = last - hours as i64 + 1;
        let mut counts = vec![0u64; hours];
        let rows: Vec<(i64, i64)> = self
            .conn
            .prepare_cached("SELECT hour, count FROM hourly_counts WHERE signature_id = ?1 AND hour BETWEEN ?2 AND ?3")
            .and_then(|mut st| st.query_map(params![id, first, last], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.write_err(e))?;
        for (h, c) in rows {
            counts[(h - first) as usize] = c.max(0) as u64;
        }
        Ok(HourlyCounts { end, counts })
    }

    pub(super) fn event_refs(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError> {
        let limit = if limit == 0 { -1 } else { limit as i64 };
        self.conn
            .prepare_cached(
                "SELECT trace_id, span_id, timestamp, service FROM events WHERE signature_id = ?1
                 ORDER BY timestamp DESC, rowid DESC LIMIT ?2",
            )
            .and_then(|mut st| {
                st.query_map(params![id, limit], |r| {
                    Ok(EventRef {
                        trace_id: r.get(0)?,
                        span_id: r.get(1)?,
                        timestamp: r.get(2)?,
                        service: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn samples(&self, id: &str, limit: usize) -> Result<Vec<EventSample>, StoreError> {
        let limit = if limit == 0 { -1 } else { limit as i64 };
        self.conn
            .prepare_cached(
                "SELECT trace_id, span_id, timestamp, service, service_version, message, attributes
                 FROM event_samples WHERE signature_id = ?1 ORDER BY timestamp DESC, rowid DESC LIMIT ?2",
            )
            .and_then(|mut st| {
                st.query_map(params![id, limit], |r| {
                    let attributes: String = r.get(6)?;
                    Ok(EventSample {
                        trace_id: r.get(0)?,
                        span_id: r.get(1)?,
                        timestamp: r.get(2)?,
                        service: r.get(3)?,
                        service_version: r.get(4)?,
                        message: r.get(5)?,
                        attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn prune(&mut self, before: UnixNanos) -> Result<u64, StoreError> {
        let hour = before.div_euclid(NANOS_PER_HOUR);
        // Rows append in ingest order, so the oldest row says in O(1) whether anything expired.
        let oldest: Option<i64> = self
            .conn
            .query_row(
                "SELECT ingested_at FROM events ORDER BY rowid LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.write_err(e))?;
        if oldest.is_none_or(|t| t >= before) {
            return Ok(0);
        }
        self.in_transaction(|s| {
            let n = s
                .conn
                .execute("DELETE FROM events WHERE ingested_at < ?1", [before])
                .map_err(|e| s.write_err(e))?;
            s.conn
                .execute("DELETE FROM hourly_counts WHERE hour < ?1", [hour])
                .map_err(|e| s.write_err(e))?;
            // Samples go with their ledger: too old, or their signature has no events left
            // (a later pass then keeps fresh ones).
            s.conn
                .execute(
                    "DELETE FROM event_samples WHERE timestamp < ?1 OR NOT EXISTS
                        (SELECT 1 FROM events WHERE events.signature_id = event_samples.signature_id)",
                    [before],
                )
                .map_err(|e| s.write_err(e))?;
            Ok(n as u64)
        })
    }

    pub(super) fn resolve_quiet(
        &mut self,
        quiet_since: UnixNanos,
        now: UnixNanos,
    ) -> Result<Vec<String>, StoreError> {
        self.in_transaction(|s| {
            // Quiet means no event seen and none counted: replaying old data is not quiet.
            s.flush()?;
            let rows: Vec<(String, String)> = s
                .conn
                .prepare(&format!(
                    "SELECT id, status FROM signatures WHERE last_seen < ?1 AND last_ingested < ?1
                     AND status IN ({}) ORDER BY id",
                    lifecycle::auto_resolves_sql()
                ))
                .and_then(|mut st| {
                    st.query_map([quiet_since], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect()
                })
                .map_err(|e| s.write_err(e))?;
            for (id, status) in &rows {
                s.conn
                    .execute(
                        "UPDATE signatures SET status = 'resolved', resolved_in_release = NULL,
                            resolved_in_release_seen = NULL WHERE id = ?1",
                        [id],
                    )
                    .map_err(|e| s.write_err(e))?;
                s.history(
                    id,
                    now,
                    Status::parse(status),
                    Status::Resolved,
                    lifecycle::QUIET_REASON,
                )?;
            }
            Ok(rows.into_iter().map(|r| r.0).collect())
        })
    }

    pub(super) fn lift_expired_ignores(
        &mut self,
        now: UnixNanos,
    ) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT id FROM signatures WHERE status = 'ignored' AND ignored_until IS NOT NULL AND ignored_until <= ?1 ORDER BY id")
            .and_then(|mut st| st.query_map([now], |r| r.get(0))?.collect())
            .map_err(|e| self.write_err(e))?;
        for id in &ids {
            let back = self.status_before_ignore(id)?;
            self.change_status(id, back, lifecycle::IGNORE_ENDED_REASON, now)?;
        }
        Ok(ids)
    }
}

impl SqliteStore {
    /// Frames the fingerprint left out, with why (recorded when the signature was created).
    pub(super) fn dropped_frames(
        &self,
        id: &str,
    ) -> Result<Vec<(Frame, crate::core::model::DropReason)>, StoreError> {
        let raw: Option<Option<String>> = self
            .conn
            .query_row("SELECT explain FROM signatures WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.write_err(e))?;
        Ok(raw
            .flatten()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }
}
