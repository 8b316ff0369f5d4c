//! The command line, as clap derive types only. Every option can also be set from its
//! environment variable; `app::settings` resolves and validates them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "rounds",
    version,
    about = "A diagnostic agent for software in production",
    long_about = "rounds polls an OpenTelemetry backend (or an OTLP/JSON file) for recent errors, fingerprints \
                  each error into a stable signature, deduplicates signatures in a local SQLite file, triages \
                  them, asks an LLM for a root-cause diagnosis of those that matter, records it, notifies, and \
                  exits. Run `rounds poll` from cron or a systemd timer.",
    after_help = "Exit codes: 0 ok, 1 findings (--fail-on), 2 usage, 3 partial (unreadable records skipped), 65 bad data, 66 unknown id or missing input, \
                  69 unavailable, 70 internal, 73 cannot create database, 74 cannot write, 75 transient (retry next \
                  pass), 77 credentials rejected, 78 bad configuration."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// SQLite database file [default: <data dir>/rounds/rounds.db]
    #[arg(long, global = true, env = "STORE_SQLITE_PATH", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)
    #[arg(
        long,
        global = true,
        env = "STORE_BACKEND",
        value_enum,
        default_value_t = StoreBackend::Sqlite,
        help_heading = "Store"
    )]
    pub store_backend: StoreBackend,
    /// PostgreSQL schema holding rounds' tables (created by the first writer)
    #[arg(
        long,
        global = true,
        env = "STORE_PG_SCHEMA",
        default_value = "rounds",
        value_name = "NAME",
        help_heading = "Store"
    )]
    pub pg_schema: String,
    /// This host's name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]
    #[arg(
        long,
        global = true,
        env = "ROUNDS_INSTANCE",
        value_name = "NAME",
        help_heading = "Store"
    )]
    pub instance: Option<String>,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what happens (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "ROUNDS_COLOR")]
    pub color: ColorChoice,
    /// How long a writer waits for another pass (or another program's SQLite write lock) to release the database
    #[arg(
        long,
        global = true,
        env = "ROUNDS_LOCK_WAIT",
        default_value = "30s",
        value_name = "DURATION"
    )]
    pub lock_wait: String,
    #[command(flatten)]
    pub redact: RedactArgs,
    #[command(flatten)]
    pub limits: LimitsArgs,
}

/// The caps on what one pass reads and keeps (docs/limits.md): sizes in bytes with an optional
/// K, M or G (binary units); docs/limits.md has the defaults. Shown by `--help` (not `-h`), the
/// man page and completions.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Limits")]
pub struct LimitsArgs {
    /// The most bytes of exception.message (or a log body) kept per event
    #[arg(
        long = "max-message-bytes",
        global = true,
        env = "ROUNDS_MAX_MESSAGE_BYTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub message_bytes: Option<String>,
    /// The most bytes of stack trace kept per event, head and tail
    #[arg(
        long = "max-stack-bytes",
        global = true,
        env = "ROUNDS_MAX_STACK_BYTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub stack_bytes: Option<String>,
    /// The most stack trace lines kept per event, first and last half
    #[arg(
        long = "max-stack-frames",
        global = true,
        env = "ROUNDS_MAX_STACK_FRAMES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub stack_frames: Option<String>,
    /// The most attributes kept per event
    #[arg(
        long = "max-attributes",
        global = true,
        env = "ROUNDS_MAX_ATTRIBUTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub attributes: Option<String>,
    /// The most bytes of one attribute value
    #[arg(
        long = "max-attribute-bytes",
        global = true,
        env = "ROUNDS_MAX_ATTRIBUTE_BYTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub attribute_bytes: Option<String>,
    /// The most bytes of a name: service, version, span name, exception type, attribute key
    #[arg(
        long = "max-name-bytes",
        global = true,
        env = "ROUNDS_MAX_NAME_BYTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub name_bytes: Option<String>,
    /// The largest input record: one JSON Lines line or one whole document
    #[arg(
        long = "max-record-bytes",
        global = true,
        env = "ROUNDS_MAX_RECORD_BYTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub record_bytes: Option<String>,
    /// The most bytes one gzip file may inflate to
    #[arg(
        long = "max-decompressed-bytes",
        global = true,
        env = "ROUNDS_MAX_DECOMPRESSED_BYTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub decompressed_bytes: Option<String>,
    /// The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated
    #[arg(
        long = "max-gzip-ratio",
        global = true,
        env = "ROUNDS_MAX_GZIP_RATIO",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub gzip_ratio: Option<String>,
    /// The largest HTTP response body read from a backend
    #[arg(
        long = "http-max-body-bytes",
        global = true,
        env = "ROUNDS_HTTP_MAX_BODY_BYTES",
        value_name = "SIZE",
        hide_short_help = true
    )]
    pub http_body_bytes: Option<String>,
}

impl LimitsArgs {
    /// The value given for a cap, by its variable's name (what `app::limits` reads).
    pub fn get(&self, var: &str) -> Option<&str> {
        let v = match var {
            "ROUNDS_MAX_MESSAGE_BYTES" => &self.message_bytes,
            "ROUNDS_MAX_STACK_BYTES" => &self.stack_bytes,
            "ROUNDS_MAX_STACK_FRAMES" => &self.stack_frames,
            "ROUNDS_MAX_ATTRIBUTES" => &self.attributes,
            "ROUNDS_MAX_ATTRIBUTE_BYTES" => &self.attribute_bytes,
            "ROUNDS_MAX_NAME_BYTES" => &self.name_bytes,
            "ROUNDS_MAX_RECORD_BYTES" => &self.record_bytes,
            "ROUNDS_MAX_DECOMPRESSED_BYTES" => &self.decompressed_bytes,
            "ROUNDS_MAX_GZIP_RATIO" => &self.gzip_ratio,
            "ROUNDS_HTTP_MAX_BODY_BYTES" => &self.http_body_bytes,
            _ => return None,
        };
        v.as_deref()
    }
}

/// What is redacted from everything that leaves the machine: prompts, GitHub issues and
/// comments, markdown files, reports and the stdout notifier (one redactor for all of them).
#[derive(Debug, Args, Clone)]
pub struct RedactArgs {
    /// Extra secrets to redact: a regular expression (use | for several)
    #[arg(
        long = "redact-pattern",
        global = true,
        env = "REDACT_PATTERNS",
        value_name = "REGEX"
    )]
    pub redact_patterns: Vec<String>,
    /// Redact e-mail addresses (1/0, yes/no, on/off, true/false)
    #[arg(
        long = "redact-emails",
        global = true,
        env = "REDACT_EMAILS",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_value = "true",
        default_missing_value = "true",
        value_name = "BOOL"
    )]
    pub redact_emails: bool,
    /// Redact IP addresses (1/0, yes/no, on/off, true/false)
    #[arg(
        long = "redact-ips",
        global = true,
        env = "REDACT_IPS",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_value = "false",
        default_missing_value = "true",
        value_name = "BOOL"
    )]
    pub redact_ips: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreBackend {
    Sqlite,
    #[value(alias = "postgres")]
    Postgresql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

// Parsed once per process: boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one pass: read errors, fingerprint, dedup, triage, diagnose, notify; then exit
    #[command(after_help = POLL_ENVIRONMENT)]
    Poll(PollArgs),
    /// Diagnose pending signatures (or the given ones) with the configured LLM
    Diagnose(DiagnoseArgs),
    /// List signatures
    List(ListArgs),
    /// Show everything known about one signature
    Show(ShowArgs),
    /// Ignore signatures: still counted, never notified or diagnosed
    Ignore(IgnoreArgs),
    /// Mark signatures resolved (a new occurrence makes them regressed)
    Resolve(ResolveArgs),
    /// Keep signatures apart (no-merge): a widening template or --regroup never absorbs them
    Split(SplitArgs),
    /// Write a findings report (markdown or JSON) to stdout
    Report(ReportArgs),
    /// Which database and configuration this rounds uses, and how the last pass went
    Status(StatusArgs),
    /// Write the man pages and shell completions (into DIR, or where this user's tools find them)
    Generate(GenerateArgs),
    /// Store maintenance: copy a SQLite store, history included, into the configured store
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy everything in a SQLite store (signatures, ledger, samples, history, diagnoses, spend, notifications, cursors, aliases, state) into the configured store (STORE_BACKEND=postgresql with DATABASE_URL), which must be empty
    Copy(StoreCopyArgs),
}

#[derive(Debug, Args)]
pub struct StoreCopyArgs {
    /// The SQLite database to copy from
    #[arg(long, value_name = "PATH")]
    pub from: PathBuf,
}

/// Settings read from the environment only, listed in `poll --help` and the man page. Secrets
/// are never flags: a flag's value is visible to every user in `ps` and kept in shell history.
pub const POLL_ENVIRONMENT: &str = "\
ENVIRONMENT (secrets: read from the environment only, never from flags):
  JAEGER_BEARER_TOKEN, TEMPO_BEARER_TOKEN, LOKI_BEARER_TOKEN, SIGNOZ_BEARER_TOKEN
      Bearer token for that backend (Authorization: Bearer ...)
  JAEGER_BASIC_AUTH, TEMPO_BASIC_AUTH, LOKI_BASIC_AUTH, SIGNOZ_BASIC_AUTH
      user:password for HTTP basic auth (or credentials in the API URL)
  JAEGER_HTTP_HEADERS, TEMPO_HTTP_HEADERS, LOKI_HTTP_HEADERS, SIGNOZ_HTTP_HEADERS
      Extra headers for that backend, name=value,... (may carry credentials)
  ROUNDS_HTTP_HEADERS
      Extra headers for every backend, name=value,...
  SIGNOZ_API_KEY
      SigNoz API key (SIGNOZ-API-KEY header)
  OPENAI_API_KEY
      API key for the openai diagnosis backend (and codex with a custom base URL)
  GITHUB_TOKEN
      Token for the github_issue notifier
  ROUNDS_MAX_*
      Size caps on input and ingest (see docs/limits.md)
  ROUNDS_NOW
      Pin the clock (RFC 3339), for reproducible runs";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TelemetryBackend {
    // Snake case as documented (TELEMETRY_BACKEND=otlp_file); clap's kebab form still accepted.
    #[value(name = "otlp_file", alias = "otlp-file")]
    OtlpFile,
    Jaeger,
    Tempo,
    Loki,
    #[value(name = "grafana_stack", alias = "grafana-stack")]
    GrafanaStack,
    Signoz,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Store and passes")]
pub struct PollArgs {
    /// OTLP/JSON input: a file, a directory of files, or - for stdin (implies the otlp_file backend)
    #[arg(
        long,
        short,
        env = "ROUNDS_INPUT",
        value_name = "PATH",
        help_heading = "Telemetry source"
    )]
    pub input: Option<String>,
    /// Where errors come from
    #[arg(
        long,
        env = "TELEMETRY_BACKEND",
        value_enum,
        help_heading = "Telemetry source"
    )]
    pub backend: Option<TelemetryBackend>,
    /// Reach the backend, authenticate, list services; write nothing
    #[arg(long)]
    pub check: bool,
    /// Do everything but write: the stdout notifier previews what would be announced
    #[arg(long)]
    pub dry_run: bool,
    /// Fail (exit 65) on the first unreadable input record instead of skipping it (exit 3)
    #[arg(long, env = "ROUNDS_STRICT")]
    pub strict: bool,
    /// Instead of a pass: re-fingerprint stored signatures under the current algorithm and merge
    /// those that became one (old ids stay as aliases); with --dry-run, only report
    #[arg(long)]
    pub regroup: bool,
    /// Module or path prefixes of application code (comma-separated), tried before CODEBASE_PATH
    /// and the built-in library lists
    #[arg(long, env = "ROUNDS_IN_APP", value_name = "PREFIXES")]
    pub in_app: Option<String>,
    /// Module or path prefixes that are never application code (comma-separated; wins over
    /// ROUNDS_IN_APP and CODEBASE_PATH)
    #[arg(long, env = "ROUNDS_NOT_IN_APP", value_name = "PREFIXES")]
    pub not_in_app: Option<String>,
    /// Exit 1 when signatures in these states exist after the pass (for CI gating)
    #[arg(
        long,
        env = "ROUNDS_FAIL_ON",
        value_delimiter = ',',
        value_name = "STATES"
    )]
    pub fail_on: Vec<FailOn>,
    /// First run: how far back to look, in minutes
    #[arg(long, env = "ERROR_LOOKBACK_MINUTES", default_value_t = 60)]
    pub lookback_minutes: u64,
    /// Re-read this many minutes before the cursor to absorb late spans
    #[arg(long, env = "POLL_OVERLAP_MINUTES", default_value_t = 5)]
    pub overlap_minutes: u64,
    /// The longest backlog one pass catches up after an outage
    #[arg(
        long,
        env = "MAX_CATCHUP",
        default_value = "24h",
        value_name = "DURATION"
    )]
    pub max_catchup: String,
    /// Most traces or rows one backend request asks for
    #[arg(long, env = "POLL_BATCH_SIZE", default_value_t = 500)]
    pub batch_size: usize,
    /// Keep the event ledger this many days
    #[arg(long, env = "EVENT_RETENTION_DAYS", default_value_t = 30)]
    pub retention_days: u64,
    /// Resolve a signature quiet for this many days
    #[arg(long, env = "RESOLVE_AFTER_DAYS", default_value_t = 14)]
    pub resolve_after_days: u64,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub notify: NotifyArgs,
    #[command(flatten)]
    pub llm: LlmArgs,
    /// Print notifications as JSON Lines
    #[arg(long, help_heading = "Store and passes")]
    pub json: bool,
}

/// Where the telemetry backends are and how to reach them. Credentials are not here: they come
/// from the environment only (see the ENVIRONMENT section of `poll --help`).
#[derive(Debug, Args, Clone, Default)]
pub struct SourceArgs {
    /// Only these services (comma-separated; default: every service the backend lists)
    #[arg(
        long,
        env = "ROUNDS_SERVICES",
        value_name = "SERVICES",
        help_heading = "Telemetry source"
    )]
    pub services: Option<String>,
    #[command(flatten)]
    pub jaeger: JaegerArgs,
    #[command(flatten)]
    pub tempo: TempoArgs,
    #[command(flatten)]
    pub loki: LokiArgs,
    #[command(flatten)]
    pub signoz: SignozArgs,
    #[command(flatten)]
    pub http: HttpArgs,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Jaeger")]
pub struct JaegerArgs {
    /// Jaeger query API base URL, e.g. http://localhost:16686 (a path prefix is kept)
    #[arg(
        id = "jaeger_url",
        long = "jaeger-url",
        env = "JAEGER_API_URL",
        value_name = "URL"
    )]
    pub url: Option<String>,
    /// Jaeger API: auto, v1 (/api/traces) or v3 (/api/v3)
    #[arg(
        id = "jaeger_api_version",
        long = "jaeger-api-version",
        env = "JAEGER_API_VERSION",
        value_name = "VERSION"
    )]
    pub api_version: Option<String>,
    /// How errors are searched: auto, server (error=true tag) or client (filter each trace)
    #[arg(
        id = "jaeger_error_filter",
        long = "jaeger-error-filter",
        env = "JAEGER_ERROR_FILTER",
        value_name = "FILTER"
    )]
    pub error_filter: Option<String>,
    /// Tenant sent as X-Scope-OrgID
    #[arg(
        id = "jaeger_tenant",
        long = "jaeger-tenant",
        env = "JAEGER_TENANT",
        value_name = "TENANT"
    )]
    pub tenant: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Tempo")]
pub struct TempoArgs {
    /// Grafana Tempo API base URL, e.g. http://localhost:3200
    #[arg(
        id = "tempo_url",
        long = "tempo-url",
        env = "TEMPO_API_URL",
        value_name = "URL"
    )]
    pub url: Option<String>,
    /// TraceQL query for error spans [default: { status = error }]
    #[arg(
        id = "tempo_traceql",
        long = "tempo-traceql",
        env = "TEMPO_TRACEQL",
        value_name = "QUERY"
    )]
    pub traceql: Option<String>,
    /// Built-in error query: status ({ status = error }), exceptions (spans with an exception
    /// event, Tempo >= 2.6) or both (Tempo >= 2.6) [default: status]; TEMPO_TRACEQL wins
    #[arg(
        id = "tempo_errors",
        long = "tempo-errors",
        env = "TEMPO_ERRORS",
        value_name = "SPANS"
    )]
    pub errors: Option<String>,
    /// Tenant sent as X-Scope-OrgID
    #[arg(
        id = "tempo_tenant",
        long = "tempo-tenant",
        env = "TEMPO_TENANT",
        value_name = "TENANT"
    )]
    pub tenant: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Loki")]
pub struct LokiArgs {
    /// Grafana Loki API base URL, e.g. http://localhost:3100
    #[arg(
        id = "loki_url",
        long = "loki-url",
        env = "LOKI_API_URL",
        value_name = "URL"
    )]
    pub url: Option<String>,
    /// LogQL selector for error lines
    #[arg(
        id = "loki_query",
        long = "loki-query",
        env = "LOKI_QUERY",
        value_name = "LOGQL"
    )]
    pub query: Option<String>,
    /// The stream label that names the service [default: service_name]
    #[arg(
        id = "loki_service_label",
        long = "loki-service-label",
        env = "LOKI_SERVICE_LABEL",
        value_name = "LABEL"
    )]
    pub service_label: Option<String>,
    /// Tenant sent as X-Scope-OrgID
    #[arg(
        id = "loki_tenant",
        long = "loki-tenant",
        env = "LOKI_TENANT",
        value_name = "TENANT"
    )]
    pub tenant: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "SigNoz")]
pub struct SignozArgs {
    /// SigNoz API base URL, e.g. http://localhost:8080
    #[arg(
        id = "signoz_url",
        long = "signoz-url",
        env = "SIGNOZ_API_URL",
        value_name = "URL"
    )]
    pub url: Option<String>,
    /// Also read SigNoz's exception index, which holds exceptions on spans whose status is not
    /// ERROR (1/0, yes/no, on/off, true/false)
    #[arg(
        id = "signoz_exception_index",
        long = "signoz-exception-index",
        env = "SIGNOZ_EXCEPTION_INDEX",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_value = "true",
        default_missing_value = "true",
        value_name = "BOOL"
    )]
    pub exception_index: bool,
    /// Tenant sent as X-Scope-OrgID
    #[arg(
        id = "signoz_tenant",
        long = "signoz-tenant",
        env = "SIGNOZ_TENANT",
        value_name = "TENANT"
    )]
    pub tenant: Option<String>,
}

/// The HTTP transport every telemetry backend shares.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "HTTP")]
pub struct HttpArgs {
    /// Timeout of one backend request (1ms to 1h) [default: 60s]
    #[arg(
        id = "http_timeout",
        long = "http-timeout",
        env = "ROUNDS_HTTP_TIMEOUT",
        value_name = "DURATION"
    )]
    pub timeout: Option<String>,
    /// Retries of a failed request (timeouts, 429, 5xx; 0 to 20) [default: 3]
    #[arg(
        id = "http_retries",
        long = "http-retries",
        env = "ROUNDS_HTTP_RETRIES",
        value_name = "N"
    )]
    pub retries: Option<String>,
    /// First retry backoff, doubling per attempt (0s to 10m) [default: 500ms]
    #[arg(
        id = "http_backoff",
        long = "http-backoff",
        env = "ROUNDS_HTTP_BACKOFF",
        value_name = "DURATION"
    )]
    pub backoff: Option<String>,
    /// Longest single wait, backoff or Retry-After (0s to 1h) [default: 30s]
    #[arg(
        id = "http_max_wait",
        long = "http-max-wait",
        env = "ROUNDS_HTTP_MAX_WAIT",
        value_name = "DURATION"
    )]
    pub max_wait: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Notifications")]
pub struct NotifyArgs {
    /// Where findings go: stdout, markdown, github_issue (comma-separated); none to disable
    #[arg(
        long = "notify",
        env = "NOTIFICATION_BACKEND",
        value_delimiter = ',',
        default_value = "stdout",
        value_name = "CHANNELS"
    )]
    pub channels: Vec<String>,
    /// A new signature is announced (and diagnosed) once it has occurred this often
    #[arg(long, env = "MIN_OCCURRENCES", default_value_t = 1)]
    pub min_occurrences: u64,
    /// Announce a signature as escalating when its last-24h count is this many times the previous 24h (0: never)
    #[arg(
        long,
        env = "ESCALATION_FACTOR",
        default_value_t = 3.0,
        value_name = "FACTOR"
    )]
    pub escalation_factor: f64,
    /// Directory of the markdown notifier (one file per signature plus index.md)
    #[arg(long, env = "NOTIFICATION_MARKDOWN_DIR", value_name = "DIR")]
    pub markdown_dir: Option<PathBuf>,
    /// Repository for the github_issue notifier, owner/name (the token comes from GITHUB_TOKEN only)
    #[arg(long, env = "GITHUB_REPOSITORY", value_name = "OWNER/NAME")]
    pub github_repository: Option<String>,
    /// Per-service repositories: service=owner/name,... (others go to GITHUB_REPOSITORY)
    #[arg(long, env = "GITHUB_REPOSITORY_BY_SERVICE", value_name = "MAP")]
    pub github_repository_by_service: Option<String>,
    /// GitHub REST API root (GitHub Enterprise: https://HOST/api/v3)
    #[arg(
        long,
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com",
        value_name = "URL"
    )]
    pub github_api_url: String,
    /// Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}
    #[arg(long, env = "ROUNDS_TRACE_URL_TEMPLATE", value_name = "URL")]
    pub trace_url_template: Option<String>,
}

/// A notification channel, as NOTIFICATION_BACKEND names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    Stdout,
    Markdown,
    GithubIssue,
}

impl Channel {
    /// The names NOTIFICATION_BACKEND takes, as its error message lists them.
    pub const KNOWN: &'static str = "stdout, markdown, github_issue, none";

    /// The channel a name means (`github` is an alias of `github_issue`); `Ok(None)` for `none`
    /// or an empty entry; `Err` with the name for anything else.
    pub fn parse(name: &str) -> Result<Option<Channel>, String> {
        match name.trim() {
            "" | "none" => Ok(None),
            "stdout" => Ok(Some(Channel::Stdout)),
            "markdown" => Ok(Some(Channel::Markdown)),
            "github_issue" | "github" => Ok(Some(Channel::GithubIssue)),
            other => Err(other.to_string()),
        }
    }

    /// The channel's documented name (what `status` shows and the outbox records).
    pub fn name(self) -> &'static str {
        match self {
            Channel::Stdout => "stdout",
            Channel::Markdown => "markdown",
            Channel::GithubIssue => "github_issue",
        }
    }
}

impl NotifyArgs {
    /// The configured channels, each once in the order first named (`stdout,stdout` is one
    /// channel: a repeated name must not announce a finding twice); `Err` names an unknown one.
    pub fn channel_list(&self) -> Result<Vec<Channel>, String> {
        let mut out: Vec<Channel> = Vec::new();
        for name in &self.channels {
            if let Some(c) = Channel::parse(name)? {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    New,
    Regressed,
    Escalating,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Signature ids or unique prefixes (none: every pending signature, per triage)
    pub ids: Vec<String>,
    /// Diagnose again even if this codebase revision was already diagnosed
    #[arg(long)]
    pub force: bool,
    /// Print exactly what would be sent (after redaction) and spend nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Spend at most this many USD in this run
    #[arg(long, value_name = "USD")]
    pub budget: Option<f64>,
    /// A signature is diagnosed once it has occurred this often
    #[arg(long, env = "MIN_OCCURRENCES", default_value_t = 1)]
    pub min_occurrences: u64,
    /// JSON instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub llm: LlmArgs,
}

/// The LLM diagnosis backend, its limits and what is redacted before anything is sent.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Diagnosis")]
pub struct LlmArgs {
    /// LLM backend: claude_code, codex or openai (none: no diagnosis)
    #[arg(
        long = "diagnosis-backend",
        env = "DIAGNOSIS_BACKEND",
        value_name = "BACKEND"
    )]
    pub diagnosis_backend: Option<String>,
    /// The source tree the model may read (a git work tree gives revisions and staleness)
    #[arg(long = "codebase", env = "CODEBASE_PATH", value_name = "DIR")]
    pub codebase: Option<PathBuf>,
    /// Model id (pin a full id; the backend's default otherwise)
    #[arg(
        long = "diagnosis-model",
        env = "DIAGNOSIS_MODEL",
        value_name = "MODEL"
    )]
    pub model: Option<String>,
    /// USD per UTC day across all runs, checked against the spend ledger before each call
    #[arg(
        long = "daily-budget",
        env = "DAILY_BUDGET_LIMIT",
        default_value_t = 5.0,
        value_name = "USD"
    )]
    pub daily_budget: f64,
    /// USD cap for one diagnosis
    #[arg(
        long = "diagnosis-budget",
        env = "DIAGNOSIS_BUDGET_USD",
        default_value_t = 0.5,
        value_name = "USD"
    )]
    pub diagnosis_budget: f64,
    /// At most this many model calls per pass
    #[arg(
        long = "max-diagnoses",
        env = "MAX_DIAGNOSES_PER_PASS",
        default_value_t = 3,
        value_name = "N"
    )]
    pub max_diagnoses: usize,
    /// Wall-clock limit for one diagnosis; the backend's process group is killed past it
    #[arg(
        long = "diagnosis-timeout",
        env = "DIAGNOSIS_TIMEOUT_SECS",
        default_value_t = 600,
        value_name = "SECS"
    )]
    pub timeout_secs: u64,
    /// The claude binary (default: found on PATH)
    #[arg(
        long = "claude-code-path",
        env = "CLAUDE_CODE_PATH",
        value_name = "PATH"
    )]
    pub claude_code_path: Option<PathBuf>,
    /// The codex binary (default: found on PATH)
    #[arg(long = "codex-path", env = "CODEX_PATH", value_name = "PATH")]
    pub codex_path: Option<PathBuf>,
    /// OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read
    /// from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)
    #[arg(long = "openai-base-url", env = "OPENAI_BASE_URL", value_name = "URL")]
    pub openai_base_url: Option<String>,
    /// Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), ';'-separated
    #[arg(long = "llm-prices", env = "DIAGNOSIS_PRICES", value_name = "SPEC")]
    pub prices: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    LastSeen,
    Count,
    FirstSeen,
    /// Rising fastest first: the last 24 h against the 24 h before
    Trend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Tsv,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these states (comma-separated): new, investigating, diagnosed, resolved, ignored, regressed
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only signatures seen in this service
    #[arg(long)]
    pub service: Option<String>,
    /// Only signatures seen since (a duration like 24h, or an RFC 3339 time)
    #[arg(long)]
    pub since: Option<String>,
    /// Case-insensitive text in the type, template, service or id
    #[arg(long)]
    pub search: Option<String>,
    /// Only signatures seen in this release (service.version, exact)
    #[arg(long, value_name = "RELEASE")]
    pub release: Option<String>,
    /// Only signatures seen in this environment (deployment.environment, case-insensitive)
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,
    #[arg(long, value_enum, default_value_t = Sort::LastSeen)]
    pub sort: Sort,
    /// At most this many rows (0 = all); a cut list says "showing N of M" on stderr
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Every status (the default shows unresolved: new, regressed, investigating, diagnosed)
    #[arg(long, conflicts_with = "status")]
    pub all: bool,
    /// JSON instead of a table (same as --format json)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// table (default on a terminal), tsv (default when stdout is not a terminal), or json
    #[arg(long, value_enum)]
    pub format: Option<ListFormat>,
    /// USD per UTC day for diagnoses, to show what is left of it (with --json)
    #[arg(long, env = "DAILY_BUDGET_LIMIT", value_name = "USD")]
    pub daily_budget: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Signature id, unique prefix, or alias
    pub id: String,
    /// How many retained events to list (0 = all)
    #[arg(long, default_value_t = 10)]
    pub events: usize,
    /// Print the fingerprint's inputs: frames kept and dropped, template
    #[arg(long)]
    pub explain: bool,
    /// The source tree, to tell whether a diagnosis is stale (files it cites changed since)
    #[arg(long, env = "CODEBASE_PATH", value_name = "DIR")]
    pub codebase: Option<std::path::PathBuf>,
    #[arg(long)]
    pub json: bool,
    /// Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}
    #[arg(long, env = "ROUNDS_TRACE_URL_TEMPLATE", value_name = "URL")]
    pub trace_url_template: Option<String>,
    /// Flag the signature escalating when its last-24h count is this many times the previous 24h (0: never)
    #[arg(
        long,
        env = "ESCALATION_FACTOR",
        default_value_t = 3.0,
        value_name = "FACTOR"
    )]
    pub escalation_factor: f64,
    /// Print straight to the terminal (by default a long view goes through $PAGER, else `less -FRX`)
    #[arg(long)]
    pub no_pager: bool,
}

#[derive(Debug, Args)]
pub struct IgnoreArgs {
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Why (kept in the status history)
    #[arg(long)]
    pub reason: Option<String>,
    /// Ignore until this time or for this long (e.g. 7d)
    #[arg(long, value_name = "TIME|DURATION")]
    pub until: Option<String>,
    /// Stop ignoring
    #[arg(long)]
    pub undo: bool,
    /// Print the signatures after the change as JSON (`changed` says which were changed)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Reopen instead
    #[arg(long)]
    pub undo: bool,
    /// Resolved as of each signature's latest release: an occurrence in that release or an
    /// older one does not regress it, one in a newer release (or with no release) does
    #[arg(long, conflicts_with = "undo")]
    pub in_next_release: bool,
    /// Print the signatures after the change as JSON (`changed` says which were changed)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Allow merging again
    #[arg(long)]
    pub undo: bool,
    /// Print the signatures after the change as JSON (`changed` says which were changed)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Source checkout: each signature lists its suspect commits (docs/suspects.md)
    #[arg(long = "codebase", env = "CODEBASE_PATH", value_name = "DIR")]
    pub codebase: Option<PathBuf>,
    /// Window start: a duration (24h), an RFC 3339 time, `all` (everything the database holds), or
    /// `last` (the report last written with --mark under --cursor; 24h before the first mark). A
    /// report is a pure read unless --mark
    #[arg(long, default_value = "24h", value_name = "DURATION|TIME|all|last")]
    pub since: String,
    /// After writing the report, move the cursor to its end, so the next `--since last` starts
    /// there (a CI digest); the only way `report` writes to the database
    #[arg(long)]
    pub mark: bool,
    /// The named cursor `--since last` reads and `--mark` moves (one per consumer: a nightly
    /// digest and a weekly one keep apart)
    #[arg(
        long,
        env = "ROUNDS_REPORT_CURSOR",
        default_value = "default",
        value_name = "NAME"
    )]
    pub cursor: String,
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// JSON instead of markdown (same as --format json)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Exit 1 when signatures in these states are in the report (for CI gating)
    #[arg(long, value_delimiter = ',', value_name = "STATES")]
    pub fail_on: Vec<FailOn>,
    /// A signature is escalating when its last-24h count is this many times the previous 24h (0: never)
    #[arg(
        long,
        env = "ESCALATION_FACTOR",
        default_value_t = 3.0,
        value_name = "FACTOR"
    )]
    pub escalation_factor: f64,
    /// Daily LLM budget in USD, to show what is left
    #[arg(long, env = "DAILY_BUDGET_LIMIT", value_name = "USD")]
    pub daily_budget: Option<f64>,
    /// Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}
    #[arg(long, env = "ROUNDS_TRACE_URL_TEMPLATE", value_name = "URL")]
    pub trace_url_template: Option<String>,
    /// Largest report written; the default fits a GitHub comment (65,536 characters; step
    /// summaries take 1M). Markdown keeps whole signature sections and lists the rest by id,
    /// JSON keeps the signatures that fit and says how many it left out
    #[arg(
        long,
        env = "ROUNDS_REPORT_MAX_BYTES",
        default_value = "64K",
        value_name = "SIZE"
    )]
    pub max_bytes: String,
}

/// `rounds status` reads the same settings `poll` does (flags or their variables) to show them.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// OTLP/JSON input of the otlp_file backend
    #[arg(
        long,
        short,
        env = "ROUNDS_INPUT",
        value_name = "PATH",
        help_heading = "Telemetry source"
    )]
    pub input: Option<String>,
    /// Where errors come from
    #[arg(
        long,
        env = "TELEMETRY_BACKEND",
        value_enum,
        help_heading = "Telemetry source"
    )]
    pub backend: Option<TelemetryBackend>,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub notify: NotifyArgs,
    #[command(flatten)]
    pub llm: LlmArgs,
    /// JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write man/ and completions/ into
    #[arg(default_value = ".", conflicts_with = "install")]
    pub out: PathBuf,
    /// Install for this user: man pages in ~/.local/share/man/man1, bash, zsh and fish completions where those shells look
    #[arg(long)]
    pub install: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn channels(value: &str) -> Result<Vec<Channel>, String> {
        let cli = Cli::try_parse_from(["rounds", "poll", "--notify", value]).unwrap();
        match cli.command {
            Command::Poll(p) => p.notify.channel_list(),
            other => panic!("not a poll: {other:?}"),
        }
    }

    #[test]
    fn channels_parse_to_the_enum_each_once_in_the_order_first_named() {
        assert_eq!(
            channels("github,stdout, stdout ,none,github_issue").unwrap(),
            vec![Channel::GithubIssue, Channel::Stdout]
        );
        assert_eq!(channels("none").unwrap(), vec![]);
        assert_eq!(channels("markdown").unwrap(), vec![Channel::Markdown]);
        assert_eq!(channels("stdout,slack").unwrap_err(), "slack");
        for c in [Channel::Stdout, Channel::Markdown, Channel::GithubIssue] {
            assert_eq!(Channel::parse(c.name()), Ok(Some(c)));
            assert!(Channel::KNOWN.contains(c.name()));
        }
    }
}
