//! The SQLite signature store: one file (WAL, busy timeout, 0600), append-only migrations keyed on
//! `user_version`, one transaction per pass, and an OS file lock beside the database so only one
//! pass writes at a time when cron overlaps runs.

mod ingest;
mod inspect;
mod merge;
mod migrations;
mod queries;
mod records;
mod releases;
mod reservations;

use crate::core::model::{Status, UnixNanos};
use crate::core::ports::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How the store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read-only commands: no lock, no creation.
    Read,
    /// Writers take the pass lock, waiting at most this long.
    Write { lock_wait: Duration },
}

/// Readers take no pass lock; this bounds their wait on SQLite's own lock.
const READER_BUSY_WAIT: Duration = Duration::from_secs(10);

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Held by a writer while it ingests or notifies (released during diagnosis, see
    /// `release_pass_lock`); the OS releases it if the process dies.
    lock: Option<File>,
    /// How long a writer waits for the pass lock; `None` for readers.
    lock_wait: Option<Duration>,
    /// How long a statement waits on SQLite's own lock before the error says "busy" (exit 75).
    busy_wait: Duration,
    in_tx: bool,
    /// Signature state touched in this pass, flushed at commit (keeps ingest to one statement per event).
    pending: HashMap<String, ingest::PendingSignature>,
    pending_hours: HashMap<(String, i64), i64>,
    /// Resolved-in-next-release marks read during this pass.
    markers: HashMap<String, Option<crate::core::releases::ResolvedIn>>,
}

impl SqliteStore {
    /// Open (and create, for writers) the database at `path`.
    pub fn open(path: &Path, access: Access) -> Result<SqliteStore, StoreError> {
        let display = path.display().to_string();
        let create_err = |reason: String| StoreError::Create {
            path: display.clone(),
            reason,
        };
        let lock = match access {
            Access::Read => {
                if !path.exists() {
                    // Never an empty stand-in: a mistyped --db must not read as "all quiet".
                    return Err(StoreError::Missing { path: display });
                }
                None
            }
            Access::Write { lock_wait } => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    crate::adapters::private_fs::create_dir_all(parent).map_err(|e| {
                        create_err(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
                Some(acquire_lock(path, lock_wait)?)
            }
        };
        // Writers wait on a foreign SQLite lock as long as they would on the pass lock; readers
        // (WAL: blocked only by a checkpoint or a non-WAL writer) keep a fixed bound.
        let busy_wait = match access {
            Access::Read => READER_BUSY_WAIT,
            Access::Write { lock_wait } => lock_wait,
        };
        let flags = match access {
            Access::Read => OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            Access::Write { .. } => {
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
        };
        let existed = path.exists();
        if !existed && matches!(access, Access::Write { .. }) {
            // Created 0600 before SQLite opens it (no window at the umask's mode); SQLite
            // then gives the WAL and SHM files the database's mode.
            crate::adapters::private_fs::create_file(path, false)
                .map_err(|e| create_err(format!("cannot create: {e}")))?;
        }
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| create_err(e.to_string()))?;
        if !existed {
            restrict_permissions(path)
                .map_err(|e| create_err(format!("cannot set mode 0600: {e}")))?;
        }
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            lock,
            lock_wait: match access {
                Access::Read => None,
                Access::Write { lock_wait } => Some(lock_wait),
            },
            busy_wait,
            in_tx: false,
            pending: HashMap::new(),
            pending_hours: HashMap::new(),
            markers: HashMap::new(),
        };
        match store.configure(matches!(access, Access::Write { .. })) {
            Ok(()) => Ok(store),
            // A WAL database a reader may not write beside (read-only file or directory, no
            // -shm to share): SQLite cannot coordinate with writers, so read it as immutable.
            // Nobody can be writing it through this directory either.
            Err(e) if access == Access::Read && read_only_wal(&e) => {
                store.conn = open_immutable(path).map_err(|_| e)?;
                store.configure(false)?;
                Ok(store)
            }
            Err(e) => Err(e),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Let other writers (`ignore`, `resolve`, another pass) in while this one does slow work
    /// that needs no exclusive access (diagnosis: spend reservations claim its signatures).
    /// The store stays usable: each write is its own transaction under SQLite's own lock.
    pub(super) fn release_lock(&mut self) {
        self.lock = None;
    }

    /// Take the pass lock again (a writer that released it), waiting at most `--lock-wait`.
    pub(super) fn reacquire_lock(&mut self) -> Result<(), StoreError> {
        if let (None, Some(wait)) = (&self.lock, self.lock_wait) {
            self.lock = Some(acquire_lock(&self.path, wait)?);
        }
        Ok(())
    }

    fn configure(&mut self, writer: bool) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(self.busy_wait)
            .map_err(|e| self.write_err(e))?;
        // Ingest and merge statements together outnumber rusqlite's default cache of 16.
        self.conn.set_prepared_statement_cache_capacity(64);
        if writer {
            // A 32 MiB page cache: a 1M-event pass (issue 15's corpus) peaks at 143 MB RSS and
            // takes 17.3 s, against 175 MB and 15.8 s with 64 MiB and 123 MB and 19.6 s with 16
            // MiB (docs/performance.md); 100k events run the same with 32 or 64 MiB.
            self.conn
                .execute_batch(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;\n                     PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;",
                )
                .map_err(|e| self.write_err(e))?;
            self.migrate()?;
        } else {
            let v = self.user_version()?;
            if v > migrations::MIGRATIONS.len() as i64 {
                return Err(self.too_new(v));
            }
        }
        Ok(())
    }

    /// The schema version (`PRAGMA user_version`: the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.user_version()
    }

    /// The schema version this build writes.
    pub fn known_schema_version() -> i64 {
        migrations::MIGRATIONS.len() as i64
    }

    fn user_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.write_err(e))
    }

    fn too_new(&self, found: i64) -> StoreError {
        StoreError::TooNew {
            path: self.path.display().to_string(),
            found,
            known: migrations::MIGRATIONS.len() as i64,
        }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let current = self.user_version()?;
        let known = migrations::MIGRATIONS.len() as i64;
        if current > known {
            return Err(self.too_new(current));
        }
        for (i, sql) in migrations::MIGRATIONS
            .iter()
            .enumerate()
            .skip(current as usize)
        {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| write_err(&self.path, self.busy_wait, e))?;
            tx.execute_batch(sql)
                .map_err(|e| write_err(&self.path, self.busy_wait, e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| write_err(&self.path, self.busy_wait, e))?;
            tx.commit()
                .map_err(|e| write_err(&self.path, self.busy_wait, e))?;
        }
        Ok(())
    }

    fn write_err(&self, e: rusqlite::Error) -> StoreError {
        write_err(&self.path, self.busy_wait, e)
    }

    /// Run `f` inside the pass transaction, or inside its own when no pass is open.
    /// `Connection::query_row` through the statement cache: the notify phase runs each of its
    /// reads once per signature, and preparing them each time was a quarter of its CPU.
    fn cached_row<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }

    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.in_tx {
            return f(self);
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.write_err(e))?;
        match f(self) {
            Ok(v) => {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(|e| self.write_err(e))?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn history(
        &self,
        id: &str,
        at: UnixNanos,
        from: Option<Status>,
        to: Status,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO status_history (signature_id, at, from_status, to_status, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut st| st.execute(rusqlite::params![id, at, from.map(|s| s.as_str()), to.as_str(), reason]))
            .map(|_| ())
            .map_err(|e| self.write_err(e))
    }
}

/// A failed statement as a store error: SQLite's busy/locked (after the busy timeout ran out) is
/// the temporary `Busy` (exit 75, retry later), anything else a write error.
fn write_err(path: &Path, waited: Duration, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        ) {
            return StoreError::Busy {
                path: path.display().to_string(),
                waited_secs: waited.as_secs(),
            };
        }
    }
    StoreError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    crate::adapters::private_fs::set_mode(path, 0o600)
}

/// Take the exclusive pass lock (`<db>.lock`), polling until `wait` runs out.
fn acquire_lock(db: &Path, wait: Duration) -> Result<File, StoreError> {
    let mut lock_path = db.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let file = crate::adapters::private_fs::create_file(&lock_path, false).map_err(|e| {
        StoreError::Create {
            path: lock_path.display().to_string(),
            reason: e.to_string(),
        }
    })?;
    let _ = restrict_permissions(&lock_path);
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                if started.elapsed() >= wait {
                    return Err(StoreError::Locked {
                        path: db.display().to_string(),
                        waited_secs: wait.as_secs(),
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::Create {
                    path: lock_path.display().to_string(),
                    reason: e.to_string(),
                })
            }
        }
    }
}

/// Whether opening read-only failed only because SQLite could not create the WAL's shared
/// memory file beside the database (a read-only file or directory).
fn read_only_wal(e: &StoreError) -> bool {
    match e {
        StoreError::Write { reason, .. } | StoreError::Create { reason, .. } => {
            reason.contains("readonly") || reason.contains("unable to open")
        }
        _ => false,
    }
}

/// Open `path` as an immutable database (`file:…?immutable=1`): no locks, no -shm.
fn open_immutable(path: &Path) -> Result<Connection, rusqlite::Error> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        // Percent-encode everything a URI path may not carry as is.
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// A signature id is stored as its text.
impl rusqlite::ToSql for crate::core::model::SignatureId {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.as_str().to_sql()
    }
}

impl rusqlite::types::FromSql for crate::core::model::SignatureId {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        String::column_result(v).map(crate::core::model::SignatureId::from)
    }
}
