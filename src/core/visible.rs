//! The one sanitiser for text shown to a person (terminal, markdown, GitHub): control
//! characters and escapes from telemetry are rendered visibly (`\x1b`, `\r`, `\u{202e}`), so
//! an exception type cannot set the terminal's clipboard (OSC 52), plant a link (OSC 8), ring
//! the bell, rewrite a line with a carriage return, or reorder text with a bidi override.

use std::borrow::Cow;

/// Whether `c` must not reach a person raw.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
}

fn render(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let needs = |c: char| is_hostile(c) && !(keep_lines && (c == '\n' || c == '\t'));
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !needs(c) {
            out.push(c);
        } else if !keep_lines && matches!(c, '\n' | '\t') {
            // Folded: one item stays one line, and a newline cannot forge the next one.
            out.push(' ');
        } else {
            push_escaped(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// One line: newlines and tabs folded to spaces, every other control shown as an escape.
pub fn visible(s: &str) -> Cow<'_, str> {
    render(s, false)
}

/// Several lines: newlines and tabs kept, every other control shown as an escape.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    render(s, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible_and_newlines_fold() {
        let hostile =
            "svc\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}]8;;http://x\u{1b}\\link\rfake\nnew line\u{202e}";
        let v = visible(hostile);
        assert_eq!(
            v,
            "svc\\x1b]52;c;ZXZpbA==\\x07\\x1b]8;;http://x\\x1b\\link\\rfake new line\\u{202e}"
        );
        assert!(!v.chars().any(|c| c.is_control()));
        let lines = visible_lines("a\u{1b}[2J\nb\u{9b}c");
        assert_eq!(lines, "a\\x1b[2J\nb\\x9bc");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        let s = "NullPointerException at Orders.java:88 — ünïcode ok, @\u{200b}team";
        assert!(matches!(visible(s), Cow::Borrowed(_)));
    }
}
