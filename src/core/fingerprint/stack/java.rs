//! JVM stack traces (Java, Kotlin, Scala): `at pkg.Class.method(File.java:12)`, `Caused by:`,
//! `Suppressed:` and `... N more`.

use super::lines::split_location;
use super::{split_type_message, ParsedException};
use crate::core::model::Frame;

/// Is the part after `at ` a JVM frame (`pkg.Cls.m(File.java:1)`, `(Native Method)`, ...)?
pub(crate) fn is_java_location(rest: &str) -> bool {
    let rest = without_packaging(rest.trim_end());
    // Byte search: `str::find(char)` verifies each hit with a memcmp call.
    let Some(open) = rest.bytes().position(|b| b == b'(') else {
        return false;
    };
    let Some(inner) = rest[open + 1..].strip_suffix(')') else {
        return false;
    };
    let name = &rest[..open];
    if name.as_bytes().contains(&b' ') {
        return false;
    }
    inner == "Native Method"
        || inner == "Unknown Source"
        || inner == "<generated>"
        || inner.starts_with("Unknown Source:")
        || inner.is_empty() && name.contains('.') && !name.contains("..")
        || has_jvm_source(inner) && !inner.bytes().any(|b| b == b'/' || b == b'\\')
        || inner.ends_with(".java")
        || inner.ends_with(".kt")
        || inner.ends_with(".scala")
}

/// Does `inner` contain `.java:`, `.kt:`, `.scala:`, `.groovy:`, `.clj:` or `.java)`? One pass
/// over the dots instead of six substring searches (this runs for every `at` line).
fn has_jvm_source(inner: &str) -> bool {
    const AFTER_DOT: [&[u8]; 6] = [b"java:", b"kt:", b"scala:", b"groovy:", b"clj:", b"java)"];
    let b = inner.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'.' && {
            let tail = &b[i + 1..];
            AFTER_DOT.iter().any(|e| tail.starts_with(e))
        }
    })
}

/// Logback and Log4j append the jar a frame came from: `Foo.bar(Foo.java:1) ~[app.jar:1.0]`.
fn without_packaging(rest: &str) -> &str {
    if rest.ends_with(']') {
        if let Some(i) = rest.rfind(") ") {
            let tail = rest[i + 2..].trim_start_matches('~');
            if tail.starts_with('[') {
                return &rest[..=i];
            }
        }
    }
    rest
}

/// Parse one `at` line's content into a raw frame.
pub(crate) fn parse_frame(rest: &str) -> Frame {
    // Java 9+ prefixes module info: `java.base@11/java.lang.Thread.run(...)`.
    let rest = without_packaging(rest.trim());
    let (func, loc) = match rest.find('(') {
        Some(i) => (&rest[..i], rest[i + 1..].trim_end_matches(')')),
        None => (rest, ""),
    };
    let func = func.rsplit_once('/').map_or(func, |(_, f)| f);
    let (module, function) = match func.rfind('.') {
        Some(i) => (Some(func[..i].to_string()), func[i + 1..].to_string()),
        None => (None, func.to_string()),
    };
    let (file, line, _) = if loc == "Native Method" || loc.starts_with("Unknown Source") {
        (None, None, None)
    } else {
        split_location(loc)
    };
    Frame {
        module,
        function,
        file,
        line,
        column: None,
        in_app: true,
        rule: None,
    }
}

pub(crate) fn parse(text: &str) -> Vec<ParsedException> {
    let mut out: Vec<ParsedException> = Vec::new();
    // Suppressed exceptions are side stories: their frames never decide.
    let mut in_suppressed = false;
    let mut pending_head: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        // Only a line shaped like a frame is one: message lines may start with `at ` too
        // (Jackson's `at [Source: (String)"..."; line: 1, column: 7]`).
        if let Some(rest) = t.strip_prefix("at ").filter(|r| is_java_location(r)) {
            if in_suppressed {
                continue;
            }
            if out.is_empty() {
                let (ty, msg) = pending_head
                    .take()
                    .map(|h| split_type_message(&h))
                    .unwrap_or_default();
                out.push(ParsedException {
                    exception_type: ty,
                    message: msg,
                    frames: vec![],
                });
            } else if let Some(h) = pending_head.take() {
                // Extra message lines before the first frame belong to the message.
                if let Some(e) = out.last_mut() {
                    let m = e.message.get_or_insert_with(String::new);
                    if !m.is_empty() {
                        m.push('\n');
                    }
                    m.push_str(&h);
                }
            }
            if let Some(e) = out.last_mut() {
                e.frames.push(parse_frame(rest));
            }
            continue;
        }
        if t.starts_with("... ") && t.ends_with(" more") || t.starts_with("...") && t.len() < 4 {
            continue;
        }
        if let Some(h) = t.strip_prefix("Caused by: ") {
            in_suppressed = false;
            let (ty, msg) = split_type_message(h);
            out.push(ParsedException {
                exception_type: ty,
                message: msg,
                frames: vec![],
            });
            continue;
        }
        if t.starts_with("Suppressed: ") {
            in_suppressed = true;
            continue;
        }
        if in_suppressed {
            continue;
        }
        if out.is_empty() {
            // Header (possibly multi-line message, or log noise before it): keep the last line
            // that looks like `Type: message`, or accumulate message continuation lines.
            let (ty, _) = split_type_message(t);
            let head = t
                .strip_prefix("Exception in thread ")
                .and_then(|r| r.split_once("\" ").map(|x| x.1))
                .unwrap_or(t);
            match (&mut pending_head, ty) {
                (_, Some(_)) => pending_head = Some(head.to_string()),
                (Some(p), None) => {
                    p.push('\n');
                    p.push_str(t);
                }
                (None, None) => {}
            }
        } else if let Some(e) = out.last_mut() {
            if e.frames.is_empty() {
                let m = e.message.get_or_insert_with(String::new);
                m.push('\n');
                m.push_str(t);
            }
        }
    }
    out
}
