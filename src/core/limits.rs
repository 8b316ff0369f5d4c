//! Size caps applied to every error event at ingest, before it is keyed, fingerprinted, mined
//! or stored: what one hostile record holds can then cost no more memory, CPU or database than
//! these bounds (docs/limits.md has the table with defaults and environment variables).
//!
//! A field over its cap is redacted first and then cut (see [`Redactor::redact_cut`]): the kept
//! prefix never ends in a readable piece of a secret. Fields within their caps are stored as
//! they came and redacted at every sink instead. Attributes whose key names a credential
//! (`aws.secret_access_key`) never reach the store at all.

use crate::core::model::ErrorEvent;
use crate::core::redact::Redactor;
use std::collections::BTreeMap;

/// The caps, all in bytes except the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `exception.message` (and a log body standing in for it).
    pub message_bytes: usize,
    /// The whole stack trace text.
    pub stack_bytes: usize,
    /// Stack lines kept: the first and the last half (outermost callers and root causes both
    /// survive, a 100k-frame recursion does not).
    pub stack_frames: usize,
    /// Attributes kept per event (the rest are counted in `rounds.dropped_attributes`).
    pub attributes: usize,
    /// One attribute value.
    pub attribute_value_bytes: usize,
    /// Names: service, version, environment, span name and kind, exception type, attribute keys.
    pub name_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            message_bytes: 8 * 1024,
            stack_bytes: 64 * 1024,
            stack_frames: 512,
            attributes: 128,
            attribute_value_bytes: 2 * 1024,
            name_bytes: 512,
        }
    }
}

/// The attribute that tells a reader how many attributes the caps dropped.
pub const DROPPED_ATTRIBUTES: &str = "rounds.dropped_attributes";

impl Limits {
    /// The event with every field within its cap.
    pub fn bound(&self, mut ev: ErrorEvent, redactor: &Redactor) -> ErrorEvent {
        let name = self.name_bytes;
        // Whether a field the ledger's content digest reads was cut (the source's digest is then stale).
        let mut content_cut = cap(&mut ev.service, name, redactor);
        for f in [
            &mut ev.service_version,
            &mut ev.environment,
            &mut ev.span_name,
            &mut ev.span_kind,
        ]
        .into_iter()
        .flatten()
        {
            cap(f, name, redactor);
        }
        if let Some(t) = &mut ev.exception_type {
            content_cut |= cap(t, name, redactor);
        }
        if let Some(m) = &mut ev.message {
            content_cut |= cap(m, self.message_bytes, redactor);
        }
        if let Some(st) = &mut ev.stacktrace {
            content_cut |= self.cap_stack(st, redactor);
        }
        if content_cut {
            ev.content_digest = Default::default();
        }
        match &mut ev.deferred {
            // Capped whole once decoded (the configured redactor; poll passes no other).
            Some(d) => d.bound = Some(*self),
            None => self.cap_attributes(&mut ev.attributes, redactor),
        }
        ev
    }

    /// Whether the stack was cut.
    fn cap_stack(&self, st: &mut String, redactor: &Redactor) -> bool {
        let mut cut = false;
        let lines = st.lines().count();
        if lines > self.stack_frames.max(2) {
            let head = self.stack_frames.max(2) / 2;
            let tail = self.stack_frames.max(2) - head;
            let mut out = String::new();
            for l in st.lines().take(head) {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(&format!(
                "\t... {} lines omitted by rounds ...\n",
                lines - head - tail
            ));
            let rest: Vec<&str> = st.lines().skip(lines - tail).collect();
            out.push_str(&rest.join("\n"));
            *st = out;
            cut = true;
        }
        if st.len() > self.stack_bytes {
            // Head and tail again, each redacted before it is cut.
            let half = self.stack_bytes / 2;
            let omitted = st.len().saturating_sub(2 * half);
            let head = redactor.redact_cut(st, half);
            let head = head
                .rsplit_once(" …[cut ")
                .map_or(head.as_str(), |(h, _)| h);
            let tail = redactor.redact_tail(st, half);
            *st = format!("{head}\n\t... {omitted} bytes omitted by rounds ...\n{tail}");
            cut = true;
        }
        cut
    }

    /// Keep at most `attributes` entries (first by key), credential keys redacted, values and
    /// keys within their caps.
    pub fn cap_attributes(&self, attrs: &mut BTreeMap<String, String>, redactor: &Redactor) {
        let total = attrs.len();
        let over = total.saturating_sub(self.attributes);
        let old = std::mem::take(attrs);
        for (i, (mut k, mut v)) in old.into_iter().enumerate() {
            if i >= self.attributes {
                break;
            }
            if crate::core::redact::is_credential_key(&k) {
                v = "[REDACTED:credential]".to_string();
            } else {
                cap(&mut v, self.attribute_value_bytes, redactor);
            }
            cap(&mut k, self.name_bytes, redactor);
            attrs.insert(k, v);
        }
        if over > 0 {
            attrs.insert(DROPPED_ATTRIBUTES.to_string(), over.to_string());
        }
    }
}

/// Redact and cut `s` in place when it is over `max` bytes; whether it was.
fn cap(s: &mut String, max: usize, redactor: &Redactor) -> bool {
    let over = s.len() > max;
    if over {
        *s = redactor.redact_cut(s, max);
    }
    over
}

/// Whole events a store keeps per signature as samples: enough to show what failing calls share,
/// bounded so the check costs one comparison per event once a signature is full.
pub const SAMPLES_PER_SIGNATURE: usize = 5;
/// Attributes kept per sample, first by key.
pub const SAMPLE_MAX_ATTRIBUTES: usize = 64;
/// Sample attribute values longer than this many characters are redacted, then cut.
pub const SAMPLE_MAX_ATTRIBUTE_CHARS: usize = 1024;

/// A sample's attributes as every store keeps them: at most [`SAMPLE_MAX_ATTRIBUTES`], a value
/// over [`SAMPLE_MAX_ATTRIBUTE_CHARS`] redacted before it is cut, so no secret's prefix is kept.
pub fn sample_attributes(attributes: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    attributes
        .iter()
        .take(SAMPLE_MAX_ATTRIBUTES)
        .map(|(k, v)| {
            let kept = match v.char_indices().nth(SAMPLE_MAX_ATTRIBUTE_CHARS) {
                Some((i, _)) => &v[..i],
                None => v.as_str(),
            };
            let v = if kept.len() < v.len() {
                crate::core::redact::redact_cut(v, kept.len())
            } else {
                kept.to_string()
            };
            (k.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::EventOrigin;

    fn event() -> ErrorEvent {
        ErrorEvent::new("svc", 1, EventOrigin::SpanEvent)
    }

    #[test]
    fn small_events_pass_unchanged() {
        let mut ev = event();
        ev.message = Some("boom".into());
        ev.stacktrace = Some("a\nb\nc".into());
        ev.attributes.insert("http.route".into(), "/x".into());
        let out = Limits::default().bound(ev.clone(), &Redactor::new());
        assert_eq!(out, ev);
    }

    #[test]
    fn every_field_is_capped() {
        let l = Limits::default();
        let mut ev = event();
        ev.service = "s".repeat(100_000);
        ev.service_version = Some("v".repeat(100_000));
        ev.exception_type = Some("T".repeat(100_000));
        ev.message = Some("m".repeat(50 * 1024 * 1024));
        ev.stacktrace = Some("  at f (a.js:1:1)\n".repeat(100_000));
        for i in 0..1000 {
            ev.attributes.insert(format!("k{i:04}"), "x".repeat(10_000));
        }
        let out = l.bound(ev, &Redactor::new());
        let slack = 64;
        assert!(out.service.len() <= l.name_bytes + slack);
        assert!(out.service_version.unwrap().len() <= l.name_bytes + slack);
        assert!(out.exception_type.unwrap().len() <= l.name_bytes + slack);
        assert!(out.message.unwrap().len() <= l.message_bytes + slack);
        let st = out.stacktrace.unwrap();
        assert!(st.len() <= l.stack_bytes + 128, "{}", st.len());
        assert!(st.lines().count() <= l.stack_frames + 2);
        assert!(st.contains("omitted by rounds"));
        assert_eq!(out.attributes.len(), l.attributes + 1);
        assert_eq!(out.attributes[DROPPED_ATTRIBUTES], "872");
        assert!(out
            .attributes
            .values()
            .all(|v| v.len() <= l.attribute_value_bytes + slack));
    }

    #[test]
    fn a_stack_keeps_its_first_and_last_lines() {
        let l = Limits {
            stack_frames: 10,
            ..Limits::default()
        };
        let st: String = (0..1000).map(|i| format!("frame {i}\n")).collect();
        let mut ev = event();
        ev.stacktrace = Some(st);
        let out = l.bound(ev, &Redactor::new()).stacktrace.unwrap();
        assert!(out.starts_with("frame 0\n"));
        assert!(out.ends_with("frame 999"));
        assert!(out.contains("990 lines omitted"), "{out}");
    }

    #[test]
    fn a_byte_capped_stack_keeps_head_and_tail_without_secret_prefixes() {
        let l = Limits {
            stack_bytes: 4096,
            ..Limits::default()
        };
        let mut st = String::new();
        for i in 0..200 {
            st.push_str(&format!("  at com.acme.F{i}.run(F.java:{i})\n"));
        }
        st.push_str(
            "Caused by: x aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        );
        st.push_str("  at com.acme.Root.cause(Root.java:1)");
        let mut ev = event();
        ev.stacktrace = Some(st);
        let out = l.bound(ev, &Redactor::new()).stacktrace.unwrap();
        assert!(out.len() <= 4096 + 128, "{}", out.len());
        assert!(out.starts_with("  at com.acme.F0.run"));
        assert!(out.ends_with("Root.cause(Root.java:1)"), "{out}");
        assert!(!out.contains("wJalrX"), "{out}");
    }

    #[test]
    fn credential_attributes_never_pass() {
        let mut ev = event();
        ev.attributes.insert(
            "aws.secret_access_key".into(),
            "wJalrXUtnFEMIK7MDENG".into(),
        );
        let out = Limits::default().bound(ev, &Redactor::new());
        assert_eq!(
            out.attributes["aws.secret_access_key"],
            "[REDACTED:credential]"
        );
    }
}
