//! The notify use case: announce what triage selects, once per channel, recording the intent
//! before sending so a crash between sending and committing never announces twice (a notifier
//! that can look for its own earlier message, like GitHub's marker, reconciles the rest).

use crate::core::model::{HourlyCounts, UnixNanos};
use crate::core::ports::store::{NotificationRecord, NotificationState};
use crate::core::ports::{Notification, Notifier, NotifyError, SignatureStore, StoreError};
use crate::core::triage::{day_over_day, decisions, NotifyPolicy};
use std::collections::BTreeSet;

#[derive(Debug, Default)]
pub struct NotifyOutcome {
    pub sent: usize,
    pub failures: Vec<NotifyError>,
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

/// Announce the signatures in `ids` that triage selects. With `record` false (dry runs) nothing
/// is written: channels with side effects (files, issues) are skipped and the others (stdout)
/// show every selected notification.
pub fn notify(
    store: &mut dyn SignatureStore,
    notifiers: &mut [Box<dyn Notifier>],
    ids: &[String],
    policy: &NotifyPolicy,
    now: UnixNanos,
    record: bool,
) -> Result<NotifyOutcome, StoreError> {
    let mut out = NotifyOutcome::default();
    let mut down: BTreeSet<usize> = BTreeSet::new();
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
        if selected.is_empty() {
            continue;
        }
        let (_, prev) = day_over_day(&hourly_48h);
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
        for decision in selected {
            let note = Notification {
                kind: decision.kind,
                signature: sig.clone(),
                diagnosis: diagnosis.clone(),
                last_24h: Some(last_24h.clone()),
                trace_ids: trace_ids.clone(),
                previous_24h: Some(prev),
                dedup_key: decision.dedup_key.clone(),
                aliases: aliases.clone(),
            };
            for (i, n) in notifiers.iter_mut().enumerate() {
                if down.contains(&i) || (!record && n.has_side_effects()) {
                    continue;
                }
                let channel = n.channel().to_string();
                let key = &decision.dedup_key;
                if record {
                    if let Some(prev) = store.notification(&channel, &sig.id, key)? {
                        if prev.state == NotificationState::Sent {
                            continue;
                        }
                    }
                    store.put_notification(&NotificationRecord {
                        signature_id: sig.id.clone(),
                        channel: channel.clone(),
                        dedup_key: key.clone(),
                        state: NotificationState::Intent,
                        external_ref: None,
                        at: now,
                    })?;
                }
                match n.notify(&note) {
                    Ok(external_ref) => {
                        out.sent += 1;
                        if record {
                            store.put_notification(&NotificationRecord {
                                signature_id: sig.id.clone(),
                                channel,
                                dedup_key: key.clone(),
                                state: NotificationState::Sent,
                                external_ref,
                                at: now,
                            })?;
                        }
                    }
                    Err(e) => {
                        if channel_is_down(&e) {
                            down.insert(i);
                        }
                        out.failures.push(e);
                    }
                }
            }
        }
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
