//! Jaeger v1 UI JSON → error events (api_v3 goes through the shared OTLP mapping instead).
//!
//! OTel's Jaeger translation turns status ERROR into tags `error=true` / `otel.status_code=ERROR`
//! (message in `otel.status_description`) and every span event into a log whose first field is
//! `event=<name>`. Old Jaeger-client apps log `event=error` with `error.object`/`message`/`stack`.
//! Field values mirror the OTLP mapping so the same span read through api_v3 or Tempo yields the
//! same event.

use super::wire::{V1KeyValue, V1Process, V1Span, V1Trace};
use crate::adapters::telemetry::common::{scalar_string, span_id, trace_id};
use crate::adapters::telemetry::otlp::map::MapError;
use crate::core::model::{ErrorEvent, EventOrigin};
use crate::core::ports::telemetry::{PollWindow, TraceSpan};
use std::collections::BTreeMap;

/// Tags the OTel→Jaeger translation invents from span fields; the OTLP mapping has no such
/// attributes, so they are left out to keep both paths identical.
const SYNTHETIC_TAGS: [&str; 7] = [
    "error",
    "otel.status_code",
    "otel.status_description",
    "span.kind",
    "otel.scope.name",
    "otel.scope.version",
    "internal.span.format",
];

/// Which spans of a returned trace belong to this fetch.
#[derive(Debug, Clone, Copy)]
pub struct SpanFilter<'a> {
    /// Only spans of this service (a trace searched for service A also holds B's spans, which
    /// B's own search reports).
    pub service: Option<&'a str>,
    /// Only spans that start inside the window, so adjacent or split windows never both claim one.
    pub window: Option<PollWindow>,
}

fn tag<'a>(tags: &'a [V1KeyValue], key: &str) -> Option<&'a V1KeyValue> {
    tags.iter().find(|t| t.key == key)
}

fn tag_str(tags: &[V1KeyValue], key: &str) -> Option<String> {
    tag(tags, key).map(|t| scalar_string(&t.value))
}

fn is_error_span(span: &V1Span) -> bool {
    let error_tag = tag(&span.tags, "error").is_some_and(|t| match &t.value {
        serde_json::Value::Bool(b) => *b,
        v => scalar_string(v).eq_ignore_ascii_case("true"),
    });
    error_tag
        || tag_str(&span.tags, "otel.status_code").is_some_and(|s| s.eq_ignore_ascii_case("ERROR"))
}

/// The exception carried by a span log, if the log records one.
fn log_exception(
    fields: &[V1KeyValue],
) -> Option<(Option<String>, Option<String>, Option<String>)> {
    let event = tag_str(fields, "event").unwrap_or_default();
    if event == "exception"
        || tag(fields, "exception.type").is_some()
        || tag(fields, "exception.message").is_some()
    {
        return Some((
            tag_str(fields, "exception.type"),
            tag_str(fields, "exception.message"),
            tag_str(fields, "exception.stacktrace"),
        ));
    }
    if event == "error" {
        // OpenTracing conventions (jaeger-client): error.kind / error.object, message, stack.
        return Some((
            tag_str(fields, "error.kind").or_else(|| tag_str(fields, "error.object")),
            tag_str(fields, "message").or_else(|| tag_str(fields, "error.object")),
            tag_str(fields, "stack"),
        ));
    }
    None
}

const EXCEPTION_FIELDS: [&str; 9] = [
    "event",
    "exception.type",
    "exception.message",
    "exception.stacktrace",
    "error.kind",
    "error.object",
    "message",
    "stack",
    "level",
];

fn process_of<'a>(trace: &'a V1Trace, span: &'a V1Span) -> Option<&'a V1Process> {
    span.process
        .as_ref()
        .or_else(|| trace.processes.get(&span.process_id))
}

/// Emits the error events of `trace` that pass `filter`. Returns the number of error spans seen.
pub fn trace_to_events(
    trace: &V1Trace,
    filter: SpanFilter<'_>,
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<usize, MapError> {
    let mut seen = 0;
    for span in &trace.spans {
        let process = process_of(trace, span);
        let service = process
            .map(|p| p.service_name.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("unknown_service");
        if filter.service.is_some_and(|s| s != service) {
            continue;
        }
        let start = span.start_time.unwrap_or(0).saturating_mul(1000);
        if let Some(w) = filter.window {
            if start < w.start || start >= w.end {
                continue;
            }
        }
        let exceptions: Vec<_> = span
            .logs
            .iter()
            .filter_map(|l| log_exception(&l.fields).map(|e| (l, e)))
            .collect();
        let is_error = is_error_span(span);
        if exceptions.is_empty() && !is_error {
            continue;
        }
        seen += 1;
        let raw_trace = if span.trace_id.is_empty() {
            &trace.trace_id
        } else {
            &span.trace_id
        };
        let tid = trace_id(raw_trace)
            .ok_or_else(|| MapError::BadData(format!("trace id {raw_trace:?} is not hex")))?;
        let sid = span_id(&span.span_id)
            .ok_or_else(|| MapError::BadData(format!("span id {:?} is not hex", span.span_id)))?;
        let end = start.saturating_add(span.duration.unwrap_or(0).saturating_mul(1000));
        let make = |ts: i64, origin: EventOrigin| {
            let mut ev = ErrorEvent::new(service, ts, origin);
            ev.trace_id = tid.clone();
            ev.span_id = sid.clone();
            ev.span_name = Some(span.operation_name.clone()).filter(|n| !n.is_empty());
            ev.span_kind = tag_str(&span.tags, "span.kind")
                .map(|k| k.to_ascii_lowercase())
                .filter(|k| k != "unspecified");
            let mut attrs = BTreeMap::new();
            for t in process.map(|p| p.tags.as_slice()).unwrap_or_default() {
                attrs.insert(t.key.clone(), scalar_string(&t.value));
            }
            attrs.insert("service.name".to_string(), service.to_string());
            ev.service_version = attrs.get("service.version").cloned();
            ev.environment = attrs
                .get("deployment.environment")
                .or_else(|| attrs.get("deployment.environment.name"))
                .cloned();
            for t in span
                .tags
                .iter()
                .filter(|t| !SYNTHETIC_TAGS.contains(&t.key.as_str()))
            {
                attrs.insert(t.key.clone(), scalar_string(&t.value));
            }
            ev.attributes = attrs;
            ev
        };
        if exceptions.is_empty() {
            let mut ev = make(end, EventOrigin::SpanStatus);
            ev.message = tag_str(&span.tags, "otel.status_description").filter(|m| !m.is_empty());
            sink(ev).map_err(MapError::Sink)?;
            continue;
        }
        for (log, (ty, msg, stack)) in exceptions {
            let ts = log
                .timestamp
                .filter(|t| *t > 0)
                .map(|t| t.saturating_mul(1000))
                .unwrap_or(end);
            let mut ev = make(ts, EventOrigin::SpanEvent);
            ev.exception_type = ty;
            ev.message = msg;
            ev.stacktrace = stack;
            for f in log
                .fields
                .iter()
                .filter(|f| !EXCEPTION_FIELDS.contains(&f.key.as_str()))
            {
                ev.attributes.insert(f.key.clone(), scalar_string(&f.value));
            }
            sink(ev).map_err(MapError::Sink)?;
        }
    }
    Ok(seen)
}

/// Spans of a v1 trace for diagnosis context.
pub fn trace_spans(trace: &V1Trace) -> Vec<TraceSpan> {
    trace
        .spans
        .iter()
        .map(|s| TraceSpan {
            span_id: span_id(&s.span_id).unwrap_or_default(),
            parent_span_id: s
                .references
                .iter()
                .find(|r| r.ref_type == "CHILD_OF" || r.ref_type == "FOLLOWS_FROM")
                .and_then(|r| span_id(&r.span_id))
                .filter(|p| !p.is_empty()),
            service: process_of(trace, s)
                .map(|p| p.service_name.clone())
                .unwrap_or_default(),
            name: s.operation_name.clone(),
            start: s.start_time.unwrap_or(0).saturating_mul(1000),
            duration_nanos: s.duration.unwrap_or(0).saturating_mul(1000),
            error: is_error_span(s),
            status_message: tag_str(&s.tags, "otel.status_description"),
        })
        .collect()
}
