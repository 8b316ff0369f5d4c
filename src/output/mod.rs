//! The one place that prints: data to stdout, messages and progress to stderr (progress only on
//! a TTY), colour only when asked for or when stderr is a terminal and NO_COLOR is unset.

#![allow(clippy::print_stdout, clippy::print_stderr)] // the one place that writes to the terminal

pub mod json;
mod pager;
pub mod table;

use crate::cli::ColorChoice;
use crate::core::visible::visible_lines;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};

pub struct Printer {
    pub quiet: bool,
    pub verbose: u8,
    pub color: bool,
    /// Colour in data on stdout (tables): `--color always`, or auto when stdout is a terminal.
    pub color_stdout: bool,
    /// Set when stdout was closed by the reader (e.g. `| head`): stop writing, exit 0.
    pub stdout_closed: bool,
}

impl Printer {
    pub fn new(quiet: bool, verbose: u8, color: ColorChoice) -> Self {
        let no_color = || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let (color, color_stdout) = match color {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (
                !no_color() && io::stderr().is_terminal(),
                !no_color() && io::stdout().is_terminal(),
            ),
        };
        Printer {
            quiet,
            verbose,
            color,
            color_stdout,
            stdout_closed: false,
        }
    }

    /// Data for stdout (tables, JSON, markdown). A closed pipe is not an error.
    pub fn data(&mut self, text: &str) -> io::Result<()> {
        // Nothing reaches the terminal raw: telemetry escapes are shown, not executed.
        let text = crate::core::visible::visible_lines(text);
        self.write_stdout(&text)
    }

    /// Data whose every piece of telemetry text was already made visible (`table::clip`), with
    /// the table's own colour styles, which `data` would show as text.
    pub fn data_styled(&mut self, text: &str) -> io::Result<()> {
        if !self.color_stdout {
            return self.data(text);
        }
        self.write_stdout(text)
    }

    /// A long text view for a person: through a pager when stdout is a terminal (`ROUNDS_PAGER`,
    /// else `PAGER`, else `less -FRX`, which exits at once when the text fits one screen; an
    /// empty value or `cat` means none), straight to stdout otherwise or when the pager cannot
    /// start. Escaped as `data` is.
    pub fn page(&mut self, text: &str, no_pager: bool) -> io::Result<()> {
        if no_pager || !io::stdout().is_terminal() {
            return self.data(text);
        }
        let text = crate::core::visible::visible_lines(text);
        match pager::run(&text) {
            Ok(()) => Ok(()),
            Err(_) => self.write_stdout(&text),
        }
    }

    fn write_stdout(&mut self, text: &str) -> io::Result<()> {
        if self.stdout_closed {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        let res = out.write_all(text.as_bytes()).and_then(|_| {
            if !text.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            out.flush()
        });
        match res {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.stdout_closed = true;
                Ok(())
            }
            other => other,
        }
    }

    /// A status line on stderr, unless quiet.
    pub fn info(&self, line: &str) {
        if !self.quiet {
            eprintln!("{}", visible_lines(line));
        }
    }

    /// Extra detail on stderr with -v.
    pub fn detail(&self, line: &str) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{}", visible_lines(line));
        }
    }

    pub fn warn(&self, line: &str) {
        if !self.quiet {
            eprintln!("{}{}", self.paint("warning: ", "33"), visible_lines(line));
        }
    }

    /// The one line a failure ends with.
    pub fn error(&self, line: &str) {
        eprintln!("{}{}", self.paint("error: ", "31"), visible_lines(line));
    }

    pub fn paint(&self, text: &str, ansi: &str) -> String {
        if self.color {
            format!("\x1b[{ansi}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// A progress bar on stderr when it is a terminal; hidden otherwise.
    pub fn progress(&self, total: Option<u64>, unit: &str) -> ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = match total {
            Some(t) => ProgressBar::new(t),
            None => ProgressBar::new_spinner(),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
        let template = match total {
            Some(_) => {
                format!("{{spinner}} {{bar:30}} {{percent:>3}}% {{msg}} {unit} ({{elapsed}})")
            }
            None => format!("{{spinner}} {{msg}} {unit} ({{elapsed}})"),
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }
}
