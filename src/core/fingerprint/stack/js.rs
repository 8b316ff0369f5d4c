//! JavaScript stacks: V8/Node (`at fn (file:1:2)`), Firefox/Safari (`fn@file:1:2`), including
//! eval and anonymous frames.

use super::lines::{location_parts, split_location};
use super::{split_type_message, ParsedException};
use crate::core::model::Frame;

/// Part after `at ` looks like a V8 frame.
pub(crate) fn is_v8_frame(rest: &str) -> bool {
    let loc = v8_location(rest);
    let (file, line, _) = location_parts(loc);
    line.is_some() && file.is_some()
        || loc == "native"
        || loc == "<anonymous>"
        || rest == "<anonymous>"
}

fn v8_location(rest: &str) -> &str {
    let rest = rest.trim();
    if rest.ends_with(')') {
        if let Some(i) = rest.rfind(" (") {
            let inner = &rest[i + 2..rest.len() - 1];
            // eval frames: `(eval at speak (file:1:2), <anonymous>:1:30)` → the outer file.
            if let Some(e) = inner.strip_prefix("eval at ") {
                if let Some(s) = e.find(" (") {
                    let tail = &e[s + 2..];
                    let end = tail.find(')').unwrap_or(tail.len());
                    return &tail[..end];
                }
            }
            return inner;
        }
    }
    rest
}

/// `fn@file:1:2` (Gecko/JSC); also bare `@file:1:2` and JSC `global code@...`.
pub(crate) fn is_gecko_frame(t: &str) -> bool {
    match t.rfind('@') {
        Some(i) => {
            let loc = &t[i + 1..];
            location_parts(loc).1.is_some() || loc == "[native code]"
        }
        None => false,
    }
}

fn v8_frame(rest: &str) -> Frame {
    let rest = rest.trim();
    let loc = v8_location(rest);
    let func = if rest.ends_with(')') {
        rest.rfind(" (").map_or("", |i| &rest[..i])
    } else {
        ""
    };
    // `fn [as alias]` → fn
    let func = func.split(" [as ").next().unwrap_or(func).trim();
    let func = func.strip_prefix("async ").unwrap_or(func);
    let (file, line, column) = split_location(loc);
    let (module, function) = split_receiver(func);
    Frame {
        module,
        function,
        file,
        line,
        column,
        in_app: true,
        rule: None,
    }
}

fn gecko_frame(t: &str) -> Frame {
    let (func, loc) = t.rsplit_once('@').unwrap_or(("", t));
    // Firefox eval: `file.js line 26 > eval:1:30` → the file that called eval.
    let loc = loc.split(" line ").next().unwrap_or(loc);
    let (file, line, column) = if loc == "[native code]" {
        (None, None, None)
    } else {
        split_location(loc)
    };
    let (module, function) = split_receiver(func);
    Frame {
        module,
        function,
        file,
        line,
        column,
        in_app: true,
        rule: None,
    }
}

/// `Object.foo` → (Object, foo); `new Foo` → Foo.
fn split_receiver(func: &str) -> (Option<String>, String) {
    let func = func.strip_prefix("new ").unwrap_or(func).trim();
    if func.is_empty() {
        return (None, String::new());
    }
    match func.rfind('.') {
        Some(i) if i > 0 && !func[..i].ends_with('.') => {
            (Some(func[..i].to_string()), func[i + 1..].to_string())
        }
        _ => (None, func.to_string()),
    }
}

pub(crate) fn parse(text: &str) -> Vec<ParsedException> {
    let mut e = ParsedException::default();
    // One engine prints one shape: in a V8 stack (`at ...` frames), a `name@host:port` line is
    // message text (`Error: cannot reach app@db:5432`), not a Gecko frame.
    let v8 = text
        .lines()
        .any(|l| l.trim_start().strip_prefix("at ").is_some_and(is_v8_frame));
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix("at ") {
            if is_v8_frame(rest) {
                e.frames.push(v8_frame(rest));
                continue;
            }
        }
        if !v8 && is_gecko_frame(t) {
            e.frames.push(gecko_frame(t));
            continue;
        }
        if e.frames.is_empty() && e.exception_type.is_none() {
            let head = t.strip_prefix("# message: ").unwrap_or(t);
            let head = head.strip_prefix("Uncaught ").unwrap_or(head);
            let (ty, msg) = split_type_message(head);
            if ty.is_some() {
                e.exception_type = ty;
                e.message = msg;
            } else if e.message.is_none() {
                e.message = msg;
            }
        }
    }
    vec![e]
}
