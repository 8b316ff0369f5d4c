//! JSON output: a contract (docs/json.md). Every document carries a top-level `version`; within
//! a version fields are only added. A signature has one shape everywhere: [`signature`], plus
//! [`add_activity`], plus what the document is about.

use crate::core::model::{Diagnosis, EventRef, EventSample, HourlyCounts, Signature, StatusChange};
use crate::core::time::rfc3339;
use serde_json::{json, Value};

pub const JSON_VERSION: u32 = 2;

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

/// What every signature document carries besides [`signature`] (list, show, report and the
/// stdout notifier alike): where it happens, the last 24 h by hour, the 24 h before, the trend.
pub fn add_activity(v: &mut Value, sig: &Signature, last_24h: &HourlyCounts, previous_24h: u64) {
    if let Value::Object(m) = v {
        let trend = crate::core::activity::Trend::of(last_24h.total(), previous_24h);
        m.insert("where".into(), json!(crate::core::activity::location(sig)));
        m.insert("last_24h".into(), hourly(last_24h));
        m.insert("previous_24h".into(), json!(previous_24h));
        m.insert("trend".into(), json!(trend.kind()));
    }
}

/// A signature in `list --json`: the signature shape plus its activity.
pub fn list_entry(r: &crate::output::table::ListRow) -> Value {
    let mut v = signature(r.sig);
    let day = HourlyCounts {
        end: r.activity.end,
        counts: r.activity.hourly.clone(),
    };
    add_activity(&mut v, r.sig, &day, r.activity.prev_24h);
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

/// A diagnosis; `created_at` is RFC 3339 like every other time (integer nanoseconds lose
/// precision in jq and JavaScript).
pub fn diagnosis(d: &Diagnosis) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("created_at".into(), json!(rfc3339(d.created_at)));
    }
    v
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Confidence, NANOS_PER_SEC};

    #[test]
    fn a_diagnosis_time_is_rfc3339_like_every_other_time() {
        let d = Diagnosis {
            signature_id: "s".into(),
            created_at: 1_764_085_504 * NANOS_PER_SEC + 5,
            root_cause: "r".into(),
            suggested_fix: "f".into(),
            confidence: Confidence::High,
            evidence: vec![],
            backend: "openai".into(),
            model: "m".into(),
            cost_usd: None,
            input_tokens: 0,
            output_tokens: 0,
            duration_ms: 0,
            prompt_version: 2,
            codebase_revision: None,
        };
        let v = diagnosis(&d);
        assert_eq!(v["created_at"], "2025-11-25T15:45:04Z");
        assert_eq!(v["root_cause"], "r");
    }
}
