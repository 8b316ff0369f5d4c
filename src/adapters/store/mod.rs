//! Store adapters.

pub mod any;
pub mod memory;
pub mod postgres;
pub mod sqlite;
