//! Serde DTOs of Loki's HTTP API: `query_range` answers and label values.

use serde::Deserialize;
use std::collections::BTreeMap;

/// `{"status":"success","data":{"resultType":"streams","result":[…]}}`.
#[derive(Debug, Deserialize)]
pub struct QueryResponse {
    #[serde(default)]
    pub status: String,
    pub data: QueryData,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryData {
    pub result_type: String,
    /// Streams for log queries; kept raw because metric queries carry another shape.
    #[serde(default)]
    pub result: serde_json::Value,
    #[serde(default)]
    pub encoding_flags: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Stream {
    #[serde(default)]
    pub stream: BTreeMap<String, String>,
    /// `["<ns>", "<line>"]`, or with categorize-labels `["<ns>", "<line>", {"structuredMetadata":…,"parsed":…}]`.
    #[serde(default)]
    pub values: Vec<Vec<serde_json::Value>>,
}

/// The third element of a categorized entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryLabels {
    #[serde(default)]
    pub structured_metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub parsed: BTreeMap<String, String>,
}

/// `{"status":"success","data":["a","b"]}` from `/loki/api/v1/label/<name>/values`.
#[derive(Debug, Deserialize)]
pub struct LabelValues {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub data: Vec<String>,
}
