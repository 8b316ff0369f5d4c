//! .NET `Exception.ToString()` output, including ` ---> ` inner exceptions, async
//! "End of stack trace" markers and Ben.Demystifier's output.

use super::lines::is_digits;
use super::{split_type_message, ParsedException};
use crate::core::model::Frame;

/// Part after `at ` looks like a .NET frame: `Ns.Type.Method(args)[ in file:line N]`.
pub(crate) fn is_dotnet_frame(rest: &str) -> bool {
    if rest.contains(":line ") {
        return true;
    }
    let Some(open) = rest.find('(') else {
        return false;
    };
    if open == 0 || rest.as_bytes()[open - 1] == b' ' {
        return false;
    }
    // A `)` before the `(` is no argument list (and slicing across it would panic: found by
    // fuzz_parsers).
    let Some(close) = rest.rfind(')').filter(|&c| c > open) else {
        return false;
    };
    let inner = &rest[open + 1..close];
    !inner.rsplit(':').next().is_some_and(is_digits)
}

fn parse_frame(rest: &str) -> Frame {
    let rest = rest.trim();
    let (sig, location) = match rest.rfind(" in ") {
        Some(i) if rest[i..].contains(":line ") || rest[i + 4..].contains(['/', '\\']) => {
            (&rest[..i], Some(&rest[i + 4..]))
        }
        _ => (rest, None),
    };
    let (file, line) = match location.and_then(|l| l.rsplit_once(":line ")) {
        Some((f, n)) => (Some(f.to_string()), n.trim().parse().ok()),
        None => (location.map(str::to_string), None),
    };
    let open = sig.find('(').unwrap_or(sig.len());
    let head = sig[..open].trim();
    // Demystified: `async Task<string> Ns.Type.Method` → the last token is the name.
    let mut name = head.rsplit(' ').next().unwrap_or(head).to_string();
    if head.starts_with("new ") || head == "new" {
        name.push_str(".ctor");
    }
    // Demystified local functions / lambdas after the argument list: `)+LocalFunc(...)`, `)+()=>{}`.
    let after = sig[open..].find(")+").map(|i| &sig[open + i + 2..]);
    if let Some(a) = after {
        if a.starts_with('(') {
            name.push_str(".lambda");
        } else {
            let local = a.split('(').next().unwrap_or(a);
            if local != "MoveNext" {
                name.push('.');
                name.push_str(local);
            }
        }
    }
    let name = strip_generic_args(&name);
    let (module, function) = split_member(&name);
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

/// `List<T>+Enumerator.Move<X>` → `List+Enumerator.Move` (demystified generic arguments).
fn strip_generic_args(s: &str) -> String {
    if !s.contains('<') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    let b: Vec<char> = s.chars().collect();
    for (i, &c) in b.iter().enumerate() {
        match c {
            // Compiler-generated names (`<Method>d__4`) keep their brackets.
            '<' if depth == 0 && (i == 0 || b[i - 1] == '.' || b[i - 1] == '+') => out.push(c),
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// Split `Ns.Type.Method` at the last dot that is not inside `<...>`.
fn split_member(name: &str) -> (Option<String>, String) {
    let mut depth = 0i32;
    let mut split = None;
    for (i, c) in name.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            '.' if depth == 0 => split = Some(i),
            _ => {}
        }
    }
    match split {
        Some(i) if i > 0 => (Some(name[..i].to_string()), name[i + 1..].to_string()),
        _ => (None, name.to_string()),
    }
}

pub(crate) fn parse(text: &str) -> Vec<ParsedException> {
    let mut header = String::new();
    let mut blocks: Vec<Vec<Frame>> = vec![Vec::new()];
    let mut seen_frame = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("at ") {
            if is_dotnet_frame(rest) {
                seen_frame = true;
                if let Some(b) = blocks.last_mut() {
                    b.push(parse_frame(rest));
                }
                continue;
            }
        }
        if t.starts_with("--- End of inner exception stack trace") {
            blocks.push(Vec::new());
            continue;
        }
        if t.starts_with("--- End of stack trace from previous location") || t.is_empty() {
            continue;
        }
        if !seen_frame {
            if !header.is_empty() {
                header.push('\n');
            }
            header.push_str(t);
        }
    }
    let header = header
        .strip_prefix("Unhandled exception. ")
        .unwrap_or(&header);
    let header = header
        .strip_prefix("Unhandled Exception: ")
        .unwrap_or(header);
    let mut exceptions: Vec<ParsedException> = header
        .split(" ---> ")
        .map(|h| {
            let (ty, msg) = split_type_message(h);
            ParsedException {
                exception_type: ty,
                message: msg,
                frames: Vec::new(),
            }
        })
        .collect();
    // The first frame block belongs to the innermost exception, the last to the outermost.
    let n = exceptions.len();
    for (i, b) in blocks.into_iter().enumerate() {
        let idx = n.saturating_sub(1 + i);
        if let Some(e) = exceptions.get_mut(idx) {
            e.frames.extend(b);
        }
    }
    exceptions
}
