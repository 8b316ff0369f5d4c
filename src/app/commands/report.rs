//! `rounds report`: the findings report (markdown or JSON) on stdout, for CI.

use crate::app::commands::list::parse_statuses;
use crate::app::settings::{self, parse_since, Global};
use crate::app::wiring;
use crate::cli::{FailOn, ReportArgs, ReportFormat};
use crate::core::model::{HourlyCounts, Signature, Status, NANOS_PER_DAY};
use crate::core::ports::store::prelude::*;
use crate::core::ports::{SignatureFilter, SignatureStore};
use crate::core::report::{
    redacted_diagnosis, redacted_signature, Report, ReportEntry, SummaryRow, DEFAULT_STATUSES,
};
use crate::core::time::rfc3339;
use crate::core::triage::{day_over_day, is_escalating, NotifyPolicy};
use crate::exit::{AppError, Exit};
use crate::output::{json, Printer};
use serde_json::json;
use std::collections::BTreeMap;

/// Order of sections: what needs a human first.
fn rank(s: Status) -> u8 {
    match s {
        Status::Regressed => 0,
        Status::New => 1,
        Status::Investigating => 2,
        Status::Diagnosed => 3,
        Status::Resolved => 4,
        Status::Ignored => 5,
    }
}

struct Scored {
    sig: Signature,
    hourly: HourlyCounts,
    last: u64,
    prev: u64,
    escalating: bool,
}

pub fn run(g: &Global, args: &ReportArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let policy = NotifyPolicy {
        min_occurrences: 1,
        escalation_factor: settings::escalation_factor(args.escalation_factor)?,
    };
    if let Some(b) = args.daily_budget {
        if !(b.is_finite() && b >= 0.0) {
            return Err(AppError::Config(format!(
                "DAILY_BUDGET_LIMIT: {b} is not an amount in USD"
            )));
        }
    }
    // `escalating` is not a stored state but may be asked for like one.
    let want_escalating_status = args.status.iter().any(|s| s.trim() == "escalating");
    let named: Vec<String> = args
        .status
        .iter()
        .filter(|s| s.trim() != "escalating")
        .cloned()
        .collect();
    let (statuses, include_escalating) = if args.status.is_empty() {
        (DEFAULT_STATUSES.to_vec(), true)
    } else {
        (parse_statuses(&named)?, want_escalating_status)
    };

    let cursor = report_cursor(&args.cursor)?;
    // A pure read unless --mark: the same database and options give the same bytes, and a
    // re-run of a failed CI gate fails again.
    let mut store = if args.mark {
        wiring::open_store_write_existing(g)?
    } else {
        wiring::open_store_read(g)?
    };
    let since = if args.since.trim() == "last" {
        match store.cursor(&cursor)? {
            Some(at) => at,
            None => {
                printer.info(&format!(
                    "report: no report marked yet under cursor '{}'; the window is the last 24 h",
                    args.cursor
                ));
                now - NANOS_PER_DAY
            }
        }
    } else if args.since.trim() == "all" {
        0
    } else {
        parse_since("--since", &args.since, now)?
    };
    let score = |store: &dyn SignatureStore, sig: Signature| -> Result<Scored, AppError> {
        let hourly = store.hourly_counts(&sig.id, now, 48)?;
        let (last, prev) = day_over_day(&hourly);
        let active = !matches!(sig.status, Status::Ignored | Status::Resolved);
        Ok(Scored {
            escalating: active && is_escalating(last, prev, &policy),
            sig,
            hourly,
            last,
            prev,
        })
    };
    let in_window: Vec<Scored> = store
        .signatures(&SignatureFilter {
            service: args.service.clone(),
            seen_since: Some(since),
            ..SignatureFilter::default()
        })?
        .into_iter()
        .map(|s| score(&store, s))
        .collect::<Result<_, _>>()?;
    let everything = store.signatures(&SignatureFilter {
        service: args.service.clone(),
        ..SignatureFilter::default()
    })?;
    // Only signatures seen in the last 48 h can be escalating.
    let escalating_all = everything
        .iter()
        .filter(|s| s.last_seen >= now - 2 * NANOS_PER_DAY)
        .cloned()
        .map(|s| score(&store, s))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .filter(|x| x.escalating)
        .count() as u64;

    let mut summary = Vec::new();
    let count_status = |list: &mut dyn Iterator<Item = Status>, st: Status| {
        list.filter(|s| *s == st).count() as u64
    };
    let row = |label: &str, st: Status| SummaryRow {
        label: label.to_string(),
        in_window: count_status(&mut in_window.iter().map(|x| x.sig.status), st),
        all: count_status(&mut everything.iter().map(|s| s.status), st),
    };
    summary.push(row("new", Status::New));
    summary.push(row("regressed", Status::Regressed));
    summary.push(SummaryRow {
        label: "escalating".into(),
        in_window: in_window.iter().filter(|x| x.escalating).count() as u64,
        all: escalating_all,
    });
    summary.push(row("diagnosed", Status::Diagnosed));
    summary.push(row("investigating", Status::Investigating));
    summary.push(row("resolved", Status::Resolved));
    summary.push(row("ignored", Status::Ignored));
    summary.push(SummaryRow {
        label: "**total**".into(),
        in_window: in_window.len() as u64,
        all: everything.len() as u64,
    });

    let mut selected: Vec<Scored> = in_window
        .into_iter()
        .filter(|x| statuses.contains(&x.sig.status) || (include_escalating && x.escalating))
        .collect();
    selected.sort_by(|a, b| {
        rank(a.sig.status)
            .cmp(&rank(b.sig.status))
            .then(b.escalating.cmp(&a.escalating))
            .then(b.sig.count.cmp(&a.sig.count))
            .then(a.sig.id.cmp(&b.sig.id))
    });
    // Suspect commits when CODEBASE_PATH is a git checkout (docs/suspects.md).
    let checkout = crate::app::wiring::checkout(args.codebase.as_deref());
    let mut entries = Vec::with_capacity(selected.len());
    for x in selected {
        let diagnosis = store.latest_diagnosis(&x.sig.id)?;
        let trace_ids = store
            .events(&x.sig.id, 3)?
            .into_iter()
            .map(|e| e.trace_id)
            .filter(|t| !t.is_empty())
            .collect();
        let suspects = match &checkout {
            Some(cb) => {
                let samples = store.event_samples(&x.sig.id, 0)?;
                let releases = crate::core::suspects::releases_of(&samples);
                crate::core::suspects::find(&x.sig, &releases, cb).suspects
            }
            None => Vec::new(),
        };
        let releases = store.releases(&x.sig.id)?;
        let counts = x.hourly.counts[x.hourly.counts.len().saturating_sub(24)..].to_vec();
        debug_assert_eq!(counts.iter().sum::<u64>(), x.last);
        entries.push(ReportEntry {
            signature: x.sig,
            last_24h: HourlyCounts {
                end: x.hourly.end,
                counts,
            },
            previous_24h: x.prev,
            escalating: x.escalating,
            diagnosis,
            trace_ids,
            suspects,
            releases,
        });
    }
    let day = crate::core::time::day_start(now);
    let trace_url_template = args
        .trace_url_template
        .clone()
        .filter(|t| !t.trim().is_empty());
    let report = Report {
        since,
        until: now,
        summary,
        spend_today_usd: store.spend_between(day, now + 1)?,
        daily_budget_usd: args.daily_budget,
        trace_url_template,
        entries,
    };
    let max = crate::app::limits::parse_size(&args.max_bytes)
        .and_then(|v| usize::try_from(v).ok())
        .filter(|v| *v >= 4096)
        .ok_or_else(|| {
            AppError::Config(format!(
                "--max-bytes: '{}' is not a size of at least 4K (e.g. 1M)",
                args.max_bytes
            ))
        })?;
    let format = if args.json {
        ReportFormat::Json
    } else {
        args.format
    };
    let text = match format {
        ReportFormat::Md => crate::core::report::markdown_within(
            &report,
            max,
            &format!(
                "*Report sized by rounds to {max} bytes (--max-bytes, ROUNDS_REPORT_MAX_BYTES): the signatures above are whole, the rest are listed by id; `rounds show ID` or `rounds report --max-bytes 1M` shows them.*\n"
            ),
        ),
        ReportFormat::Json => json::text(&fit_json(json_report(&report), max)) + "\n",
    };
    printer.data(&text).map_err(|e| AppError::WriteFile {
        path: "<stdout>".into(),
        reason: e.to_string(),
    })?;
    if args.mark {
        store.set_cursor(&cursor, now, now)?;
        store.record_report(now)?;
    }
    let fails = report.entries.iter().any(|e| {
        args.fail_on.iter().any(|f| match f {
            FailOn::New => e.signature.status == Status::New,
            FailOn::Regressed => e.signature.status == Status::Regressed,
            FailOn::Escalating => e.escalating,
        })
    });
    Ok(if fails { Exit::Findings } else { Exit::Ok })
}

/// The cursor scope of a report cursor name (kept apart from the pollers' scopes).
fn report_cursor(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.is_empty()
        || n.len() > 64
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(AppError::Usage(format!(
            "--cursor: '{name}' is not a name of 1 to 64 letters, digits, '-', '_' or '.'"
        )));
    }
    Ok(format!("report:{n}"))
}

/// Keep the leading signatures that fit in `max` bytes; `signatures_omitted` says how many
/// did not (JSON cannot be cut mid-way and stay JSON).
fn fit_json(mut doc: serde_json::Value, max: usize) -> serde_json::Value {
    // Measured as printed (pretty), with each signature's indentation one level deeper.
    let size = |v: &serde_json::Value| json::text(v).len() + v.to_string().len() / 4;
    let total = json::text(&doc).len();
    if total <= max {
        return doc;
    }
    let Some(sigs) = doc["signatures"].as_array_mut() else {
        return doc;
    };
    let all = std::mem::take(sigs);
    let base = json::text(&doc).len() + 64;
    let mut used = base;
    let mut kept = Vec::new();
    for v in all.iter() {
        let n = size(v) + 2;
        if used + n > max {
            break;
        }
        used += n;
        kept.push(v.clone());
    }
    loop {
        doc["signatures"] = json!(kept);
        doc["signatures_omitted"] = json!(all.len() - kept.len());
        if kept.is_empty() || json::text(&doc).len() <= max {
            return doc;
        }
        kept.pop();
    }
}

/// Suspect commits as `report --format json` lists them: `[]` without a checkout; author and
/// subject redacted (JSON is not escaped), then capped like the markdown's.
fn suspects_json(sx: &[crate::core::suspects::Suspect]) -> serde_json::Value {
    use crate::core::suspects::{clip, MAX_SUBJECT_CHARS};
    let r = crate::core::redact::redact;
    json!(sx.iter().map(|c| json!({
        "rank": c.rank,
        "sha": c.sha,
        "short_sha": c.short_sha(),
        "author": clip(&r(&c.author), MAX_SUBJECT_CHARS),
        "date": rfc3339(c.authored_at),
        "subject": clip(&r(&c.subject), MAX_SUBJECT_CHARS),
        "frames": c.frames.iter().map(|f| json!({"function": f.function, "path": f.path, "line": f.line})).collect::<Vec<_>>(),
    })).collect::<Vec<_>>())
}

fn json_report(r: &Report) -> serde_json::Value {
    let summary: BTreeMap<String, serde_json::Value> = r
        .summary
        .iter()
        .map(|row| {
            (
                row.label.trim_matches('*').to_string(),
                json!({"in_window": row.in_window, "all": row.all}),
            )
        })
        .collect();
    json!({
        "version": json::JSON_VERSION,
        "since": rfc3339(r.since),
        "until": rfc3339(r.until),
        "summary": summary,
        "spend_today_usd": r.spend_today_usd,
        "daily_budget_usd": r.daily_budget_usd,
        "budget_left_usd": r.daily_budget_usd.map(|b| (b - r.spend_today_usd).max(0.0)),
        "signatures": r.entries.iter().map(|e| {
            let sig = redacted_signature(&e.signature);
            let mut v = json::signature(&sig);
            v["sample_message"] = json!(sig.sample_message);
            v["sample_stack"] = json!(sig.sample_stack);
            json::add_activity(&mut v, &sig, &e.last_24h, e.previous_24h);
            v["escalating"] = json!(e.escalating);
            v["diagnosis"] = e.diagnosis.as_ref().map(|d| json::diagnosis(&redacted_diagnosis(d))).unwrap_or(serde_json::Value::Null);
            v["trace_ids"] = json!(e.trace_ids);
            v["suspects"] = suspects_json(&e.suspects);
            json::add_releases(&mut v, &e.releases);
            v["trace_urls"] = json!(e.trace_ids.iter().filter(|t| t.chars().all(|c| c.is_ascii_hexdigit())).filter_map(|t| r.trace_url_template.as_ref().map(|u| u.replace("{trace_id}", t))).collect::<Vec<_>>());
            v
        }).collect::<Vec<_>>(),
    })
}
