//! `rounds show ID`: everything known about one signature.

use crate::app::settings::{self, Global};
use crate::app::wiring;
use crate::cli::ShowArgs;
use crate::core::model::{Frame, Status};
use crate::core::ports::store::prelude::*;
use crate::core::redact;
use crate::core::report::sparkline;
use crate::core::time::rfc3339;
use crate::exit::{AppError, Exit};
use crate::output::{json, Printer};
use std::fmt::Write as _;

fn frame_line(f: &Frame) -> String {
    let loc = f.location().map(|l| format!(" ({l})")).unwrap_or_default();
    let app = if f.in_app { "app" } else { "lib" };
    format!("{app}  {}{loc}", f.qualified())
}

pub fn run(g: &Global, args: &ShowArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let store = wiring::open_store_read(g)?;
    let sig = store.signature(&args.id)?;
    let history = store.status_history(&sig.id)?;
    let day = store.hourly_counts(&sig.id, now, 24)?;
    let week = store.hourly_counts(&sig.id, now, 24 * 7)?;
    let events = store.events(&sig.id, args.events)?;
    let samples = store.event_samples(&sig.id, 0)?;
    let diagnosis = store.latest_diagnosis(&sig.id)?;
    let explain = store.explain(&sig.id)?;
    let releases = store.releases(&sig.id)?;
    // Files the diagnosis cites that changed in git since it was made: the diagnosis is stale.
    let stale: Vec<String> = match (&diagnosis, &args.codebase) {
        (Some(d), Some(root)) => match crate::app::wiring::checkout(Some(root)) {
            Some(cb) => crate::core::diagnose::stale_files(d, &cb).unwrap_or_default(),
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    // Suspect commits need the checkout; without CODEBASE_PATH the section is absent (null).
    let suspects = args.codebase.as_ref().and_then(|root| {
        let cb = crate::app::wiring::checkout(Some(root))?;
        // Samples are newest first; the first occurrence's release is tried first.
        let mut releases: Vec<String> = samples
            .iter()
            .rev()
            .filter_map(|e| e.service_version.clone())
            .collect();
        releases.dedup();
        Some(crate::core::suspects::find(&sig, &releases, &cb))
    });
    let cluster = if args.explain {
        crate::core::regroup::cluster_of_signature(&store, &sig)?
    } else {
        None
    };

    if args.json {
        let mut signature = json::signature(&sig);
        let previous_24h = crate::core::triage::day_over_day(&week).1;
        json::add_activity(&mut signature, &sig, &day, previous_24h);
        json::add_releases(&mut signature, &releases);
        let mut doc = serde_json::json!({
            "version": json::JSON_VERSION,
            "signature": signature,
            "sample_stack": sig.sample_stack,
            "sample_message": sig.sample_message,
            "last_24h": json::hourly(&day),
            "last_7d_total": week.total(),
            "history": json::history(&history),
            "events": json::events(&events),
            "samples": json::samples(&samples),
            "diagnosis": diagnosis.as_ref().map(json::diagnosis),
            "diagnosis_stale_files": stale,
            "suspects": suspects.as_ref().map(suspects_json),
        });
        json::add_releases(&mut doc, &releases);
        if args.explain {
            doc["explain"] = explain_json(&sig, &explain);
            doc["explain"]["variable_positions"] =
                serde_json::json!(crate::core::regroup::variable_positions(&sig.template));
            doc["explain"]["cluster_id"] = serde_json::json!(cluster);
        }
        printer
            .data(&json::text(&doc))
            .map_err(|e| AppError::WriteFile {
                path: "<stdout>".into(),
                reason: e.to_string(),
            })?;
        return Ok(Exit::Ok);
    }

    let mut o = String::new();
    // Header: what it is, its state, where and how often; then what the diagnosis says.
    let _ = writeln!(
        o,
        "{}  {}",
        sig.id.short(),
        crate::core::report::title(&sig)
    );
    let _ = writeln!(o, "signature  {}", sig.id);
    let since = history.last().map(|c| c.at).unwrap_or(sig.first_seen);
    let previous_24h = crate::core::triage::day_over_day(&week).1;
    let policy = crate::core::triage::NotifyPolicy {
        min_occurrences: 1,
        escalation_factor: settings::escalation_factor(args.escalation_factor)?,
    };
    let escalating = !matches!(sig.status, Status::Ignored | Status::Resolved)
        && crate::core::triage::is_escalating(day.total(), previous_24h, &policy);
    let _ = writeln!(
        o,
        "status     {} since {}{}",
        sig.status,
        when(now, since),
        if escalating {
            format!(
                " · ESCALATING: {} in 24 h, {} the day before",
                day.total(),
                previous_24h
            )
        } else {
            String::new()
        }
    );
    if let Some(r) = &sig.ignore_reason {
        let _ = writeln!(
            o,
            "ignored    {r}{}",
            sig.ignored_until
                .map(|u| format!(" (until {})", when(now, u)))
                .unwrap_or_else(|| " (until `rounds ignore --undo`)".into())
        );
    } else if let Some(u) = sig.ignored_until {
        let _ = writeln!(o, "ignored    until {}", when(now, u));
    }
    let _ = writeln!(o, "services   {}", sig.services.join(", "));
    if let Some(w) = crate::core::activity::location(&sig) {
        let line = sig
            .key_frames
            .iter()
            .find(|f| f.in_app)
            .or(sig.key_frames.first())
            .and_then(|f| f.line)
            .map(|l| format!(" (line {l})"))
            .unwrap_or_default();
        let _ = writeln!(o, "where      {w}{line}");
    }
    let _ = writeln!(
        o,
        "count      {} (last 24 h: {}, day before: {}, last 7 d: {})",
        sig.count,
        day.total(),
        previous_24h,
        week.total()
    );
    let _ = writeln!(o, "first seen {}", when(now, sig.first_seen));
    let _ = writeln!(o, "last seen  {}", when(now, sig.last_seen));
    o.push_str(&releases_text(sig.status, &releases));
    if let Some(d) = &diagnosis {
        let _ = writeln!(
            o,
            "\ndiagnosis ({}, {} confidence, {})",
            d.model,
            d.confidence.as_str(),
            rfc3339(d.created_at)
        );
        if !stale.is_empty() {
            let _ = writeln!(
                o,
                "  STALE: changed since this diagnosis: {}",
                stale.join(", ")
            );
        }
        let _ = writeln!(
            o,
            "  cost:       {}, {} in / {} out tokens, {} ms{}",
            d.cost_usd
                .map(|c| format!("${c:.4}"))
                .unwrap_or_else(|| "unknown".into()),
            d.input_tokens,
            d.output_tokens,
            d.duration_ms,
            d.codebase_revision
                .as_deref()
                .map(|r| format!(", at {}", &r[..r.len().min(12)]))
                .unwrap_or_default()
        );
        let _ = writeln!(o, "  root cause: {}", d.root_cause);
        let _ = writeln!(o, "  fix:        {}", d.suggested_fix);
        for e in &d.evidence {
            let loc = e
                .line
                .map(|l| format!("{}:{l}", e.file))
                .unwrap_or_else(|| e.file.clone());
            let _ = writeln!(
                o,
                "  - {loc}{} {}",
                if e.verified { "" } else { " (unverified)" },
                e.note
            );
        }
    }
    if let Some(sx) = &suspects {
        let _ = writeln!(o, "\n{}", suspects_text(sx));
    }
    if !sig.key_frames.is_empty() {
        let _ = writeln!(o, "\nwhere (key frames, innermost first)");
        for f in &sig.key_frames {
            let _ = writeln!(o, "  {}", frame_line(f));
        }
    }
    let _ = writeln!(o, "\nfrequency");
    o.push_str(&frequency(&day.counts, &daily(&week.counts)));
    let _ = writeln!(
        o,
        "fingerprint v{} by {}",
        sig.algorithm_version,
        sig.basis.as_str()
    );
    if args.explain {
        let _ = writeln!(o, "\nexplain");
        let _ = writeln!(
            o,
            "  exception type  {}",
            if sig.exception_type.is_empty() {
                "(none)"
            } else {
                &sig.exception_type
            }
        );
        let _ = writeln!(
            o,
            "  basis           {} (the {})",
            sig.basis.as_str(),
            match sig.basis {
                crate::core::model::FingerprintBasis::Stack
                    if !sig.key_frames.is_empty() && sig.key_frames.iter().all(|f| !f.in_app) =>
                    "library frames below decide: no application frame in the stack",
                crate::core::model::FingerprintBasis::Stack => "application frames below decide",
                crate::core::model::FingerprintBasis::Template =>
                    "message template decides: no usable stack, or a stack captured where the error was recorded",
            }
        );
        let _ = writeln!(o, "  template        {}", sig.template);
        let vars: Vec<String> = crate::core::regroup::variable_positions(&sig.template)
            .iter()
            .map(|i| i.to_string())
            .collect();
        let _ = writeln!(
            o,
            "  variable tokens {}",
            if vars.is_empty() {
                "none".into()
            } else {
                vars.join(", ")
            }
        );
        if sig.basis == crate::core::model::FingerprintBasis::Template {
            let _ = writeln!(
                o,
                "  cluster         {}",
                cluster
                    .map(|c| format!(
                        "#{c} (template miner, scope {} / {})",
                        sig.services.join(","),
                        sig.exception_type
                    ))
                    .unwrap_or_else(|| {
                        "not held by the template miner (evicted, or run poll --regroup)".into()
                    })
            );
        }
        for f in &sig.key_frames {
            let _ = writeln!(o, "  kept     {}  [{}]", f.qualified(), rule_of(f));
        }
        for (f, why) in &explain {
            let _ = writeln!(
                o,
                "  dropped  {} ({})  [{}]",
                f.qualified(),
                why.as_str(),
                rule_of(f)
            );
        }
    }
    if !samples.is_empty() {
        let _ = writeln!(o, "\nsamples ({} kept, newest first)", samples.len());
        for e in samples.iter().take(SAMPLES_SHOWN) {
            let version = e
                .service_version
                .as_deref()
                .map(|v| format!(" {}", shown(v)))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  {}  {}{version}  trace {}",
                when(now, e.timestamp),
                e.service,
                trace_ref(&e.trace_id, args.trace_url_template.as_deref())
            );
            if let Some(m) = e.message.as_deref().filter(|m| !m.is_empty()) {
                let _ = writeln!(o, "    {}", crate::output::table::clip(m, 160));
            }
        }
    }
    if let Some(stack) = &sig.sample_stack {
        let _ = writeln!(o, "\nsample stack\n{}", indent(stack));
    } else if let Some(m) = &sig.sample_message {
        let _ = writeln!(o, "\nsample message\n{}", indent(m));
    }
    let _ = writeln!(o, "\nhistory");
    for c in &history {
        let from = c.from.map(|s| format!("{s} -> ")).unwrap_or_default();
        let _ = writeln!(o, "  {}  {from}{}  {}", rfc3339(c.at), c.to, c.reason);
    }
    let _ = writeln!(o, "\nevents ({} shown)", events.len());
    for e in &events {
        let _ = writeln!(
            o,
            "  {}  trace {}  span {}  {}",
            rfc3339(e.timestamp),
            trace_ref(&e.trace_id, args.trace_url_template.as_deref()),
            or_dash(&e.span_id),
            e.service
        );
    }
    printer
        .page(&o, args.no_pager)
        .map_err(|e| AppError::WriteFile {
            path: "<stdout>".into(),
            reason: e.to_string(),
        })?;
    Ok(Exit::Ok)
}

/// Release names come from telemetry: redacted, and controls shown rather than run.
fn shown(s: &str) -> String {
    crate::core::visible::visible(&redact::configured().redact(s)).into_owned()
}

/// The release lines of `show` (docs/releases.md); empty when no event named a release or an
/// environment.
fn releases_text(
    status: crate::core::model::Status,
    r: &crate::core::model::SignatureReleases,
) -> String {
    use crate::core::model::Status;
    let mut o = String::new();
    if let (Some(first), Some(last), Some(latest)) =
        (r.first_release(), r.last_release(), r.latest())
    {
        let _ = writeln!(
            o,
            "releases   first {} · last {} · latest {}",
            shown(&first.name),
            shown(&last.name),
            shown(&latest.name)
        );
        for x in r.newest_first() {
            let _ = writeln!(
                o,
                "  {:<16} {:>8}  {} .. {}",
                shown(&x.name),
                x.count,
                rfc3339(x.first_seen),
                rfc3339(x.last_seen)
            );
        }
    }
    if !r.environments.is_empty() {
        let envs: Vec<String> = r
            .environments
            .iter()
            .map(|e| format!("{} {}", shown(&e.name), e.count))
            .collect();
        let _ = writeln!(o, "environments {}", envs.join(", "));
    }
    match (status, &r.regressed_in, &r.resolved_in) {
        (Status::Regressed, Some(rel), _) => {
            let _ = writeln!(o, "regressed in release {}", shown(rel));
        }
        (Status::Resolved, _, Some(rel)) => {
            let _ = writeln!(
                o,
                "resolved in the release after {} (only a newer release regresses it)",
                shown(rel)
            );
        }
        _ => {}
    }
    o
}

/// Samples listed in the text view (all are in `--json`).
const SAMPLES_SHOWN: usize = 3;

/// `2h ago (2026-11-25T10:00:00Z)`; `in 3d (…)` for a time ahead (an ignore's end).
fn when(now: crate::core::model::UnixNanos, t: crate::core::model::UnixNanos) -> String {
    if t > now {
        format!("in {} ({})", crate::core::time::ago(t, now), rfc3339(t))
    } else {
        format!("{} ago ({})", crate::core::time::ago(now, t), rfc3339(t))
    }
}

/// A trace id, followed by its link when ROUNDS_TRACE_URL_TEMPLATE is set (only hex ids are
/// put into a URL).
fn trace_ref(id: &str, template: Option<&str>) -> String {
    match template {
        Some(t) if !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("{id}  {}", t.replace("{trace_id}", id))
        }
        _ => or_dash(id).to_string(),
    }
}

/// Sparklines with their axes: hours over the last day, days over the last week.
fn frequency(hours: &[u64], days: &[u64]) -> String {
    let peak = |v: &[u64]| v.iter().copied().max().unwrap_or(0);
    let mut o = String::new();
    let _ = writeln!(o, "  24 h  │{}│ peak {}/h", sparkline(hours), peak(hours));
    let width = hours.len();
    let _ = writeln!(o, "         {:<w$}now", "-24h", w = width.saturating_sub(1));
    let _ = writeln!(o, "  7 d   │{}│ peak {}/day", sparkline(days), peak(days));
    let _ = writeln!(
        o,
        "         {:<w$}today",
        "-7d",
        w = days.len().saturating_sub(3)
    );
    o
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sum hourly counts into days.
fn daily(hours: &[u64]) -> Vec<u64> {
    hours.chunks(24).map(|c| c.iter().sum()).collect()
}

/// Which in-app rule decided a frame (frames stored before fingerprint v3 carry none).
fn rule_of(f: &Frame) -> &'static str {
    f.rule
        .map_or("rule not recorded (before v3)", |r| r.as_str())
}

fn explain_json(
    sig: &crate::core::model::Signature,
    dropped: &[(Frame, crate::core::model::DropReason)],
) -> serde_json::Value {
    serde_json::json!({
        "exception_type": sig.exception_type,
        "basis": sig.basis.as_str(),
        "template": sig.template,
        "kept": sig.key_frames.iter().map(|f| f.qualified()).collect::<Vec<_>>(),
        "kept_rules": sig.key_frames.iter().map(|f| f.rule).collect::<Vec<_>>(),
        "dropped": dropped.iter().map(|(f, why)| serde_json::json!({"frame": f.qualified(), "reason": why.as_str(), "rule": f.rule})).collect::<Vec<_>>(),
    })
}

fn basis_str(b: &crate::core::suspects::RevisionBasis) -> (&'static str, Option<&str>) {
    match b {
        crate::core::suspects::RevisionBasis::Release(r) => ("release", Some(r.as_str())),
        crate::core::suspects::RevisionBasis::BeforeFirstSeen => ("before_first_seen", None),
    }
}

/// The `suspects` object of `show --json` (docs/suspects.md).
fn suspects_json(s: &crate::core::suspects::Suspects) -> serde_json::Value {
    let (basis, release) = s.basis.as_ref().map(basis_str).unzip();
    serde_json::json!({
        "revision": s.revision,
        "basis": basis,
        "release": release.flatten(),
        "commits": s.suspects.iter().map(|c| serde_json::json!({
            "rank": c.rank,
            "sha": c.sha,
            "short_sha": c.short_sha(),
            "author": redact::configured().redact(&c.author),
            "date": rfc3339(c.authored_at),
            "subject": redact::configured().redact(&c.subject),
            "frames": c.frames.iter().map(|f| serde_json::json!({
                "function": f.function, "path": f.path, "line": f.line,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "notes": s.notes,
    })
}

fn suspects_text(s: &crate::core::suspects::Suspects) -> String {
    let mut o = String::new();
    let at = match (&s.revision, &s.basis) {
        (Some(r), Some(b)) => match basis_str(b) {
            (_, Some(release)) => {
                format!(" (blamed at {} = release {release})", &r[..r.len().min(12)])
            }
            _ => format!(
                " (blamed at {}, the newest commit before first seen)",
                &r[..r.len().min(12)]
            ),
        },
        _ => String::new(),
    };
    let _ = writeln!(o, "suspect commits{at}");
    if s.suspects.is_empty() {
        let _ = writeln!(o, "  none found");
    }
    for c in &s.suspects {
        let frames: Vec<String> = c
            .frames
            .iter()
            .map(|f| format!("{}:{}", f.path, f.line))
            .collect();
        let _ = writeln!(
            o,
            "  {}. {}  {}  {}  {}  ({})",
            c.rank,
            c.short_sha(),
            rfc3339(c.authored_at),
            // From git, not the store: redacted here like every other free text shown.
            redact::configured().redact(&c.author),
            redact::configured().redact(&c.subject),
            frames.join(", ")
        );
    }
    for n in &s.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    o.trim_end().to_string()
}
