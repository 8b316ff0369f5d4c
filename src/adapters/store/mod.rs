//! Store adapters.

pub mod memory;
pub mod sqlite;
