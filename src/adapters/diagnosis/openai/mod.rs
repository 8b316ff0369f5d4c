//! An OpenAI-compatible Chat Completions server as a diagnoser (OpenAI, Ollama, vLLM, llama.cpp):
//! one call with a strict `json_schema` response format, re-validated locally; the prompt's
//! source excerpts are its only view of the codebase. Requests go through the one HTTP
//! transport every adapter shares ([`crate::adapters::http`]).

use crate::adapters::diagnosis::answer;
use crate::adapters::diagnosis::process::tail;
use crate::adapters::http::{
    retry_after, Policy, Reply, Request, Retry, Transport, TransportError,
};
use crate::core::diagnose::budget::PriceTable;
use crate::core::ports::diagnoser::{
    CallCost, Diagnoser, DiagnoserError, DiagnosisAnswer, DiagnosisRequest, Tokens,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Largest answer read.
const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

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
    transport: Transport,
}

impl OpenAi {
    pub fn new(config: OpenAiConfig) -> Self {
        // A completion is billed once sent: a timeout or a broken connection is not repeated
        // (it is charged its worst case); a refused connection cost nothing and is retried.
        // The server's Retry-After is capped at `max_backoff`, and no retry starts past the
        // call's timeout.
        let transport = Transport::new(Policy {
            connect_timeout: config.timeout.min(Duration::from_secs(10)),
            timeout: config.timeout,
            retries: config.max_retries,
            backoff_base: Duration::from_millis(500),
            max_wait: config.max_backoff,
            refuse_long_waits: false,
            idempotent: false,
            retry_refused: true,
            deadline: Some(config.timeout),
            max_body_bytes: MAX_BODY_BYTES,
        });
        OpenAi { config, transport }
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
        let body = self.body(request)?.to_string();
        let url = self.url();
        let start = Instant::now();
        let auth = self
            .config
            .api_key
            .as_deref()
            .filter(|k| !k.is_empty())
            .map(|k| format!("Bearer {k}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        let req = Request {
            method: "POST",
            url: &url,
            query: &[],
            headers: &headers,
            body: Some(&body),
        };
        let reply = self
            .transport
            .send(&req, &openai_retry)
            .map_err(|e| transport_error(&url, e))?;
        if !reply.is_success() {
            return Err(classify(reply.status, &reply.body, &url));
        }
        self.interpret(&reply.body, start.elapsed().as_millis() as u64)
    }
}

/// Only what a retry can fix is retried: the statuses [`classify`] calls transient.
fn openai_retry(reply: &Reply) -> Retry {
    match classify(reply.status, &reply.body, "") {
        DiagnoserError::Transient { .. } => Retry::After(retry_after(reply)),
        _ => Retry::No,
    }
}

/// No answer at all: a refused connection cost nothing; anything after the request was sent
/// may have been billed and is charged its worst case.
fn transport_error(url: &str, e: TransportError) -> DiagnoserError {
    match e {
        TransportError::Redirect {
            status, location, ..
        } => DiagnoserError::Config {
            backend: BACKEND.into(),
            reason: format!(
                "{url} redirects (HTTP {status}) to {location}; set OPENAI_BASE_URL to the final address"
            ),
        },
        TransportError::InvalidUrl { reason, .. } => DiagnoserError::Config {
            backend: BACKEND.into(),
            reason: format!("{url}: {reason}"),
        },
        TransportError::ProxyAuth { .. } => DiagnoserError::Auth {
            backend: BACKEND.into(),
            detail: format!("{url}: the proxy wants credentials"),
            cost: CallCost::Nothing,
        },
        e @ TransportError::Unavailable { .. } => DiagnoserError::Transient {
            backend: BACKEND.into(),
            detail: e.to_string(),
            cost: CallCost::Nothing,
        },
        e => DiagnoserError::Transient {
            backend: BACKEND.into(),
            detail: e.to_string(),
            cost: CallCost::Killed,
        },
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
