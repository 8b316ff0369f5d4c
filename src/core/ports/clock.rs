//! The clock port: the only way the core learns the time, so tests can fix it.

use crate::core::model::UnixNanos;
use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock {
    fn now(&self) -> UnixNanos;
}

/// Wall-clock time. `ROUNDS_NOW` (RFC 3339) pins it, for reproducible runs and tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixNanos {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0)
    }
}

/// A clock that always answers the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub UnixNanos);

impl Clock for FixedClock {
    fn now(&self) -> UnixNanos {
        self.0
    }
}
