//! The findings report: what happened in a window, rendered as markdown (or handed to JSON), and
//! the markdown pieces every channel shares (signature section, escaping, fences).
//! Deterministic: the same store and options give byte-identical output. All telemetry text is
//! redacted and escaped here, so no caller can forget it.

use crate::core::model::{
    Diagnosis, Frame, HourlyCounts, SeenIn, Signature, SignatureReleases, Status, UnixNanos,
};
use crate::core::redact::redact;
use crate::core::time::rfc3339;
use std::fmt::Write as _;

/// `▁▂▃▄▅▆▇█` scaled to the maximum; zero is a middle dot (markdown collapses spaces).
pub fn sparkline(counts: &[u64]) -> String {
    crate::core::activity::sparkline(counts, '·')
}

/// One signature as the report (and the markdown and GitHub notifiers) show it.
#[derive(Debug, Clone)]
pub struct ReportEntry {
    pub signature: Signature,
    pub last_24h: HourlyCounts,
    /// Occurrences in the 24 h before `last_24h`.
    pub previous_24h: u64,
    pub escalating: bool,
    pub diagnosis: Option<Diagnosis>,
    pub trace_ids: Vec<String>,
    /// Suspect commits, at most [`crate::core::suspects::MAX_SUSPECTS`]; empty without a checkout.
    pub suspects: Vec<crate::core::suspects::Suspect>,
    /// Releases and environments seen (docs/releases.md).
    pub releases: SignatureReleases,
}

/// One row of the summary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub label: String,
    /// Signatures in this state seen within the window.
    pub in_window: u64,
    /// Signatures in this state in the whole store.
    pub all: u64,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub since: UnixNanos,
    pub until: UnixNanos,
    pub summary: Vec<SummaryRow>,
    pub spend_today_usd: f64,
    pub daily_budget_usd: Option<f64>,
    /// e.g. `http://jaeger:16686/trace/{trace_id}`; trace ids become links when set.
    pub trace_url_template: Option<String>,
    pub entries: Vec<ReportEntry>,
}

/// Escape telemetry text for markdown so it cannot inject links, mentions, issue references,
/// emphasis, headings, tables or HTML. Newlines become spaces (one item stays one line).
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '+' | '!' | '|' | '~'
            | '>' => {
                out.push('\\');
                out.push(c);
            }
            // `#123` and `owner/repo#1` are issue references on GitHub even when escaped.
            '#' => {
                out.push_str("\\#");
                if next.is_some_and(|n| n.is_ascii_alphanumeric()) {
                    out.push('\u{200b}');
                }
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            // A zero-width space keeps `@team` from pinging anyone.
            '@' => out.push_str("@\u{200b}"),
            // GitHub autolinks bare `http://` and `www.` text; break the pattern invisibly.
            ':' if next == Some('/') => out.push_str(":\u{200b}"),
            '.' if i >= 3
                && chars[i - 3..i]
                    .iter()
                    .collect::<String>()
                    .eq_ignore_ascii_case("www") =>
            {
                out.push_str("\u{200b}.")
            }
            '\n' | '\t' => out.push(' '),
            // Shown, not executed: `\x1b` (its backslash escaped for markdown).
            c if crate::core::visible::is_hostile(c) => {
                out.push('\\');
                out.push_str(&crate::core::visible::visible(c.encode_utf8(&mut [0; 4])));
            }
            c => out.push(c),
        }
    }
    out
}

/// Redact, then escape: the one way telemetry text enters markdown.
pub fn safe(s: &str) -> String {
    escape_md(&redact(s))
}

/// A code span that holds any text (backticks inside get a longer delimiter).
pub fn code(s: &str) -> String {
    let s = crate::core::visible::visible(&redact(s)).into_owned();
    let longest = longest_backtick_run(&s);
    let d = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{d}{pad}{s}{pad}{d}")
}

fn longest_backtick_run(s: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// A fenced code block whose fence is longer than any backtick run inside. Redacts.
pub fn fence(s: &str) -> String {
    let s = crate::core::visible::visible_lines(&redact(s)).into_owned();
    let f = "`".repeat((longest_backtick_run(&s) + 1).max(3));
    format!("{f}text\n{}\n{f}", s.trim_end())
}

/// `body` within `max_chars` characters and `max_bytes` bytes: cut at a line end where one is
/// near, any code fence the cut left open closed, and `note` appended to say so. The note and
/// the closing fence are budgeted, so the result is always within both limits.
pub fn fit(body: &str, max_chars: usize, max_bytes: usize, note: &str) -> String {
    if body.len() <= max_bytes && body.chars().count() <= max_chars {
        return body.to_string();
    }
    // Room for the note, a closing fence of up to 64 backticks and two newlines.
    let reserve_chars = note.chars().count() + 70;
    let reserve_bytes = note.len() + 70;
    let (lim_c, lim_b) = (
        max_chars.saturating_sub(reserve_chars),
        max_bytes.saturating_sub(reserve_bytes),
    );
    let mut end = 0;
    for (n, (i, c)) in body.char_indices().enumerate() {
        if n >= lim_c || i + c.len_utf8() > lim_b {
            break;
        }
        end = i + c.len_utf8();
    }
    let mut cut = &body[..end];
    if let Some(nl) = cut.rfind('\n') {
        if nl * 10 >= end * 9 {
            cut = &cut[..nl];
        }
    }
    let mut open: Option<String> = None;
    for line in cut.lines() {
        let t = line.trim_start();
        let ticks = t.chars().take_while(|&c| c == '`').count();
        if ticks >= 3 {
            match &open {
                Some(f) if ticks >= f.len() && t[ticks..].trim().is_empty() => open = None,
                None => open = Some("`".repeat(ticks)),
                _ => {}
            }
        }
    }
    let mut out = String::with_capacity(cut.len() + reserve_bytes);
    out.push_str(cut);
    if let Some(f) = open {
        if f.len() <= 64 {
            out.push('\n');
            out.push_str(&f);
        }
    }
    out.push_str("\n\n");
    out.push_str(note);
    out
}

/// A plain one-line title for a signature (issue titles, index lines): redacted, not escaped.
pub fn title(s: &Signature) -> String {
    let raw = match (s.exception_type.is_empty(), s.template.is_empty()) {
        (false, false) => format!("{}: {}", s.exception_type, s.template),
        (false, true) => s.exception_type.clone(),
        _ => s.template.clone(),
    };
    let one_line: String = redact(&raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.chars().count() > 100 {
        let mut t: String = one_line.chars().take(99).collect();
        t.push('…');
        t
    } else {
        one_line
    }
}

/// The first [`crate::core::model::SignatureId::SHORT`] characters of an id given as text.
pub use crate::core::model::short_id;

/// A trace id as a link when a URL template is configured and the id is plain hex.
pub fn trace_ref(trace_id: &str, template: Option<&str>) -> String {
    let is_hex = !trace_id.is_empty() && trace_id.chars().all(|c| c.is_ascii_hexdigit());
    match template {
        Some(t) if is_hex && t.contains("{trace_id}") => {
            let url: String = t
                .replace("{trace_id}", trace_id)
                .chars()
                .map(|c| match c {
                    ' ' => "%20".to_string(),
                    '(' => "%28".to_string(),
                    ')' => "%29".to_string(),
                    '<' => "%3C".to_string(),
                    '>' => "%3E".to_string(),
                    c => c.to_string(),
                })
                .collect();
            format!("[`{trace_id}`]({url})")
        }
        _ if is_hex => format!("`{trace_id}`"),
        _ => code(trace_id),
    }
}

fn frame_line(f: &Frame) -> String {
    match f.location() {
        Some(loc) => format!("{} ({})", code(&f.qualified()), code(&loc)),
        None => code(&f.qualified()),
    }
}

/// The body of one signature: facts, frames, sample, diagnosis. `level` is the heading level of
/// the sub-sections (the caller writes the signature's own heading).
pub fn signature_body(e: &ReportEntry, trace_url_template: Option<&str>) -> String {
    let mut o = String::new();
    let s = &e.signature;
    let _ = writeln!(o, "- **id:** `{}`", code_safe_id(&s.id));
    let _ = writeln!(o, "- **status:** {}", s.status);
    let _ = writeln!(
        o,
        "- **services:** {}",
        s.services
            .iter()
            .map(|x| safe(x))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        o,
        "- **count:** {} (last 24 h: {}, previous 24 h: {}{}) `{}`",
        s.count,
        e.last_24h.total(),
        e.previous_24h,
        if e.escalating { ", escalating" } else { "" },
        sparkline(&e.last_24h.counts)
    );
    let _ = writeln!(
        o,
        "- **first seen:** {} · **last seen:** {}",
        rfc3339(s.first_seen),
        rfc3339(s.last_seen)
    );
    release_lines(&mut o, s.status, &e.releases);
    if !s.exception_type.is_empty() {
        let _ = writeln!(o, "- **type:** {}", safe(&s.exception_type));
    }
    if !s.template.is_empty() {
        let _ = writeln!(o, "- **template:** {}", safe(&s.template));
    }
    if let Some(m) = s.sample_message.as_deref().filter(|m| !m.is_empty()) {
        let _ = writeln!(o, "- **sample message:** {}", safe(m));
    }
    if !e.trace_ids.is_empty() {
        let _ = writeln!(
            o,
            "- **traces:** {}",
            e.trace_ids
                .iter()
                .map(|t| trace_ref(t, trace_url_template))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let app: Vec<_> = s.key_frames.iter().filter(|f| f.in_app).take(5).collect();
    if !app.is_empty() {
        let _ = writeln!(o, "\nTop application frames:\n");
        for f in app {
            let _ = writeln!(o, "1. {}", frame_line(f));
        }
    }
    if !e.suspects.is_empty() {
        use crate::core::suspects::{clip, MAX_SUBJECT_CHARS, MAX_SUSPECTS};
        let _ = writeln!(
            o,
            "\nSuspect commits (last changed these lines before first seen):\n"
        );
        for c in e.suspects.iter().take(MAX_SUSPECTS) {
            let frames: Vec<String> = c
                .frames
                .iter()
                .take(MAX_SUSPECTS)
                .map(|f| code(&format!("{}:{}", f.path, f.line)))
                .collect();
            let _ = writeln!(
                o,
                "{}. `{}` {} {}: {} ({})",
                c.rank,
                code_safe_id(c.short_sha()),
                rfc3339(c.authored_at),
                // Redacted before the cut: a cap never leaves a secret's prefix.
                safe(&clip(&redact(&c.author), MAX_SUBJECT_CHARS)),
                safe(&clip(&redact(&c.subject), MAX_SUBJECT_CHARS)),
                frames.join(", ")
            );
        }
    }
    if let Some(stack) = s.sample_stack.as_deref().filter(|x| !x.trim().is_empty()) {
        let _ = writeln!(
            o,
            "\n<details><summary>Sample stack</summary>\n\n{}\n\n</details>",
            fence(stack)
        );
    }
    if let Some(d) = &e.diagnosis {
        let _ = writeln!(
            o,
            "\n**Diagnosis** ({} confidence, {} {}, {}):\n",
            d.confidence.as_str(),
            safe(&d.backend),
            safe(&d.model),
            rfc3339(d.created_at)
        );
        let _ = writeln!(o, "- **root cause:** {}", safe(&d.root_cause));
        let _ = writeln!(o, "- **fix:** {}", safe(&d.suggested_fix));
        if !d.evidence.is_empty() {
            let _ = writeln!(o, "- **evidence:**");
        }
        for ev in &d.evidence {
            let loc = ev
                .line
                .map(|l| format!("{}:{l}", ev.file))
                .unwrap_or_else(|| ev.file.clone());
            let _ = writeln!(
                o,
                "  - {}{} {}",
                code(&loc),
                if ev.verified { "" } else { " (unverified)" },
                safe(&ev.note)
            );
        }
    }
    o
}

/// Names listed per line at most (the store keeps up to 50 releases; JSON lists them all).
pub const RELEASES_SHOWN: usize = 10;

/// `a ×3, b ×1` for at most [`RELEASES_SHOWN`] entries, then how many more.
fn seen_list(rows: &[&SeenIn], name: impl Fn(&str) -> String) -> String {
    let mut parts: Vec<String> = rows
        .iter()
        .take(RELEASES_SHOWN)
        .map(|r| format!("{} ×{}", name(&r.name), r.count))
        .collect();
    if rows.len() > RELEASES_SHOWN {
        parts.push(format!("and {} more", rows.len() - RELEASES_SHOWN));
    }
    parts.join(", ")
}

/// The release lines of a signature section: first and last release, counts per release
/// (newest first in the release order), environments, and the release it regressed in or was
/// resolved as of. Nothing when its events named no release or environment.
fn release_lines(o: &mut String, status: Status, r: &SignatureReleases) {
    if let (Some(first), Some(last)) = (r.first_release(), r.last_release()) {
        let _ = writeln!(
            o,
            "- **releases:** first {} · last {} · {}",
            code(&first.name),
            code(&last.name),
            seen_list(&r.newest_first(), code)
        );
    }
    if !r.environments.is_empty() {
        let mut envs: Vec<&SeenIn> = r.environments.iter().collect();
        envs.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        let _ = writeln!(o, "- **environments:** {}", seen_list(&envs, safe));
    }
    match (status, &r.regressed_in, &r.resolved_in) {
        (Status::Regressed, Some(rel), _) => {
            let _ = writeln!(o, "- **regressed in release:** {}", code(rel));
        }
        (Status::Resolved, _, Some(rel)) => {
            let _ = writeln!(
                o,
                "- **resolved in:** the release after {} (only a newer release regresses it)",
                code(rel)
            );
        }
        _ => {}
    }
}

/// Signature ids are hex from the fingerprint; anything else is neutralised for a code span.
fn code_safe_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub fn markdown(r: &Report) -> String {
    markdown_within(r, usize::MAX, "")
}

/// The report in at most `max_bytes` bytes: the summary and chart, then each signature's
/// section while it fits whole, then one line per signature left out while those fit, then
/// `note` saying so. Sections are never cut mid-way (a fence left open would swallow the rest).
pub fn markdown_within(r: &Report, max_bytes: usize, note: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# rounds findings\n");
    let _ = writeln!(o, "Window: {} .. {}\n", rfc3339(r.since), rfc3339(r.until));
    let _ = writeln!(o, "| | in window | all |\n|---|---:|---:|");
    for row in &r.summary {
        let _ = writeln!(o, "| {} | {} | {} |", row.label, row.in_window, row.all);
    }
    let _ = writeln!(o);
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
        let _ = writeln!(o, "Nothing to report in this window.");
        return o;
    }
    // Room kept for the index heading, the note and their newlines.
    let reserve = note.len() + 160;
    let budget = max_bytes.saturating_sub(reserve);
    let chart = crate::core::chart::hourly_chart(&r.entries);
    if o.len() + chart.len() <= budget {
        o.push_str(&chart);
    }
    let mut shown = 0;
    for e in &r.entries {
        let s = &e.signature;
        let mut section = format!(
            "## {} · {}\n\n",
            short_id(&code_safe_id(&s.id)),
            escape_md(&title(s))
        );
        section.push_str(&signature_body(e, r.trace_url_template.as_deref()));
        section.push('\n');
        if o.len() + section.len() > budget {
            break;
        }
        o.push_str(&section);
        shown += 1;
    }
    let rest = &r.entries[shown..];
    if rest.is_empty() {
        return o;
    }
    let _ = writeln!(o, "## {} more signature(s)\n", rest.len());
    let mut listed = 0;
    for e in rest {
        let line = format!(
            "- `{}` {} ({} events, {})\n",
            short_id(&code_safe_id(&e.signature.id)),
            escape_md(&title(&e.signature)),
            e.signature.count,
            e.signature.status.as_str()
        );
        if o.len() + line.len() > budget {
            break;
        }
        o.push_str(&line);
        listed += 1;
    }
    if listed < rest.len() {
        let _ = writeln!(o, "- and {} more", rest.len() - listed);
    }
    let _ = writeln!(o);
    o.push_str(note);
    o
}

impl ReportEntry {
    /// What a notification knows about its signature, in the report's shape.
    pub fn from_notification(n: &crate::core::ports::Notification) -> ReportEntry {
        ReportEntry {
            signature: n.signature.clone(),
            last_24h: n.last_24h.clone().unwrap_or(HourlyCounts {
                end: n.signature.last_seen,
                counts: vec![0; 24],
            }),
            previous_24h: n.previous_24h.unwrap_or(0),
            escalating: n.kind == crate::core::ports::NotificationKind::Escalating,
            diagnosis: n.diagnosis.clone(),
            trace_ids: n.trace_ids.clone(),
            suspects: n.suspects.clone(),
            releases: n.releases.clone(),
        }
    }
}

/// The statuses a report shows by default.
pub const DEFAULT_STATUSES: [Status; 3] = [Status::New, Status::Regressed, Status::Diagnosed];

/// A copy of a signature with every telemetry string redacted (for JSON, which is not escaped).
pub fn redacted_signature(s: &Signature) -> Signature {
    let mut s = s.clone();
    s.exception_type = redact(&s.exception_type);
    s.template = redact(&s.template);
    s.services = s.services.iter().map(|x| redact(x)).collect();
    s.sample_stack = s.sample_stack.as_deref().map(redact);
    s.sample_message = s.sample_message.as_deref().map(redact);
    s.ignore_reason = s.ignore_reason.as_deref().map(redact);
    for f in &mut s.key_frames {
        f.function = redact(&f.function);
        f.module = f.module.as_deref().map(redact);
        f.file = f.file.as_deref().map(redact);
    }
    s
}

/// A copy of a diagnosis with its free text redacted.
pub fn redacted_diagnosis(d: &Diagnosis) -> Diagnosis {
    let mut d = d.clone();
    d.root_cause = redact(&d.root_cause);
    d.suggested_fix = redact(&d.suggested_fix);
    for ev in &mut d.evidence {
        ev.note = redact(&ev.note);
        ev.file = redact(&ev.file);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Confidence, Evidence, FingerprintBasis};

    #[test]
    fn sparkline_scales() {
        assert_eq!(sparkline(&[0, 1, 7, 14]), "·▁▄█");
        assert_eq!(sparkline(&[0, 0]), "··");
    }

    #[test]
    fn escaping_defuses_markdown_and_html() {
        let e = escape_md("[click](http://x) <img src=x> @admin **b** #12 www.evil.io");
        assert!(!e.contains("<img"));
        assert!(e.contains("\\[click\\]"));
        assert!(e.contains("@\u{200b}admin"));
        assert!(!e.contains("http://"));
        assert!(e.contains("\\#\u{200b}12"));
        assert!(!e.contains("www."));
        assert_eq!(fence("a ``` b"), "````text\na ``` b\n````");
        assert_eq!(code("a`b"), "``a`b``");
    }

    #[test]
    fn trace_links_only_for_hex_ids() {
        let t = Some("http://jaeger:16686/trace/{trace_id}");
        assert_eq!(
            trace_ref("0af7651916cd43dd8448eb211c80319c", t),
            "[`0af7651916cd43dd8448eb211c80319c`](http://jaeger:16686/trace/0af7651916cd43dd8448eb211c80319c)"
        );
        assert_eq!(trace_ref("abc", None), "`abc`");
        assert_eq!(trace_ref("x)(y", t), "`x)(y`");
    }

    #[test]
    fn fit_keeps_both_limits_and_closes_an_open_fence() {
        let body = format!(
            "# head\n\n```text\n{}\n```\ntail",
            "é line\n".repeat(50_000)
        );
        let note = "(truncated by rounds)";
        let out = fit(&body, 65_536, usize::MAX, note);
        assert!(out.chars().count() <= 65_536);
        assert!(out.ends_with(note));
        assert_eq!(out.matches("```").count() % 2, 0, "fence closed");
        let out = fit(&body, usize::MAX, 10_000, note);
        assert!(out.len() <= 10_000);
        assert_eq!(fit("short", 10, 10, note), "short");
    }

    #[test]
    fn diagnosis_text_is_redacted_and_escaped() {
        let sig = Signature {
            id: "0123456789abcdef0123456789abcdef".into(),
            algorithm_version: 1,
            basis: FingerprintBasis::Template,
            status: Status::Diagnosed,
            exception_type: "E".into(),
            template: "t".into(),
            key_frames: vec![],
            services: vec!["svc".into()],
            count: 1,
            first_seen: 0,
            last_seen: 0,
            sample_stack: None,
            sample_message: None,
            ignore_reason: None,
            ignored_until: None,
        };
        let d = Diagnosis {
            signature_id: sig.id.clone(),
            created_at: 0,
            root_cause: "token ghp_abcdefghijklmnopqrstuvwxyz0123 leaked <script>alert(1)</script>"
                .into(),
            suggested_fix: "ping @oncall".into(),
            confidence: Confidence::High,
            evidence: vec![Evidence {
                file: "src/a.rs".into(),
                line: Some(3),
                note: "[x](javascript:alert(1))".into(),
                verified: false,
            }],
            backend: "openai".into(),
            model: "m".into(),
            cost_usd: None,
            input_tokens: 0,
            output_tokens: 0,
            duration_ms: 0,
            prompt_version: 1,
            codebase_revision: None,
        };
        let e = ReportEntry {
            signature: sig,
            last_24h: HourlyCounts {
                end: 0,
                counts: vec![0; 24],
            },
            previous_24h: 0,
            escalating: false,
            diagnosis: Some(d),
            trace_ids: vec![],
            suspects: vec![crate::core::suspects::Suspect {
                rank: 1,
                sha: "0123456789abcdef0123456789abcdef01234567".into(),
                author: "Mallory @admins".into(),
                authored_at: 0,
                subject: format!(
                    "see [x](javascript:alert(1)) ghp_abcdefghijklmnopqrstuvwxyz0123456789 {}",
                    "s".repeat(300)
                ),
                frames: vec![crate::core::suspects::SuspectFrame {
                    function: "f".into(),
                    path: "src/a.rs".into(),
                    line: 3,
                }],
            }],
            releases: Default::default(),
        };
        let body = signature_body(&e, None);
        let suspect = body
            .lines()
            .find(|l| l.starts_with("1. `0123456789ab`"))
            .unwrap_or_else(|| panic!("{body}"));
        assert!(suspect.contains("Mallory @\u{200b}admins"), "{suspect}");
        assert!(suspect.contains("\\[x\\]\\(javascript"), "{suspect}");
        assert!(suspect.ends_with("… (`src/a.rs:3`)"), "{suspect}");
        assert!(suspect.chars().count() < 400, "{suspect}");
        assert!(!body.contains("ghp_abcdef"), "{body}");
        assert!(!body.contains("<script"), "{body}");
        assert!(body.contains("@\u{200b}oncall"));
        assert!(body.contains("`src/a.rs:3` (unverified) \\[x\\]\\(javascript:alert\\(1\\)\\)"));
    }
}
