//! The loki telemetry adapter (see issue: backends).
