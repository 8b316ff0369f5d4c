//! The Grafana Tempo telemetry adapter: TraceQL search for error traces, then each trace by id.
//!
//! Tempo's search has no pagination, so a window whose answer fills `limit` is split in halves
//! down to Tempo's one-second resolution, and a second still full is searched again with a
//! larger `limit` (×4 each time, up to [`MAX_SEARCH_LIMIT`]); a second full even then is held:
//! the pass keeps its cursor there and exits 75. Searches are at most [`MAX_SEARCH_SPAN`] wide
//! (Tempo's `max_duration` default, 168 h; longer ones fail), and end 30 s before now, where
//! Tempo clamps them (its ingester lag), so the cursor stops there too. Traces are fetched once
//! per pass and their spans filtered on the whole window, so sub-windows overlapping by a
//! rounded second never count a span twice.

pub mod map;
pub mod stack;
pub mod wire;

pub use stack::GrafanaStackSource;

use super::common::{
    cursor_scope, for_each_service, map_error, otlp_trace_spans, quarantine_rejects,
    sorted_services, split_window, trace_id, DedupSink,
};
use super::http::{HttpClient, HttpResponse, HttpSettings};
use crate::core::model::NANOS_PER_SEC;
use crate::core::ports::telemetry::{
    EventSink, FetchReport, HeldWindow, PollWindow, SourceCheck, TelemetryError, TelemetrySource,
    TraceSpan,
};
use std::collections::HashSet;
use wire::{SearchResponse, TagValues, TempoTrace, TraceByIdV2};

#[derive(Debug, Clone)]
pub struct TempoConfig {
    pub http: HttpSettings,
    /// Services to poll; empty = all services in one search.
    pub services: Vec<String>,
    /// TraceQL selecting traces with errors ([`STATUS_QUERY`] by default; [`ErrorSpans`]
    /// names the built-in choices, a custom query replaces them).
    pub traceql: String,
    /// Traces per search (`limit`).
    pub batch_size: usize,
    /// Spans per spanset in search answers (`spss`).
    pub spans_per_spanset: usize,
    /// How far before the window's end (the pass's now) searches stop: [`SEARCH_END_LAG`].
    pub search_end_lag: i64,
}

impl TempoConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        TempoConfig {
            http: HttpSettings::new(base_url),
            services: Vec::new(),
            traceql: STATUS_QUERY.into(),
            batch_size: 500,
            spans_per_spanset: 3,
            search_end_lag: SEARCH_END_LAG,
        }
    }
}

/// Spans whose status is ERROR: every Tempo version, but an exception recorded on a span whose
/// status was left unset or OK (a handled exception) is not one of them.
pub const STATUS_QUERY: &str = "{ status = error }";
/// Spans with an `exception` event, whatever their status: Tempo ≥ 2.6, which added the event
/// scope and the `event:name` intrinsic (tempo CHANGELOG v2.6.0, #3708;
/// pkg/traceql/enum_attributes.go).
pub const EXCEPTION_QUERY: &str = r#"{ event:name = "exception" }"#;
/// Both, as a spanset union (`||`, pkg/traceql/expr.y `spansetExpression OR
/// spansetExpression`): error spans and exceptions on spans of any status. Tempo ≥ 2.6.
pub const BOTH_QUERY: &str = r#"{ status = error } || { event:name = "exception" }"#;

/// The built-in error queries, chosen with `TEMPO_ERRORS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorSpans {
    /// [`STATUS_QUERY`] (the default: works on every Tempo).
    #[default]
    Status,
    /// [`EXCEPTION_QUERY`].
    Exceptions,
    /// [`BOTH_QUERY`].
    Both,
}

impl ErrorSpans {
    /// `status`, `exceptions` or `both`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "status" => Some(ErrorSpans::Status),
            "exceptions" | "exception" => Some(ErrorSpans::Exceptions),
            "both" => Some(ErrorSpans::Both),
            _ => None,
        }
    }

    pub fn traceql(self) -> &'static str {
        match self {
            ErrorSpans::Status => STATUS_QUERY,
            ErrorSpans::Exceptions => EXCEPTION_QUERY,
            ErrorSpans::Both => BOTH_QUERY,
        }
    }
}

pub struct TempoSource {
    cfg: TempoConfig,
    client: HttpClient,
    /// Tempo < 2.6 has no `/api/v2/traces`; learnt on the first 404 "page not found".
    v1_traces: bool,
}

const BACKEND: &str = "tempo";

/// The largest `limit` a one-second search is raised to before the second is held. Tempo's
/// query frontend has no default cap (`max_limit` 0), and 20,000 trace ids are ~1 MB of answer.
pub const MAX_SEARCH_LIMIT: usize = 20_000;
/// Tempo refuses searches longer than its `max_duration` (default 168 h): longer windows are
/// searched in pieces.
pub const MAX_SEARCH_SPAN: i64 = 168 * 3_600 * NANOS_PER_SEC;
/// Tempo ends searches at now − 30 s (`query_backend_after`/ingester lag); reading closer to
/// now would move the cursor over spans no search returned yet.
pub const SEARCH_END_LAG: i64 = 30 * NANOS_PER_SEC;

fn traceql_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl TempoSource {
    pub fn new(cfg: TempoConfig) -> Result<Self, TelemetryError> {
        if cfg.batch_size == 0 {
            return Err(TelemetryError::Config {
                backend: BACKEND.into(),
                reason: "batch size must be at least 1".into(),
            });
        }
        let client = HttpClient::new(BACKEND, cfg.http.clone())?;
        Ok(TempoSource {
            cfg,
            client,
            v1_traces: false,
        })
    }

    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    pub fn services(&self) -> &[String] {
        &self.cfg.services
    }

    fn no_api(resp: &HttpResponse) -> TelemetryError {
        TelemetryError::Config {
            backend: BACKEND.into(),
            reason: format!(
                "no Tempo API at {} (HTTP 404); check TEMPO_API_URL",
                resp.endpoint
            ),
        }
    }

    pub fn list_services(&self) -> Result<Vec<String>, TelemetryError> {
        let resp = self
            .client
            .get("/api/search/tag/service.name/values", &[])?;
        if resp.status == 404 {
            return Err(Self::no_api(&resp));
        }
        let v: TagValues = resp.json()?;
        Ok(sorted_services(&v.tag_values))
    }

    fn query_for(&self, service: Option<&str>) -> String {
        match service {
            Some(s) => format!(
                "({}) && {{ resource.service.name = {} }}",
                self.cfg.traceql,
                traceql_string(s)
            ),
            None => self.cfg.traceql.clone(),
        }
    }

    /// Trace ids (32 hex) matching the query in the window.
    fn search(
        &self,
        query: &str,
        w: PollWindow,
        limit: usize,
    ) -> Result<Vec<String>, TelemetryError> {
        let start_s = w.start.div_euclid(NANOS_PER_SEC);
        let end_s = (w.end + NANOS_PER_SEC - 1).div_euclid(NANOS_PER_SEC);
        let q = [
            ("q", query.to_string()),
            ("start", start_s.to_string()),
            ("end", end_s.to_string()),
            // One more than the batch, so an answer of exactly `batch_size` is known to be complete.
            ("limit", (limit + 1).to_string()),
            ("spss", self.cfg.spans_per_spanset.to_string()),
        ];
        let resp = self.client.get("/api/search", &q)?;
        if resp.status == 404 {
            return Err(Self::no_api(&resp));
        }
        let r: SearchResponse = resp.json()?;
        r.traces
            .unwrap_or_default()
            .iter()
            .map(|t| {
                trace_id(&t.trace_id)
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| TelemetryError::BadData {
                        location: resp.endpoint.clone(),
                        detail: format!("trace id {:?} is not hex", t.trace_id),
                    })
            })
            .collect()
    }

    /// One trace by id; `None` when Tempo no longer has it.
    fn get_trace(&mut self, id: &str) -> Result<Option<(TempoTrace, String)>, TelemetryError> {
        if !self.v1_traces {
            let resp = self.client.get(&format!("/api/v2/traces/{id}"), &[])?;
            if resp.status != 404 {
                let t: TraceByIdV2 = resp.json()?;
                return Ok(Some((t.trace.unwrap_or_default(), resp.endpoint)));
            }
            if resp.is_json() || !resp.body.to_ascii_lowercase().contains("page not found") {
                return Ok(None);
            }
            self.v1_traces = true;
        }
        let resp = self.client.get(&format!("/api/traces/{id}"), &[])?;
        if resp.status == 404 {
            return Ok(None);
        }
        let t: TempoTrace = resp.json()?;
        Ok(Some((t, resp.endpoint)))
    }

    /// Emits the error events of one query's traces over `window`, splitting it while the
    /// search answers are full.
    pub fn fetch_query(
        &mut self,
        service: Option<&str>,
        window: PollWindow,
        fetched: &mut HashSet<String>,
        sink: &mut DedupSink<'_, '_>,
        report: &mut FetchReport,
    ) -> Result<(), TelemetryError> {
        let query = self.query_for(service);
        // Every configured service, not just this query's: a trace is fetched once per pass, so
        // its spans of all wanted services are taken the one time it is read.
        let wanted = sorted_services(&self.cfg.services);
        // Longest pieces first in time order: later pieces are pushed first.
        let mut pending = Vec::new();
        let mut end = window.end;
        while end > window.start {
            let start = (end - MAX_SEARCH_SPAN).max(window.start);
            pending.push(PollWindow { start, end });
            end = start;
        }
        while let Some(w) = pending.pop() {
            let mut limit = self.cfg.batch_size;
            let mut ids = self.search(&query, w, limit)?;
            if ids.len() > limit && w.end - w.start > NANOS_PER_SEC {
                let (a, b) = split_window(w);
                pending.push(b);
                pending.push(a);
                continue;
            }
            // One second is as fine as Tempo searches: ask for more instead.
            while ids.len() > limit && limit < MAX_SEARCH_LIMIT {
                limit = (limit.saturating_mul(4)).min(MAX_SEARCH_LIMIT);
                ids = self.search(&query, w, limit)?;
            }
            if ids.len() > limit {
                let earlier = report
                    .held
                    .as_ref()
                    .is_none_or(|h| w.start < h.window.start);
                if earlier {
                    report.held = Some(HeldWindow {
                        service: service.unwrap_or("*").to_string(),
                        window: w,
                        reason: format!(
                            "more than {MAX_SEARCH_LIMIT} traces in one second, Tempo's finest search step, even at the largest limit"
                        ),
                    });
                }
                return Ok(());
            }
            for id in ids {
                if !fetched.insert(id.clone()) {
                    continue;
                }
                match self.get_trace(&id)? {
                    Some((trace, endpoint)) => {
                        let mut push = |ev| sink.push(ev).map_err(|e| e.to_string());
                        let rejects = map::trace_to_events(trace, &wanted, window, &mut push)
                            .map_err(|e| map_error(&endpoint, e))?;
                        quarantine_rejects(report, &endpoint, rejects);
                    }
                    None => report.notes.push(format!(
                        "tempo: trace {id} was found by search but not by id"
                    )),
                }
            }
        }
        Ok(())
    }

    /// The whole fetch into an already-deduplicating sink (shared with the Grafana stack source).
    pub fn fetch_into(
        &mut self,
        window: PollWindow,
        sink: &mut DedupSink<'_, '_>,
        report: &mut FetchReport,
    ) -> Result<(), TelemetryError> {
        let mut fetched = HashSet::new();
        let services = sorted_services(&self.cfg.services);
        // Tempo clamps a search's end to now − 30 s; `window.end` is the pass's now.
        let clamped = PollWindow {
            start: window.start,
            end: (window.end - self.cfg.search_end_lag).max(window.start),
        };
        if clamped.end < window.end {
            report.read_until = Some(clamped.end);
        }
        let window = clamped;
        if services.is_empty() {
            self.fetch_query(None, window, &mut fetched, sink, report)
        } else {
            for_each_service(&services, report, |svc, report| {
                self.fetch_query(Some(svc), window, &mut fetched, sink, report)
            })
        }
    }
}

impl TelemetrySource for TempoSource {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn cursor_scope(&self) -> String {
        cursor_scope(BACKEND, self.client.base_url(), &self.cfg.services)
    }

    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        let services = self.list_services()?;
        Ok(SourceCheck {
            backend: BACKEND.into(),
            endpoint: self.client.base_url().to_string(),
            services,
            notes: vec![format!("query: {}", self.cfg.traceql)],
        })
    }

    fn fetch(
        &mut self,
        window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let mut report = FetchReport::default();
        let mut dedup = DedupSink::new(sink);
        self.fetch_into(window, &mut dedup, &mut report)?;
        Ok(report)
    }

    fn fetch_trace(&mut self, trace: &str) -> Result<Option<Vec<TraceSpan>>, TelemetryError> {
        let id =
            trace_id(trace)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| TelemetryError::NotFound {
                    path: trace.to_string(),
                    detail: "not a trace id".into(),
                })?;
        Ok(Some(
            self.get_trace(&id)?
                .map(|(t, _)| otlp_trace_spans(&t.resource_spans))
                .unwrap_or_default(),
        ))
    }
}
