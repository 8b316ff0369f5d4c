//! Serde DTOs of SigNoz's `POST /api/v5/query_range` raw answers (SigNoz ≥ v0.92).

use serde::Deserialize;

/// `{"status":"success","data":{"type":"raw","meta":{…},"data":{"results":[…]}}}`.
#[derive(Debug, Deserialize)]
pub struct QueryRangeResponse {
    #[serde(default)]
    pub status: String,
    pub data: Option<QueryRangeData>,
    #[serde(default)]
    pub error: Option<ApiError>,
}

#[derive(Debug, Deserialize)]
pub struct QueryRangeData {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub data: ResultsHolder,
}

#[derive(Debug, Deserialize)]
pub struct ResultsHolder {
    #[serde(default)]
    pub results: Vec<RawResult>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawResult {
    #[serde(default)]
    pub query_name: String,
    /// `null` when nothing matched.
    #[serde(default)]
    pub rows: Option<Vec<RawRow>>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawRow {
    /// RFC 3339 string, or a number in some versions.
    #[serde(default)]
    pub timestamp: serde_json::Value,
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct ApiError {
    #[serde(default)]
    pub code: serde_json::Value,
    #[serde(default)]
    pub message: String,
}

/// One element of the `events` column: an object (≥ v0.130) or a JSON string of the ClickHouse
/// storage form with `attributeMap` (older).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpanEvent {
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "crate::adapters::telemetry::common::de_i64_lenient"
    )]
    pub time_unix_nano: Option<i64>,
    #[serde(default, alias = "attributeMap")]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}
