//! The one calendar module: UTC civil-date arithmetic, RFC 3339 parsing and formatting for
//! unix-nanosecond timestamps (std only). Adapters that read dates (backends, Retry-After)
//! use these, not their own copies.

use crate::core::model::{UnixNanos, NANOS_PER_DAY, NANOS_PER_SEC};

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
/// Callers range-check the fields first (a year of 10^18 would overflow the seconds).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 → (year, month, day). Howard Hinnant's civil_from_days.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2026-11-25T15:45:04Z` (seconds precision).
pub fn rfc3339(t: UnixNanos) -> String {
    let days = t.div_euclid(NANOS_PER_DAY);
    let secs = t.rem_euclid(NANOS_PER_DAY) / NANOS_PER_SEC;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `2026-11-25 15:45` for tables.
pub fn short(t: UnixNanos) -> String {
    let s = rfc3339(t);
    format!("{} {}", &s[..10], &s[11..16])
}

/// Start of the UTC day holding `t`.
pub fn day_start(t: UnixNanos) -> UnixNanos {
    t.div_euclid(NANOS_PER_DAY) * NANOS_PER_DAY
}

/// Nanoseconds from an RFC 3339 timestamp (`2026-08-21T10:15:30.123456789Z`, offsets allowed).
pub fn parse_rfc3339_nanos(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let (y, mo, da): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let tz_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, tz) = rest.split_at(tz_at);
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.split(':');
    let (h, mi, se): (i64, i64, i64) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let nanos: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    let offset = match tz {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let (oh, om) = tz[1..].split_once(':').unwrap_or((&tz[1..], "0"));
            let (oh, om) = (oh.parse::<i64>().ok()?, om.parse::<i64>().ok()?);
            if !(0..=23).contains(&oh) || !(0..60).contains(&om) {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    // Range-checked before the arithmetic: a year or hour of 10^18 from a backend must not
    // overflow (found by fuzz_parsers).
    let in_range = (0..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&da)
        && (0..=24).contains(&h)
        && (0..60).contains(&mi)
        && (0..=60).contains(&se);
    if !in_range {
        return None;
    }
    let secs = days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se - offset;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// RFC 3339 with nanoseconds in UTC, as Jaeger api_v3 wants its bounds.
pub fn format_rfc3339_nanos(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:09}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// `3d`, `5h`, `12m`, `40s`: the coarsest unit, for "last seen 5h ago".
pub fn ago(now: UnixNanos, t: UnixNanos) -> String {
    let s = ((now - t) / NANOS_PER_SEC).max(0);
    match s {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_and_rfc3339_parses_what_it_formats() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m as i64, d as i64), days, "{y}-{m}-{d}");
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for t in [0, 1_764_085_504_123_456_789, -1, i64::MAX] {
            assert_eq!(
                parse_rfc3339_nanos(&format_rfc3339_nanos(t)),
                Some(t),
                "{t}"
            );
        }
        assert_eq!(
            parse_rfc3339_nanos("2026-11-25T16:45:04+01:00"),
            parse_rfc3339_nanos("2026-11-25T15:45:04Z")
        );
        assert_eq!(
            parse_rfc3339_nanos("999999999999999999-01-01T00:00:00Z"),
            None
        );
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_764_085_504 * NANOS_PER_SEC),
            "2025-11-25T15:45:04Z"
        );
        assert_eq!(rfc3339(951_782_400 * NANOS_PER_SEC), "2000-02-29T00:00:00Z");
        assert_eq!(short(1_764_085_504 * NANOS_PER_SEC), "2025-11-25 15:45");
    }

    #[test]
    fn day_start_and_ago() {
        let t = 1_764_085_504 * NANOS_PER_SEC;
        assert_eq!(rfc3339(day_start(t)), "2025-11-25T00:00:00Z");
        assert_eq!(ago(t, t - 7_200 * NANOS_PER_SEC), "2h");
    }
}
