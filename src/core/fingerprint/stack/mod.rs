//! Stack traces: parse the text a runtime printed into frames, normalise them, and pick the
//! frames that identify a bug.
//!
//! Parsing is split per runtime (one file each); `normalise` cleans generated names and decides
//! which frames are application code; `select` picks the fingerprint inputs.

mod classify;
mod dotnet;
mod go;
pub mod in_app;
mod java;
mod js;
mod lines;
mod native;
pub mod normalise;
mod php;
mod python;
mod ruby;
mod select;

pub use in_app::{FileIndex, InAppRules};
pub use select::{
    captured_at_recording, is_helper, select, select_with, SelectConfig, Selection, KEY_FRAMES,
};

use crate::core::model::Frame;

/// The language a trace was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    Java,
    Go,
    JavaScript,
    DotNet,
    Ruby,
    Php,
    Rust,
    /// Sanitizer / native `#N 0xADDR in func file:line` frames that are not Rust.
    Native,
}

/// One exception of a trace (the outermost first; causes follow).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedException {
    pub exception_type: Option<String>,
    pub message: Option<String>,
    /// Innermost (where it was thrown) first.
    pub frames: Vec<Frame>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedStack {
    pub language: Language,
    /// Outermost exception first, then its causes in order (the last is the root cause).
    pub exceptions: Vec<ParsedException>,
}

impl ParsedStack {
    pub fn top_type(&self) -> Option<String> {
        self.exceptions
            .first()
            .and_then(|e| e.exception_type.clone())
    }
    pub fn top_message(&self) -> Option<String> {
        self.exceptions.first().and_then(|e| e.message.clone())
    }
    /// The innermost exception that has frames: where the bug was thrown.
    pub fn root_cause(&self) -> Option<&ParsedException> {
        self.exceptions.iter().rev().find(|e| !e.frames.is_empty())
    }
    /// All frames of all exceptions, outermost exception first.
    pub fn frame_count(&self) -> usize {
        self.exceptions.iter().map(|e| e.frames.len()).sum()
    }
}

/// Guess the runtime that printed `text`, from markers that only it prints.
///
/// The markers are checked in one pass over the lines (this runs for every event); the
/// precedence is Python, Go, native/Rust, PHP, Ruby, then whichever of JVM, .NET and V8 frames
/// dominate.
pub fn detect(text: &str) -> Option<Language> {
    if text.contains("Traceback (most recent call last)") {
        return Some(Language::Python);
    }
    let (mut go, mut native, mut php, mut ruby) = (false, false, false, false);
    let mut prev_is_call = false;
    // Java, .NET and V8 all print "at ..." lines: count which shape dominates.
    let (mut j, mut d, mut v) = (0usize, 0usize, 0usize);
    for line in text.lines() {
        let t = line.trim_start();
        // Each per-runtime check runs only when the line starts the way its frames must.
        if t.starts_with("File \"") && python::is_frame_line(line) {
            return Some(Language::Python);
        }
        if !go && go::frame_after(line, &mut prev_is_call) {
            go = true;
        }
        if t.starts_with('#') || t.starts_with("PHP ") {
            native = native || native::is_frame_line(line);
            php = php || php::is_frame_line(line);
        }
        ruby = ruby || ruby::is_frame_line(line);
        let Some(rest) = t.strip_prefix("at ") else {
            if js::is_gecko_frame(t) {
                v += 1;
            }
            continue;
        };
        if java::is_java_location(rest) {
            j += 1;
        } else if dotnet::is_dotnet_frame(rest) {
            d += 1;
        } else if js::is_v8_frame(rest) {
            v += 1;
        }
    }
    if go || text.contains("goroutine ") && text.contains(" [") {
        return Some(Language::Go);
    }
    if native || text.contains("panicked at") || text.contains("stack backtrace:") {
        return Some(if native::looks_rust(text) {
            Language::Rust
        } else {
            Language::Native
        });
    }
    if php {
        return Some(Language::Php);
    }
    if ruby {
        return Some(Language::Ruby);
    }
    if d > 0 && text.contains(" ---> ") || text.contains("--- End of") {
        d += 1;
    }
    let best = j.max(d).max(v);
    if best == 0 {
        return None;
    }
    Some(if best == j {
        Language::Java
    } else if best == d {
        Language::DotNet
    } else {
        Language::JavaScript
    })
}

/// Parse a stack trace into normalised frames classified by the built-in lists; `None` when no
/// frames were found.
pub fn parse(text: &str) -> Option<ParsedStack> {
    parse_with(text, &InAppRules::builtin())
}

/// Parse a stack trace into normalised frames classified by the user's in-app rules.
pub fn parse_with(text: &str, rules: &InAppRules) -> Option<ParsedStack> {
    let language = detect(text)?;
    let mut stack = parse_as(text, language)?;
    normalise::normalise_stack_with(&mut stack, rules);
    Some(stack)
}

/// Parse with a known language, without normalising (raw names, lines kept).
pub fn parse_as(text: &str, language: Language) -> Option<ParsedStack> {
    let exceptions = match language {
        Language::Python => python::parse(text),
        Language::Java => java::parse(text),
        Language::Go => go::parse(text),
        Language::JavaScript => js::parse(text),
        Language::DotNet => dotnet::parse(text),
        Language::Ruby => ruby::parse(text),
        Language::Php => php::parse(text),
        Language::Rust | Language::Native => native::parse(text),
    };
    if exceptions.iter().all(|e| e.frames.is_empty()) {
        return None;
    }
    Some(ParsedStack {
        language,
        exceptions,
    })
}

/// Split `Type: message` (the first line of most runtimes' output).
pub(crate) fn split_type_message(head: &str) -> (Option<String>, Option<String>) {
    let head = head.trim();
    match head.split_once(": ") {
        Some((t, m)) if lines::looks_like_type(t) => (
            Some(t.to_string()),
            Some(m.to_string()).filter(|m| !m.is_empty()),
        ),
        _ if head.ends_with(':') && lines::looks_like_type(&head[..head.len() - 1]) => {
            (Some(head[..head.len() - 1].to_string()), None)
        }
        _ if lines::looks_like_type(head) => (Some(head.to_string()), None),
        _ => (None, Some(head.to_string()).filter(|m| !m.is_empty())),
    }
}
