//! `rounds list`: signatures as a table (terminal), tab-separated values (piped) or JSON. The
//! default shows unresolved signatures; a list cut by `--limit` says so ("showing N of M").

use crate::app::settings::{self, parse_since, Global};
use crate::app::wiring;
use crate::cli::{ListArgs, ListFormat, Sort};
use crate::core::model::Status;
use crate::core::ports::{SignatureFilter, SignatureSort, SignatureStore};
use crate::exit::{AppError, Exit};
use crate::output::{json, table, Printer};
use std::io::IsTerminal;

pub fn parse_statuses(raw: &[String]) -> Result<Vec<Status>, AppError> {
    raw.iter()
        .map(|s| {
            Status::parse(s.trim()).ok_or_else(|| {
                AppError::Usage(format!(
                    "--status: unknown state '{s}' (known: new, investigating, diagnosed, resolved, ignored, regressed)"
                ))
            })
        })
        .collect()
}

/// What `list` shows without `--status` or `--all`: everything still needing attention.
pub const UNRESOLVED: [Status; 4] = [
    Status::New,
    Status::Regressed,
    Status::Investigating,
    Status::Diagnosed,
];

pub fn run(g: &Global, args: &ListArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let filter = SignatureFilter {
        statuses: if args.all {
            Vec::new()
        } else if args.status.is_empty() {
            UNRESOLVED.to_vec()
        } else {
            parse_statuses(&args.status)?
        },
        service: args.service.clone(),
        seen_since: args
            .since
            .as_deref()
            .map(|s| parse_since("--since", s, now))
            .transpose()?,
        search: args.search.clone(),
        release: args.release.clone(),
        environment: args.environment.clone(),
        sort: match args.sort {
            Sort::LastSeen => SignatureSort::LastSeen,
            Sort::Count => SignatureSort::Count,
            Sort::FirstSeen => SignatureSort::FirstSeen,
        },
        limit: (args.limit > 0).then_some(args.limit),
    };
    let store = wiring::open_store_read(g)?;
    let sigs = store.signatures(&filter)?;
    let total = if filter.limit.is_some_and(|l| sigs.len() >= l) {
        store.count_signatures(&filter)?
    } else {
        sigs.len() as u64
    };
    let stdout_tty = std::io::stdout().is_terminal();
    let format = match (args.format, args.json) {
        (Some(f), _) => f,
        (None, true) => ListFormat::Json,
        (None, false) if stdout_tty => ListFormat::Table,
        (None, false) => ListFormat::Tsv,
    };
    let write = |printer: &mut Printer, text: &str| {
        printer.data(text).map_err(|e| AppError::WriteFile {
            path: "<stdout>".into(),
            reason: e.to_string(),
        })
    };
    match format {
        ListFormat::Json => {
            let day = crate::core::time::day_start(now);
            let spent = store.spend_between(day, now + 1)?;
            let doc = serde_json::json!({
                "version": json::JSON_VERSION,
                "signatures": sigs.iter().map(json::signature).collect::<Vec<_>>(),
                "total": total,
                "spend_today_usd": spent,
                "daily_budget_usd": args.daily_budget,
                "budget_left_usd": args.daily_budget.map(|b| (b - spent).max(0.0)),
            });
            write(printer, &json::text(&doc))?;
        }
        ListFormat::Tsv => write(printer, &table::signatures_tsv(&sigs))?,
        ListFormat::Table if sigs.is_empty() => {}
        ListFormat::Table => {
            let width = if stdout_tty {
                comfy_table::Table::new().width()
            } else {
                None
            };
            write(printer, &table::signatures(&sigs, now, width))?;
        }
    }
    if sigs.is_empty() && format != ListFormat::Json {
        printer.info(if args.all || !args.status.is_empty() {
            "no signatures match"
        } else {
            "no unresolved signatures match (--all shows resolved and ignored ones too)"
        });
    }
    if (sigs.len() as u64) < total {
        printer.info(&format!(
            "showing {} of {total} (--limit 0 shows all)",
            sigs.len()
        ));
    }
    Ok(Exit::Ok)
}
