//! What `rounds poll` shows: the ingest summary as soon as ingest ends, diagnosis outcomes as
//! diagnosis ends, then the outbox and the exit code of the whole pass.

use crate::app::commands::diagnose;
use crate::core::diagnose::PassReport;
use crate::core::model::{UnixNanos, NANOS_PER_DAY};
use crate::core::notify::NotifyOutcome;
use crate::core::pass::{PassObserver, PassOutcome};
use crate::core::poll::PollOutcome;
use crate::core::ports::Quarantine;
use crate::exit::{notify_exit, telemetry_exit, Exit};
use crate::output::Printer;

/// Prints each phase of a pass as it ends.
pub struct PassPrinter<'a> {
    pub printer: &'a mut Printer,
    pub bar: indicatif::ProgressBar,
    pub backend: String,
    pub dry_run: bool,
    pub resolve_after_days: u64,
    /// Why the pass does not diagnose (`None`: it does).
    pub no_diagnosis: Option<&'static str>,
}

/// Why a pass does not diagnose, to say so at its end (`None`: it does).
pub fn no_diagnosis(backend_configured: bool, dry_run: bool) -> Option<&'static str> {
    match (backend_configured, dry_run) {
        (false, _) => Some(
            "diagnosis skipped: no backend configured (set DIAGNOSIS_BACKEND: claude_code, codex or openai)",
        ),
        (true, true) => {
            Some("diagnosis skipped: dry run (`rounds diagnose --dry-run` shows the prompts)")
        }
        _ => None,
    }
}

impl PassObserver for PassPrinter<'_> {
    fn progress(&mut self, n: u64) {
        if n % 4096 < 256 {
            self.bar.set_message(format!("{n} events"));
        }
    }

    fn ingested(&mut self, outcome: &PollOutcome) {
        self.bar.finish_and_clear();
        let p = &mut *self.printer;
        let s = &outcome.summary;
        let window = match outcome.window {
            Some(w) => format!(
                " in {} .. {}",
                crate::core::time::rfc3339(w.start),
                crate::core::time::rfc3339(w.end)
            ),
            None => String::new(),
        };
        p.info(&format!(
            "{}{}: {} events read, {} new, {} recurring, {} regressed, {} skipped (already counted){}{}",
            if self.dry_run { "dry run: " } else { "" },
            self.backend,
            s.events_read,
            s.new,
            s.recurring,
            s.regressed,
            s.skipped,
            quarantine_summary(&outcome.quarantine),
            window
        ));
        for note in &outcome.notes {
            p.info(note);
        }
        if !outcome.auto_resolved.is_empty() {
            p.detail(&format!(
                "{} signature(s) resolved themselves (quiet for {} days)",
                outcome.auto_resolved.len(),
                self.resolve_after_days
            ));
        }
        if outcome.quarantine.total() > 0 {
            for example in &outcome.quarantine.examples {
                p.error(&format!("skipped unreadable record: {example}"));
            }
            let more = outcome
                .quarantine
                .total()
                .saturating_sub(outcome.quarantine.examples.len() as u64);
            if more > 0 {
                p.error(&format!(
                    "skipped {more} more unreadable record(s); --strict stops at the first"
                ));
            }
        }
        if let Some(h) = &outcome.held {
            p.error(&format!(
                "{}: service {}: {} .. {}: {}; the cursor stays at {} and the next pass continues from there",
                self.backend,
                h.service,
                precise(h.window.start),
                precise(h.window.end),
                h.reason,
                precise(h.window.start),
            ));
        }
        for (service, err) in &outcome.partial_failures {
            p.error(&format!("{service}: {err}"));
        }
        if let Some(why) = self.no_diagnosis {
            p.info(why);
        }
    }

    fn diagnosed(&mut self, report: &PassReport) {
        diagnose::print_in_poll(report, self.printer);
    }
}

/// The outbox lines, the notification failures, and the exit code of the whole pass.
pub fn finish(outcome: PassOutcome, dry_run: bool, printer: &mut Printer) -> Exit {
    let o = &outcome.poll;
    let mut exit = Exit::Ok;
    if o.quarantine.total() > 0 {
        exit = exit.worst(Exit::Partial);
    }
    if o.held.is_some() {
        exit = exit.worst(Exit::TempFail);
    }
    for (_, err) in &o.partial_failures {
        exit = exit.worst(telemetry_exit(err));
    }
    if let Some(report) = outcome.diagnosis {
        exit = exit.worst(diagnose::in_poll_exit(report));
    }
    if !dry_run {
        report_outbox(&outcome.notified, printer);
    }
    for f in &outcome.notified.failures {
        printer.error(&f.to_string());
        exit = exit.worst(notify_exit(f));
    }
    if exit == Exit::Ok && outcome.findings {
        exit = Exit::Findings;
    }
    exit
}

/// What the outbox sweep did: earlier notifications now sent, and (on stderr, at most 5 named)
/// those given up after `MAX_INTENT_AGE` unsent.
fn report_outbox(n: &NotifyOutcome, printer: &mut Printer) {
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
fn precise(t: UnixNanos) -> String {
    crate::core::time::format_rfc3339_nanos(t)
}

/// `, 3 quarantined (a.jsonl 2, b.jsonl 1)`, or nothing when no record was skipped.
fn quarantine_summary(q: &Quarantine) -> String {
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

/// Moves the byte progress bar as a file source reads.
pub fn progress_hook(bar: indicatif::ProgressBar) -> crate::app::wiring::ProgressHook {
    Box::new(move |done, total| {
        if let Some(t) = total {
            if bar.length() != Some(t) {
                bar.set_length(t);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} {bar:30} {bytes}/{total_bytes} {msg} ({elapsed}, {bytes_per_sec})",
                ) {
                    bar.set_style(style);
                }
            }
        }
        bar.set_position(done);
    })
}
