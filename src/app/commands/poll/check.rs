//! `rounds poll --check`: reach the backend and list its services, reading no events.

use crate::app::settings::Global;
use crate::app::wiring;
use crate::cli::PollArgs;
use crate::exit::{AppError, Exit};
use crate::output::Printer;

/// `poll --check`: reach the backend, list services, read nothing.
pub fn run(g: &Global, args: &PollArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let mut source = wiring::telemetry_source(args, g.limits.input, None)?;
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
    Ok(Exit::Ok)
}
