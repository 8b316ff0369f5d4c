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
            "module": f.module, "function": f.function, "file": f.file, "in_app": f.in_app, "rule": f.rule,
        })).collect::<Vec<_>>(),
        "ignore_reason": s.ignore_reason,
        "ignored_until": s.ignored_until.map(rfc3339),
    })
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

/// The release fields of a signature (`show --json`, `report --format json`; docs/releases.md):
/// `first_release`, `last_release`, `latest_release`, `releases` (newest first in the release
/// order), `environments` (by first seen), `resolved_in_release`, `regressed_in_release`. Names
/// come from telemetry: redacted, as every other telemetry string leaving through JSON.
pub fn add_releases(v: &mut Value, r: &crate::core::model::SignatureReleases) {
    let red = crate::core::redact::redact;
    let name = |x: Option<&crate::core::model::SeenIn>| x.map(|x| red(&x.name));
    let rows = |key: &str, rows: &[&crate::core::model::SeenIn]| -> Value {
        Value::Array(
            rows.iter()
                .map(|x| {
                    json!({
                        key: red(&x.name), "count": x.count,
                        "first_seen": rfc3339(x.first_seen), "last_seen": rfc3339(x.last_seen),
                    })
                })
                .collect(),
        )
    };
    let Some(o) = v.as_object_mut() else {
        return;
    };
    o.insert("first_release".into(), json!(name(r.first_release())));
    o.insert("last_release".into(), json!(name(r.last_release())));
    o.insert("latest_release".into(), json!(name(r.latest())));
    o.insert("releases".into(), rows("release", &r.newest_first()));
    let envs: Vec<&crate::core::model::SeenIn> = r.environments.iter().collect();
    o.insert("environments".into(), rows("environment", &envs));
    o.insert(
        "resolved_in_release".into(),
        json!(r.resolved_in.as_deref().map(red)),
    );
    o.insert(
        "regressed_in_release".into(),
        json!(r.regressed_in.as_deref().map(red)),
    );
}
