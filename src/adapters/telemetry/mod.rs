//! Telemetry adapters: one folder per backend, each with its wire types and mapping.

pub mod common;
pub mod http;
pub mod jaeger;
pub mod loki;
pub mod otlp;
pub mod otlp_file;
pub mod signoz;
pub mod tempo;
