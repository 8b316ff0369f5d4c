//! The `codex exec` CLI (OpenAI Codex, headless) as a diagnoser: read-only sandbox, no web
//! search, no secrets in its shell; its JSONL events parsed, its tokens priced from the table,
//! and its limits (time, number of commands) enforced from outside since it has none.

use crate::adapters::diagnosis::answer;
use crate::adapters::diagnosis::process::{self, tail, Watch};
use crate::core::diagnose::budget::{ModelPrice, PriceTable};
use crate::core::ports::diagnoser::{
    CallCost, Diagnoser, DiagnoserError, DiagnosisAnswer, DiagnosisRequest, Tokens,
};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BACKEND: &str = "codex";
const INSTALL_HINT: &str =
    "install the Codex CLI (npm install -g @openai/codex) or set CODEX_PATH to the codex binary";

const PASS_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "CODEX_HOME",
    "CODEX_API_KEY",
    "OPENAI_API_KEY",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
];

#[derive(Debug, Clone)]
pub struct CodexConfig {
    /// CODEX_PATH; `None` = find `codex` on PATH.
    pub program: Option<PathBuf>,
    pub codebase: PathBuf,
    pub model: Option<String>,
    /// An OpenAI-compatible base URL (`.../v1`) serving the Responses API; set up as a custom
    /// model provider since Codex ignores OPENAI_BASE_URL.
    pub base_url: Option<String>,
    /// The env var holding the key for that provider.
    pub api_key_env: String,
    pub timeout: Duration,
    /// Kill the run after this many shell commands (each one is another model call).
    pub max_commands: u32,
    pub prices: PriceTable,
    /// Variables set in the child on top of the pass-through list (e.g. a base URL, a HOME).
    pub extra_env: Vec<(String, String)>,
}

impl CodexConfig {
    pub fn new(codebase: impl Into<PathBuf>) -> Self {
        CodexConfig {
            program: None,
            codebase: codebase.into(),
            model: None,
            base_url: None,
            api_key_env: "OPENAI_API_KEY".into(),
            timeout: Duration::from_secs(600),
            max_commands: 20,
            prices: PriceTable::new(),
            extra_env: Vec::new(),
        }
    }
}

pub struct Codex {
    config: CodexConfig,
    model: String,
    /// With no pinned model: the model reported last time (Codex's stream names none today).
    reported: Option<String>,
}

impl Codex {
    pub fn new(config: CodexConfig) -> Self {
        let model = config.model.clone().unwrap_or_default();
        Codex {
            config,
            model,
            reported: None,
        }
    }

    /// The price calls are budgeted at (see `PriceTable::pricing_model`).
    fn price(&self) -> Option<(String, ModelPrice)> {
        self.config
            .prices
            .pricing_model(BACKEND, &self.model, self.reported.as_deref())
    }

    fn program(&self) -> Result<PathBuf, DiagnoserError> {
        process::find_program(
            self.config.program.as_deref(),
            "codex",
            BACKEND,
            INSTALL_HINT,
        )
    }

    /// Commands allowed so that (commands + 1) model calls stay within the cap plus one call.
    fn commands_allowed(&self, budget_usd: f64) -> u32 {
        match self.price().map(|(_, p)| p) {
            Some(p) if p.max_call_cost() > 0.0 => {
                let calls = (budget_usd / p.max_call_cost()).floor();
                (calls as u32).min(self.config.max_commands)
            }
            _ => self.config.max_commands,
        }
    }

    pub fn args(&self, schema_file: &str) -> Vec<String> {
        let mut a: Vec<String> = vec![
            "exec".into(),
            "--json".into(),
            "--sandbox".into(),
            "read-only".into(),
            "--output-schema".into(),
            schema_file.into(),
            "-C".into(),
            self.config.codebase.display().to_string(),
            "--skip-git-repo-check".into(),
            "--ephemeral".into(),
            "-c".into(),
            "shell_environment_policy.inherit=\"core\"".into(),
            "-c".into(),
            "web_search=\"disabled\"".into(),
        ];
        if let Some(m) = &self.config.model {
            a.push("-m".into());
            a.push(m.clone());
        }
        if let Some(url) = &self.config.base_url {
            a.push("-c".into());
            a.push("model_provider=\"rounds\"".into());
            a.push("-c".into());
            a.push(format!(
                "model_providers.rounds={{name=\"rounds\", base_url={}, env_key={}, wire_api=\"responses\", request_max_retries=2, stream_max_retries=2}}",
                toml_string(url),
                toml_string(&self.config.api_key_env)
            ));
        }
        a.push("-".into());
        a
    }
}

/// The HTTP status in messages such as "unexpected status 401 Unauthorized" or
/// "exceeded retry limit, last status: 429 Too Many Requests".
fn http_status(message: &str) -> Option<u16> {
    let i = message.rfind("status")?;
    let digits: String = message[i + 6..]
        .trim_start_matches([':', ' '])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|s| (100..600).contains(s))
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A private directory for the schema file, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!("rounds-codex-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Diagnoser for Codex {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn model(&self) -> &str {
        &self.model
    }

    /// Each shell command is followed by another model call, so the worst case is
    /// (commands allowed + 1) calls of a full context window each.
    fn worst_case_cost_usd(&self, request: &DiagnosisRequest) -> Option<f64> {
        let (_, price) = self.price()?;
        Some((self.commands_allowed(request.budget_usd) as f64 + 1.0) * price.max_call_cost())
    }

    fn assume_model(&mut self, reported: Option<&str>) -> Option<String> {
        self.reported = reported.map(str::to_string);
        self.price().map(|(m, _)| m)
    }

    fn diagnose(&mut self, request: &DiagnosisRequest) -> Result<DiagnosisAnswer, DiagnoserError> {
        let program = self.program()?;
        let dir = TempDir::new().map_err(|e| DiagnoserError::Failed {
            backend: BACKEND.into(),
            detail: format!("cannot create a temporary directory: {e}"),
            cost: CallCost::Nothing,
        })?;
        let schema_file = dir.0.join("diagnosis.schema.json");
        std::fs::write(&schema_file, &request.schema).map_err(|e| DiagnoserError::Failed {
            backend: BACKEND.into(),
            detail: format!("cannot write {}: {e}", schema_file.display()),
            cost: CallCost::Nothing,
        })?;
        let max_commands = self.commands_allowed(request.budget_usd);
        let mut cmd = Command::new(&program);
        cmd.args(self.args(&schema_file.display().to_string()))
            .current_dir(&self.config.codebase)
            .env_clear();
        for k in PASS_ENV
            .iter()
            .copied()
            .chain(std::iter::once(self.config.api_key_env.as_str()))
        {
            if let Ok(v) = std::env::var(k) {
                cmd.env(k, v);
            }
        }
        for (k, v) in &self.config.extra_env {
            cmd.env(k, v);
        }
        // Codex has no system-prompt flag: the standing rules lead the prompt.
        let prompt = format!("{}\n\n{}", request.system, request.prompt);
        let mut commands = 0u32;
        let mut watcher = |line: &str| {
            let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
            let is_cmd = v.get("type").and_then(Value::as_str) == Some("item.started")
                && v.pointer("/item/type").and_then(Value::as_str) == Some("command_execution");
            if is_cmd {
                commands += 1;
                if commands > max_commands {
                    return Watch::Stop(format!("stopped after {max_commands} shell command(s), the most this budget allows"));
                }
            }
            Watch::Continue
        };
        let out = process::run(
            cmd,
            prompt.as_bytes(),
            self.config.timeout,
            Some(&mut watcher),
        )
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DiagnoserError::Missing {
                    backend: BACKEND.into(),
                    program: program.display().to_string(),
                    hint: INSTALL_HINT.into(),
                }
            } else {
                DiagnoserError::Failed {
                    backend: BACKEND.into(),
                    detail: format!("cannot run {}: {e}", program.display()),
                    cost: CallCost::Nothing,
                }
            }
        })?;
        if out.timed_out {
            return Err(DiagnoserError::Transient {
                backend: BACKEND.into(),
                detail: format!(
                    "timed out after {}s; the codex process group was killed",
                    self.config.timeout.as_secs()
                ),
                cost: CallCost::Killed,
            });
        }
        if let Some(why) = out.stopped {
            return Err(DiagnoserError::Budget {
                backend: BACKEND.into(),
                detail: why,
                cost: CallCost::Killed,
            });
        }
        let mut answer = interpret(
            &out.stdout,
            &out.stderr,
            &self.model,
            &self.config.prices,
            out.duration.as_millis() as u64,
        )?;
        // The stream names no model: tokens of an unpinned call are priced as budgeted.
        if answer.cost == CallCost::Unknown && self.model.is_empty() {
            if let Some((_, p)) = self.price() {
                answer.cost = CallCost::Priced(p.cost(&answer.tokens));
            }
        }
        Ok(answer)
    }
}

/// Turn the JSONL event stream into an answer or a classified error.
pub fn interpret(
    stdout: &str,
    stderr: &str,
    model: &str,
    prices: &PriceTable,
    duration_ms: u64,
) -> Result<DiagnosisAnswer, DiagnoserError> {
    let mut last_message: Option<String> = None;
    let mut usage: Option<Tokens> = None;
    let mut failure: Option<String> = None;
    let mut denials = Vec::new();
    for line in stdout.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line.trim()) else {
            continue;
        };
        match v.get("type").and_then(Value::as_str) {
            Some("item.completed") => match v.pointer("/item/type").and_then(Value::as_str) {
                Some("agent_message") => {
                    last_message = v
                        .pointer("/item/text")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                }
                Some("command_execution") => {
                    // Commands the sandbox refused are signs of what the model tried.
                    let status = v
                        .pointer("/item/status")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if status == "declined" || status == "failed" {
                        let c = v
                            .pointer("/item/command")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        denials.push(format!("command ({status}) {}", tail(c, 200)));
                    }
                }
                _ => {}
            },
            Some("turn.completed") => {
                let n = |k: &str| {
                    v.pointer(&format!("/usage/{k}"))
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                };
                let t = usage.get_or_insert_with(Tokens::default);
                t.input += n("input_tokens");
                t.cached_input += n("cached_input_tokens");
                t.output += n("output_tokens");
            }
            Some("turn.failed") => {
                failure = Some(
                    v.pointer("/error/message")
                        .and_then(Value::as_str)
                        .unwrap_or("turn failed")
                        .to_string(),
                );
            }
            // Top-level `error` lines (reconnects, transport fallbacks) are not fatal on their own.
            _ => {}
        }
    }
    let cost = match (usage, prices.lookup(model)) {
        (Some(t), Some(p)) => CallCost::Priced(p.cost(&t)),
        (Some(_), None) => CallCost::Unknown,
        // No usage report: a failed turn before any model answer cost nothing billable; a run
        // that ended without either is charged its worst case.
        (None, _) if failure.is_some() => CallCost::Reported(0.0),
        (None, _) => CallCost::Killed,
    };
    if let Some(msg) = failure {
        let detail = tail(&msg, 300);
        let lc = msg.to_ascii_lowercase();
        let status = http_status(&lc);
        return Err(if lc.contains("insufficient_quota") {
            DiagnoserError::Failed {
                backend: BACKEND.into(),
                detail,
                cost,
            }
        } else if matches!(status, Some(401 | 403)) || lc.contains("unauthorized") {
            DiagnoserError::Auth {
                backend: BACKEND.into(),
                detail,
                cost,
            }
        } else if matches!(status, Some(408 | 409 | 429 | 500..=599))
            || lc.contains("timeout")
            || lc.contains("timed out")
            || lc.contains("stream disconnected")
        {
            DiagnoserError::Transient {
                backend: BACKEND.into(),
                detail,
                cost,
            }
        } else {
            DiagnoserError::Failed {
                backend: BACKEND.into(),
                detail,
                cost,
            }
        });
    }
    let Some(text) = last_message else {
        let why = if stderr.trim().is_empty() {
            "no agent message".to_string()
        } else {
            tail(stderr, 300)
        };
        return Err(DiagnoserError::Failed {
            backend: BACKEND.into(),
            detail: format!("codex ended without an answer: {why}"),
            cost,
        });
    };
    let v = answer::parse_text(&text).map_err(|detail| DiagnoserError::Invalid {
        backend: BACKEND.into(),
        detail,
        excerpt: answer::excerpt(&text, 300),
        cost,
    })?;
    Ok(DiagnosisAnswer {
        root_cause: v.root_cause,
        suggested_fix: v.suggested_fix,
        confidence: v.confidence,
        evidence: v.evidence,
        model: model.to_string(),
        cost,
        tokens: usage.unwrap_or_default(),
        duration_ms,
        denials,
    })
}
