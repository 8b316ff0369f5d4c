//! The signoz telemetry adapter (see issue: backends).
