//! `rounds poll`: settings → wiring → one pass ([`crate::core::pass`]) → print, then exit.

mod check;
mod print;
mod settings;

use crate::app::commands::diagnose;
use crate::app::settings::Global;
use crate::app::wiring;
use crate::cli::PollArgs;
use crate::core::pass::{self, DiagnosisPorts, PassPorts};
use crate::core::ports::codebase::{Codebase, History};
use crate::exit::{AppError, Exit};
use crate::output::Printer;

pub fn run(g: &Global, args: &PollArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    if args.regroup {
        let grouping = crate::app::grouping::from_poll_args(args, printer);
        return crate::app::commands::regroup::regroup(g, args.dry_run, &grouping, printer);
    }
    let clock = crate::app::settings::clock()?;
    let llm = crate::app::llm::LlmSettings::resolve(&args.llm, None)?;
    let cfg = settings::pass_config(g, args, llm.as_ref(), printer)?;
    let mut notifiers = wiring::notifiers(&args.notify, args.json)?;
    if args.check {
        return check::run(g, args, printer);
    }

    // Wiring: the source (with a byte progress bar for files), the store, the diagnoser.
    let bar = printer.progress(None, "bytes");
    let mut source = wiring::telemetry_source(
        args,
        g.limits.input,
        Some(print::progress_hook(bar.clone())),
    )?;
    let mut store = wiring::open_store_write(g)?;
    // Notifications name suspect commits when CODEBASE_PATH is a git checkout.
    let checkout = wiring::checkout(args.llm.codebase.as_deref());
    let (mut diagnoser, codebase) = match (&llm, &cfg.diagnose) {
        (Some(llm), Some(_)) => {
            diagnose::reap(printer);
            (Some(wiring::diagnoser(llm)?), wiring::codebase(llm)?)
        }
        _ => (None, None),
    };
    let redactor = crate::core::redact::configured().clone();
    let mut observer = print::PassPrinter {
        printer,
        bar,
        backend: source.backend().to_string(),
        dry_run: args.dry_run,
        resolve_after_days: args.resolve_after_days,
        no_diagnosis: print::no_diagnosis(llm.is_some(), args.dry_run),
    };

    let outcome = pass::run(
        PassPorts {
            source: source.as_mut(),
            store: &mut store,
            clock: clock.as_ref(),
            notifiers: &mut notifiers,
            diagnosis: diagnoser.as_mut().map(|d| DiagnosisPorts {
                diagnoser: d.as_mut(),
                codebase: codebase.as_ref().map(|c| c as &dyn Codebase),
                redactor: &redactor,
            }),
            checkout: checkout.as_ref().map(|c| c as &dyn History),
        },
        &cfg,
        &mut observer,
    );
    observer.bar.finish_and_clear();
    let outcome = outcome.map_err(|e| match e {
        pass::PassError::Poll(p) => AppError::from(p),
        pass::PassError::Store(s) => AppError::Store(s),
    })?;
    Ok(print::finish(outcome, args.dry_run, printer))
}
