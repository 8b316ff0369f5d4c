//! Loki log entries → error events.
//!
//! Loki's OTLP ingest keeps log attributes as structured metadata with Prometheus-style names
//! (`exception.type` → `exception_type`), and `service.name` as the `service_name` label. The
//! exception fields are copied verbatim so a log record and the span event it duplicates
//! (`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs/dup`) carry identical trace/span ids, type,
//! message and stack trace.

use super::wire::EntryLabels;
use crate::adapters::telemetry::common::{span_id, trace_id};
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
    ev.message = field(EXC_MESSAGE).or_else(|| Some(entry.line.clone()).filter(|b| !b.is_empty()));
    ev.stacktrace = field(EXC_STACK);
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
