//! OTLP/JSON wire types and their mapping to error events, shared by every OTLP-shaped source.
