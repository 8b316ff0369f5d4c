//! `rounds generate DIR` / `rounds generate --install`: man pages and shell completions from the
//! clap definition, so they can never drift from the flags (a test regenerates them and compares).
//!
//! Each page is clap_mangen's NAME, SYNOPSIS (`rounds poll …`, as typed), DESCRIPTION and
//! OPTIONS, then sections of our own: ENVIRONMENT (every variable an option reads, and the
//! environment-only secrets), FILES, EXIT STATUS, EXAMPLES and SEE ALSO (only pages that exist).

use crate::cli::{Cli, GenerateArgs, POLL_ENVIRONMENT};
use crate::exit::{AppError, Exit};
use crate::output::Printer;
use clap::CommandFactory;
use clap_complete::Shell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn run(args: &GenerateArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    if args.install {
        let places = install_places()?;
        write_pages(&places.man)?;
        for (shell, dir) in &places.completions {
            write_completion(*shell, dir)?;
        }
        printer.info(&format!("man pages: {}", places.man.display()));
        for (shell, dir) in &places.completions {
            printer.info(&format!("{shell} completion: {}", dir.display()));
        }
        return Ok(Exit::Ok);
    }
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

const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// Write `man/*.1` and `completions/*` under `out`.
pub fn write_all(out: &Path) -> Result<(), AppError> {
    write_pages(&out.join("man"))?;
    let comp_dir = out.join("completions");
    for shell in SHELLS {
        write_completion(shell, &comp_dir)?;
    }
    Ok(())
}

/// Where `--install` puts things: the per-user places each tool searches without configuration
/// (man-db finds `~/.local/share/man` through `~/.local/bin` on `PATH`; bash-completion loads
/// `$XDG_DATA_HOME/bash-completion/completions`; fish `~/.config/fish/completions`; zsh needs
/// `~/.local/share/zsh/site-functions` on `fpath`).
struct InstallPlaces {
    man: PathBuf,
    completions: Vec<(Shell, PathBuf)>,
}

fn install_places() -> Result<InstallPlaces, AppError> {
    let data = dirs::data_dir().ok_or_else(|| {
        AppError::Config("no data directory for this user: use `rounds generate DIR`".into())
    })?;
    let config = dirs::config_dir().unwrap_or_else(|| data.clone());
    Ok(InstallPlaces {
        man: data.join("man").join("man1"),
        completions: vec![
            (
                Shell::Bash,
                data.join("bash-completion").join("completions"),
            ),
            (Shell::Zsh, data.join("zsh").join("site-functions")),
            (Shell::Fish, config.join("fish").join("completions")),
        ],
    })
}

fn write_completion(shell: Shell, dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let mut c = Cli::command();
    clap_complete::generate_to(shell, &mut c, "rounds", dir).map_err(|e| io_err(dir, e))?;
    Ok(())
}

fn write_pages(man_dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(man_dir).map_err(|e| io_err(man_dir, e))?;
    // No `help` subcommand in the pages: it has no page of its own.
    let cmd = Cli::command().disable_help_subcommand(true);
    let mut pages = vec![("rounds".to_string(), None, cmd.clone())];
    let subs: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name().to_string();
        // The page is rounds-poll(1), as git-commit(1) is; the synopsis says what is typed.
        let page = sub
            .clone()
            .display_name(format!("rounds-{name}"))
            .bin_name(format!("rounds {name}"));
        pages.push((format!("rounds-{name}"), Some(name), page));
    }
    for (file, sub, page) in pages {
        let mut buf = Vec::new();
        let man = clap_mangen::Man::new(page.clone())
            .source(format!("rounds {}", env!("CARGO_PKG_VERSION")))
            .manual("rounds manual");
        man.render_title(&mut buf)
            .and_then(|_| man.render_name_section(&mut buf))
            .and_then(|_| man.render_synopsis_section(&mut buf))
            .and_then(|_| man.render_description_section(&mut buf))
            .and_then(|_| man.render_options_section(&mut buf))
            .and_then(|_| {
                if sub.is_none() {
                    man.render_subcommands_section(&mut buf)
                        .and_then(|_| man.render_version_section(&mut buf))
                } else {
                    Ok(())
                }
            })
            .map_err(|e| io_err(man_dir, e))?;
        let mut buf = strip_repeated_preamble(&buf);
        buf.extend_from_slice(extra_sections(sub.as_deref(), &page, &subs).as_bytes());
        let path = man_dir.join(format!("{file}.1"));
        std::fs::write(&path, buf).map_err(|e| io_err(&path, e))?;
    }
    Ok(())
}

/// Each clap_mangen section renders roff's two-line `Aq` preamble: keep only the first.
fn strip_repeated_preamble(roff: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::with_capacity(text.len());
    let mut seen = false;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(".ie \\n(.g .ds Aq")
            && lines.peek().is_some_and(|l| l.starts_with(".el .ds Aq"))
        {
            lines.next();
            if seen {
                continue;
            }
            seen = true;
            out.push_str(".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n");
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// ENVIRONMENT, FILES, EXIT STATUS, EXAMPLES and SEE ALSO for one page (`sub` None: rounds(1)).
fn extra_sections(sub: Option<&str>, page: &clap::Command, subs: &[String]) -> String {
    let mut out = String::new();
    out.push_str(".SH ENVIRONMENT\n");
    let mut vars: Vec<(String, String)> = page
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| {
            let env = a.get_env()?.to_string_lossy().into_owned();
            let flag = a
                .get_long()
                .map(|l| format!("\\-\\-{}", roff_escape(l)))
                .unwrap_or_default();
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            Some((env, format!("same as {flag}: {}", roff_escape(&help))))
        })
        .collect();
    vars.sort();
    vars.dedup_by(|a, b| a.0 == b.0);
    for (env, what) in &vars {
        let _ = write!(out, ".TP\n\\fB{}\\fR\n{what}\n", roff_escape(env));
    }
    if matches!(sub, Some("poll") | Some("diagnose")) {
        out.push_str(".PP\nSecrets are read from the environment only, never from flags:\n");
        for line in POLL_ENVIRONMENT.lines().skip(1) {
            let trimmed = line.trim();
            if line.starts_with("      ") {
                let _ = writeln!(out, "{}", roff_escape(trimmed));
            } else if !trimmed.is_empty() {
                let _ = write!(out, ".TP\n\\fB{}\\fR\n", roff_escape(trimmed));
            }
        }
    }
    if sub.is_some() {
        out.push_str(
            ".PP\nGlobal options (\\-\\-db, \\-\\-color, \\-\\-lock\\-wait, redaction) and their variables: see \\fBrounds\\fR(1).\n",
        );
    } else {
        out.push_str(
            ".TP\n\\fBNO_COLOR\\fR\nwhen set, no colour (as \\-\\-color never)\n\
             .TP\n\\fBROUNDS_NOW\\fR\npin the clock (RFC 3339), for reproducible runs\n\
             .TP\n\\fBROUNDS_MAX_*\\fR\nsize caps on input and ingest (see docs/limits.md)\n",
        );
    }
    out.push_str(FILES_ROFF);
    out.push_str(EXIT_STATUS_ROFF);
    let examples = examples(sub);
    if !examples.is_empty() {
        out.push_str(".SH EXAMPLES\n");
        for (what, cmd) in examples {
            let _ = write!(
                out,
                ".TP\n{}\n.nf\n\\f(CW{}\\fR\n.fi\n",
                roff_escape(what),
                roff_escape(cmd)
            );
        }
    }
    out.push_str(".SH \"SEE ALSO\"\n");
    let mut see: Vec<String> = Vec::new();
    if sub.is_some() {
        see.push("\\fBrounds\\fR(1)".into());
    }
    for s in subs {
        if Some(s.as_str()) != sub {
            see.push(format!("\\fBrounds\\-{}\\fR(1)", roff_escape(s)));
        }
    }
    let _ = writeln!(out, "{}", see.join(", "));
    out
}

/// Escape text for roff: backslashes, hyphens (so they copy as ASCII) and a leading dot or quote.
fn roff_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '-' => out.push_str("\\-"),
            _ => out.push(c),
        }
    }
    if out.starts_with('.') || out.starts_with('\'') {
        out.insert_str(0, "\\&");
    }
    out
}

/// Two to four typical invocations per page.
fn examples(sub: Option<&str>) -> Vec<(&'static str, &'static str)> {
    match sub {
        None => vec![
            ("One pass over a file, then look at what it found:", "rounds poll --input examples/otlp-errors.jsonl"),
            ("What is new or regressed:", "rounds list --status new,regressed --since 24h"),
            ("A findings report for CI:", "rounds report --since 24h > findings.md"),
        ],
        Some("poll") => vec![
            ("From cron every 5 minutes, against Jaeger:", "*/5 * * * * TELEMETRY_BACKEND=jaeger JAEGER_API_URL=http://jaeger:16686 rounds -q poll"),
            ("Check the backend is reachable and which services it has:", "rounds poll --backend tempo --tempo-url http://tempo:3200 --check"),
            ("Fail a CI job when something new appears:", "rounds poll --input collector/ --fail-on new,regressed"),
            ("See what a pass would do, writing nothing:", "rounds poll --input errors.jsonl --dry-run"),
        ],
        Some("diagnose") => vec![
            ("Show the prompt that would be sent, spending nothing:", "rounds diagnose --dry-run 3f2a9c"),
            ("Diagnose one signature with Claude Code, within a budget:", "DIAGNOSIS_BACKEND=claude_code CODEBASE_PATH=~/src/shop rounds diagnose 3f2a9c --diagnosis-budget 0.50"),
        ],
        Some("list") => vec![
            ("Everything unresolved, most recent first:", "rounds list"),
            ("The 10 most frequent, as JSON for scripts:", "rounds list --all --sort count --limit 10 --json"),
            ("Only one service, seen in the last day:", "rounds list --service checkout --since 24h"),
        ],
        Some("show") => vec![
            ("Everything about one signature (a unique id prefix is enough):", "rounds show 3f2a9c"),
            ("All retained events, as JSON:", "rounds show 3f2a9c --events 0 --json"),
        ],
        Some("ignore") => vec![
            ("Silence a known issue for a week:", "rounds ignore 3f2a9c --until 7d --reason \"fix in review\""),
        ],
        Some("resolve") => vec![
            ("Mark fixed; a new occurrence makes it regressed:", "rounds resolve 3f2a9c"),
        ],
        Some("split") => vec![
            ("Keep a signature apart from future merges:", "rounds split 3f2a9c"),
        ],
        Some("report") => vec![
            ("The last day as markdown:", "rounds report --since 24h > findings.md"),
            ("Everything, as JSON:", "rounds report --since all --json"),
        ],
        Some("status") => vec![
            ("Which database and configuration are in use, and how the last pass went:", "rounds status"),
        ],
        Some("store") => vec![
            ("Move a SQLite store, history included, into PostgreSQL:", "STORE_BACKEND=postgresql DATABASE_URL=postgresql://rounds@db/rounds rounds store copy --from ~/.local/share/rounds/rounds.db"),
        ],
        Some("generate") => vec![
            ("Install man pages and completions for this user:", "rounds generate --install"),
            ("Write them under a packaging root:", "rounds generate pkg/usr/share/rounds"),
        ],
        Some(_) => Vec::new(),
    }
}

const FILES_ROFF: &str = r#".SH FILES
.TP
\fI$XDG_DATA_HOME/rounds/rounds.db\fR (usually \fI~/.local/share/rounds/rounds.db\fR)
the SQLite store: signatures, the event ledger, cursors and file checkpoints, diagnoses, spend, notifications; \-\-db or STORE_SQLITE_PATH moves it
.TP
\fI<database>.lock\fR
the pass lock beside the database: one writing pass at a time
.TP
\fI$XDG_DATA_HOME/man/man1\fR, \fI$XDG_DATA_HOME/bash\-completion/completions\fR, \fI$XDG_DATA_HOME/zsh/site\-functions\fR, \fI$XDG_CONFIG_HOME/fish/completions\fR
where \fBrounds generate \-\-install\fR puts the man pages and completions
"#;

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
unknown signature id, or a missing input file or database
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_the_sections_and_no_dangling_reference() {
        let dir = tempfile_dir();
        write_pages(&dir).unwrap();
        let pages: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(pages.contains(&"rounds-poll.1".to_string()));
        assert!(!pages.contains(&"rounds-help.1".to_string()));
        let reference = regex::Regex::new(r"rounds\\-([a-z]+)\\fR\(1\)").unwrap();
        for p in &pages {
            let text = std::fs::read_to_string(dir.join(p)).unwrap();
            for section in [
                ".SH ENVIRONMENT",
                ".SH FILES",
                ".SH \"EXIT STATUS\"",
                ".SH EXAMPLES",
            ] {
                assert!(text.contains(section), "{p} lacks {section}");
            }
            // Every page it points at exists.
            for cap in reference.captures_iter(&text) {
                let target = format!("rounds-{}.1", &cap[1]);
                assert!(pages.contains(&target), "{p} points at missing {target}");
            }
            assert!(!text.contains("help(1)"), "{p} points at a help page");
        }
        let poll = std::fs::read_to_string(dir.join("rounds-poll.1")).unwrap();
        assert!(
            poll.contains("\\fBrounds poll\\fR"),
            "synopsis says `rounds poll`"
        );
        assert!(
            poll.contains("\\fBJAEGER_API_URL\\fR"),
            "backend variables listed"
        );
        assert!(poll.contains("\\fBGITHUB_TOKEN\\fR"), "secrets listed");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("rounds-man-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }
}
