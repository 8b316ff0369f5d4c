//! Notification adapters: stdout, markdown files, GitHub issues.

pub mod github;
pub mod markdown;
pub mod stdout;
