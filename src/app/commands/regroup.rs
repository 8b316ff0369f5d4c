//! `rounds poll --regroup` (re-fingerprint stored signatures, merge what became one) and
//! `rounds split` (mark signatures no-merge).

use crate::app::settings::{self, Global};
use crate::app::wiring;
use crate::cli::SplitArgs;
use crate::core::fingerprint::ALGORITHM_VERSION;
use crate::core::ports::store::prelude::*;
use crate::core::regroup::regroup as run_regroup;
use crate::exit::{AppError, Exit};
use crate::output::Printer;
use std::fmt::Write as _;

pub fn regroup(
    g: &Global,
    dry_run: bool,
    grouping: &crate::core::fingerprint::Grouping,
    printer: &mut Printer,
) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    // A dry run only reads: it neither creates a missing database nor takes the pass lock.
    let mut store = if dry_run {
        wiring::open_store_read(g)?
    } else {
        wiring::open_store_write(g)?
    };
    let report = run_regroup(&mut store, now, !dry_run, grouping)?;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}regroup under fingerprint v{ALGORITHM_VERSION}: {} signature(s) examined ({} from older versions), \
         {} unchanged, {} re-keyed, {} merge(s)",
        if dry_run { "dry run: " } else { "" },
        report.examined,
        report.older_versions,
        report.unchanged,
        report.rekeyed(),
        report.merges()
    );
    for c in &report.changes {
        let kind = if c.absorbed.len() > 1 {
            "merge"
        } else {
            "re-key"
        };
        let _ = writeln!(
            o,
            "{kind} {} -> {}  {}",
            c.absorbed.join(" + "),
            c.survivor,
            c.template
        );
        for k in &c.kept_apart {
            let _ = writeln!(o, "  kept apart (no-merge): {k}");
        }
    }
    let _ = writeln!(
        o,
        "splits: one retained sample per signature cannot show one; events that now fingerprint apart start their own signature as they arrive"
    );
    printer.data(&o).map_err(|e| AppError::WriteFile {
        path: "<stdout>".into(),
        reason: e.to_string(),
    })?;
    Ok(Exit::Ok)
}

pub fn split(g: &Global, args: &SplitArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let mut store = wiring::open_store_write_existing(g)?;
    let sigs = super::mark::resolve_all(&store, &args.ids)?;
    let mut changed = Vec::with_capacity(sigs.len());
    for sig in &sigs {
        changed.push(true);
        store.set_no_merge(&sig.id, !args.undo, now)?;
        printer.info(&format!(
            "{}: {}",
            &sig.id[..12.min(sig.id.len())],
            if args.undo {
                "may merge again"
            } else {
                "kept apart (no-merge)"
            }
        ));
    }
    let action = if args.undo { "unsplit" } else { "split" };
    super::mark::print_changes(args.json, action, &store, &sigs, &changed, printer)
}
