//! JSON output: a contract. Every document carries a top-level `version`; fields are only added.

use crate::core::model::{Diagnosis, EventRef, EventSample, HourlyCounts, Signature, StatusChange};
use crate::core::time::rfc3339;
use serde_json::{json, Value};

pub const JSON_VERSION: u32 = 1;

pub fn signature(s: &Signature) -> Value {
    json!({
        "id": s.id,
        "status": s.status.as_str(),
        "services": s.services,
        "exception_type": s.exception_type,
        "template": s.template,
        "count": s.count,
        "first_seen": rfc3339(s.first_seen),
        "last_seen": rfc3339(s.last_seen),
        "algorithm_version": s.algorithm_version,
        "basis": s.basis.as_str(),
        "key_frames": s.key_frames.iter().map(|f| json!({
            "module": f.module, "function": f.function, "file": f.file, "line": f.line, "in_app": f.in_app, "rule": f.rule,
        })).collect::<Vec<_>>(),
        "ignore_reason": s.ignore_reason,
        "ignored_until": s.ignored_until.map(rfc3339),
    })
}

/// A signature in `list --json`: the signature shape plus its recent activity and location.
pub fn list_entry(r: &crate::output::table::ListRow) -> Value {
    let mut v = signature(r.sig);
    if let Value::Object(m) = &mut v {
        m.insert("where".into(), json!(r.location));
        m.insert("last_24h".into(), json!(r.activity.last_24h));
        m.insert("prev_24h".into(), json!(r.activity.prev_24h));
        m.insert("hourly_24h".into(), json!(r.activity.hourly));
        m.insert("trend".into(), json!(r.activity.trend.kind()));
    }
    v
}

pub fn history(h: &[StatusChange]) -> Value {
    Value::Array(
        h.iter()
            .map(|c| json!({"at": rfc3339(c.at), "from": c.from.map(|s| s.as_str()), "to": c.to.as_str(), "reason": c.reason}))
            .collect(),
    )
}

pub fn events(evs: &[EventRef]) -> Value {
    Value::Array(
        evs.iter()
            .map(|e| json!({"trace_id": e.trace_id, "span_id": e.span_id, "timestamp": rfc3339(e.timestamp), "service": e.service}))
            .collect(),
    )
}

pub fn samples(samples: &[EventSample]) -> Value {
    Value::Array(
        samples
            .iter()
            .map(|e| {
                json!({
                    "trace_id": e.trace_id, "span_id": e.span_id, "timestamp": rfc3339(e.timestamp),
                    "service": e.service, "service_version": e.service_version, "message": e.message,
                    "attributes": e.attributes,
                })
            })
            .collect(),
    )
}

pub fn hourly(h: &HourlyCounts) -> Value {
    json!({"end": rfc3339(h.end), "counts": h.counts, "total": h.total()})
}

pub fn diagnosis(d: &Diagnosis) -> Value {
    serde_json::to_value(d).unwrap_or(Value::Null)
}

/// Pretty JSON text of a value.
pub fn text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into())
}
