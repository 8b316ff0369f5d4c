//! The composition root: the only place that names concrete adapters.

use crate::adapters::notify::github::{
    parse_routes, valid_repository, GithubConfig, GithubNotifier,
};
use crate::adapters::notify::markdown::MarkdownNotifier;
use crate::adapters::notify::stdout::StdoutNotifier;
use crate::adapters::store::postgres::{PgConfig, PgStore};
use crate::adapters::store::sqlite::{Access, SqliteStore};
use crate::adapters::telemetry::http::{parse_header_list, HttpAuth, HttpSettings};
use crate::adapters::telemetry::jaeger::{
    JaegerApiVersion, JaegerConfig, JaegerErrorFilter, JaegerSource,
};
use crate::adapters::telemetry::loki::{LokiConfig, LokiSource};
use crate::adapters::telemetry::otlp_file::{Input, OtlpFileSource, ReadLimits};
use crate::adapters::telemetry::signoz::{SignozConfig, SignozSource};
use crate::adapters::telemetry::tempo::{ErrorSpans, GrafanaStackSource, TempoConfig, TempoSource};
use crate::app::settings::parse_duration;
use crate::app::settings::Global;
use crate::cli::{Channel, NotifyArgs, PollArgs, TelemetryBackend};
use crate::core::ports::{Notifier, TelemetrySource};
use crate::exit::AppError;

pub fn open_store_write(g: &Global) -> Result<AnyStore, AppError> {
    let access = Access::Write {
        lock_wait: g.lock_wait,
    };
    Ok(match &g.postgres {
        Some(pg) => AnyStore::Postgres(PgStore::open(&pg_config(pg), access)?),
        None => AnyStore::Sqlite(SqliteStore::open(&g.db, access)?),
    })
}

/// A writer that changes an existing database only (`ignore`, `resolve`, `split`, `report
/// --mark`): a mistyped `--db` is exit 66 naming the path, not a new empty database.
pub fn open_store_write_existing(g: &Global) -> Result<AnyStore, AppError> {
    if let Some(pg) = &g.postgres {
        // A reader first: a schema that does not exist is `Missing`, never created here.
        PgStore::open(&pg_config(pg), Access::Read)?;
    } else if !g.db.exists() {
        return Err(crate::core::ports::StoreError::Missing {
            path: g.db.display().to_string(),
        }
        .into());
    }
    open_store_write(g)
}

/// Readers open the file read-only: no creation, no pass lock, no write lock.
pub fn open_store_read(g: &Global) -> Result<AnyStore, AppError> {
    Ok(match &g.postgres {
        Some(pg) => AnyStore::Postgres(PgStore::open(&pg_config(pg), Access::Read)?),
        None => AnyStore::Sqlite(SqliteStore::open(&g.db, Access::Read)?),
    })
}

/// The SQLite store at `path`, read-only (the source of `rounds store copy`).
pub fn open_sqlite_read(path: &std::path::Path) -> Result<SqliteStore, AppError> {
    Ok(SqliteStore::open(path, Access::Read)?)
}

/// Where the store is, for messages and `status`: the SQLite path, or the PostgreSQL URL
/// without its password and the schema.
pub fn store_location(g: &Global) -> String {
    match &g.postgres {
        Some(pg) => format!(
            "{} (schema {})",
            crate::adapters::store::postgres::url::redact(&pg.url),
            pg.schema
        ),
        None => g.db.display().to_string(),
    }
}

fn pg_config(pg: &crate::app::settings::PgSettings) -> PgConfig {
    PgConfig {
        url: pg.url.clone(),
        schema: pg.schema.clone(),
        instance: pg.instance.clone(),
    }
}

/// The telemetry source for `poll`: `--input` means the OTLP file adapter.
pub fn telemetry_source(
    args: &PollArgs,
    caps: crate::app::limits::InputLimits,
    progress: Option<ProgressHook>,
) -> Result<Box<dyn TelemetrySource>, AppError> {
    let backend = match (&args.input, args.backend) {
        (Some(_), None) | (Some(_), Some(TelemetryBackend::OtlpFile)) => TelemetryBackend::OtlpFile,
        (Some(_), Some(other)) => {
            return Err(AppError::Config(format!(
                "--input reads an OTLP file, but TELEMETRY_BACKEND={} was also given; use one",
                backend_name(other)
            )))
        }
        (None, Some(b)) => b,
        (None, None) => {
            return Err(AppError::Config(
                "no telemetry source: give --input FILE (OTLP/JSON) or set TELEMETRY_BACKEND"
                    .into(),
            ))
        }
    };
    match backend {
        TelemetryBackend::OtlpFile => {
            let Some(input) = &args.input else {
                return Err(AppError::Config(
                    "TELEMETRY_BACKEND=otlp_file needs --input FILE (or ROUNDS_INPUT)".into(),
                ));
            };
            let mut src = OtlpFileSource::new(Input::parse(input))
                .with_limits(ReadLimits {
                    record_bytes: caps.record_bytes,
                    decompressed_bytes: caps.decompressed_bytes,
                    gzip_ratio: caps.gzip_ratio,
                })
                .with_strict(args.strict);
            if let Some(p) = progress {
                src = src.with_progress(p);
            }
            Ok(Box::new(src))
        }
        TelemetryBackend::Jaeger => {
            let j = &args.source.jaeger;
            let mut c = JaegerConfig::new(String::new());
            c.http = http_settings(args, &caps, "JAEGER", "JAEGER_API_URL", &j.url, &j.tenant)?;
            c.services = services(args);
            c.batch_size = args.batch_size;
            c.api_version = match opt(&j.api_version) {
                None | Some("auto") => JaegerApiVersion::Auto,
                Some("v1") => JaegerApiVersion::V1,
                Some("v3") => JaegerApiVersion::V3,
                Some(other) => {
                    return Err(AppError::Config(format!(
                        "JAEGER_API_VERSION: '{other}' is not one of auto, v1, v3"
                    )))
                }
            };
            c.error_filter = match opt(&j.error_filter) {
                None | Some("auto") => JaegerErrorFilter::Auto,
                Some("server") => JaegerErrorFilter::Server,
                Some("client") => JaegerErrorFilter::Client,
                Some(other) => {
                    return Err(AppError::Config(format!(
                        "JAEGER_ERROR_FILTER: '{other}' is not one of auto, server, client"
                    )))
                }
            };
            Ok(Box::new(JaegerSource::new(c)?))
        }
        TelemetryBackend::Tempo => Ok(Box::new(tempo_source(args, &caps)?)),
        TelemetryBackend::Loki => Ok(Box::new(loki_source(args, &caps)?)),
        TelemetryBackend::GrafanaStack => Ok(Box::new(GrafanaStackSource::new(
            tempo_source(args, &caps)?,
            loki_source(args, &caps)?,
        ))),
        TelemetryBackend::Signoz => {
            let z = &args.source.signoz;
            let mut c = SignozConfig::new(String::new());
            c.http = http_settings(args, &caps, "SIGNOZ", "SIGNOZ_API_URL", &z.url, &z.tenant)?;
            // A secret: from the environment only.
            c.api_key = env("SIGNOZ_API_KEY");
            c.services = services(args);
            // SigNoz answers a limit above 10,000 with HTTP 400.
            c.batch_size = args.batch_size.min(10_000);
            c.exception_index = z.exception_index;
            Ok(Box::new(SignozSource::new(c)?))
        }
    }
}

/// A non-empty, trimmed environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A non-empty, trimmed option from the parsed command line (flag or its variable).
fn opt(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `ROUNDS_SERVICES=a,b`: the services to poll (default: all the backend lists).
fn services(args: &PollArgs) -> Vec<String> {
    opt(&args.source.services)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// HTTP settings of one backend: URL, tenant (X-Scope-OrgID) and the shared timeouts from the
/// parsed command line (flags or their variables). Credentials are read from the environment
/// only (never flags, which other users can see in `ps`): `<P>_HTTP_HEADERS` and
/// `ROUNDS_HTTP_HEADERS` (`name=value,…`), `<P>_BEARER_TOKEN`, `<P>_BASIC_AUTH`
/// (`user:password`) or credentials in the URL.
fn http_settings(
    args: &PollArgs,
    caps: &crate::app::limits::InputLimits,
    prefix: &str,
    url_var: &str,
    url: &Option<String>,
    tenant: &Option<String>,
) -> Result<HttpSettings, AppError> {
    let url = opt(url).map(str::to_string).ok_or_else(|| {
        AppError::Config(format!(
            "TELEMETRY_BACKEND={} needs {url_var} or --{}-url (the API base URL, e.g. http://localhost:{})",
            prefix.to_ascii_lowercase(),
            prefix.to_ascii_lowercase(),
            match prefix {
                "JAEGER" => "16686",
                "TEMPO" => "3200",
                "LOKI" => "3100",
                _ => "8080",
            }
        ))
    })?;
    let mut s = HttpSettings::new(url);
    s.max_body_bytes = caps.http_body_bytes;
    for var in [
        "ROUNDS_HTTP_HEADERS".to_string(),
        format!("{prefix}_HTTP_HEADERS"),
    ] {
        if let Some(v) = env(&var) {
            let headers =
                parse_header_list(&v).map_err(|e| AppError::Config(format!("{var}: {e}")))?;
            s.headers.extend(headers);
        }
    }
    if let Some(token) = env(&format!("{prefix}_BEARER_TOKEN")) {
        s.auth = HttpAuth::Bearer(token);
    } else if let Some(basic) = env(&format!("{prefix}_BASIC_AUTH")) {
        let (user, password) = basic.split_once(':').ok_or_else(|| {
            AppError::Config(format!("{prefix}_BASIC_AUTH must be user:password"))
        })?;
        s.auth = HttpAuth::Basic {
            user: user.to_string(),
            password: password.to_string(),
        };
    }
    s.org_id = opt(tenant).map(str::to_string);
    let h = &args.source.http;
    use crate::app::checked;
    use std::time::Duration;
    if let Some(v) = opt(&h.timeout) {
        s.timeout = checked::duration(
            "ROUNDS_HTTP_TIMEOUT",
            parse_duration("ROUNDS_HTTP_TIMEOUT", v)?,
            Duration::from_millis(1),
            Duration::from_secs(3_600),
        )?;
    }
    if let Some(v) = opt(&h.retries) {
        let n: u32 = v.parse().map_err(|_| {
            AppError::Config(format!("ROUNDS_HTTP_RETRIES: '{v}' is not a whole number"))
        })?;
        s.retries = checked::count("ROUNDS_HTTP_RETRIES", n, 0, 20)?;
    }
    if let Some(v) = opt(&h.backoff) {
        s.backoff_base = checked::duration(
            "ROUNDS_HTTP_BACKOFF",
            parse_duration("ROUNDS_HTTP_BACKOFF", v)?,
            Duration::ZERO,
            Duration::from_secs(600),
        )?;
    }
    if let Some(v) = opt(&h.max_wait) {
        s.max_wait = checked::duration(
            "ROUNDS_HTTP_MAX_WAIT",
            parse_duration("ROUNDS_HTTP_MAX_WAIT", v)?,
            Duration::ZERO,
            Duration::from_secs(3_600),
        )?;
    }
    Ok(s)
}

fn tempo_source(
    args: &PollArgs,
    caps: &crate::app::limits::InputLimits,
) -> Result<TempoSource, AppError> {
    let t = &args.source.tempo;
    let mut c = TempoConfig::new(String::new());
    c.http = http_settings(args, caps, "TEMPO", "TEMPO_API_URL", &t.url, &t.tenant)?;
    c.services = services(args);
    c.batch_size = args.batch_size;
    if let Some(mode) = opt(&t.errors) {
        c.traceql = ErrorSpans::parse(mode)
            .ok_or_else(|| {
                AppError::Config(format!(
                    "TEMPO_ERRORS: '{mode}' is not one of status, exceptions, both"
                ))
            })?
            .traceql()
            .to_string();
    }
    if let Some(q) = opt(&t.traceql) {
        c.traceql = q.to_string();
    }
    Ok(TempoSource::new(c)?)
}

fn loki_source(
    args: &PollArgs,
    caps: &crate::app::limits::InputLimits,
) -> Result<LokiSource, AppError> {
    let l = &args.source.loki;
    let mut c = LokiConfig::new(String::new());
    c.http = http_settings(args, caps, "LOKI", "LOKI_API_URL", &l.url, &l.tenant)?;
    c.services = services(args);
    // Loki refuses more than max_entries_limit_per_query (5000 by default) lines per request.
    c.batch_size = args.batch_size.min(5000);
    c.query = opt(&l.query).map(str::to_string);
    if let Some(label) = opt(&l.service_label) {
        c.service_label = label.to_string();
    }
    Ok(LokiSource::new(c)?)
}

pub fn backend_name(b: TelemetryBackend) -> &'static str {
    match b {
        TelemetryBackend::OtlpFile => "otlp_file",
        TelemetryBackend::Jaeger => "jaeger",
        TelemetryBackend::Tempo => "tempo",
        TelemetryBackend::Loki => "loki",
        TelemetryBackend::GrafanaStack => "grafana_stack",
        TelemetryBackend::Signoz => "signoz",
    }
}

/// The notifiers named by NOTIFICATION_BACKEND, each configured and validated up front so a
/// misconfiguration fails before the pass reads anything.
pub fn notifiers(args: &NotifyArgs, json: bool) -> Result<Vec<Box<dyn Notifier>>, AppError> {
    let mut out: Vec<Box<dyn Notifier>> = Vec::new();
    let channels = args.channel_list().map_err(|other| {
        AppError::Config(format!(
            "NOTIFICATION_BACKEND: unknown channel '{other}' (known: {})",
            Channel::KNOWN
        ))
    })?;
    for c in channels {
        match c {
            Channel::Stdout => out.push(Box::new(StdoutNotifier::new(json))),
            Channel::Markdown => {
                let Some(dir) = args
                    .markdown_dir
                    .clone()
                    .filter(|d| !d.as_os_str().is_empty())
                else {
                    return Err(AppError::Config(
                        "NOTIFICATION_BACKEND=markdown needs NOTIFICATION_MARKDOWN_DIR (or --markdown-dir)".into(),
                    ));
                };
                out.push(Box::new(MarkdownNotifier::new(
                    dir,
                    args.trace_url_template.clone(),
                )));
            }
            Channel::GithubIssue => out.push(Box::new(github_notifier(args)?)),
        }
    }
    Ok(out)
}

/// The diagnoser named by DIAGNOSIS_BACKEND.
pub fn diagnoser(
    s: &crate::app::llm::LlmSettings,
) -> Result<Box<dyn crate::core::ports::Diagnoser>, AppError> {
    build_diagnoser(s, true)
}

/// The diagnoser for `diagnose --dry-run`: it only names the backend and model and estimates a
/// worst-case cost (it never calls out), so it needs no API key.
pub fn dry_run_diagnoser(
    s: &crate::app::llm::LlmSettings,
) -> Result<Box<dyn crate::core::ports::Diagnoser>, AppError> {
    build_diagnoser(s, false)
}

fn build_diagnoser(
    s: &crate::app::llm::LlmSettings,
    need_credentials: bool,
) -> Result<Box<dyn crate::core::ports::Diagnoser>, AppError> {
    use crate::adapters::diagnosis::{claude_code, codex, openai};
    use crate::app::llm::Backend;
    let root = s
        .codebase
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    Ok(match s.backend {
        Backend::ClaudeCode => {
            let mut c = claude_code::ClaudeCodeConfig::new(root);
            c.program = s.claude_code_path.clone();
            c.model = s.model.clone();
            c.timeout = s.timeout;
            c.prices = s.prices.clone();
            Box::new(claude_code::ClaudeCode::new(c))
        }
        Backend::Codex => {
            let mut c = codex::CodexConfig::new(root);
            c.program = s.codex_path.clone();
            c.model = s.model.clone();
            c.base_url = s.openai_base_url.clone();
            if let Some(k) = &s.openai_api_key {
                c.extra_env.push(("OPENAI_API_KEY".into(), k.clone()));
            }
            c.timeout = s.timeout;
            c.prices = s.prices.clone();
            Box::new(codex::Codex::new(c))
        }
        Backend::OpenAi => {
            let mut c = openai::OpenAiConfig::new(s.model.clone().unwrap_or_default());
            if let Some(u) = &s.openai_base_url {
                c.base_url = u.clone();
            }
            if need_credentials
                && c.base_url.contains("api.openai.com")
                && s.openai_api_key.is_none()
            {
                return Err(AppError::Config(
                    "DIAGNOSIS_BACKEND=openai needs OPENAI_API_KEY".into(),
                ));
            }
            c.api_key = s.openai_api_key.clone();
            c.timeout = s.timeout;
            c.prices = s.prices.clone();
            Box::new(openai::OpenAi::new(c))
        }
    })
}

/// The local codebase at `path` (CODEBASE_PATH).
pub fn open_codebase(
    path: &std::path::Path,
) -> Result<crate::adapters::codebase::LocalCodebase, AppError> {
    crate::adapters::codebase::LocalCodebase::new(path)
        .map_err(|e| AppError::Config(format!("CODEBASE_PATH: {e}")))
}

/// The local codebase at CODEBASE_PATH, when one is configured.
/// The store switch commands hold (`store copy`, `status`).
pub use crate::adapters::store::any::AnyStore;
/// The file source's progress callback (`poll`'s byte progress bar).
pub use crate::adapters::telemetry::otlp_file::ProgressHook;

/// Who this process is, as spend reservations record it (pid and start time: a dead owner's
/// reservation is settled by the next pass).
pub fn process_owner() -> String {
    crate::adapters::liveness::current_owner().to_string()
}

/// Kill LLM CLI process groups an earlier, killed `rounds` left behind; how many.
pub fn reap_orphans() -> usize {
    crate::adapters::diagnosis::process::reap_orphans()
}

/// DATABASE_URL with its password masked, for messages.
pub fn pg_url_redacted(url: &str) -> String {
    crate::adapters::store::postgres::url::redact(url)
}

/// Check DATABASE_URL and STORE_PG_SCHEMA as the PostgreSQL store will read them; the error
/// says what is wrong (never the password).
pub fn check_pg_settings(url: &str, schema: &str) -> Result<(), AppError> {
    crate::adapters::store::postgres::url::parse(url).map_err(AppError::Config)?;
    if !crate::adapters::store::postgres::valid_schema(schema) {
        return Err(AppError::Config(format!(
            "STORE_PG_SCHEMA: '{schema}' is not a schema name of lower-case letters, digits and _ (at most 63)"
        )));
    }
    Ok(())
}

/// The git checkout notifications blame suspect commits in, when CODEBASE_PATH is one (no
/// checkout, or an unreadable one, leaves notifications without suspects).
pub fn checkout(
    codebase: Option<&std::path::Path>,
) -> Option<crate::adapters::codebase::LocalCodebase> {
    codebase.and_then(|p| open_codebase(p).ok())
}

pub fn codebase(
    s: &crate::app::llm::LlmSettings,
) -> Result<Option<crate::adapters::codebase::LocalCodebase>, AppError> {
    s.codebase.as_deref().map(open_codebase).transpose()
}

fn github_notifier(args: &NotifyArgs) -> Result<GithubNotifier, AppError> {
    // The token is read from the environment only: a flag would put it in `ps` and shell history.
    let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        return Err(AppError::Config(
            "NOTIFICATION_BACKEND=github_issue needs GITHUB_TOKEN".into(),
        ));
    }
    let default_repository = match args.github_repository.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) if valid_repository(r) => Some(r.to_string()),
        Some(r) => {
            return Err(AppError::Config(format!(
                "GITHUB_REPOSITORY: '{r}' is not owner/name"
            )))
        }
    };
    let by_service = match &args.github_repository_by_service {
        Some(m) => parse_routes(m)
            .map_err(|e| AppError::Config(format!("GITHUB_REPOSITORY_BY_SERVICE: {e}")))?,
        None => Vec::new(),
    };
    if default_repository.is_none() && by_service.is_empty() {
        return Err(AppError::Config(
            "NOTIFICATION_BACKEND=github_issue needs GITHUB_REPOSITORY=owner/name (or GITHUB_REPOSITORY_BY_SERVICE)".into(),
        ));
    }
    let api_url = args.github_api_url.trim().to_string();
    if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
        return Err(AppError::Config(format!(
            "GITHUB_API_URL: '{api_url}' is not an http(s) URL"
        )));
    }
    Ok(GithubNotifier::new(GithubConfig {
        api_url,
        token: token.trim().to_string(),
        default_repository,
        by_service,
        trace_url_template: args.trace_url_template.clone(),
        max_wait: std::time::Duration::from_secs(60),
    }))
}
