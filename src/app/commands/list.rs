//! `rounds list`: signatures as a table (terminal), tab-separated values (piped) or JSON. The
//! default shows unresolved signatures; a list cut by `--limit` says so ("showing N of M"). Each
//! row carries where the bug happens, its last-24 h count, trend and hourly sparkline.

use crate::app::settings::{self, parse_since, Global};
use crate::app::wiring;
use crate::cli::{ListArgs, ListFormat, Sort};
use crate::core::activity::{location, Activity};
use crate::core::model::{Signature, Status};
use crate::core::ports::store::prelude::*;
use crate::core::ports::{SignatureFilter, SignatureSort};
use crate::exit::{AppError, Exit};
use crate::output::table::ListRow;
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
            Sort::LastSeen | Sort::Trend => SignatureSort::LastSeen,
            Sort::Count => SignatureSort::Count,
            Sort::FirstSeen => SignatureSort::FirstSeen,
        },
        // The trend is not stored: every match is ranked here, then cut.
        limit: (args.limit > 0 && args.sort != Sort::Trend).then_some(args.limit),
    };
    let store = wiring::open_store_read(g)?;
    let mut sigs = store.signatures(&filter)?;
    let total = if filter.limit.is_some_and(|l| sigs.len() >= l) {
        store.count_signatures(&filter)?
    } else {
        sigs.len() as u64
    };
    // 48 hours of hourly counts per listed signature: one indexed read each.
    let mut activity = sigs
        .iter()
        .map(|s| Ok(Activity::from_hourly(&store.hourly_counts(&s.id, now, 48)?)))
        .collect::<Result<Vec<_>, AppError>>()?;
    if args.sort == Sort::Trend {
        let mut ranked: Vec<(Signature, Activity)> = sigs.into_iter().zip(activity).collect();
        // Stable: equal trends keep last-seen order.
        ranked.sort_by_key(|r| std::cmp::Reverse(r.1.rank()));
        if args.limit > 0 {
            ranked.truncate(args.limit);
        }
        (sigs, activity) = ranked.into_iter().unzip();
    }
    let rows: Vec<ListRow> = sigs
        .iter()
        .zip(&activity)
        .map(|(sig, activity)| ListRow {
            sig,
            activity,
            location: location(sig),
        })
        .collect();
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
            let entries = rows
                .iter()
                .map(|r| {
                    let mut v = json::list_entry(r);
                    json::add_releases(&mut v, &store.releases(&r.sig.id)?);
                    Ok(v)
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            let doc = serde_json::json!({
                "version": json::JSON_VERSION,
                "signatures": entries,
                "total": total,
                "spend_today_usd": spent,
                "daily_budget_usd": args.daily_budget,
                "budget_left_usd": args.daily_budget.map(|b| (b - spent).max(0.0)),
            });
            write(printer, &json::text(&doc))?;
        }
        ListFormat::Tsv => write(printer, &table::signatures_tsv(&rows))?,
        ListFormat::Table if sigs.is_empty() => {}
        ListFormat::Table => {
            let width = if stdout_tty {
                comfy_table::Table::new().width()
            } else {
                None
            };
            let color = printer.color_stdout;
            printer
                .data_styled(&table::signatures(&rows, now, width, color))
                .map_err(|e| AppError::WriteFile {
                    path: "<stdout>".into(),
                    reason: e.to_string(),
                })?;
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
