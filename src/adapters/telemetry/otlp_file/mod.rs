//! The otlp_file telemetry adapter: OTLP/JSON documents or JSON Lines from a file, directory or stdin.
