//! The SigNoz telemetry adapter: error spans as raw rows of `POST /api/v5/query_range`,
//! paged with limit/offset.
//!
//! Rows are ordered newest first: spans that arrive while a window is being paged land at the
//! top and shift later pages down, which repeats a row (dropped by the per-fetch guard) rather
//! than skipping one.

pub mod map;
pub mod wire;

use super::common::{cursor_scope, for_each_service, sorted_services, DedupSink};
use super::http::{bad_data, HttpClient, HttpSettings};
use crate::adapters::telemetry::common::trace_id;
use crate::core::model::NANOS_PER_DAY;
use crate::core::ports::telemetry::TraceSpan;
use crate::core::ports::telemetry::{
    EventSink, FetchReport, PollWindow, SourceCheck, TelemetryError, TelemetrySource,
};
use map::{row_timestamp, row_to_events, row_to_span};

/// How far back `fetch_trace` looks for a trace.
const TRACE_LOOKUP_DAYS: i64 = 30;
/// Most spans `fetch_trace` reads of one trace.
const TRACE_SPAN_LIMIT: usize = 1000;
use serde_json::json;
use wire::QueryRangeResponse;

#[derive(Clone)]
pub struct SignozConfig {
    pub http: HttpSettings,
    /// Sent as the `SIGNOZ-API-KEY` header.
    pub api_key: Option<String>,
    /// Services to poll; empty = all services in one query.
    pub services: Vec<String>,
    /// Rows per request.
    pub batch_size: usize,
}

impl SignozConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        SignozConfig {
            http: HttpSettings::new(base_url),
            api_key: None,
            services: Vec::new(),
            batch_size: 500,
        }
    }
}

// Hand-written so the API key never reaches a log line through `{:?}`.
impl std::fmt::Debug for SignozConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignozConfig")
            .field("http", &self.http)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("services", &self.services)
            .field("batch_size", &self.batch_size)
            .finish()
    }
}

pub struct SignozSource {
    cfg: SignozConfig,
    client: HttpClient,
}

const BACKEND: &str = "signoz";
const QUERY_RANGE: &str = "/api/v5/query_range";
/// SigNoz refuses a v5 query whose `limit` exceeds `MaxQueryLimit` (10,000) with HTTP 400
/// (pkg/types/querybuildertypes/querybuildertypesv5/validation.go): pages are at most this long.
pub const MAX_LIMIT: usize = 10_000;

/// A SigNoz filter-expression string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn field(name: &str, ctx: &str) -> serde_json::Value {
    json!({"name": name, "fieldContext": ctx})
}

impl SignozSource {
    pub fn new(cfg: SignozConfig) -> Result<Self, TelemetryError> {
        if cfg.batch_size == 0 {
            return Err(TelemetryError::Config {
                backend: BACKEND.into(),
                reason: "batch size must be at least 1".into(),
            });
        }
        let mut http = cfg.http.clone();
        if let Some(key) = cfg.api_key.as_ref().filter(|k| !k.is_empty()) {
            http.headers.push(("SIGNOZ-API-KEY".into(), key.clone()));
        }
        let client = HttpClient::new(BACKEND, http)?;
        Ok(SignozSource { cfg, client })
    }

    /// The v5 raw-traces request body for one page.
    pub fn request_body(
        &self,
        service: Option<&str>,
        window: PollWindow,
        offset: usize,
        limit: usize,
    ) -> serde_json::Value {
        let mut filter = "has_error = true".to_string();
        if let Some(s) = service {
            filter.push_str(&format!(" AND service.name = {}", quote(s)));
        }
        raw_traces_body(&filter, window, offset, limit)
    }
}

/// A v5 raw-traces request: rows matching `filter` in `window`, newest first.
fn raw_traces_body(
    filter: &str,
    window: PollWindow,
    offset: usize,
    limit: usize,
) -> serde_json::Value {
    // Milliseconds, widened outwards; rows are filtered on the exact window afterwards.
    let start_ms = window.start.div_euclid(1_000_000);
    let end_ms = (window.end + 999_999).div_euclid(1_000_000);
    json!({
        "schemaVersion": "v1",
        "start": start_ms,
        "end": end_ms,
        "requestType": "raw",
        "compositeQuery": {"queries": [{"type": "builder_query", "spec": {
            "name": "A",
            "signal": "traces",
            "filter": {"expression": filter},
            "selectFields": [
                field("service.name", "resource"),
                field("name", "span"),
                field("kind_string", "span"),
                field("parent_span_id", "span"),
                field("duration_nano", "span"),
                field("has_error", "span"),
                field("status_code_string", "span"),
                field("status_message", "span"),
                field("http_method", "span"),
                field("http_url", "span"),
                field("response_status_code", "span"),
                field("events", "span"),
            ],
            "order": [{"key": {"name": "timestamp"}, "direction": "desc"}],
            "limit": limit,
            "offset": offset,
        }}]},
        "formatOptions": {"formatTableResultForUI": false, "fillGaps": false},
        "noCache": true,
    })
}

impl SignozSource {
    fn fetch_service(
        &self,
        service: Option<&str>,
        window: PollWindow,
        sink: &mut DedupSink<'_, '_>,
    ) -> Result<(), TelemetryError> {
        let limit = self.cfg.batch_size.min(MAX_LIMIT);
        let mut offset = 0usize;
        loop {
            let resp = self.client.post_json(
                QUERY_RANGE,
                &self.request_body(service, window, offset, limit),
            )?;
            if resp.status == 404 {
                return Err(TelemetryError::Config {
                    backend: BACKEND.into(),
                    reason: format!("no SigNoz v5 query API at {} (HTTP 404; SigNoz ≥ 0.92 needed); check SIGNOZ_API_URL", resp.endpoint),
                });
            }
            let r: QueryRangeResponse = resp.json()?;
            if r.status != "success" {
                let msg = r.error.map(|e| e.message).unwrap_or_default();
                return Err(bad_data(
                    &resp.endpoint,
                    &format!("status {:?}: {msg}", r.status),
                    &resp.body,
                ));
            }
            let data = r
                .data
                .ok_or_else(|| bad_data(&resp.endpoint, "answer without data", &resp.body))?;
            let rows = data
                .data
                .results
                .into_iter()
                .next()
                .and_then(|res| res.rows)
                .unwrap_or_default();
            let count = rows.len();
            for row in &rows {
                let in_window =
                    row_timestamp(row).is_some_and(|t| t >= window.start && t < window.end);
                if !in_window {
                    continue;
                }
                for ev in
                    row_to_events(row).map_err(|e| bad_data(&resp.endpoint, &e, &resp.body))?
                {
                    sink.push(ev)?;
                }
            }
            if count < limit {
                return Ok(());
            }
            offset += count;
        }
    }
}

impl TelemetrySource for SignozSource {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn cursor_scope(&self) -> String {
        cursor_scope(BACKEND, self.client.base_url(), &self.cfg.services)
    }

    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        // One tiny query proves reachability, credentials and the v5 API in one go.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        let w = PollWindow {
            start: now - 15 * 60 * 1_000_000_000,
            end: now,
        };
        let resp = self
            .client
            .post_json(QUERY_RANGE, &self.request_body(None, w, 0, 1))?;
        let _: QueryRangeResponse = resp.json()?;
        let mut notes = Vec::new();
        let services = match self.client.get("/api/v1/services/list", &[]) {
            Ok(r) if r.status == 200 => r
                .json::<Vec<String>>()
                .map(|s| sorted_services(&s))
                .unwrap_or_else(|e| {
                    notes.push(format!("service list not readable: {e}"));
                    Vec::new()
                }),
            Ok(r) => {
                notes.push(format!("service list not available (HTTP {})", r.status));
                Vec::new()
            }
            Err(e) => {
                notes.push(format!("service list not available: {e}"));
                Vec::new()
            }
        };
        Ok(SourceCheck {
            backend: BACKEND.into(),
            endpoint: self.client.base_url().to_string(),
            services,
            notes,
        })
    }

    /// The spans of one trace, looked up over the last `TRACE_LOOKUP_DAYS` (SigNoz needs a window).
    fn fetch_trace(&mut self, trace: &str) -> Result<Option<Vec<TraceSpan>>, TelemetryError> {
        let id =
            trace_id(trace)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| TelemetryError::NotFound {
                    path: trace.to_string(),
                    detail: "not a trace id".into(),
                })?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        let w = PollWindow {
            start: now - TRACE_LOOKUP_DAYS * NANOS_PER_DAY,
            end: now + NANOS_PER_DAY,
        };
        let body = raw_traces_body(
            &format!("trace_id = {}", quote(&id)),
            w,
            0,
            TRACE_SPAN_LIMIT,
        );
        let resp = self.client.post_json(QUERY_RANGE, &body)?;
        let r: QueryRangeResponse = resp.json()?;
        let rows = r
            .data
            .and_then(|d| d.data.results.into_iter().next())
            .and_then(|res| res.rows)
            .unwrap_or_default();
        let mut spans: Vec<TraceSpan> = rows.iter().filter_map(row_to_span).collect();
        spans.sort_by_key(|s| s.start);
        Ok(Some(spans))
    }

    fn fetch(
        &mut self,
        window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let mut report = FetchReport::default();
        let mut dedup = DedupSink::new(sink);
        let services = sorted_services(&self.cfg.services);
        if services.is_empty() {
            self.fetch_service(None, window, &mut dedup)?;
        } else {
            for_each_service(&services, &mut report, |svc, _| {
                self.fetch_service(Some(svc), window, &mut dedup)
            })?;
        }
        Ok(report)
    }
}
