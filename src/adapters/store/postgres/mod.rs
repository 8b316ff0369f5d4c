//! The PostgreSQL signature store: one store shared by many hosts (`STORE_BACKEND=postgresql`).
//!
//! Concurrency, SQLite's two locks across hosts:
//! - the pass lock: a session-level advisory lock keyed on the schema, taken by a writer when it
//!   opens (waiting at most `--lock-wait`, then exit 75), released during diagnosis
//!   (`release_pass_lock`: spend reservations claim the signatures) and taken again before
//!   notifying, so ingest and notifications of one schema are serialised across hosts;
//! - the write lock: every write transaction (a pass, or one write outside it) holds a
//!   transaction-level advisory lock, as SQLite's `BEGIN IMMEDIATE` holds its write lock, so a
//!   diagnosis recorded meanwhile never interleaves with a pass's commit-time writes.
//!
//! The statements do not lean on the locks alone: the ledger key is unique (`ON CONFLICT DO
//! NOTHING`) and counts are written as `count = count + n`. Both locks die with the connection.

mod copy;
mod ingest;
mod inspect;
mod merge;
mod migrations;
mod queries;
mod records;
mod releases;
mod reservations;
pub mod url;

use crate::adapters::store::sqlite::Access;
use crate::core::ports::StoreError;
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Where the store lives.
#[derive(Debug, Clone)]
pub struct PgConfig {
    /// libpq URL or key=value string (may carry the password; never shown).
    pub url: String,
    /// The schema holding the tables (`STORE_PG_SCHEMA`), created by the first writer.
    pub schema: String,
    /// This host's name for its cursors and file checkpoints (`ROUNDS_INSTANCE`).
    pub instance: String,
}

/// Readers take no pass lock; this bounds their wait on a row lock.
const READER_LOCK_WAIT: Duration = Duration::from_secs(10);
/// How long connecting may take when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub type Params<'a> = [&'a (dyn ToSql + Sync)];

pub struct PgStore {
    client: RefCell<Client>,
    /// The redacted URL and schema: what every error names.
    display: String,
    redacted_url: String,
    schema: String,
    instance: String,
    lock_wait: Duration,
    /// Writers: whether this connection holds the pass lock now.
    pass_lock_held: bool,
    /// Writers only: how long to wait for the pass lock when taking it again.
    writer_wait: Option<Duration>,
    /// This connection as `backend pid:backend start (µs)`: what a spend reservation is alive by.
    session: String,
    in_tx: bool,
    pending: HashMap<String, ingest::PendingSignature>,
    pending_hours: HashMap<(String, i64), i64>,
    /// Releases and environments counted in this pass, flushed at commit with the rest.
    pending_releases: releases::Pending,
    pending_environments: releases::Pending,
    /// Resolved-in-next-release marks read during this pass.
    markers: HashMap<String, Option<crate::core::releases::ResolvedIn>>,
    statements: RefCell<HashMap<&'static str, Statement>>,
}

/// A schema name PostgreSQL takes unquoted: lower-case letters, digits and `_`, at most 63 bytes.
pub fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl PgStore {
    /// Connect, and for writers create the schema, migrate and take the pass lock.
    pub fn open(cfg: &PgConfig, access: Access) -> Result<PgStore, StoreError> {
        let redacted_url = url::redact(&cfg.url);
        let display = format!("{redacted_url} (schema {})", cfg.schema);
        if !valid_schema(&cfg.schema) {
            return Err(StoreError::Create {
                path: display,
                reason: "the schema name must be lower-case letters, digits and _".into(),
            });
        }
        let mut pg = url::parse(&cfg.url).map_err(|reason| StoreError::Create {
            path: display.clone(),
            reason,
        })?;
        url::fill_password(&mut pg);
        if pg.get_connect_timeout().is_none() {
            pg.connect_timeout(CONNECT_TIMEOUT);
        }
        if pg.get_application_name().is_none() {
            pg.application_name("rounds");
        }
        let client = connect(&pg).map_err(|e| connect_err(&display, e))?;
        let lock_wait = match access {
            Access::Read => READER_LOCK_WAIT,
            Access::Write { lock_wait } => lock_wait,
        };
        let mut store = PgStore {
            client: RefCell::new(client),
            display,
            redacted_url,
            schema: cfg.schema.clone(),
            instance: cfg.instance.clone(),
            lock_wait,
            pass_lock_held: false,
            writer_wait: match access {
                Access::Read => None,
                Access::Write { lock_wait } => Some(lock_wait),
            },
            session: String::new(),
            in_tx: false,
            pending: HashMap::new(),
            pending_hours: HashMap::new(),
            pending_releases: HashMap::new(),
            pending_environments: HashMap::new(),
            markers: HashMap::new(),
            statements: RefCell::new(HashMap::new()),
        };
        // Row locks (none are taken by readers, a few by writers) wait no longer than the pass lock.
        let ms = lock_wait.as_millis().clamp(1, i32::MAX as u128);
        store.batch(&format!("SET lock_timeout = {ms}"))?;
        match access {
            Access::Read => {
                if !store.schema_exists()? {
                    return Err(StoreError::MissingSchema {
                        path: store.display.clone(),
                    });
                }
                store.batch(&format!("SET search_path TO {}", cfg.schema))?;
                let v = store.user_version()?;
                if v > migrations::MIGRATIONS.len() as i64 {
                    return Err(store.too_new(v));
                }
            }
            Access::Write { lock_wait } => {
                if !store.schema_exists()? {
                    store.batch(&format!("CREATE SCHEMA IF NOT EXISTS {}", cfg.schema))?;
                }
                store.batch(&format!("SET search_path TO {}", cfg.schema))?;
                store.acquire_pass_lock(lock_wait)?;
                store.pass_lock_held = true;
                store.migrate()?;
                store.session = store.own_session()?;
            }
        }
        Ok(store)
    }

    /// The URL without its password, as shown by `status`.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// What errors name: the redacted URL and the schema.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.user_version()
    }

    /// The schema version this build writes (the same numbers as SQLite's).
    pub fn known_schema_version() -> i64 {
        migrations::MIGRATIONS.len() as i64
    }

    fn schema_exists(&self) -> Result<bool, StoreError> {
        let row = self.query_opt(
            "SELECT 1::BIGINT FROM pg_namespace WHERE nspname = $1",
            &[&self.schema],
        )?;
        Ok(row.is_some())
    }

    fn user_version(&self) -> Result<i64, StoreError> {
        let exists = self
            .query_opt(
                "SELECT 1::BIGINT FROM pg_tables WHERE schemaname = $1 AND tablename = 'rounds_schema'",
                &[&self.schema],
            )?
            .is_some();
        if !exists {
            return Ok(0);
        }
        let row = self.query_opt("SELECT version FROM rounds_schema LIMIT 1", &[])?;
        match row {
            Some(r) => r.try_get::<_, i64>(0).map_err(|e| self.err(e)),
            None => Ok(0),
        }
    }

    fn too_new(&self, found: i64) -> StoreError {
        StoreError::TooNew {
            path: self.display.clone(),
            found,
            known: migrations::MIGRATIONS.len() as i64,
        }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        // Under the pass lock already; the transaction-level lock also covers a writer of an
        // older build that migrates without it.
        self.batch("BEGIN")?;
        let result = (|| {
            self.query_opt(
                "SELECT pg_advisory_xact_lock($1)::TEXT",
                &[&lock_key("migrate", &self.schema)],
            )?;
            self.batch("CREATE TABLE IF NOT EXISTS rounds_schema (version BIGINT NOT NULL)")?;
            let current = self.user_version()?;
            let known = migrations::MIGRATIONS.len() as i64;
            if current > known {
                return Err(self.too_new(current));
            }
            for sql in migrations::MIGRATIONS.iter().skip(current as usize) {
                self.batch(sql)?;
            }
            if current < known {
                self.batch("DELETE FROM rounds_schema")?;
                self.execute("INSERT INTO rounds_schema (version) VALUES ($1)", &[&known])?;
            }
            Ok(())
        })();
        self.finish_tx(result)
    }

    /// This connection's identity in `pg_stat_activity` (pid and start, which no later session
    /// repeats).
    fn own_session(&self) -> Result<String, StoreError> {
        let row = self.query_opt(
            "SELECT pid::BIGINT, (extract(epoch FROM backend_start) * 1000000)::BIGINT
             FROM pg_stat_activity WHERE pid = pg_backend_pid()",
            &[],
        )?;
        match row {
            Some(r) => {
                let pid: i64 = r.try_get(0).map_err(|e| self.err(e))?;
                let start: i64 = r.try_get(1).map_err(|e| self.err(e))?;
                Ok(format!("{pid}:{start}"))
            }
            None => Ok(String::new()),
        }
    }

    /// Whether the session `pid:start` (from `own_session`) is still connected.
    fn session_alive(&self, session: &str) -> Result<bool, StoreError> {
        let Some((pid, start)) = session.split_once(':') else {
            return Ok(false);
        };
        let (Ok(pid), Ok(start)) = (pid.parse::<i64>(), start.parse::<i64>()) else {
            return Ok(false);
        };
        Ok(self
            .query_opt(
                "SELECT 1::BIGINT FROM pg_stat_activity WHERE pid = $1::BIGINT::INT
                 AND (extract(epoch FROM backend_start) * 1000000)::BIGINT = $2",
                &[&pid, &start],
            )?
            .is_some())
    }

    /// Let the pass lock go (diagnosis), if this writer holds it.
    pub(super) fn release_lock(&mut self) {
        if self.pass_lock_held && !self.in_tx {
            let key = lock_key("pass", &self.schema);
            if self
                .query_opt("SELECT pg_advisory_unlock($1)", &[&key])
                .is_ok()
            {
                self.pass_lock_held = false;
            }
        }
    }

    /// Take the pass lock again (a writer that released it), waiting at most `--lock-wait`.
    pub(super) fn reacquire_lock(&mut self) -> Result<(), StoreError> {
        if let (false, Some(wait)) = (self.pass_lock_held, self.writer_wait) {
            self.acquire_pass_lock(wait)?;
            self.pass_lock_held = true;
        }
        Ok(())
    }

    /// Inside a transaction: wait for (and hold until it ends) the schema's write lock.
    pub(super) fn take_write_lock(&self) -> Result<(), StoreError> {
        self.query_opt(
            "SELECT pg_advisory_xact_lock($1)::TEXT",
            &[&lock_key("write", &self.schema)],
        )
        .map(|_| ())
    }

    /// Take the pass lock, polling until `wait` runs out (then `Locked`, exit 75).
    fn acquire_pass_lock(&self, wait: Duration) -> Result<(), StoreError> {
        let key = lock_key("pass", &self.schema);
        let started = Instant::now();
        loop {
            let row = self.query_opt("SELECT pg_try_advisory_lock($1)", &[&key])?;
            let got = match row {
                Some(r) => r.try_get::<_, bool>(0).map_err(|e| self.err(e))?,
                None => false,
            };
            if got {
                return Ok(());
            }
            if started.elapsed() >= wait {
                return Err(StoreError::Locked {
                    path: self.display.clone(),
                    waited_secs: wait.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Commit or roll back the transaction `batch("BEGIN")` opened, by `result`.
    fn finish_tx<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match result {
            Ok(v) => {
                self.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Run `f` inside the pass transaction, or inside its own when no pass is open.
    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.in_tx {
            return f(self);
        }
        self.batch("BEGIN")?;
        let result = self.take_write_lock().and_then(|()| f(self));
        self.finish_tx(result)
    }

    // Statement helpers: every query goes through one of these, so every error names the store.

    fn err(&self, e: postgres::Error) -> StoreError {
        statement_err(&self.display, self.lock_wait, e)
    }

    fn batch(&self, sql: &str) -> Result<(), StoreError> {
        self.client
            .borrow_mut()
            .batch_execute(sql)
            .map_err(|e| self.err(e))
    }

    /// A prepared statement, prepared once per connection.
    fn prepared(&self, client: &mut Client, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let st = client.prepare(sql).map_err(|e| self.err(e))?;
        self.statements.borrow_mut().insert(sql, st.clone());
        Ok(st)
    }

    fn query(&self, sql: &'static str, params: &Params<'_>) -> Result<Vec<Row>, StoreError> {
        let mut c = self.client.borrow_mut();
        let st = self.prepared(&mut c, sql)?;
        c.query(&st, params).map_err(|e| self.err(e))
    }

    fn query_opt(&self, sql: &'static str, params: &Params<'_>) -> Result<Option<Row>, StoreError> {
        let mut c = self.client.borrow_mut();
        let st = self.prepared(&mut c, sql)?;
        c.query_opt(&st, params).map_err(|e| self.err(e))
    }

    fn execute(&self, sql: &'static str, params: &Params<'_>) -> Result<u64, StoreError> {
        let mut c = self.client.borrow_mut();
        let st = self.prepared(&mut c, sql)?;
        c.execute(&st, params).map_err(|e| self.err(e))
    }

    /// A statement built at run time (filters): not cached.
    fn query_dyn(&self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>, StoreError> {
        self.client
            .borrow_mut()
            .query(sql, params)
            .map_err(|e| self.err(e))
    }

    /// Map rows with `f`, naming the store on a type error.
    fn rows<T>(
        &self,
        sql: &'static str,
        params: &Params<'_>,
        f: impl Fn(&Row) -> Result<T, postgres::Error>,
    ) -> Result<Vec<T>, StoreError> {
        self.query(sql, params)?
            .iter()
            .map(|r| f(r).map_err(|e| self.err(e)))
            .collect()
    }

    fn history(
        &self,
        id: &str,
        at: i64,
        from: Option<crate::core::model::Status>,
        to: crate::core::model::Status,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO status_history (signature_id, at, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5)",
            &[&id, &at, &from.map(|s| s.as_str()), &to.as_str(), &reason],
        )
        .map(|_| ())
    }
}

/// An advisory lock key for `what` on `schema`: the same on every host (sha-256, first 8 bytes).
pub(super) fn lock_key(what: &str, schema: &str) -> i64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(format!("rounds {what} lock:{schema}").as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    i64::from_be_bytes(b)
}

fn connect(cfg: &postgres::Config) -> Result<Client, postgres::Error> {
    if cfg.get_ssl_mode() == postgres::config::SslMode::Disable {
        return cfg.connect(postgres::NoTls);
    }
    cfg.connect(tls())
}

/// TLS by rustls (already linked for HTTPS) with the system's root certificates: the server's
/// certificate is always verified, whatever `sslmode` says beyond `disable`.
fn tls() -> tokio_postgres_rustls::MakeRustlsConnect {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b.with_root_certificates(roots).with_no_client_auth(),
        // ring supports the default versions; should that ever fail, fall back to rustls' own default.
        Err(_) => rustls::ClientConfig::builder()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    };
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

fn sqlstate(e: &postgres::Error) -> Option<&str> {
    e.as_db_error().map(|d| d.code().code())
}

/// Connecting failed: rejected credentials (77), a database that does not exist (66), else the
/// server is unavailable (69).
fn connect_err(display: &str, e: postgres::Error) -> StoreError {
    let reason = error_text(&e);
    match sqlstate(&e) {
        Some("28P01") | Some("28000") => StoreError::Credentials {
            path: display.to_string(),
            reason,
        },
        Some("3D000") => StoreError::MissingSchema {
            path: display.to_string(),
        },
        _ => StoreError::Unavailable {
            path: display.to_string(),
            reason,
        },
    }
}

/// A failed statement: a lock or serialization conflict is temporary (`Busy`, exit 75), a lost
/// connection is `Unavailable`, anything else a write error.
fn statement_err(display: &str, waited: Duration, e: postgres::Error) -> StoreError {
    match sqlstate(&e) {
        Some("55P03") | Some("40001") | Some("40P01") => StoreError::Busy {
            path: display.to_string(),
            waited_secs: waited.as_secs(),
        },
        None if e.is_closed() || e.to_string().contains("connection") => StoreError::Unavailable {
            path: display.to_string(),
            reason: error_text(&e),
        },
        _ => StoreError::Write {
            path: display.to_string(),
            reason: error_text(&e),
        },
    }
}

/// The error with its source (the postgres crate puts the server's message there).
fn error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(": ");
                s.push_str(&inner.to_string());
                src = inner.source();
            }
            s
        }
    }
}

/// `i64` of an unsigned count (saturating).
fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The unsigned count of a stored `i64` (negative reads as 0).
fn u64_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A signature id is stored as its text.
impl postgres::types::ToSql for crate::core::model::SignatureId {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.as_str().to_sql(ty, out)
    }
    fn accepts(ty: &postgres::types::Type) -> bool {
        <&str as postgres::types::ToSql>::accepts(ty)
    }
    postgres::types::to_sql_checked!();
}

impl<'a> postgres::types::FromSql<'a> for crate::core::model::SignatureId {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        String::from_sql(ty, raw).map(crate::core::model::SignatureId::from)
    }
    fn accepts(ty: &postgres::types::Type) -> bool {
        <String as postgres::types::FromSql>::accepts(ty)
    }
}
