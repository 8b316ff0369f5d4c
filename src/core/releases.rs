//! Releases and environments of a signature: the ordering of release names, which releases a
//! store keeps, and when an occurrence regresses a signature resolved "in the next release"
//! (docs/releases.md). Every store applies these rules, so they live here once.

use crate::core::model::{ErrorEvent, SeenIn, SignatureReleases, UnixNanos};
use std::cmp::Ordering;

/// Releases a store keeps per signature: the first one seen and the most recently seen others.
pub const RELEASES_PER_SIGNATURE: usize = 50;
/// Environments a store keeps per signature, by the same rule.
pub const ENVIRONMENTS_PER_SIGNATURE: usize = 20;

/// The release an event names (`service.version`), when it names one.
pub fn release_of(ev: &ErrorEvent) -> Option<&str> {
    ev.service_version
        .as_deref()
        .filter(|r| !r.trim().is_empty())
}

/// The environment an event names (`deployment.environment`, or `deployment.environment.name`
/// of newer semantic conventions; the telemetry adapters read both), when it names one.
pub fn environment_of(ev: &ErrorEvent) -> Option<&str> {
    ev.environment.as_deref().filter(|e| !e.trim().is_empty())
}

/// One identifier of a pre-release (`rc.1` → `rc`, `1`).
#[derive(Debug, PartialEq, Eq)]
enum Ident<'a> {
    Num(u64),
    Text(&'a str),
}

impl Ord for Ident<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Ident::Num(a), Ident::Num(b)) => a.cmp(b),
            // As semver: numeric identifiers sort before alphanumeric ones.
            (Ident::Num(_), Ident::Text(_)) => Ordering::Less,
            (Ident::Text(_), Ident::Num(_)) => Ordering::Greater,
            (Ident::Text(a), Ident::Text(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Ident<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A release name read as a version: dotted numbers, an optional `-pre.release`, build
/// metadata (`+…`) ignored; a `name@` prefix and a leading `v` are skipped.
fn version(name: &str) -> Option<(Vec<u64>, Vec<Ident<'_>>)> {
    let s = name.trim();
    let s = s.rsplit_once('@').map_or(s, |(_, v)| v);
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let s = s.split_once('+').map_or(s, |(v, _)| v);
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (s, None),
    };
    let numbers = core
        .split('.')
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse::<u64>().ok()
            }
        })
        .collect::<Option<Vec<u64>>>()?;
    let pre = match pre {
        None => Vec::new(),
        Some("") => return None,
        Some(p) => p
            .split('.')
            .map(|i| match i.parse::<u64>() {
                Ok(n) if i.bytes().all(|b| b.is_ascii_digit()) => Ident::Num(n),
                _ => Ident::Text(i),
            })
            .collect(),
    };
    Some((numbers, pre))
}

fn compare_versions(a: &(Vec<u64>, Vec<Ident<'_>>), b: &(Vec<u64>, Vec<Ident<'_>>)) -> Ordering {
    let len = a.0.len().max(b.0.len());
    for i in 0..len {
        let x = a.0.get(i).copied().unwrap_or(0);
        let y = b.0.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    match (a.1.is_empty(), b.1.is_empty()) {
        (true, true) => Ordering::Equal,
        // A pre-release comes before its release.
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.1.cmp(&b.1),
    }
}

/// The release order: when both names read as versions (dotted numbers, `v1.2.3`,
/// `app@1.2.3`, `1.2.3-rc.1`; semver precedence, missing parts are 0), by version; otherwise,
/// or when the versions are equal but the names differ (`1.2` and `1.2.0`), the one first seen
/// earlier is older; then by name. Equal only for the same name.
pub fn compare(a: &str, a_first_seen: UnixNanos, b: &str, b_first_seen: UnixNanos) -> Ordering {
    by_name(a, b).unwrap_or_else(|| a_first_seen.cmp(&b_first_seen).then_with(|| a.cmp(b)))
}

/// The release order when the names alone decide it (the same name, or two different
/// versions); `None` when first seen must (a store can then skip looking it up).
pub fn by_name(a: &str, b: &str) -> Option<Ordering> {
    if a == b {
        return Some(Ordering::Equal);
    }
    let (x, y) = (version(a)?, version(b)?);
    match compare_versions(&x, &y) {
        Ordering::Equal => None,
        o => Some(o),
    }
}

impl SignatureReleases {
    /// The release the signature was first seen in (the earliest first seen of those kept; the
    /// store never drops it).
    pub fn first_release(&self) -> Option<&SeenIn> {
        self.releases
            .iter()
            .min_by(|a, b| a.first_seen.cmp(&b.first_seen).then(a.name.cmp(&b.name)))
    }

    /// The release of the most recent occurrence (latest last seen; ties by the release order).
    pub fn last_release(&self) -> Option<&SeenIn> {
        self.releases.iter().max_by(|a, b| {
            a.last_seen
                .cmp(&b.last_seen)
                .then_with(|| compare(&a.name, a.first_seen, &b.name, b.first_seen))
        })
    }

    /// The newest release in the release order: what `resolve --in-next-release` resolves as of.
    pub fn latest(&self) -> Option<&SeenIn> {
        self.releases
            .iter()
            .max_by(|a, b| compare(&a.name, a.first_seen, &b.name, b.first_seen))
    }

    /// The releases newest first, in the release order.
    pub fn newest_first(&self) -> Vec<&SeenIn> {
        let mut v: Vec<&SeenIn> = self.releases.iter().collect();
        v.sort_by(|a, b| compare(&b.name, b.first_seen, &a.name, a.first_seen));
        v
    }
}

/// What a resolution "in the next release" remembers: the release and when it was first seen
/// (the order of names that are not versions needs it, and the release may later be dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedIn {
    pub release: String,
    pub first_seen: UnixNanos,
}

/// Whether an occurrence regresses a resolved signature. Resolved plainly (`marker` `None`):
/// always. Resolved in the next release: when the occurrence's release is newer than the
/// marker's, or when it names no release (it cannot be shown to be old, so the safe answer is
/// to regress). `release` is the occurrence's release and that release's first seen for this
/// signature (the occurrence's own time when the store held none).
pub fn regresses(marker: Option<&ResolvedIn>, release: Option<(&str, UnixNanos)>) -> bool {
    match (marker, release) {
        (None, _) | (Some(_), None) => true,
        (Some(m), Some((r, seen))) => {
            compare(r, seen, &m.release, m.first_seen) == Ordering::Greater
        }
    }
}

/// Whether `ev` regresses a resolved signature with `marker`, and the history reason. A
/// release's first seen is read (`first_seen`, the store's lookup) only when the names do not
/// decide, so an old release flooding a signature resolved in the next one costs no query per
/// event; a release the store has not seen counts from the event's own time.
pub fn regression<E>(
    marker: Option<&ResolvedIn>,
    ev: &ErrorEvent,
    first_seen: impl FnOnce(&str) -> Result<Option<UnixNanos>, E>,
) -> Result<Option<String>, E> {
    let release = release_of(ev);
    let seen = match (marker, release) {
        (Some(m), Some(r)) if by_name(r, &m.release).is_none() => {
            Some((r, first_seen(r)?.unwrap_or(ev.timestamp)))
        }
        _ => release.map(|r| (r, ev.timestamp)),
    };
    Ok(regresses(marker, seen).then(|| regression_reason(marker, release)))
}

/// The status-history reason of a regression, naming the release it came back in.
pub fn regression_reason(marker: Option<&ResolvedIn>, release: Option<&str>) -> String {
    match (marker, release) {
        (None, None) => "occurred again after being resolved".to_string(),
        (None, Some(r)) => format!("occurred again in release {r} after being resolved"),
        (Some(m), Some(r)) => format!(
            "occurred again in release {r}, newer than {} it was resolved in",
            m.release
        ),
        (Some(m), None) => format!(
            "occurred again with no release after being resolved in the release after {}",
            m.release
        ),
    }
}

/// Add one occurrence at `at` to the entry named `name` (or start one).
pub fn count_in(rows: &mut Vec<SeenIn>, name: &str, at: UnixNanos) {
    match rows.iter_mut().find(|r| r.name == name) {
        Some(r) => {
            r.count += 1;
            r.first_seen = r.first_seen.min(at);
            r.last_seen = r.last_seen.max(at);
        }
        None => rows.push(SeenIn {
            name: name.to_string(),
            count: 1,
            first_seen: at,
            last_seen: at,
        }),
    }
}

/// Fold `other` into `rows` (a merge): counts add, first and last seen widen.
pub fn absorb(rows: &mut Vec<SeenIn>, other: &[SeenIn]) {
    for o in other {
        match rows.iter_mut().find(|r| r.name == o.name) {
            Some(r) => {
                r.count += o.count;
                r.first_seen = r.first_seen.min(o.first_seen);
                r.last_seen = r.last_seen.max(o.last_seen);
            }
            None => rows.push(o.clone()),
        }
    }
}

/// The bound every store applies: at most `cap` entries, keeping the one first seen (the
/// signature's first release) and the `cap - 1` most recently seen (ties by name); then sorted
/// by first seen and name, the order stores return them in.
pub fn keep_bounded(rows: &mut Vec<SeenIn>, cap: usize) {
    if rows.len() > cap {
        let first = rows
            .iter()
            .min_by(|a, b| a.first_seen.cmp(&b.first_seen).then(a.name.cmp(&b.name)))
            .map(|r| r.name.clone());
        rows.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.name.cmp(&b.name)));
        let mut kept: Vec<SeenIn> = Vec::with_capacity(cap);
        if let Some(f) = &first {
            if let Some(i) = rows.iter().position(|r| &r.name == f) {
                kept.push(rows.remove(i));
            }
        }
        kept.extend(rows.drain(..).take(cap.saturating_sub(kept.len())));
        *rows = kept;
    }
    rows.sort_by(|a, b| a.first_seen.cmp(&b.first_seen).then(a.name.cmp(&b.name)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn older(a: &str, b: &str) -> bool {
        compare(a, 0, b, 0) == Ordering::Less && compare(b, 0, a, 0) == Ordering::Greater
    }

    #[test]
    fn versions_compare_by_number_not_text() {
        assert!(older("1.9.0", "1.10.0"));
        assert!(older("v1.2", "v1.2.1"));
        assert!(older("1.2.3-rc.1", "1.2.3"));
        assert!(older("1.2.3-alpha", "1.2.3-beta"));
        assert!(older("1.2.3-rc.2", "1.2.3-rc.10"));
        assert!(older("api@2.0.0", "api@10.0.0"));
        assert!(older("2026.11.3", "2026.12.1"));
        assert!(older("9", "10"));
        assert_eq!(compare("1.2.3", 5, "1.2.3", 0), Ordering::Equal);
    }

    #[test]
    fn names_alone_decide_only_between_versions() {
        assert_eq!(by_name("1.2.0", "1.10.0"), Some(Ordering::Less));
        assert_eq!(by_name("abc", "abc"), Some(Ordering::Equal));
        assert_eq!(by_name("abc", "1.0"), None);
        assert_eq!(by_name("1.2", "1.2.0"), None);
    }

    #[test]
    fn names_that_are_not_versions_order_by_first_seen() {
        // Git shas: the text order says nothing, first seen decides.
        assert_eq!(compare("ffff000", 1, "0000aaa", 2), Ordering::Less);
        assert_eq!(compare("0000aaa", 2, "ffff000", 1), Ordering::Greater);
        // One side a version, the other not: first seen too.
        assert_eq!(compare("1.2.3", 9, "main-abc", 1), Ordering::Greater);
        // Equal versions spelled differently are not the same release: first seen decides.
        assert_eq!(compare("1.2", 1, "1.2.0", 2), Ordering::Less);
        // Same first seen: by name, never Equal for two names.
        assert_eq!(compare("b", 1, "a", 1), Ordering::Greater);
    }

    #[test]
    fn next_release_regresses_only_newer_or_unknown() {
        let m = ResolvedIn {
            release: "1.4.0".into(),
            first_seen: 100,
        };
        assert!(!regresses(Some(&m), Some(("1.4.0", 100))));
        assert!(!regresses(Some(&m), Some(("1.3.9", 500))));
        assert!(regresses(Some(&m), Some(("1.4.1", 50))));
        assert!(regresses(Some(&m), None));
        assert!(regresses(None, Some(("1.0.0", 0))));
        let sha = ResolvedIn {
            release: "abc123".into(),
            first_seen: 100,
        };
        assert!(!regresses(Some(&sha), Some(("def456", 90))));
        assert!(regresses(Some(&sha), Some(("def456", 110))));
    }

    #[test]
    fn bound_keeps_the_first_and_the_most_recent() {
        let mut rows: Vec<SeenIn> = (0..10)
            .map(|i| SeenIn {
                name: format!("r{i}"),
                count: 1,
                first_seen: i,
                last_seen: i,
            })
            .collect();
        keep_bounded(&mut rows, 4);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["r0", "r7", "r8", "r9"]);
    }

    #[test]
    fn first_last_and_latest() {
        let r = |name: &str, first, last| SeenIn {
            name: name.into(),
            count: 1,
            first_seen: first,
            last_seen: last,
        };
        let rel = SignatureReleases {
            // An old pod still on 1.2.0 reports last.
            releases: vec![r("1.2.0", 0, 30), r("1.10.0", 10, 20)],
            ..Default::default()
        };
        assert_eq!(rel.first_release().map(|x| x.name.as_str()), Some("1.2.0"));
        assert_eq!(rel.last_release().map(|x| x.name.as_str()), Some("1.2.0"));
        assert_eq!(rel.latest().map(|x| x.name.as_str()), Some("1.10.0"));
        let newest: Vec<&str> = rel.newest_first().iter().map(|x| x.name.as_str()).collect();
        assert_eq!(newest, ["1.10.0", "1.2.0"]);
    }
}
