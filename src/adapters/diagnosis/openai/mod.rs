//! An OpenAI-compatible Chat Completions server as a diagnoser (OpenAI, Ollama, vLLM, llama.cpp):
//! one call with a strict `json_schema` response format, re-validated locally; the prompt's
//! source excerpts are its only view of the codebase.

use crate::adapters::diagnosis::answer;
use crate::adapters::diagnosis::process::tail;
use crate::core::diagnose::budget::PriceTable;
use crate::core::ports::diagnoser::{
    CallCost, Diagnoser, DiagnoserError, DiagnosisAnswer, DiagnosisRequest, Tokens,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const BACKEND: &str = "openai";

#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// OPENAI_BASE_URL, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub base_url: String,
    /// OPENAI_API_KEY; local servers accept any value, or none.
    pub api_key: Option<String>,
    pub model: String,
    pub max_output_tokens: u64,
    pub timeout: Duration,
    /// Retries after 429 `rate_limit_exceeded`, 408, 409 and 5xx.
    pub max_retries: u32,
    /// Longest wait between retries, whatever the server asks.
    pub max_backoff: Duration,
    pub prices: PriceTable,
}

impl OpenAiConfig {
    pub fn new(model: impl Into<String>) -> Self {
        OpenAiConfig {
            base_url: "https://api.openai.com/v1".into(),
            api_key: None,
            model: model.into(),
            max_output_tokens: 4_096,
            timeout: Duration::from_secs(300),
            max_retries: 3,
            max_backoff: Duration::from_secs(60),
            prices: PriceTable::new(),
        }
    }
}

pub struct OpenAi {
    config: OpenAiConfig,
    agent: ureq::Agent,
}

impl OpenAi {
    pub fn new(config: OpenAiConfig) -> Self {
        let agent = ureq::AgentBuilder::new().timeout(config.timeout).build();
        OpenAi { config, agent }
    }

    /// The request body: exactly what is sent.
    pub fn body(&self, request: &DiagnosisRequest) -> Result<Value, DiagnoserError> {
        let schema: Value =
            serde_json::from_str(&request.schema).map_err(|e| DiagnoserError::Config {
                backend: BACKEND.into(),
                reason: format!("the answer schema is not JSON: {e}"),
            })?;
        Ok(json!({
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.prompt},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "diagnosis", "strict": true, "schema": schema},
            },
            "max_completion_tokens": self.config.max_output_tokens,
        }))
    }

    fn url(&self) -> String {
        format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        )
    }
}

impl Diagnoser for OpenAi {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn model(&self) -> &str {
        &self.config.model
    }

    /// One call: every prompt byte counted as a token (a token is at least one byte) plus the
    /// output cap. Retried requests that failed with 429/5xx are not billed.
    fn worst_case_cost_usd(&self, request: &DiagnosisRequest) -> Option<f64> {
        let price = self.config.prices.lookup(&self.config.model)?;
        let input =
            (request.prompt.len() + request.system.len() + request.schema.len() + 200) as u64;
        Some(price.call_cost(input, self.config.max_output_tokens))
    }

    fn diagnose(&mut self, request: &DiagnosisRequest) -> Result<DiagnosisAnswer, DiagnoserError> {
        let body = self.body(request)?;
        let start = Instant::now();
        let deadline = start + self.config.timeout;
        let mut attempt = 0u32;
        loop {
            let mut req = self
                .agent
                .post(&self.url())
                .set("Content-Type", "application/json");
            if let Some(k) = self.config.api_key.as_deref().filter(|k| !k.is_empty()) {
                req = req.set("Authorization", &format!("Bearer {k}"));
            }
            match req.send_json(body.clone()) {
                Ok(resp) => {
                    let text = resp.into_string().map_err(|e| DiagnoserError::Transient {
                        backend: BACKEND.into(),
                        detail: format!("reading the response from {}: {e}", self.url()),
                        cost: CallCost::Killed,
                    })?;
                    return self.interpret(&text, start.elapsed().as_millis() as u64);
                }
                Err(ureq::Error::Status(status, resp)) => {
                    let wait = retry_after(&resp);
                    let text = resp.into_string().unwrap_or_default();
                    let err = classify(status, &text, &self.url());
                    let retryable = matches!(err, DiagnoserError::Transient { .. });
                    let pause = wait
                        .unwrap_or_else(|| backoff(attempt))
                        .min(self.config.max_backoff);
                    if retryable
                        && attempt < self.config.max_retries
                        && Instant::now() + pause < deadline
                    {
                        attempt += 1;
                        std::thread::sleep(pause);
                        continue;
                    }
                    return Err(err);
                }
                Err(ureq::Error::Transport(t)) => {
                    let detail = format!("{}: {t}", self.url());
                    let is_timeout = t.to_string().to_ascii_lowercase().contains("timed out");
                    // A connection refused before sending cost nothing; a timeout after sending
                    // may have been billed, so it is charged its worst case.
                    let cost = if is_timeout {
                        CallCost::Killed
                    } else {
                        CallCost::Nothing
                    };
                    if !is_timeout
                        && attempt < self.config.max_retries
                        && Instant::now() + backoff(attempt) < deadline
                    {
                        attempt += 1;
                        std::thread::sleep(backoff(attempt));
                        continue;
                    }
                    return Err(DiagnoserError::Transient {
                        backend: BACKEND.into(),
                        detail,
                        cost,
                    });
                }
            }
        }
    }
}

impl OpenAi {
    fn interpret(&self, text: &str, duration_ms: u64) -> Result<DiagnosisAnswer, DiagnoserError> {
        let v: Value = serde_json::from_str(text).map_err(|e| DiagnoserError::Invalid {
            backend: BACKEND.into(),
            detail: format!("the response is not JSON: {e}"),
            excerpt: answer::excerpt(text, 300),
            cost: CallCost::Killed,
        })?;
        let n = |p: &str| v.pointer(p).and_then(Value::as_u64).unwrap_or(0);
        let tokens = Tokens {
            input: n("/usage/prompt_tokens"),
            cached_input: n("/usage/prompt_tokens_details/cached_tokens"),
            output: n("/usage/completion_tokens"),
        };
        let cost = match (
            v.get("usage").is_some(),
            self.config.prices.lookup(&self.config.model),
        ) {
            (true, Some(p)) => CallCost::Priced(p.cost(&tokens)),
            (true, None) => CallCost::Unknown,
            // No usage (some local servers): the call is charged its worst case.
            (false, Some(_)) => CallCost::Killed,
            (false, None) => CallCost::Unknown,
        };
        let invalid = |detail: String, excerpt: &str| DiagnoserError::Invalid {
            backend: BACKEND.into(),
            detail,
            excerpt: answer::excerpt(excerpt, 300),
            cost,
        };
        let choice = v
            .pointer("/choices/0")
            .ok_or_else(|| invalid("no choices in the response".into(), text))?;
        if let Some(r) = choice.pointer("/message/refusal").and_then(Value::as_str) {
            return Err(invalid("the model refused".into(), r));
        }
        let content = choice
            .pointer("/message/content")
            .and_then(Value::as_str)
            .unwrap_or("");
        if choice.get("finish_reason").and_then(Value::as_str) == Some("length") {
            return Err(invalid(
                "the answer was cut at max_completion_tokens".into(),
                content,
            ));
        }
        let a = answer::parse_text(content).map_err(|e| invalid(e, content))?;
        let model = v
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(&self.config.model)
            .to_string();
        Ok(DiagnosisAnswer {
            root_cause: a.root_cause,
            suggested_fix: a.suggested_fix,
            confidence: a.confidence,
            evidence: a.evidence,
            model,
            cost,
            tokens,
            duration_ms,
            denials: Vec::new(),
        })
    }
}

/// Map an HTTP error to the port's error; only what a retry can fix is Transient.
fn classify(status: u16, body: &str, url: &str) -> DiagnoserError {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let code = v
        .pointer("/error/code")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = v
        .pointer("/error/type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let msg = v
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| tail(body, 200));
    let detail = format!("HTTP {status} from {url}: {}", tail(&msg, 300));
    // Rejected requests are not billed.
    let cost = CallCost::Nothing;
    match status {
        401 | 403 => DiagnoserError::Auth {
            backend: BACKEND.into(),
            detail,
            cost,
        },
        429 if code == "insufficient_quota" || kind == "insufficient_quota" => {
            DiagnoserError::Failed {
                backend: BACKEND.into(),
                detail: format!("{detail} (billing quota: not retried)"),
                cost,
            }
        }
        408 | 409 | 429 | 500..=599 => DiagnoserError::Transient {
            backend: BACKEND.into(),
            detail,
            cost,
        },
        404 => DiagnoserError::Config {
            backend: BACKEND.into(),
            reason: detail,
        },
        400 if code.contains("schema") || msg.contains("response_format") => {
            DiagnoserError::Config {
                backend: BACKEND.into(),
                reason: format!("{detail} (does the server support json_schema?)"),
            }
        }
        _ => DiagnoserError::Failed {
            backend: BACKEND.into(),
            detail,
            cost,
        },
    }
}

/// `retry-after-ms`, then `Retry-After` in seconds (an HTTP date is treated as a short wait).
fn retry_after(resp: &ureq::Response) -> Option<Duration> {
    if let Some(ms) = resp
        .header("retry-after-ms")
        .and_then(|v| v.trim().parse::<f64>().ok())
    {
        return Some(Duration::from_millis(ms.max(0.0) as u64));
    }
    let v = resp.header("retry-after")?;
    match v.trim().parse::<f64>() {
        Ok(s) => Some(Duration::from_millis((s.max(0.0) * 1000.0) as u64)),
        Err(_) => Some(Duration::from_secs(5)),
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.min(6)))
}
