//! Serde DTOs of Jaeger's query APIs: the v1 "UI JSON" (`/api/traces`, `/api/services`) and the
//! api_v3 envelopes around OTLP/JSON (`/api/v3/traces`, `/api/v3/services`).

use crate::adapters::telemetry::otlp::wire::ExportRequest;
use serde::Deserialize;
use std::collections::HashMap;

/// `{"data":…,"total":0,"limit":0,"offset":0,"errors":null}`.
#[derive(Debug, Deserialize)]
pub struct V1Envelope<T> {
    #[serde(default = "Option::default")]
    pub data: Option<T>,
    #[serde(default)]
    pub errors: Option<Vec<V1Error>>,
}

#[derive(Debug, Deserialize)]
pub struct V1Error {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub msg: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1Trace {
    #[serde(rename = "traceID", default)]
    pub trace_id: String,
    #[serde(default)]
    pub spans: Vec<V1Span>,
    #[serde(default)]
    pub processes: HashMap<String, V1Process>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1Span {
    #[serde(rename = "traceID", default)]
    pub trace_id: String,
    #[serde(rename = "spanID", default)]
    pub span_id: String,
    #[serde(default)]
    pub operation_name: String,
    #[serde(default)]
    pub references: Vec<V1Reference>,
    /// Microseconds since the epoch.
    #[serde(
        default,
        deserialize_with = "crate::adapters::telemetry::common::de_i64_lenient"
    )]
    pub start_time: Option<i64>,
    /// Microseconds.
    #[serde(
        default,
        deserialize_with = "crate::adapters::telemetry::common::de_i64_lenient"
    )]
    pub duration: Option<i64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<V1KeyValue>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub logs: Vec<V1Log>,
    #[serde(rename = "processID", default)]
    pub process_id: String,
    /// Some builds inline the process instead of referencing it.
    #[serde(default)]
    pub process: Option<V1Process>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1Reference {
    #[serde(default)]
    pub ref_type: String,
    #[serde(rename = "spanID", default)]
    pub span_id: String,
}

#[derive(Debug, Deserialize)]
pub struct V1KeyValue {
    pub key: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub value: serde_json::Value,
}

#[derive(Debug, Deserialize)]
pub struct V1Log {
    /// Microseconds since the epoch.
    #[serde(
        default,
        deserialize_with = "crate::adapters::telemetry::common::de_i64_lenient"
    )]
    pub timestamp: Option<i64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub fields: Vec<V1KeyValue>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1Process {
    #[serde(default)]
    pub service_name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<V1KeyValue>,
}

/// `{"result":{"resourceSpans":[…]}}` from `/api/v3/traces` and `/api/v3/traces/{id}`.
#[derive(Debug, Deserialize)]
pub struct V3Traces {
    pub result: ExportRequest,
}

/// `{"services":["a","b"]}` from `/api/v3/services`.
#[derive(Debug, Deserialize)]
pub struct V3Services {
    #[serde(default)]
    pub services: Vec<String>,
}

/// `{"error":{"httpCode":404,"message":"No traces found"}}`.
#[derive(Debug, Deserialize)]
pub struct V3ErrorEnvelope {
    pub error: V3Error,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V3Error {
    #[serde(default)]
    pub http_code: Option<i64>,
    #[serde(default)]
    pub message: String,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
