//! Spend reservations in PostgreSQL, atomic across hosts: the budget check and the reservation
//! are one transaction holding a transaction-level advisory lock on the schema's budget, so two
//! hosts can never both fit their worst case into the same budget left (on top of the pass lock
//! every writer holds). A reservation names its instance as well as its process: `pid:start`
//! means something on the host that wrote it only, and another instance's reservation can be
//! seen here only after its writer let go of the pass lock, that is, when it is abandoned.

use super::{lock_key, PgStore};
use crate::core::model::UnixNanos;
use crate::core::ports::store::{
    reservation_fits, ReservationId, Reserve, SpendEntry, SpendReservation,
};
use crate::core::ports::StoreError;

impl PgStore {
    /// The worst case of unsettled reservations made in `[from, to)`; `None` bounds = all.
    pub(super) fn reserved_usd(
        &self,
        range: Option<(UnixNanos, UnixNanos)>,
    ) -> Result<f64, StoreError> {
        let (from, to) = range.unwrap_or((UnixNanos::MIN, UnixNanos::MAX));
        let row = self.query_opt(
            "SELECT COALESCE(SUM(worst_case_usd), 0.0)::DOUBLE PRECISION FROM spend_reservations WHERE at >= $1 AND at < $2",
            &[&from, &to],
        )?;
        match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e)),
            None => Ok(0.0),
        }
    }

    /// Unsettled reservations with the instance that made each, oldest first.
    fn reservations_with_instance(
        &self,
    ) -> Result<Vec<(ReservationId, SpendReservation, String)>, StoreError> {
        self.rows(
            "SELECT id, at, signature_id, backend, model, worst_case_usd, owner, instance
             FROM spend_reservations ORDER BY at, id",
            &[],
            |r| {
                Ok((
                    ReservationId(r.try_get(0)?),
                    SpendReservation {
                        at: r.try_get(1)?,
                        signature_id: r.try_get(2)?,
                        backend: r.try_get(3)?,
                        model: r.try_get(4)?,
                        worst_case_usd: r.try_get(5)?,
                        owner: r.try_get(6)?,
                    },
                    r.try_get(7)?,
                ))
            },
        )
    }

    pub(super) fn list_reservations(
        &self,
    ) -> Result<Vec<(ReservationId, SpendReservation)>, StoreError> {
        Ok(self
            .reservations_with_instance()?
            .into_iter()
            .map(|(id, r, _)| (id, r))
            .collect())
    }

    /// Inside an open transaction: settle the reservations whose owner is dead (another
    /// instance's are: see the module comment).
    fn settle_abandoned_in_tx(&self) -> Result<u64, StoreError> {
        let mut n = 0;
        for (id, r, instance) in self.reservations_with_instance()? {
            if instance == self.instance && crate::adapters::liveness::owner_alive(&r.owner) {
                continue;
            }
            if !self.delete_reservation(id)? {
                continue;
            }
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
        self.execute("DELETE FROM spend_reservations WHERE id = $1", &[&id.0])
            .map(|n| n > 0)
    }

    pub(super) fn reserve(
        &mut self,
        r: &SpendReservation,
        day: (UnixNanos, UnixNanos),
        daily_limit_usd: f64,
    ) -> Result<Reserve, StoreError> {
        if self.in_tx {
            return Err(StoreError::Write {
                path: self.display.clone(),
                reason:
                    "a spend reservation must commit on its own, not inside the pass transaction"
                        .into(),
            });
        }
        self.in_transaction(|s| {
            // Every reservation of this schema, from any host, waits here for the one before.
            s.query_opt(
                "SELECT pg_advisory_xact_lock($1)::TEXT",
                &[&lock_key("budget", &s.schema)],
            )?;
            s.settle_abandoned_in_tx()?;
            let claimed = s
                .query_opt(
                    "SELECT 1::BIGINT FROM spend_reservations WHERE signature_id = $1 LIMIT 1",
                    &[&r.signature_id],
                )?
                .is_some();
            if claimed {
                return Ok(Reserve::Claimed);
            }
            let row = s.query_opt(
                "SELECT COALESCE(SUM(cost_usd), 0.0)::DOUBLE PRECISION FROM spend_ledger WHERE at >= $1 AND at < $2",
                &[&day.0, &day.1],
            )?;
            let settled: f64 = match row {
                Some(row) => row.try_get(0).map_err(|e| s.err(e))?,
                None => 0.0,
            };
            // Every unsettled reservation counts, whatever its day: it may still spend today.
            let committed = settled + s.reserved_usd(None)?;
            if !reservation_fits(committed, r.worst_case_usd, daily_limit_usd) {
                return Ok(Reserve::OverBudget {
                    committed_usd: committed,
                });
            }
            let row = s.query_opt(
                "INSERT INTO spend_reservations (at, signature_id, backend, model, worst_case_usd, owner, instance)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[&r.at, &r.signature_id, &r.backend, &r.model, &r.worst_case_usd, &r.owner, &s.instance],
            )?;
            let id: i64 = match row {
                Some(row) => row.try_get(0).map_err(|e| s.err(e))?,
                None => {
                    return Err(StoreError::Corrupt {
                        path: s.display.clone(),
                        reason: "INSERT … RETURNING id returned no row".into(),
                    })
                }
            };
            Ok(Reserve::Reserved(ReservationId(id)))
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
        self.in_transaction(|s| {
            s.query_opt(
                "SELECT pg_advisory_xact_lock($1)::TEXT",
                &[&lock_key("budget", &s.schema)],
            )?;
            s.settle_abandoned_in_tx()
        })
    }
}
