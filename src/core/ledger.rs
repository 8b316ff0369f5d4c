//! Event identity for the ledger: which occurrences are the same event, however often they are
//! polled or fed again.
//!
//! The key hashes the trace context and the exception's content, plus the ordinal of identical
//! exceptions on the same span. Content rather than origin, so the same exception exported as a
//! span event and as a log record (OTel's `logs/dup` opt-in) is one event; an ordinal, so two
//! identical exceptions recorded on one span (a retry loop) still count twice. Events without trace
//! context add their timestamp and service, or every repeat of a log line would be one event.
//!
//! The ordinal counts per span *and origin* within one document: sources that read documents
//! set it on the event ([`ErrorEvent::ordinal`]), so the same document fed twice (`cat f f`)
//! gives the same keys; for the others it counts runs of one span and origin.

use crate::core::fingerprint::hex;
use crate::core::model::{ErrorEvent, EventKey, EventOrigin};
use sha2::{Digest, Sha256};

/// Assigns ledger keys to a stream of events. Events of one span arrive together in every source,
/// so only the current span's ordinals are remembered: memory stays constant.
#[derive(Debug, Default)]
pub struct EventKeyer {
    span: (String, String, Option<EventOrigin>),
    seen: Vec<([u8; 16], u32)>,
}

/// The digest of what makes two occurrences on one span the same exception (origin excluded).
pub fn content_digest(ev: &ErrorEvent) -> [u8; 16] {
    let mut h = Sha256::new();
    let field = |h: &mut Sha256, s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field(&mut h, ev.exception_type.as_deref().unwrap_or(""));
    field(&mut h, ev.message.as_deref().unwrap_or(""));
    field(&mut h, ev.stacktrace.as_deref().unwrap_or(""));
    let has_context = !ev.trace_id.is_empty() || !ev.span_id.is_empty();
    if !has_context {
        field(&mut h, &ev.service);
        h.update(ev.timestamp.to_le_bytes());
    }
    let digest = h.finalize();
    let mut content = [0u8; 16];
    content.copy_from_slice(&digest[..16]);
    content
}

impl EventKeyer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn key(&mut self, ev: &ErrorEvent) -> EventKey {
        let content = ev.content_digest.0.unwrap_or_else(|| content_digest(ev));
        let ordinal = match ev.ordinal {
            Some(n) => n,
            None => self.run_ordinal(ev, content),
        };
        let mut k = Sha256::new();
        k.update(ev.trace_id.as_bytes());
        k.update([0x1f]);
        k.update(ev.span_id.as_bytes());
        k.update([0x1f]);
        k.update(content);
        k.update(ordinal.to_le_bytes());
        EventKey(hex(&k.finalize()[..16]))
    }

    /// Ordinal among identical exceptions in the current run of one span and origin.
    fn run_ordinal(&mut self, ev: &ErrorEvent, content: [u8; 16]) -> u32 {
        if self.span.0 != ev.trace_id || self.span.1 != ev.span_id || self.span.2 != Some(ev.origin)
        {
            // Reuse the buffers: a new span comes every few events.
            self.span.0.clone_from(&ev.trace_id);
            self.span.1.clone_from(&ev.span_id);
            self.span.2 = Some(ev.origin);
            self.seen.clear();
        }
        match self.seen.iter_mut().find(|(c, _)| *c == content) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.seen.push((content, 0));
                0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(trace: &str, span: &str, msg: &str, origin: EventOrigin, ts: i64) -> ErrorEvent {
        let mut e = ErrorEvent::new("svc", ts, origin);
        e.trace_id = trace.into();
        e.span_id = span.into();
        e.exception_type = Some("E".into());
        e.message = Some(msg.into());
        e
    }

    #[test]
    fn same_exception_as_span_event_and_log_is_one_key() {
        let a = EventKeyer::new().key(&ev("t", "s", "boom", EventOrigin::SpanEvent, 1));
        let b = EventKeyer::new().key(&ev("t", "s", "boom", EventOrigin::LogRecord, 2));
        assert_eq!(a, b);
    }

    #[test]
    fn identical_exceptions_on_one_span_count_separately() {
        let mut k = EventKeyer::new();
        let a = k.key(&ev("t", "s", "boom", EventOrigin::SpanEvent, 1));
        let b = k.key(&ev("t", "s", "boom", EventOrigin::SpanEvent, 2));
        assert_ne!(a, b);
        // Fed again from the start, the same keys come out.
        let mut k2 = EventKeyer::new();
        assert_eq!(k2.key(&ev("t", "s", "boom", EventOrigin::SpanEvent, 1)), a);
        assert_eq!(k2.key(&ev("t", "s", "boom", EventOrigin::SpanEvent, 2)), b);
    }

    #[test]
    fn a_span_event_then_its_log_record_in_one_stream_is_one_key() {
        // The neighbours case: span events come first, the log copy right after, same span.
        let mut k = EventKeyer::new();
        let a = k.key(&ev("t", "s", "boom", EventOrigin::SpanEvent, 1));
        let b = k.key(&ev("t", "s", "boom", EventOrigin::LogRecord, 2));
        assert_eq!(a, b);
    }

    #[test]
    fn an_ordinal_set_by_the_source_wins_over_runs() {
        let mut k = EventKeyer::new();
        let mut first = ev("t", "s", "boom", EventOrigin::SpanEvent, 1);
        first.ordinal = Some(0);
        let a = k.key(&first);
        // The same document again: the run would say 1, the document says 0.
        assert_eq!(k.key(&first), a);
        let mut second = first.clone();
        second.ordinal = Some(1);
        assert_ne!(k.key(&second), a);
    }

    #[test]
    fn logs_without_context_differ_by_time() {
        let mut k = EventKeyer::new();
        let a = k.key(&ev("", "", "boom", EventOrigin::LogRecord, 1));
        let b = k.key(&ev("", "", "boom", EventOrigin::LogRecord, 2));
        assert_ne!(a, b);
        assert_eq!(
            EventKeyer::new().key(&ev("", "", "boom", EventOrigin::LogRecord, 1)),
            a
        );
    }
}
