//! Small pieces every HTTP backend adapter shares: id normalisation, lenient numbers, service
//! selection, and the per-fetch duplicate guard.

use crate::core::model::ErrorEvent;
use crate::core::ports::telemetry::{EventSink, FetchReport, TelemetryError};
use base64::Engine as _;
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;

/// Lower-case hex of `len` chars: hex is left-padded (Jaeger v1 and Tempo search trim leading
/// zeros), base64 (Tempo's trace JSON) is decoded. Empty or unreadable ids become empty.
pub fn normalize_id(raw: &str, len: usize) -> String {
    let raw = raw.trim();
    if raw.is_empty() {
        return String::new();
    }
    if raw.len() <= len && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        let lower = raw.to_ascii_lowercase();
        if lower.bytes().all(|b| b == b'0') {
            return String::new();
        }
        return format!("{lower:0>len$}");
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')));
    match decoded {
        Ok(bytes) if bytes.len() * 2 <= len && !bytes.is_empty() && bytes.iter().any(|b| *b != 0) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex:0>len$}")
        }
        _ => String::new(),
    }
}

pub fn trace_id(raw: &str) -> String {
    normalize_id(raw, 32)
}

pub fn span_id(raw: &str) -> String {
    normalize_id(raw, 16)
}

/// An int64 that arrives as a JSON number or a decimal string (jsonpb); never via f64.
pub fn de_i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        I(i64),
        U(u64),
        S(String),
        F(f64),
    }
    Ok(match Option::<N>::deserialize(d)? {
        None => None,
        Some(N::I(i)) => Some(i),
        Some(N::U(u)) => Some(i64::try_from(u).unwrap_or(i64::MAX)),
        Some(N::S(s)) => s.trim().parse::<i64>().ok().or_else(|| s.trim().parse::<u64>().ok().map(|u| i64::try_from(u).unwrap_or(i64::MAX))),
        Some(N::F(f)) => Some(f as i64),
    })
}

/// A JSON scalar rendered as an attribute string (`true`, `42`, `text`).
pub fn scalar_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The services a fetch covers: the configured set, sorted and unique, when given.
pub fn sorted_services(services: &[String]) -> Vec<String> {
    let mut s: Vec<String> = services.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    s.sort();
    s.dedup();
    s
}

/// `backend|base|svc1,svc2` (or `*` for all services): the cursor's identity.
pub fn cursor_scope(backend: &str, base: &str, services: &[String]) -> String {
    let s = sorted_services(services);
    let set = if s.is_empty() { "*".to_string() } else { s.join(",") };
    format!("{backend}|{base}|{set}")
}

/// Forwards events to the caller's sink at most once per identity within one fetch, so a trace
/// returned by two overlapping sub-queries (split windows, pages that shifted) is not counted twice.
pub struct DedupSink<'s, 'a> {
    sink: &'s mut EventSink<'a>,
    seen: HashSet<(String, String, String, i64, String, String)>,
    pub emitted: u64,
}

impl<'s, 'a> DedupSink<'s, 'a> {
    pub fn new(sink: &'s mut EventSink<'a>) -> Self {
        DedupSink { sink, seen: HashSet::new(), emitted: 0 }
    }

    pub fn push(&mut self, ev: ErrorEvent) -> Result<(), TelemetryError> {
        let key = (
            ev.trace_id.clone(),
            ev.span_id.clone(),
            ev.origin.as_str().to_string(),
            ev.timestamp,
            ev.exception_type.clone().unwrap_or_default(),
            ev.message.clone().unwrap_or_default(),
        );
        // Events without trace context have no stable identity here; the ledger decides for them.
        if !ev.trace_id.is_empty() && !self.seen.insert(key) {
            return Ok(());
        }
        self.emitted += 1;
        (self.sink)(ev).map_err(TelemetryError::Sink)
    }
}

/// Runs `per_service` for each service; a failing service is recorded and the others continue.
/// Errors that make every service fail the same way (credentials, configuration, the sink) stop
/// the fetch at once.
pub fn for_each_service(
    services: &[String],
    report: &mut FetchReport,
    mut per_service: impl FnMut(&str, &mut FetchReport) -> Result<(), TelemetryError>,
) -> Result<(), TelemetryError> {
    let mut failures = Vec::new();
    for svc in services {
        match per_service(svc, report) {
            Ok(()) => {}
            Err(e @ (TelemetryError::Auth { .. } | TelemetryError::Config { .. } | TelemetryError::Sink(_))) => return Err(e),
            Err(e) => failures.push((svc.clone(), e)),
        }
    }
    if !services.is_empty() && failures.len() == services.len() {
        // Nothing succeeded: the pass failed, report the most severe cause.
        failures.sort_by_key(|(_, e)| std::cmp::Reverse(e.severity()));
        if let Some((_, e)) = failures.into_iter().next() {
            return Err(e);
        }
        return Ok(());
    }
    report.partial_failures.extend(failures);
    Ok(())
}

/// Nanoseconds from an RFC 3339 timestamp (`2026-08-21T10:15:30.123456789Z`, offsets allowed).
pub fn parse_rfc3339_nanos(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let (y, mo, da): (i64, i64, i64) = (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    let tz_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, tz) = rest.split_at(tz_at);
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.split(':');
    let (h, mi, se): (i64, i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let nanos: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().ok()? };
    let offset = match tz {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let (oh, om) = tz[1..].split_once(':').unwrap_or((&tz[1..], "0"));
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    let secs = super::http::days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se - offset;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// RFC 3339 with nanoseconds in UTC, as Jaeger api_v3 wants its bounds.
pub fn format_rfc3339_nanos(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:09}Z", sod / 3600, sod % 3600 / 60, sod % 60)
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_normalise() {
        assert_eq!(trace_id("1"), "00000000000000000000000000000001");
        assert_eq!(trace_id("2F3E0CEE77AE5DC9C17ADE3689EB2E54"), "2f3e0cee77ae5dc9c17ade3689eb2e54");
        // base64 of 16 bytes, as Tempo's trace JSON carries it
        assert_eq!(trace_id("AAAAAAAAAABhKpNfHtLh2w=="), "0000000000000000612a935f1ed2e1db");
        assert_eq!(span_id("YSqTXx7S4ds="), "612a935f1ed2e1db");
        assert_eq!(span_id("00000000"), "");
        assert_eq!(trace_id("not an id!"), "");
    }

    #[test]
    fn rfc3339_round_trip() {
        let n = parse_rfc3339_nanos("2026-08-21T10:15:30.123456789Z").unwrap();
        assert_eq!(format_rfc3339_nanos(n), "2026-08-21T10:15:30.123456789Z");
        assert_eq!(parse_rfc3339_nanos("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339_nanos("2026-06-19T10:00:00Z"), Some(1_781_863_200_000_000_000));
        assert_eq!(parse_rfc3339_nanos("yesterday"), None);
    }
}
