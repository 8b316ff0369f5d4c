//! Local validation of a model's answer against the diagnosis schema: no backend's word is taken
//! for it (a Claude "success" can lack structured output; local servers may not enforce schemas).

use crate::core::diagnose::prompt::clean;
use crate::core::model::Confidence;
use crate::core::ports::diagnoser::CitedEvidence;
use serde_json::Value;

/// The validated fields of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub root_cause: String,
    pub suggested_fix: String,
    pub confidence: Confidence,
    pub evidence: Vec<CitedEvidence>,
}

const MAX_TEXT: usize = 8_000;
const MAX_EVIDENCE: usize = 50;

/// Parse text that should hold one JSON object (tolerating a ```json fence around it).
pub fn parse_text(text: &str) -> Result<Validated, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|x| x.trim_end().strip_suffix("```"))
        .unwrap_or(t)
        .trim();
    let v: Value = serde_json::from_str(t).map_err(|e| format!("not JSON: {e}"))?;
    validate(&v)
}

/// Check a JSON value against the schema: required fields, types, the confidence enum, sizes.
pub fn validate(v: &Value) -> Result<Validated, String> {
    let obj = v.as_object().ok_or("the answer is not a JSON object")?;
    let text = |key: &str| -> Result<String, String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(clean(s.trim(), MAX_TEXT)),
            Some(Value::String(_)) => Err(format!("'{key}' is empty")),
            Some(_) => Err(format!("'{key}' is not a string")),
            None => Err(format!("'{key}' is missing")),
        }
    };
    let root_cause = text("root_cause")?;
    let suggested_fix = text("suggested_fix")?;
    let confidence = match obj.get("confidence") {
        Some(Value::String(s)) => Confidence::parse(s.trim())
            .ok_or_else(|| format!("'confidence' is '{s}', not high, medium or low"))?,
        Some(_) => return Err("'confidence' is not a string".into()),
        None => return Err("'confidence' is missing".into()),
    };
    let items = match obj.get("evidence") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err("'evidence' is not an array".into()),
        None => return Err("'evidence' is missing".into()),
    };
    if items.len() > MAX_EVIDENCE {
        return Err(format!(
            "'evidence' has {} items (at most {MAX_EVIDENCE})",
            items.len()
        ));
    }
    let mut evidence = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        evidence.push(evidence_item(item).map_err(|e| format!("evidence[{i}]: {e}"))?);
    }
    Ok(Validated {
        root_cause,
        suggested_fix,
        confidence,
        evidence,
    })
}

fn evidence_item(item: &Value) -> Result<CitedEvidence, String> {
    match item {
        Value::Object(o) => {
            let file = match o.get("file").or_else(|| o.get("ref")) {
                Some(Value::String(s)) => clean(s.trim(), 500),
                Some(Value::Null) | None => String::new(),
                Some(_) => return Err("'file' is not a string".into()),
            };
            let line = match o.get("line") {
                Some(Value::Number(n)) => Some(
                    n.as_u64()
                        .and_then(|l| u32::try_from(l).ok())
                        .ok_or("'line' is not a positive integer")?,
                ),
                Some(Value::Null) | None => None,
                Some(_) => return Err("'line' is not an integer".into()),
            };
            let note = match o.get("note") {
                Some(Value::String(s)) => clean(s.trim(), 2_000),
                Some(Value::Null) | None => String::new(),
                Some(_) => return Err("'note' is not a string".into()),
            };
            if file.is_empty() && note.is_empty() {
                return Err("neither file nor note".into());
            }
            Ok(CitedEvidence { file, line, note })
        }
        // A bare "path:line explanation" string, as models sometimes write it.
        Value::String(s) => {
            let s = clean(s.trim(), 2_000);
            let (head, rest) = s.split_once(char::is_whitespace).unwrap_or((&s, ""));
            if head.contains(':')
                && head
                    .rsplit(':')
                    .next()
                    .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()) && !l.is_empty())
            {
                Ok(CitedEvidence {
                    file: head.to_string(),
                    line: None,
                    note: rest.trim().to_string(),
                })
            } else {
                Ok(CitedEvidence {
                    file: String::new(),
                    line: None,
                    note: s,
                })
            }
        }
        _ => Err("not an object".into()),
    }
}

/// The first `n` characters of a bad answer, for the failed-attempt record.
pub fn excerpt(text: &str, n: usize) -> String {
    clean(text, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_schema_and_legacy_string_evidence() {
        let v = parse_text(
            r#"{"root_cause":"x is None","suggested_fix":"guard","confidence":"high","evidence":[{"file":"a.py","line":3,"note":"n"},"b.py:7 reads it","just reasoning"]}"#,
        )
        .expect("valid");
        assert_eq!(v.confidence, Confidence::High);
        assert_eq!(
            v.evidence[0],
            CitedEvidence {
                file: "a.py".into(),
                line: Some(3),
                note: "n".into()
            }
        );
        assert_eq!(v.evidence[1].file, "b.py:7");
        assert_eq!(v.evidence[2].file, "");
    }

    #[test]
    fn rejects_what_the_schema_rejects() {
        for bad in [
            "Diagnosis complete.",
            r#"["a"]"#,
            r#"{"suggested_fix":"g","confidence":"high","evidence":[]}"#,
            r#"{"root_cause":"","suggested_fix":"g","confidence":"high","evidence":[]}"#,
            r#"{"root_cause":"r","suggested_fix":"g","confidence":"certain","evidence":[]}"#,
            r#"{"root_cause":"r","suggested_fix":"g","confidence":"low","evidence":"a.py"}"#,
            r#"{"root_cause":"r","suggested_fix":"g","confidence":"low","evidence":[{"file":"a","line":-1,"note":""}]}"#,
        ] {
            assert!(parse_text(bad).is_err(), "accepted {bad}");
        }
    }
}
