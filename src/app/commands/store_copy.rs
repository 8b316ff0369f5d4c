//! `rounds store copy --from PATH`: move a SQLite store into the configured PostgreSQL store,
//! history included, in one transaction; the summary (rows per table) goes to stderr.

use crate::app::settings::Global;
use crate::app::wiring;
use crate::app::wiring::AnyStore;
use crate::cli::StoreCopyArgs;
use crate::core::ports::store::prelude::*;
use crate::core::ports::StoreError;
use crate::exit::{AppError, Exit};
use crate::output::Printer;

pub fn run(g: &Global, args: &StoreCopyArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    if g.postgres.is_none() {
        return Err(AppError::Config(
            "rounds store copy writes into the PostgreSQL store: set STORE_BACKEND=postgresql and DATABASE_URL".into(),
        ));
    }
    if !args.from.is_file() {
        return Err(StoreError::Missing {
            path: args.from.display().to_string(),
        }
        .into());
    }
    // The source opened as a writer: migrated to this build's schema, and its pass lock held
    // for the copy, so no pass writes it meanwhile.
    let mut source = wiring::open_store_write(&Global {
        db: args.from.clone(),
        postgres: None,
        ..g.clone()
    })?;
    // Reservations of calls that died with their pass become the estimated spend they are.
    source.settle_abandoned_reservations()?;
    let mut target = wiring::open_store_write(g)?;
    let AnyStore::Postgres(pg) = &mut target else {
        return Err(AppError::Config(
            "rounds store copy needs STORE_BACKEND=postgresql".into(),
        ));
    };
    let counts = pg.copy_from_sqlite(&args.from)?;
    drop(source);
    let parts: Vec<String> = counts
        .iter()
        .map(|(table, n)| format!("{table} {n}"))
        .collect();
    printer.info(&format!(
        "copied {} into {}: {}",
        args.from.display(),
        wiring::store_location(g),
        parts.join(", ")
    ));
    Ok(Exit::Ok)
}
