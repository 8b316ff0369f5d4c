//! Stack traces: parse the text a runtime printed into frames, normalise them, and pick the
//! frames that identify a bug.

use crate::core::model::{DropReason, Frame};

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
    /// Outermost exception first, then its causes in order.
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
}

/// Frames that take part in a fingerprint, and those left out with why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    pub kept: Vec<Frame>,
    pub dropped: Vec<(Frame, DropReason)>,
}

/// How many application frames decide a fingerprint.
pub const KEY_FRAMES: usize = 3;

/// Parse a stack trace; `None` when no frames could be recognised.
pub fn parse(text: &str) -> Option<ParsedStack> {
    parse_java(text)
}

fn parse_java(text: &str) -> Option<ParsedStack> {
    let mut exceptions: Vec<ParsedException> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("at ") {
            let (func, loc) = match rest.find('(') {
                Some(i) => (&rest[..i], rest[i + 1..].trim_end_matches(')')),
                None => (rest, ""),
            };
            let (module, function) = match func.rfind('.') {
                Some(i) => (Some(func[..i].to_string()), func[i + 1..].to_string()),
                None => (None, func.to_string()),
            };
            let (file, line_no) = match loc.rsplit_once(':') {
                Some((f, l)) => (Some(f.to_string()), l.parse().ok()),
                None => (Some(loc.to_string()).filter(|s| !s.is_empty()), None),
            };
            let in_app = !module.as_deref().is_some_and(|m| {
                m.starts_with("java.") || m.starts_with("sun.") || m.starts_with("jdk.")
            });
            if exceptions.is_empty() {
                exceptions.push(ParsedException::default());
            }
            if let Some(e) = exceptions.last_mut() {
                e.frames.push(Frame {
                    module,
                    function,
                    file,
                    line: line_no,
                    column: None,
                    in_app,
                });
            }
        } else if !t.is_empty() && !t.starts_with("...") {
            let head = t.strip_prefix("Caused by: ").unwrap_or(t);
            let (ty, msg) = match head.split_once(": ") {
                Some((a, b)) => (a.to_string(), Some(b.to_string())),
                None => (head.to_string(), None),
            };
            exceptions.push(ParsedException {
                exception_type: Some(ty),
                message: msg,
                frames: vec![],
            });
        }
    }
    if exceptions.iter().all(|e| e.frames.is_empty()) {
        return None;
    }
    Some(ParsedStack {
        language: Language::Java,
        exceptions,
    })
}

/// Pick the frames that identify the bug: application frames of the innermost cause first.
pub fn select(stack: &ParsedStack) -> Selection {
    let mut sel = Selection::default();
    let Some(root) = stack.exceptions.iter().rev().find(|e| !e.frames.is_empty()) else {
        return sel;
    };
    for f in &root.frames {
        let mut key = f.clone();
        key.line = None;
        key.column = None;
        if !f.in_app {
            sel.dropped.push((key, DropReason::Library));
        } else if sel.kept.len() >= KEY_FRAMES {
            sel.dropped.push((key, DropReason::BeyondDepth));
        } else {
            sel.kept.push(key);
        }
    }
    sel
}
