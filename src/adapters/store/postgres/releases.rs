//! Releases and environments per signature (SQLite's, in PostgreSQL): counted in memory during a
//! pass and written as increments with the pass's other signature state at commit, then bounded
//! (`core::releases::keep_bounded`); the resolved-in-next-release mark and the regression check.
//! Names order bytewise (`COLLATE "C"`), as SQLite's do, whatever the database's collation.

use super::{u64_of, PgStore};
use crate::core::model::{ErrorEvent, SeenIn, SignatureReleases, Status, UnixNanos};
use crate::core::ports::StoreError;
use crate::core::releases::{self, ResolvedIn, ENVIRONMENTS_PER_SIGNATURE, RELEASES_PER_SIGNATURE};
use postgres::types::ToSql;
use std::collections::HashMap;

/// What a pass added to one release or environment of one signature.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delta {
    count: i64,
    first_seen: UnixNanos,
    last_seen: UnixNanos,
}

/// Per signature id, per name.
pub(super) type Pending = HashMap<String, HashMap<String, Delta>>;

fn add(pending: &mut Pending, sig_id: &str, name: &str, at: UnixNanos) {
    if let Some(d) = pending.get_mut(sig_id).and_then(|m| m.get_mut(name)) {
        d.count += 1;
        d.first_seen = d.first_seen.min(at);
        d.last_seen = d.last_seen.max(at);
        return;
    }
    pending.entry(sig_id.to_string()).or_default().insert(
        name.to_string(),
        Delta {
            count: 1,
            first_seen: at,
            last_seen: at,
        },
    );
}

/// The statements of one of the two tables, written out (prepared once per connection).
struct Table {
    upsert: &'static str,
    bound: &'static str,
    seen_in: &'static str,
    move_rows: &'static str,
    delete_moved: &'static str,
    cap: usize,
}

const RELEASES: Table = Table {
    upsert: "INSERT INTO signature_releases (signature_id, release, count, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (signature_id, release) DO UPDATE SET count = signature_releases.count + excluded.count,
           first_seen = LEAST(signature_releases.first_seen, excluded.first_seen),
           last_seen = GREATEST(signature_releases.last_seen, excluded.last_seen)
        RETURNING count",
    bound: "DELETE FROM signature_releases WHERE signature_id = $1
        AND (SELECT count(*) FROM signature_releases WHERE signature_id = $1) > $2
        AND release <> (SELECT release FROM signature_releases WHERE signature_id = $1 ORDER BY first_seen, release COLLATE \"C\" LIMIT 1)
        AND release NOT IN (SELECT release FROM signature_releases WHERE signature_id = $1
            AND release <> (SELECT release FROM signature_releases WHERE signature_id = $1 ORDER BY first_seen, release COLLATE \"C\" LIMIT 1)
            ORDER BY last_seen DESC, release COLLATE \"C\" LIMIT $2 - 1)",
    seen_in: "SELECT release, count, first_seen, last_seen FROM signature_releases WHERE signature_id = $1
        ORDER BY first_seen, release COLLATE \"C\"",
    move_rows: "INSERT INTO signature_releases (signature_id, release, count, first_seen, last_seen)
        SELECT $2::TEXT, release, count, first_seen, last_seen FROM signature_releases WHERE signature_id = $1
        ON CONFLICT (signature_id, release) DO UPDATE SET count = signature_releases.count + excluded.count,
           first_seen = LEAST(signature_releases.first_seen, excluded.first_seen),
           last_seen = GREATEST(signature_releases.last_seen, excluded.last_seen)",
    delete_moved: "DELETE FROM signature_releases WHERE signature_id = $1",
    cap: RELEASES_PER_SIGNATURE,
};

const ENVIRONMENTS: Table = Table {
    upsert: "INSERT INTO signature_environments (signature_id, environment, count, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (signature_id, environment) DO UPDATE SET count = signature_environments.count + excluded.count,
           first_seen = LEAST(signature_environments.first_seen, excluded.first_seen),
           last_seen = GREATEST(signature_environments.last_seen, excluded.last_seen)
        RETURNING count",
    bound: "DELETE FROM signature_environments WHERE signature_id = $1
        AND (SELECT count(*) FROM signature_environments WHERE signature_id = $1) > $2
        AND environment <> (SELECT environment FROM signature_environments WHERE signature_id = $1 ORDER BY first_seen, environment COLLATE \"C\" LIMIT 1)
        AND environment NOT IN (SELECT environment FROM signature_environments WHERE signature_id = $1
            AND environment <> (SELECT environment FROM signature_environments WHERE signature_id = $1 ORDER BY first_seen, environment COLLATE \"C\" LIMIT 1)
            ORDER BY last_seen DESC, environment COLLATE \"C\" LIMIT $2 - 1)",
    seen_in: "SELECT environment, count, first_seen, last_seen FROM signature_environments WHERE signature_id = $1
        ORDER BY first_seen, environment COLLATE \"C\"",
    move_rows: "INSERT INTO signature_environments (signature_id, environment, count, first_seen, last_seen)
        SELECT $2::TEXT, environment, count, first_seen, last_seen FROM signature_environments WHERE signature_id = $1
        ON CONFLICT (signature_id, environment) DO UPDATE SET count = signature_environments.count + excluded.count,
           first_seen = LEAST(signature_environments.first_seen, excluded.first_seen),
           last_seen = GREATEST(signature_environments.last_seen, excluded.last_seen)",
    delete_moved: "DELETE FROM signature_environments WHERE signature_id = $1",
    cap: ENVIRONMENTS_PER_SIGNATURE,
};

impl PgStore {
    /// Count the event under its release and environment (written at commit).
    pub(super) fn count_release(&mut self, sig_id: &str, ev: &ErrorEvent) {
        if let Some(r) = releases::release_of(ev) {
            add(&mut self.pending_releases, sig_id, r, ev.timestamp);
        }
        if let Some(e) = releases::environment_of(ev) {
            add(&mut self.pending_environments, sig_id, e, ev.timestamp);
        }
    }

    pub(super) fn clear_pending_releases(&mut self) {
        self.pending_releases.clear();
        self.pending_environments.clear();
        self.markers.clear();
    }

    /// Write what the pass counted, then bound each touched signature.
    pub(super) fn flush_releases(&mut self) -> Result<(), StoreError> {
        let all = [
            (std::mem::take(&mut self.pending_releases), &RELEASES),
            (
                std::mem::take(&mut self.pending_environments),
                &ENVIRONMENTS,
            ),
        ];
        for (pending, table) in &all {
            for (sig_id, names) in pending {
                // Only a name new to the signature can take it over the bound (the count after
                // the upsert equals what this pass added only for a row just inserted).
                let mut added = false;
                for (name, d) in names {
                    let row = self.query_opt(
                        table.upsert,
                        &[sig_id, name, &d.count, &d.first_seen, &d.last_seen],
                    )?;
                    let after: i64 = match row {
                        Some(r) => r.try_get(0).map_err(|e| self.err(e))?,
                        None => d.count,
                    };
                    added |= after == d.count;
                }
                if added {
                    self.execute(table.bound, &[sig_id, &(table.cap as i64)])?;
                }
            }
        }
        Ok(())
    }

    /// The resolved-in-next-release mark of a signature (cached for the pass).
    fn marker(&mut self, sig_id: &str) -> Result<Option<ResolvedIn>, StoreError> {
        if let Some(m) = self.markers.get(sig_id) {
            return Ok(m.clone());
        }
        let row = self.query_opt(
            "SELECT resolved_in_release, resolved_in_release_seen FROM signatures WHERE id = $1",
            &[&sig_id],
        )?;
        let m = match row {
            Some(r) => {
                let release: Option<String> = r.try_get(0).map_err(|e| self.err(e))?;
                let seen: Option<i64> = r.try_get(1).map_err(|e| self.err(e))?;
                release.map(|release| ResolvedIn {
                    release,
                    first_seen: seen.unwrap_or(0),
                })
            }
            None => None,
        };
        self.markers.insert(sig_id.to_string(), m.clone());
        Ok(m)
    }

    /// When this signature first saw `release`: written rows and this pass's count together.
    fn release_first_seen(&self, sig_id: &str, release: &str) -> Result<Option<i64>, StoreError> {
        let row = self.query_opt(
            "SELECT first_seen FROM signature_releases WHERE signature_id = $1 AND release = $2",
            &[&sig_id, &release],
        )?;
        let stored: Option<i64> = match row {
            Some(r) => Some(r.try_get(0).map_err(|e| self.err(e))?),
            None => None,
        };
        let pending = self
            .pending_releases
            .get(sig_id)
            .and_then(|m| m.get(release))
            .map(|d| d.first_seen);
        Ok(match (stored, pending) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Whether this event regresses the resolved signature `sig_id`, and the history reason.
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
        self.execute(
            "UPDATE signatures SET resolved_in_release = NULL, resolved_in_release_seen = NULL,
                regressed_in_release = $2 WHERE id = $1",
            &[&sig_id, &release],
        )
        .map(|_| ())
    }

    /// Whether the signature carries a resolved-in-next-release mark (read from the database).
    pub(super) fn has_marker(&self, sig_id: &str) -> Result<bool, StoreError> {
        let row = self.query_opt(
            "SELECT resolved_in_release IS NOT NULL FROM signatures WHERE id = $1",
            &[&sig_id],
        )?;
        match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e)),
            None => Ok(false),
        }
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
            s.execute(
                "UPDATE signatures SET status = 'resolved', ignore_reason = NULL, ignored_until = NULL,
                    resolved_in_release = $2, resolved_in_release_seen = $3 WHERE id = $1",
                &[&sig.id, &release, &seen],
            )?;
            s.history(&sig.id, now, Some(sig.status), Status::Resolved, reason)
        })
    }

    fn seen_in(&self, table: &Table, id: &str) -> Result<Vec<SeenIn>, StoreError> {
        self.rows(table.seen_in, &[&id], |r| {
            Ok(SeenIn {
                name: r.try_get(0)?,
                count: u64_of(r.try_get(1)?),
                first_seen: r.try_get(2)?,
                last_seen: r.try_get(3)?,
            })
        })
    }

    pub(super) fn releases_of(&self, id: &str) -> Result<SignatureReleases, StoreError> {
        let row = self.query_opt(
            "SELECT resolved_in_release, regressed_in_release FROM signatures WHERE id = $1",
            &[&id],
        )?;
        let (resolved_in, regressed_in) = match row {
            Some(r) => (
                r.try_get(0).map_err(|e| self.err(e))?,
                r.try_get(1).map_err(|e| self.err(e))?,
            ),
            None => (None, None),
        };
        Ok(SignatureReleases {
            releases: self.seen_in(&RELEASES, id)?,
            environments: self.seen_in(&ENVIRONMENTS, id)?,
            resolved_in,
            regressed_in,
        })
    }

    /// A merge: the absorbed signature's releases and environments join the survivor's.
    pub(super) fn move_releases(&self, from: &str, into: &str) -> Result<(), StoreError> {
        for table in [&RELEASES, &ENVIRONMENTS] {
            self.execute(table.move_rows, &[&from, &into])?;
            self.execute(table.delete_moved, &[&from])?;
            self.execute(table.bound, &[&into, &(table.cap as i64)])?;
        }
        Ok(())
    }
}

/// The SQL filters of `list --release` and `--environment` (appended to the WHERE clause);
/// environments compare ASCII case-insensitively, as SQLite's NOCASE does.
pub(super) fn filter_sql(
    release: Option<&str>,
    environment: Option<&str>,
    sql: &mut String,
    args: &mut Vec<Box<dyn ToSql + Sync>>,
) {
    if let Some(r) = release {
        args.push(Box::new(r.to_string()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM signature_releases r WHERE r.signature_id = signatures.id AND r.release = ${})",
            args.len()
        ));
    }
    if let Some(e) = environment {
        args.push(Box::new(e.to_ascii_lowercase()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM signature_environments e WHERE e.signature_id = signatures.id
                AND translate(e.environment, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = ${})",
            args.len()
        ));
    }
}
