//! `rounds generate DIR`: man pages and shell completions from the clap definition, so they can
//! never drift from the flags (a test regenerates them and compares).

use crate::cli::{Cli, GenerateArgs};
use crate::exit::{AppError, Exit};
use crate::output::Printer;
use clap::CommandFactory;
use clap_complete::Shell;
use std::path::Path;

pub fn run(args: &GenerateArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    write_all(&args.out)?;
    printer.info(&format!(
        "wrote man/ and completions/ under {}",
        args.out.display()
    ));
    Ok(Exit::Ok)
}

fn io_err(path: &Path, e: std::io::Error) -> AppError {
    AppError::WriteFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Write `man/*.1` and `completions/*` under `out`.
pub fn write_all(out: &Path) -> Result<(), AppError> {
    let man_dir = out.join("man");
    let comp_dir = out.join("completions");
    std::fs::create_dir_all(&man_dir).map_err(|e| io_err(&man_dir, e))?;
    std::fs::create_dir_all(&comp_dir).map_err(|e| io_err(&comp_dir, e))?;
    let cmd = Cli::command();
    let mut pages = vec![("rounds".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("rounds-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let mut buf = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut buf)
            .map_err(|e| io_err(&man_dir, e))?;
        if name == "rounds" {
            buf.extend_from_slice(EXIT_STATUS_ROFF.as_bytes());
        }
        let path = man_dir.join(format!("{name}.1"));
        std::fs::write(&path, buf).map_err(|e| io_err(&path, e))?;
    }
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut c = Cli::command();
        clap_complete::generate_to(shell, &mut c, "rounds", &comp_dir)
            .map_err(|e| io_err(&comp_dir, e))?;
    }
    Ok(())
}

const EXIT_STATUS_ROFF: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
success
.TP
\fB1\fR
findings matched \-\-fail\-on
.TP
\fB2\fR
usage error
.TP
\fB3\fR
partial: the pass finished but skipped unreadable records (named on stderr, counted in report); \-\-strict makes them fatal (65)
.TP
\fB65\fR
bad data from a backend, an LLM or an input file
.TP
\fB66\fR
unknown signature id, or a missing input file
.TP
\fB69\fR
backend or required program unavailable
.TP
\fB70\fR
internal error
.TP
\fB73\fR
cannot create the database or a file
.TP
\fB74\fR
cannot write the database or a file
.TP
\fB75\fR
transient failure (timeout, 429, 5xx, database busy): retry next pass
.TP
\fB77\fR
credentials rejected
.TP
\fB78\fR
bad configuration
"#;
