//! The notify use case: announce what triage selects, once per channel, recording the intent
//! before sending so a crash between sending and committing never announces twice.

use crate::core::model::UnixNanos;
use crate::core::ports::store::{NotificationRecord, NotificationState};
use crate::core::ports::{Notification, Notifier, NotifyError, SignatureStore, StoreError};
use crate::core::triage::{notification_for, NotifyPolicy};

#[derive(Debug, Default)]
pub struct NotifyOutcome {
    pub sent: usize,
    pub failures: Vec<NotifyError>,
}

/// Announce the signatures in `ids` that triage selects. With `record` false (dry runs) nothing
/// is written and every selected notification is sent.
pub fn notify(
    store: &mut dyn SignatureStore,
    notifiers: &mut [Box<dyn Notifier>],
    ids: &[String],
    policy: &NotifyPolicy,
    now: UnixNanos,
    record: bool,
) -> Result<NotifyOutcome, StoreError> {
    let mut out = NotifyOutcome::default();
    for id in ids {
        let sig = store.signature(id)?;
        let history = store.status_history(&sig.id)?;
        let Some((kind, key)) = notification_for(&sig, &history, policy) else {
            continue;
        };
        let diagnosis = store.latest_diagnosis(&sig.id)?;
        let last_24h = Some(store.hourly_counts(&sig.id, now, 24)?);
        let trace_ids = store
            .events(&sig.id, 5)?
            .into_iter()
            .map(|e| e.trace_id)
            .filter(|t| !t.is_empty())
            .collect();
        let note = Notification {
            kind,
            signature: sig,
            diagnosis,
            last_24h,
            trace_ids,
        };
        for n in notifiers.iter_mut() {
            let channel = n.channel().to_string();
            if record {
                if let Some(prev) = store.notification(&channel, &note.signature.id, &key)? {
                    if prev.state == NotificationState::Sent {
                        continue;
                    }
                }
                store.put_notification(&NotificationRecord {
                    signature_id: note.signature.id.clone(),
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
                            signature_id: note.signature.id.clone(),
                            channel,
                            dedup_key: key.clone(),
                            state: NotificationState::Sent,
                            external_ref,
                            at: now,
                        })?;
                    }
                }
                Err(e) => out.failures.push(e),
            }
        }
    }
    for n in notifiers.iter_mut() {
        if let Err(e) = n.finish() {
            out.failures.push(e);
        }
    }
    Ok(out)
}
