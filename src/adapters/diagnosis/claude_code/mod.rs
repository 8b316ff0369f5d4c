//! The `claude` CLI (Claude Code, headless) as a diagnoser: read-only tools confined to the
//! codebase, a hard per-call budget, structured output validated locally.

use crate::adapters::diagnosis::answer;
use crate::adapters::diagnosis::process::{self, tail};
use crate::core::diagnose::budget::{ModelPrice, PriceTable};
use crate::core::ports::diagnoser::{
    CallCost, Diagnoser, DiagnoserError, DiagnosisAnswer, DiagnosisRequest, Tokens,
};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const BACKEND: &str = "claude_code";
const INSTALL_HINT: &str =
    "install Claude Code (npm install -g @anthropic-ai/claude-code) or set CLAUDE_CODE_PATH to the claude binary";

/// Files the model must not read even inside the repository.
pub const DENY_RULES: &[&str] = &[
    "Read(./.env)",
    "Read(./.env*)",
    "Read(./**/.env*)",
    "Read(./**/*.pem)",
    "Read(./**/*.key)",
    "Read(./**/*.p12)",
    "Read(./**/id_rsa*)",
    "Read(./**/id_ed25519*)",
    "Read(./**/id_ecdsa*)",
    "Read(./**/.netrc)",
    "Read(./**/.npmrc)",
    "Read(./**/credentials*)",
    "Read(./**/secrets/**)",
];

/// Environment variables passed through to the child; everything else is withheld.
const PASS_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CONFIG_DIR",
    "API_TIMEOUT_MS",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "AWS_REGION",
    "AWS_PROFILE",
    "CLOUD_ML_REGION",
    "ANTHROPIC_VERTEX_PROJECT_ID",
];

#[derive(Debug, Clone)]
pub struct ClaudeCodeConfig {
    /// CLAUDE_CODE_PATH; `None` = find `claude` on PATH.
    pub program: Option<PathBuf>,
    /// CODEBASE_PATH: the child's working directory, and so the only tree it can read.
    pub codebase: PathBuf,
    /// A full model id (aliases move between releases); `None` = the CLI's default.
    pub model: Option<String>,
    pub max_turns: u32,
    pub timeout: Duration,
    pub max_retries: u32,
    pub prices: PriceTable,
    /// Variables set in the child on top of the pass-through list (e.g. a base URL, a HOME).
    pub extra_env: Vec<(String, String)>,
}

impl ClaudeCodeConfig {
    pub fn new(codebase: impl Into<PathBuf>) -> Self {
        ClaudeCodeConfig {
            program: None,
            codebase: codebase.into(),
            model: None,
            max_turns: 25,
            timeout: Duration::from_secs(600),
            max_retries: 2,
            prices: PriceTable::new(),
            extra_env: Vec::new(),
        }
    }
}

pub struct ClaudeCode {
    config: ClaudeCodeConfig,
    model: String,
    /// With no pinned model: the model the CLI reported last time (from the store).
    reported: Option<String>,
}

impl ClaudeCode {
    pub fn new(config: ClaudeCodeConfig) -> Self {
        let model = config.model.clone().unwrap_or_default();
        ClaudeCode {
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
            "claude",
            BACKEND,
            INSTALL_HINT,
        )
    }

    /// The full argument list for one call (the prompt goes on stdin, never in argv).
    pub fn args(&self, request: &DiagnosisRequest) -> Vec<String> {
        let mut a: Vec<String> = [
            "-p",
            "--output-format",
            "json",
            "--json-schema",
            &request.schema,
            "--max-budget-usd",
            &format_usd(request.budget_usd),
            "--max-turns",
            &self.config.max_turns.to_string(),
            "--tools",
            "Read,Grep,Glob",
            "--permission-mode",
            "dontAsk",
            "--disallowedTools",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(DENY_RULES.iter().map(|s| s.to_string()));
        for s in [
            "--strict-mcp-config",
            "--setting-sources",
            "",
            "--disable-slash-commands",
            "--no-session-persistence",
            "--append-system-prompt",
            &request.system,
        ] {
            a.push(s.to_string());
        }
        if let Some(m) = &self.config.model {
            a.push("--model".into());
            a.push(m.clone());
        }
        a
    }
}

/// `--max-budget-usd` must be > 0: the CLI crashes on 0. Round up to a cent fraction.
fn format_usd(v: f64) -> String {
    let v = if v.is_finite() && v > 0.0 { v } else { 0.01 };
    format!("{:.4}", (v * 10_000.0).ceil() / 10_000.0)
}

impl Diagnoser for ClaudeCode {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn model(&self) -> &str {
        &self.model
    }

    /// The CLI checks its cap after each API call, so one call past the cap can still happen.
    fn worst_case_cost_usd(&self, request: &DiagnosisRequest) -> Option<f64> {
        let (_, price) = self.price()?;
        Some(request.budget_usd + price.max_call_cost())
    }

    fn assume_model(&mut self, reported: Option<&str>) -> Option<String> {
        self.reported = reported.map(str::to_string);
        self.price().map(|(m, _)| m)
    }

    fn diagnose(&mut self, request: &DiagnosisRequest) -> Result<DiagnosisAnswer, DiagnoserError> {
        if request.budget_usd.is_nan() || request.budget_usd <= 0.0 {
            return Err(DiagnoserError::Config {
                backend: BACKEND.into(),
                reason: "the per-call budget must be > 0".into(),
            });
        }
        let program = self.program()?;
        let mut cmd = Command::new(&program);
        cmd.args(self.args(request))
            .current_dir(&self.config.codebase)
            .env_clear();
        for k in PASS_ENV {
            if let Ok(v) = std::env::var(k) {
                cmd.env(k, v);
            }
        }
        cmd.env(
            "CLAUDE_CODE_MAX_RETRIES",
            self.config.max_retries.to_string(),
        )
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_ERROR_REPORTING", "1");
        for (k, v) in &self.config.extra_env {
            cmd.env(k, v);
        }
        let out = process::run(cmd, request.prompt.as_bytes(), self.config.timeout, None).map_err(
            |e| {
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
            },
        )?;
        if out.timed_out {
            return Err(DiagnoserError::Transient {
                backend: BACKEND.into(),
                detail: format!(
                    "timed out after {}s; the claude process group was killed",
                    self.config.timeout.as_secs()
                ),
                cost: CallCost::Killed,
            });
        }
        let duration_ms = out.duration.as_millis() as u64;
        interpret(
            &out.stdout,
            &out.stderr,
            out.status.and_then(|s| s.code()),
            &self.model,
            duration_ms,
        )
    }
}

/// Turn the CLI's result object into an answer or a classified error.
pub fn interpret(
    stdout: &str,
    stderr: &str,
    exit_code: Option<i32>,
    configured_model: &str,
    duration_ms: u64,
) -> Result<DiagnosisAnswer, DiagnoserError> {
    let err = |detail: String, cost: CallCost| DiagnoserError::Failed {
        backend: BACKEND.into(),
        detail,
        cost,
    };
    // With --output-format json the result is the last JSON object printed.
    let result: Value = match stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l.trim()).ok())
    {
        Some(v) if v.get("type").and_then(Value::as_str) == Some("result") => v,
        _ => {
            let why = if stderr.trim().is_empty() {
                tail(stdout, 300)
            } else {
                tail(stderr, 300)
            };
            // No result at all: usage unknown, so the call is charged its worst case.
            return Err(err(
                format!("claude exited {} without a result: {why}", code(exit_code)),
                CallCost::Killed,
            ));
        }
    };
    let cost = match result.get("total_cost_usd").and_then(Value::as_f64) {
        Some(c) => CallCost::Reported(c),
        None => CallCost::Killed,
    };
    let subtype = result.get("subtype").and_then(Value::as_str).unwrap_or("");
    let is_error = result
        .get("is_error")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let message = result
        .get("result")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            result.get("errors").and_then(Value::as_array).map(|e| {
                e.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .unwrap_or_default();
    if is_error || subtype != "success" {
        let status = result.get("api_error_status").and_then(Value::as_u64);
        let detail = match status {
            Some(s) => format!("{subtype} (HTTP {s}): {}", tail(&message, 300)),
            None => format!("{subtype}: {}", tail(&message, 300)),
        };
        return Err(match (status, subtype) {
            (Some(401 | 403), _) => DiagnoserError::Auth {
                backend: BACKEND.into(),
                detail,
                cost,
            },
            (Some(408 | 409 | 429 | 500..=599), _) => DiagnoserError::Transient {
                backend: BACKEND.into(),
                detail,
                cost,
            },
            (_, "error_max_budget_usd") => DiagnoserError::Budget {
                backend: BACKEND.into(),
                detail,
                cost,
            },
            (_, "error_max_structured_output_retries") => DiagnoserError::Invalid {
                backend: BACKEND.into(),
                detail,
                excerpt: answer::excerpt(&message, 300),
                cost,
            },
            _ => err(detail, cost),
        });
    }
    let validated = match result.get("structured_output") {
        Some(v) if !v.is_null() => answer::validate(v),
        // A "success" can lack structured output: fall back to the result text, then give up.
        _ => answer::parse_text(&message).map_err(|e| format!("no structured_output ({e})")),
    };
    let validated = validated.map_err(|detail| DiagnoserError::Invalid {
        backend: BACKEND.into(),
        detail,
        excerpt: answer::excerpt(
            &result
                .get("structured_output")
                .map(|v| v.to_string())
                .unwrap_or(message.clone()),
            300,
        ),
        cost,
    })?;

    let mut tokens = Tokens::default();
    let mut model = configured_model.to_string();
    let mut top_cost = -1.0;
    if let Some(usage) = result.get("modelUsage").and_then(Value::as_object) {
        for (m, u) in usage {
            let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
            let cached = n("cacheReadInputTokens");
            tokens.input += n("inputTokens") + cached + n("cacheCreationInputTokens");
            tokens.cached_input += cached;
            tokens.output += n("outputTokens");
            let c = u.get("costUSD").and_then(Value::as_f64).unwrap_or(0.0);
            if c > top_cost {
                top_cost = c;
                model = m.clone();
            }
        }
    }
    let denials = result
        .get("permission_denials")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .map(|x| {
                    let tool = x.get("tool_name").and_then(Value::as_str).unwrap_or("?");
                    let input = x
                        .get("tool_input")
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    format!("{tool} {}", tail(&input, 200))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(DiagnosisAnswer {
        root_cause: validated.root_cause,
        suggested_fix: validated.suggested_fix,
        confidence: validated.confidence,
        evidence: validated.evidence,
        model,
        cost,
        tokens,
        duration_ms: result
            .get("duration_ms")
            .and_then(Value::as_u64)
            .unwrap_or(duration_ms),
        denials,
    })
}

fn code(c: Option<i32>) -> String {
    c.map_or_else(|| "by signal".to_string(), |c| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_never_zero_or_negative() {
        assert_eq!(format_usd(0.0), "0.0100");
        assert_eq!(format_usd(-1.0), "0.0100");
        assert_eq!(format_usd(0.5), "0.5000");
        assert_eq!(format_usd(0.123_41), "0.1235");
    }

    #[test]
    fn args_are_read_only_and_take_no_prompt() {
        let c = ClaudeCode::new(ClaudeCodeConfig {
            model: Some("claude-sonnet-4-5-20250929".into()),
            ..ClaudeCodeConfig::new("/repo")
        });
        let r = DiagnosisRequest {
            signature_id: "s".into(),
            prompt: "PROMPT".into(),
            system: "SYS".into(),
            schema: "{}".into(),
            budget_usd: 0.5,
        };
        let a = c.args(&r);
        let i = a.iter().position(|x| x == "--tools").expect("--tools");
        assert_eq!(a[i + 1], "Read,Grep,Glob");
        assert!(!a
            .iter()
            .any(|x| x == "--allowedTools" || x.contains("Bash") || x == "PROMPT"));
        assert!(a.iter().any(|x| x == "Read(./**/.env*)"));
        let i = a
            .iter()
            .position(|x| x == "--setting-sources")
            .expect("setting sources");
        assert_eq!(a[i + 1], "");
    }
}
