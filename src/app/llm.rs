//! Resolve and validate the LLM diagnosis settings (backend, codebase, budgets, redaction).

use crate::cli::LlmArgs;
use crate::core::diagnose::budget::{BudgetLimits, PriceTable};
use crate::core::diagnose::triage::TriageRules;
use crate::core::redact::Redactor;
use crate::exit::AppError;
use std::path::PathBuf;
use std::time::Duration;

/// The largest USD amount any budget setting takes.
const MAX_USD: f64 = 1_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    ClaudeCode,
    Codex,
    OpenAi,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::ClaudeCode => "claude_code",
            Backend::Codex => "codex",
            Backend::OpenAi => "openai",
        }
    }
}

/// Everything a diagnosis pass needs, validated.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    pub backend: Backend,
    pub codebase: Option<PathBuf>,
    pub model: Option<String>,
    pub limits: BudgetLimits,
    pub max_per_pass: usize,
    pub timeout: Duration,
    pub claude_code_path: Option<PathBuf>,
    pub codex_path: Option<PathBuf>,
    pub openai_api_key: Option<String>,
    pub openai_base_url: Option<String>,
    pub prices: PriceTable,
    pub redactor: Redactor,
}

impl LlmSettings {
    /// `None` when no backend is configured (DIAGNOSIS_BACKEND unset or `none`).
    pub fn resolve(a: &LlmArgs, run_budget: Option<f64>) -> Result<Option<LlmSettings>, AppError> {
        let backend = match a.diagnosis_backend.as_deref().map(str::trim) {
            None | Some("") | Some("none") => return Ok(None),
            Some("claude_code") | Some("claude") => Backend::ClaudeCode,
            Some("codex") => Backend::Codex,
            Some("openai") => Backend::OpenAi,
            Some(other) => {
                return Err(AppError::Config(format!(
                    "DIAGNOSIS_BACKEND={other}: unknown backend (known: claude_code, codex, openai, none)"
                )))
            }
        };
        let usd = |what: &str, v: f64, zero_ok: bool| -> Result<f64, AppError> {
            if !v.is_finite() || v < 0.0 || (!zero_ok && v == 0.0) {
                let bound = if zero_ok { ">= 0" } else { "> 0" };
                return Err(AppError::Config(format!(
                    "{what}: {v} is not an amount of USD {bound}"
                )));
            }
            // Amounts are summed and compared in the spend ledger: bound them far below where
            // f64 loses cents.
            if v > MAX_USD {
                return Err(AppError::Config(format!(
                    "{what}: {v} is out of range (allowed: 0 to {MAX_USD} USD)"
                )));
            }
            Ok(v)
        };
        let daily = usd("DAILY_BUDGET_LIMIT", a.daily_budget, true)?;
        let per = usd("DIAGNOSIS_BUDGET_USD", a.diagnosis_budget, false)?;
        let run = run_budget.map(|b| usd("--budget", b, true)).transpose()?;
        let timeout = crate::app::checked::secs(
            "DIAGNOSIS_TIMEOUT_SECS (--diagnosis-timeout)",
            a.timeout_secs,
            1,
            86_400,
        )?;
        let max_per_pass = crate::app::checked::count(
            "MAX_DIAGNOSES_PER_PASS (--max-diagnoses)",
            a.max_diagnoses,
            0,
            10_000,
        )?;
        let codebase = match &a.codebase {
            Some(p) if p.is_dir() => Some(p.clone()),
            Some(p) => {
                return Err(AppError::Config(format!(
                    "CODEBASE_PATH={}: not a directory",
                    p.display()
                )))
            }
            None => None,
        };
        if codebase.is_none() && backend != Backend::OpenAi {
            return Err(AppError::Config(format!(
                "DIAGNOSIS_BACKEND={} reads the codebase: set CODEBASE_PATH to the source tree",
                backend.name()
            )));
        }
        let model = a
            .model
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        if backend == Backend::OpenAi && model.is_none() {
            return Err(AppError::Config(
                "DIAGNOSIS_BACKEND=openai needs DIAGNOSIS_MODEL (e.g. gpt-4o-mini)".into(),
            ));
        }
        let prices = match a.prices.as_deref() {
            Some(spec) => PriceTable::with_overrides(spec)
                .map_err(|e| AppError::Config(format!("DIAGNOSIS_PRICES: {e}")))?,
            None => PriceTable::new(),
        };
        // The process's one redactor (REDACT_* are global settings, installed before any command).
        let redactor = crate::core::redact::configured().clone();
        Ok(Some(LlmSettings {
            backend,
            codebase,
            model,
            limits: BudgetLimits {
                daily_usd: daily,
                per_diagnosis_usd: per,
                run_usd: run,
            },
            max_per_pass,
            timeout,
            claude_code_path: a.claude_code_path.clone(),
            codex_path: a.codex_path.clone(),
            // A secret: from the environment only, so it never sits in argv or shell history.
            openai_api_key: std::env::var("OPENAI_API_KEY")
                .ok()
                .filter(|k| !k.is_empty()),
            openai_base_url: a.openai_base_url.clone().filter(|u| !u.is_empty()),
            prices,
            redactor,
        }))
    }

    pub fn rules(&self, min_occurrences: u64) -> TriageRules {
        TriageRules {
            min_occurrences,
            max_per_pass: self.max_per_pass,
            ..TriageRules::default()
        }
    }
}
