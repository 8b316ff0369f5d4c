//! The findings report: what happened in a window, rendered as markdown or JSON.
//! Deterministic: the same store and options give byte-identical output.

use crate::core::model::{Diagnosis, HourlyCounts, Signature, Status, UnixNanos};
use crate::core::time::rfc3339;
use std::fmt::Write as _;

/// `▁▂▃▄▅▆▇█` scaled to the maximum; zero is a space-like low bar.
pub fn sparkline(counts: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| {
            if max == 0 || c == 0 {
                '·'
            } else {
                BARS[((c * 7) / max) as usize]
            }
        })
        .collect()
}

/// One signature as the report shows it.
#[derive(Debug, Clone)]
pub struct ReportEntry {
    pub signature: Signature,
    pub last_24h: HourlyCounts,
    pub diagnosis: Option<Diagnosis>,
    pub trace_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub since: UnixNanos,
    pub until: UnixNanos,
    /// Count of signatures per status, over the whole store.
    pub totals: Vec<(Status, u64)>,
    pub spend_today_usd: f64,
    pub daily_budget_usd: Option<f64>,
    pub entries: Vec<ReportEntry>,
}

/// Escape telemetry text for markdown so it cannot inject links, mentions, emphasis or HTML.
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200b}"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A fenced code block whose fence is longer than any backtick run inside.
pub fn fence(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let f = "`".repeat((longest + 1).max(3));
    format!("{f}text\n{}\n{f}", s.trim_end())
}

pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# rounds findings\n");
    let _ = writeln!(o, "Window: {} .. {}\n", rfc3339(r.since), rfc3339(r.until));
    let _ = writeln!(o, "| status | signatures |\n|---|---:|");
    let mut total = 0;
    for (st, n) in &r.totals {
        total += n;
        let _ = writeln!(o, "| {st} | {n} |");
    }
    let _ = writeln!(o, "| **total** | {total} |\n");
    match r.daily_budget_usd {
        Some(b) => {
            let _ = writeln!(
                o,
                "LLM spend today: ${:.2} of ${:.2} (${:.2} left)\n",
                r.spend_today_usd,
                b,
                (b - r.spend_today_usd).max(0.0)
            );
        }
        None => {
            let _ = writeln!(o, "LLM spend today: ${:.2}\n", r.spend_today_usd);
        }
    }
    if r.entries.is_empty() {
        let _ = writeln!(o, "No new or regressed signatures in this window.");
        return o;
    }
    for e in &r.entries {
        let s = &e.signature;
        let title = if s.exception_type.is_empty() {
            s.template.clone()
        } else {
            s.exception_type.clone()
        };
        let _ = writeln!(
            o,
            "## {} `{}`\n",
            escape_md(&title),
            &s.id[..12.min(s.id.len())]
        );
        let _ = writeln!(o, "- **status:** {}", s.status);
        let _ = writeln!(o, "- **services:** {}", escape_md(&s.services.join(", ")));
        let _ = writeln!(
            o,
            "- **count:** {} (last 24 h: {} `{}`)",
            s.count,
            e.last_24h.total(),
            sparkline(&e.last_24h.counts)
        );
        let _ = writeln!(
            o,
            "- **first seen:** {}  **last seen:** {}",
            rfc3339(s.first_seen),
            rfc3339(s.last_seen)
        );
        let _ = writeln!(o, "- **template:** {}", escape_md(&s.template));
        if !e.trace_ids.is_empty() {
            let _ = writeln!(
                o,
                "- **traces:** {}",
                e.trace_ids
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let app: Vec<_> = s.key_frames.iter().filter(|f| f.in_app).take(5).collect();
        if !app.is_empty() {
            let _ = writeln!(o, "\nTop application frames:\n");
            for f in app {
                let _ = writeln!(o, "1. {}", escape_md(&f.qualified()));
            }
        }
        if let Some(stack) = &s.sample_stack {
            let _ = writeln!(
                o,
                "\n<details><summary>Sample stack</summary>\n\n{}\n\n</details>",
                fence(stack)
            );
        }
        if let Some(d) = &e.diagnosis {
            let _ = writeln!(
                o,
                "\n**Diagnosis** ({} confidence, {}):\n",
                d.confidence.as_str(),
                escape_md(&d.model)
            );
            let _ = writeln!(o, "- **root cause:** {}", escape_md(&d.root_cause));
            let _ = writeln!(o, "- **fix:** {}", escape_md(&d.suggested_fix));
            for ev in &d.evidence {
                let loc = ev
                    .line
                    .map(|l| format!("{}:{l}", ev.file))
                    .unwrap_or_else(|| ev.file.clone());
                let _ = writeln!(
                    o,
                    "  - `{}`{} {}",
                    loc.replace('`', "'"),
                    if ev.verified { "" } else { " (unverified)" },
                    escape_md(&ev.note)
                );
            }
        }
        let _ = writeln!(o);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales() {
        assert_eq!(sparkline(&[0, 1, 7, 14]), "·▁▄█");
        assert_eq!(sparkline(&[0, 0]), "··");
    }

    #[test]
    fn escaping_defuses_markdown_and_html() {
        let e = escape_md("[click](http://x) <img src=x> @admin **b**");
        assert!(!e.contains("<img"));
        assert!(e.contains("\\[click\\]"));
        assert!(e.contains("@\u{200b}admin"));
        assert_eq!(fence("a ``` b"), "````text\na ``` b\n````");
    }
}
