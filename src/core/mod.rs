//! The hexagon: domain model, ports and use cases. Depends on std, serde, sha2, regex and
//! thiserror only; never on adapters, clap, ureq, rusqlite, indicatif or comfy-table.

pub mod activity;
pub mod chart;
pub mod deferred;
pub mod diagnose;
pub mod fingerprint;
pub mod ledger;
pub mod lifecycle;
pub mod limits;
pub mod model;
pub mod notify;
pub mod pass;
pub mod poll;
pub mod ports;
pub mod redact;
pub mod regroup;
pub mod releases;
pub mod report;
pub mod suspects;
pub mod time;
pub mod triage;
pub mod visible;
