//! `rounds diagnose [ID...]`: root-cause diagnosis with the configured LLM backend, within the
//! budget the spend ledger allows; `--dry-run` prints exactly what would be sent.

use crate::app::llm::LlmSettings;
use crate::app::settings::{self, Global};
use crate::app::wiring;
use crate::cli::DiagnoseArgs;
use crate::core::diagnose::{self, DiagnoseOptions, Outcome, PassReport, Ports};
use crate::core::ports::codebase::Codebase;
use crate::core::ports::store::prelude::*;
use crate::core::time::rfc3339;
use crate::exit::{AppError, Exit};
use crate::output::{json, Printer};
use serde_json::{json as j, Value};
use std::fmt::Write as _;

pub fn run(g: &Global, args: &DiagnoseArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let Some(llm) = LlmSettings::resolve(&args.llm, args.budget)? else {
        return Err(AppError::Config(
            "no diagnosis backend is configured: set DIAGNOSIS_BACKEND (claude_code, codex or openai)".into(),
        ));
    };
    let clock = settings::clock()?;
    reap(printer);
    // A dry run spends nothing and calls nothing: it needs no API key.
    let mut diagnoser = if args.dry_run {
        wiring::dry_run_diagnoser(&llm)?
    } else {
        wiring::diagnoser(&llm)?
    };
    let codebase = wiring::codebase(&llm)?;
    let mut store = if args.dry_run {
        wiring::open_store_read(g)?
    } else {
        // Opened (and migrated) under the pass lock, then diagnosed without it: spend
        // reservations claim each signature, so `poll`, `ignore` and `resolve` never wait on it.
        let mut store = wiring::open_store_write(g)?;
        PassTransaction::release_pass_lock(&mut store);
        store
    };
    let options = DiagnoseOptions {
        rules: llm.rules(args.min_occurrences),
        limits: llm.limits,
        ids: args.ids.clone(),
        force: args.force,
        dry_run: args.dry_run,
        owner: wiring::process_owner(),
        ..DiagnoseOptions::default()
    };
    let report = diagnose::run(
        Ports {
            store: &mut store,
            diagnoser: diagnoser.as_mut(),
            codebase: codebase.as_ref().map(|c| c as &dyn Codebase),
            telemetry: None,
            clock: clock.as_ref(),
            redactor: &llm.redactor,
        },
        &options,
    )
    .map_err(|e| match e {
        diagnose::DiagnoseError::Store(s) => AppError::Store(s),
    })?;
    print(
        printer,
        &report,
        args.json,
        args.dry_run,
        diagnoser.backend(),
    )?;
    pass_exit(report)
}

/// Diagnosis inside `poll` (after the pass's events are committed, before notifications): the
/// outcomes go to stderr (stdout carries the notifications).
pub fn print_in_poll(report: &PassReport, printer: &mut Printer) {
    for n in &report.notes {
        printer.warn(n);
    }
    for (id, o) in &report.outcomes {
        let short = id.get(..12).unwrap_or(id);
        match o {
            Outcome::Diagnosed(d) => printer.info(&format!(
                "{short}: diagnosed by {} ({} confidence): {}",
                d.backend,
                d.confidence.as_str(),
                d.root_cause
            )),
            Outcome::Pending(why) => printer.info(&format!("{short}: {why}")),
            Outcome::Failed { kind, detail } => {
                printer.error(&format!("{short}: diagnosis failed ({kind}): {detail}"))
            }
            Outcome::Skipped(s) => {
                printer.detail(&format!("{short}: not diagnosed: {}", s.describe()))
            }
            Outcome::WouldSend { .. } => {}
        }
    }
    if let Some(line) = skipped_line(report) {
        printer.info(&line);
    }
    printer.detail(&format!(
        "diagnosis spend: ${:.4} this pass, ${:.4} of ${:.2} today (UTC)",
        report.spent_this_run_usd, report.spent_today_usd, report.daily_limit_usd
    ));
    if let Some(e) = &report.fatal {
        printer.error(&e.to_string());
    }
}

/// The exit code of diagnosis inside `poll`: a fatal backend error is reported and becomes the
/// exit code, not an abort, so a failing backend never loses the pass's other work.
pub fn in_poll_exit(report: PassReport) -> Exit {
    match pass_exit(report) {
        Ok(exit) => exit,
        Err(e) => e.exit(),
    }
}

/// One line for a pass that diagnosed nothing and tried nothing: why (budget, nothing eligible).
fn skipped_line(report: &PassReport) -> Option<String> {
    let (mut pending, mut skipped, mut budget) = (0usize, Vec::new(), 0usize);
    for (_, o) in &report.outcomes {
        match o {
            Outcome::Diagnosed(_) | Outcome::Failed { .. } | Outcome::WouldSend { .. } => {
                return None
            }
            Outcome::Pending(why) => {
                pending += 1;
                if why.contains("no call made") {
                    budget += 1;
                }
            }
            Outcome::Skipped(s) => skipped.push(s.describe()),
        }
    }
    if report.fatal.is_some() {
        return None;
    }
    Some(if budget > 0 && budget == pending {
        format!(
            "diagnosis skipped: budget exhausted (${:.4} of ${:.2} spent today, UTC); {budget} signature(s) wait for the next pass",
            report.spent_today_usd, report.daily_limit_usd
        )
    } else if pending > 0 {
        format!("diagnosis skipped: {pending} signature(s) left pending, retried next pass")
    } else if let Some(first) = skipped.first() {
        format!(
            "diagnosis skipped: no signature eligible ({} considered, e.g. {first}; -v lists them)",
            skipped.len()
        )
    } else {
        "diagnosis skipped: no signature needs one".to_string()
    })
}

/// Before starting any CLI child: kill what a killed earlier pass left running (grandchildren
/// of its CLI, which the kernel's parent-death signal does not reach).
pub fn reap(printer: &mut Printer) {
    let n = wiring::reap_orphans();
    if n > 0 {
        printer.warn(&format!(
            "killed {n} process(es) left running by an earlier rounds that was killed"
        ));
    }
}

/// The exit code of a pass: a fatal backend error wins; then invalid answers (65); then
/// transient failures (75) when nothing else failed.
pub fn pass_exit(report: PassReport) -> Result<Exit, AppError> {
    if let Some(e) = report.fatal {
        return Err(AppError::Diagnoser(e));
    }
    let failed = report
        .outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed { .. }))
        .count();
    let mut exit = Exit::Ok;
    if report.invalid > 0 {
        exit = exit.worst(Exit::DataErr);
    }
    if failed > report.invalid {
        exit = exit.worst(Exit::Unavailable);
    }
    if report.transient > 0 && exit == Exit::Ok {
        exit = Exit::TempFail;
    }
    Ok(exit)
}

fn write(printer: &mut Printer, text: &str) -> Result<(), AppError> {
    printer.data(text).map_err(|e| AppError::WriteFile {
        path: "<stdout>".into(),
        reason: e.to_string(),
    })
}

fn print(
    printer: &mut Printer,
    r: &PassReport,
    as_json: bool,
    dry_run: bool,
    backend: &str,
) -> Result<(), AppError> {
    for n in &r.notes {
        printer.warn(n);
    }
    if as_json {
        let outcomes: Vec<Value> = r
            .outcomes
            .iter()
            .map(|(id, o)| outcome_json(id, o))
            .collect();
        let doc = j!({
            "version": json::JSON_VERSION,
            "backend": backend,
            "dry_run": dry_run,
            "spent_this_run_usd": r.spent_this_run_usd,
            "spent_today_usd": r.spent_today_usd,
            "daily_limit_usd": r.daily_limit_usd,
            "remaining_today_usd": (r.daily_limit_usd - r.spent_today_usd).max(0.0),
            "outcomes": outcomes,
            "notes": r.notes,
        });
        return write(printer, &json::text(&doc));
    }
    let mut o = String::new();
    for (id, outcome) in &r.outcomes {
        match outcome {
            Outcome::WouldSend {
                prompt,
                cap_usd,
                worst_case_usd,
            } => {
                let _ = writeln!(
                    o,
                    "=== {id}: would send to {backend} (nothing sent, nothing spent)"
                );
                let cap = cap_usd.map_or("-".into(), |c| format!("${c:.4}"));
                let worst = worst_case_usd.map_or("unknown (model price unknown)".into(), |w| {
                    format!("${w:.4}")
                });
                let _ = writeln!(o, "--- call cap {cap}, worst case {worst}");
                let _ = writeln!(o, "--- system prompt (appended)\n{}", prompt.system);
                let _ = writeln!(o, "--- answer schema\n{}", prompt.schema);
                let _ = writeln!(o, "--- prompt\n{}", prompt.user);
            }
            Outcome::Diagnosed(d) => {
                let cost = d
                    .cost_usd
                    .map_or("price unknown".into(), |c| format!("${c:.4}"));
                let _ = writeln!(
                    o,
                    "{id}  diagnosed ({} confidence, {}, {cost})",
                    d.confidence.as_str(),
                    d.model
                );
                let _ = writeln!(o, "  root cause: {}", d.root_cause);
                let _ = writeln!(o, "  fix: {}", d.suggested_fix);
                for e in &d.evidence {
                    let line = e.line.map(|l| format!(":{l}")).unwrap_or_default();
                    let mark = if e.verified {
                        ""
                    } else {
                        " (unverified: not in the codebase)"
                    };
                    let _ = writeln!(o, "  - {}{line}{mark} {}", e.file, e.note);
                }
            }
            Outcome::Skipped(s) => {
                let _ = writeln!(o, "{id}  skipped: {}", s.describe());
            }
            Outcome::Pending(why) => {
                let _ = writeln!(o, "{id}  {why}");
            }
            Outcome::Failed { kind, detail } => {
                let _ = writeln!(o, "{id}  failed ({kind}): {detail}");
            }
        }
    }
    let _ = writeln!(
        o,
        "spent ${:.4} this run; ${:.4} of ${:.2} today (UTC), ${:.4} left",
        r.spent_this_run_usd,
        r.spent_today_usd,
        r.daily_limit_usd,
        (r.daily_limit_usd - r.spent_today_usd).max(0.0)
    );
    write(printer, &o)
}

fn outcome_json(id: &str, o: &Outcome) -> Value {
    match o {
        Outcome::Diagnosed(d) => {
            j!({"signature_id": id, "outcome": "diagnosed", "diagnosis": json::diagnosis(d),
                                     "created_at": rfc3339(d.created_at)})
        }
        Outcome::WouldSend {
            prompt,
            cap_usd,
            worst_case_usd,
        } => j!({
            "signature_id": id, "outcome": "dry_run", "cap_usd": cap_usd, "worst_case_usd": worst_case_usd,
            "system": prompt.system, "prompt": prompt.user, "schema": prompt.schema,
        }),
        Outcome::Skipped(s) => {
            j!({"signature_id": id, "outcome": "skipped", "reason": s.describe()})
        }
        Outcome::Pending(why) => j!({"signature_id": id, "outcome": "pending", "reason": why}),
        Outcome::Failed { kind, detail } => {
            j!({"signature_id": id, "outcome": "failed", "kind": kind, "detail": detail})
        }
    }
}
