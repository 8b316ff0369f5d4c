//! `rounds poll`: one pass, then exit.

use crate::app::checked;
use crate::app::settings::{self, parse_duration, Global};
use crate::app::wiring;
use crate::cli::{FailOn, PollArgs};
use crate::core::model::{Status, NANOS_PER_DAY};
use crate::core::notify::notify;
use crate::core::poll::{poll, PollConfig};
use crate::core::ports::codebase::History;
use crate::core::ports::{SignatureFilter, SignatureStore};
use crate::core::triage::{day_over_day, is_escalating, NotifyPolicy};
use crate::exit::{notify_exit, telemetry_exit, AppError, Exit};
use crate::output::Printer;

pub fn run(g: &Global, args: &PollArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    if args.regroup {
        let grouping = crate::app::grouping::from_poll_args(args, printer);
        return crate::app::commands::regroup::regroup(g, args.dry_run, &grouping, printer);
    }
    let clock = settings::clock()?;
    // Every duration and count below is range-checked before it is multiplied (exit 78).
    let max_catchup = checked::duration_nanos(
        "MAX_CATCHUP (--max-catchup)",
        parse_duration("MAX_CATCHUP", &args.max_catchup)?,
        std::time::Duration::from_secs(1),
        checked::DAY * 365,
    )?;
    checked::count(
        "POLL_BATCH_SIZE (--batch-size)",
        args.batch_size,
        1,
        100_000,
    )?;
    let cfg = PollConfig {
        lookback: checked::minutes(
            "ERROR_LOOKBACK_MINUTES (--lookback-minutes)",
            args.lookback_minutes,
            1,
            525_600,
        )?,
        overlap: checked::minutes(
            "POLL_OVERLAP_MINUTES (--overlap-minutes)",
            args.overlap_minutes,
            0,
            10_080,
        )?,
        max_catchup,
        retention: checked::days(
            "EVENT_RETENTION_DAYS (--retention-days)",
            args.retention_days,
            1,
            36_500,
        )?,
        resolve_after: checked::days(
            "RESOLVE_AFTER_DAYS (--resolve-after-days)",
            args.resolve_after_days,
            1,
            36_500,
        )?,
        dry_run: args.dry_run,
        limits: g.limits.ingest,
        grouping: Default::default(),
    };
    let mut notifiers = wiring::notifiers(&args.notify, args.json)?;
    let llm = crate::app::llm::LlmSettings::resolve(&args.llm, None)?;
    let mut cfg = cfg;
    if !args.check {
        cfg.grouping = crate::app::grouping::from_poll_args(args, printer);
    }

    if args.check {
        let mut source = wiring::telemetry_source(args, None)?;
        let check = source.check()?;
        printer.info(&format!("{}: reached {}", check.backend, check.endpoint));
        if !check.services.is_empty() {
            printer.info(&format!(
                "services ({}): {}",
                check.services.len(),
                check.services.join(", ")
            ));
        }
        for n in &check.notes {
            printer.info(n);
        }
        return Ok(Exit::Ok);
    }

    let bar = printer.progress(None, "bytes");
    let hook_bar = bar.clone();
    let hook: crate::adapters::telemetry::otlp_file::ProgressHook = Box::new(move |done, total| {
        if let Some(t) = total {
            if hook_bar.length() != Some(t) {
                hook_bar.set_length(t);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} {bar:30} {bytes}/{total_bytes} {msg} ({elapsed}, {bytes_per_sec})",
                ) {
                    hook_bar.set_style(style);
                }
            }
        }
        hook_bar.set_position(done);
    });
    let mut source = wiring::telemetry_source(args, Some(hook))?;
    let mut store = wiring::open_store_write(g)?;
    let events_bar = bar.clone();
    let policy = NotifyPolicy {
        min_occurrences: args.notify.min_occurrences,
        escalation_factor: settings::escalation_factor(args.notify.escalation_factor)?,
    };
    let now = clock.now();
    // Notifications name suspect commits when CODEBASE_PATH is a git checkout (grouping notes
    // one that cannot be opened).
    let checkout = args
        .llm
        .codebase
        .as_deref()
        .and_then(|p| crate::adapters::codebase::LocalCodebase::new(p).ok());
    let mut preview_failures = Vec::new();
    let outcome = poll(
        source.as_mut(),
        &mut store,
        clock.as_ref(),
        &cfg,
        &mut |n| {
            if n % 4096 < 256 {
                events_bar.set_message(format!("{n} events"));
            }
        },
        &mut |store, outcome| match notify(
            store,
            &mut notifiers,
            &outcome.touched_ids,
            &policy,
            now,
            false,
            checkout.as_ref().map(|c| c as &dyn History),
        ) {
            Ok(n) => preview_failures.extend(n.failures),
            Err(e) => preview_failures.push(crate::core::ports::NotifyError::Config {
                channel: "dry-run".into(),
                reason: e.to_string(),
            }),
        },
    );
    bar.finish_and_clear();
    let outcome = outcome?;
    let s = &outcome.summary;
    let window = match outcome.window {
        Some(w) => format!(
            " in {} .. {}",
            crate::core::time::rfc3339(w.start),
            crate::core::time::rfc3339(w.end)
        ),
        None => String::new(),
    };
    printer.info(&format!(
        "{}{}: {} events read, {} new, {} recurring, {} regressed, {} skipped (already counted){}{}",
        if args.dry_run { "dry run: " } else { "" },
        source.backend(),
        s.events_read,
        s.new,
        s.recurring,
        s.regressed,
        s.skipped,
        quarantine_summary(&outcome.quarantine),
        window
    ));
    for note in &outcome.notes {
        printer.info(note);
    }
    if !outcome.auto_resolved.is_empty() {
        printer.detail(&format!(
            "{} signature(s) resolved themselves (quiet for {} days)",
            outcome.auto_resolved.len(),
            args.resolve_after_days
        ));
    }

    let mut exit = Exit::Ok;
    if outcome.quarantine.total() > 0 {
        for example in &outcome.quarantine.examples {
            printer.error(&format!("skipped unreadable record: {example}"));
        }
        let more = outcome
            .quarantine
            .total()
            .saturating_sub(outcome.quarantine.examples.len() as u64);
        if more > 0 {
            printer.error(&format!(
                "skipped {more} more unreadable record(s); --strict stops at the first"
            ));
        }
        exit = exit.worst(Exit::Partial);
    }
    if let Some(h) = &outcome.held {
        printer.error(&format!(
            "{}: service {}: {} .. {}: {}; the cursor stays at {} and the next pass continues from there",
            source.backend(),
            h.service,
            precise(h.window.start),
            precise(h.window.end),
            h.reason,
            precise(h.window.start),
        ));
        exit = exit.worst(Exit::TempFail);
    }
    for (service, err) in &outcome.partial_failures {
        printer.error(&format!("{service}: {err}"));
        exit = exit.worst(telemetry_exit(err));
    }

    if let (Some(llm), false) = (&llm, args.dry_run) {
        // The pass's events are committed: diagnosis (minutes) runs without the pass lock, so
        // `ignore`, `resolve` and the next pass are not held up; its spend reservations claim
        // the signatures it works on. The lock is taken again for notifications.
        store.release_pass_lock();
        // The source that found the errors also fetches the trace around them, for context.
        let diag = crate::app::commands::diagnose::in_poll(
            &mut store,
            Some(source.as_mut()),
            llm,
            args.notify.min_occurrences,
            clock.as_ref(),
            printer,
        )?;
        exit = exit.worst(diag);
    } else if llm.is_none() {
        printer.info("diagnosis skipped: no backend configured (set DIAGNOSIS_BACKEND: claude_code, codex or openai)");
    } else {
        printer.info("diagnosis skipped: dry run (`rounds diagnose --dry-run` shows the prompts)");
    }

    let failures = if args.dry_run {
        preview_failures
    } else {
        store.reacquire_pass_lock()?;
        let sent = notify(
            &mut store,
            &mut notifiers,
            &outcome.touched_ids,
            &policy,
            now,
            true,
            checkout.as_ref().map(|c| c as &dyn History),
        )?;
        report_outbox(&sent, printer);
        sent.failures
    };
    for f in &failures {
        printer.error(&f.to_string());
        exit = exit.worst(notify_exit(f));
    }

    if exit == Exit::Ok && fails_on(&store, &args.fail_on, &policy, now)? {
        exit = Exit::Findings;
    }
    Ok(exit)
}

/// What the outbox sweep did: earlier notifications now sent, and (on stderr, at most 5 named)
/// those given up after `MAX_INTENT_AGE` unsent.
fn report_outbox(n: &crate::core::notify::NotifyOutcome, printer: &mut Printer) {
    if n.retried > 0 {
        printer.info(&format!(
            "outbox: {} notification(s) from earlier passes sent",
            n.retried
        ));
    }
    const NAMED: usize = 5;
    let days = crate::core::notify::MAX_INTENT_AGE / NANOS_PER_DAY;
    for p in n.given_up.iter().take(NAMED) {
        printer.error(&format!(
            "{}: gave up on notification {} of {} after {} attempt(s) over {days} days",
            p.record.channel, p.record.dedup_key, p.record.signature_id, p.attempts
        ));
    }
    if n.given_up.len() > NAMED {
        printer.error(&format!(
            "gave up on {} more unsent notification(s) older than {days} days",
            n.given_up.len() - NAMED
        ));
    }
}

/// Held windows can be a microsecond wide: show the instant to the nanosecond.
fn precise(t: crate::core::model::UnixNanos) -> String {
    crate::adapters::telemetry::common::format_rfc3339_nanos(t)
}

/// `, 3 quarantined (a.jsonl 2, b.jsonl 1)`, or nothing when no record was skipped.
fn quarantine_summary(q: &crate::core::ports::Quarantine) -> String {
    if q.total() == 0 {
        return String::new();
    }
    // Every file is named: the list is bounded by the files of the input.
    let per: Vec<String> = q
        .per_input
        .iter()
        .map(|(input, n)| format!("{input} {n}"))
        .collect();
    format!(", {} quarantined ({})", q.total(), per.join(", "))
}

/// Whether signatures in the `--fail-on` states exist.
pub fn fails_on(
    store: &dyn SignatureStore,
    fail_on: &[FailOn],
    policy: &NotifyPolicy,
    now: crate::core::model::UnixNanos,
) -> Result<bool, AppError> {
    let statuses: Vec<Status> = fail_on
        .iter()
        .filter_map(|f| match f {
            FailOn::New => Some(Status::New),
            FailOn::Regressed => Some(Status::Regressed),
            FailOn::Escalating => None,
        })
        .collect();
    if !statuses.is_empty() {
        let filter = SignatureFilter {
            statuses,
            limit: Some(1),
            ..SignatureFilter::default()
        };
        if !store.signatures(&filter)?.is_empty() {
            return Ok(true);
        }
    }
    if fail_on.contains(&FailOn::Escalating) {
        // Escalating is day over day, so only signatures seen in the last 48 h can be.
        let recent = SignatureFilter {
            seen_since: Some(now - 2 * NANOS_PER_DAY),
            ..SignatureFilter::default()
        };
        for sig in store.signatures(&recent)? {
            if matches!(sig.status, Status::Ignored | Status::Resolved) {
                continue;
            }
            let (last, prev) = day_over_day(&store.hourly_counts(&sig.id, now, 48)?);
            if is_escalating(last, prev, policy) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether any of `sigs` is in a `--fail-on` state.
pub fn fails_on_entries(sigs: &[&crate::core::model::Signature], fail_on: &[FailOn]) -> bool {
    sigs.iter().any(|s| {
        fail_on.iter().any(|f| match f {
            FailOn::New => s.status == Status::New,
            FailOn::Regressed => s.status == Status::Regressed,
            FailOn::Escalating => false,
        })
    })
}
