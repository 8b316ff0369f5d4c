//! The Jaeger telemetry adapter: error traces per service over the v1 query API, or api_v3
//! (OTLP-shaped JSON) where v1 search is gone.
//!
//! Neither API pages, so a window whose answer fills the trace limit is split in halves until
//! the answers fit, down to the API's resolution (a microsecond for v1, a nanosecond for
//! api_v3). A window still full at that width cannot be read whole: the fetch reports it as
//! held, the pass keeps its cursor at the window's start and exits 75, and the next pass
//! continues from there. Nothing is skipped silently.

pub mod map;
pub mod wire;

use super::common::{
    cursor_scope, for_each_service, format_rfc3339_nanos, map_error, otlp_trace_ids,
    otlp_trace_spans, quarantine_rejects, retain_spans, sorted_services, split_window, DedupSink,
};
use super::http::{bad_data, HttpClient, HttpResponse, HttpSettings};
use super::otlp::map::spans_to_events;
use crate::core::ports::telemetry::{
    EventSink, FetchReport, HeldWindow, PollWindow, SourceCheck, TelemetryError, TelemetrySource,
    TraceSpan,
};
use map::{trace_spans, trace_to_events, SpanFilter};
use wire::{V1Envelope, V1Trace, V3ErrorEnvelope, V3Services, V3Traces};

/// Which query API to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JaegerApiVersion {
    /// v1 first; switch to api_v3 when the server says v1 search is gone (404, non-JSON body).
    #[default]
    Auto,
    V1,
    V3,
}

/// Where error spans are selected in v1 searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JaegerErrorFilter {
    /// Ask the server (`tags={"error":"true"}`); if an empty answer hides errors that an
    /// unfiltered search shows, switch to `Client` for the rest of the pass.
    #[default]
    Auto,
    Server,
    /// Read every trace and keep the error spans here. Needed where tag search does not see
    /// the span status (Jaeger v2's memory store before v2.19), and costly on busy services.
    Client,
}

#[derive(Debug, Clone)]
pub struct JaegerConfig {
    pub http: HttpSettings,
    /// Services to poll; empty = every service the backend lists.
    pub services: Vec<String>,
    pub api_version: JaegerApiVersion,
    pub error_filter: JaegerErrorFilter,
    /// Traces per request (`limit`, `query.num_traces`); one more is asked for, so a full
    /// answer is told apart from one that just fits.
    pub batch_size: usize,
}

impl JaegerConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        JaegerConfig {
            http: HttpSettings::new(base_url),
            services: Vec::new(),
            api_version: JaegerApiVersion::Auto,
            error_filter: JaegerErrorFilter::Auto,
            batch_size: 500,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    V1,
    V3,
}

/// One search answer, before mapping.
enum Found {
    V1(Vec<V1Trace>),
    V3(Box<super::otlp::wire::ExportRequest>),
}

impl Found {
    fn trace_count(&self) -> usize {
        match self {
            Found::V1(t) => t.len(),
            Found::V3(doc) => otlp_trace_ids(&doc.resource_spans).len(),
        }
    }
}

pub struct JaegerSource {
    cfg: JaegerConfig,
    client: HttpClient,
    api: Option<Api>,
    /// The filter in force; `Auto` until the server has shown whether its tag search works.
    filter: JaegerErrorFilter,
}

const BACKEND: &str = "jaeger";

/// v1 search bounds are whole microseconds (`start`, `end` in µs, both inclusive).
const V1_RESOLUTION_NANOS: i64 = 1_000;
/// api_v3 bounds are RFC 3339 with nanoseconds.
const V3_RESOLUTION_NANOS: i64 = 1;

impl JaegerSource {
    pub fn new(cfg: JaegerConfig) -> Result<Self, TelemetryError> {
        if cfg.batch_size == 0 {
            return Err(TelemetryError::Config {
                backend: BACKEND.into(),
                reason: "batch size must be at least 1".into(),
            });
        }
        let client = HttpClient::new(BACKEND, cfg.http.clone())?;
        let api = match cfg.api_version {
            JaegerApiVersion::Auto => None,
            JaegerApiVersion::V1 => Some(Api::V1),
            JaegerApiVersion::V3 => Some(Api::V3),
        };
        let filter = cfg.error_filter;
        Ok(JaegerSource {
            cfg,
            client,
            api,
            filter,
        })
    }

    /// A 404 whose body is not JSON means the route does not exist (Jaeger ≥ v2.21 removed v1 search).
    fn route_gone(resp: &HttpResponse) -> bool {
        resp.status == 404 && !resp.is_json()
    }

    fn no_api(&self, resp: &HttpResponse) -> TelemetryError {
        TelemetryError::Config {
            backend: BACKEND.into(),
            reason: format!(
                "no Jaeger query API at {} (HTTP 404); check JAEGER_API_URL",
                resp.endpoint
            ),
        }
    }

    /// The narrowest window the API in use can ask for.
    fn resolution(&self) -> i64 {
        if self.api == Some(Api::V3) {
            V3_RESOLUTION_NANOS
        } else {
            V1_RESOLUTION_NANOS
        }
    }

    fn list_services(&mut self) -> Result<Vec<String>, TelemetryError> {
        if self.api != Some(Api::V3) {
            let resp = self.client.get("/api/services", &[])?;
            if Self::route_gone(&resp) && self.api.is_none() {
                self.api = Some(Api::V3);
            } else if resp.status == 404 {
                return Err(self.no_api(&resp));
            } else {
                let env: V1Envelope<Vec<String>> = resp.json()?;
                check_v1_errors(&resp, &env)?;
                self.api.get_or_insert(Api::V1);
                return Ok(sorted_services(&env.data.unwrap_or_default()));
            }
        }
        let resp = self.client.get("/api/v3/services", &[])?;
        if resp.status == 404 {
            return Err(self.no_api(&resp));
        }
        let s: V3Services = resp.json()?;
        Ok(sorted_services(&s.services))
    }

    fn search(
        &mut self,
        service: &str,
        w: PollWindow,
        server_filter: bool,
    ) -> Result<(Found, String), TelemetryError> {
        if self.api != Some(Api::V3) {
            // Microseconds; rounding outwards is safe because spans are filtered on the exact window.
            let start_us = w.start.div_euclid(1000);
            let end_us = (w.end + 999).div_euclid(1000);
            let mut q = vec![
                ("service", service.to_string()),
                ("start", start_us.to_string()),
                ("end", end_us.to_string()),
                // One more than the batch, so an answer of exactly `batch_size` is known to be complete.
                ("limit", (self.cfg.batch_size + 1).to_string()),
            ];
            if server_filter {
                q.insert(1, ("tags", r#"{"error":"true"}"#.to_string()));
            }
            let resp = self.client.get("/api/traces", &q)?;
            if Self::route_gone(&resp) && self.api.is_none() {
                self.api = Some(Api::V3);
            } else if resp.status == 404 {
                return Err(self.no_api(&resp));
            } else {
                let env: V1Envelope<Vec<V1Trace>> = resp.json()?;
                check_v1_errors(&resp, &env)?;
                self.api.get_or_insert(Api::V1);
                return Ok((Found::V1(env.data.unwrap_or_default()), resp.endpoint));
            }
        }
        let mut q = vec![
            ("query.service_name", service.to_string()),
            ("query.start_time_min", format_rfc3339_nanos(w.start)),
            ("query.start_time_max", format_rfc3339_nanos(w.end)),
            ("query.num_traces", (self.cfg.batch_size + 1).to_string()),
        ];
        if server_filter {
            // Ignored before v2.19 (all traces come back); ClickHouse storage matches it only
            // as a literal `error` attribute (jaeger internal/storage/v2/clickhouse/tracestore/
            // query_builder.go, buildAttributeConditions; the memory store special-cases it in
            // internal/storage/v2/memory/tenant.go), which is why an empty answer is probed
            // unfiltered, and why JAEGER_ERROR_FILTER=client applies here as in v1.
            q.push(("query.attributes", r#"{"error":"true"}"#.to_string()));
        }
        let resp = self.client.get("/api/v3/traces", &q)?;
        if resp.status == 404 {
            // "No traces found" is a JSON 404; anything else means there is no api_v3 here.
            return match serde_json::from_str::<V3ErrorEnvelope>(&resp.body) {
                Ok(_) => Ok((Found::V3(Box::default()), resp.endpoint)),
                Err(_) => Err(self.no_api(&resp)),
            };
        }
        let t: V3Traces = resp.json()?;
        Ok((Found::V3(Box::new(t.result)), resp.endpoint))
    }

    fn fetch_service(
        &mut self,
        service: &str,
        window: PollWindow,
        sink: &mut DedupSink<'_, '_>,
        report: &mut FetchReport,
    ) -> Result<(), TelemetryError> {
        let mut pending = vec![window];
        while let Some(w) = pending.pop() {
            let server_filter = self.filter != JaegerErrorFilter::Client;
            let (mut found, mut endpoint) = self.search(service, w, server_filter)?;
            if self.filter == JaegerErrorFilter::Auto {
                // Trust the server's filter only when its answer holds error spans: Jaeger v2
                // memory storage answers `error=true` with spans whose status was set to OK.
                if count_errors(&found, service, w) > 0 {
                    self.filter = JaegerErrorFilter::Server;
                } else {
                    // An empty filtered answer is either "no errors" or a server whose tag
                    // search cannot see span status: an unfiltered look tells them apart.
                    let (probe, probe_endpoint) = self.search(service, w, false)?;
                    if count_errors(&probe, service, w) > 0 {
                        self.filter = JaegerErrorFilter::Client;
                        report.notes.push(
                            "jaeger: the server's tag search does not find error spans (Jaeger v2 memory storage before v2.19, or ClickHouse storage, which matches error=true only as a literal attribute?); reading every trace and filtering here (set JAEGER_ERROR_FILTER=client to skip this check)"
                        .to_string());
                        found = probe;
                        endpoint = probe_endpoint;
                    } else if probe.trace_count() > self.cfg.batch_size
                        && w.end - w.start > self.resolution()
                    {
                        // A full unfiltered answer without errors proves nothing: look closer.
                        let (a, b) = split_at(w, self.resolution());
                        pending.push(b);
                        pending.push(a);
                        continue;
                    } else if probe.trace_count() > self.cfg.batch_size {
                        report.notes.push(format!(
                            "jaeger: service {service}: could not tell whether the server's tag search sees errors in {} .. {} (unfiltered answer full); set JAEGER_ERROR_FILTER=client if errors are missing",
                            format_rfc3339_nanos(w.start),
                            format_rfc3339_nanos(w.end)
                        ));
                    }
                }
            }
            let full = found.trace_count() > self.cfg.batch_size;
            if full && w.end - w.start > self.resolution() {
                let (a, b) = split_at(w, self.resolution());
                // Later half pushed first so the earlier half is fetched first.
                pending.push(b);
                pending.push(a);
                continue;
            }
            if full {
                // Even one resolution step holds more traces than a search returns: this
                // window cannot be read whole. Stop this service here (windows are read in
                // time order, so everything before it was read) and hold the cursor.
                let reason = format!(
                    "more than {} traces in one {} step, the finest this API can ask for (raise POLL_BATCH_SIZE)",
                    self.cfg.batch_size,
                    if self.api == Some(Api::V3) { "nanosecond" } else { "microsecond" }
                );
                let earlier = report
                    .held
                    .as_ref()
                    .is_none_or(|h| w.start < h.window.start);
                if earlier {
                    report.held = Some(HeldWindow {
                        service: service.to_string(),
                        window: w,
                        reason,
                    });
                }
                return Ok(());
            }
            let mut push = |ev| sink.push(ev).map_err(|e| e.to_string());
            match found {
                Found::V1(traces) => {
                    for t in &traces {
                        trace_to_events(
                            t,
                            SpanFilter {
                                service: Some(service),
                                window: Some(w),
                            },
                            &mut push,
                        )
                        .map_err(|e| map_error(&endpoint, e))?;
                    }
                }
                Found::V3(mut doc) => {
                    retain_spans(
                        &mut doc.resource_spans,
                        Some(&[service.to_string()]),
                        Some(w),
                    );
                    let rejects = spans_to_events(&doc.resource_spans, &mut push)
                        .map_err(|e| map_error(&endpoint, e))?;
                    quarantine_rejects(report, &endpoint, rejects);
                }
            }
        }
        Ok(())
    }
}

/// Halves of `w` split on a multiple of `step` (the API's resolution), so narrow windows are
/// whole steps the server can be asked for exactly; `w` must be wider than `step`.
fn split_at(w: PollWindow, step: i64) -> (PollWindow, PollWindow) {
    let (a, b) = split_window(w);
    let aligned = a.end - a.end.rem_euclid(step);
    let mid = if aligned > w.start { aligned } else { a.end };
    let _ = b;
    (
        PollWindow {
            start: w.start,
            end: mid,
        },
        PollWindow {
            start: mid,
            end: w.end,
        },
    )
}

/// Error events in an answer for one service and window (to judge the server's tag filter).
fn count_errors(found: &Found, service: &str, w: PollWindow) -> usize {
    let mut n = 0usize;
    let mut count = |_| {
        n += 1;
        Ok(())
    };
    match found {
        Found::V1(traces) => {
            for t in traces {
                let _ = trace_to_events(
                    t,
                    SpanFilter {
                        service: Some(service),
                        window: Some(w),
                    },
                    &mut count,
                );
            }
        }
        Found::V3(doc) => {
            let mut spans = doc.resource_spans.clone();
            retain_spans(&mut spans, Some(&[service.to_string()]), Some(w));
            let _ = spans_to_events(&spans, &mut count);
        }
    }
    n
}

fn check_v1_errors<T>(resp: &HttpResponse, env: &V1Envelope<T>) -> Result<(), TelemetryError> {
    match env.errors.as_deref() {
        Some([first, ..]) if env.data.is_none() => Err(bad_data(
            &resp.endpoint,
            &format!(
                "server error {}: {}",
                first.code.unwrap_or(0),
                first.msg.as_deref().unwrap_or("")
            ),
            &resp.body,
        )),
        _ => Ok(()),
    }
}

impl TelemetrySource for JaegerSource {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn cursor_scope(&self) -> String {
        cursor_scope(BACKEND, self.client.base_url(), &self.cfg.services)
    }

    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        let services = self.list_services()?;
        let mut notes = vec![format!(
            "query API: {}",
            if self.api == Some(Api::V3) {
                "api_v3"
            } else {
                "v1"
            }
        )];
        let wanted = sorted_services(&self.cfg.services);
        for s in wanted.iter().filter(|s| !services.contains(s)) {
            notes.push(format!(
                "configured service {s} is not known to the backend"
            ));
        }
        Ok(SourceCheck {
            backend: BACKEND.into(),
            endpoint: self.client.base_url().to_string(),
            services,
            notes,
        })
    }

    fn fetch(
        &mut self,
        window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let mut report = FetchReport::default();
        let services = match sorted_services(&self.cfg.services) {
            s if s.is_empty() => self.list_services()?,
            s => s,
        };
        let mut dedup = DedupSink::new(sink);
        for_each_service(&services, &mut report, |svc, report| {
            self.fetch_service(svc, window, &mut dedup, report)
        })?;
        Ok(report)
    }

    fn fetch_trace(&mut self, trace_id: &str) -> Result<Option<Vec<TraceSpan>>, TelemetryError> {
        let id = super::common::trace_id(trace_id)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| TelemetryError::NotFound {
                path: trace_id.to_string(),
                detail: "not a trace id".into(),
            })?;
        if self.api != Some(Api::V3) {
            let resp = self.client.get(&format!("/api/traces/{id}"), &[])?;
            if resp.status != 404 {
                let env: V1Envelope<Vec<V1Trace>> = resp.json()?;
                return Ok(Some(
                    env.data
                        .unwrap_or_default()
                        .iter()
                        .flat_map(trace_spans)
                        .collect(),
                ));
            }
            if resp.is_json() || self.api == Some(Api::V1) {
                return Ok(Some(Vec::new()));
            }
        }
        let resp = self.client.get(&format!("/api/v3/traces/{id}"), &[])?;
        if resp.status == 404 {
            return Ok(Some(Vec::new()));
        }
        let t: V3Traces = resp.json()?;
        Ok(Some(otlp_trace_spans(&t.result.resource_spans)))
    }
}
