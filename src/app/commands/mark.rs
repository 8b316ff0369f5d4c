//! `rounds ignore` and `rounds resolve`: status changes by hand, recorded in the history.

use crate::app::settings::{self, parse_until, Global};
use crate::app::wiring;
use crate::cli::{IgnoreArgs, ResolveArgs};
use crate::core::model::{Signature, Status};
use crate::core::ports::store::prelude::*;
use crate::core::ports::SignatureStore;
use crate::core::triage::status_before_ignore;
use crate::exit::{AppError, Exit};
use crate::output::{json, Printer};

pub fn ignore(g: &Global, args: &IgnoreArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let until = args
        .until
        .as_deref()
        .map(|u| parse_until("--until", u, now))
        .transpose()?;
    if let Some(u) = until {
        if u <= now {
            return Err(AppError::Usage(
                "--until: that time has already passed".into(),
            ));
        }
    }
    let mut store = wiring::open_store_write_existing(g)?;
    let sigs = resolve_all(&store, &args.ids)?;
    let mut changed = Vec::with_capacity(sigs.len());
    for sig in &sigs {
        if args.undo {
            if sig.status != Status::Ignored {
                printer.info(&format!("{}: not ignored", short(&sig.id)));
                changed.push(false);
                continue;
            }
            let back = status_before_ignore(&store.status_history(&sig.id)?);
            store.set_status(&sig.id, back, "no longer ignored", now)?;
            printer.info(&format!("{}: no longer ignored ({})", short(&sig.id), back));
        } else {
            store.set_ignore(&sig.id, args.reason.as_deref(), until, now)?;
            printer.info(&format!("{}: ignored", short(&sig.id)));
        }
        changed.push(true);
    }
    let action = if args.undo { "unignore" } else { "ignore" };
    print_changes(args.json, action, &store, &sigs, &changed, printer)
}

pub fn resolve(g: &Global, args: &ResolveArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let mut store = wiring::open_store_write_existing(g)?;
    let sigs = resolve_all(&store, &args.ids)?;
    let mut changed = Vec::with_capacity(sigs.len());
    for sig in &sigs {
        if args.undo {
            if sig.status != Status::Resolved {
                printer.info(&format!("{}: not resolved", short(&sig.id)));
                changed.push(false);
                continue;
            }
            store.set_status(&sig.id, Status::New, "reopened by hand", now)?;
            printer.info(&format!("{}: reopened", short(&sig.id)));
        } else if args.in_next_release {
            // As of the latest release in the release order (docs/releases.md): only a newer
            // release, or an occurrence naming none, regresses it.
            match store.releases(&sig.id)?.latest() {
                Some(latest) => {
                    let reason = format!("resolved by hand in the release after {}", latest.name);
                    store.set_resolved_in_release(&sig.id, &latest.name, &reason, now)?;
                    printer.info(&format!(
                        "{}: resolved in the release after {}",
                        short(&sig.id),
                        latest.name
                    ));
                }
                None => {
                    store.set_status(&sig.id, Status::Resolved, "resolved by hand", now)?;
                    printer.info(&format!(
                        "{}: resolved (no release seen: any new occurrence regresses it)",
                        short(&sig.id)
                    ));
                }
            }
        } else {
            store.set_status(&sig.id, Status::Resolved, "resolved by hand", now)?;
            printer.info(&format!("{}: resolved", short(&sig.id)));
        }
        changed.push(true);
    }
    let action = match (args.undo, args.in_next_release) {
        (true, _) => "reopen",
        (false, true) => "resolve_in_next_release",
        (false, false) => "resolve",
    };
    print_changes(args.json, action, &store, &sigs, &changed, printer)
}

/// With `--json`: `{"version", "action", "signatures": [signature + "changed"]}`, each signature
/// read back after the change, in the order given (docs: README "JSON output").
pub(crate) fn print_changes(
    as_json: bool,
    action: &str,
    store: &impl SignatureStore,
    sigs: &[Signature],
    changed: &[bool],
    printer: &mut Printer,
) -> Result<Exit, AppError> {
    if !as_json {
        return Ok(Exit::Ok);
    }
    let mut out = Vec::with_capacity(sigs.len());
    for (sig, &did) in sigs.iter().zip(changed) {
        let mut v = json::signature(&store.signature(&sig.id)?);
        if let Some(o) = v.as_object_mut() {
            o.insert("changed".into(), did.into());
        }
        out.push(v);
    }
    let doc = serde_json::json!({
        "version": json::JSON_VERSION,
        "action": action,
        "signatures": out,
    });
    printer
        .data(&json::text(&doc))
        .map_err(|e| AppError::WriteFile {
            path: "<stdout>".into(),
            reason: e.to_string(),
        })?;
    Ok(Exit::Ok)
}

/// Resolve every id (or prefix, or alias) before changing anything, so a typo in the third id
/// changes nothing.
pub(crate) fn resolve_all(
    store: &impl SignatureStore,
    ids: &[String],
) -> Result<Vec<Signature>, AppError> {
    Ok(ids
        .iter()
        .map(|id| store.signature(id))
        .collect::<Result<Vec<_>, _>>()?)
}

fn short(id: &str) -> &str {
    &id[..12.min(id.len())]
}
