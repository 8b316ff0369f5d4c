//! The SQLite signature store.
