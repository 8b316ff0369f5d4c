//! Tempo traces → error events, through the shared OTLP mapping (Tempo's trace JSON is OTLP
//! with base64 ids and enum names, which that mapping already accepts).

use super::wire::TempoTrace;
use crate::adapters::telemetry::common::retain_spans;
use crate::adapters::telemetry::otlp::map::{spans_to_events, MapError, Rejects};
use crate::core::model::ErrorEvent;
use crate::core::ports::telemetry::PollWindow;

/// Emits the error events of the spans in `trace` that start inside `window` and belong to one
/// of `services` (empty = any).
pub fn trace_to_events(
    mut trace: TempoTrace,
    services: &[String],
    window: PollWindow,
    sink: &mut dyn FnMut(ErrorEvent) -> Result<(), String>,
) -> Result<Rejects, MapError> {
    retain_spans(&mut trace.resource_spans, Some(services), Some(window));
    spans_to_events(&trace.resource_spans, sink)
}
