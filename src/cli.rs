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
    /// Store backend (only sqlite today)
    #[arg(
        long,
        global = true,
        env = "STORE_BACKEND",
        default_value = "sqlite",
        hide = true
    )]
    pub store_backend: String,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what happens (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "ROUNDS_COLOR")]
    pub color: ColorChoice,
    /// How long a writer waits for another pass to release the database
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
    /// Write the man pages and shell completions (for packagers)
    #[command(hide = true)]
    Generate(GenerateArgs),
}

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
pub struct PollArgs {
    /// OTLP/JSON input: a file, a directory of files, or - for stdin (implies the otlp_file backend)
    #[arg(long, short, env = "ROUNDS_INPUT", value_name = "PATH")]
    pub input: Option<String>,
    /// Where errors come from
    #[arg(long, env = "TELEMETRY_BACKEND", value_enum)]
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
    pub notify: NotifyArgs,
    #[command(flatten)]
    pub llm: LlmArgs,
    /// Print notifications as JSON Lines
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
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
    #[arg(long, value_enum, default_value_t = Sort::LastSeen)]
    pub sort: Sort,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// JSON instead of a table
    #[arg(long)]
    pub json: bool,
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
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Reopen instead
    #[arg(long)]
    pub undo: bool,
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Allow merging again
    #[arg(long)]
    pub undo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Window start: a duration (24h) or an RFC 3339 time [default: the previous report, else 24h]
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
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
    /// Largest report written (GitHub step summaries take 1 MiB): markdown is cut with a note,
    /// JSON keeps the signatures that fit and says how many it left out
    #[arg(
        long,
        env = "ROUNDS_REPORT_MAX_BYTES",
        default_value = "1M",
        value_name = "SIZE"
    )]
    pub max_bytes: String,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write man/ and completions/ into
    #[arg(default_value = ".")]
    pub out: PathBuf,
}
