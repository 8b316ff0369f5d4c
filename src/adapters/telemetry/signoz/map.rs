//! SigNoz raw trace rows → error events.

use super::wire::{RawRow, SpanEvent};
use crate::adapters::telemetry::common::{parse_rfc3339_nanos, scalar_string, span_id, trace_id};
use crate::core::model::{ErrorEvent, EventOrigin};
use crate::core::ports::telemetry::TraceSpan;

/// Row keys that become event fields rather than attributes.
const CONSUMED: [&str; 16] = [
    "timestamp",
    "trace_id",
    "span_id",
    "name",
    "kind",
    "kind_string",
    "events",
    "status_message",
    "status_code",
    "status_code_string",
    "has_error",
    "service.name",
    "service.version",
    "deployment.environment",
    "deployment.environment.name",
    "duration_nano",
];

/// The row's start time in nanoseconds (RFC 3339 string, or a number in ns/µs/ms/s).
pub fn row_timestamp(row: &RawRow) -> Option<i64> {
    let v = if row.timestamp.is_null() {
        row.data.get("timestamp")?
    } else {
        &row.timestamp
    };
    match v {
        serde_json::Value::String(s) => {
            parse_rfc3339_nanos(s).or_else(|| s.parse::<i64>().ok().map(scale_epoch))
        }
        serde_json::Value::Number(n) => n.as_i64().map(scale_epoch),
        _ => None,
    }
}

/// Guesses the unit of a bare epoch number from its magnitude (seconds up to nanoseconds).
fn scale_epoch(n: i64) -> i64 {
    match n.unsigned_abs() {
        0..=99_999_999_999 => n.saturating_mul(1_000_000_000),
        100_000_000_000..=99_999_999_999_999 => n.saturating_mul(1_000_000),
        100_000_000_000_000..=99_999_999_999_999_999 => n.saturating_mul(1_000),
        _ => n,
    }
}

fn parse_events(v: Option<&serde_json::Value>) -> Result<Vec<SpanEvent>, String> {
    let items: Vec<serde_json::Value> = match v {
        None | Some(serde_json::Value::Null) => return Ok(Vec::new()),
        Some(serde_json::Value::Array(a)) => a.clone(),
        // Some versions hand the whole column over as one JSON string.
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => return Ok(Vec::new()),
        Some(serde_json::Value::String(s)) => match serde_json::from_str(s) {
            Ok(serde_json::Value::Array(a)) => a,
            Ok(other) => vec![other],
            Err(e) => return Err(format!("events column is not JSON: {e}")),
        },
        Some(other) => {
            return Err(format!(
                "events column is neither a list nor a string: {}",
                other
            ))
        }
    };
    items
        .into_iter()
        .map(|item| {
            let item = match item {
                serde_json::Value::String(s) => {
                    serde_json::from_str(&s).map_err(|e| format!("event is not JSON: {e}"))?
                }
                other => other,
            };
            serde_json::from_value::<SpanEvent>(item)
                .map_err(|e| format!("event not understood: {e}"))
        })
        .collect()
}

fn text(row: &RawRow, key: &str) -> Option<String> {
    row.data
        .get(key)
        .map(scalar_string)
        .filter(|s| !s.is_empty())
}

fn kind_name(row: &RawRow) -> Option<String> {
    if let Some(k) = text(row, "kind_string") {
        let k = k.to_ascii_lowercase();
        return Some(k.strip_prefix("span_kind_").unwrap_or(&k).to_string())
            .filter(|k| k != "unspecified");
    }
    let n = row.data.get("kind")?.as_i64()?;
    ["internal", "server", "client", "producer", "consumer"]
        .get(usize::try_from(n - 1).ok()?)
        .map(|s| s.to_string())
}

/// The error events of one row: one per `exception` event, or one for the error status.
pub fn row_to_events(row: &RawRow) -> Result<Vec<ErrorEvent>, String> {
    let start = row_timestamp(row).ok_or_else(|| "row without a readable timestamp".to_string())?;
    let end = start.saturating_add(
        row.data
            .get("duration_nano")
            .and_then(|d| d.as_i64())
            .unwrap_or(0),
    );
    let service = text(row, "service.name")
        .or_else(|| text(row, "serviceName"))
        .or_else(|| text(row, "resource.service.name"))
        .unwrap_or_else(|| "unknown_service".into());
    let events = parse_events(row.data.get("events"))?;
    let is_error = row
        .data
        .get("has_error")
        .is_some_and(|v| v.as_bool() == Some(true) || scalar_string(v) == "true")
        || row.data.get("status_code").and_then(|v| v.as_i64()) == Some(2)
        || text(row, "status_code_string").is_some_and(|s| s.eq_ignore_ascii_case("error"));
    if !is_error && !events.iter().any(|e| e.name == "exception") {
        return Ok(Vec::new());
    }
    // Ids are checked only for rows that produce events, so a stray row elsewhere cannot fail a pass.
    let raw_trace = text(row, "trace_id").unwrap_or_default();
    let tid = trace_id(&raw_trace).ok_or_else(|| format!("trace id {raw_trace:?} is not hex"))?;
    let raw_span = text(row, "span_id").unwrap_or_default();
    let sid = span_id(&raw_span).ok_or_else(|| format!("span id {raw_span:?} is not hex"))?;
    let base = |ts: i64, origin: EventOrigin| {
        let mut ev = ErrorEvent::new(service.clone(), ts, origin);
        ev.trace_id = tid.clone();
        ev.span_id = sid.clone();
        ev.span_name = text(row, "name");
        ev.span_kind = kind_name(row);
        ev.service_version = text(row, "service.version");
        ev.environment = text(row, "deployment.environment")
            .or_else(|| text(row, "deployment.environment.name"));
        ev.attributes.insert("service.name".into(), service.clone());
        for (k, v) in row
            .data
            .iter()
            .filter(|(k, _)| !CONSUMED.contains(&k.as_str()))
        {
            if !v.is_null() {
                ev.attributes.insert(k.clone(), scalar_string(v));
            }
        }
        ev
    };
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e.name == "exception") {
        let ts = e.time_unix_nano.filter(|t| *t > 0).unwrap_or(end);
        let mut ev = base(ts, EventOrigin::SpanEvent);
        for (k, v) in &e.attributes {
            let v = scalar_string(v);
            match k.as_str() {
                "exception.type" => ev.exception_type = Some(v),
                "exception.message" => ev.message = Some(v),
                "exception.stacktrace" => ev.stacktrace = Some(v),
                _ => {
                    ev.attributes.insert(k.clone(), v);
                }
            }
        }
        out.push(ev);
    }
    if out.is_empty() && is_error {
        let mut ev = base(end, EventOrigin::SpanStatus);
        ev.message = text(row, "status_message");
        out.push(ev);
    }
    Ok(out)
}

/// One row as a span of a trace, for diagnosis context; `None` for a row without ids or time.
pub fn row_to_span(row: &RawRow) -> Option<TraceSpan> {
    let start = row_timestamp(row)?;
    let is_error = row
        .data
        .get("has_error")
        .is_some_and(|v| v.as_bool() == Some(true))
        || text(row, "status_code_string").is_some_and(|s| s.eq_ignore_ascii_case("error"));
    Some(TraceSpan {
        span_id: span_id(&text(row, "span_id")?)?,
        parent_span_id: text(row, "parent_span_id")
            .and_then(|p| span_id(&p))
            .filter(|p| !p.is_empty()),
        service: text(row, "service.name").unwrap_or_default(),
        name: text(row, "name").unwrap_or_default(),
        start,
        duration_nanos: row
            .data
            .get("duration_nano")
            .and_then(|d| d.as_i64())
            .unwrap_or(0),
        error: is_error,
        status_message: text(row, "status_message"),
    })
}

/// One row of SigNoz's exception index (`signoz_error_index_v2`) as an error event. SigNoz's
/// collector writes a row for every span event named `exception`, whatever the span's status
/// (signoz-otel-collector exporter/clickhousetracesexporter/clickhouse_exporter_v3.go,
/// `IsExceptionEvent`; writer.go: timestamp = the event's time, then errorID, groupID, traceID,
/// spanID, serviceName, exception type, message, stack trace, escaped), so it holds the
/// handled exceptions that `has_error = true` misses.
pub fn index_row_to_event(row: &RawRow) -> Result<ErrorEvent, String> {
    let ts = row_timestamp(row).ok_or_else(|| "row without a readable timestamp".to_string())?;
    let raw_trace = text(row, "traceID").unwrap_or_default();
    let tid = trace_id(&raw_trace).ok_or_else(|| format!("trace id {raw_trace:?} is not hex"))?;
    let raw_span = text(row, "spanID").unwrap_or_default();
    let sid = span_id(&raw_span).ok_or_else(|| format!("span id {raw_span:?} is not hex"))?;
    let service = text(row, "serviceName").unwrap_or_else(|| "unknown_service".into());
    let mut ev = ErrorEvent::new(service.clone(), ts, EventOrigin::SpanEvent);
    ev.trace_id = tid;
    ev.span_id = sid;
    ev.exception_type = text(row, "exceptionType");
    ev.message = text(row, "exceptionMessage");
    ev.stacktrace = text(row, "exceptionStacktrace");
    ev.attributes.insert("service.name".into(), service);
    if let Some(escaped) = row.data.get("exceptionEscaped").filter(|v| !v.is_null()) {
        ev.attributes
            .insert("exception.escaped".into(), scalar_string(escaped));
    }
    Ok(ev)
}
