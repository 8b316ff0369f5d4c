//! `TELEMETRY_BACKEND=grafana_stack`: Tempo (error spans) and Loki (error logs) read as one source.
//!
//! With `OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs/dup` one exception reaches both; the two
//! events carry the same trace id, span id, type, message and stack trace (both mappings copy the
//! `exception.*` attributes verbatim), so the ledger counts the exception once across passes.
//! Within one pass the log copy is dropped here: the ledger numbers identical exceptions of a
//! span that arrive back to back (a retry loop), and Tempo's last span event followed by Loki's
//! first log line can be exactly such a pair.

use super::TempoSource;
use crate::adapters::telemetry::common::{sorted_services, DedupSink};
use crate::adapters::telemetry::loki::LokiSource;
use crate::core::model::{ErrorEvent, EventOrigin};
use crate::core::ports::telemetry::{
    EventSink, FetchReport, PollWindow, SourceCheck, TelemetryError, TelemetrySource, TraceSpan,
};
use std::collections::HashMap;

pub struct GrafanaStackSource {
    tempo: TempoSource,
    loki: LokiSource,
    services: Vec<String>,
}

const BACKEND: &str = "grafana_stack";

impl GrafanaStackSource {
    /// Both sources should be configured with the same service set.
    pub fn new(tempo: TempoSource, loki: LokiSource) -> Self {
        let services = sorted_services(tempo.services());
        GrafanaStackSource {
            tempo,
            loki,
            services,
        }
    }
}

fn stops_everything(e: &TelemetryError) -> bool {
    matches!(
        e,
        TelemetryError::Auth { .. } | TelemetryError::Config { .. } | TelemetryError::Sink(_)
    )
}

impl TelemetrySource for GrafanaStackSource {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn cursor_scope(&self) -> String {
        let set = if self.services.is_empty() {
            "*".to_string()
        } else {
            self.services.join(",")
        };
        format!(
            "{BACKEND}|{}+{}|{set}",
            self.tempo.base_url(),
            self.loki.base_url()
        )
    }

    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        let t = self.tempo.check()?;
        let l = self.loki.check()?;
        let mut services = t.services.clone();
        services.extend(l.services.iter().cloned());
        let mut notes: Vec<String> = t.notes.iter().map(|n| format!("tempo: {n}")).collect();
        notes.extend(l.notes.iter().map(|n| format!("loki: {n}")));
        notes.push(format!(
            "tempo services: {}, loki services: {}",
            t.services.len(),
            l.services.len()
        ));
        Ok(SourceCheck {
            backend: BACKEND.into(),
            endpoint: format!("{} + {}", t.endpoint, l.endpoint),
            services: sorted_services(&services),
            notes,
        })
    }

    fn fetch(
        &mut self,
        window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let mut report = FetchReport::default();
        // Exceptions Tempo reported as span events, counted, so Loki's copies can be matched off.
        let mut from_spans: HashMap<ContentKey, u32> = HashMap::new();
        let mut tracking = |ev: ErrorEvent| -> Result<(), String> {
            if ev.origin == EventOrigin::SpanEvent && !ev.trace_id.is_empty() {
                *from_spans.entry(content_key(&ev)).or_default() += 1;
            }
            sink(ev)
        };
        // A backend that fails for a reason of its own (down, slow, bad answer) does not cost the
        // other one its events; credentials, configuration and the store stop the pass.
        let tempo = {
            let mut dedup = DedupSink::new(&mut tracking);
            self.tempo.fetch_into(window, &mut dedup, &mut report)
        };
        if let Err(e) = &tempo {
            if stops_everything(e) {
                return tempo.map(|_| report);
            }
        }
        let mut copies = 0u64;
        let loki = self.loki.fetch(window, &mut |ev: ErrorEvent| {
            if ev.origin == EventOrigin::LogRecord && !ev.trace_id.is_empty() {
                if let Some(n) = from_spans.get_mut(&content_key(&ev)).filter(|n| **n > 0) {
                    *n -= 1;
                    copies += 1;
                    return Ok(());
                }
            }
            sink(ev)
        });
        let loki_report = match (tempo, loki) {
            (Err(te), Err(le)) => {
                return Err(if le.severity() > te.severity() {
                    le
                } else {
                    te
                })
            }
            (Ok(()), Err(le)) if stops_everything(&le) => return Err(le),
            (Ok(()), Err(le)) => {
                report.partial_failures.push(("loki".into(), le));
                FetchReport::default()
            }
            (Err(te), Ok(lr)) => {
                report.partial_failures.push(("tempo".into(), te));
                lr
            }
            (Ok(()), Ok(lr)) => lr,
        };
        if copies > 0 {
            report.notes.push(format!(
                "grafana_stack: {copies} exception log record(s) repeated span events and were counted once"
            ));
        }
        report.notes.extend(loki_report.notes);
        report.partial_failures.extend(loki_report.partial_failures);
        Ok(report)
    }

    fn fetch_trace(&mut self, trace_id: &str) -> Result<Option<Vec<TraceSpan>>, TelemetryError> {
        self.tempo.fetch_trace(trace_id)
    }
}

/// What makes a log record the copy of a span event: trace context and exception content.
type ContentKey = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn content_key(ev: &ErrorEvent) -> ContentKey {
    (
        ev.trace_id.clone(),
        ev.span_id.clone(),
        ev.exception_type.clone(),
        ev.message.clone(),
        ev.stacktrace.clone(),
    )
}
