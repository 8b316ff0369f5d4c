//! Serde DTOs of OTLP/JSON (ExportTraceServiceRequest, ExportLogsServiceRequest), tolerant of
//! the encodings found in the wild: camelCase or snake_case names, 64-bit integers as strings or
//! numbers, enums as integers or names, and the pre-1.0 `instrumentationLibrary*` names.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::fmt;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    #[serde(default, alias = "resource_spans")]
    pub resource_spans: Vec<ResourceSpans>,
    #[serde(default, alias = "resource_logs")]
    pub resource_logs: Vec<ResourceLogs>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    #[serde(default)]
    pub attributes: Vec<KeyValue>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpans {
    #[serde(default)]
    pub resource: Option<Resource>,
    #[serde(default, alias = "scope_spans", alias = "instrumentationLibrarySpans")]
    pub scope_spans: Vec<ScopeSpans>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeSpans {
    #[serde(default)]
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    #[serde(default, alias = "trace_id")]
    pub trace_id: String,
    #[serde(default, alias = "span_id")]
    pub span_id: String,
    #[serde(default, alias = "parent_span_id")]
    pub parent_span_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: Option<Enum>,
    #[serde(default, alias = "start_time_unix_nano")]
    pub start_time_unix_nano: Option<Int64>,
    #[serde(default, alias = "end_time_unix_nano")]
    pub end_time_unix_nano: Option<Int64>,
    #[serde(default)]
    pub attributes: RawAttributes,
    #[serde(default)]
    pub events: Vec<SpanEvent>,
    #[serde(default)]
    pub status: Option<Status>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpanEvent {
    #[serde(default, alias = "time_unix_nano")]
    pub time_unix_nano: Option<Int64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub attributes: Vec<KeyValue>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    #[serde(default)]
    pub code: Option<Enum>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceLogs {
    #[serde(default)]
    pub resource: Option<Resource>,
    #[serde(default, alias = "scope_logs", alias = "instrumentationLibraryLogs")]
    pub scope_logs: Vec<ScopeLogs>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeLogs {
    #[serde(default, alias = "log_records", alias = "logs")]
    pub log_records: Vec<LogRecord>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogRecord {
    #[serde(default, alias = "time_unix_nano")]
    pub time_unix_nano: Option<Int64>,
    #[serde(default, alias = "observed_time_unix_nano")]
    pub observed_time_unix_nano: Option<Int64>,
    #[serde(default, alias = "severity_number")]
    pub severity_number: Option<Enum>,
    #[serde(default, alias = "severity_text")]
    pub severity_text: Option<String>,
    #[serde(default)]
    pub body: Option<AnyValue>,
    #[serde(default)]
    pub attributes: Vec<KeyValue>,
    #[serde(default, alias = "trace_id")]
    pub trace_id: String,
    #[serde(default, alias = "span_id")]
    pub span_id: String,
}

/// A span's attributes as they came: checked against the rules of `Vec<KeyValue>` when read (a
/// wrong type is bad data, as in any other field), decoded only when asked
/// ([`RawAttributes::decode`]): most error events are counted and dropped without them.
#[derive(Debug, Clone, Default)]
pub struct RawAttributes(Option<Box<RawValue>>);

impl RawAttributes {
    /// The key-values, in order (empty when the field was absent).
    pub fn decode(&self) -> Vec<KeyValue> {
        // Checked when read, so this cannot fail; an empty list is the safe answer if it did.
        self.0
            .as_ref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default()
    }

    /// Whether the field was absent.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl<'de> Deserialize<'de> for RawAttributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        // Every rule of `Vec<KeyValue>`, keeping nothing.
        serde_json::from_str::<KeyValuesCheck>(raw.get()).map_err(de::Error::custom)?;
        Ok(RawAttributes(Some(raw)))
    }
}

/// `Vec<KeyValue>`'s rules, element by element, holding none of them.
struct KeyValuesCheck;

impl<'de> Deserialize<'de> for KeyValuesCheck {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyValuesCheck;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KeyValuesCheck, A::Error> {
                while seq.next_element::<KeyValueCheck>()?.is_some() {}
                Ok(KeyValuesCheck)
            }
        }
        d.deserialize_seq(V)
    }
}

/// [`KeyValue`]'s rules, to check raw attributes without copying them.
#[derive(Deserialize)]
#[allow(dead_code)] // read by serde only: checking is the point
struct KeyValueCheck {
    #[serde(default)]
    key: AnyStr,
    #[serde(default)]
    value: Option<AnyValueCheck>,
}

/// [`AnyValue`]'s rules, strings unkept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // read by serde only: checking is the point
struct AnyValueCheck {
    #[serde(default, alias = "string_value")]
    string_value: Option<AnyStr>,
    #[serde(default, alias = "bool_value")]
    bool_value: Option<bool>,
    #[serde(default, alias = "int_value")]
    int_value: Option<Int64>,
    #[serde(default, alias = "double_value")]
    double_value: Option<f64>,
    #[serde(default, alias = "array_value")]
    array_value: Option<ArrayValue>,
    #[serde(default, alias = "kvlist_value")]
    kvlist_value: Option<KvList>,
    #[serde(default, alias = "bytes_value")]
    bytes_value: Option<AnyStr>,
}

/// Any JSON string, kept nowhere (what `String` accepts, without the copy).
#[derive(Default)]
struct AnyStr;

impl<'de> Deserialize<'de> for AnyStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyStr, E> {
                Ok(AnyStr)
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct KeyValue {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: Option<AnyValue>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnyValue {
    #[serde(default, alias = "string_value")]
    pub string_value: Option<String>,
    #[serde(default, alias = "bool_value")]
    pub bool_value: Option<bool>,
    #[serde(default, alias = "int_value")]
    pub int_value: Option<Int64>,
    #[serde(default, alias = "double_value")]
    pub double_value: Option<f64>,
    #[serde(default, alias = "array_value")]
    pub array_value: Option<ArrayValue>,
    #[serde(default, alias = "kvlist_value")]
    pub kvlist_value: Option<KvList>,
    #[serde(default, alias = "bytes_value")]
    pub bytes_value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ArrayValue {
    #[serde(default)]
    pub values: Vec<AnyValue>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct KvList {
    #[serde(default)]
    pub values: Vec<KeyValue>,
}

impl AnyValue {
    /// The value as display text (arrays and maps as compact JSON-like text).
    pub fn to_text(&self) -> String {
        if let Some(s) = &self.string_value {
            return s.clone();
        }
        if let Some(b) = self.bool_value {
            return b.to_string();
        }
        if let Some(i) = &self.int_value {
            return i.0.to_string();
        }
        if let Some(d) = self.double_value {
            return d.to_string();
        }
        if let Some(a) = &self.array_value {
            let parts: Vec<String> = a.values.iter().map(AnyValue::to_text).collect();
            return format!("[{}]", parts.join(","));
        }
        if let Some(kv) = &self.kvlist_value {
            let parts: Vec<String> = kv
                .values
                .iter()
                .map(|p| {
                    format!(
                        "{}={}",
                        p.key,
                        p.value.as_ref().map(AnyValue::to_text).unwrap_or_default()
                    )
                })
                .collect();
            return format!("{{{}}}", parts.join(","));
        }
        if let Some(b) = &self.bytes_value {
            return b.clone();
        }
        String::new()
    }

    /// [`AnyValue::to_text`] that moves a string value out instead of copying it.
    pub fn into_text(mut self) -> String {
        match self.string_value.take() {
            Some(s) => s,
            None => self.to_text(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        self.string_value.as_deref()
    }
}

/// A 64-bit integer encoded as a JSON number or a decimal string (never through f64).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Int64(pub i64);

impl<'de> Deserialize<'de> for Int64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Int64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a decimal string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int64, E> {
                Ok(Int64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int64, E> {
                i64::try_from(v)
                    .map(Int64)
                    .map_err(|_| E::custom(format!("integer {v} out of range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int64, E> {
                if v.fract() == 0.0 && v.abs() < 9.2e18 {
                    Ok(Int64(v as i64))
                } else {
                    Err(E::custom(format!("expected an integer, found {v}")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int64, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(Int64(0));
                }
                // A u64 past i64::MAX must not wrap to a negative time (1969): it is bad data.
                match t.parse::<i64>() {
                    Ok(i) => Ok(Int64(i)),
                    Err(_) if t.parse::<u64>().is_ok() => {
                        Err(E::custom(format!("integer {t} out of range")))
                    }
                    Err(_) => Err(E::custom(format!(
                        "expected an integer string, found {v:?}"
                    ))),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<Int64, E> {
                Ok(Int64(0))
            }
        }
        d.deserialize_any(V)
    }
}

/// A protobuf enum encoded as its number or its name (`2`, `"SPAN_KIND_SERVER"`, `"STATUS_CODE_ERROR"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enum {
    Num(i64),
    Name(String),
}

impl<'de> Deserialize<'de> for Enum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Enum;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an enum number or name")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Enum, E> {
                Ok(Enum::Num(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Enum, E> {
                Ok(Enum::Num(v as i64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Enum, E> {
                Ok(match v.trim().parse::<i64>() {
                    Ok(n) => Enum::Num(n),
                    Err(_) => Enum::Name(v.to_string()),
                })
            }
        }
        d.deserialize_any(V)
    }
}

const SPAN_KINDS: [&str; 6] = [
    "UNSPECIFIED",
    "INTERNAL",
    "SERVER",
    "CLIENT",
    "PRODUCER",
    "CONSUMER",
];
const STATUS_CODES: [&str; 3] = ["UNSET", "OK", "ERROR"];
const SEVERITIES: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

impl Enum {
    fn number(&self, prefix: &str, names: &[&str]) -> Option<i64> {
        match self {
            Enum::Num(n) => Some(*n),
            Enum::Name(s) => {
                let s = s.trim().to_ascii_uppercase();
                let bare = s.strip_prefix(prefix).unwrap_or(&s);
                names.iter().position(|n| *n == bare).map(|i| i as i64)
            }
        }
    }

    /// Span kind as a lower-case name (`server`, `client`, ...).
    pub fn span_kind(&self) -> Option<String> {
        let n = self.number("SPAN_KIND_", &SPAN_KINDS)?;
        SPAN_KINDS
            .get(n as usize)
            .filter(|_| n > 0)
            .map(|s| s.to_ascii_lowercase())
    }

    pub fn is_status_error(&self) -> bool {
        self.number("STATUS_CODE_", &STATUS_CODES) == Some(2)
    }

    /// Severity number (1..=24); names like `SEVERITY_NUMBER_ERROR` map to the first of their range.
    pub fn severity_number(&self) -> Option<i64> {
        match self {
            Enum::Num(n) => Some(*n),
            Enum::Name(s) => {
                let s = s.trim().to_ascii_uppercase();
                let bare = s.strip_prefix("SEVERITY_NUMBER_").unwrap_or(&s);
                let (word, digit) = match bare.find(|c: char| c.is_ascii_digit()) {
                    Some(i) => (&bare[..i], bare[i..].parse::<i64>().unwrap_or(1)),
                    None => (bare, 1),
                };
                SEVERITIES
                    .iter()
                    .position(|n| *n == word)
                    .map(|i| i as i64 * 4 + digit)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_too_large_timestamp_is_an_error_not_1969() {
        for json in [r#""18446744073709551615""#, r#"18446744073709551615"#] {
            let err = serde_json::from_str::<Int64>(json).unwrap_err();
            assert!(err.to_string().contains("out of range"), "{err}");
        }
        assert_eq!(
            serde_json::from_str::<Int64>(r#""9223372036854775807""#).unwrap(),
            Int64(i64::MAX)
        );
    }
}
