//! The SigNoz telemetry adapter: error spans as raw rows of `POST /api/v5/query_range`,
//! paged with limit/offset.
//!
//! Rows are ordered newest first: spans that arrive while a window is being paged land at the
//! top and shift later pages down, which repeats a row (dropped by the per-fetch guard) rather
//! than skipping one.
//!
//! `has_error = true` sees only spans whose status is ERROR; an exception recorded on a span left
//! OK or unset (a handled exception) is invisible to it. SigNoz also keeps every exception event
//! in its exception index (`signoz_traces.distributed_signoz_error_index_v2`, the table its
//! query-service's `/api/v1/listErrors` and `/api/v1/errorFromErrorID` read: pkg/query-service/
//! app/clickhouseReader/reader.go `ListErrors`, `GetErrorFromErrorID`). That API returns groups
//! and walks occurrences one request each (`nextPrevErrorIDs`), so the index is read instead as
//! pages of raw rows with a v5 `clickhouse_sql` query (pkg/querier/clickhouse_query.go; the
//! `clickhouse_sql_logs_raw` example of docs/api/openapi.yml). Spans already read by the
//! `has_error` query are skipped there, so each exception is emitted once per fetch.

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
use map::{index_row_to_event, row_timestamp, row_to_events, row_to_span};
use std::collections::HashSet;

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
    /// Also read the exception index (exceptions on spans whose status is not ERROR).
    pub exception_index: bool,
}

impl SignozConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        SignozConfig {
            http: HttpSettings::new(base_url),
            api_key: None,
            services: Vec::new(),
            batch_size: 500,
            exception_index: true,
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
            .field("exception_index", &self.exception_index)
            .finish()
    }
}

pub struct SignozSource {
    cfg: SignozConfig,
    client: HttpClient,
    /// Cleared when the server refuses the exception-index query (HTTP 400/404): noted once,
    /// not retried for the rest of the pass.
    index_readable: bool,
}

/// SigNoz's exception index, as its query-service names it (reader.go `signozErrorIndexTable`
/// under `signoz_traces`).
const ERROR_INDEX: &str = "signoz_traces.distributed_signoz_error_index_v2";

/// A span as (trace id, span id) in lower-case hex.
type SpanKey = (String, String);

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
        Ok(SignozSource {
            cfg,
            client,
            index_readable: true,
        })
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

/// The v5 request for one page of the exception index: rows whose exception happened in
/// `window` (nanoseconds, exact), newest first, of one service when given. The service name is
/// sent hex-encoded (`unhex`), so no name can change the SQL or trip SigNoz's `{{ }}`/`$var`
/// templating.
pub fn error_index_body(
    service: Option<&str>,
    window: PollWindow,
    offset: usize,
    limit: usize,
) -> serde_json::Value {
    let mut sql = format!(
        "SELECT timestamp, traceID, spanID, serviceName, exceptionType, exceptionMessage, \
         exceptionStacktrace, exceptionEscaped FROM {ERROR_INDEX} \
         WHERE timestamp >= fromUnixTimestamp64Nano(toInt64({})) \
         AND timestamp < fromUnixTimestamp64Nano(toInt64({}))",
        window.start, window.end
    );
    if let Some(s) = service {
        let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
        sql.push_str(&format!(" AND serviceName = unhex('{hex}')"));
    }
    sql.push_str(&format!(
        " ORDER BY timestamp DESC, errorID ASC LIMIT {limit} OFFSET {offset}"
    ));
    let start_ms = window.start.div_euclid(1_000_000);
    let end_ms = (window.end + 999_999).div_euclid(1_000_000);
    json!({
        "schemaVersion": "v1",
        "start": start_ms,
        "end": end_ms,
        "requestType": "raw",
        "compositeQuery": {"queries": [{"type": "clickhouse_sql", "spec": {
            "name": "A",
            "query": sql,
        }}]},
        "formatOptions": {"formatTableResultForUI": false, "fillGaps": false},
        "noCache": true,
    })
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
    /// Pages through one query's raw rows, handing each page's rows to `page`.
    fn read_pages(
        &self,
        body: impl Fn(usize, usize) -> serde_json::Value,
        mut page: impl FnMut(&[wire::RawRow], &str, &str) -> Result<(), TelemetryError>,
    ) -> Result<(), TelemetryError> {
        let limit = self.cfg.batch_size.min(MAX_LIMIT);
        let mut offset = 0usize;
        loop {
            let resp = self.client.post_json(QUERY_RANGE, &body(offset, limit))?;
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
            page(&rows, &resp.endpoint, &resp.body)?;
            if rows.len() < limit {
                return Ok(());
            }
            offset += rows.len();
        }
    }

    fn fetch_service(
        &mut self,
        service: Option<&str>,
        window: PollWindow,
        sink: &mut DedupSink<'_, '_>,
        report: &mut FetchReport,
    ) -> Result<(), TelemetryError> {
        let in_window = |t: Option<i64>| t.is_some_and(|t| t >= window.start && t < window.end);
        // Spans the has_error query read: the exception index is not asked for them again.
        let mut read: HashSet<SpanKey> = HashSet::new();
        self.read_pages(
            |offset, limit| self.request_body(service, window, offset, limit),
            |rows, endpoint, body| {
                for row in rows.iter().filter(|r| in_window(row_timestamp(r))) {
                    for ev in row_to_events(row).map_err(|e| bad_data(endpoint, &e, body))? {
                        read.insert((ev.trace_id.clone(), ev.span_id.clone()));
                        sink.push(ev)?;
                    }
                }
                Ok(())
            },
        )?;
        if !(self.cfg.exception_index && self.index_readable) {
            return Ok(());
        }
        let index = self.read_pages(
            |offset, limit| error_index_body(service, window, offset, limit),
            |rows, endpoint, body| {
                for row in rows.iter().filter(|r| in_window(row_timestamp(r))) {
                    let ev = index_row_to_event(row).map_err(|e| bad_data(endpoint, &e, body))?;
                    if !read.contains(&(ev.trace_id.clone(), ev.span_id.clone())) {
                        sink.push(ev)?;
                    }
                }
                Ok(())
            },
        );
        match index {
            // A server that refuses the query (ClickHouse SQL not allowed, no such table) keeps
            // the has_error results; the rest of the pass does not ask again.
            Err(TelemetryError::Config { reason, .. }) => {
                self.index_readable = false;
                report.notes.push(format!(
                    "signoz: the exception index could not be read, so exceptions on spans whose status is not ERROR are not seen ({reason})"
                ));
                Ok(())
            }
            // Anything else fails the pass as usual (the cursor must not pass unread
            // exceptions), saying how to do without the index.
            Err(TelemetryError::Transient {
                backend,
                url,
                reason,
            }) => Err(TelemetryError::Transient {
                backend,
                url,
                reason: format!(
                    "{reason}, reading the exception index (SIGNOZ_EXCEPTION_INDEX=off skips it)"
                ),
            }),
            other => other,
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
            self.fetch_service(None, window, &mut dedup, &mut report)?;
        } else {
            for_each_service(&services, &mut report, |svc, report| {
                self.fetch_service(Some(svc), window, &mut dedup, report)
            })?;
        }
        Ok(report)
    }
}
