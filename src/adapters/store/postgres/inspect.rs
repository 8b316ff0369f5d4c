//! What `rounds status` reads about the store itself: the last pass recorded, pass and status counts.

use super::{u64_of, PgStore};
use crate::core::ports::store::PassSummary;
use crate::core::ports::StoreError;

impl PgStore {
    /// The most recently finished pass, if any pass has finished.
    pub fn last_pass(&self) -> Result<Option<PassSummary>, StoreError> {
        let row = self.query_opt(
            "SELECT started_at, finished_at, source, events_read, duplicates, new, recurring,
                    regressed, skipped, quarantined
             FROM passes ORDER BY finished_at DESC, id DESC LIMIT 1",
            &[],
        )?;
        let Some(r) = row else { return Ok(None) };
        let read = || -> Result<PassSummary, postgres::Error> {
            let n = |i: usize| -> Result<u64, postgres::Error> { Ok(u64_of(r.try_get(i)?)) };
            Ok(PassSummary {
                started_at: r.try_get(0)?,
                finished_at: r.try_get(1)?,
                source: r.try_get(2)?,
                events_read: n(3)?,
                duplicates: n(4)?,
                new: n(5)?,
                recurring: n(6)?,
                regressed: n(7)?,
                skipped: n(8)?,
                quarantined: n(9)?,
            })
        };
        read().map(Some).map_err(|e| self.err(e))
    }

    /// How many passes have finished.
    pub fn pass_count(&self) -> Result<u64, StoreError> {
        let rows = self.rows("SELECT COUNT(*) FROM passes", &[], |r| {
            r.try_get::<_, i64>(0)
        })?;
        Ok(rows.first().copied().map(u64_of).unwrap_or(0))
    }

    /// Signatures per stored status, by status name (one grouped query, whatever the size).
    pub fn status_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.rows(
            "SELECT status, COUNT(*) FROM signatures GROUP BY status ORDER BY status",
            &[],
            |r| Ok((r.try_get::<_, String>(0)?, u64_of(r.try_get(1)?))),
        )
    }
}
