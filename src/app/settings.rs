//! Resolve flags, environment and defaults into typed settings; all validation lives here.

use crate::cli::GlobalArgs;
use crate::core::model::{UnixNanos, NANOS_PER_SEC};
use crate::exit::AppError;
use std::path::PathBuf;
use std::time::Duration;

/// Settings every command shares.
#[derive(Debug, Clone)]
pub struct Global {
    pub db: PathBuf,
    /// `STORE_BACKEND=postgresql`: the shared store (else SQLite at `db`).
    pub postgres: Option<PgSettings>,
    pub lock_wait: Duration,
    /// The one redactor for every outbound sink (installed by `app::run`).
    pub redactor: crate::core::redact::Redactor,
    /// Every size cap (`ROUNDS_MAX_*`).
    pub limits: crate::app::limits::AllLimits,
}

impl Global {
    pub fn resolve(g: &GlobalArgs) -> Result<Global, AppError> {
        let postgres = match g.store_backend {
            crate::cli::StoreBackend::Sqlite => None,
            crate::cli::StoreBackend::Postgresql => Some(PgSettings::resolve(g)?),
        };
        let db = match &g.db {
            Some(p) if p.as_os_str().is_empty() => {
                return Err(AppError::Config("--db: empty path".into()))
            }
            Some(p) => p.clone(),
            None => default_db_path()?,
        };
        let lock_wait = crate::app::checked::duration(
            "ROUNDS_LOCK_WAIT (--lock-wait)",
            parse_duration("--lock-wait", &g.lock_wait)?,
            Duration::ZERO,
            crate::app::checked::DAY,
        )?;
        let redactor = crate::core::redact::Redactor::with_patterns(&g.redact.redact_patterns)
            .map_err(|e| AppError::Config(format!("REDACT_PATTERNS: {e}")))?
            .emails(g.redact.redact_emails)
            .ips(g.redact.redact_ips);
        let limits = crate::app::limits::from_args(&g.limits)?;
        Ok(Global {
            db,
            postgres,
            lock_wait,
            redactor,
            limits,
        })
    }
}

/// Where the PostgreSQL store is: the URL (secret: from `DATABASE_URL` only, never a flag),
/// the schema and this host's instance name.
#[derive(Clone)]
pub struct PgSettings {
    pub url: String,
    pub schema: String,
    pub instance: String,
}

impl std::fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSettings")
            .field("url", &crate::app::wiring::pg_url_redacted(&self.url))
            .field("schema", &self.schema)
            .field("instance", &self.instance)
            .finish()
    }
}

/// Longest `ROUNDS_INSTANCE` (it is part of every cursor key).
const MAX_INSTANCE_LEN: usize = 128;

impl PgSettings {
    fn resolve(g: &GlobalArgs) -> Result<PgSettings, AppError> {
        let url = std::env::var("DATABASE_URL")
            .ok()
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                AppError::Config(
                    "STORE_BACKEND=postgresql needs DATABASE_URL (e.g. postgresql://rounds@db.example/rounds)".into(),
                )
            })?;
        let schema = g.pg_schema.trim().to_string();
        crate::app::wiring::check_pg_settings(&url, &schema)?;
        let instance = match g
            .instance
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(i) => i.to_string(),
            None => host_name(),
        };
        if instance.len() > MAX_INSTANCE_LEN || instance.chars().any(char::is_control) {
            return Err(AppError::Config(format!(
                "ROUNDS_INSTANCE: at most {MAX_INSTANCE_LEN} bytes without control characters"
            )));
        }
        Ok(PgSettings {
            url,
            schema,
            instance,
        })
    }
}

/// This machine's host name (the default instance), or `default` when it cannot be read.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// `<data dir>/rounds/rounds.db` (e.g. ~/.local/share/rounds/rounds.db).
pub fn default_db_path() -> Result<PathBuf, AppError> {
    dirs::data_dir()
        .map(|d| d.join("rounds").join("rounds.db"))
        .ok_or_else(|| {
            AppError::Config(
                "no data directory for this user: set --db or STORE_SQLITE_PATH".into(),
            )
        })
}

/// `90s`, `15m`, `24h`, `7d`, `2w` (humantime syntax).
pub fn parse_duration(what: &str, s: &str) -> Result<Duration, AppError> {
    humantime::parse_duration(s.trim()).map_err(|e| {
        AppError::Config(format!(
            "{what}: '{s}' is not a duration like 30s, 15m, 24h or 7d ({e})"
        ))
    })
}

pub fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// A point in time given as a duration before `now` (`24h`) or an RFC 3339 time.
pub fn parse_since(what: &str, s: &str, now: UnixNanos) -> Result<UnixNanos, AppError> {
    parse_time(what, s, now, -1)
}

/// A point in time given as a duration after `now` (`7d`) or an RFC 3339 time.
pub fn parse_until(what: &str, s: &str, now: UnixNanos) -> Result<UnixNanos, AppError> {
    parse_time(what, s, now, 1)
}

fn parse_time(what: &str, s: &str, now: UnixNanos, sign: i64) -> Result<UnixNanos, AppError> {
    let t = s.trim();
    if let Ok(d) = humantime::parse_duration(t) {
        // Checked: `--since 999999999d` must be a usage error, not a wrapped time.
        return i64::try_from(d.as_nanos())
            .ok()
            .and_then(|n| now.checked_add(sign.checked_mul(n)?))
            .ok_or_else(|| {
                AppError::Usage(format!(
                    "{what}: '{s}' is out of range (allowed: up to about 290 years from now)"
                ))
            });
    }
    match humantime::parse_rfc3339_weak(t) {
        Ok(st) => Ok(st
            .duration_since(std::time::UNIX_EPOCH)
            .map(nanos)
            .unwrap_or(0)),
        Err(_) => Err(AppError::Usage(format!(
            "{what}: '{s}' is neither a duration (24h, 7d) nor a time (2026-11-25T10:00:00Z)"
        ))),
    }
}

/// `ROUNDS_NOW` pins the clock (RFC 3339), for reproducible runs and tests.
pub fn clock() -> Result<Box<dyn crate::core::ports::Clock>, AppError> {
    match std::env::var("ROUNDS_NOW") {
        Ok(v) if !v.trim().is_empty() => {
            let t = humantime::parse_rfc3339_weak(v.trim()).map_err(|e| {
                AppError::Config(format!("ROUNDS_NOW: '{v}' is not an RFC 3339 time ({e})"))
            })?;
            let n = t
                .duration_since(std::time::UNIX_EPOCH)
                .map(nanos)
                .unwrap_or(0);
            Ok(Box::new(crate::core::ports::FixedClock(n)))
        }
        _ => Ok(Box::new(crate::core::ports::SystemClock)),
    }
}

pub const SECOND: i64 = NANOS_PER_SEC;

/// ESCALATION_FACTOR: 0 turns escalation off; otherwise it must be a jump (above 1).
pub fn escalation_factor(f: f64) -> Result<Option<f64>, AppError> {
    if f == 0.0 {
        Ok(None)
    } else if f.is_finite() && f > 1.0 {
        Ok(Some(f))
    } else {
        Err(AppError::Config(format!(
            "ESCALATION_FACTOR: {f} must be above 1 (e.g. 3 for a threefold jump), or 0 to turn escalation off"
        )))
    }
}
