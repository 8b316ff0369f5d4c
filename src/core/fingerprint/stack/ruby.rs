//! Ruby backtraces (`file.rb:12:in 'method'`, `from ...`), including Rails' cleaned form
//! `gemname (1.2.3) lib/file.rb:12:in ...`.

use super::{split_type_message, ParsedException};
use crate::core::model::Frame;

pub(crate) fn is_frame_line(line: &str) -> bool {
    // Every frame has `:in ` (`contains` takes a SIMD path that `find` does not).
    line.contains(":in ") && parse_frame(line).is_some()
}

fn parse_frame(line: &str) -> Option<Frame> {
    let t = line.trim();
    let t = t.strip_prefix("from ").unwrap_or(t);
    let i = t.find(":in ")?;
    let (loc, func) = (&t[..i], &t[i + 4..]);
    let func = func.trim_matches(['`', '\'', '"']);
    let (file, line_no) = match loc.rsplit_once(':') {
        Some((f, n)) => (f, n.parse().ok()),
        None => (loc, None),
    };
    line_no?;
    if !(file.ends_with(".rb")
        || file.ends_with(".erb")
        || file.ends_with(".rake")
        || file.ends_with(".haml")
        || file.contains("(eval"))
    {
        return None;
    }
    // Ruby 3.4 prints `Klass#method` / `Klass.method`.
    let (module, function) = match func.rfind(['#', '.']) {
        Some(i) if !func.starts_with("block") && i > 0 => {
            (Some(func[..i].to_string()), func[i + 1..].to_string())
        }
        _ => (None, func.to_string()),
    };
    Some(Frame {
        module,
        function,
        file: Some(file.to_string()),
        line: line_no,
        column: None,
        in_app: true,
        rule: None,
    })
}

pub(crate) fn parse(text: &str) -> Vec<ParsedException> {
    let mut e = ParsedException::default();
    for line in text.lines() {
        if let Some(f) = parse_frame(line) {
            // `file:1:in 'm': message (Type)` — the first line of an uncaught exception.
            e.frames.push(f);
            if e.exception_type.is_none() {
                if let Some((_, tail)) = line.split_once("': ").or_else(|| line.split_once("': ")) {
                    take_header(&mut e, tail);
                }
            }
            continue;
        }
        let t = line.trim();
        if e.frames.is_empty() && e.exception_type.is_none() && !t.is_empty() {
            take_header(&mut e, t);
        }
    }
    if let Some(f) = e.frames.first_mut() {
        // The header's `: message (Type)` suffix was parsed into the function name.
        if let Some(i) = f.function.find(['\'', '`']) {
            f.function.truncate(i);
        }
    }
    vec![e]
}

/// `Type (message):` (Rails log), `message (Type)` (uncaught), or `Type: message`.
fn take_header(e: &mut ParsedException, t: &str) {
    let t = t.trim().trim_end_matches(':');
    if t.ends_with(')') {
        if let Some(i) = t.find(" (") {
            let (a, b) = (&t[..i], &t[i + 2..t.len() - 1]);
            if super::lines::looks_like_type(a) {
                e.exception_type = Some(a.to_string());
                e.message = Some(b.to_string());
                return;
            }
            if let Some(j) = t.rfind(" (") {
                let ty = &t[j + 2..t.len() - 1];
                if super::lines::looks_like_type(ty) {
                    e.exception_type = Some(ty.to_string());
                    e.message = Some(t[..j].to_string());
                    return;
                }
            }
        }
    }
    let (ty, msg) = split_type_message(t);
    e.exception_type = ty;
    e.message = msg;
}
