//! The diagnoser port: an LLM that reads the codebase and explains a signature.

use crate::core::model::{Confidence, SignatureId};

/// What is sent to a diagnoser: an assembled, redacted prompt and the limits of this one call.
#[derive(Debug, Clone)]
pub struct DiagnosisRequest {
    pub signature_id: SignatureId,
    /// The user prompt (context and question), already redacted.
    pub prompt: String,
    /// Standing rules for the model (appended to the backend's system prompt where it has one).
    pub system: String,
    /// The JSON schema the answer must satisfy (strict-mode compatible).
    pub schema: String,
    /// Hard cap for this call in USD, always > 0.
    pub budget_usd: f64,
}

/// One piece of evidence as the model cited it, before verification against the codebase.
#[derive(Debug, Clone, PartialEq)]
pub struct CitedEvidence {
    pub file: String,
    pub line: Option<u32>,
    pub note: String,
}

/// What one call cost, as far as the backend or the price table can tell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CallCost {
    /// No model call was made (e.g. the program was missing).
    Nothing,
    /// The backend reported it (Claude Code's `total_cost_usd`).
    Reported(f64),
    /// Priced from the token counts and the price table.
    Priced(f64),
    /// Tokens were used but the model's price is unknown.
    Unknown,
    /// The call was killed or crashed before reporting usage: charge its worst case.
    Killed,
}

/// Token counts of one call (OpenAI semantics: cached is part of input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tokens {
    pub input: u64,
    pub cached_input: u64,
    pub output: u64,
}

/// A validated answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosisAnswer {
    pub root_cause: String,
    pub suggested_fix: String,
    pub confidence: Confidence,
    pub evidence: Vec<CitedEvidence>,
    pub model: String,
    pub cost: CallCost,
    pub tokens: Tokens,
    pub duration_ms: u64,
    /// Tool uses the backend refused (a sign of prompt injection), as `tool: input` lines.
    pub denials: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiagnoserError {
    #[error("{backend}: {program} not found; {hint}")]
    Missing {
        backend: String,
        program: String,
        hint: String,
    },
    #[error("{backend}: credentials rejected ({detail})")]
    Auth {
        backend: String,
        detail: String,
        cost: CallCost,
    },
    #[error("{backend}: {detail} (will retry next pass)")]
    Transient {
        backend: String,
        detail: String,
        cost: CallCost,
    },
    #[error("{backend}: answer failed validation: {detail}")]
    Invalid {
        backend: String,
        detail: String,
        excerpt: String,
        cost: CallCost,
    },
    #[error("{backend}: per-diagnosis budget reached: {detail}")]
    Budget {
        backend: String,
        detail: String,
        cost: CallCost,
    },
    #[error("{backend}: {detail}")]
    Failed {
        backend: String,
        detail: String,
        cost: CallCost,
    },
    #[error("{backend}: {reason}")]
    Config { backend: String, reason: String },
}

impl DiagnoserError {
    /// Short machine-readable kind, stored with a failed attempt.
    pub fn kind(&self) -> &'static str {
        match self {
            DiagnoserError::Missing { .. } => "missing",
            DiagnoserError::Auth { .. } => "auth",
            DiagnoserError::Transient { .. } => "transient",
            DiagnoserError::Invalid { .. } => "schema",
            DiagnoserError::Budget { .. } => "budget",
            DiagnoserError::Failed { .. } => "failed",
            DiagnoserError::Config { .. } => "config",
        }
    }

    /// What the failed call cost.
    pub fn cost(&self) -> CallCost {
        match self {
            DiagnoserError::Missing { .. } | DiagnoserError::Config { .. } => CallCost::Nothing,
            DiagnoserError::Auth { cost, .. }
            | DiagnoserError::Transient { cost, .. }
            | DiagnoserError::Invalid { cost, .. }
            | DiagnoserError::Budget { cost, .. }
            | DiagnoserError::Failed { cost, .. } => *cost,
        }
    }

    /// Whether the rest of the pass should stop: every further call would fail the same way.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            DiagnoserError::Missing { .. }
                | DiagnoserError::Auth { .. }
                | DiagnoserError::Config { .. }
        )
    }
}

pub trait Diagnoser {
    fn backend(&self) -> &str;
    /// The configured model id, or an empty string when the backend's default is used.
    fn model(&self) -> &str;
    /// The most this call can cost in USD (including any overshoot past `budget_usd` the backend
    /// allows), or `None` when the model's price is unknown.
    fn worst_case_cost_usd(&self, request: &DiagnosisRequest) -> Option<f64>;
    /// With no pinned model: `reported` is the model the backend reported last time (from the
    /// store); price calls as it when it is priced, else as the dearest model the backend's
    /// default can be, so the budget always holds. Returns the model calls are priced as
    /// (`None`: this backend has no such assumption). Ignored when a model is pinned.
    fn assume_model(&mut self, _reported: Option<&str>) -> Option<String> {
        None
    }
    fn diagnose(&mut self, request: &DiagnosisRequest) -> Result<DiagnosisAnswer, DiagnoserError>;
}
