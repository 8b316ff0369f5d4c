//! `rounds store copy`: every row of a SQLite store, history included, into an empty PostgreSQL
//! schema, in one transaction (all or nothing) under the pass lock. Rows go in SQLite's rowid
//! order, so identity columns (diagnosis ids, history order) keep their order.

use super::PgStore;
use crate::core::ports::StoreError;
use postgres::types::ToSql;
use rusqlite::types::Value;
use std::path::Path;

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
    Real,
    Bool,
    Blob,
}

use Kind::{Blob, Bool, Int, Real, Text};

/// The tables and columns copied as they are (same names on both sides; SQLite's `id`/rowid
/// becomes PostgreSQL's identity, filled in the same order). `cursors` and `state` gain the
/// instance and are copied apart, and so are unsettled spend reservations (the command settles
/// the abandoned ones in SQLite first, so normally there are none).
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "signatures",
        &[
            ("id", Text),
            ("algorithm_version", Int),
            ("basis", Text),
            ("status", Text),
            ("exception_type", Text),
            ("template", Text),
            ("key_frames", Text),
            ("services", Text),
            ("count", Int),
            ("first_seen", Int),
            ("last_seen", Int),
            ("sample_stack", Text),
            ("sample_message", Text),
            ("ignore_reason", Text),
            ("ignored_until", Int),
            ("no_merge", Bool),
            ("explain", Text),
            ("last_ingested", Int),
            ("resolved_in_release", Text),
            ("resolved_in_release_seen", Int),
            ("regressed_in_release", Text),
        ],
    ),
    (
        "signature_releases",
        &[
            ("signature_id", Text),
            ("release", Text),
            ("count", Int),
            ("first_seen", Int),
            ("last_seen", Int),
        ],
    ),
    (
        "signature_environments",
        &[
            ("signature_id", Text),
            ("environment", Text),
            ("count", Int),
            ("first_seen", Int),
            ("last_seen", Int),
        ],
    ),
    (
        "signature_aliases",
        &[("alias", Text), ("signature_id", Text), ("created_at", Int)],
    ),
    (
        "status_history",
        &[
            ("signature_id", Text),
            ("at", Int),
            ("from_status", Text),
            ("to_status", Text),
            ("reason", Text),
        ],
    ),
    (
        "events",
        &[
            ("event_key", Blob),
            ("signature_id", Text),
            ("trace_id", Text),
            ("span_id", Text),
            ("timestamp", Int),
            ("service", Text),
            ("ingested_at", Int),
        ],
    ),
    (
        "hourly_counts",
        &[("signature_id", Text), ("hour", Int), ("count", Int)],
    ),
    (
        "passes",
        &[
            ("started_at", Int),
            ("finished_at", Int),
            ("source", Text),
            ("events_read", Int),
            ("duplicates", Int),
            ("new", Int),
            ("recurring", Int),
            ("regressed", Int),
            ("skipped", Int),
            ("quarantined", Int),
        ],
    ),
    (
        "diagnoses",
        &[
            ("signature_id", Text),
            ("created_at", Int),
            ("root_cause", Text),
            ("suggested_fix", Text),
            ("confidence", Text),
            ("evidence", Text),
            ("backend", Text),
            ("model", Text),
            ("cost_usd", Real),
            ("input_tokens", Int),
            ("output_tokens", Int),
            ("duration_ms", Int),
            ("prompt_version", Int),
            ("codebase_revision", Text),
        ],
    ),
    (
        "diagnosis_attempts",
        &[
            ("signature_id", Text),
            ("at", Int),
            ("backend", Text),
            ("model", Text),
            ("kind", Text),
            ("detail", Text),
            ("codebase_revision", Text),
        ],
    ),
    (
        "spend_ledger",
        &[
            ("at", Int),
            ("signature_id", Text),
            ("backend", Text),
            ("model", Text),
            ("cost_usd", Real),
            ("estimated", Bool),
        ],
    ),
    (
        "notifications",
        &[
            ("channel", Text),
            ("signature_id", Text),
            ("dedup_key", Text),
            ("state", Text),
            ("external_ref", Text),
            ("at", Int),
            ("first_at", Int),
            ("attempts", Int),
            ("next_attempt", Int),
        ],
    ),
    ("reports", &[("at", Int)]),
    (
        "event_samples",
        &[
            ("signature_id", Text),
            ("event_key", Blob),
            ("timestamp", Int),
            ("service", Text),
            ("service_version", Text),
            ("trace_id", Text),
            ("span_id", Text),
            ("message", Text),
            ("attributes", Text),
        ],
    ),
];

/// Rows copied, per table, in copy order.
pub type CopyCounts = Vec<(String, u64)>;

impl PgStore {
    /// Copy the SQLite store at `from` (already migrated to this build's schema) into this
    /// schema, which must hold no signatures and no events.
    pub fn copy_from_sqlite(&mut self, from: &Path) -> Result<CopyCounts, StoreError> {
        let src_name = from.display().to_string();
        let src_err = |e: rusqlite::Error| StoreError::Write {
            path: src_name.clone(),
            reason: e.to_string(),
        };
        let src = rusqlite::Connection::open_with_flags(
            from,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(src_err)?;
        let version: i64 = src
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(src_err)?;
        if version != Self::known_schema_version() {
            return Err(StoreError::Corrupt {
                path: src_name,
                reason: format!(
                    "schema {version}, this build copies schema {}",
                    Self::known_schema_version()
                ),
            });
        }
        let occupied = self
            .query_opt(
                "SELECT 1::BIGINT WHERE EXISTS (SELECT 1 FROM signatures) OR EXISTS (SELECT 1 FROM events)",
                &[],
            )?
            .is_some();
        if occupied {
            return Err(StoreError::Write {
                path: self.display.clone(),
                reason: "the target already holds signatures; copy into an empty schema (STORE_PG_SCHEMA)".into(),
            });
        }
        self.batch("BEGIN")?;
        let result = self.copy_tables(&src, &src_name);
        self.finish_tx(result)
    }

    fn copy_tables(
        &self,
        src: &rusqlite::Connection,
        src_name: &str,
    ) -> Result<CopyCounts, StoreError> {
        let src_err = |e: rusqlite::Error| StoreError::Write {
            path: src_name.to_string(),
            reason: e.to_string(),
        };
        // Tables an absorbed or pruned store may have emptied are still present; clear what a
        // failed earlier copy may have left (the emptiness check covered signatures and events).
        for (table, _) in TABLES {
            self.batch(&format!("DELETE FROM {table}"))?;
        }
        self.batch("DELETE FROM cursors; DELETE FROM state; DELETE FROM spend_reservations")?;
        let mut counts = CopyCounts::new();
        for (table, columns) in TABLES {
            let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
            let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
            let insert = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            );
            // Tables WITHOUT ROWID in SQLite: their key orders them.
            let order = match *table {
                "hourly_counts" => "signature_id, hour",
                "signature_releases" => "signature_id, release",
                "signature_environments" => "signature_id, environment",
                _ => "rowid",
            };
            let select = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
            let n = self.copy_rows(src, &select, &insert, columns, src_name)?;
            counts.push((table.to_string(), n));
        }
        // Cursors and host-local state become this instance's; shared state stays shared.
        let cursors = format!(
            "INSERT INTO cursors (instance, scope, position, updated_at) VALUES ('{}', $1, $2, $3)",
            self.instance.replace('\'', "''")
        );
        let n = self.copy_rows(
            src,
            "SELECT scope, position, updated_at FROM cursors ORDER BY rowid",
            &cursors,
            &[("scope", Text), ("position", Int), ("updated_at", Int)],
            src_name,
        )?;
        counts.push(("cursors".into(), n));
        let reservations = format!(
            "INSERT INTO spend_reservations (at, signature_id, backend, model, worst_case_usd, owner, instance)
             VALUES ($1, $2, $3, $4, $5, $6, '{}')",
            self.instance.replace('\'', "''")
        );
        let n = self.copy_rows(
            src,
            "SELECT at, signature_id, backend, model, worst_case_usd, owner FROM spend_reservations ORDER BY id",
            &reservations,
            &[
                ("at", Int),
                ("signature_id", Text),
                ("backend", Text),
                ("model", Text),
                ("worst_case_usd", Real),
                ("owner", Text),
            ],
            src_name,
        )?;
        counts.push(("spend_reservations".into(), n));
        let mut st = src
            .prepare("SELECT key, value FROM state ORDER BY key")
            .map_err(src_err)?;
        let rows: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(src_err)?;
        for (key, value) in &rows {
            self.execute(
                "INSERT INTO state (instance, key, value) VALUES ($1, $2, $3)",
                &[&self.state_instance(key), key, value],
            )?;
        }
        counts.push(("state".into(), rows.len() as u64));
        Ok(counts)
    }

    fn copy_rows(
        &self,
        src: &rusqlite::Connection,
        select: &str,
        insert: &str,
        columns: &[(&str, Kind)],
        src_name: &str,
    ) -> Result<u64, StoreError> {
        let src_err = |e: rusqlite::Error| StoreError::Write {
            path: src_name.to_string(),
            reason: e.to_string(),
        };
        let mut client = self.client.borrow_mut();
        let target = client.prepare(insert).map_err(|e| self.err(e))?;
        let mut st = src.prepare(select).map_err(src_err)?;
        let mut rows = st.query([]).map_err(src_err)?;
        let mut n = 0u64;
        while let Some(row) = rows.next().map_err(src_err)? {
            let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(columns.len());
            for (i, (name, kind)) in columns.iter().enumerate() {
                let v: Value = row.get(i).map_err(src_err)?;
                params.push(param(*kind, v).ok_or_else(|| StoreError::Corrupt {
                    path: src_name.to_string(),
                    reason: format!("{select}: column {name} has a value of the wrong type"),
                })?);
            }
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|b| b.as_ref()).collect();
            client.execute(&target, &refs).map_err(|e| self.err(e))?;
            n += 1;
        }
        Ok(n)
    }
}

/// One SQLite value as the PostgreSQL column's type (`None`: it cannot be).
fn param(kind: Kind, v: Value) -> Option<Box<dyn ToSql + Sync>> {
    Some(match (kind, v) {
        (Text, Value::Null) => Box::new(None::<String>),
        (Int, Value::Null) => Box::new(None::<i64>),
        (Real, Value::Null) => Box::new(None::<f64>),
        (Bool, Value::Null) => Box::new(None::<bool>),
        (Blob, Value::Null) => Box::new(None::<Vec<u8>>),
        (Text, Value::Text(s)) => Box::new(s),
        (Text, Value::Integer(i)) => Box::new(i.to_string()),
        (Int, Value::Integer(i)) => Box::new(i),
        (Real, Value::Real(f)) => Box::new(f),
        (Real, Value::Integer(i)) => Box::new(i as f64),
        (Bool, Value::Integer(i)) => Box::new(i != 0),
        (Blob, Value::Blob(b)) => Box::new(b),
        (Blob, Value::Text(s)) => Box::new(s.into_bytes()),
        _ => return None,
    })
}
