//! Small pieces every HTTP backend adapter shares: id normalisation, lenient numbers, service
//! selection, and the per-fetch duplicate guard.

use super::otlp::ids::normalize_id;
use super::otlp::map::{MapError, Rejects};
use super::otlp::wire::ResourceSpans;
use crate::core::model::ErrorEvent;
use crate::core::ports::telemetry::{
    EventSink, FetchReport, PollWindow, TelemetryError, TraceSpan,
};
use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// Lower-case hex trace id (32 chars), or `None` when the id is neither hex nor base64.
pub fn trace_id(raw: &str) -> Option<String> {
    normalize_id(raw, 32)
}

/// Lower-case hex span id (16 chars), or `None` when the id is neither hex nor base64.
pub fn span_id(raw: &str) -> Option<String> {
    normalize_id(raw, 16)
}

/// An int64 that arrives as a JSON number or a decimal string (jsonpb); never via f64.
pub fn de_i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        I(i64),
        U(u64),
        S(String),
        F(f64),
    }
    Ok(match Option::<N>::deserialize(d)? {
        None => None,
        Some(N::I(i)) => Some(i),
        Some(N::U(u)) => Some(i64::try_from(u).unwrap_or(i64::MAX)),
        Some(N::S(s)) => s.trim().parse::<i64>().ok().or_else(|| {
            s.trim()
                .parse::<u64>()
                .ok()
                .map(|u| i64::try_from(u).unwrap_or(i64::MAX))
        }),
        Some(N::F(f)) => Some(f as i64),
    })
}

/// A JSON scalar rendered as an attribute string (`true`, `42`, `text`).
pub fn scalar_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The services a fetch covers: the configured set, sorted and unique, when given.
pub fn sorted_services(services: &[String]) -> Vec<String> {
    let mut s: Vec<String> = services
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    s.sort();
    s.dedup();
    s
}

/// `backend|base|svc1,svc2` (or `*` for all services): the cursor's identity.
pub fn cursor_scope(backend: &str, base: &str, services: &[String]) -> String {
    let s = sorted_services(services);
    let set = if s.is_empty() {
        "*".to_string()
    } else {
        s.join(",")
    };
    format!("{backend}|{base}|{set}")
}

/// Forwards events to the caller's sink at most once per identity within one fetch, so a trace
/// returned by two overlapping sub-queries (split windows, pages that shifted) is not counted twice.
pub struct DedupSink<'s, 'a> {
    sink: &'s mut EventSink<'a>,
    /// 128-bit digests of event identities: memory stays small on a burst of long messages.
    seen: HashSet<[u8; 16]>,
    pub emitted: u64,
}

impl<'s, 'a> DedupSink<'s, 'a> {
    pub fn new(sink: &'s mut EventSink<'a>) -> Self {
        DedupSink {
            sink,
            seen: HashSet::new(),
            emitted: 0,
        }
    }

    pub fn push(&mut self, ev: ErrorEvent) -> Result<(), TelemetryError> {
        let mut h = Sha256::new();
        for part in [
            ev.trace_id.as_str(),
            ev.span_id.as_str(),
            ev.origin.as_str(),
            ev.exception_type.as_deref().unwrap_or(""),
            ev.message.as_deref().unwrap_or(""),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(ev.timestamp.to_le_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&h.finalize()[..16]);
        // Events without trace context have no stable identity here; the ledger decides for them.
        if !ev.trace_id.is_empty() && !self.seen.insert(key) {
            return Ok(());
        }
        self.emitted += 1;
        (self.sink)(ev).map_err(TelemetryError::Sink)
    }
}

/// Runs `per_service` for each service; a failing service is recorded and the others continue.
/// Errors that make every service fail the same way (credentials, configuration, the sink) stop
/// the fetch at once.
pub fn for_each_service(
    services: &[String],
    report: &mut FetchReport,
    mut per_service: impl FnMut(&str, &mut FetchReport) -> Result<(), TelemetryError>,
) -> Result<(), TelemetryError> {
    let mut failures = Vec::new();
    for svc in services {
        match per_service(svc, report) {
            Ok(()) => {}
            Err(
                e @ (TelemetryError::Auth { .. }
                | TelemetryError::Config { .. }
                | TelemetryError::Sink(_)),
            ) => return Err(e),
            Err(e) => failures.push((svc.clone(), e)),
        }
    }
    if !services.is_empty() && failures.len() == services.len() {
        // Nothing succeeded: the pass failed, report the most severe cause.
        failures.sort_by_key(|(_, e)| std::cmp::Reverse(e.severity()));
        if let Some((_, e)) = failures.into_iter().next() {
            return Err(e);
        }
        return Ok(());
    }
    report.partial_failures.extend(failures);
    Ok(())
}

/// Converts a mapping failure into the port's error, naming the endpoint the data came from.
pub fn map_error(endpoint: &str, e: MapError) -> TelemetryError {
    match e {
        MapError::BadData(detail) => TelemetryError::BadData {
            location: endpoint.to_string(),
            detail,
        },
        MapError::Sink(msg) => TelemetryError::Sink(msg),
    }
}

/// Counts spans a mapping skipped as unreadable (a bad id) against the endpoint they came from.
pub fn quarantine_rejects(report: &mut FetchReport, endpoint: &str, rejects: Rejects) {
    let why = rejects.first.unwrap_or_default();
    for _ in 0..rejects.count {
        report.quarantine.add(endpoint, None, &why);
    }
}

/// The `service.name` of an OTLP resource, as the shared mapping names it.
pub fn otlp_service(rs: &ResourceSpans) -> String {
    rs.resource
        .as_ref()
        .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
        .and_then(|kv| kv.value.as_ref())
        .map(|v| v.to_text())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown_service".to_string())
}

/// Keeps only the spans that belong to this fetch: of a wanted service (`None` = all) and
/// starting inside `window`, so split or adjacent windows never both claim a span.
pub fn retain_spans(
    doc: &mut [ResourceSpans],
    services: Option<&[String]>,
    window: Option<PollWindow>,
) {
    for rs in doc.iter_mut() {
        let keep_service =
            services.is_none_or(|set| set.is_empty() || set.iter().any(|s| *s == otlp_service(rs)));
        for ss in rs.scope_spans.iter_mut() {
            if !keep_service {
                ss.spans.clear();
                continue;
            }
            if let Some(w) = window {
                ss.spans.retain(|sp| {
                    let start = sp.start_time_unix_nano.map(|t| t.0).unwrap_or(0);
                    start >= w.start && start < w.end
                });
            }
        }
    }
}

/// Distinct trace ids in an OTLP document (how api_v3 and Tempo count against a trace limit).
pub fn otlp_trace_ids(doc: &[ResourceSpans]) -> HashSet<String> {
    doc.iter()
        .flat_map(|rs| rs.scope_spans.iter())
        .flat_map(|ss| ss.spans.iter())
        .map(|sp| trace_id(&sp.trace_id).unwrap_or_else(|| sp.trace_id.clone()))
        .collect()
}

/// Spans of an OTLP trace for diagnosis context.
pub fn otlp_trace_spans(doc: &[ResourceSpans]) -> Vec<TraceSpan> {
    let mut out = Vec::new();
    for rs in doc {
        let service = otlp_service(rs);
        for sp in rs.scope_spans.iter().flat_map(|ss| ss.spans.iter()) {
            let start = sp.start_time_unix_nano.map(|t| t.0).unwrap_or(0);
            let end = sp.end_time_unix_nano.map(|t| t.0).unwrap_or(start);
            out.push(TraceSpan {
                span_id: span_id(&sp.span_id).unwrap_or_default(),
                parent_span_id: span_id(&sp.parent_span_id).filter(|p| !p.is_empty()),
                service: service.clone(),
                name: sp.name.clone(),
                start,
                duration_nanos: end.saturating_sub(start),
                error: sp
                    .status
                    .as_ref()
                    .and_then(|s| s.code.as_ref())
                    .is_some_and(|c| c.is_status_error()),
                status_message: sp
                    .status
                    .as_ref()
                    .and_then(|s| s.message.clone())
                    .filter(|m| !m.is_empty()),
            });
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// Halves of a window, for backends without pagination that hit their result limit.
pub fn split_window(w: PollWindow) -> (PollWindow, PollWindow) {
    let mid = w.start + (w.end - w.start) / 2;
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

// RFC 3339 parsing and formatting live in the one calendar module.
pub use crate::core::time::{format_rfc3339_nanos, parse_rfc3339_nanos};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_normalise() {
        assert_eq!(trace_id("1").unwrap(), "00000000000000000000000000000001");
        assert_eq!(span_id("YSqTXx7S4ds=").unwrap(), "612a935f1ed2e1db");
        assert_eq!(trace_id("not an id!"), None);
    }

    #[test]
    fn rfc3339_round_trip() {
        let n = parse_rfc3339_nanos("2026-08-21T10:15:30.123456789Z").unwrap();
        assert_eq!(format_rfc3339_nanos(n), "2026-08-21T10:15:30.123456789Z");
        assert_eq!(parse_rfc3339_nanos("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(
            parse_rfc3339_nanos("2026-06-19T10:00:00Z"),
            Some(1_781_863_200_000_000_000)
        );
        assert_eq!(parse_rfc3339_nanos("yesterday"), None);
    }
}
