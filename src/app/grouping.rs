//! The grouping rules of a pass: ROUNDS_IN_APP / ROUNDS_NOT_IN_APP prefixes and the file index
//! of CODEBASE_PATH, built once per pass through the codebase port and handed to the core as data.

use crate::core::fingerprint::stack::{FileIndex, InAppRules};
use crate::core::fingerprint::Grouping;
use crate::core::ports::codebase::Codebase;
use crate::output::Printer;
use std::time::Duration;

/// The most files the in-app index holds (a few MB at most); a larger checkout is cut, marked
/// incomplete, and then "not in the checkout" no longer means "not application code".
pub const MAX_INDEXED_FILES: usize = 50_000;
/// The longest the index may take to list (a directory walk of a slow or huge tree).
pub const INDEX_BUDGET: Duration = Duration::from_secs(2);

/// The rules from poll's arguments: a CODEBASE_PATH that cannot be opened is noted and left
/// out (the diagnosis step reports it as a configuration error; grouping still works).
pub fn from_poll_args(args: &crate::cli::PollArgs, printer: &Printer) -> Grouping {
    let codebase = match args
        .llm
        .codebase
        .as_deref()
        .map(crate::app::wiring::open_codebase)
    {
        Some(Ok(cb)) => Some(cb),
        Some(Err(e)) => {
            printer.info(&format!("{e}; in-app frames by the built-in lists"));
            None
        }
        None => None,
    };
    grouping(
        args.in_app.as_deref(),
        args.not_in_app.as_deref(),
        codebase.as_ref().map(|c| c as &dyn Codebase),
        printer,
    )
}

/// Build the pass's grouping rules.
pub fn grouping(
    in_app: Option<&str>,
    not_in_app: Option<&str>,
    codebase: Option<&dyn Codebase>,
    printer: &Printer,
) -> Grouping {
    let files = codebase.map(|cb| {
        let (files, complete) = cb.files(MAX_INDEXED_FILES, INDEX_BUDGET);
        if !complete {
            printer.info(&format!(
                "CODEBASE_PATH {}: indexed {} file(s), cut by the bound ({MAX_INDEXED_FILES} files, {} s); \
                 frames outside the index fall back to the built-in lists",
                cb.root(),
                files.len(),
                INDEX_BUDGET.as_secs()
            ));
        }
        FileIndex::from_paths(files, complete)
    });
    Grouping {
        in_app: InAppRules {
            include: in_app.map(InAppRules::prefixes).unwrap_or_default(),
            exclude: not_in_app.map(InAppRules::prefixes).unwrap_or_default(),
            files,
        },
        ..Grouping::default()
    }
}
