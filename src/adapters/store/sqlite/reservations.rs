//! Spend reservations in SQLite: the budget check and the reservation are one `BEGIN IMMEDIATE`
//! transaction, so two passes can never both fit their worst case into the same budget left.

use super::SqliteStore;
use crate::core::model::UnixNanos;
use crate::core::ports::store::{
    reservation_fits, ReservationId, Reserve, SpendEntry, SpendReservation,
};
use crate::core::ports::StoreError;
use rusqlite::{params, OptionalExtension};

const COLUMNS: &str = "id, at, signature_id, backend, model, worst_case_usd, owner";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ReservationId, SpendReservation)> {
    Ok((
        ReservationId(r.get(0)?),
        SpendReservation {
            at: r.get(1)?,
            signature_id: r.get(2)?,
            backend: r.get(3)?,
            model: r.get(4)?,
            worst_case_usd: r.get(5)?,
            owner: r.get(6)?,
        },
    ))
}

impl SqliteStore {
    /// Whether the schema has the reservations table (a reader on a database not yet migrated
    /// by this build's `poll` has none, and nothing reserved either).
    fn has_reservations(&self) -> Result<bool, StoreError> {
        self.cached_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spend_reservations'",
            [],
            |_| Ok(()),
        )
        .optional()
        .map(|r| r.is_some())
        .map_err(|e| self.write_err(e))
    }

    /// The worst case of unsettled reservations made in `[from, to)`; `None` bounds = all.
    pub(super) fn reserved_usd(
        &self,
        range: Option<(UnixNanos, UnixNanos)>,
    ) -> Result<f64, StoreError> {
        if !self.has_reservations()? {
            return Ok(0.0);
        }
        let (from, to) = range.unwrap_or((UnixNanos::MIN, UnixNanos::MAX));
        self
            .cached_row(
                "SELECT COALESCE(SUM(worst_case_usd), 0.0) FROM spend_reservations WHERE at >= ?1 AND at < ?2",
                [from, to],
                |r| r.get(0),
            )
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn list_reservations(
        &self,
    ) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError> {
        if !self.has_reservations()? {
            return Ok(Vec::new());
        }
        self.conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM spend_reservations ORDER BY at, id"
            ))
            .and_then(|mut st| st.query_map([], row)?.collect())
            .map_err(|e| self.write_err(e))
    }

    /// Inside an open transaction: settle the reservations whose owner is dead.
    fn settle_abandoned_in_tx(&self) -> Result<u64, StoreError> {
        let mut n = 0;
        for (id, r) in self.list_reservations()? {
            if crate::adapters::liveness::owner_alive(&r.owner) {
                continue;
            }
            self.delete_reservation(id)?;
            self.insert_spend(&SpendEntry {
                at: r.at,
                signature_id: r.signature_id,
                backend: r.backend,
                model: r.model,
                cost_usd: r.worst_case_usd,
                estimated: true,
            })?;
            n += 1;
        }
        Ok(n)
    }

    fn delete_reservation(&self, id: ReservationId) -> Result<bool, StoreError> {
        self.conn
            .execute("DELETE FROM spend_reservations WHERE id = ?1", [id.0])
            .map(|n| n > 0)
            .map_err(|e| self.write_err(e))
    }

    pub(super) fn reserve(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError> {
        if self.in_tx {
            return Err(StoreError::Write {
                path: self.path.display().to_string(),
                reason:
                    "a spend reservation must commit on its own, not inside the pass transaction"
                        .into(),
            });
        }
        self.in_transaction(|s| {
            s.settle_abandoned_in_tx()?;
            let claimed = s
                .conn
                .query_row(
                    "SELECT 1 FROM spend_reservations WHERE signature_id = ?1 LIMIT 1",
                    [&r.signature_id],
                    |_| Ok(()),
                )
                .optional()
                .map_err(|e| s.write_err(e))?
                .is_some();
            if claimed {
                return Ok(Reserve::Claimed);
            }
            let settled: f64 = s
                .conn
                .query_row(
                    "SELECT COALESCE(SUM(cost_usd), 0.0) FROM spend_ledger WHERE at >= ?1 AND at < ?2",
                    [day.0, day.1],
                    |row| row.get(0),
                )
                .map_err(|e| s.write_err(e))?;
            // Every unsettled reservation counts, whatever its day: it may still spend today.
            let committed = settled + s.reserved_usd(None)?;
            if !reservation_fits(committed, r.worst_case_usd, daily_limit_usd) {
                return Ok(Reserve::OverBudget {
                    committed_usd: committed,
                });
            }
            s.conn
                .execute(
                    "INSERT INTO spend_reservations (at, signature_id, backend, model, worst_case_usd, owner)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![r.at, r.signature_id, r.backend, r.model, r.worst_case_usd, r.owner],
                )
                .map_err(|e| s.write_err(e))?;
            Ok(Reserve::Reserved(ReservationId(s.conn.last_insert_rowid())))
        })
    }

    pub(super) fn settle(
        &mut self,
        id: ReservationId,
        spend: Option<&SpendEntry>,
    ) -> Result<bool, StoreError> {
        self.in_transaction(|s| {
            if !s.delete_reservation(id)? {
                return Ok(false);
            }
            if let Some(sp) = spend {
                s.insert_spend(sp)?;
            }
            Ok(true)
        })
    }

    pub(super) fn settle_abandoned(&mut self) -> Result<u64, StoreError> {
        if !self.has_reservations()? {
            return Ok(0);
        }
        self.in_transaction(|s| s.settle_abandoned_in_tx())
    }
}
