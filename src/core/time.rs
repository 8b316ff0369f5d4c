//! UTC calendar arithmetic and RFC 3339 formatting for unix-nanosecond timestamps (std only).

use crate::core::model::{UnixNanos, NANOS_PER_DAY, NANOS_PER_SEC};

/// Days since 1970-01-01 → (year, month, day). Howard Hinnant's civil_from_days.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
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
