//! The composition root: the only place that names concrete adapters.

use crate::adapters::notify::github::{
    parse_routes, valid_repository, GithubConfig, GithubNotifier,
};
use crate::adapters::notify::markdown::MarkdownNotifier;
use crate::adapters::notify::stdout::StdoutNotifier;
use crate::adapters::store::sqlite::{Access, SqliteStore};
use crate::adapters::telemetry::otlp_file::{Input, OtlpFileSource, ProgressHook};
use crate::app::settings::Global;
use crate::cli::{NotifyArgs, PollArgs, TelemetryBackend};
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

/// The notifiers named by NOTIFICATION_BACKEND, each configured and validated up front so a
/// misconfiguration fails before the pass reads anything.
pub fn notifiers(args: &NotifyArgs, json: bool) -> Result<Vec<Box<dyn Notifier>>, AppError> {
    let mut out: Vec<Box<dyn Notifier>> = Vec::new();
    for c in &args.channels {
        match c.trim() {
            "" | "none" => {}
            "stdout" => out.push(Box::new(StdoutNotifier::new(json))),
            "markdown" => {
                let Some(dir) = args.markdown_dir.clone().filter(|d| !d.as_os_str().is_empty())
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
            "github_issue" | "github" => out.push(Box::new(github_notifier(args)?)),
            other => {
                return Err(AppError::Config(format!(
                    "NOTIFICATION_BACKEND: unknown channel '{other}' (known: stdout, markdown, github_issue, none)"
                )))
            }
        }
    }
    Ok(out)
}

/// The diagnoser named by DIAGNOSIS_BACKEND.
pub fn diagnoser(
    s: &crate::app::llm::LlmSettings,
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
            if c.base_url.contains("api.openai.com") && s.openai_api_key.is_none() {
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

/// The local codebase at CODEBASE_PATH, when one is configured.
pub fn codebase(
    s: &crate::app::llm::LlmSettings,
) -> Result<Option<crate::adapters::codebase::LocalCodebase>, AppError> {
    match &s.codebase {
        Some(p) => crate::adapters::codebase::LocalCodebase::new(p)
            .map(Some)
            .map_err(|e| AppError::Config(format!("CODEBASE_PATH: {e}"))),
        None => Ok(None),
    }
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
