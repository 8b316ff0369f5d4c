//! Fingerprinting: turn one error event into a stable signature id, with what explains it.
//!
//! The algorithm is versioned: every fingerprint records `ALGORITHM_VERSION`, and any change
//! that moves ids bumps it (see `poll --regroup`). A template-based fingerprint made here is
//! provisional: the poll pipeline passes it through the persistent template miner
//! (`core::regroup::TemplateGrouper`), which replaces the per-event template and id with its
//! cluster's (`template_id`).

pub mod cache;
pub mod nested;
pub mod stack;
pub mod template;

use crate::core::model::{self, ErrorEvent, Fingerprint, FingerprintBasis};
use sha2::{Digest, Sha256};

/// Version of the fingerprint algorithm. Bump on any change that moves ids.
///
/// v2: template-based signatures are keyed by the miner cluster's template, not by the one
/// event's masked message.
/// v3: user in-app rules (`ROUNDS_IN_APP`, `ROUNDS_NOT_IN_APP`, the `CODEBASE_PATH` files);
/// a stack with no application frame decides by its library frames; runtime frames never
/// decide; a stack's message template takes part only when a key frame threw it.
pub const ALGORITHM_VERSION: u32 = 3;

/// The miner scope of a template-based signature: its service and exception type.
pub fn scope_key(service: &str, exception_type: &str) -> String {
    format!("{service}\u{1f}{exception_type}")
}

/// The id of a template-based signature: service, exception type and template, so the same
/// message shape keeps the same id across passes.
pub fn template_id(service: &str, exception_type: &str, template: &str) -> String {
    hash_parts(&[
        &format!("v{ALGORITHM_VERSION}"),
        "template",
        service,
        exception_type,
        template,
    ])
}

/// When the root cause's message template takes part in a stack fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRole {
    /// Always (fingerprint v2).
    Always,
    /// Only when the exception was thrown by a key frame: then the message is that code's own
    /// words and stands in for the throw line (one method, several `throw`s). Thrown further in
    /// (a parser, the runtime), it describes the input, and the key frames that called decide
    /// alone: `Expecting value` and `Extra data` from one `json.loads` call are one bug.
    ThrownByKeyFrame,
    /// Never.
    Never,
}

/// Everything a fingerprint depends on besides the event: the user's in-app rules (data built
/// by the caller, e.g. the file index of `CODEBASE_PATH`) and the selection settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub in_app: stack::InAppRules,
    pub select: stack::SelectConfig,
    pub message: MessageRole,
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping {
            in_app: stack::InAppRules::builtin(),
            select: stack::SelectConfig::default(),
            message: MessageRole::ThrownByKeyFrame,
        }
    }
}

/// Fingerprint one event with the built-in rules: by its key frames when it has a usable
/// stack, else by its message template.
pub fn fingerprint(event: &ErrorEvent) -> Fingerprint {
    fingerprint_with(event, &Grouping::default())
}

/// Fingerprint one event with the given rules.
pub fn fingerprint_with(event: &ErrorEvent, grouping: &Grouping) -> Fingerprint {
    let parsed = event
        .stacktrace
        .as_deref()
        .and_then(|t| stack::parse_with(t, &grouping.in_app));
    let selection = parsed
        .as_ref()
        .map(|p| stack::select_with(p, &grouping.select));
    fingerprint_parsed_with(event, parsed.as_ref(), selection, grouping)
}

/// Fingerprint an event whose frames arrived already structured (e.g. Sentry-style JSON
/// frames): they are normalised and classified as if parsed from text in `language`.
pub fn fingerprint_frames(
    event: &ErrorEvent,
    language: stack::Language,
    exceptions: Vec<stack::ParsedException>,
) -> Fingerprint {
    let mut parsed = stack::ParsedStack {
        language,
        exceptions,
    };
    stack::normalise::normalise_stack(&mut parsed);
    let usable = parsed.frame_count() > 0;
    fingerprint_parsed(event, usable.then_some(&parsed))
}

/// Fingerprint an event given its already parsed and normalised stack (if any).
pub fn fingerprint_parsed(event: &ErrorEvent, parsed: Option<&stack::ParsedStack>) -> Fingerprint {
    let grouping = Grouping::default();
    let selection = parsed.map(|p| stack::select_with(p, &grouping.select));
    fingerprint_parsed_with(event, parsed, selection, &grouping)
}

/// The fingerprint of an event given its parsed stack and that stack's selection under
/// `grouping.select` (`Some` exactly when `parsed` is; computed once by the caller, or memoised
/// by [`cache::StackCache`]).
fn fingerprint_parsed_with(
    event: &ErrorEvent,
    parsed: Option<&stack::ParsedStack>,
    selection: Option<stack::Selection>,
    grouping: &Grouping,
) -> Fingerprint {
    let exception_type = event
        .exception_type
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| parsed.and_then(|p| p.top_type()))
        .unwrap_or_default();
    let message = event
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .or_else(|| parsed.and_then(|p| p.top_message()))
        .unwrap_or_default();
    let template = if message.is_empty() {
        // A failed span with no message: its operation is all that identifies it.
        event
            .span_name
            .as_deref()
            .map(template::mask)
            .unwrap_or_default()
    } else {
        template::mask(&message)
    };

    // A stack captured at the record call says who recorded the error, not who raised it:
    // the message decides (docs/grouping.md, "Recorded twice, or by middleware").
    let mut selection = selection;
    if let Some(parsed) = parsed.filter(|p| !stack::captured_at_recording(p)) {
        if let Some(selection) = selection.take_if(|s| !s.kept.is_empty()) {
            // The root cause's type names the failure and its key frames say where; its message
            // template may stand in for the throw line (see `MessageRole`).
            let root = parsed.root_cause();
            let chained = parsed.exceptions.len() > 1;
            let root_type = root
                .and_then(|r| r.exception_type.clone())
                .filter(|_| chained)
                .unwrap_or_else(|| exception_type.clone());
            let with_message = match grouping.message {
                MessageRole::Always => true,
                MessageRole::Never => false,
                // Panics and native crashes always pass through the runtime's panic or signal
                // frames, so the frames cannot tell whose words the message is.
                MessageRole::ThrownByKeyFrame if panics(parsed.language) => true,
                MessageRole::ThrownByKeyFrame => root
                    .zip(selection.kept.first())
                    .is_some_and(|(r, kept)| thrown_by(&r.frames, kept)),
            };
            let root_template = if !with_message {
                String::new()
            } else {
                match root.and_then(|r| r.message.as_deref()) {
                    Some(m) if chained => template::mask(first_line(m)),
                    // A one-line message (the usual case) was masked whole above.
                    _ if first_line(&message) == message => template.clone(),
                    _ => template::mask(first_line(&message)),
                }
            };
            let mut parts: Vec<String> = vec![
                format!("v{ALGORITHM_VERSION}"),
                "stack".into(),
                event.service.clone(),
                root_type,
                root_template,
            ];
            parts.extend(selection.kept.iter().map(|f| f.qualified()));
            return Fingerprint {
                id: hash_parts(&parts).into(),
                algorithm_version: ALGORITHM_VERSION,
                basis: FingerprintBasis::Stack,
                service: event.service.clone(),
                exception_type,
                template,
                key_frames: selection.kept,
                dropped_frames: selection.dropped,
            };
        }
    }
    Fingerprint {
        id: template_id(&event.service, &exception_type, &template).into(),
        algorithm_version: ALGORITHM_VERSION,
        basis: FingerprintBasis::Template,
        service: event.service.clone(),
        exception_type,
        template,
        key_frames: Default::default(),
        dropped_frames: selection.map(|s| s.dropped).unwrap_or_default(),
    }
}

/// Languages whose failures are raised by the runtime on the code's behalf (panics, signals).
fn panics(language: stack::Language) -> bool {
    matches!(
        language,
        stack::Language::Go | stack::Language::Rust | stack::Language::Native
    )
}

/// Did the code of `kept` throw, directly or through assertion helpers of a test framework
/// (which throw what the test asserted, in the test's words)? `frames` are the exception's,
/// innermost first. Runtime or library frames on the way mean someone else's code raised it
/// about its input.
fn thrown_by(frames: &[model::Frame], kept: &model::Frame) -> bool {
    for f in frames {
        if f.module == kept.module && f.function == kept.function {
            return true;
        }
        if f.rule != Some(model::FrameRule::TestRunner) {
            return false;
        }
    }
    false
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim()
}

/// SHA-256 over the parts separated by the unit separator, as 32 lower-case hex characters.
pub fn hash_parts<S: AsRef<str>>(parts: &[S]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(p.as_ref().as_bytes());
    }
    hex(&h.finalize()[..16])
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests;
