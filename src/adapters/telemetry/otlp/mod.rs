//! OTLP/JSON wire types and their mapping to error events, shared by every OTLP-shaped source
//! (the OTLP file adapter, Jaeger api/v3, Tempo).

pub mod ids;
pub mod map;
pub mod wire;

pub use map::{logs_to_events, spans_to_events, Document};
