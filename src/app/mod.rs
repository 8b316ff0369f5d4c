//! The driving side: resolve settings, wire adapters to use cases, run one command.

pub mod checked;
pub mod commands;
pub mod grouping;
pub mod limits;
pub mod llm;
pub mod settings;
pub mod wiring;

use crate::cli::{Cli, Command};
use crate::exit::{AppError, Exit};
use crate::output::Printer;

/// Run the parsed command line; returns the exit code to use.
pub fn run(cli: Cli, printer: &mut Printer) -> Result<Exit, AppError> {
    let global = settings::Global::resolve(&cli.global)?;
    crate::core::redact::install(global.redactor.clone());
    match cli.command {
        Command::Poll(args) => commands::poll::run(&global, &args, printer),
        Command::Diagnose(args) => commands::diagnose::run(&global, &args, printer),
        Command::List(args) => commands::list::run(&global, &args, printer),
        Command::Show(args) => commands::show::run(&global, &args, printer),
        Command::Ignore(args) => commands::mark::ignore(&global, &args, printer),
        Command::Resolve(args) => commands::mark::resolve(&global, &args, printer),
        Command::Split(args) => commands::regroup::split(&global, &args, printer),
        Command::Report(args) => commands::report::run(&global, &args, printer),
        Command::Status(args) => commands::status::run(&global, &args, printer),
        Command::Generate(args) => commands::generate::run(&args, printer),
        Command::Store(crate::cli::StoreCommand::Copy(args)) => {
            commands::store_copy::run(&global, &args, printer)
        }
    }
}
