//! Python tracebacks, including chained ones ("During handling of the above exception..." and
//! "The above exception was the direct cause...").

use super::{split_type_message, ParsedException};
use crate::core::model::Frame;

pub(crate) fn is_frame_line(line: &str) -> bool {
    parse_file_line(line).is_some()
}

/// `  File "path", line 12, in func` → frame.
fn parse_file_line(line: &str) -> Option<Frame> {
    let t = line.trim_start();
    let rest = t.strip_prefix("File \"")?;
    let (file, rest) = rest.split_once('"')?;
    let rest = rest.strip_prefix(", line ")?;
    let (num, func) = match rest.split_once(", in ") {
        Some((n, f)) => (n, f.trim()),
        None => (rest.trim(), "<module>"),
    };
    let line_no = num.trim().parse().ok();
    Some(Frame {
        module: None,
        function: func.to_string(),
        file: Some(file.to_string()),
        line: line_no,
        column: None,
        in_app: true,
        rule: None,
    })
}

pub(crate) fn parse(text: &str) -> Vec<ParsedException> {
    // Printed order: root cause first, the exception that finally escaped last.
    let mut printed: Vec<ParsedException> = Vec::new();
    let mut cur: Option<ParsedException> = None;
    let mut after_frames = false;
    for line in text.lines() {
        let t = line.trim();
        if t.ends_with("Traceback (most recent call last):") {
            if let Some(c) = cur.take() {
                printed.push(c);
            }
            cur = Some(ParsedException::default());
            after_frames = false;
            continue;
        }
        let Some(c) = cur.as_mut() else { continue };
        if let Some(mut f) = parse_file_line(line) {
            f.in_app = true;
            c.frames.push(f);
            after_frames = true;
            continue;
        }
        if !after_frames
            || t.is_empty()
            || t.starts_with("During handling")
            || t.starts_with("The above exception")
        {
            continue;
        }
        if t.starts_with('^') || t.starts_with('~') {
            continue; // 3.11+ caret markers
        }
        if c.exception_type.is_none() {
            // Source lines are indented; the exception line is not.
            if line.starts_with(' ') || line.starts_with('\t') {
                continue;
            }
            let (ty, msg) = split_type_message(t);
            if ty.is_some() {
                c.exception_type = ty;
                c.message = msg;
            }
        } else if let Some(m) = c.message.as_mut() {
            // Only unindented continuation lines of a multi-line message.
            if !line.starts_with(' ') {
                m.push('\n');
                m.push_str(t);
            }
        }
    }
    if let Some(c) = cur.take() {
        printed.push(c);
    }
    for e in &mut printed {
        e.frames.reverse(); // Python prints the innermost frame last.
    }
    printed.reverse();
    printed
}
