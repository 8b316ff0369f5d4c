//! PHP traces: `#0 /path/file.php(12): Class->method()` frames under "Stack trace:", with the
//! `PHP Fatal error:  Uncaught ...` / `exception 'X' with message '...'` headers.

use super::ParsedException;
use crate::core::model::Frame;

pub(crate) fn is_frame_line(line: &str) -> bool {
    parse_frame(line).is_some()
}

fn parse_frame(line: &str) -> Option<Frame> {
    let t = line.trim();
    let t = t.strip_prefix("PHP ").unwrap_or(t);
    let rest = t.strip_prefix('#')?;
    let (num, rest) = rest.split_once(' ')?;
    if !super::lines::is_digits(num) {
        return None;
    }
    if rest == "{main}" {
        return Some(Frame {
            function: "{main}".into(),
            in_app: true,
            rule: None,
            ..Frame::default()
        });
    }
    let (loc, call) = rest.split_once(": ")?;
    let (file, line_no) = if loc == "[internal function]" {
        (None, None)
    } else {
        let (f, n) = loc.strip_suffix(')')?.rsplit_once('(')?;
        (Some(f.to_string()), n.parse().ok())
    };
    let name = call.split('(').next().unwrap_or(call);
    let (module, function) = match name.find("->").or_else(|| name.find("::")) {
        Some(i) => (Some(name[..i].to_string()), name[i + 2..].to_string()),
        None => (None, name.to_string()),
    };
    Some(Frame {
        module,
        function,
        file,
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
            if f.function != "{main}" {
                e.frames.push(f);
            }
            continue;
        }
        if e.exception_type.is_none() {
            header(&mut e, line.trim());
        }
    }
    vec![e]
}

fn header(e: &mut ParsedException, t: &str) {
    // `exception 'Exception' with message 'm' in /f.php:5` (PHP 5) or
    // `Uncaught Exception: m in /f.php:5` (PHP 7+).
    if let Some(i) = t.find("exception '") {
        let rest = &t[i + 11..];
        if let Some((ty, rest)) = rest.split_once('\'') {
            e.exception_type = Some(ty.to_string());
            if let Some(m) = rest.strip_prefix(" with message '") {
                let end = m.rfind("' in ").unwrap_or(m.len());
                e.message = Some(m[..end].to_string());
            }
        }
    } else if let Some(i) = t.find("Uncaught ") {
        let rest = &t[i + 9..];
        let rest = rest.rsplit_once(" in /").map_or(rest, |x| x.0);
        let (ty, msg) = super::split_type_message(rest);
        e.exception_type = ty;
        e.message = msg;
    }
}
