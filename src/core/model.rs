//! The domain model: error events as they arrive, the signatures they fold into, and their lifecycle.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Nanoseconds since the Unix epoch, UTC. Every timestamp in the core uses this unit.
pub type UnixNanos = i64;

pub const NANOS_PER_SEC: i64 = 1_000_000_000;
pub const NANOS_PER_HOUR: i64 = 3_600 * NANOS_PER_SEC;
pub const NANOS_PER_DAY: i64 = 24 * NANOS_PER_HOUR;

/// Where in the telemetry an error event was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventOrigin {
    /// A span event named `exception`.
    SpanEvent,
    /// A span with status ERROR that carries no exception event.
    SpanStatus,
    /// A log record with exception attributes or severity ERROR and above.
    LogRecord,
}

impl EventOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            EventOrigin::SpanEvent => "span_event",
            EventOrigin::SpanStatus => "span_status",
            EventOrigin::LogRecord => "log_record",
        }
    }
}

/// One occurrence of an error, as read from any telemetry source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEvent {
    /// Lower-case hex, 32 chars; empty when the record has no trace context.
    pub trace_id: String,
    /// Lower-case hex, 16 chars; empty when the record has no trace context.
    pub span_id: String,
    pub timestamp: UnixNanos,
    pub origin: EventOrigin,
    pub service: String,
    pub service_version: Option<String>,
    pub environment: Option<String>,
    pub span_name: Option<String>,
    pub span_kind: Option<String>,
    pub exception_type: Option<String>,
    pub message: Option<String>,
    pub stacktrace: Option<String>,
    /// Span, event and resource attributes flattened to strings, sorted by key.
    pub attributes: BTreeMap<String, String>,
    /// Which of the identical exceptions of this span and origin in one document this is
    /// (0-based), set by sources that read whole documents; `None` lets the ledger count runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<u32>,
    /// Attributes the source left undecoded (most events are counted and dropped): read the
    /// whole set with [`ErrorEvent::all_attributes`]; `attributes` then holds only the event's own.
    #[serde(skip)]
    pub deferred: Option<crate::core::deferred::DeferredAttributes>,
    /// The ledger's content digest of this event as its source computed it (for the ordinal),
    /// reused by the ledger key; whatever changes the service, type, message or stack resets it.
    #[serde(skip)]
    pub content_digest: ContentDigest,
}

/// A memo of [`crate::core::ledger::content_digest`]: a cache, so never part of equality.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContentDigest(pub Option<[u8; 16]>);

impl PartialEq for ContentDigest {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl ErrorEvent {
    /// A minimal event: used by adapters as a starting point and by tests.
    pub fn new(service: impl Into<String>, timestamp: UnixNanos, origin: EventOrigin) -> Self {
        ErrorEvent {
            trace_id: String::new(),
            span_id: String::new(),
            timestamp,
            origin,
            service: service.into(),
            service_version: None,
            environment: None,
            span_name: None,
            span_kind: None,
            exception_type: None,
            message: None,
            stacktrace: None,
            attributes: BTreeMap::new(),
            ordinal: None,
            deferred: None,
            content_digest: ContentDigest(None),
        }
    }

    /// Every attribute of the event: `attributes`, over whatever the source deferred.
    pub fn all_attributes(&self) -> std::borrow::Cow<'_, BTreeMap<String, String>> {
        match &self.deferred {
            None => std::borrow::Cow::Borrowed(&self.attributes),
            Some(d) => std::borrow::Cow::Owned(d.resolve(&self.attributes)),
        }
    }

    /// Decode deferred attributes into `attributes` (for callers that read the field).
    pub fn resolve_attributes(&mut self) {
        if let Some(d) = self.deferred.take() {
            self.attributes = d.resolve(&self.attributes);
        }
    }
}

/// The identity under which the event ledger counts an event exactly once.
///
/// Built from the trace context and the exception's content, plus an ordinal among identical
/// exceptions on the same span. The same exception seen as a span event and as a log record
/// (OTel's `logs/dup` opt-in) therefore has one key, and two identical exceptions recorded on
/// one span (a retry loop) still count twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventKey(pub String);

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed, normalised stack frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Frame {
    /// Module, package, class or namespace, when the language has one.
    pub module: Option<String>,
    /// Function or method name, normalised (generated and anonymous names cleaned).
    pub function: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Application code (true) or library/runtime/framework code (false).
    pub in_app: bool,
    /// Which rule decided `in_app` (for `show --explain`); `None` for frames stored before v3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<FrameRule>,
}

/// The rule that decided whether a frame is application code, in the order they are tried
/// (docs/grouping.md, "Which frames are application code").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameRule {
    /// Its module matches a `ROUNDS_NOT_IN_APP` prefix.
    NotInAppPrefix,
    /// Its module matches a `ROUNDS_IN_APP` prefix.
    InAppPrefix,
    /// Its file resolves inside `CODEBASE_PATH`.
    Codebase,
    /// It names a file, the codebase index is complete, and the file is not in it.
    OutsideCodebase,
    /// On no built-in list (the fallback when nothing above decided).
    BuiltinApp,
    /// A built-in list of third-party libraries and frameworks.
    BuiltinLibrary,
    /// The language runtime, its standard library, reflection or generated proxies.
    Runtime,
    /// A test runner or harness.
    TestRunner,
}

impl FrameRule {
    pub fn as_str(self) -> &'static str {
        match self {
            FrameRule::NotInAppPrefix => "ROUNDS_NOT_IN_APP",
            FrameRule::InAppPrefix => "ROUNDS_IN_APP",
            FrameRule::Codebase => "file in CODEBASE_PATH",
            FrameRule::OutsideCodebase => "file not in CODEBASE_PATH",
            FrameRule::BuiltinApp => "built-in: not a known library",
            FrameRule::BuiltinLibrary => "built-in library list",
            FrameRule::Runtime => "built-in runtime list",
            FrameRule::TestRunner => "built-in test-runner list",
        }
    }

    /// Not application code, but a third party's code the application ran: it takes part
    /// when a stack has no application frame at all. Runtime and test-runner frames never do.
    pub fn is_library(self) -> bool {
        matches!(
            self,
            FrameRule::NotInAppPrefix | FrameRule::OutsideCodebase | FrameRule::BuiltinLibrary
        )
    }
}

impl Frame {
    /// `module.function` or `function`, the frame's identity in a fingerprint.
    pub fn qualified(&self) -> String {
        match &self.module {
            Some(m) if !m.is_empty() => format!("{m}.{}", self.function),
            _ => self.function.clone(),
        }
    }

    /// `file:line` when both are known.
    pub fn location(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => Some(format!("{f}:{l}")),
            (Some(f), None) => Some(f.clone()),
            _ => None,
        }
    }
}

/// Lifecycle of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Investigating,
    Diagnosed,
    Resolved,
    Ignored,
    Regressed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Investigating,
        Status::Diagnosed,
        Status::Resolved,
        Status::Ignored,
        Status::Regressed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Investigating => "investigating",
            Status::Diagnosed => "diagnosed",
            Status::Resolved => "resolved",
            Status::Ignored => "ignored",
            Status::Regressed => "regressed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What decided a fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FingerprintBasis {
    /// Exception type plus the application frames that matter.
    Stack,
    /// Exception type plus the message template (no usable stack).
    Template,
}

impl FingerprintBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            FingerprintBasis::Stack => "stack",
            FingerprintBasis::Template => "template",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "stack" => Some(FingerprintBasis::Stack),
            "template" => Some(FingerprintBasis::Template),
            _ => None,
        }
    }
}

/// Why a frame did not take part in a fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    Library,
    /// Runtime, standard library or reflection frames.
    Runtime,
    TestRunner,
    Recursion,
    BeyondDepth,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Library => "library",
            DropReason::Runtime => "runtime",
            DropReason::TestRunner => "test runner",
            DropReason::Recursion => "recursion",
            DropReason::BeyondDepth => "beyond depth",
        }
    }
}

/// A signature's id: 32 lower-case hex characters (128 bits of a SHA-256 of the fingerprint's
/// parts), or whatever id an older store holds. Listings show its first [`SignatureId::SHORT`]
/// characters ([`SignatureId::short`]); any unique prefix finds it. Derefs to `str`, so it reads
/// where a `&str` id is taken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SignatureId(String);

impl SignatureId {
    /// Characters of an id that listings show.
    pub const SHORT: usize = 12;

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first [`SignatureId::SHORT`] characters, as every listing shows the id.
    pub fn short(&self) -> &str {
        short_id(&self.0)
    }
}

/// The first [`SignatureId::SHORT`] characters of an id given as text.
pub fn short_id(id: &str) -> &str {
    let end = id
        .char_indices()
        .nth(SignatureId::SHORT)
        .map(|(i, _)| i)
        .unwrap_or(id.len());
    &id[..end]
}

impl std::ops::Deref for SignatureId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SignatureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for SignatureId {
    fn from(s: String) -> Self {
        SignatureId(s)
    }
}

impl From<&str> for SignatureId {
    fn from(s: &str) -> Self {
        SignatureId(s.to_string())
    }
}

impl From<SignatureId> for String {
    fn from(id: SignatureId) -> String {
        id.0
    }
}

impl PartialEq<str> for SignatureId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SignatureId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for SignatureId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<SignatureId> for String {
    fn eq(&self, other: &SignatureId) -> bool {
        *self == other.0
    }
}

impl PartialEq<SignatureId> for &str {
    fn eq(&self, other: &SignatureId) -> bool {
        *self == other.0
    }
}

/// A fingerprint and everything that explains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub id: SignatureId,
    pub algorithm_version: u32,
    pub basis: FingerprintBasis,
    pub service: String,
    pub exception_type: String,
    /// The message with variable parts replaced by `<*>`.
    pub template: String,
    /// The frames that were hashed, innermost first. Shared with the memoised selection of the
    /// stack, so a repeated stack's fingerprint copies no frame.
    pub key_frames: std::sync::Arc<Vec<Frame>>,
    /// Frames seen but left out, with why (for `show --explain`).
    /// Shared with the memoised selection of the stack (`core::fingerprint::cache`).
    pub dropped_frames: std::sync::Arc<Vec<(Frame, DropReason)>>,
}

/// The stored, deduplicated record of one bug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub id: SignatureId,
    pub algorithm_version: u32,
    pub basis: FingerprintBasis,
    pub status: Status,
    pub exception_type: String,
    pub template: String,
    pub key_frames: Vec<Frame>,
    pub services: Vec<String>,
    pub count: u64,
    pub first_seen: UnixNanos,
    pub last_seen: UnixNanos,
    /// A full sample stack trace, when any event carried one.
    pub sample_stack: Option<String>,
    pub sample_message: Option<String>,
    pub ignore_reason: Option<String>,
    pub ignored_until: Option<UnixNanos>,
}

impl Signature {
    /// The signature a fingerprint's first event opens: new, uncounted (the store counts the
    /// event), first and last seen at `seen`. Every store starts a signature here.
    pub fn first_of(id: &str, fp: &Fingerprint, seen: UnixNanos) -> Signature {
        Signature {
            id: id.into(),
            algorithm_version: fp.algorithm_version,
            basis: fp.basis,
            status: Status::New,
            exception_type: fp.exception_type.clone(),
            template: fp.template.clone(),
            key_frames: fp.key_frames.to_vec(),
            services: vec![],
            count: 0,
            first_seen: seen,
            last_seen: seen,
            sample_stack: None,
            sample_message: None,
            ignore_reason: None,
            ignored_until: None,
        }
    }
}

/// One entry of a signature's status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub at: UnixNanos,
    pub from: Option<Status>,
    pub to: Status,
    pub reason: String,
}

/// A reference from a signature to one retained event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRef {
    pub trace_id: String,
    pub span_id: String,
    pub timestamp: UnixNanos,
    pub service: String,
}

/// One event kept whole (service version, message, attributes) as a sample of its signature;
/// the store keeps a few per signature so prompts and `show` can say what the failing calls had
/// in common.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSample {
    pub trace_id: String,
    pub span_id: String,
    pub timestamp: UnixNanos,
    pub service: String,
    pub service_version: Option<String>,
    pub message: Option<String>,
    /// Span, event and resource attributes flattened to strings, sorted by key.
    pub attributes: BTreeMap<String, String>,
}

/// How confident a diagnosis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            "low" => Some(Confidence::Low),
            _ => None,
        }
    }
}

/// One `file:line` reference cited by a diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub file: String,
    pub line: Option<u32>,
    pub note: String,
    /// False when the file does not exist in the codebase.
    pub verified: bool,
}

/// A root-cause diagnosis, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub signature_id: SignatureId,
    pub created_at: UnixNanos,
    pub root_cause: String,
    pub suggested_fix: String,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
    pub backend: String,
    pub model: String,
    pub cost_usd: Option<f64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub duration_ms: u64,
    pub prompt_version: u32,
    pub codebase_revision: Option<String>,
}

/// Counts per UTC hour, oldest first, ending at the hour that contains `end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourlyCounts {
    pub end: UnixNanos,
    pub counts: Vec<u64>,
}

impl HourlyCounts {
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// One release (`service.version`) or environment (`deployment.environment`) a signature was
/// seen in: its own count and first and last occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenIn {
    pub name: String,
    pub count: u64,
    pub first_seen: UnixNanos,
    pub last_seen: UnixNanos,
}

/// The releases and environments of one signature, as a store keeps them (bounded: see
/// [`crate::core::releases`]), and what release marks its resolution and last regression.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SignatureReleases {
    /// At most [`crate::core::releases::RELEASES_PER_SIGNATURE`], by first seen, then name.
    pub releases: Vec<SeenIn>,
    /// At most [`crate::core::releases::ENVIRONMENTS_PER_SIGNATURE`], by first seen, then name.
    pub environments: Vec<SeenIn>,
    /// While resolved by `resolve --in-next-release`: the release it was resolved as of (only
    /// an occurrence in a newer release, or in none, regresses it).
    pub resolved_in: Option<String>,
    /// The release of the occurrence that last regressed it (`None`: never regressed, or that
    /// occurrence named no release).
    pub regressed_in: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_id_is_its_text_everywhere_and_shows_its_first_twelve_characters() {
        let id = SignatureId::from("0123456789abcdef0123456789abcdef");
        assert_eq!(id.short(), "0123456789ab");
        assert_eq!(SignatureId::from("abc").short(), "abc");
        assert_eq!(short_id("ééééééééééééé"), "éééééééééééé");
        // Serialised as the bare string (the `--json` shapes do not change).
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"0123456789abcdef0123456789abcdef\""
        );
        let back: SignatureId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back, "abc");
        assert_eq!(id.to_string(), id.as_str());
        let owned = String::from("abc");
        assert!("abc" == back);
        assert!(back == *"abc");
        assert!(owned == back);
    }
}
