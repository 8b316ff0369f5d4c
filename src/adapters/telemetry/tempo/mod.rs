//! The tempo telemetry adapter (see issue: backends).
