//! Serde DTOs of Grafana Tempo's HTTP API: TraceQL search, trace by id (v2 and v1, including the
//! pre-2.6 `batches` shape) and tag values.

use crate::adapters::telemetry::otlp::wire::ResourceSpans;
use serde::Deserialize;

/// `GET /api/search` answer.
#[derive(Debug, Deserialize)]
pub struct SearchResponse {
    #[serde(default)]
    pub traces: Option<Vec<SearchTrace>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchTrace {
    /// Hex with leading zeros trimmed.
    #[serde(rename = "traceID")]
    pub trace_id: String,
    #[serde(default)]
    pub root_service_name: Option<String>,
}

/// A trace as Tempo serialises it (gogo jsonpb: base64 ids, enum names, int64 strings).
#[derive(Debug, Default, Deserialize)]
pub struct TempoTrace {
    #[serde(
        default,
        rename = "resourceSpans",
        alias = "batches",
        alias = "resource_spans"
    )]
    pub resource_spans: Vec<ResourceSpans>,
}

/// `GET /api/v2/traces/<id>`: `{"trace":{…},"status":"COMPLETE|PARTIAL","message":…}`.
#[derive(Debug, Deserialize)]
pub struct TraceByIdV2 {
    #[serde(default)]
    pub trace: Option<TempoTrace>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `{"tagValues":["a","b"]}` from `/api/search/tag/service.name/values`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagValues {
    #[serde(default)]
    pub tag_values: Vec<String>,
}
