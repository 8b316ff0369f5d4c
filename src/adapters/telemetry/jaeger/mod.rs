//! The jaeger telemetry adapter (see issue: backends).
