//! The telemetry port: where error events come from (an OTLP file, Jaeger, Tempo + Loki, SigNoz).

use crate::core::model::{ErrorEvent, UnixNanos};
use std::fmt;

/// The half-open time range `[start, end)` a pass asks a backend for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollWindow {
    pub start: UnixNanos,
    pub end: UnixNanos,
}

/// What `poll --check` learned about a backend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceCheck {
    pub backend: String,
    pub endpoint: String,
    pub services: Vec<String>,
    pub notes: Vec<String>,
}

/// What a fetch learned beyond the events themselves.
#[derive(Debug, Default)]
pub struct FetchReport {
    /// Human-readable notes, e.g. "jaeger: service checkout hit the backend's limit of 1500 traces".
    pub notes: Vec<String>,
    /// Per-service failures that did not stop the other services.
    pub partial_failures: Vec<(String, TelemetryError)>,
    /// Whether the window is position-free (a file) rather than time-based (a backend).
    pub window_ignored: bool,
    /// Records skipped as unreadable (poison), per input; the rest of the pass went on.
    pub quarantine: Quarantine,
    /// The source's read positions after this fetch (files), to be saved with the events.
    pub positions: Option<String>,
    /// The earliest window a time-based source could not read whole: the cursor must not pass it.
    pub held: Option<HeldWindow>,
    /// Where a time-based source stopped reading when that is before the window's end (Tempo
    /// ends searches 30 s before now): the cursor goes no further.
    pub read_until: Option<crate::core::model::UnixNanos>,
}

/// A window a backend could not return whole even at its finest resolution: the pass keeps
/// the cursor at `window.start` and exits 75, so the next pass tries again from there.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldWindow {
    pub service: String,
    pub window: PollWindow,
    pub reason: String,
}

/// How many examples of skipped records a pass names on stderr; the counts are always whole.
pub const QUARANTINE_EXAMPLES: usize = 5;

/// Poison records a fetch skipped: counts per input (every one), examples (the first few).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quarantine {
    /// `(input, records skipped)` in first-seen order; one entry per input file or endpoint.
    pub per_input: Vec<(String, u64)>,
    /// `file:line: why` for the first [`QUARANTINE_EXAMPLES`] records.
    pub examples: Vec<String>,
}

impl Quarantine {
    /// Count one skipped record of `input` (at `line` when it has one) and why.
    pub fn add(&mut self, input: &str, line: Option<u64>, why: &str) {
        match self.per_input.iter_mut().find(|(i, _)| i == input) {
            Some((_, n)) => *n += 1,
            None => self.per_input.push((input.to_string(), 1)),
        }
        if self.examples.len() < QUARANTINE_EXAMPLES {
            self.examples.push(match line {
                Some(l) => format!("{input}:{l}: {why}"),
                None => format!("{input}: {why}"),
            });
        }
    }

    pub fn total(&self) -> u64 {
        self.per_input.iter().map(|(_, n)| n).sum()
    }

    pub fn merge(&mut self, other: Quarantine) {
        for (input, n) in other.per_input {
            match self.per_input.iter_mut().find(|(i, _)| *i == input) {
                Some((_, m)) => *m += n,
                None => self.per_input.push((input, n)),
            }
        }
        for e in other.examples {
            if self.examples.len() < QUARANTINE_EXAMPLES {
                self.examples.push(e);
            }
        }
    }
}

/// Errors from a telemetry source. Each variant maps to one exit code.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("{backend}: cannot reach {url}: {reason}")]
    Unavailable {
        backend: String,
        url: String,
        reason: String,
    },
    #[error("{backend}: credentials rejected by {url} (HTTP {status}){hint}")]
    Auth {
        backend: String,
        url: String,
        status: u16,
        /// What to check, with its leading `; ` (empty when there is nothing to add).
        hint: String,
    },
    #[error("{backend}: {url}: {reason} (will retry next pass)")]
    Transient {
        backend: String,
        url: String,
        reason: String,
    },
    #[error("{location}: {detail}")]
    BadData { location: String, detail: String },
    #[error("{path}: {detail}")]
    NotFound { path: String, detail: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{backend}: {reason}")]
    Config { backend: String, reason: String },
    /// The event sink refused an event (the store failed); carries the sink's message.
    #[error("{0}")]
    Sink(String),
}

impl TelemetryError {
    /// Orders failures so a pass can exit with the most severe one.
    pub fn severity(&self) -> u8 {
        match self {
            TelemetryError::Transient { .. } => 1,
            TelemetryError::Unavailable { .. } => 2,
            TelemetryError::BadData { .. } => 3,
            TelemetryError::NotFound { .. } => 3,
            TelemetryError::Io { .. } => 4,
            TelemetryError::Auth { .. } => 5,
            TelemetryError::Config { .. } => 6,
            TelemetryError::Sink(_) => 7,
        }
    }
}

/// Receives events as the source reads them, so no source ever holds a whole input in memory.
/// Returning an error stops the fetch.
pub type EventSink<'a> = dyn FnMut(ErrorEvent) -> Result<(), String> + 'a;

pub trait TelemetrySource: Send {
    /// Backend name, e.g. `otlp_file`, `jaeger`.
    fn backend(&self) -> &str;

    /// Identifies the cursor: backend, endpoint and service set.
    fn cursor_scope(&self) -> String;

    /// Reach the backend, authenticate, list services; read nothing else.
    fn check(&mut self) -> Result<SourceCheck, TelemetryError>;

    /// Stream every error event in `window` into `sink`.
    fn fetch(
        &mut self,
        window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError>;

    /// The store key under which this source keeps read positions (per-file checkpoints);
    /// `None` for sources that only use the time cursor.
    fn positions_key(&self) -> Option<String> {
        None
    }

    /// Positions saved by the last committed pass (`None` on the first), before `fetch`.
    fn restore_positions(&mut self, _saved: Option<&str>) -> Result<(), TelemetryError> {
        Ok(())
    }

    /// The spans of one trace, for diagnosis context; `None` when the backend cannot fetch traces.
    fn fetch_trace(&mut self, _trace_id: &str) -> Result<Option<Vec<TraceSpan>>, TelemetryError> {
        Ok(None)
    }
}

/// One span of a trace around an error, for diagnosis context.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSpan {
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub service: String,
    pub name: String,
    pub start: UnixNanos,
    pub duration_nanos: i64,
    pub error: bool,
    pub status_message: Option<String>,
}

impl fmt::Display for PollWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.start, self.end)
    }
}
