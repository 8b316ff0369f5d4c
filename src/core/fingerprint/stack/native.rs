//! Rust panics (RUST_BACKTRACE=1 and full) and sanitizer-style native frames
//! (`#3 0x55.. in func file.rs:12:5`).

use super::lines::{is_digits, split_location};
use super::ParsedException;
use crate::core::model::Frame;

pub(crate) fn is_frame_line(line: &str) -> bool {
    sanitizer_frame(line).is_some()
}

pub(crate) fn looks_rust(text: &str) -> bool {
    text.contains("panicked at")
        || text.contains("rust_begin_unwind")
        || text.contains("::h") && text.contains("/rustc/")
}

/// `#12 0xADDR in func file:line:col` (also Fuchsia `#0.3`); `#3 0xADDR in libpthread.so.0`.
fn sanitizer_frame(line: &str) -> Option<Frame> {
    let t = line.trim_start().strip_prefix('#')?;
    let (num, rest) = t.split_once(' ')?;
    if !num.split('.').all(is_digits) {
        return None;
    }
    let rest = rest.trim_start();
    let rest = if rest.starts_with("0x") {
        rest.split_once(' ')?.1.trim_start()
    } else {
        rest
    };
    let rest = rest.strip_prefix("in ")?;
    let (func, loc) = split_func_loc(rest);
    let (file, line_no, column) = loc.map(split_location).unwrap_or((None, None, None));
    Some(Frame {
        module: None,
        function: func.to_string(),
        file,
        line: line_no,
        column,
        in_app: true,
        rule: None,
    })
}

/// Separate `func(args) const file:1:2` → (func, file:1:2): the location is the last token that
/// looks like a path or `(module+0x..)`.
fn split_func_loc(rest: &str) -> (&str, Option<&str>) {
    let rest = rest.trim();
    // Drop Fuchsia `<>+0xb8bff` and `(.llvm.123)` suffixes.
    let rest = rest.split(" <").next().unwrap_or(rest);
    if let Some(i) = rest.rfind(' ') {
        let tail = &rest[i + 1..];
        if tail.starts_with('(') && tail.contains("+0x") {
            return (rest[..i].trim(), None);
        }
        if tail.contains('/') || tail.contains('\\') || split_location(tail).1.is_some() {
            let func = rest[..i].trim();
            let func = func.split(" (.llvm.").next().unwrap_or(func);
            return (func, Some(tail));
        }
    }
    (rest, None)
}

/// `   3: core::panicking::panic_fmt` / `   3:     0x55d - foo::h01` and `at file:1:2` lines.
fn backtrace_frame(line: &str) -> Option<Frame> {
    let t = line.trim_start();
    let (num, rest) = t.split_once(':')?;
    if !is_digits(num) {
        return None;
    }
    let rest = rest.trim();
    let rest = match rest.split_once(" - ") {
        Some((addr, f)) if addr.starts_with("0x") => f,
        _ => rest,
    };
    if rest.is_empty() {
        return None;
    }
    Some(Frame {
        function: rest.to_string(),
        in_app: true,
        rule: None,
        ..Frame::default()
    })
}

pub(crate) fn parse(text: &str) -> Vec<ParsedException> {
    let mut e = ParsedException {
        exception_type: Some("panic".into()),
        ..Default::default()
    };
    let mut sanitizer: Vec<Frame> = Vec::new();
    let mut backtrace: Vec<Frame> = Vec::new();
    let mut in_backtrace = false;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim();
        if e.message.is_none() {
            if let Some(i) = t.find("panicked at ") {
                let rest = &t[i + 12..];
                // Old: `panicked at 'msg', src/x.rs:1:2`; new: `panicked at src/x.rs:1:2:` + msg line.
                if let Some(m) = rest.strip_prefix('\'') {
                    let end = m.rfind("', ").unwrap_or(m.len());
                    e.message = Some(m[..end].to_string());
                } else if rest.ends_with(':') {
                    e.message = lines.peek().map(|l| l.trim().to_string());
                }
                continue;
            }
        }
        if t == "stack backtrace:" {
            in_backtrace = true;
            continue;
        }
        if let Some(f) = sanitizer_frame(line) {
            sanitizer.push(f);
            continue;
        }
        if in_backtrace {
            if let Some(loc) = t.strip_prefix("at ") {
                if let Some(f) = backtrace.last_mut() {
                    let (file, l, c) = split_location(loc);
                    f.file = file;
                    f.line = l;
                    f.column = c;
                }
            } else if let Some(f) = backtrace_frame(line) {
                backtrace.push(f);
            } else if !t.starts_with("note:") && !t.is_empty() {
                in_backtrace = false;
            }
        }
    }
    e.frames = if backtrace.is_empty() {
        sanitizer
    } else {
        backtrace
    };
    if e.message.is_none() {
        e.exception_type = text
            .lines()
            .find_map(|l| l.split_once("ERROR: AddressSanitizer: ").map(|x| x.1))
            .map(|m| m.split(' ').next().unwrap_or(m).to_string())
            .or(e.exception_type);
    }
    vec![e]
}
