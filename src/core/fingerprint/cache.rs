//! Memoised stack parsing and frame selection: most error events repeat a stack seen moments
//! ago (same bug, same deploy), so a repeated stack text costs one hash and one lookup instead
//! of detection, parsing, normalisation and selection.
//!
//! The result depends only on the stack text and the pass's [`Grouping`] (in-app rules and
//! selection settings), which a cache borrows for its whole life, so the text alone keys it.
//! Entries keep the whole text and a hit compares it byte for byte: a hash collision costs a
//! re-parse, never a wrong answer. Bounded: at most `capacity` entries ([`CAPACITY`] in a
//! poll pass), in two generations — when the current one reaches half the capacity it becomes
//! the previous one and the old previous one is dropped; a hit in the previous generation moves
//! the entry back into the current one (a cheap approximation of least-recently-used).

use super::stack::{self, ParsedStack, Selection};
use super::{fingerprint_parsed_with, Grouping};
use crate::core::model::{ErrorEvent, Fingerprint};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Entries of the cache a poll pass uses (some kilobytes each: text, frames and selection).
/// Measured on issue 15's corpus (60k events, 2,000 Zipf-distributed bugs, ~8,300 distinct
/// stacks): 1,024 entries answer 83% of lookups for +10 MB peak RSS; 4,096 answer 86% for
/// +50 MB, at the same CPU within noise (docs/performance.md).
pub const CAPACITY: usize = 1024;

/// One memoised stack: its text and what parsing and selection made of it.
#[derive(Debug)]
pub struct CachedStack {
    text: Box<str>,
    /// The parsed, normalised stack; `None` when no frames were found.
    pub parsed: Option<ParsedStack>,
    /// The selection of `parsed` under the cache's settings (`None` exactly when `parsed` is).
    pub selection: Option<Selection>,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashMap<u64, Arc<CachedStack>>,
    previous: HashMap<u64, Arc<CachedStack>>,
    hits: u64,
    misses: u64,
}

/// A bounded memo of stack text → parsed stack and selection, shared by a pass's workers.
#[derive(Debug)]
pub struct StackCache<'g> {
    grouping: &'g Grouping,
    /// Entries per generation (two generations: at most twice this many entries in all).
    half: usize,
    inner: Mutex<Generations>,
}

impl<'g> StackCache<'g> {
    /// A cache of at most `capacity` entries (at least 2) for stacks fingerprinted with `grouping`.
    pub fn new(grouping: &'g Grouping, capacity: usize) -> Self {
        StackCache {
            grouping,
            half: (capacity / 2).max(1),
            inner: Mutex::new(Generations::default()),
        }
    }

    /// Fingerprint one event, parsing and selecting its stack at most once per distinct text
    /// held in the cache. Identical to [`super::fingerprint_with`] with the cache's grouping.
    pub fn fingerprint(&self, event: &ErrorEvent) -> Fingerprint {
        match event.stacktrace.as_deref() {
            None => fingerprint_parsed_with(event, None, None, self.grouping),
            Some(text) => {
                let entry = self.get(text);
                fingerprint_parsed_with(
                    event,
                    entry.parsed.as_ref(),
                    entry.selection.clone(),
                    self.grouping,
                )
            }
        }
    }

    /// The parsed stack and selection of `text`, from the cache or computed (and kept).
    pub fn get(&self, text: &str) -> Arc<CachedStack> {
        let h = hash_text(text);
        if let Some(hit) = self.lookup(h, text) {
            return hit;
        }
        let parsed = stack::parse_with(text, &self.grouping.in_app);
        let selection = parsed
            .as_ref()
            .map(|p| stack::select_with(p, &self.grouping.select));
        let entry = Arc::new(CachedStack {
            text: text.into(),
            parsed,
            selection,
        });
        let mut g = self.lock();
        g.misses += 1;
        self.insert(&mut g, h, Arc::clone(&entry));
        entry
    }

    fn lookup(&self, h: u64, text: &str) -> Option<Arc<CachedStack>> {
        let mut g = self.lock();
        if let Some(e) = g.current.get(&h).filter(|e| *e.text == *text) {
            let e = Arc::clone(e);
            g.hits += 1;
            return Some(e);
        }
        let e = g.previous.remove(&h)?;
        if *e.text != *text {
            g.previous.insert(h, e);
            return None;
        }
        g.hits += 1;
        self.insert(&mut g, h, Arc::clone(&e));
        Some(e)
    }

    fn insert(&self, g: &mut Generations, h: u64, entry: Arc<CachedStack>) {
        if g.current.len() >= self.half && !g.current.contains_key(&h) {
            g.previous = std::mem::take(&mut g.current);
        }
        g.current.insert(h, entry);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // A worker that panicked mid-update left at worst a missing entry: the maps stay valid.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Entries held now (never more than the capacity).
    pub fn len(&self) -> usize {
        let g = self.lock();
        g.current.len() + g.previous.len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lookups answered from the cache and lookups that parsed, so far.
    pub fn stats(&self) -> (u64, u64) {
        let g = self.lock();
        (g.hits, g.misses)
    }
}

/// A fast, non-cryptographic 64-bit hash of the text, eight bytes at a time (a multiply-rotate
/// mix in the manner of FxHash). Its quality only affects speed: entries compare the text.
fn hash_text(s: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = s.as_bytes();
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fingerprint::fingerprint_with;
    use crate::core::model::EventOrigin;

    fn java(i: usize) -> String {
        format!(
            "java.lang.IllegalStateException: order {i} failed\n\
             \tat com.acme.shop.Orders.place{i}(Orders.java:{})\n\
             \tat com.acme.shop.Api.handle(Api.java:20)\n\
             \tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1040)\n",
            10 + i
        )
    }

    fn event(stack: &str) -> ErrorEvent {
        let mut ev = ErrorEvent::new("shop", 0, EventOrigin::SpanEvent);
        ev.stacktrace = Some(stack.to_string());
        ev
    }

    #[test]
    fn a_hit_returns_the_same_frames_and_fingerprint_as_a_miss() {
        let grouping = Grouping::default();
        let cache = StackCache::new(&grouping, 16);
        let text = java(1);
        let miss = cache.get(&text);
        let hit = cache.get(&text);
        assert_eq!(cache.stats(), (1, 1));
        assert!(Arc::ptr_eq(&miss, &hit));
        let uncached = stack::parse_with(&text, &grouping.in_app);
        assert!(uncached.is_some());
        assert_eq!(hit.parsed, uncached);
        assert_eq!(
            hit.selection,
            uncached
                .as_ref()
                .map(|p| stack::select_with(p, &grouping.select))
        );
        // Whole fingerprints, miss then hit, equal the uncached path's.
        let ev = event(&text);
        let fresh = StackCache::new(&grouping, 16);
        let first = fresh.fingerprint(&ev);
        let second = fresh.fingerprint(&ev);
        assert_eq!(fresh.stats(), (1, 1));
        let plain = fingerprint_with(&ev, &grouping);
        assert_eq!(first, plain);
        assert_eq!(second, plain);
        assert!(!plain.key_frames.is_empty());
        // No stack, and text that is no stack, fingerprint as before too.
        let mut bare = event("not a stack at all");
        assert_eq!(fresh.fingerprint(&bare), fingerprint_with(&bare, &grouping));
        bare.stacktrace = None;
        assert_eq!(fresh.fingerprint(&bare), fingerprint_with(&bare, &grouping));
    }

    #[test]
    fn capacity_is_bounded_and_recent_stacks_stay() {
        let grouping = Grouping::default();
        let cache = StackCache::new(&grouping, 8);
        for i in 0..100 {
            cache.get(&java(i));
            assert!(cache.len() <= 8, "{} entries after {i}", cache.len());
        }
        assert_eq!(cache.stats(), (0, 100));
        // The most recent stack is still held; the first was evicted and parses again, equal.
        cache.get(&java(99));
        assert_eq!(cache.stats(), (1, 100));
        let again = cache.get(&java(0));
        assert_eq!(cache.stats(), (1, 101));
        assert_eq!(again.parsed, stack::parse_with(&java(0), &grouping.in_app));
        assert!(cache.len() <= 8);
    }

    #[test]
    fn texts_whose_hashes_collide_are_told_apart() {
        let grouping = Grouping::default();
        let cache = StackCache::new(&grouping, 8);
        let (a, b) = (java(1), java(2));
        // Force both under one hash: the text comparison must keep them apart.
        let ea = cache.get(&a);
        {
            let mut g = cache.lock();
            let e = g.current.remove(&hash_text(&a));
            if let Some(e) = e {
                g.current.insert(hash_text(&b), e);
            }
        }
        let eb = cache.get(&b);
        assert!(!Arc::ptr_eq(&ea, &eb));
        assert_eq!(eb.parsed, stack::parse_with(&b, &grouping.in_app));
    }
}
