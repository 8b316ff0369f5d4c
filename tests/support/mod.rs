//! The shared test harness, compiled once into the integration binary (`tests/main.rs`).

pub mod diagnosis;
pub mod fake_http;
pub mod golden;
pub mod harness;
pub mod loghub;
pub mod measure;
pub mod otlp_gen;
pub mod pty;
