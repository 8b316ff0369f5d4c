//! Loki log entries → error events.
//!
//! Loki's OTLP ingest keeps log attributes as structured metadata with Prometheus-style names
//! (`exception.type` → `exception_type`), and `service.name` as the `service_name` label. The
//! exception fields are copied verbatim so a log record and the span event it duplicates
//! (`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs/dup`) carry identical trace/span ids, type,
//! message and stack trace.
//!
//! Loki rejects a line whose structured metadata exceeds `max_structured_metadata_size` (64 KB by
//! default), and its docs advise moving the stack trace into the body with the Collector's
//! transform processor: `set(body, Concat([body, attributes["exception.stacktrace"]], "\n"))`
//! then `delete_key(attributes, "exception.stacktrace")` (grafana/loki
//! docs/sources/send-data/otel/_index.md, "Move the stack trace into the log body"). An entry
//! without a stack in its metadata therefore has it parsed from the body: the stack is the body
//! from the line where the trace starts, the lines before it are the message.

use super::wire::EntryLabels;
use crate::adapters::telemetry::common::{span_id, trace_id};
use crate::core::fingerprint::stack;
use crate::core::model::{ErrorEvent, EventOrigin};
use std::collections::BTreeMap;

/// One log line with every label that applies to it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub timestamp: i64,
    pub line: String,
    pub labels: BTreeMap<String, String>,
}

impl Entry {
    /// Parses `["<ns>", "<line>", {…}?]` under `stream` labels.
    pub fn parse(
        stream: &BTreeMap<String, String>,
        raw: &[serde_json::Value],
    ) -> Result<Entry, String> {
        let ts = raw
            .first()
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| "entry without a nanosecond timestamp string".to_string())?;
        let line = raw
            .get(1)
            .and_then(|v| v.as_str())
            .ok_or_else(|| "entry without a log line".to_string())?;
        let mut labels = stream.clone();
        if let Some(extra) = raw.get(2) {
            let extra: EntryLabels = serde_json::from_value(extra.clone())
                .map_err(|e| format!("entry labels not understood: {e}"))?;
            labels.extend(extra.structured_metadata);
            labels.extend(extra.parsed);
        }
        Ok(Entry {
            timestamp: ts,
            line: line.to_string(),
            labels,
        })
    }
}

const EXC_TYPE: &str = "exception_type";
const EXC_MESSAGE: &str = "exception_message";
const EXC_STACK: &str = "exception_stacktrace";
/// Labels that become event fields rather than attributes.
const CONSUMED: [&str; 5] = [EXC_TYPE, EXC_MESSAGE, EXC_STACK, "trace_id", "span_id"];

fn severity_is_error(labels: &BTreeMap<String, String>) -> Option<bool> {
    if let Some(n) = labels
        .get("severity_number")
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n >= 17);
    }
    ["severity_text", "detected_level", "level"]
        .iter()
        .find_map(|k| labels.get(*k))
        .map(|t| {
            matches!(
                t.trim().to_ascii_uppercase().as_str(),
                "ERROR"
                    | "ERR"
                    | "FATAL"
                    | "CRITICAL"
                    | "CRIT"
                    | "ALERT"
                    | "EMERGENCY"
                    | "EMERG"
                    | "SEVERE"
                    | "PANIC"
            )
        })
}

/// The error event of an entry, or `None` when the entry is not an error (it carries a severity
/// below ERROR and no exception fields). Entries without any severity are trusted to the selector.
pub fn entry_to_event(entry: Entry, service_label: &str) -> Option<ErrorEvent> {
    let l = &entry.labels;
    let has_exception = [EXC_TYPE, EXC_MESSAGE, EXC_STACK]
        .iter()
        .any(|k| l.get(*k).is_some_and(|v| !v.is_empty()));
    if !has_exception && severity_is_error(l) == Some(false) {
        return None;
    }
    let service = l
        .get(service_label)
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "unknown_service".into());
    let mut ev = ErrorEvent::new(service, entry.timestamp, EventOrigin::LogRecord);
    ev.trace_id = l
        .get("trace_id")
        .and_then(|t| trace_id(t))
        .unwrap_or_default();
    ev.span_id = if ev.trace_id.is_empty() {
        String::new()
    } else {
        l.get("span_id")
            .and_then(|s| span_id(s))
            .unwrap_or_default()
    };
    let field = |k: &str| l.get(k).filter(|v| !v.is_empty()).cloned();
    ev.exception_type = field(EXC_TYPE);
    ev.stacktrace = field(EXC_STACK);
    let mut body_message = Some(entry.line.as_str()).filter(|b| !b.is_empty());
    if ev.stacktrace.is_none() {
        if let Some((before, trace)) = stack_in_body(&entry.line) {
            ev.stacktrace = Some(trace.to_string());
            body_message = Some(before)
                .filter(|b| !b.is_empty())
                .or_else(|| trace.lines().next());
        }
    }
    ev.message = field(EXC_MESSAGE).or_else(|| body_message.map(str::to_string));
    ev.service_version = field("service_version");
    ev.environment =
        field("deployment_environment").or_else(|| field("deployment_environment_name"));
    for (k, v) in l.iter().filter(|(k, _)| !CONSUMED.contains(&k.as_str())) {
        ev.attributes.insert(k.clone(), v.clone());
    }
    if let Some(text) = l.get("severity_text") {
        ev.attributes.insert("log.severity".into(), text.clone());
    }
    Some(ev)
}

/// Most leading lines of a body that can stand before an appended stack trace: each costs one
/// more parse of the body, so the work per entry stays a small multiple of its size.
const MAX_LINES_BEFORE_STACK: usize = 4;

/// Where a stack trace in a log body starts: `(the text before it, the trace)`, or `None` when
/// the body holds no frames. A leading line is left out of the trace only when the rest parses
/// to the very same stack without it, and never a line that opens a trace.
fn stack_in_body(body: &str) -> Option<(&str, &str)> {
    if !body.trim_end().contains('\n') {
        return None;
    }
    let whole = stack::parse(body).filter(|p| p.frame_count() > 0)?;
    let mut start = 0;
    for _ in 0..MAX_LINES_BEFORE_STACK {
        let Some(nl) = body[start..].find('\n') else {
            break;
        };
        let first = &body[start..start + nl];
        if opens_trace(first) {
            break;
        }
        let next = start + nl + 1;
        if stack::parse(&body[next..]).as_ref() != Some(&whole) {
            break;
        }
        start = next;
    }
    Some((body[..start].trim_end(), &body[start..]))
}

/// Header lines that belong to the trace even when a parser would find the frames without
/// them (Python's traceback banner, Go's panic and goroutine lines, Rust's panic line).
fn opens_trace(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("Traceback (most recent call last)")
        || t.starts_with("panic: ")
        || t.starts_with("goroutine ")
        || (t.starts_with("thread '") && t.contains("panicked at"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_appended_to_the_body_is_split_from_the_message() {
        let py = "Traceback (most recent call last):\n  File \"/app/orders.py\", line 42, in get_order\n    ratio = total / count\nZeroDivisionError: division by zero\n";
        let body = format!("order 42 failed\n{py}");
        assert_eq!(stack_in_body(&body), Some(("order 42 failed", py)));
        let java = "java.lang.IllegalStateException: boom\n\tat com.acme.Orders.get(Orders.java:42)\n\tat com.acme.Api.handle(Api.java:7)";
        let body = format!("request failed\nsecond line\n{java}");
        assert_eq!(
            stack_in_body(&body),
            Some(("request failed\nsecond line", java))
        );
        // A body that is only a trace keeps its header line.
        assert_eq!(stack_in_body(java), Some(("", java)));
        assert_eq!(stack_in_body(py), Some(("", py)));
        assert_eq!(stack_in_body("no stack\nhere at all"), None);
        assert_eq!(stack_in_body("one line"), None);
    }
}
