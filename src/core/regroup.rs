//! Grouping across events and passes: the persistent template miner gives template-based
//! fingerprints their cluster's id in source order, merges a signature into its successor when
//! its template widens, and `regroup` re-fingerprints stored signatures under the current
//! algorithm (`poll --regroup`).

use crate::core::fingerprint::template::{MinerConfig, TemplateMiner};
use crate::core::fingerprint::{
    fingerprint_with, scope_key, template_id, Grouping, ALGORITHM_VERSION,
};
use crate::core::model::{
    ErrorEvent, EventOrigin, Fingerprint, FingerprintBasis, SignatureId, UnixNanos,
};
use crate::core::ports::store::Cursors;
use crate::core::ports::store::MergeOutcome;
use crate::core::ports::{SignatureFilter, SignatureStore, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `state` key the miner persists under.
pub const MINER_STATE_KEY: &str = "template_miner";

/// Clusters kept in the persisted state over all scopes (least recently seen go first), so the
/// state stays a few MB however many services and exception types appear.
pub const MAX_PERSISTED_CLUSTERS: usize = 20_000;

#[derive(Serialize, Deserialize)]
struct Persisted {
    algorithm_version: u32,
    miner: TemplateMiner,
}

/// A merge the grouper made: `absorbed` now resolves to `survivor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub absorbed: SignatureId,
    pub survivor: SignatureId,
}

/// The pass's template stage. Stateful and order-dependent: exactly one runs per pass, on the
/// thread that writes events, in source order.
pub struct TemplateGrouper {
    miner: TemplateMiner,
    /// Set when the stored state could not be read and clustering started afresh.
    pub note: Option<String>,
}

impl TemplateGrouper {
    /// The miner as the last committed pass left it (fresh on first use or after a version
    /// change), with the clusters of no-merge signatures frozen.
    pub fn load(store: &dyn SignatureStore) -> Result<TemplateGrouper, StoreError> {
        let mut note = None;
        let stored = match store.state(MINER_STATE_KEY)? {
            Some(json) => match serde_json::from_str::<Persisted>(&json) {
                Ok(p) if p.algorithm_version == ALGORITHM_VERSION => Some(p.miner),
                Ok(_) => None,
                Err(e) => {
                    note = Some(format!(
                        "template state unreadable ({e}); message templates start afresh"
                    ));
                    None
                }
            },
            None => None,
        };
        if stored.is_none()
            && note.is_none()
            && !store
                .signatures(&SignatureFilter {
                    limit: Some(1),
                    ..SignatureFilter::default()
                })?
                .is_empty()
        {
            // A store written by an older algorithm: its ids no longer match new events.
            note = Some(format!(
                "signatures from before fingerprint v{ALGORITHM_VERSION} may be stored: \
                 `rounds poll --regroup --dry-run` shows how they map to current ids"
            ));
        }
        let mut miner = stored.unwrap_or_else(|| TemplateMiner::new(MinerConfig::default()));
        miner.unfreeze_all();
        for sig in store.no_merge_signatures()? {
            if sig.basis == FingerprintBasis::Template {
                for service in &sig.services {
                    miner.freeze(&scope_key(service, &sig.exception_type), &sig.template);
                }
            }
        }
        Ok(TemplateGrouper { miner, note })
    }

    /// Persist the miner (bounded) inside the caller's transaction.
    pub fn save(&mut self, store: &mut dyn Cursors) -> Result<(), StoreError> {
        self.miner.prune(MAX_PERSISTED_CLUSTERS);
        let state = Persisted {
            algorithm_version: ALGORITHM_VERSION,
            miner: std::mem::take(&mut self.miner),
        };
        let json = serde_json::to_string(&state);
        self.miner = state.miner;
        match json {
            Ok(json) => store.put_state(MINER_STATE_KEY, &json),
            // Only non-string map keys can fail, and the miner has none.
            Err(_) => Ok(()),
        }
    }

    /// Give a template-based fingerprint its cluster's template and id; when this event
    /// widened the cluster, merge the old template's signature into the new one.
    pub fn assign(
        &mut self,
        fp: &mut Fingerprint,
        store: &mut dyn SignatureStore,
        now: UnixNanos,
    ) -> Result<Option<Merge>, StoreError> {
        if fp.basis != FingerprintBasis::Template {
            return Ok(None);
        }
        let scope = scope_key(&fp.service, &fp.exception_type);
        let m = self.miner.add_masked(&scope, &fp.template);
        fp.id = template_id(&fp.service, &fp.exception_type, &m.template).into();
        fp.template = m.template;
        let Some(old) = m.generalized_from else {
            return Ok(None);
        };
        let old_id = template_id(&fp.service, &fp.exception_type, &old);
        let reason = format!("template widened from '{old}' to '{}'", fp.template);
        match store.merge_signatures(&old_id, fp, &reason, now)? {
            MergeOutcome::Merged | MergeOutcome::Renamed => Ok(Some(Merge {
                absorbed: old_id.into(),
                survivor: fp.id.clone(),
            })),
            MergeOutcome::KeptApart | MergeOutcome::Unchanged => Ok(None),
        }
    }

    /// The cluster a stored template-based signature belongs to, if the miner still holds it.
    pub fn cluster_of(&self, service: &str, exception_type: &str, template: &str) -> Option<u64> {
        let scope = scope_key(service, exception_type);
        self.miner
            .lookup_masked(&scope, template)
            .filter(|m| m.template == template)
            .map(|m| m.cluster_id)
    }
}

/// How one group of stored signatures fares under the current algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegroupChange {
    /// The id the group has under the current algorithm.
    pub survivor: SignatureId,
    /// Stored ids that become aliases of `survivor` (more than one: a merge).
    pub absorbed: Vec<String>,
    /// Stored ids that would join but are marked no-merge, so stay apart.
    pub kept_apart: Vec<String>,
    pub template: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegroupReport {
    /// Signatures examined.
    pub examined: usize,
    /// Signatures whose id the current algorithm keeps.
    pub unchanged: usize,
    /// Groups that change: a single re-keyed signature or several merging.
    pub changes: Vec<RegroupChange>,
    /// Signatures stored by an older algorithm.
    pub older_versions: usize,
    pub applied: bool,
}

impl RegroupReport {
    pub fn merges(&self) -> usize {
        self.changes.iter().filter(|c| c.absorbed.len() > 1).count()
    }
    pub fn rekeyed(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.absorbed.len() == 1)
            .count()
    }
}

/// Re-fingerprint every stored signature from its retained sample (stack, message, type,
/// service) in first-seen order, through the persisted miner, and report the groups whose ids
/// change. With `apply`, merge them (aliases, combined counts, history) and save the miner, in
/// one transaction. One retained sample per signature cannot reveal a split: events that now
/// fingerprint apart start their own signature as they arrive.
pub fn regroup(
    store: &mut dyn SignatureStore,
    now: UnixNanos,
    apply: bool,
    grouping: &Grouping,
) -> Result<RegroupReport, StoreError> {
    if !apply {
        return plan_and_apply(store, now, false, grouping);
    }
    store.begin()?;
    match plan_and_apply(store, now, true, grouping) {
        Ok(report) => {
            store.commit()?;
            Ok(report)
        }
        Err(e) => {
            let _ = store.rollback();
            Err(e)
        }
    }
}

fn plan_and_apply(
    store: &mut dyn SignatureStore,
    now: UnixNanos,
    apply: bool,
    grouping: &Grouping,
) -> Result<RegroupReport, StoreError> {
    let mut grouper = TemplateGrouper::load(store)?;
    let mut sigs = store.signatures(&SignatureFilter::default())?;
    sigs.sort_by(|a, b| (a.first_seen, &a.id).cmp(&(b.first_seen, &b.id)));
    let no_merge: std::collections::BTreeSet<String> = store
        .no_merge_signatures()?
        .into_iter()
        .map(|s| s.id.into())
        .collect();

    // (stored id, fingerprint now, miner scope and cluster for template signatures)
    type Planned = (String, Fingerprint, Option<(String, u64)>);
    let mut planned: Vec<Planned> = Vec::new();
    for sig in &sigs {
        let service = sig.services.first().cloned().unwrap_or_default();
        let mut ev = ErrorEvent::new(service, sig.first_seen, EventOrigin::SpanEvent);
        ev.exception_type = Some(sig.exception_type.clone()).filter(|t| !t.is_empty());
        ev.message = sig
            .sample_message
            .clone()
            .or_else(|| Some(sig.template.clone()).filter(|t| !t.is_empty()));
        ev.stacktrace = sig.sample_stack.clone();
        let fp = fingerprint_with(&ev, grouping);
        let cluster = (fp.basis == FingerprintBasis::Template).then(|| {
            let scope = scope_key(&fp.service, &fp.exception_type);
            let m = grouper.miner.add_masked(&scope, &fp.template);
            (scope, m.cluster_id)
        });
        planned.push((sig.id.to_string(), fp, cluster));
    }
    // Late widening counts: every template signature takes its cluster's final template.
    for (_, fp, cluster) in &mut planned {
        if let Some((scope, id)) = cluster {
            if let Some(t) = grouper.miner.template(scope, *id) {
                fp.id = template_id(&fp.service, &fp.exception_type, &t).into();
                fp.template = t;
            }
        }
    }

    let mut report = RegroupReport {
        examined: sigs.len(),
        older_versions: sigs
            .iter()
            .filter(|s| s.algorithm_version < ALGORITHM_VERSION)
            .count(),
        ..Default::default()
    };
    let existing: std::collections::BTreeSet<&str> = sigs.iter().map(|s| s.id.as_str()).collect();
    let mut groups: BTreeMap<String, (Fingerprint, Vec<String>)> = BTreeMap::new();
    let mut order = Vec::new();
    for (old_id, fp, _) in planned {
        let entry = groups.entry(fp.id.to_string()).or_insert_with(|| {
            order.push(fp.id.to_string());
            (fp.clone(), Vec::new())
        });
        entry.1.push(old_id);
    }
    for new_id in order {
        let Some((fp, members)) = groups.remove(&new_id) else {
            continue;
        };
        let (kept_apart, moving): (Vec<String>, Vec<String>) = members
            .into_iter()
            .filter(|m| *m != new_id)
            .partition(|m| no_merge.contains(m));
        report.unchanged += usize::from(existing.contains(new_id.as_str()));
        report.unchanged += kept_apart.len();
        if moving.is_empty() {
            continue;
        }
        if apply {
            for m in &moving {
                let reason = format!(
                    "regrouped under fingerprint v{ALGORITHM_VERSION} ({})",
                    if fp.basis == FingerprintBasis::Template {
                        format!("template '{}'", fp.template)
                    } else {
                        "stack".to_string()
                    }
                );
                store.merge_signatures(m, &fp, &reason, now)?;
            }
        }
        report.changes.push(RegroupChange {
            survivor: new_id.into(),
            absorbed: moving,
            kept_apart,
            template: fp.template.clone(),
        });
    }
    if apply {
        grouper.save(store)?;
        report.applied = true;
    }
    Ok(report)
}

/// The miner cluster of a stored template-based signature (`show --explain`), if the persisted
/// miner still holds a cluster with exactly its template.
pub fn cluster_of_signature(
    store: &dyn SignatureStore,
    sig: &crate::core::model::Signature,
) -> Result<Option<u64>, StoreError> {
    if sig.basis != FingerprintBasis::Template {
        return Ok(None);
    }
    let grouper = TemplateGrouper::load(store)?;
    Ok(sig
        .services
        .iter()
        .find_map(|s| grouper.cluster_of(s, &sig.exception_type, &sig.template)))
}

/// Token positions (0-based, space-separated) of a template that hold a placeholder, whole
/// (`<*>`) or inside a token (`index:<*>`).
pub fn variable_positions(template: &str) -> Vec<usize> {
    template
        .split(' ')
        .filter(|t| !t.is_empty())
        .enumerate()
        .filter(|(_, t)| t.contains(crate::core::fingerprint::template::WILDCARD))
        .map(|(i, _)| i)
        .collect()
}
