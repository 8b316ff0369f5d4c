//! Reads and lifecycle updates of signatures: lookup by id/prefix/alias, listing, status changes,
//! history, frequency, retained events, retention and auto-resolution (SQLite's, in PostgreSQL).

use super::{u64_of, PgStore};
use crate::core::lifecycle;
use crate::core::model::{
    EventRef, EventSample, FingerprintBasis, Frame, HourlyCounts, Signature, Status, StatusChange,
    UnixNanos, NANOS_PER_HOUR,
};
use crate::core::ports::store::{SignatureFilter, SignatureSort};
use crate::core::ports::StoreError;
use postgres::types::ToSql;
use postgres::Row;

pub(super) const SIG_COLUMNS: &str =
    "id, algorithm_version, basis, status, exception_type, template, key_frames, services, count,
    first_seen, last_seen, sample_stack, sample_message, ignore_reason, ignored_until";

pub(super) fn row_to_signature(r: &Row) -> Result<Signature, postgres::Error> {
    let frames: String = r.try_get(6)?;
    let services: String = r.try_get(7)?;
    let basis: String = r.try_get(2)?;
    let status: String = r.try_get(3)?;
    Ok(Signature {
        id: r.try_get(0)?,
        algorithm_version: u32::try_from(r.try_get::<_, i64>(1)?).unwrap_or(0),
        basis: FingerprintBasis::parse(&basis).unwrap_or(FingerprintBasis::Template),
        status: Status::parse(&status).unwrap_or(Status::New),
        exception_type: r.try_get(4)?,
        template: r.try_get(5)?,
        key_frames: serde_json::from_str::<Vec<Frame>>(&frames).unwrap_or_default(),
        services: serde_json::from_str(&services).unwrap_or_default(),
        count: u64_of(r.try_get(8)?),
        first_seen: r.try_get(9)?,
        last_seen: r.try_get(10)?,
        sample_stack: r.try_get(11)?,
        sample_message: r.try_get(12)?,
        ignore_reason: r.try_get(13)?,
        ignored_until: r.try_get(14)?,
    })
}

type Args = Vec<Box<dyn ToSql + Sync>>;

/// The WHERE clause (and its parameters) shared by listing and counting. `ILIKE … ESCAPE ''`
/// matches as SQLite's LIKE does (ASCII case-insensitive, no escape character).
fn filter_sql(f: &SignatureFilter) -> (String, Args) {
    let mut sql = String::from("TRUE");
    let mut args: Args = Vec::new();
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f
            .statuses
            .iter()
            .map(|s| {
                args.push(Box::new(s.as_str().to_string()));
                format!("${}", args.len())
            })
            .collect();
        sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
    }
    if let Some(svc) = &f.service {
        args.push(Box::new(format!("%\"{}\"%", svc.replace('"', "\\\""))));
        sql.push_str(&format!(" AND services ILIKE ${} ESCAPE ''", args.len()));
    }
    if let Some(since) = f.seen_since {
        args.push(Box::new(since));
        sql.push_str(&format!(" AND last_seen >= ${}", args.len()));
    }
    if let Some(q) = &f.search {
        args.push(Box::new(format!("%{}%", q.to_lowercase())));
        let n = args.len();
        sql.push_str(&format!(
            " AND (lower(exception_type) LIKE ${n} ESCAPE '' OR lower(template) LIKE ${n} ESCAPE ''
               OR id ILIKE ${n} ESCAPE '' OR lower(services) LIKE ${n} ESCAPE '')"
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

fn refs(args: &Args) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|b| b.as_ref()).collect()
}

/// The signatures `core::lifecycle::resolves_when_quiet` resolves, selected in SQL (a static
/// statement: the status list is `lifecycle::AUTO_RESOLVES`, checked by a test).
const QUIET_SQL: &str =
    "SELECT id, status FROM signatures WHERE last_seen < $1 AND last_ingested < $1
     AND status IN ('new', 'investigating', 'diagnosed', 'regressed') ORDER BY id";

impl PgStore {
    pub(super) fn load_signature(&self, id: &str) -> Result<Option<Signature>, StoreError> {
        const SQL: &str = "SELECT id, algorithm_version, basis, status, exception_type, template, key_frames, services, count,
            first_seen, last_seen, sample_stack, sample_message, ignore_reason, ignored_until FROM signatures WHERE id = $1";
        let row = self.query_opt(SQL, &[&id])?;
        row.map(|r| row_to_signature(&r).map_err(|e| self.err(e)))
            .transpose()
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
        let mut ids: Vec<String> = self.rows(
            "SELECT id FROM signatures WHERE id LIKE $1 LIMIT 10",
            &[&pattern],
            |r| r.try_get(0),
        )?;
        let aliased: Vec<String> = self.rows(
            "SELECT signature_id FROM signature_aliases WHERE alias LIKE $1 LIMIT 10",
            &[&pattern],
            |r| r.try_get(0),
        )?;
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
        self.query_dyn(&sql, &refs(&args))?
            .iter()
            .map(|r| row_to_signature(r).map_err(|e| self.err(e)))
            .collect()
    }

    /// How many signatures match `f`, ignoring its limit and sort.
    pub(super) fn count(&self, f: &SignatureFilter) -> Result<u64, StoreError> {
        let (conditions, args) = filter_sql(f);
        let sql = format!("SELECT COUNT(*) FROM signatures WHERE {conditions}");
        let rows = self.query_dyn(&sql, &refs(&args))?;
        let n: i64 = match rows.first() {
            Some(r) => r.try_get(0).map_err(|e| self.err(e))?,
            None => 0,
        };
        Ok(u64_of(n))
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
            s.execute(
                "UPDATE signatures SET status = $2, resolved_in_release = NULL, resolved_in_release_seen = NULL,
                    ignore_reason = CASE WHEN $2 = 'ignored' THEN ignore_reason ELSE NULL END,
                    ignored_until = CASE WHEN $2 = 'ignored' THEN ignored_until ELSE NULL END
                 WHERE id = $1",
                &[&sig.id, &to.as_str()],
            )?;
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
            s.execute(
                "UPDATE signatures SET status = 'ignored', ignore_reason = $2, ignored_until = $3,
                    resolved_in_release = NULL, resolved_in_release_seen = NULL WHERE id = $1",
                &[&sig.id, &reason, &until],
            )?;
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

    pub(super) fn history_of(&self, id: &str) -> Result<Vec<StatusChange>, StoreError> {
        self.rows(
            "SELECT at, from_status, to_status, reason FROM status_history WHERE signature_id = $1 ORDER BY at, seq",
            &[&id],
            |r| {
                let from: Option<String> = r.try_get(1)?;
                let to: String = r.try_get(2)?;
                Ok(StatusChange {
                    at: r.try_get(0)?,
                    from: from.and_then(|s| Status::parse(&s)),
                    to: Status::parse(&to).unwrap_or(Status::New),
                    reason: r.try_get(3)?,
                })
            },
        )
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
        let rows: Vec<(i64, i64)> = self.rows(
            "SELECT hour, count FROM hourly_counts WHERE signature_id = $1 AND hour BETWEEN $2 AND $3",
            &[&id, &first, &last],
            |r| Ok((r.try_get(0)?, r.try_get(1)?)),
        )?;
        for (h, c) in rows {
            if let Some(slot) = usize::try_from(h - first)
                .ok()
                .and_then(|i| counts.get_mut(i))
            {
                *slot = u64_of(c);
            }
        }
        Ok(HourlyCounts { end, counts })
    }

    pub(super) fn event_refs(&self, id: &str, limit: usize) -> Result<Vec<EventRef>, StoreError> {
        let limit: Option<i64> = (limit > 0).then(|| i64::try_from(limit).unwrap_or(i64::MAX));
        self.rows(
            "SELECT trace_id, span_id, timestamp, service FROM events WHERE signature_id = $1
             ORDER BY timestamp DESC, seq DESC LIMIT $2",
            &[&id, &limit],
            |r| {
                Ok(EventRef {
                    trace_id: r.try_get(0)?,
                    span_id: r.try_get(1)?,
                    timestamp: r.try_get(2)?,
                    service: r.try_get(3)?,
                })
            },
        )
    }

    pub(super) fn samples(&self, id: &str, limit: usize) -> Result<Vec<EventSample>, StoreError> {
        let limit: Option<i64> = (limit > 0).then(|| i64::try_from(limit).unwrap_or(i64::MAX));
        self.rows(
            "SELECT trace_id, span_id, timestamp, service, service_version, message, attributes
             FROM event_samples WHERE signature_id = $1 ORDER BY timestamp DESC, seq DESC LIMIT $2",
            &[&id, &limit],
            |r| {
                let attributes: String = r.try_get(6)?;
                Ok(EventSample {
                    trace_id: r.try_get(0)?,
                    span_id: r.try_get(1)?,
                    timestamp: r.try_get(2)?,
                    service: r.try_get(3)?,
                    service_version: r.try_get(4)?,
                    message: r.try_get(5)?,
                    attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                })
            },
        )
    }

    pub(super) fn prune(&mut self, before: UnixNanos) -> Result<u64, StoreError> {
        let hour = before.div_euclid(NANOS_PER_HOUR);
        let any = self
            .query_opt(
                "SELECT 1::BIGINT FROM events WHERE ingested_at < $1 LIMIT 1",
                &[&before],
            )?
            .is_some();
        if !any {
            return Ok(0);
        }
        self.in_transaction(|s| {
            let n = s.execute("DELETE FROM events WHERE ingested_at < $1", &[&before])?;
            s.execute("DELETE FROM hourly_counts WHERE hour < $1", &[&hour])?;
            s.execute(
                "DELETE FROM event_samples WHERE timestamp < $1 OR NOT EXISTS
                    (SELECT 1 FROM events WHERE events.signature_id = event_samples.signature_id)",
                &[&before],
            )?;
            Ok(n)
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
            let rows: Vec<(String, String)> = s.rows(QUIET_SQL, &[&quiet_since], |r| {
                Ok((r.try_get(0)?, r.try_get(1)?))
            })?;
            for (id, status) in &rows {
                s.execute(
                    "UPDATE signatures SET status = 'resolved', resolved_in_release = NULL,
                        resolved_in_release_seen = NULL WHERE id = $1",
                    &[id],
                )?;
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
        let ids: Vec<String> = self.rows(
            "SELECT id FROM signatures WHERE status = 'ignored' AND ignored_until IS NOT NULL AND ignored_until <= $1 ORDER BY id",
            &[&now],
            |r| r.try_get(0),
        )?;
        for id in &ids {
            let back = crate::core::triage::status_before_ignore(&self.history_of(id)?);
            self.change_status(id, back, lifecycle::IGNORE_ENDED_REASON, now)?;
        }
        Ok(ids)
    }

    /// Frames the fingerprint left out, with why (recorded when the signature was created).
    pub(super) fn dropped_frames(
        &self,
        id: &str,
    ) -> Result<Vec<(Frame, crate::core::model::DropReason)>, StoreError> {
        let row = self.query_opt("SELECT explain FROM signatures WHERE id = $1", &[&id])?;
        let raw: Option<String> = match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e))?,
            None => None,
        };
        Ok(raw
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_quiet_statement_selects_the_statuses_core_auto_resolves() {
        assert!(super::QUIET_SQL.contains(&format!(
            "status IN ({})",
            crate::core::lifecycle::auto_resolves_sql()
        )));
    }
}
