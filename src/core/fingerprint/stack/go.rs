//! Go panics and goroutine dumps: the panicking (or first running) goroutine decides.

use super::lines::{location_parts, split_location};
use super::ParsedException;
use crate::core::model::Frame;

/// One line of Go's two-line frames: true when `line` is the `\tfile.go:12 +0x1d` location
/// under a call line; `prev_is_call` carries whether the previous line was a call.
pub(crate) fn frame_after(line: &str, prev_is_call: &mut bool) -> bool {
    if *prev_is_call && line.starts_with('\t') && is_go_location(line.trim()) {
        return true;
    }
    *prev_is_call = line.ends_with(')') && !line.starts_with(char::is_whitespace);
    false
}

fn is_go_location(t: &str) -> bool {
    let loc = t.split(" +0x").next().unwrap_or(t);
    let (file, line, _) = location_parts(loc);
    line.is_some() && file.is_some_and(|f| f.ends_with(".go") || f.ends_with(".s"))
}

/// `pkg/path.(*T).Method(0x1, 0x2)` → (module `pkg/path`, function `(*T).Method`).
fn split_call(call: &str) -> (Option<String>, String) {
    let name = match call.rfind('(') {
        Some(i) if call.ends_with(')') && i > 0 => {
            // `(*T).m(...)`: the argument list is the last balanced paren group.
            let args_start = last_group_start(call).unwrap_or(i);
            &call[..args_start]
        }
        _ => call,
    };
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[slash..].find('.') {
        Some(dot) => (
            Some(name[..slash + dot].to_string()),
            name[slash + dot + 1..].to_string(),
        ),
        None => (None, name.to_string()),
    }
}

fn last_group_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0i32;
    for i in (0..b.len()).rev() {
        match b[i] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

pub(crate) fn parse(text: &str) -> Vec<ParsedException> {
    let mut message: Option<String> = None;
    let mut kind = "panic".to_string();
    // Goroutine blocks: (header, frames).
    let mut blocks: Vec<(String, Vec<Frame>)> = Vec::new();
    let mut pending: Option<(Option<String>, String)> = None;
    let mut loose: Vec<Frame> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if message.is_none() {
            for prefix in ["panic: ", "fatal error: "] {
                if let Some(m) = t.strip_prefix(prefix) {
                    message = Some(m.trim_end_matches(" [recovered]").to_string());
                    kind = prefix.trim_end_matches(": ").to_string();
                }
            }
        }
        if t.starts_with("goroutine ") && t.ends_with(':') {
            blocks.push((t.to_string(), Vec::new()));
            pending = None;
            continue;
        }
        if (line.starts_with('\t') || line.starts_with("    ")) && is_go_location(t) {
            if let Some((module, function)) = pending.take() {
                let loc = t.split(" +0x").next().unwrap_or(t);
                let (file, line_no, _) = split_location(loc);
                let f = Frame {
                    module,
                    function,
                    file,
                    line: line_no,
                    column: None,
                    in_app: true,
                    rule: None,
                };
                match blocks.last_mut() {
                    Some(b) => b.1.push(f),
                    None => loose.push(f),
                }
            }
            continue;
        }
        if t.is_empty() || line.starts_with(char::is_whitespace) {
            pending = None;
            continue;
        }
        if let Some(c) = t.strip_prefix("created by ") {
            let c = c.split(" in goroutine ").next().unwrap_or(c);
            pending = Some(split_call(c));
            continue;
        }
        if t.ends_with(')') || t.contains(".(") || t.ends_with("...") {
            let t = t.trim_end_matches("...");
            pending = Some(split_call(t));
        } else {
            pending = None;
        }
    }
    // The panicking goroutine is the one marked running (the first such) or else the first.
    let frames = blocks
        .iter()
        .find(|(h, f)| h.contains("[running") && !f.is_empty())
        .or_else(|| blocks.iter().find(|(_, f)| !f.is_empty()))
        .map(|(_, f)| f.clone())
        .unwrap_or(loose);
    vec![ParsedException {
        exception_type: Some(kind),
        message,
        frames,
    }]
}
