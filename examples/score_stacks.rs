//! Fingerprint every Defects4J trace in a traces.jsonl and print `id<TAB>fingerprint`, for
//! scoring with scripts/score_grouping.py (see scripts/score-stacks.sh).
//!
//! Usage: score_stacks TRACES.jsonl [kind] [--key-frames N] [--message always|thrown|never]
//!        [--in-app PREFIXES] [--not-in-app PREFIXES] [--message-suffix TEXT] [--frames]
//! (the options vary the grouping settings for scripts/stack_generalisation.py; `kind` may be
//! `all`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // tests, benches and examples may panic and print

use rounds::core::fingerprint::stack::InAppRules;
use rounds::core::fingerprint::{fingerprint_with, Grouping, MessageRole};
use rounds::core::model::{ErrorEvent, EventOrigin};
use serde_json::Value;
use std::io::{BufRead, Write};

/// Rebuild the JVM's printed text: `Type: message`, `\tat f(loc)`, `... N more`, `Caused by:`.
pub fn java_text(v: &Value) -> String {
    let mut out = String::new();
    block(&mut out, v, "");
    if let Some(causes) = v["causes"].as_array() {
        for c in causes {
            block(&mut out, c, "Caused by: ");
        }
    }
    out
}

fn block(out: &mut String, v: &Value, prefix: &str) {
    let ty = v["exception_type"].as_str().unwrap_or("");
    let msg = v["message"].as_str().unwrap_or("");
    out.push_str(prefix);
    out.push_str(ty);
    if !msg.is_empty() {
        out.push_str(": ");
        out.push_str(msg);
    }
    out.push('\n');
    for f in v["frames"].as_array().into_iter().flatten() {
        let func = f[0].as_str().unwrap_or("");
        let loc = f[1].as_str().unwrap_or("");
        out.push_str(&format!("\tat {func}({loc})\n"));
    }
    if let Some(n) = v["frames_omitted"].as_u64().filter(|n| *n > 0) {
        out.push_str(&format!("\t... {n} more\n"));
    }
}

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut grouping = Grouping::default();
    let mut suffix = String::new();
    let mut show_frames = false;
    let mut positional = Vec::new();
    while !args.is_empty() {
        let a = args.remove(0);
        let mut value = || {
            if args.is_empty() {
                None
            } else {
                Some(args.remove(0))
            }
        };
        match a.as_str() {
            "--key-frames" => match value().and_then(|v| v.parse().ok()) {
                Some(n) => grouping.select.key_frames = n,
                None => return usage(),
            },
            "--message" => {
                grouping.message = match value().as_deref() {
                    Some("always") => MessageRole::Always,
                    Some("thrown") => MessageRole::ThrownByKeyFrame,
                    Some("never") => MessageRole::Never,
                    _ => return usage(),
                }
            }
            "--in-app" => {
                grouping.in_app.include = InAppRules::prefixes(&value().unwrap_or_default())
            }
            "--not-in-app" => {
                grouping.in_app.exclude = InAppRules::prefixes(&value().unwrap_or_default())
            }
            "--frames" => show_frames = true,
            "--message-suffix" => suffix = value().unwrap_or_default().replace("\\n", "\n"),
            _ => positional.push(a),
        }
    }
    let Some(path) = positional.first() else {
        return usage();
    };
    let kind = positional.get(1).cloned().filter(|k| k != "all");
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("score_stacks: cannot open {path}: {e}");
            return std::process::ExitCode::from(66);
        }
    };
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    for line in std::io::BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        let Ok(mut v) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if kind
            .as_deref()
            .is_some_and(|k| v["kind"].as_str() != Some(k))
        {
            continue;
        }
        if !suffix.is_empty() {
            // Perturbation: a second message line (as Jackson prints `at [Source: ...]`).
            let m = format!("{}{suffix}", v["message"].as_str().unwrap_or(""));
            v["message"] = Value::String(m);
        }
        let mut ev = ErrorEvent::new(
            v["project"].as_str().unwrap_or(""),
            0,
            EventOrigin::SpanEvent,
        );
        ev.exception_type = v["exception_type"].as_str().map(str::to_string);
        ev.message = v["message"].as_str().map(str::to_string);
        ev.stacktrace = Some(java_text(&v));
        let fp = fingerprint_with(&ev, &grouping);
        let frames = if show_frames {
            let kept: Vec<String> = fp.key_frames.iter().map(|f| f.qualified()).collect();
            format!("\t{}", kept.join(" < "))
        } else {
            String::new()
        };
        if writeln!(w, "{}\t{}{frames}", v["id"].as_str().unwrap_or(""), fp.id).is_err() {
            break;
        }
    }
    std::process::ExitCode::SUCCESS
}

fn usage() -> std::process::ExitCode {
    eprintln!(
        "usage: score_stacks TRACES.jsonl [kind|all] [--key-frames N] [--message always|thrown|never] \
         [--in-app PREFIXES] [--not-in-app PREFIXES] [--message-suffix TEXT]"
    );
    std::process::ExitCode::from(2)
}
