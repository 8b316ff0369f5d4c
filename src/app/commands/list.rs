//! `rounds list`: signatures as a table or JSON.

use crate::app::settings::{self, parse_since, Global};
use crate::app::wiring;
use crate::cli::{ListArgs, Sort};
use crate::core::model::Status;
use crate::core::ports::{SignatureFilter, SignatureSort, SignatureStore};
use crate::exit::{AppError, Exit};
use crate::output::{json, table, Printer};

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

pub fn run(g: &Global, args: &ListArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let filter = SignatureFilter {
        statuses: parse_statuses(&args.status)?,
        service: args.service.clone(),
        seen_since: args
            .since
            .as_deref()
            .map(|s| parse_since("--since", s, now))
            .transpose()?,
        search: args.search.clone(),
        sort: match args.sort {
            Sort::LastSeen => SignatureSort::LastSeen,
            Sort::Count => SignatureSort::Count,
            Sort::FirstSeen => SignatureSort::FirstSeen,
        },
        limit: Some(args.limit),
    };
    let store = wiring::open_store_read(g)?;
    let sigs = store.signatures(&filter)?;
    let write = |printer: &mut Printer, text: &str| {
        printer.data(text).map_err(|e| AppError::WriteFile {
            path: "<stdout>".into(),
            reason: e.to_string(),
        })
    };
    if args.json {
        let day = crate::core::time::day_start(now);
        let spent = store.spend_between(day, now + 1)?;
        let doc = serde_json::json!({
            "version": json::JSON_VERSION,
            "signatures": sigs.iter().map(json::signature).collect::<Vec<_>>(),
            "spend_today_usd": spent,
        });
        write(printer, &json::text(&doc))?;
    } else if sigs.is_empty() {
        printer.info("no signatures match");
    } else {
        write(printer, &table::signatures(&sigs, now))?;
    }
    Ok(Exit::Ok)
}
