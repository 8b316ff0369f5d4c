//! The composition root: the only place that names concrete adapters.

use crate::adapters::notify::stdout::StdoutNotifier;
use crate::adapters::store::sqlite::{Access, SqliteStore};
use crate::adapters::telemetry::http::{parse_header_list, HttpAuth, HttpSettings};
use crate::adapters::telemetry::jaeger::{
    JaegerApiVersion, JaegerConfig, JaegerErrorFilter, JaegerSource,
};
use crate::adapters::telemetry::loki::{LokiConfig, LokiSource};
use crate::adapters::telemetry::otlp_file::{Input, OtlpFileSource, ProgressHook};
use crate::adapters::telemetry::signoz::{SignozConfig, SignozSource};
use crate::adapters::telemetry::tempo::{GrafanaStackSource, TempoConfig, TempoSource};
use crate::app::settings::parse_duration;
use crate::app::settings::Global;
use crate::cli::{PollArgs, TelemetryBackend};
use crate::core::ports::{Notifier, TelemetrySource};
use crate::exit::AppError;

pub fn open_store_write(g: &Global) -> Result<SqliteStore, AppError> {
    Ok(SqliteStore::open(
        &g.db,
        Access::Write {
            lock_wait: g.lock_wait,
        },
    )?)
}

pub fn open_store_read(g: &Global) -> Result<SqliteStore, AppError> {
    Ok(SqliteStore::open(&g.db, Access::Read)?)
}

/// The telemetry source for `poll`: `--input` means the OTLP file adapter.
pub fn telemetry_source(
    args: &PollArgs,
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
            let mut src = OtlpFileSource::new(Input::parse(input));
            if let Some(p) = progress {
                src = src.with_progress(p);
            }
            Ok(Box::new(src))
        }
        TelemetryBackend::Jaeger => {
            let mut c = JaegerConfig::new(String::new());
            c.http = http_settings("JAEGER", "JAEGER_API_URL")?;
            c.services = services();
            c.batch_size = args.batch_size;
            c.api_version = match env("JAEGER_API_VERSION").as_deref() {
                None | Some("auto") => JaegerApiVersion::Auto,
                Some("v1") => JaegerApiVersion::V1,
                Some("v3") => JaegerApiVersion::V3,
                Some(other) => {
                    return Err(AppError::Config(format!(
                        "JAEGER_API_VERSION: '{other}' is not one of auto, v1, v3"
                    )))
                }
            };
            c.error_filter = match env("JAEGER_ERROR_FILTER").as_deref() {
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
        TelemetryBackend::Tempo => Ok(Box::new(tempo_source(args)?)),
        TelemetryBackend::Loki => Ok(Box::new(loki_source(args)?)),
        TelemetryBackend::GrafanaStack => Ok(Box::new(GrafanaStackSource::new(
            tempo_source(args)?,
            loki_source(args)?,
        ))),
        TelemetryBackend::Signoz => {
            let mut c = SignozConfig::new(String::new());
            c.http = http_settings("SIGNOZ", "SIGNOZ_API_URL")?;
            c.api_key = env("SIGNOZ_API_KEY");
            c.services = services();
            c.batch_size = args.batch_size;
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

/// `ROUNDS_SERVICES=a,b`: the services to poll (default: all the backend lists).
fn services() -> Vec<String> {
    env("ROUNDS_SERVICES")
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// HTTP settings of one backend from the environment. Credentials are read from the
/// environment only (never flags, which other users can see in `ps`):
/// `<P>_HTTP_HEADERS` and `ROUNDS_HTTP_HEADERS` (`name=value,…`), `<P>_BEARER_TOKEN`,
/// `<P>_BASIC_AUTH` (`user:password`) or credentials in the URL, `<P>_TENANT` (X-Scope-OrgID);
/// `ROUNDS_HTTP_TIMEOUT`, `ROUNDS_HTTP_RETRIES`, `ROUNDS_HTTP_BACKOFF`, `ROUNDS_HTTP_MAX_WAIT`.
fn http_settings(prefix: &str, url_var: &str) -> Result<HttpSettings, AppError> {
    let url = env(url_var).ok_or_else(|| {
        AppError::Config(format!(
            "TELEMETRY_BACKEND={} needs {url_var} (the API base URL, e.g. http://localhost:{})",
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
    s.org_id = env(&format!("{prefix}_TENANT"));
    if let Some(v) = env("ROUNDS_HTTP_TIMEOUT") {
        s.timeout = parse_duration("ROUNDS_HTTP_TIMEOUT", &v)?;
    }
    if let Some(v) = env("ROUNDS_HTTP_RETRIES") {
        s.retries = v.parse().map_err(|_| {
            AppError::Config(format!("ROUNDS_HTTP_RETRIES: '{v}' is not a whole number"))
        })?;
    }
    if let Some(v) = env("ROUNDS_HTTP_BACKOFF") {
        s.backoff_base = parse_duration("ROUNDS_HTTP_BACKOFF", &v)?;
    }
    if let Some(v) = env("ROUNDS_HTTP_MAX_WAIT") {
        s.max_wait = parse_duration("ROUNDS_HTTP_MAX_WAIT", &v)?;
    }
    Ok(s)
}

fn tempo_source(args: &PollArgs) -> Result<TempoSource, AppError> {
    let mut c = TempoConfig::new(String::new());
    c.http = http_settings("TEMPO", "TEMPO_API_URL")?;
    c.services = services();
    c.batch_size = args.batch_size;
    if let Some(q) = env("TEMPO_TRACEQL") {
        c.traceql = q;
    }
    Ok(TempoSource::new(c)?)
}

fn loki_source(args: &PollArgs) -> Result<LokiSource, AppError> {
    let mut c = LokiConfig::new(String::new());
    c.http = http_settings("LOKI", "LOKI_API_URL")?;
    c.services = services();
    // Loki refuses more than max_entries_limit_per_query (5000 by default) lines per request.
    c.batch_size = args.batch_size.min(5000);
    c.query = env("LOKI_QUERY");
    if let Some(l) = env("LOKI_SERVICE_LABEL") {
        c.service_label = l;
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

/// The notifiers named by NOTIFICATION_BACKEND.
pub fn notifiers(channels: &[String], json: bool) -> Result<Vec<Box<dyn Notifier>>, AppError> {
    let mut out: Vec<Box<dyn Notifier>> = Vec::new();
    for c in channels {
        match c.trim() {
            "" | "none" => {}
            "stdout" => out.push(Box::new(StdoutNotifier::new(json))),
            other => {
                return Err(AppError::Config(format!(
                    "NOTIFICATION_BACKEND: unknown channel '{other}' (known: stdout, none)"
                )))
            }
        }
    }
    Ok(out)
}
