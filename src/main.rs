//! The `rounds` binary: parse arguments, run the app, print one line on failure, return the code.

use clap::Parser;
use rounds::cli::Cli;
use rounds::exit::Exit;
use rounds::output::Printer;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage.code()
            } else {
                Exit::Ok.code()
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let mut printer = Printer::new(cli.global.quiet, cli.global.verbose, cli.global.color);
    match rounds::app::run(cli, &mut printer) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            printer.error(&e.to_string());
            ExitCode::from(e.exit().code())
        }
    }
}
