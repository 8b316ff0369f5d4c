//! The diagnoser port: an LLM that reads the codebase and explains a signature.

use crate::core::model::Confidence;

/// What is sent to a diagnoser: an assembled, redacted prompt.
#[derive(Debug, Clone)]
pub struct DiagnosisRequest {
    pub signature_id: String,
    pub prompt: String,
    /// Hard cap for this call in USD.
    pub budget_usd: f64,
}

/// A validated answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosisAnswer {
    pub root_cause: String,
    pub suggested_fix: String,
    pub confidence: Confidence,
    /// (`file`, `line`, note) as cited by the model.
    pub evidence: Vec<(String, Option<u32>, String)>,
    pub model: String,
    pub cost_usd: Option<f64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub duration_ms: u64,
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
    Auth { backend: String, detail: String },
    #[error("{backend}: {detail} (will retry next pass)")]
    Transient {
        backend: String,
        detail: String,
        cost_usd: Option<f64>,
    },
    #[error("{backend}: answer failed validation: {detail}")]
    Invalid {
        backend: String,
        detail: String,
        cost_usd: Option<f64>,
    },
    #[error("{backend}: budget exhausted: {detail}")]
    Budget {
        backend: String,
        detail: String,
        cost_usd: Option<f64>,
    },
    #[error("{backend}: {detail}")]
    Failed {
        backend: String,
        detail: String,
        cost_usd: Option<f64>,
    },
    #[error("{backend}: {reason}")]
    Config { backend: String, reason: String },
}

pub trait Diagnoser {
    fn backend(&self) -> &str;
    fn model(&self) -> &str;
    /// The most one call can cost in USD, or `None` when the price is unknown.
    fn worst_case_cost_usd(&self, budget_usd: f64) -> Option<f64>;
    fn diagnose(&mut self, request: &DiagnosisRequest) -> Result<DiagnosisAnswer, DiagnoserError>;
}
