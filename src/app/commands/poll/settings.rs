//! `rounds poll`'s settings: every duration and count range-checked (exit 78) into the pass's
//! typed configuration before anything is read or written.

use crate::app::checked;
use crate::app::llm::LlmSettings;
use crate::app::settings::{self, parse_duration, Global};
use crate::cli::{FailOn, PollArgs};
use crate::core::diagnose::DiagnoseOptions;
use crate::core::pass::{Gate, PassConfig};
use crate::core::poll::PollConfig;
use crate::core::triage::NotifyPolicy;
use crate::exit::AppError;
use crate::output::Printer;

/// The pass's configuration; `llm` is the diagnosis backend, when one is configured.
pub fn pass_config(
    g: &Global,
    args: &PollArgs,
    llm: Option<&LlmSettings>,
    printer: &mut Printer,
) -> Result<PassConfig, AppError> {
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
    let poll = PollConfig {
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
        grouping: if args.check {
            Default::default()
        } else {
            crate::app::grouping::from_poll_args(args, printer)
        },
    };
    let notify = NotifyPolicy {
        min_occurrences: args.notify.min_occurrences,
        escalation_factor: settings::escalation_factor(args.notify.escalation_factor)?,
    };
    let diagnose = llm.filter(|_| !args.dry_run).map(|llm| DiagnoseOptions {
        rules: llm.rules(args.notify.min_occurrences),
        limits: llm.limits,
        owner: crate::app::wiring::process_owner(),
        ..DiagnoseOptions::default()
    });
    let gates = args
        .fail_on
        .iter()
        .map(|f| match f {
            FailOn::New => Gate::New,
            FailOn::Regressed => Gate::Regressed,
            FailOn::Escalating => Gate::Escalating,
        })
        .collect();
    Ok(PassConfig {
        poll,
        notify,
        diagnose,
        gates,
    })
}
