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
//! without a stack in its metadata therefore has it parsed from the body: its first line is the
//! message when the rest is the trace, otherwise the whole body is the trace.

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

/// Where a stack trace in a log body starts: `(the text before it, the trace)`, or `None` when
/// the body holds no frames. The transform appends the trace after the body's text, which is
/// one line for a log message: the first line is taken as that message when the rest holds the
/// same frames without it and the line does not read as an exception header
/// (`java.lang.IllegalStateException: boom`, `TypeError: x`). Otherwise the whole body is the
/// trace (a runtime's own trace logged as the body).
fn stack_in_body(body: &str) -> Option<(&str, &str)> {
    let (first, rest) = body.split_once('\n')?;
    if rest.trim().is_empty() {
        return None;
    }
    let whole = stack::parse(body).filter(|p| p.frame_count() > 0)?;
    if opens_trace(first) {
        return Some(("", body));
    }
    let split = match stack::parse(rest) {
        // A line that reads as an exception header stays with the trace: kept there it costs
        // nothing (the message falls back to it), taken away the trace loses its head.
        Some(r) if frames(&r) == frames(&whole) => !reads_as_header(first),
        _ => false,
    };
    Some(if split {
        (first.trim_end(), rest)
    } else {
        ("", body)
    })
}

fn frames(p: &stack::ParsedStack) -> Vec<&crate::core::model::Frame> {
    p.exceptions.iter().flat_map(|e| e.frames.iter()).collect()
}

/// `java.lang.IllegalStateException: boom`, `TypeError: x is null`, `ValueError`: a type name
/// (no spaces; an `…Error`/`…Exception`/`…Throwable` name, or a dotted name whose last part is
/// capitalised) alone or before a colon. `error: checkout failed` is a log message.
fn reads_as_header(line: &str) -> bool {
    let head = line.trim().split(':').next().unwrap_or("").trim_end();
    if head.is_empty() || head.contains(char::is_whitespace) {
        return false;
    }
    let last = head.rsplit('.').next().unwrap_or(head);
    ["Error", "Exception", "Throwable"]
        .iter()
        .any(|s| last.ends_with(s))
        || (head.contains('.') && last.starts_with(|c: char| c.is_ascii_uppercase()))
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
        let body = format!("request failed\n{java}");
        assert_eq!(stack_in_body(&body), Some(("request failed", java)));
        // A log message with a colon is not an exception header.
        let body = format!("error: checkout failed\n{java}");
        assert_eq!(stack_in_body(&body), Some(("error: checkout failed", java)));
        // A body that is only a trace keeps its header line.
        assert_eq!(stack_in_body(java), Some(("", java)));
        assert_eq!(stack_in_body(py), Some(("", py)));
        assert_eq!(stack_in_body("no stack\nhere at all"), None);
        assert_eq!(stack_in_body("one line"), None);
    }

    /// Every real trace of the stack-parser corpus that parses with frames, appended to a
    /// one-line body as the Collector transform does, comes back out whole.
    #[test]
    fn real_traces_of_every_runtime_come_back_out_of_the_body() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stacktraces");
        let (mut tried, mut failed) = (0, Vec::new());
        for dir in std::fs::read_dir(root).unwrap().flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            for f in files.flatten() {
                let Ok(trace) = std::fs::read_to_string(f.path()) else {
                    continue;
                };
                if stack::parse(&trace).is_none_or(|p| p.frame_count() == 0) {
                    continue;
                }
                tried += 1;
                let body = format!("request failed\n{trace}");
                // A trace logged as the body on its own keeps its header line.
                let first = trace.lines().next().unwrap_or("");
                if (reads_as_header(first) || opens_trace(first))
                    && stack_in_body(&trace) != Some(("", trace.as_str()))
                {
                    failed.push(format!("header {}", f.path().display()));
                }
                let got = stack_in_body(&body);
                if got != Some(("request failed", trace.as_str())) {
                    let kind = match got {
                        Some(("", _)) => "kept",
                        Some(_) => "over",
                        None => "none",
                    };
                    failed.push(format!("{kind} {}", f.path().display()));
                }
            }
        }
        assert!(tried > 50, "{tried}");
        assert!(
            failed.is_empty(),
            "{} of {tried}: {failed:#?}",
            failed.len()
        );
    }
}
