//! `rounds report`: the findings report (markdown or JSON) on stdout, for CI.

use crate::app::commands::list::parse_statuses;
use crate::app::commands::poll::fails_on_entries;
use crate::app::settings::{self, parse_since, Global};
use crate::app::wiring;
use crate::cli::{ReportArgs, ReportFormat};
use crate::core::model::{Status, NANOS_PER_DAY};
use crate::core::ports::{SignatureFilter, SignatureSort, SignatureStore};
use crate::core::report::{markdown, Report, ReportEntry};
use crate::core::time::rfc3339;
use crate::exit::{AppError, Exit};
use crate::output::{json, Printer};

pub fn run(g: &Global, args: &ReportArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let mut store = wiring::open_store_write(g)?;
    let since = match &args.since {
        Some(s) => parse_since("--since", s, now)?,
        None => store.last_report_at()?.unwrap_or(now - NANOS_PER_DAY),
    };
    let statuses = if args.status.is_empty() {
        vec![Status::New, Status::Regressed, Status::Diagnosed]
    } else {
        parse_statuses(&args.status)?
    };
    let filter = SignatureFilter {
        statuses,
        service: args.service.clone(),
        seen_since: Some(since),
        sort: SignatureSort::Count,
        ..SignatureFilter::default()
    };
    let mut sigs = store.signatures(&filter)?;
    sigs.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    let mut entries = Vec::with_capacity(sigs.len());
    for s in sigs {
        let last_24h = store.hourly_counts(&s.id, now, 24)?;
        let diagnosis = store.latest_diagnosis(&s.id)?;
        let trace_ids = store
            .events(&s.id, 3)?
            .into_iter()
            .map(|e| e.trace_id)
            .filter(|t| !t.is_empty())
            .collect();
        entries.push(ReportEntry {
            signature: s,
            last_24h,
            diagnosis,
            trace_ids,
        });
    }
    let mut totals = Vec::new();
    for st in Status::ALL {
        let n = store
            .signatures(&SignatureFilter {
                statuses: vec![st],
                ..SignatureFilter::default()
            })?
            .len() as u64;
        totals.push((st, n));
    }
    let day = crate::core::time::day_start(now);
    let report = Report {
        since,
        until: now,
        totals,
        spend_today_usd: store.spend_between(day, now + 1)?,
        daily_budget_usd: None,
        entries,
    };
    let text = match args.format {
        ReportFormat::Md => markdown(&report),
        ReportFormat::Json => json::text(&serde_json::json!({
            "version": json::JSON_VERSION,
            "since": rfc3339(report.since),
            "until": rfc3339(report.until),
            "totals": report.totals.iter().map(|(s, n)| (s.as_str().to_string(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
            "spend_today_usd": report.spend_today_usd,
            "signatures": report.entries.iter().map(|e| {
                let mut v = json::signature(&e.signature);
                v["last_24h"] = json::hourly(&e.last_24h);
                v["diagnosis"] = e.diagnosis.as_ref().map(json::diagnosis).unwrap_or(serde_json::Value::Null);
                v["trace_ids"] = serde_json::json!(e.trace_ids);
                v
            }).collect::<Vec<_>>(),
        })),
    };
    printer.data(&text).map_err(|e| AppError::WriteFile {
        path: "<stdout>".into(),
        reason: e.to_string(),
    })?;
    store.record_report(now)?;
    let sigs: Vec<_> = report.entries.iter().map(|e| &e.signature).collect();
    Ok(if fails_on_entries(&sigs, &args.fail_on) {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
