//! The poll use case: one pass from a telemetry source into the store.
//!
//! The source is read on one thread (parse, key), worker threads fingerprint stacks (stateless),
//! and this thread runs the stateful template miner in source order and writes to the store; the
//! pass is one transaction, and the cursor and the miner state move inside it, so a failed or
//! interrupted pass leaves counts, cursor and templates exactly as they were.

use crate::core::fingerprint::cache::{StackCache, CAPACITY as STACK_CACHE};
use crate::core::ledger::EventKeyer;
use crate::core::model::{ErrorEvent, EventKey, Fingerprint, SignatureId, UnixNanos};
use crate::core::ports::store::{PassSummary, RecordOutcome};
use crate::core::ports::{
    Clock, HeldWindow, PollWindow, Quarantine, SignatureStore, StoreError, TelemetryError,
    TelemetrySource,
};
use crate::core::regroup::TemplateGrouper;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::mpsc::{channel, sync_channel};

/// Settings of one pass, already validated.
#[derive(Debug, Clone)]
pub struct PollConfig {
    /// First run: how far back to look.
    pub lookback: i64,
    /// Re-read this much before the cursor to absorb late-arriving spans.
    pub overlap: i64,
    /// The longest window one pass catches up after an outage.
    pub max_catchup: i64,
    /// Ledger retention.
    pub retention: i64,
    /// Quiet this long and a signature resolves itself.
    pub resolve_after: i64,
    pub dry_run: bool,
    /// Caps applied to every event before it is keyed, fingerprinted or stored.
    pub limits: crate::core::limits::Limits,
    /// In-app rules and selection settings for every fingerprint of the pass.
    pub grouping: crate::core::fingerprint::Grouping,
}

#[derive(Debug, Default)]
pub struct PollOutcome {
    pub summary: PassSummary,
    /// `None` for position-free sources (files).
    pub window: Option<PollWindow>,
    /// Nanoseconds of backlog left unread because of `max_catchup`.
    pub skipped_backlog: i64,
    /// Signatures this pass created, regressed or added to, in first-touched order.
    pub new_ids: Vec<SignatureId>,
    pub regressed_ids: Vec<SignatureId>,
    pub touched_ids: Vec<SignatureId>,
    pub auto_resolved: Vec<String>,
    pub pruned: u64,
    pub notes: Vec<String>,
    /// Services that failed while others succeeded; their events are missing from this pass.
    pub partial_failures: Vec<(String, TelemetryError)>,
    /// Records skipped as unreadable; the pass went on without them.
    pub quarantine: Quarantine,
    /// A window the backend could not return whole: the cursor stayed at its start.
    pub held: Option<HeldWindow>,
    /// Read positions to save with the pass (files).
    positions: Option<String>,
    /// Where the source stopped reading, when before the window's end.
    read_until: Option<UnixNanos>,
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Telemetry(#[from] TelemetryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Choose the window for a time-based source.
pub fn window_for(
    cursor: Option<UnixNanos>,
    now: UnixNanos,
    cfg: &PollConfig,
) -> (PollWindow, i64) {
    let wanted_start = match cursor {
        Some(c) => c - cfg.overlap,
        None => now - cfg.lookback,
    };
    let floor = now - cfg.max_catchup;
    let skipped = (floor - wanted_start).max(0);
    (
        PollWindow {
            start: wanted_start.max(floor).min(now),
            end: now,
        },
        skipped,
    )
}

const BATCH: usize = 256;

/// Run one pass. `progress` is called with the running count of events read.
pub fn poll(
    source: &mut dyn TelemetrySource,
    store: &mut dyn SignatureStore,
    clock: &dyn Clock,
    cfg: &PollConfig,
    progress: &mut dyn FnMut(u64),
    dry_run_preview: &mut dyn FnMut(&mut dyn SignatureStore, &PollOutcome),
) -> Result<PollOutcome, PollError> {
    let started = clock.now();
    let scope = source.cursor_scope();
    let cursor = store.cursor(&scope)?;
    let (window, skipped_backlog) = window_for(cursor, started, cfg);
    let positions_key = source.positions_key();
    store.begin()?;
    if let Some(key) = &positions_key {
        // Read inside the transaction, so positions and the events they cover move together.
        let saved = match store.state(key) {
            Ok(s) => s,
            Err(e) => {
                let _ = store.rollback();
                return Err(e.into());
            }
        };
        if let Err(e) = source.restore_positions(saved.as_deref()) {
            let _ = store.rollback();
            return Err(e.into());
        }
    }
    let result = run_pass(source, store, window, started, cfg, progress);
    let mut outcome = match result {
        Ok(o) => o,
        Err(e) => {
            let _ = store.rollback();
            return Err(e);
        }
    };
    outcome.skipped_backlog = skipped_backlog;
    if skipped_backlog > 0 && outcome.window.is_some() {
        outcome.notes.push(format!(
            "caught up only the last {} (MAX_CATCHUP); {} of older backlog skipped",
            crate::core::time::ago(cfg.max_catchup, 0),
            crate::core::time::ago(skipped_backlog, 0)
        ));
    }
    let finish = (|| -> Result<(), StoreError> {
        // Move the cursor only when every service was read: the ledger makes re-reading free,
        // while a moved cursor over a failed service would lose its events for good.
        if outcome.window.is_some() && outcome.partial_failures.is_empty() {
            store.set_cursor(
                &scope,
                cursor_after(cursor, window, outcome.held.as_ref()),
                started,
            )?;
        }
        if let (Some(key), Some(positions)) = (&positions_key, outcome.positions.take()) {
            store.put_state(key, &positions)?;
        }
        outcome.auto_resolved = store.auto_resolve(started - cfg.resolve_after, started)?;
        outcome.pruned = store.prune_events(started - cfg.retention)?;
        outcome.summary.started_at = started;
        outcome.summary.finished_at = clock.now();
        outcome.summary.source = source.backend().to_string();
        store.record_pass(&outcome.summary)?;
        if cfg.dry_run {
            // The pass's changes are visible inside its transaction: show them, then drop them.
            dry_run_preview(store, &outcome);
            store.rollback()
        } else {
            store.commit()
        }
    })();
    if let Err(e) = finish {
        let _ = store.rollback();
        return Err(e.into());
    }
    Ok(outcome)
}

/// Where the cursor goes after a pass over `window`: its end, or, when a window could not be
/// read whole, no further than that window's start (never backwards, so the overlap does not
/// walk the window back pass after pass; the next window starts at or before the held start).
fn cursor_after(
    cursor: Option<UnixNanos>,
    window: PollWindow,
    held: Option<&HeldWindow>,
) -> UnixNanos {
    match held {
        None => window.end,
        Some(h) => {
            let at = h.window.start.clamp(window.start, window.end);
            cursor.map_or(at, |c| c.max(at).min(window.end))
        }
    }
}

/// Merges moved absorbed ids into survivors during the pass: report each survivor once, in
/// the place its first id had (done once at the end, so a pass with many merges stays linear).
fn retarget(out: &mut PollOutcome, merges: &HashMap<SignatureId, SignatureId>) {
    if merges.is_empty() {
        return;
    }
    let resolve = |id: &SignatureId| {
        let mut id = id;
        // Chains are short (a template widens a few times); the bound guards against a cycle.
        for _ in 0..64 {
            match merges.get(id) {
                Some(next) if next != id => id = next,
                _ => break,
            }
        }
        id.clone()
    };
    let rewrite = |ids: &mut Vec<SignatureId>| {
        let mut seen = HashSet::with_capacity(ids.len());
        let before = ids.len();
        *ids = ids
            .iter()
            .map(resolve)
            .filter(|id| seen.insert(id.clone()))
            .collect();
        before - ids.len()
    };
    // Signatures born this pass that turned out to be one are one new signature.
    let folded = rewrite(&mut out.new_ids) as u64;
    out.summary.new = out.summary.new.saturating_sub(folded);
    out.summary.recurring += folded;
    rewrite(&mut out.regressed_ids);
    rewrite(&mut out.touched_ids);
}

fn run_pass(
    source: &mut dyn TelemetrySource,
    store: &mut dyn SignatureStore,
    window: PollWindow,
    now: UnixNanos,
    cfg: &PollConfig,
    progress: &mut dyn FnMut(u64),
) -> Result<PollOutcome, PollError> {
    let mut out = PollOutcome::default();
    let lifted = store.expire_ignores(now)?;
    if !lifted.is_empty() {
        out.notes
            .push(format!("{} ignore(s) expired", lifted.len()));
    }
    let mut grouper = TemplateGrouper::load(store)?;
    out.notes.extend(grouper.note.take());
    let mut nested = crate::core::fingerprint::nested::NestedRecordings::new();
    let mut touched = BTreeSet::new();
    let mut merges: HashMap<SignatureId, SignatureId> = HashMap::new();
    let mut store_error: Option<StoreError> = None;
    // Pipeline: the source thread parses and keys events (keys depend on order), workers
    // fingerprint batches, and this thread writes them in the order the source produced them.
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    // One memo of parsed stacks for the pass, shared by the workers (src/core/fingerprint/cache.rs).
    let stacks = StackCache::new(&cfg.grouping, STACK_CACHE);
    let stacks = &stacks;
    let fetched = std::thread::scope(|scope| {
        let mut to_workers = Vec::with_capacity(workers);
        let mut from_workers = Vec::with_capacity(workers);
        let mut to_spent = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (tx_in, rx_in) = sync_channel::<Vec<(EventKey, ErrorEvent)>>(4);
            let (tx_out, rx_out) = sync_channel::<Vec<(EventKey, Fingerprint, ErrorEvent)>>(4);
            // Consumed batches go back to the worker that made them, to be freed between its
            // batches: freeing thousands of small strings had cost the writer (the serial stage)
            // a quarter of its time, and the reader is the next busiest thread. Unbounded, yet
            // bounded by the batches in flight: the writer only returns what it was sent.
            let (tx_spent, spent) = channel::<Vec<(EventKey, Fingerprint, ErrorEvent)>>();
            scope.spawn(move || {
                for batch in rx_in {
                    while let Ok(done) = spent.try_recv() {
                        drop(done);
                    }
                    let done: Vec<_> = batch
                        .into_iter()
                        .map(|(key, ev)| {
                            let fp = stacks.fingerprint(&ev);
                            (key, fp, ev)
                        })
                        .collect();
                    if tx_out.send(done).is_err() {
                        break;
                    }
                }
            });
            to_workers.push(tx_in);
            from_workers.push(rx_out);
            to_spent.push(tx_spent);
        }
        let limits = cfg.limits;
        let producer = scope.spawn(move || {
            let mut keyer = EventKeyer::new();
            let redactor = crate::core::redact::configured();
            let mut batch = Vec::with_capacity(BATCH);
            let mut next = 0usize;
            let send =
                |batch: Vec<(EventKey, ErrorEvent)>, next: &mut usize| -> Result<(), String> {
                    let worker = &to_workers[*next % to_workers.len()];
                    *next += 1;
                    worker
                        .send(batch)
                        .map_err(|_| "the store stopped accepting events".to_string())
                };
            let mut sink = |ev: ErrorEvent| -> Result<(), String> {
                // Bounded before anything else sees it: key, fingerprint, miner and store.
                let ev = limits.bound(ev, redactor);
                let key = keyer.key(&ev);
                batch.push((key, ev));
                if batch.len() >= BATCH {
                    send(
                        std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                        &mut next,
                    )?;
                }
                Ok(())
            };
            let res = source.fetch(window, &mut sink);
            if !batch.is_empty() && res.is_ok() {
                let _ = send(batch, &mut next);
            }
            res
        });
        let mut turn = 0usize;
        'recv: while let Ok(mut batch) = from_workers[turn % workers].recv() {
            let from = turn % workers;
            turn += 1;
            for (key, fp, ev) in batch.iter_mut() {
                out.summary.events_read += 1;
                match grouper.assign(fp, store, now) {
                    Ok(Some(merge)) => {
                        merges.insert(merge.absorbed, merge.survivor);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        store_error = Some(e);
                        break 'recv;
                    }
                }
                // One error recorded again, wrapped, on an outer span is one signature.
                nested.canonical(ev, fp);
                match store.record_event(key, fp, ev, now) {
                    Ok(RecordOutcome::Duplicate) => out.summary.duplicates += 1,
                    Ok(o) => {
                        match o {
                            RecordOutcome::NewSignature => {
                                out.summary.new += 1;
                                out.new_ids.push(fp.id.clone());
                            }
                            RecordOutcome::Regressed => {
                                out.summary.regressed += 1;
                                out.regressed_ids.push(fp.id.clone());
                            }
                            _ => out.summary.recurring += 1,
                        }
                        // Look up before copying: most events touch a signature seen already.
                        if !touched.contains(&fp.id) {
                            touched.insert(fp.id.clone());
                            out.touched_ids.push(fp.id.clone());
                        }
                    }
                    Err(e) => {
                        store_error = Some(e);
                        break 'recv;
                    }
                }
            }
            progress(out.summary.events_read);
            // Once a worker is done nobody takes them back: then they are freed here.
            let _ = to_spent[from].send(batch);
        }
        drop(from_workers);
        producer.join()
    });
    if let Some(e) = store_error {
        return Err(e.into());
    }
    let report = match fetched {
        Ok(r) => r?,
        Err(_) => {
            return Err(TelemetryError::Sink("the telemetry reader crashed".into()).into());
        }
    };
    grouper.save(store)?;
    retarget(&mut out, &merges);
    out.summary.skipped = out.summary.duplicates;
    out.notes.extend(report.notes);
    out.partial_failures = report.partial_failures;
    out.summary.quarantined = report.quarantine.total();
    out.quarantine = report.quarantine;
    out.held = report.held;
    out.positions = report.positions;
    out.read_until = report.read_until;
    if !report.window_ignored {
        out.window = Some(window);
    }
    Ok(out)
}
