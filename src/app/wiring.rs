//! The composition root: the only place that names concrete adapters.

use crate::adapters::notify::stdout::StdoutNotifier;
use crate::adapters::store::sqlite::{Access, SqliteStore};
use crate::adapters::telemetry::otlp_file::{Input, OtlpFileSource, ProgressHook};
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
        other => Err(AppError::Config(format!(
            "TELEMETRY_BACKEND={} is not available in this build",
            backend_name(other)
        ))),
    }
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
