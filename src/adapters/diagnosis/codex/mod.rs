//! The codex diagnosis adapter.
