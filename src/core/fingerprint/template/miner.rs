//! Persistent Drain-style template miner: clusters masked messages across events and passes.
//!
//! Each scope (the caller passes service + exception type) owns a small prefix tree keyed by
//! token count and the first constant tokens (placeholders skipped, so a leading client address
//! or request id does not pool every statement); a leaf lists the clusters a message may join. A message
//! joins the most similar cluster above the threshold and the template gains `<*>` where they
//! differ. When no same-length cluster fits, clusters sharing the first token are aligned
//! token-by-token (longest common subsequence), so a variable part spanning a different
//! number of tokens still lands in one cluster. Everything is ordered (`BTreeMap`, ids), so a
//! stream fed in two halves with a serialize/deserialize in between clusters exactly as one pass.

use super::{mask, WILDCARD};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tuning knobs; the defaults are the ones measured in `docs/grouping.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MinerConfig {
    /// Share of aligned tokens two messages must have in common to share a template.
    pub similarity: f64,
    /// Leading tokens that route a message in the prefix tree (Drain's depth minus two).
    pub prefix_tokens: usize,
    /// Route on the first *constant* tokens, skipping placeholders, rather than on the first
    /// positions: a message that starts with a client address, a request id or a timestamp is
    /// routed by the statement's first word, not by one shared `<*>` bucket.
    pub route_on_constants: bool,
    /// Distinct tokens a tree node keeps before routing the rest to `<*>`.
    pub max_children: usize,
    /// Clusters kept per scope; the least recently seen is evicted beyond it.
    pub max_clusters_per_scope: usize,
    /// Clusters (sharing the first token) tried by the variable-length alignment.
    pub max_align_candidates: usize,
    /// Messages longer than this (in tokens) are only matched by position.
    pub max_align_tokens: usize,
    /// A cluster of this many messages is settled: widening one of its constants needs more
    /// agreement (0 = never).
    pub settled_after: u64,
}

impl Default for MinerConfig {
    fn default() -> Self {
        MinerConfig {
            similarity: 0.73,
            prefix_tokens: 1,
            route_on_constants: true,
            max_children: 100,
            max_clusters_per_scope: 1000,
            max_align_candidates: 64,
            max_align_tokens: 64,
            settled_after: 100,
        }
    }
}

/// Where a message landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateMatch {
    /// Stable across passes while the cluster lives (ids are never reused).
    pub cluster_id: u64,
    /// The cluster's template after this message.
    pub template: String,
    /// The template before this message widened it, if it did.
    pub generalized_from: Option<String>,
    /// This message started a new cluster.
    pub new_cluster: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Node {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    children: BTreeMap<String, Node>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    clusters: Vec<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Cluster {
    tokens: Vec<String>,
    size: u64,
    last_seen: u64,
    /// The template once absorbed a run of a different length: match it by alignment only.
    flexible: bool,
    /// Tree leaves that list this cluster, as (token count, route), to unlink on eviction.
    leaves: Vec<(usize, Vec<String>)>,
    /// Kept apart on purpose (a no-merge signature): joins only messages its template
    /// already covers, never widens.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    frozen: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Scope {
    clusters: BTreeMap<u64, Cluster>,
    /// Token count -> prefix tree.
    tree: BTreeMap<usize, Node>,
    /// First template token (first constant token with `route_on_constants`) -> clusters, for
    /// the variable-length alignment.
    by_first: BTreeMap<String, Vec<u64>>,
}

/// Leaves a cluster may be linked from; more shapes than this are found by alignment alone.
const MAX_LEAVES_PER_CLUSTER: usize = 16;

/// The persistent miner. Serialize it (JSON) to keep clusters between passes.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TemplateMiner {
    config: MinerConfig,
    next_id: u64,
    tick: u64,
    scopes: BTreeMap<String, Scope>,
}

/// How a message fits a cluster: the cluster and the template it would have afterwards.
struct Fit {
    id: u64,
    tokens: Vec<String>,
    flexible: bool,
}

impl TemplateMiner {
    pub fn new(config: MinerConfig) -> Self {
        TemplateMiner {
            config,
            ..Default::default()
        }
    }

    pub fn config(&self) -> &MinerConfig {
        &self.config
    }

    /// Number of live clusters in all scopes.
    pub fn cluster_count(&self) -> usize {
        self.scopes.values().map(|s| s.clusters.len()).sum()
    }

    /// The current template of a cluster.
    pub fn template(&self, scope: &str, cluster_id: u64) -> Option<String> {
        let c = self.scopes.get(scope)?.clusters.get(&cluster_id)?;
        Some(c.tokens.join(" "))
    }

    /// Add one message: join (and maybe widen) the best cluster of its scope, or start one.
    pub fn add(&mut self, scope: &str, message: &str) -> TemplateMatch {
        self.add_tokens(scope, tokenize(message))
    }

    /// `add` for a message already passed through `mask` (the poll workers mask in parallel).
    pub fn add_masked(&mut self, scope: &str, masked: &str) -> TemplateMatch {
        self.add_tokens(scope, split_masked(masked))
    }

    /// Freeze the clusters of `scope` whose template is exactly `template`: they keep
    /// matching what they match now but never widen. Returns how many were frozen.
    pub fn freeze(&mut self, scope: &str, template: &str) -> usize {
        let Some(st) = self.scopes.get_mut(scope) else {
            return 0;
        };
        let want = split_masked(template);
        let mut n = 0;
        for c in st.clusters.values_mut() {
            if c.tokens == want && !c.frozen {
                c.frozen = true;
                n += 1;
            }
        }
        n
    }

    /// Thaw every cluster (before re-freezing the current set of no-merge templates).
    pub fn unfreeze_all(&mut self) {
        for st in self.scopes.values_mut() {
            for c in st.clusters.values_mut() {
                c.frozen = false;
            }
        }
    }

    /// Keep at most `max` clusters over all scopes, dropping the least recently seen, so the
    /// persisted state stays bounded however many services and types appear.
    pub fn prune(&mut self, max: usize) {
        let total = self.cluster_count();
        if total <= max {
            return;
        }
        let mut all: Vec<(u64, u64, String)> = self
            .scopes
            .iter()
            .flat_map(|(name, st)| {
                st.clusters
                    .iter()
                    .map(move |(id, c)| (c.last_seen, *id, name.clone()))
            })
            .collect();
        all.sort();
        for (_, id, name) in all.into_iter().take(total - max) {
            if let Some(st) = self.scopes.get_mut(&name) {
                remove_cluster(st, id);
            }
        }
        self.scopes.retain(|_, st| !st.clusters.is_empty());
    }

    fn add_tokens(&mut self, scope: &str, tokens: Vec<String>) -> TemplateMatch {
        self.tick += 1;
        let tick = self.tick;
        let config = self.config.clone();
        let st = self.scopes.entry(scope.to_string()).or_default();
        let route = route_for(&config, st, &tokens);
        if let Some(fit) = best_fit(&config, st, &tokens, &route) {
            let leaf_missing = fit.flexible && !leaf_lists(st, tokens.len(), &route, fit.id);
            let Some(c) = st.clusters.get_mut(&fit.id) else {
                // `best_fit` only returns live ids.
                return TemplateMatch {
                    cluster_id: fit.id,
                    template: fit.tokens.join(" "),
                    generalized_from: None,
                    new_cluster: false,
                };
            };
            let generalized_from = (c.tokens != fit.tokens).then(|| c.tokens.join(" "));
            c.tokens = fit.tokens;
            c.flexible |= fit.flexible;
            c.size += 1;
            c.last_seen = tick;
            let link = leaf_missing && c.leaves.len() < MAX_LEAVES_PER_CLUSTER;
            if link {
                c.leaves.push((tokens.len(), route.clone()));
            }
            let template = c.tokens.join(" ");
            if link {
                leaf_mut(st, tokens.len(), &route).clusters.push(fit.id);
            }
            return TemplateMatch {
                cluster_id: fit.id,
                template,
                generalized_from,
                new_cluster: false,
            };
        }

        let id = self.next_id;
        self.next_id += 1;
        let first = anchor(&config, &tokens).to_string();
        leaf_mut(st, tokens.len(), &route).clusters.push(id);
        st.by_first.entry(first).or_default().push(id);
        st.clusters.insert(
            id,
            Cluster {
                tokens: tokens.clone(),
                size: 1,
                last_seen: tick,
                flexible: false,
                leaves: vec![(tokens.len(), route)],
                frozen: false,
            },
        );
        if st.clusters.len() > config.max_clusters_per_scope {
            evict_lru(st, id);
        }
        TemplateMatch {
            cluster_id: id,
            template: tokens.join(" "),
            generalized_from: None,
            new_cluster: true,
        }
    }

    /// The cluster a message would join, without changing anything.
    pub fn lookup(&self, scope: &str, message: &str) -> Option<TemplateMatch> {
        self.lookup_tokens(scope, tokenize(message))
    }

    /// `lookup` for a message already passed through `mask` (or a stored template).
    pub fn lookup_masked(&self, scope: &str, masked: &str) -> Option<TemplateMatch> {
        self.lookup_tokens(scope, split_masked(masked))
    }

    fn lookup_tokens(&self, scope: &str, tokens: Vec<String>) -> Option<TemplateMatch> {
        let st = self.scopes.get(scope)?;
        let route = route_for(&self.config, st, &tokens);
        let fit = best_fit(&self.config, st, &tokens, &route)?;
        let c = st.clusters.get(&fit.id)?;
        let template = fit.tokens.join(" ");
        let before = c.tokens.join(" ");
        Some(TemplateMatch {
            cluster_id: fit.id,
            generalized_from: (before != template).then_some(before),
            template,
            new_cluster: false,
        })
    }
}

fn tokenize(message: &str) -> Vec<String> {
    split_masked(&mask(message))
}

fn split_masked(masked: &str) -> Vec<String> {
    masked
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The token a message is listed under for the variable-length alignment: its first token, or
/// its first constant token when routing on constants (all placeholders: the first token).
fn anchor<'a>(config: &MinerConfig, tokens: &'a [String]) -> &'a str {
    let constant = config
        .route_on_constants
        .then(|| tokens.iter().find(|t| !is_wild(t)))
        .flatten();
    constant
        .or(tokens.first())
        .map(String::as_str)
        .unwrap_or_default()
}

/// A whole-token placeholder; `key=<*>` is a constant shape, not a placeholder.
fn is_wild(tok: &str) -> bool {
    tok == WILDCARD
}

/// The tree route of a message: its first tokens, each replaced by `<*>` when it is variable
/// or when its node is already full. Does not change the tree, so `add` and `lookup` agree.
fn route_for(config: &MinerConfig, st: &Scope, tokens: &[String]) -> Vec<String> {
    let mut node = st.tree.get(&tokens.len());
    let mut route = Vec::new();
    let routed = tokens
        .iter()
        .filter(|t| !(config.route_on_constants && is_wild(t)))
        .take(config.prefix_tokens);
    for tok in routed {
        let key = match node {
            _ if is_wild(tok) => WILDCARD.to_string(),
            Some(n) if n.children.contains_key(tok.as_str()) => tok.clone(),
            Some(n)
                if n.children.keys().filter(|k| *k != WILDCARD).count() >= config.max_children =>
            {
                WILDCARD.to_string()
            }
            _ => tok.clone(),
        };
        node = node.and_then(|n| n.children.get(&key));
        route.push(key);
    }
    route
}

fn leaf<'a>(st: &'a Scope, len: usize, route: &[String]) -> Option<&'a Node> {
    let mut node = st.tree.get(&len)?;
    for key in route {
        node = node.children.get(key)?;
    }
    Some(node)
}

fn leaf_mut<'a>(st: &'a mut Scope, len: usize, route: &[String]) -> &'a mut Node {
    let mut node = st.tree.entry(len).or_default();
    for key in route {
        node = node.children.entry(key.clone()).or_default();
    }
    node
}

fn leaf_lists(st: &Scope, len: usize, route: &[String], id: u64) -> bool {
    leaf(st, len, route).is_some_and(|n| n.clusters.contains(&id))
}

/// The best cluster for `tokens`: same-length clusters of its leaf by position first, then
/// clusters sharing its first token by alignment. Ties go to the older cluster.
fn best_fit(config: &MinerConfig, st: &Scope, tokens: &[String], route: &[String]) -> Option<Fit> {
    let mut best: Option<(f64, Fit)> = None;
    let consider = |best: &mut Option<(f64, Fit)>, sim: f64, fit: Fit| {
        let widens_frozen = st
            .clusters
            .get(&fit.id)
            .is_some_and(|c| c.frozen && c.tokens != fit.tokens);
        if !widens_frozen
            && sim >= config.similarity
            && best
                .as_ref()
                .is_none_or(|(s, b)| sim > *s || (sim == *s && fit.id < b.id))
        {
            *best = Some((sim, fit));
        }
    };
    if let Some(node) = leaf(st, tokens.len(), route) {
        for &id in &node.clusters {
            let Some(c) = st.clusters.get(&id) else {
                continue;
            };
            if !c.flexible && c.tokens.len() == tokens.len() {
                let settled = config.settled_after > 0 && c.size >= config.settled_after;
                // Score first without allocating; build the widened template only for a
                // cluster that could win (a leaf may list many candidates).
                let sim = positional_similarity(&c.tokens, tokens, settled);
                let beats = sim >= config.similarity
                    && best
                        .as_ref()
                        .is_none_or(|(s, b)| sim > *s || (sim == *s && id < b.id));
                if !beats {
                    continue;
                }
                let (_, merged) = positional(&c.tokens, tokens, settled);
                consider(
                    &mut best,
                    sim,
                    Fit {
                        id,
                        tokens: merged,
                        flexible: false,
                    },
                );
            } else if let Some((sim, merged)) = align(config, &c.tokens, tokens) {
                consider(
                    &mut best,
                    sim,
                    Fit {
                        id,
                        tokens: merged,
                        flexible: true,
                    },
                );
            }
        }
    }
    if best.is_some() || tokens.len() > config.max_align_tokens {
        return best.map(|(_, f)| f);
    }
    let first = anchor(config, tokens);
    if let Some(ids) = st.by_first.get(first) {
        let skip = ids.len().saturating_sub(config.max_align_candidates);
        for &id in &ids[skip..] {
            let Some(c) = st.clusters.get(&id) else {
                continue;
            };
            if c.tokens.len() == tokens.len() && !c.flexible {
                // Same length but another route: Drain keeps those apart on purpose.
                continue;
            }
            if let Some((sim, merged)) = align(config, &c.tokens, tokens) {
                consider(
                    &mut best,
                    sim,
                    Fit {
                        id,
                        tokens: merged,
                        flexible: true,
                    },
                );
            }
        }
    }
    best.map(|(_, f)| f)
}

/// Drain's positional similarity, over constants: share of the positions where either side
/// has a constant that hold the same token (shared placeholders say nothing about whether two
/// messages are one statement). The merged template puts `<*>` where they differ.
fn positional(template: &[String], tokens: &[String], settled: bool) -> (f64, Vec<String>) {
    let mut same = 0usize;
    let mut constant = 0usize;
    let mut merged = Vec::with_capacity(template.len());
    for (t, m) in template.iter().zip(tokens) {
        let wild = is_wild(t) && is_wild(m);
        constant += usize::from(!wild);
        if t == m {
            same += usize::from(!wild);
            merged.push(t.clone());
        } else if !is_wild(t) && !is_wild(m) && covers(t, m) {
            // `(<*>)` vs `()`: the template's in-token placeholder already spans the difference.
            same += 1;
            merged.push(t.clone());
        } else if !is_wild(t) && !is_wild(m) && covers(m, t) {
            same += 1;
            merged.push(m.clone());
        } else {
            // A constant that held across a settled cluster's many messages is strong
            // evidence of a different statement: its mismatch counts twice.
            constant += usize::from(settled && !t.contains(WILDCARD));
            merged.push(WILDCARD.to_string());
        }
    }
    let sim = if constant == 0 {
        1.0
    } else {
        same as f64 / constant as f64
    };
    (sim, merged)
}

/// `positional`'s similarity alone, without building the merged template.
fn positional_similarity(template: &[String], tokens: &[String], settled: bool) -> f64 {
    let mut same = 0usize;
    let mut constant = 0usize;
    for (t, m) in template.iter().zip(tokens) {
        let wild = is_wild(t) && is_wild(m);
        constant += usize::from(!wild);
        if t == m {
            same += usize::from(!wild);
        } else if !is_wild(t) && !is_wild(m) && (covers(t, m) || covers(m, t)) {
            same += 1;
        } else {
            constant += usize::from(settled && !t.contains(WILDCARD));
        }
    }
    if constant == 0 {
        1.0
    } else {
        same as f64 / constant as f64
    }
}

/// Whether `pattern` (a token holding `<*>` placeholders, each spanning any run of characters,
/// possibly empty) matches the whole of `token`.
fn covers(pattern: &str, token: &str) -> bool {
    if !pattern.contains(WILDCARD) {
        return false;
    }
    let mut parts = pattern.split(WILDCARD);
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = token.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.len() >= part.len() && rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Longest-common-subsequence alignment of a template and a message of different lengths.
/// They fit only when every run that does not align is a placeholder on one side (a `<*>`
/// that spans a different number of tokens); similarity is aligned constants over the larger
/// constant count, as for `positional`.
fn align(
    config: &MinerConfig,
    template: &[String],
    tokens: &[String],
) -> Option<(f64, Vec<String>)> {
    let (n, m) = (template.len(), tokens.len());
    if n == 0 || m == 0 || n > config.max_align_tokens || m > config.max_align_tokens {
        return None;
    }
    // A different first token means a different statement (same rule as the tree).
    if template[0] != tokens[0] {
        return None;
    }
    let w = m + 1;
    let mut dp = vec![0u16; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i * w + j] = if template[i] == tokens[j] {
                dp[(i + 1) * w + j + 1] + 1
            } else {
                dp[(i + 1) * w + j].max(dp[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut merged: Vec<String> = Vec::with_capacity(n.max(m));
    let mut same = 0usize;
    let mut gap = Gap::default();
    while i < n || j < m {
        if i < n && j < m && template[i] == tokens[j] {
            gap.flush(&mut merged)?;
            same += usize::from(!is_wild(&template[i]));
            merged.push(template[i].clone());
            i += 1;
            j += 1;
        } else if j >= m || (i < n && dp[(i + 1) * w + j] >= dp[i * w + j + 1]) {
            gap.template += 1;
            gap.template_wild += usize::from(is_wild(&template[i]));
            i += 1;
        } else {
            gap.message += 1;
            gap.message_wild += usize::from(is_wild(&tokens[j]));
            j += 1;
        }
    }
    gap.flush(&mut merged)?;
    // Absorbed tokens still count against the match: measured, that keeps apart statements
    // that only share a prefix better than discounting them.
    let constants = |t: &[String]| t.iter().filter(|x| !is_wild(x)).count();
    let most = constants(template).max(constants(tokens));
    let sim = if most == 0 {
        1.0
    } else {
        same as f64 / most as f64
    };
    Some((sim, merged))
}

/// A run where template and message do not align.
#[derive(Default)]
struct Gap {
    template: usize,
    template_wild: usize,
    message: usize,
    message_wild: usize,
}

impl Gap {
    /// Close the run into one `<*>`; `None` when neither side of it is a lone placeholder.
    fn flush(&mut self, merged: &mut Vec<String>) -> Option<()> {
        let g = std::mem::take(self);
        if g.template == 0 && g.message == 0 {
            return Some(());
        }
        let absorbed =
            (g.template == 1 && g.template_wild == 1) || (g.message == 1 && g.message_wild == 1);
        if !absorbed {
            return None;
        }
        if merged.last().is_none_or(|l| l != WILDCARD) {
            merged.push(WILDCARD.to_string());
        }
        Some(())
    }
}

/// Drop the least recently seen cluster of a scope (never `keep`, the one just added).
fn evict_lru(st: &mut Scope, keep: u64) {
    let Some(victim) = st
        .clusters
        .iter()
        .filter(|(id, _)| **id != keep)
        .min_by_key(|(id, c)| (c.last_seen, **id))
        .map(|(id, _)| *id)
    else {
        return;
    };
    remove_cluster(st, victim);
}

fn remove_cluster(st: &mut Scope, victim: u64) {
    let Some(c) = st.clusters.remove(&victim) else {
        return;
    };
    for (len, route) in &c.leaves {
        if let Some(node) = leaf_opt_mut(st, *len, route) {
            node.clusters.retain(|x| *x != victim);
        }
    }
    // The template may have widened since the cluster was listed under its first token, so
    // drop the id wherever it is listed (lists are bounded by the clusters of one scope).
    st.by_first.retain(|_, ids| {
        ids.retain(|x| *x != victim);
        !ids.is_empty()
    });
}

fn leaf_opt_mut<'a>(st: &'a mut Scope, len: usize, route: &[String]) -> Option<&'a mut Node> {
    let mut node = st.tree.get_mut(&len)?;
    for key in route {
        node = node.children.get_mut(key)?;
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_first_token_does_not_pool_statements() {
        // Two statements that share most words but not their first constant, each after a
        // client address: routed by position they share one `<*>` bucket and merge.
        let msgs = [
            "10.0.0.1 Receiving block 17 from peer 9",
            "10.0.0.2 Received block 18 from peer 9",
            "10.0.3.3 Receiving block 19 from peer 9",
            "10.0.0.4 Received block 20 from peer 9",
        ];
        let ids = |route_on_constants| {
            let mut m = TemplateMiner::new(MinerConfig {
                route_on_constants,
                ..MinerConfig::default()
            });
            msgs.map(|msg| m.add("svc", msg).cluster_id)
        };
        let by_constant = ids(true);
        assert_eq!(by_constant[0], by_constant[2]);
        assert_eq!(by_constant[1], by_constant[3]);
        assert_ne!(by_constant[0], by_constant[1]);
        let by_position = ids(false);
        assert_eq!(
            by_position[0], by_position[1],
            "the old routing merged them"
        );
    }

    #[test]
    fn joins_and_generalizes() {
        let mut m = TemplateMiner::new(MinerConfig::default());
        let a = m.add("svc", "user alice logged in from web");
        assert!(a.new_cluster);
        let b = m.add("svc", "user bob logged in from web");
        assert_eq!(b.cluster_id, a.cluster_id);
        assert_eq!(b.template, "user <*> logged in from web");
        assert_eq!(
            b.generalized_from.as_deref(),
            Some("user alice logged in from web")
        );
        let c = m.add("svc", "user carol logged in from web");
        assert_eq!(c.generalized_from, None);
        let other = m.add("other", "user bob logged in from web");
        assert_ne!(other.cluster_id, a.cluster_id);
        let d = m.add("svc", "disk full on volume root");
        assert_ne!(d.cluster_id, a.cluster_id);
    }

    #[test]
    fn variable_length_runs_share_a_cluster() {
        let mut m = TemplateMiner::new(MinerConfig::default());
        let tail = "in the corporate ldap directory right now";
        let a = m.add("s", &format!("cannot find user John Smith {tail}"));
        let b = m.add("s", &format!("cannot find user Bob {tail}"));
        assert_ne!(
            a.cluster_id, b.cluster_id,
            "no placeholder yet to span the run"
        );
        let c = m.add("s", &format!("cannot find user Alice {tail}"));
        assert_eq!(c.cluster_id, b.cluster_id);
        assert_eq!(c.template, format!("cannot find user <*> {tail}"));
        let d = m.add("s", &format!("cannot find user Mary Ann Lee {tail}"));
        assert_eq!(d.cluster_id, b.cluster_id);
        assert_eq!(d.template, c.template);
        // Linked from the longer shape's leaf now, so lookups of that shape find it directly.
        let e = m.lookup("s", &format!("cannot find user Joe Van Dyke {tail}"));
        assert_eq!(e.map(|e| e.cluster_id), Some(b.cluster_id));
    }

    #[test]
    fn lookup_does_not_mutate() {
        let mut m = TemplateMiner::new(MinerConfig::default());
        let a = m.add("s", "open file report failed");
        let before = serde_json::to_string(&m).unwrap();
        let l = m.lookup("s", "open file summary failed").unwrap();
        assert_eq!(l.cluster_id, a.cluster_id);
        assert_eq!(l.template, "open file <*> failed");
        assert_eq!(serde_json::to_string(&m).unwrap(), before);
        assert!(m.lookup("s", "totally unrelated text here").is_none());
        assert!(m.lookup("nope", "open file report failed").is_none());
    }

    #[test]
    fn eviction_bounds_clusters() {
        let mut m = TemplateMiner::new(MinerConfig {
            max_clusters_per_scope: 3,
            ..Default::default()
        });
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
        for w in words {
            m.add("s", &format!("{w} {w} {w} {w}"));
        }
        assert_eq!(m.cluster_count(), 3);
        // The oldest went away; a new message like it starts a fresh cluster with a new id.
        let again = m.add("s", "alpha alpha alpha alpha");
        assert!(again.new_cluster);
        assert_eq!(again.cluster_id, 6);
    }

    #[test]
    fn frozen_cluster_never_widens_and_thaws() {
        let mut m = TemplateMiner::new(MinerConfig::default());
        let a = m.add("s", "user alice logged in from web");
        assert_eq!(m.freeze("s", "user alice logged in from web"), 1);
        let again = m.add("s", "user alice logged in from web");
        assert_eq!(again.cluster_id, a.cluster_id);
        let bob = m.add("s", "user bob logged in from web");
        assert_ne!(
            bob.cluster_id, a.cluster_id,
            "a frozen cluster does not widen"
        );
        assert_eq!(bob.generalized_from, None);
        m.unfreeze_all();
        let carol = m.add("s", "user carol logged in from web");
        assert!(carol.generalized_from.is_some());
    }

    #[test]
    fn prune_bounds_all_scopes_keeping_recent() {
        let mut m = TemplateMiner::new(MinerConfig::default());
        for scope in ["a", "b", "c"] {
            for w in ["alpha", "bravo", "charlie"] {
                m.add(scope, &format!("{w} {w} {w} {w}"));
            }
        }
        m.prune(4);
        assert_eq!(m.cluster_count(), 4);
        // The most recent ones survive (scope c entirely, and the last of b).
        assert!(m.lookup("c", "alpha alpha alpha alpha").is_some());
        assert!(m.lookup("b", "charlie charlie charlie charlie").is_some());
        assert!(m.lookup("a", "alpha alpha alpha alpha").is_none());
    }

    #[test]
    fn settled_cluster_needs_more_agreement() {
        let cfg = MinerConfig {
            settled_after: 3,
            ..Default::default()
        };
        let mut m = TemplateMiner::new(cfg.clone());
        for _ in 0..3 {
            m.add("s", "session initialized by client updater");
        }
        // 4 of 5 constants agree: enough for a young cluster, not for a settled one.
        let other = m.add("s", "session initialized by client spp");
        assert!(other.new_cluster);
        let mut young = TemplateMiner::new(cfg);
        young.add("s", "session initialized by client updater");
        let joined = young.add("s", "session initialized by client spp");
        assert!(!joined.new_cluster);
    }

    #[test]
    fn in_token_placeholders_cover_their_variants() {
        assert!(covers("(<*>)", "()"));
        assert!(covers("<*>,", "LOCAL(<*>),"));
        assert!(covers("a<*>b<*>c", "aXbYc"));
        assert!(!covers("index:<*>", "offset:<*>"));
        assert!(!covers("(<*>)", "[]"));
        assert!(!covers("plain", "plain"), "no placeholder, no pattern");
        let mut m = TemplateMiner::new(MinerConfig::default());
        let a = m.add("s", "connection from host (10.0.0.1) at noon");
        let b = m.add("s", "connection from host () at noon");
        assert_eq!(b.cluster_id, a.cluster_id);
        assert_eq!(b.template, a.template, "the wider in-token shape is kept");
    }

    #[test]
    fn similarity_alone_agrees_with_the_merging_one() {
        let msgs = [
            "connection from <*> () at <*>",
            "connection from <*> (<*>) at <*>",
            "connection from host (<*>) at noon",
            "session <*> initialized by client SPP.",
            "session <*> initialized by client WindowsUpdateAgent.",
            "<*> <*> <*> <*> <*> <*>",
        ];
        for a in msgs {
            for b in msgs {
                let (ta, tb) = (split_masked(a), split_masked(b));
                if ta.len() != tb.len() {
                    continue;
                }
                for settled in [false, true] {
                    assert_eq!(
                        positional_similarity(&ta, &tb, settled),
                        positional(&ta, &tb, settled).0,
                        "{a} | {b}"
                    );
                }
            }
        }
    }
}
