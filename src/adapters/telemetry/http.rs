//! Shared blocking HTTP client for telemetry backends: auth, headers, retries, error mapping.
