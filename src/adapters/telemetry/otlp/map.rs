//! Map OTLP/JSON spans and log records to error events.
//!
//! An error event is a span event named `exception`, a span with status ERROR and no such event,
//! or a log record with `exception.*` attributes or severity ERROR and above.

use super::ids::normalize_id;
use super::wire::{AnyValue, ExportRequest, KeyValue, RawAttributes, ResourceLogs, ResourceSpans};
use crate::core::deferred::{AttributeLayer, DeferredAttributes};
use crate::core::ledger::content_digest;
use crate::core::model::{ContentDigest, ErrorEvent, EventOrigin};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One OTLP/JSON document: traces, logs, or both.
pub type Document = ExportRequest;

/// Why a document could not be mapped.
#[derive(Debug, Clone, PartialEq)]
pub enum MapError {
    /// The document is well-formed JSON but holds something OTLP does not allow.
    BadData(String),
    /// The sink refused an event.
    Sink(String),
}

/// Spans or log records of a document that were skipped as unreadable (a bad id): the rest of
/// the document is still mapped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rejects {
    pub count: u64,
    /// Why the first one was skipped.
    pub first: Option<String>,
}

impl Rejects {
    fn add(&mut self, why: String) {
        self.count += 1;
        self.first.get_or_insert(why);
    }

    fn merge(&mut self, other: Rejects) {
        self.count += other.count;
        if self.first.is_none() {
            self.first = other.first;
        }
    }
}

/// Numbers identical exceptions per span and origin within one document, so the same
/// document read twice gives the same ordinals (and ledger keys) while a retry loop's
/// repeats on one span still count apart. Memory is bounded by the document's events.
#[derive(Default)]
struct Ordinals(HashMap<[u8; 16], u32>);

impl Ordinals {
    fn stamp(&mut self, ev: &mut ErrorEvent) {
        let content = content_digest(ev);
        // Kept for the ledger key, which hashes the same content (unless a cap cuts it first).
        ev.content_digest = ContentDigest(Some(content));
        let mut h = Sha256::new();
        h.update(ev.trace_id.as_bytes());
        h.update([0x1f]);
        h.update(ev.span_id.as_bytes());
        h.update([0x1f]);
        h.update(ev.origin.as_str().as_bytes());
        h.update(content);
        let mut id = [0u8; 16];
        id.copy_from_slice(&h.finalize()[..16]);
        let n = self.0.entry(id).or_insert(0);
        ev.ordinal = Some(*n);
        *n = n.saturating_add(1);
    }
}

/// First severity number of the ERROR range (SEVERITY_NUMBER_ERROR).
const SEVERITY_ERROR: i64 = 17;

const TYPE: &str = "exception.type";
const MESSAGE: &str = "exception.message";
const STACKTRACE: &str = "exception.stacktrace";

/// Resource-level facts shared by every event below it.
struct ResourceInfo {
    service: String,
    version: Option<String>,
    environment: Option<String>,
    /// Built once per resource and shared by its events (a deferring caller) or cloned into each.
    attributes: Arc<BTreeMap<String, String>>,
}

fn resource_info(attrs: Option<Vec<KeyValue>>) -> ResourceInfo {
    let mut info = ResourceInfo {
        service: String::new(),
        version: None,
        environment: None,
        attributes: Arc::new(BTreeMap::new()),
    };
    let mut attributes = BTreeMap::new();
    for kv in attrs.unwrap_or_default() {
        let v = kv.value.map(AnyValue::into_text).unwrap_or_default();
        match kv.key.as_str() {
            "service.name" => info.service = v.clone(),
            "service.version" => info.version = Some(v.clone()),
            "deployment.environment" | "deployment.environment.name" => {
                info.environment = Some(v.clone())
            }
            _ => {}
        }
        // A repeated key keeps its last value.
        attributes.insert(kv.key, v);
    }
    info.attributes = Arc::new(attributes);
    if info.service.is_empty() {
        info.service = "unknown_service".to_string();
    }
    info
}

fn ids(trace: &str, span: &str) -> Result<(String, String), String> {
    let t = normalize_id(trace, 32).ok_or_else(|| {
        format!(
            "trace id {:?} is not a 16-byte hex or base64 id",
            clip(trace)
        )
    })?;
    let s = normalize_id(span, 16)
        .ok_or_else(|| format!("span id {:?} is not an 8-byte hex or base64 id", clip(span)))?;
    Ok((t, s))
}

/// An id as quoted in a message: hostile input can be long.
fn clip(s: &str) -> String {
    s.chars().take(48).collect()
}

fn base_event(res: &ResourceInfo, ts: i64, origin: EventOrigin) -> ErrorEvent {
    let mut ev = ErrorEvent::new(res.service.clone(), ts, origin);
    ev.service_version = res.version.clone();
    ev.environment = res.environment.clone();
    ev.attributes = (*res.attributes).clone();
    ev
}

/// Insert a span's attributes under an event's: its `exception.*` keys are left out, since span
/// attributes must not pose as exception fields of the event.
fn absorb_span(into: &mut BTreeMap<String, String>, attrs: Vec<KeyValue>) {
    for kv in attrs {
        let Some(value) = kv.value else {
            continue;
        };
        if !matches!(kv.key.as_str(), TYPE | MESSAGE | STACKTRACE) {
            into.insert(kv.key, value.into_text());
        }
    }
}

/// A span's attributes left raw for its events, decoded as [`absorb_span`] would.
struct SpanLayer(RawAttributes);

impl AttributeLayer for SpanLayer {
    fn decode_into(&self, into: &mut BTreeMap<String, String>) {
        absorb_span(into, self.0.decode());
    }
}

/// Whether events take their attributes decoded (every caller but the file reader) or deferred
/// (decoded only for the events a store keeps: `ErrorEvent::all_attributes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attributes {
    Decoded,
    Deferred,
}

/// Move attributes into the event; the exception fields go to their own slots instead.
fn absorb(ev: &mut ErrorEvent, attrs: Vec<KeyValue>) {
    for kv in attrs {
        let Some(value) = kv.value else {
            continue;
        };
        match kv.key.as_str() {
            TYPE => ev.exception_type = Some(value.into_text()),
            MESSAGE => ev.message = Some(value.into_text()),
            STACKTRACE => ev.stacktrace = Some(value.into_text()),
            _ => {
                ev.attributes.insert(kv.key, value.into_text());
            }
        }
    }
}

/// Emit the error events of every span in `resource_spans`.
///
/// Borrowing callers pay one copy of the spans; [`spans_into_events`] moves strings instead.
pub fn spans_to_events(
    resource_spans: &[ResourceSpans],
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<Rejects, MapError> {
    spans_into_events(resource_spans.to_vec(), Attributes::Decoded, sink)
}

/// Emit the error events of every span in `resource_spans`, moving its strings into the events.
pub fn spans_into_events(
    resource_spans: Vec<ResourceSpans>,
    attributes: Attributes,
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<Rejects, MapError> {
    let mut rejects = Rejects::default();
    let mut ordinals = Ordinals::default();
    let mut sink = |mut ev: ErrorEvent| {
        ordinals.stamp(&mut ev);
        sink(ev)
    };
    for rs in resource_spans {
        let res = resource_info(rs.resource.map(|r| r.attributes));
        for ss in rs.scope_spans {
            for mut span in ss.spans {
                let exceptions = span.events.iter().filter(|e| e.name == "exception").count();
                let is_error = span
                    .status
                    .as_ref()
                    .and_then(|s| s.code.as_ref())
                    .is_some_and(|c| c.is_status_error());
                if exceptions == 0 && !is_error {
                    continue;
                }
                let (trace_id, span_id) = match ids(&span.trace_id, &span.span_id) {
                    Ok(ids) => ids,
                    Err(why) => {
                        // One unreadable span: skip it, keep the rest of the document.
                        rejects.add(format!("span skipped: {why}"));
                        continue;
                    }
                };
                let start = span.start_time_unix_nano.map(|t| t.0).unwrap_or(0);
                let end = span.end_time_unix_nano.map(|t| t.0).unwrap_or(start);
                let span_name = Some(std::mem::take(&mut span.name)).filter(|n| !n.is_empty());
                let span_kind = span.kind.as_ref().and_then(|k| k.span_kind());
                let raw = std::mem::take(&mut span.attributes);
                // Decoded: once per span, the last event taking them and earlier ones a copy.
                // Deferred: one layer shared by the span's events.
                let (mut span_attrs, layer) = match attributes {
                    Attributes::Decoded => (raw.decode(), None),
                    Attributes::Deferred if raw.is_empty() => (Vec::new(), None),
                    Attributes::Deferred => {
                        let layer: Arc<dyn AttributeLayer> = Arc::new(SpanLayer(raw));
                        (Vec::new(), Some(layer))
                    }
                };
                let mut make = |ts: i64, origin: EventOrigin, last: bool| {
                    let mut ev = match attributes {
                        Attributes::Decoded => base_event(&res, ts, origin),
                        Attributes::Deferred => {
                            let mut ev = ErrorEvent::new(res.service.clone(), ts, origin);
                            ev.service_version = res.version.clone();
                            ev.environment = res.environment.clone();
                            ev.deferred = Some(DeferredAttributes::new(
                                Arc::clone(&res.attributes),
                                layer.clone(),
                            ));
                            ev
                        }
                    };
                    ev.trace_id = trace_id.clone();
                    ev.span_id = span_id.clone();
                    ev.span_name = span_name.clone();
                    ev.span_kind = span_kind.clone();
                    let attrs = if last {
                        std::mem::take(&mut span_attrs)
                    } else {
                        span_attrs.clone()
                    };
                    absorb_span(&mut ev.attributes, attrs);
                    ev
                };
                if exceptions > 0 {
                    let events = span.events.into_iter().filter(|e| e.name == "exception");
                    for (i, event) in events.enumerate() {
                        let ts = event
                            .time_unix_nano
                            .map(|t| t.0)
                            .filter(|t| *t > 0)
                            .unwrap_or(end);
                        let mut ev = make(ts, EventOrigin::SpanEvent, i + 1 == exceptions);
                        absorb(&mut ev, event.attributes);
                        sink(ev).map_err(MapError::Sink)?;
                    }
                } else {
                    let mut ev = make(end, EventOrigin::SpanStatus, true);
                    ev.message = span
                        .status
                        .and_then(|s| s.message)
                        .filter(|m| !m.is_empty());
                    sink(ev).map_err(MapError::Sink)?;
                }
            }
        }
    }
    Ok(rejects)
}

/// Whether a log record is an error: exception attributes, or severity ERROR and above.
fn is_error_log(severity: Option<i64>, severity_text: Option<&str>, attrs: &[KeyValue]) -> bool {
    if attrs
        .iter()
        .any(|kv| kv.key == TYPE || kv.key == MESSAGE || kv.key == STACKTRACE)
    {
        return true;
    }
    match severity {
        Some(n) if n > 0 => n >= SEVERITY_ERROR,
        _ => severity_text.is_some_and(|t| {
            matches!(
                t.trim().to_ascii_uppercase().as_str(),
                "ERROR" | "FATAL" | "CRITICAL" | "ALERT" | "EMERGENCY" | "SEVERE" | "PANIC"
            )
        }),
    }
}

/// Emit the error events among the log records in `resource_logs`.
///
/// Borrowing callers pay one copy of the records; [`logs_into_events`] moves strings instead.
pub fn logs_to_events(
    resource_logs: &[ResourceLogs],
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<Rejects, MapError> {
    logs_into_events(resource_logs.to_vec(), sink)
}

/// Emit the error events among the log records, moving their strings into the events.
pub fn logs_into_events(
    resource_logs: Vec<ResourceLogs>,
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<Rejects, MapError> {
    let mut rejects = Rejects::default();
    let mut ordinals = Ordinals::default();
    let mut sink = |mut ev: ErrorEvent| {
        ordinals.stamp(&mut ev);
        sink(ev)
    };
    for rl in resource_logs {
        let res = resource_info(rl.resource.map(|r| r.attributes));
        for sl in rl.scope_logs {
            for rec in sl.log_records {
                let severity = rec
                    .severity_number
                    .as_ref()
                    .and_then(|s| s.severity_number());
                if !is_error_log(severity, rec.severity_text.as_deref(), &rec.attributes) {
                    continue;
                }
                let (trace_id, span_id) = match ids(&rec.trace_id, &rec.span_id) {
                    Ok(ids) => ids,
                    Err(why) => {
                        rejects.add(format!("log record skipped: {why}"));
                        continue;
                    }
                };
                let ts = rec
                    .time_unix_nano
                    .map(|t| t.0)
                    .filter(|t| *t > 0)
                    .or(rec.observed_time_unix_nano.map(|t| t.0))
                    .unwrap_or(0);
                let mut ev = base_event(&res, ts, EventOrigin::LogRecord);
                ev.trace_id = trace_id;
                ev.span_id = span_id;
                absorb(&mut ev, rec.attributes);
                if ev.message.is_none() {
                    ev.message = rec.body.map(AnyValue::into_text).filter(|b| !b.is_empty());
                }
                if let Some(text) = rec.severity_text {
                    ev.attributes.insert("log.severity".into(), text);
                }
                sink(ev).map_err(MapError::Sink)?;
            }
        }
    }
    Ok(rejects)
}

/// Emit every error event of a document, spans first; the document is consumed so its strings
/// move into the events instead of being copied.
pub fn document_to_events(
    doc: Document,
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<Rejects, MapError> {
    document_into_events(doc, Attributes::Decoded, sink)
}

/// [`document_to_events`] with span attributes decoded as `attributes` says.
pub fn document_into_events(
    doc: Document,
    attributes: Attributes,
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<Rejects, MapError> {
    let mut rejects = spans_into_events(doc.resource_spans, attributes, sink)?;
    rejects.merge(logs_into_events(doc.resource_logs, sink)?);
    Ok(rejects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(json: &str) -> Vec<ErrorEvent> {
        let doc: Document = serde_json::from_str(json).unwrap();
        let mut out = Vec::new();
        document_to_events(doc, &mut |e| {
            out.push(e);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn span_events_status_errors_and_logs() {
        let json = r#"{"resourceSpans":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"checkout"}},
            {"key":"service.version","value":{"stringValue":"1.2.3"}},
            {"key":"deployment.environment","value":{"stringValue":"prod"}}]},
          "scopeSpans":[{"spans":[
            {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","name":"GET /cart","kind":2,
             "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":1700000001000000000,
             "status":{"code":2},
             "events":[
               {"name":"exception","timeUnixNano":"1700000000500000000","attributes":[
                 {"key":"exception.type","value":{"stringValue":"KeyError"}},
                 {"key":"exception.message","value":{"stringValue":"'user42'"}}]},
               {"name":"log","attributes":[]},
               {"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"ValueError"}}]}]},
            {"traceId":"AQIDBAUGBwgJCgsMDQ4PEA==","spanId":"AQIDBAUGBwg=","name":"db","kind":"SPAN_KIND_CLIENT",
             "status":{"code":"STATUS_CODE_ERROR","message":"timeout after 30s"}},
            {"traceId":"01","spanId":"02","name":"ok","status":{"code":1}}]}]}],
          "resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"worker"}}]},
            "scopeLogs":[{"logRecords":[
              {"timeUnixNano":"5","severityNumber":17,"body":{"stringValue":"job 7 failed"}},
              {"timeUnixNano":"6","severityNumber":9,"body":{"stringValue":"fine"}},
              {"timeUnixNano":"7","severityText":"INFO","attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}]}]}]}"#;
        let evs = collect(json);
        assert_eq!(evs.len(), 5);
        assert_eq!(evs[0].exception_type.as_deref(), Some("KeyError"));
        assert_eq!(evs[0].trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(evs[0].timestamp, 1_700_000_000_500_000_000);
        assert_eq!(evs[0].span_kind.as_deref(), Some("server"));
        assert_eq!(evs[0].service_version.as_deref(), Some("1.2.3"));
        assert_eq!(evs[0].environment.as_deref(), Some("prod"));
        assert_eq!(evs[1].exception_type.as_deref(), Some("ValueError"));
        assert_eq!(
            evs[1].timestamp, 1_700_000_001_000_000_000,
            "falls back to span end"
        );
        assert_eq!(evs[2].origin, EventOrigin::SpanStatus);
        assert_eq!(evs[2].trace_id, "0102030405060708090a0b0c0d0e0f10");
        assert_eq!(evs[2].span_id, "0102030405060708");
        assert_eq!(evs[2].message.as_deref(), Some("timeout after 30s"));
        assert_eq!(evs[2].span_kind.as_deref(), Some("client"));
        assert_eq!(evs[3].origin, EventOrigin::LogRecord);
        assert_eq!(evs[3].message.as_deref(), Some("job 7 failed"));
        assert_eq!(evs[3].service, "worker");
        assert_eq!(evs[4].exception_type.as_deref(), Some("E"));
    }

    #[test]
    fn every_exception_event_of_a_span_keeps_span_and_resource_attributes() {
        // The mapping moves strings out of the document: the last event takes the span's
        // attributes, so the earlier ones must still have their own copies.
        let json = r#"{"resourceSpans":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"api"}},
            {"key":"host.name","value":{"stringValue":"a"}},
            {"key":"host.name","value":{"stringValue":"b"}}]},
          "scopeSpans":[{"spans":[
            {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"GET /x",
             "attributes":[{"key":"http.route","value":{"stringValue":"/x"}},
                           {"key":"exception.message","value":{"stringValue":"not an event field"}}],
             "events":[
               {"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"A"}}]},
               {"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"B"}},
                                                 {"key":"retry","value":{"intValue":"2"}}]}]}]}]},
          {"scopeSpans":[{"spans":[
            {"traceId":"01","spanId":"02","attributes":[{"key":"k","value":{"stringValue":"v"}}],
             "status":{"code":2,"message":"boom"}}]}]}]}"#;
        let evs = collect(json);
        assert_eq!(evs.len(), 3);
        for ev in &evs[..2] {
            assert_eq!(ev.service, "api");
            assert_eq!(
                ev.attributes.get("http.route").map(String::as_str),
                Some("/x")
            );
            assert_eq!(
                ev.attributes.get("host.name").map(String::as_str),
                Some("b")
            );
            assert_eq!(ev.span_name.as_deref(), Some("GET /x"));
            assert_eq!(
                ev.message, None,
                "span attributes never become exception fields"
            );
        }
        assert_eq!(evs[0].exception_type.as_deref(), Some("A"));
        assert_eq!(evs[1].exception_type.as_deref(), Some("B"));
        assert_eq!(
            evs[1].attributes.get("retry").map(String::as_str),
            Some("2")
        );
        assert!(!evs[0].attributes.contains_key("retry"));
        assert_eq!(evs[2].service, "unknown_service");
        assert_eq!(evs[2].attributes.get("k").map(String::as_str), Some("v"));
        assert_eq!(evs[2].message.as_deref(), Some("boom"));
        assert!(!evs[2].attributes.contains_key("host.name"));
    }

    #[test]
    fn a_bad_id_skips_its_span_and_keeps_the_rest() {
        let doc: Document = serde_json::from_str(
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
                {"traceId":"zz-not-an-id","spanId":"01","status":{"code":2}},
                {"traceId":"0af7651916cd43dd8448eb211c80319c0af76519","spanId":"01","status":{"code":2}},
                {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"01","status":{"code":2,"message":"kept"}}]}]}]}"#,
        )
        .unwrap();
        let mut kept = Vec::new();
        let rejects = document_to_events(doc, &mut |e| {
            kept.push(e);
            Ok(())
        })
        .unwrap();
        assert_eq!(rejects.count, 2, "the 40-hex id is rejected too");
        assert!(rejects.first.unwrap().contains("zz-not-an-id"));
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].message.as_deref(), Some("kept"));
    }

    #[test]
    fn ordinals_count_per_span_and_origin_within_a_document() {
        let json = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
            {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
             "events":[
               {"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]},
               {"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}]}]}]}],
          "resourceLogs":[{"scopeLogs":[{"logRecords":[
             {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
              "attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}]}]}]}"#;
        let evs = collect(json);
        let got: Vec<_> = evs.iter().map(|e| (e.origin, e.ordinal)).collect();
        assert_eq!(
            got,
            vec![
                (EventOrigin::SpanEvent, Some(0)),
                (EventOrigin::SpanEvent, Some(1)),
                (EventOrigin::LogRecord, Some(0)),
            ]
        );
        // The same document again starts over: `cat f f` gives the same ordinals.
        assert_eq!(collect(json)[1].ordinal, Some(1));
    }
}
