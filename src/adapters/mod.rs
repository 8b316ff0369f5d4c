//! Adapters: concrete implementations of the core's ports (telemetry, store, diagnosis, notify).

pub mod codebase;
pub mod diagnosis;
pub mod http;
pub mod liveness;
pub mod notify;
pub mod private_fs;
pub mod store;
pub mod telemetry;
