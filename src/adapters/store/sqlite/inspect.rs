//! What `rounds status` reads about the store itself: the last pass recorded and its result.

use super::SqliteStore;
use crate::core::ports::store::PassSummary;
use crate::core::ports::StoreError;
use rusqlite::OptionalExtension;

impl SqliteStore {
    /// The most recently finished pass, if any pass has finished.
    pub fn last_pass(&self) -> Result<Option<PassSummary>, StoreError> {
        self.cached_row(
            "SELECT started_at, finished_at, source, events_read, duplicates, new, recurring,
                        regressed, skipped, quarantined
                 FROM passes ORDER BY finished_at DESC, id DESC LIMIT 1",
            [],
            |r| {
                let n =
                    |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
                Ok(PassSummary {
                    started_at: r.get(0)?,
                    finished_at: r.get(1)?,
                    source: r.get(2)?,
                    events_read: n(3)?,
                    duplicates: n(4)?,
                    new: n(5)?,
                    recurring: n(6)?,
                    regressed: n(7)?,
                    skipped: n(8)?,
                    quarantined: n(9)?,
                })
            },
        )
        .optional()
        .map_err(|e| self.write_err(e))
    }

    /// How many passes have finished.
    pub fn pass_count(&self) -> Result<u64, StoreError> {
        self.cached_row("SELECT COUNT(*) FROM passes", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.write_err(e))
    }
}

impl SqliteStore {
    /// Signatures per stored status, by status name (one grouped query, whatever the size).
    pub fn status_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT status, COUNT(*) FROM signatures GROUP BY status ORDER BY status",
            )
            .map_err(|e| self.write_err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })
            .map_err(|e| self.write_err(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.write_err(e))
    }
}
