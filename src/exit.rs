//! Exit codes: one documented table (README and man page), one exhaustive mapping from errors.

use crate::core::poll::PollError;
use crate::core::ports::{DiagnoserError, NotifyError, StoreError, TelemetryError};

/// The process exit codes, after sysexits(3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Exit {
    Ok = 0,
    /// Findings matched `--fail-on`.
    Findings = 1,
    Usage = 2,
    /// Partial: the pass finished and counted everything else, but skipped unreadable
    /// (poison) records, named on stderr and counted in `report`.
    Partial = 3,
    /// Bad data from a backend, an LLM or an input file.
    DataErr = 65,
    /// Unknown signature id, or a missing input file.
    NoInput = 66,
    /// Backend or required program unavailable.
    Unavailable = 69,
    Software = 70,
    /// Cannot create the database or a file.
    CantCreate = 73,
    /// Cannot write the database or a file.
    IoErr = 74,
    /// Transient failure (timeout, 429, 5xx, busy lock): retry next pass.
    TempFail = 75,
    /// Credentials rejected.
    NoPerm = 77,
    /// Bad configuration.
    Config = 78,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Severity for choosing one code among several failures (higher wins).
    pub fn severity(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Findings => 1,
            // Above findings: records were lost from this pass; below a retry (75), whose
            // next pass may also clear the skip.
            Exit::Partial => 2,
            Exit::TempFail => 3,
            Exit::Unavailable => 4,
            Exit::DataErr => 5,
            Exit::NoInput => 6,
            Exit::IoErr | Exit::CantCreate => 7,
            Exit::NoPerm => 8,
            Exit::Config | Exit::Usage => 9,
            Exit::Software => 10,
        }
    }

    pub fn worst(self, other: Exit) -> Exit {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

/// Any failure of a command: one line for the user and an exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Telemetry(#[from] TelemetryError),
    #[error(transparent)]
    Diagnoser(#[from] DiagnoserError),
    #[error(transparent)]
    Notify(#[from] NotifyError),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {reason}")]
    WriteFile { path: String, reason: String },
    /// Already reported (e.g. several failures printed one by one); carries the code.
    #[error("{message}")]
    Reported { message: String, exit: Exit },
}

impl From<PollError> for AppError {
    fn from(e: PollError) -> Self {
        match e {
            PollError::Telemetry(t) => AppError::Telemetry(t),
            PollError::Store(s) => AppError::Store(s),
        }
    }
}

impl AppError {
    pub fn exit(&self) -> Exit {
        match self {
            AppError::Store(e) => match e {
                StoreError::Missing { .. } => Exit::NoInput,
                StoreError::Create { .. } => Exit::CantCreate,
                StoreError::Write { .. } => Exit::IoErr,
                StoreError::Locked { .. } | StoreError::Busy { .. } => Exit::TempFail,
                StoreError::UnknownId { .. } => Exit::NoInput,
                StoreError::AmbiguousId { .. } => Exit::Usage,
                StoreError::TooNew { .. } => Exit::Config,
                StoreError::Corrupt { .. } => Exit::DataErr,
                StoreError::Unavailable { .. } => Exit::Unavailable,
                StoreError::MissingSchema { .. } => Exit::NoInput,
                StoreError::Credentials { .. } => Exit::NoPerm,
                StoreError::NoPass { .. } => Exit::Software,
            },
            AppError::Telemetry(e) => telemetry_exit(e),
            AppError::Diagnoser(e) => match e {
                DiagnoserError::Missing { .. } => Exit::Unavailable,
                DiagnoserError::Auth { .. } => Exit::NoPerm,
                DiagnoserError::Transient { .. } => Exit::TempFail,
                DiagnoserError::Invalid { .. } => Exit::DataErr,
                DiagnoserError::Budget { .. } => Exit::TempFail,
                DiagnoserError::Failed { .. } => Exit::Unavailable,
                DiagnoserError::Config { .. } => Exit::Config,
            },
            AppError::Notify(e) => notify_exit(e),
            AppError::Config(_) => Exit::Config,
            AppError::Usage(_) => Exit::Usage,
            AppError::WriteFile { .. } => Exit::IoErr,
            AppError::Reported { exit, .. } => *exit,
        }
    }
}

pub fn telemetry_exit(e: &TelemetryError) -> Exit {
    match e {
        TelemetryError::Unavailable { .. } => Exit::Unavailable,
        TelemetryError::Auth { .. } => Exit::NoPerm,
        TelemetryError::Transient { .. } => Exit::TempFail,
        TelemetryError::BadData { .. } => Exit::DataErr,
        TelemetryError::NotFound { .. } => Exit::NoInput,
        TelemetryError::Io { .. } => Exit::IoErr,
        TelemetryError::Config { .. } => Exit::Config,
        TelemetryError::Sink(_) => Exit::IoErr,
    }
}

pub fn notify_exit(e: &NotifyError) -> Exit {
    match e {
        NotifyError::Unavailable { .. } => Exit::Unavailable,
        NotifyError::Auth { .. } => Exit::NoPerm,
        NotifyError::Transient { .. } => Exit::TempFail,
        NotifyError::Rejected { .. } => Exit::DataErr,
        NotifyError::Io { .. } => Exit::IoErr,
        NotifyError::Config { .. } => Exit::Config,
    }
}
