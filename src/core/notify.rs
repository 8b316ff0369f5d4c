//! The notify use case: announce what triage selects, once per channel, recording the intent
//! before sending so a crash between sending and committing never announces twice (a notifier
//! that can look for its own earlier message, like GitHub's marker, reconciles the rest).
//!
//! The notifications table is an outbox: a send that failed (or was cut short by a crash) leaves
//! its intent row, and every later recording pass retries every due intent of every channel
//! before announcing its own signatures, with exponential backoff ([`retry_delay`]) and an age
//! limit ([`MAX_INTENT_AGE`]) after which the row is marked given up and reported, never
//! dropped silently nor retried forever. A key already sent is never sent again.

use crate::core::model::{
    Diagnosis, HourlyCounts, Signature, SignatureId, UnixNanos, NANOS_PER_DAY,
};
use crate::core::ports::codebase::History;
use crate::core::ports::store::{
    EventLedger, NotificationRecord, NotificationState, PendingNotification,
};
use crate::core::ports::{
    Notification, NotificationKind, Notifier, NotifyError, SignatureStore, StoreError,
};
use crate::core::triage::{day_over_day, decisions, NotifyPolicy};
use std::collections::BTreeSet;

#[derive(Debug, Default)]
pub struct NotifyOutcome {
    pub sent: usize,
    pub failures: Vec<NotifyError>,
    /// Of `sent`, intents left by earlier passes (the outbox).
    pub retried: usize,
    /// Intents older than [`MAX_INTENT_AGE`], marked given up by this pass.
    pub given_up: Vec<PendingNotification>,
}

/// An intent not sent within this long after it was first written is given up (and reported).
pub const MAX_INTENT_AGE: UnixNanos = 7 * NANOS_PER_DAY;
/// The first retry waits this long; each further one twice as long ...
pub const RETRY_BASE: UnixNanos = 5 * 60 * 1_000_000_000;
/// ... up to this.
pub const RETRY_CAP: UnixNanos = 6 * 3600 * 1_000_000_000;
/// Intents retried per pass at most (oldest first); the rest wait for the next pass.
pub const RETRY_PER_PASS: usize = 200;

/// How long after its `attempts`-th attempt (1-based) an intent is retried: 5 min, 10, 20, ...,
/// capped at 6 h.
pub fn retry_delay(attempts: u32) -> UnixNanos {
    let shift = attempts.saturating_sub(1).min(16);
    RETRY_BASE.saturating_mul(1 << shift).min(RETRY_CAP)
}

fn kind_of(dedup_key: &str) -> Option<NotificationKind> {
    let head = dedup_key.split(':').next().unwrap_or_default();
    Some(match head {
        "new" => NotificationKind::New,
        "regressed" => NotificationKind::Regressed,
        "diagnosed" => NotificationKind::Diagnosed,
        "escalating" => NotificationKind::Escalating,
        _ => return None,
    })
}

/// Rebuild what an intent row announces, from the store as it is now.
fn rebuild(
    store: &dyn SignatureStore,
    p: &PendingNotification,
    kind: NotificationKind,
    now: UnixNanos,
    history: Option<&dyn History>,
) -> Result<Notification, StoreError> {
    let sig = store.signature(&p.record.signature_id)?;
    let diagnosis = store.latest_diagnosis(&sig.id)?;
    let hourly_48h = store.hourly_counts(&sig.id, now, 48)?;
    let dedup_key = p.record.dedup_key.clone();
    notification_of(store, sig, diagnosis, &hourly_48h, kind, dedup_key, history)
}

/// A notification of `sig` with what every one carries beside its kind and key: the last 24 h
/// and the day before (from `hourly_48h`), recent trace ids, aliases and suspect commits.
fn notification_of(
    store: &dyn SignatureStore,
    sig: Signature,
    diagnosis: Option<Diagnosis>,
    hourly_48h: &HourlyCounts,
    kind: NotificationKind,
    dedup_key: String,
    history: Option<&dyn History>,
) -> Result<Notification, StoreError> {
    let (_, prev) = day_over_day(hourly_48h);
    let last_24h = HourlyCounts {
        end: hourly_48h.end,
        counts: hourly_48h.counts[hourly_48h.counts.len().saturating_sub(24)..].to_vec(),
    };
    let trace_ids: Vec<String> = store
        .events(&sig.id, 5)?
        .into_iter()
        .map(|e| e.trace_id)
        .filter(|t| !t.is_empty())
        .collect();
    let aliases = store.aliases(&sig.id)?;
    let suspects = suspects_of(store, &sig, history)?;
    let releases = store.releases(&sig.id)?;
    Ok(Notification {
        kind,
        signature: sig,
        diagnosis,
        last_24h: Some(last_24h),
        trace_ids,
        previous_24h: Some(prev),
        dedup_key,
        aliases,
        suspects,
        releases,
    })
}

/// Suspect commits of `sig` when there is a git history to blame (none otherwise).
fn suspects_of(
    store: &dyn EventLedger,
    sig: &crate::core::model::Signature,
    history: Option<&dyn History>,
) -> Result<Vec<crate::core::suspects::Suspect>, StoreError> {
    let Some(h) = history else {
        return Ok(Vec::new());
    };
    let releases = crate::core::suspects::releases_of(&store.event_samples(&sig.id, 0)?);
    Ok(crate::core::suspects::find(sig, &releases, h).suspects)
}

/// Write an intent row for one finding on one channel and count the attempt about to be made
/// (before sending, so a crash mid-send still counts it and the outbox retries it).
fn write_intent(
    store: &mut dyn SignatureStore,
    channel: &str,
    signature_id: &SignatureId,
    dedup_key: &str,
    now: UnixNanos,
) -> Result<(), StoreError> {
    store.put_notification(&NotificationRecord {
        signature_id: signature_id.clone(),
        channel: channel.to_string(),
        dedup_key: dedup_key.to_string(),
        state: NotificationState::Intent,
        external_ref: None,
        at: now,
    })?;
    store.notification_attempted(channel, signature_id, dedup_key, now + retry_delay(1))
}

/// The outbox sweep: retry every due intent of a configured channel (oldest first, at most
/// [`RETRY_PER_PASS`]), give up those older than [`MAX_INTENT_AGE`]. Intents of channels not
/// configured in this pass wait (and age out).
fn retry_pending(
    store: &mut dyn SignatureStore,
    notifiers: &mut [Box<dyn Notifier>],
    down: &mut BTreeSet<usize>,
    now: UnixNanos,
    out: &mut NotifyOutcome,
    history: Option<&dyn History>,
) -> Result<(), StoreError> {
    for p in store.due_notifications(now, RETRY_PER_PASS)? {
        let rec = &p.record;
        let kind = kind_of(&rec.dedup_key);
        if now.saturating_sub(p.first_at) > MAX_INTENT_AGE || kind.is_none() {
            store.put_notification(&NotificationRecord {
                state: NotificationState::GivenUp,
                at: now,
                ..rec.clone()
            })?;
            out.given_up.push(p);
            continue;
        }
        let Some(i) = notifiers.iter().position(|n| n.channel() == rec.channel) else {
            continue;
        };
        if down.contains(&i) {
            continue;
        }
        let Some(kind) = kind else { continue };
        let note = match rebuild(&*store, &p, kind, now, history) {
            Ok(n) => n,
            // The signature is gone (pruned): nothing left to announce.
            Err(StoreError::UnknownId { .. }) => {
                store.put_notification(&NotificationRecord {
                    state: NotificationState::GivenUp,
                    at: now,
                    ..rec.clone()
                })?;
                out.given_up.push(p);
                continue;
            }
            Err(e) => return Err(e),
        };
        store.notification_attempted(
            &rec.channel,
            &rec.signature_id,
            &rec.dedup_key,
            now.saturating_add(retry_delay(p.attempts.saturating_add(1))),
        )?;
        match notifiers[i].notify(&note) {
            Ok(external_ref) => {
                out.sent += 1;
                out.retried += 1;
                store.put_notification(&NotificationRecord {
                    state: NotificationState::Sent,
                    external_ref,
                    at: now,
                    ..rec.clone()
                })?;
            }
            Err(e) => {
                if channel_is_down(&e) {
                    down.insert(i);
                }
                out.failures.push(e);
            }
        }
    }
    Ok(())
}

/// Whether a failure means the channel will fail the same way for every other notification of
/// this pass (then the rest are skipped instead of hammering a dead endpoint).
fn channel_is_down(e: &NotifyError) -> bool {
    matches!(
        e,
        NotifyError::Auth { .. }
            | NotifyError::Unavailable { .. }
            | NotifyError::Config { .. }
            | NotifyError::Transient { .. }
    )
}

/// Announce the signatures in `ids` that triage selects, after retrying the outbox (intents left
/// by earlier passes). With `record` false (dry runs) nothing is written and the outbox is left
/// alone: channels with side effects (files, issues) are skipped and the others (stdout) show
/// every selected notification. With a git `checkout` (CODEBASE_PATH) notifications carry
/// suspect commits.
pub fn notify(
    store: &mut dyn SignatureStore,
    notifiers: &mut [Box<dyn Notifier>],
    ids: &[SignatureId],
    policy: &NotifyPolicy,
    now: UnixNanos,
    record: bool,
    checkout: Option<&dyn History>,
) -> Result<NotifyOutcome, StoreError> {
    let mut out = NotifyOutcome::default();
    let mut down: BTreeSet<usize> = BTreeSet::new();
    if record {
        retry_pending(store, notifiers, &mut down, now, &mut out, checkout)?;
    }
    if notifiers.is_empty() {
        // `--notify none`: nothing would be sent or recorded, so nothing is built (each
        // signature's history, diagnosis, counts, events, aliases and releases).
        return Ok(out);
    }
    // Sent records of channels without side effects, written together at the end; and what
    // they cover, so one pass never sends the same finding twice on such a channel.
    let mut light_sent: Vec<NotificationRecord> = Vec::new();
    let mut sent_later: BTreeSet<(usize, SignatureId, String)> = BTreeSet::new();
    for id in ids {
        let sig = store.signature(id)?;
        let history = store.status_history(&sig.id)?;
        let diagnosis = store.latest_diagnosis(&sig.id)?;
        let hourly_48h = store.hourly_counts(&sig.id, now, 48)?;
        let selected = decisions(
            &sig,
            &history,
            diagnosis.as_ref(),
            Some(&hourly_48h),
            policy,
            now,
        );
        let Some(first) = selected.first() else {
            continue;
        };
        let (kind, key) = (first.kind, first.dedup_key.clone());
        let base = notification_of(
            &*store,
            sig.clone(),
            diagnosis,
            &hourly_48h,
            kind,
            key,
            checkout,
        )?;
        for decision in selected {
            let note = Notification {
                kind: decision.kind,
                dedup_key: decision.dedup_key.clone(),
                ..base.clone()
            };
            for (i, n) in notifiers.iter_mut().enumerate() {
                if !record && (down.contains(&i) || n.has_side_effects()) {
                    continue;
                }
                let channel = n.channel().to_string();
                let key = &decision.dedup_key;
                // A channel without side effects (stdout) writes no intent before sending: a
                // crash mid-send would only print a line again. Its sent records are written
                // together after the loop (one transaction, not three per finding); a failed
                // send leaves an intent for the outbox, as every channel's does.
                let light = !n.has_side_effects();
                if record {
                    // Sent: done. Intent: the outbox sweep above owns it (and its backoff).
                    // Given up: reported once, never again.
                    if store.notification(&channel, &sig.id, key)?.is_some()
                        || (light && !sent_later.insert((i, sig.id.clone(), key.clone())))
                    {
                        continue;
                    }
                    if !light || down.contains(&i) {
                        // Counted before sending; a channel down this pass gets its intent (the
                        // outbox) and the same backoff, without being hammered.
                        write_intent(store, &channel, &sig.id, key, now)?;
                    }
                    if down.contains(&i) {
                        continue;
                    }
                }
                match n.notify(&note) {
                    Ok(external_ref) => {
                        out.sent += 1;
                        if record {
                            let sent = NotificationRecord {
                                signature_id: sig.id.clone(),
                                channel,
                                dedup_key: key.clone(),
                                state: NotificationState::Sent,
                                external_ref,
                                at: now,
                            };
                            if light {
                                light_sent.push(sent);
                            } else {
                                store.put_notification(&sent)?;
                            }
                        }
                    }
                    Err(e) => {
                        if record && light {
                            write_intent(store, &channel, &sig.id, key, now)?;
                        }
                        if channel_is_down(&e) {
                            down.insert(i);
                        }
                        out.failures.push(e);
                    }
                }
            }
        }
    }
    if !light_sent.is_empty() {
        store.begin()?;
        for r in &light_sent {
            if let Err(e) = store.put_notification(r) {
                let _ = store.rollback();
                return Err(e);
            }
        }
        store.commit()?;
    }
    for (i, n) in notifiers.iter_mut().enumerate() {
        if down.contains(&i) || (!record && n.has_side_effects()) {
            continue;
        }
        if let Err(e) = n.finish() {
            out.failures.push(e);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_minutes_to_a_six_hour_cap() {
        let min = 60 * 1_000_000_000;
        assert_eq!(retry_delay(0), 5 * min);
        assert_eq!(retry_delay(1), 5 * min);
        assert_eq!(retry_delay(2), 10 * min);
        assert_eq!(retry_delay(4), 40 * min);
        assert_eq!(retry_delay(8), 360 * min);
        assert_eq!(retry_delay(u32::MAX), 360 * min);
    }

    #[test]
    fn dedup_keys_name_their_kind() {
        assert_eq!(kind_of("new"), Some(NotificationKind::New));
        assert_eq!(kind_of("regressed:7"), Some(NotificationKind::Regressed));
        assert_eq!(kind_of("diagnosed:42"), Some(NotificationKind::Diagnosed));
        assert_eq!(kind_of("escalating:5"), Some(NotificationKind::Escalating));
        assert_eq!(kind_of("other"), None);
    }
}
