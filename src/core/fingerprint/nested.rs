//! One error recorded on a span and again, wrapped, on an ancestor span of the same trace (Go:
//! the handler's span records `err`, the middleware's records `fmt.Errorf("reserve: %w", err)`)
//! is one signature: the outer recording takes the inner one's.
//!
//! The pipeline offers every template-based fingerprint here in source order (a child span ends,
//! and is exported, before its parent). Memory is bounded: the last [`MAX_TRACES`] traces, at most
//! [`MAX_PER_TRACE`] recordings each.

use crate::core::model::{ErrorEvent, Fingerprint, FingerprintBasis};
use std::collections::{HashMap, VecDeque};

/// Traces remembered (oldest forgotten first).
pub const MAX_TRACES: usize = 4096;
/// Recordings remembered per trace.
pub const MAX_PER_TRACE: usize = 16;

#[derive(Debug, Default)]
pub struct NestedRecordings {
    by_trace: HashMap<String, Vec<(String, String, String)>>,
    order: VecDeque<String>,
}

impl NestedRecordings {
    pub fn new() -> Self {
        Self::default()
    }

    /// When `ev` wraps an error recorded earlier in its trace (its message is `prefix: earlier`),
    /// give `fp` the earlier recording's id and template. Otherwise remember it.
    pub fn canonical(&mut self, ev: &ErrorEvent, fp: &mut Fingerprint) {
        if fp.basis != FingerprintBasis::Template || ev.trace_id.is_empty() {
            return;
        }
        let Some(message) = ev
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        else {
            return;
        };
        if let Some(seen) = self.by_trace.get(&ev.trace_id) {
            let inner = seen.iter().find(|(m, _, _)| {
                message.len() > m.len() + 2
                    && message.ends_with(m.as_str())
                    && message[..message.len() - m.len()].ends_with(": ")
            });
            if let Some((_, id, template)) = inner {
                fp.id = id.clone().into();
                fp.template = template.clone();
                return;
            }
        }
        if !self.by_trace.contains_key(&ev.trace_id) {
            if self.order.len() >= MAX_TRACES {
                if let Some(old) = self.order.pop_front() {
                    self.by_trace.remove(&old);
                }
            }
            self.order.push_back(ev.trace_id.clone());
        }
        let seen = self.by_trace.entry(ev.trace_id.clone()).or_default();
        if seen.len() < MAX_PER_TRACE {
            seen.push((message.to_string(), fp.id.to_string(), fp.template.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::EventOrigin;

    fn recorded(trace: &str, msg: &str) -> (ErrorEvent, Fingerprint) {
        let mut ev = ErrorEvent::new("shop", 0, EventOrigin::SpanEvent);
        ev.trace_id = trace.into();
        ev.message = Some(msg.into());
        let fp = crate::core::fingerprint::fingerprint(&ev);
        (ev, fp)
    }

    #[test]
    fn a_wrapped_recording_on_an_outer_span_takes_the_inner_signature() {
        let mut n = NestedRecordings::new();
        let (child, mut c) = recorded("t1", "cannot reserve 3 of sku-9: only 2 left");
        n.canonical(&child, &mut c);
        let (parent, mut p) = recorded("t1", "reserve: cannot reserve 3 of sku-9: only 2 left");
        let own = p.id.clone();
        n.canonical(&parent, &mut p);
        assert_ne!(own, c.id);
        assert_eq!(p.id, c.id);
        // In another trace the wrapped message alone is its own signature, and an unrelated
        // message in the same trace is untouched.
        let (other, mut o) = recorded("t2", "reserve: cannot reserve 3 of sku-9: only 2 left");
        n.canonical(&other, &mut o);
        assert_eq!(o.id, own);
        let (unrelated, mut u) = recorded("t1", "payment declined");
        let before = u.id.clone();
        n.canonical(&unrelated, &mut u);
        assert_eq!(u.id, before);
    }

    #[test]
    fn memory_is_bounded() {
        let mut n = NestedRecordings::new();
        for i in 0..MAX_TRACES + 10 {
            let (ev, mut fp) = recorded(&format!("t{i}"), "x failed");
            n.canonical(&ev, &mut fp);
        }
        assert_eq!(n.by_trace.len(), MAX_TRACES);
        assert_eq!(n.order.len(), MAX_TRACES);
    }
}
