//! The Loki telemetry adapter: error log lines over `query_range`, paged forward in time.
//!
//! Loki answers at most `limit` entries, the earliest first with `direction=forward`; the next
//! page starts at the last timestamp seen (inclusive, skipping entries already emitted), so a
//! burst is read to the end of the window instead of being cut at the limit.

pub mod map;
pub mod wire;

use super::common::{cursor_scope, for_each_service, sorted_services, DedupSink};
use super::http::{bad_data, HttpClient, HttpResponse, HttpSettings};
use crate::core::ports::telemetry::{
    EventSink, FetchReport, HeldWindow, PollWindow, SourceCheck, TelemetryError, TelemetrySource,
};
use map::{entry_to_event, Entry};
use std::collections::HashSet;
use wire::{LabelValues, QueryResponse, Stream};

/// Error lines of OTLP-ingested logs: exception fields in structured metadata, or a level of
/// error and above (Loki derives `detected_level` from the OTLP severity; `severity_text` covers
/// servers with level discovery switched off).
pub const DEFAULT_PIPELINE: &str = r#"| exception_type!="" or detected_level=~"(?i)(error|fatal|critical)" or severity_text=~"(?i)(error|fatal|critical)[0-9]?""#;

#[derive(Debug, Clone)]
pub struct LokiConfig {
    pub http: HttpSettings,
    /// Services to poll; empty = every value of the service label.
    pub services: Vec<String>,
    /// A full LogQL log query replacing the default selector; results are still narrowed to
    /// `services` client-side.
    pub query: Option<String>,
    /// The label holding the service name (`service_name` for OTLP ingest).
    pub service_label: String,
    /// Entries per request (Loki's server cap `max_entries_limit_per_query` defaults to 5000).
    pub batch_size: usize,
}

impl LokiConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        LokiConfig {
            http: HttpSettings::new(base_url),
            services: Vec::new(),
            query: None,
            service_label: "service_name".into(),
            batch_size: 1000,
        }
    }
}

pub struct LokiSource {
    cfg: LokiConfig,
    client: HttpClient,
}

const BACKEND: &str = "loki";
const QUERY_RANGE: &str = "/loki/api/v1/query_range";
/// Loki's default `max_entries_limit_per_query`: the page a crowded nanosecond is read with.
pub const MAX_PAGE: usize = 5000;
/// Loki's default `max_query_length` (721 h): a longer query_range is refused.
pub const MAX_QUERY_SPAN: i64 = 721 * 3_600 * 1_000_000_000;

/// LogQL string literal with escapes.
fn logql_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl LokiSource {
    pub fn new(cfg: LokiConfig) -> Result<Self, TelemetryError> {
        if cfg.batch_size == 0 {
            return Err(TelemetryError::Config {
                backend: BACKEND.into(),
                reason: "batch size must be at least 1".into(),
            });
        }
        let client = HttpClient::new(BACKEND, cfg.http.clone())?;
        Ok(LokiSource { cfg, client })
    }

    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// The query for one service (or all services when `None`).
    pub fn query_for(&self, service: Option<&str>) -> String {
        if let Some(q) = &self.cfg.query {
            return q.clone();
        }
        let label = &self.cfg.service_label;
        match service {
            Some(s) => format!("{{{label}={}}} {DEFAULT_PIPELINE}", logql_string(s)),
            None => format!("{{{label}=~\".+\"}} {DEFAULT_PIPELINE}"),
        }
    }

    pub fn list_services(&self, window: Option<PollWindow>) -> Result<Vec<String>, TelemetryError> {
        let mut q = Vec::new();
        if let Some(w) = window {
            q.push(("start", w.start.to_string()));
            q.push(("end", w.end.to_string()));
        }
        let resp = self.client.get(
            &format!("/loki/api/v1/label/{}/values", self.cfg.service_label),
            &q,
        )?;
        if resp.status == 404 {
            return Err(TelemetryError::Config {
                backend: BACKEND.into(),
                reason: format!(
                    "no Loki API at {} (HTTP 404); check LOKI_API_URL",
                    resp.endpoint
                ),
            });
        }
        let v: LabelValues = resp.json()?;
        if v.status != "success" {
            return Err(bad_data(
                &resp.endpoint,
                "status is not success",
                &resp.body,
            ));
        }
        Ok(sorted_services(&v.data))
    }

    fn parse_page(&self, resp: &HttpResponse) -> Result<Vec<Entry>, TelemetryError> {
        if resp.status == 404 {
            return Err(TelemetryError::Config {
                backend: BACKEND.into(),
                reason: format!(
                    "no Loki API at {} (HTTP 404); check LOKI_API_URL",
                    resp.endpoint
                ),
            });
        }
        let r: QueryResponse = resp.json()?;
        if r.status != "success" {
            return Err(bad_data(
                &resp.endpoint,
                &format!("status is {:?}, not success", r.status),
                &resp.body,
            ));
        }
        if r.data.result_type != "streams" {
            return Err(TelemetryError::Config {
                backend: BACKEND.into(),
                reason: format!(
                    "the LogQL query returned {:?}, not log lines; use a log query (no metric aggregation)",
                    r.data.result_type
                ),
            });
        }
        let streams: Vec<Stream> = if r.data.result.is_null() {
            Vec::new()
        } else {
            serde_json::from_value(r.data.result).map_err(|e| {
                bad_data(
                    &resp.endpoint,
                    &format!("streams not understood ({e})"),
                    &resp.body,
                )
            })?
        };
        let mut entries = Vec::new();
        for s in &streams {
            for v in &s.values {
                entries.push(
                    Entry::parse(&s.stream, v)
                        .map_err(|e| bad_data(&resp.endpoint, &e, &resp.body))?,
                );
            }
        }
        entries.sort_by_key(|e| e.timestamp);
        Ok(entries)
    }

    /// Reads one query over the window, page by page, emitting error events.
    pub fn fetch_query(
        &self,
        query: &str,
        wanted: &[String],
        window: PollWindow,
        sink: &mut DedupSink<'_, '_>,
        report: &mut FetchReport,
    ) -> Result<(), TelemetryError> {
        // Loki refuses a query longer than `max_query_length` (721 h by default): longer
        // windows are read in pieces, in time order.
        let mut piece_start = window.start;
        while piece_start < window.end {
            let piece = PollWindow {
                start: piece_start,
                end: piece_start.saturating_add(MAX_QUERY_SPAN).min(window.end),
            };
            let held = self.fetch_piece(query, wanted, piece, sink, report)?;
            if held {
                return Ok(());
            }
            piece_start = piece.end;
        }
        Ok(())
    }

    /// The event of one entry, when its service is among the wanted ones (all when none is named).
    fn wanted_event(&self, e: Entry, wanted: &[String]) -> Option<crate::core::model::ErrorEvent> {
        let service = e.labels.get(&self.cfg.service_label);
        if !wanted.is_empty() && !service.is_some_and(|s| wanted.contains(s)) {
            return None;
        }
        entry_to_event(e, &self.cfg.service_label)
    }

    /// Every entry at nanosecond `at` not in `seen`, in one request of [`MAX_PAGE`] entries;
    /// `false` (and the window held) when that page is full too.
    fn read_nanosecond(
        &self,
        query: &str,
        wanted: &[String],
        at: i64,
        seen: &HashSet<(i64, String, String)>,
        sink: &mut DedupSink<'_, '_>,
        report: &mut FetchReport,
    ) -> Result<bool, TelemetryError> {
        let limit = MAX_PAGE.max(self.cfg.batch_size);
        let q = [
            ("query", query.to_string()),
            ("start", at.to_string()),
            ("end", (at + 1).to_string()),
            ("limit", limit.to_string()),
            ("direction", "forward".to_string()),
        ];
        let resp = self.client.get_with(
            QUERY_RANGE,
            &q,
            &[("X-Loki-Response-Encoding-Flags", "categorize-labels")],
        )?;
        let entries = self.parse_page(&resp)?;
        if entries.len() >= limit {
            let w = PollWindow {
                start: at,
                end: at.saturating_add(1),
            };
            if report
                .held
                .as_ref()
                .is_none_or(|h| w.start < h.window.start)
            {
                report.held = Some(HeldWindow {
                    service: query.to_string(),
                    window: w,
                    reason: format!("more than {limit} entries share one nanosecond"),
                });
            }
            return Ok(false);
        }
        let mut page = Vec::new();
        for e in entries {
            if e.timestamp != at
                || seen.contains(&(e.timestamp, format!("{:?}", e.labels), e.line.clone()))
            {
                continue;
            }
            page.extend(self.wanted_event(e, wanted));
        }
        page.sort_by(|a, b| (&a.trace_id, &a.span_id).cmp(&(&b.trace_id, &b.span_id)));
        for ev in page {
            sink.push(ev)?;
        }
        Ok(true)
    }

    /// One piece of at most [`MAX_QUERY_SPAN`]; `true` when a nanosecond could not be read whole.
    fn fetch_piece(
        &self,
        query: &str,
        wanted: &[String],
        window: PollWindow,
        sink: &mut DedupSink<'_, '_>,
        report: &mut FetchReport,
    ) -> Result<bool, TelemetryError> {
        let mut start = window.start;
        // Entries at the page boundary timestamp already emitted: (ts, labels, line) identity.
        let mut boundary: HashSet<(i64, String, String)> = HashSet::new();
        loop {
            let q = [
                ("query", query.to_string()),
                ("start", start.to_string()),
                ("end", window.end.to_string()),
                ("limit", self.cfg.batch_size.to_string()),
                ("direction", "forward".to_string()),
            ];
            // Ask for structured metadata apart from stream labels (older Loki ignores the header).
            let resp = self.client.get_with(
                QUERY_RANGE,
                &q,
                &[("X-Loki-Response-Encoding-Flags", "categorize-labels")],
            )?;
            let entries = self.parse_page(&resp)?;
            let count = entries.len();
            let last_ts = entries.last().map(|e| e.timestamp);
            let mut fresh = 0usize;
            let mut next_boundary = HashSet::new();
            let mut page = Vec::new();
            for e in entries {
                let id = (e.timestamp, format!("{:?}", e.labels), e.line.clone());
                if boundary.contains(&id) {
                    continue;
                }
                fresh += 1;
                if Some(e.timestamp) == last_ts {
                    next_boundary.insert(id);
                }
                if e.timestamp < window.start || e.timestamp >= window.end {
                    continue;
                }
                page.extend(self.wanted_event(e, wanted));
            }
            // The ledger numbers identical exceptions of one span as they arrive together; lines
            // come in time order across spans, so a page is regrouped by span (stable: time order
            // within a span is kept).
            page.sort_by(|a, b| (&a.trace_id, &a.span_id).cmp(&(&b.trace_id, &b.span_id)));
            for ev in page.drain(..) {
                sink.push(ev)?;
            }
            if count < self.cfg.batch_size {
                return Ok(false);
            }
            let Some(last) = last_ts else {
                return Ok(false);
            };
            if fresh == 0 || last == start && next_boundary.len() >= self.cfg.batch_size {
                // A page's worth of entries share the nanosecond `last`: read that nanosecond
                // alone at Loki's largest page; only when even that is full is it held (the
                // cursor stays there, exit 75) instead of stepping past unread entries.
                boundary.extend(next_boundary);
                if !self.read_nanosecond(query, wanted, last, &boundary, sink, report)? {
                    return Ok(true);
                }
                start = last + 1;
                boundary.clear();
            } else {
                if last != start {
                    boundary.clear();
                }
                boundary.extend(next_boundary);
                start = last;
            }
            if start >= window.end {
                return Ok(false);
            }
        }
    }
}

impl TelemetrySource for LokiSource {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn cursor_scope(&self) -> String {
        cursor_scope(BACKEND, self.client.base_url(), &self.cfg.services)
    }

    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        let services = self.list_services(None)?;
        Ok(SourceCheck {
            backend: BACKEND.into(),
            endpoint: self.client.base_url().to_string(),
            services,
            notes: vec![format!("query: {}", self.query_for(None))],
        })
    }

    fn fetch(
        &mut self,
        window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let mut report = FetchReport::default();
        let mut dedup = DedupSink::new(sink);
        let wanted = sorted_services(&self.cfg.services);
        if wanted.is_empty() || self.cfg.query.is_some() {
            let q = self.query_for(None);
            self.fetch_query(&q, &wanted, window, &mut dedup, &mut report)?;
        } else {
            for_each_service(&wanted, &mut report, |svc, report| {
                let q = self.query_for(Some(svc));
                self.fetch_query(&q, &[], window, &mut dedup, report)
            })?;
        }
        Ok(report)
    }
}
