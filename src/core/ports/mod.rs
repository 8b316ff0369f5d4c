//! Ports: the traits the core drives, owned by the core and implemented by adapters.
//!
//! One file per port so each adapter family evolves its contract without touching the others.

pub mod clock;
pub mod codebase;
pub mod diagnoser;
pub mod notifier;
pub mod store;
pub mod telemetry;

pub use clock::{Clock, FixedClock, SystemClock};
pub use codebase::{Codebase, CodebaseError};
pub use diagnoser::{Diagnoser, DiagnoserError};
pub use notifier::{Notification, NotificationKind, Notifier, NotifyError};
pub use store::{SignatureFilter, SignatureSort, SignatureStore, StoreError};
pub use telemetry::{
    FetchReport, HeldWindow, PollWindow, Quarantine, SourceCheck, TelemetryError, TelemetrySource,
};
