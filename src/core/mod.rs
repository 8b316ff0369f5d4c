//! The hexagon: domain model, ports and use cases. Depends on std, serde, sha2, regex and
//! thiserror only; never on adapters, clap, ureq, rusqlite, indicatif or comfy-table.

pub mod diagnose;
pub mod fingerprint;
pub mod model;
pub mod ports;
pub mod redact;
