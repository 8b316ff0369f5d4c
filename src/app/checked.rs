//! Durations and counts from settings, converted with checked arithmetic into an allowed range.
//!
//! A setting that is multiplied (days → nanoseconds) or converted (a duration → i64 nanoseconds)
//! could wrap: `EVENT_RETENTION_DAYS=999999` once became a negative retention that pruned the
//! whole ledger every pass. Every such value goes through one of these helpers, which refuse
//! anything outside its documented range with one line naming the variable and the range
//! (`AppError::Config`, exit 78) instead of wrapping or saturating.

use crate::core::model::{NANOS_PER_DAY, NANOS_PER_SEC};
use crate::exit::AppError;
use std::time::Duration;

pub const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SEC;

/// One day, for ranges.
pub const DAY: Duration = Duration::from_secs(86_400);

fn out_of_range(var: &str, shown: &str, lo: &str, hi: &str) -> AppError {
    AppError::Config(format!(
        "{var}: {shown} is out of range (allowed: {lo} to {hi})"
    ))
}

/// A duration in the largest unit that shows it whole (`365d`, `90s`, `250ms`): the units the
/// settings are written in (humantime's own format counts years of 365.25 days).
fn show(d: Duration) -> String {
    let s = d.as_secs();
    if d.subsec_nanos() == 0 {
        match s {
            0 => "0s".into(),
            s if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
            s if s.is_multiple_of(3_600) => format!("{}h", s / 3_600),
            s if s.is_multiple_of(60) => format!("{}m", s / 60),
            s => format!("{s}s"),
        }
    } else if d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}ns", d.as_nanos())
    }
}

/// A whole-number count in `min..=max` (budgets of calls, retries, batch sizes).
pub fn count<T>(var: &str, n: T, min: T, max: T) -> Result<T, AppError>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    if n < min || n > max {
        return Err(out_of_range(
            var,
            &n.to_string(),
            &min.to_string(),
            &max.to_string(),
        ));
    }
    Ok(n)
}

/// `n` units of `unit_nanos` each, in nanoseconds, with `n` in `min..=max`.
fn scaled(
    var: &str,
    n: u64,
    min: u64,
    max: u64,
    unit_nanos: i64,
    unit: &str,
) -> Result<i64, AppError> {
    let bad = || {
        out_of_range(
            var,
            &format!("{n} {unit}"),
            &format!("{min} {unit}"),
            &format!("{max} {unit}"),
        )
    };
    if n < min || n > max {
        return Err(bad());
    }
    i64::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(unit_nanos))
        .ok_or_else(bad)
}

/// `n` minutes as nanoseconds, `n` in `min..=max`.
pub fn minutes(var: &str, n: u64, min: u64, max: u64) -> Result<i64, AppError> {
    scaled(var, n, min, max, NANOS_PER_MINUTE, "minutes")
}

/// `n` days as nanoseconds, `n` in `min..=max`.
pub fn days(var: &str, n: u64, min: u64, max: u64) -> Result<i64, AppError> {
    scaled(var, n, min, max, NANOS_PER_DAY, "days")
}

/// `n` seconds as a `Duration`, `n` in `min..=max`.
pub fn secs(var: &str, n: u64, min: u64, max: u64) -> Result<Duration, AppError> {
    scaled(var, n, min, max, NANOS_PER_SEC, "seconds")?;
    Ok(Duration::from_secs(n))
}

/// A duration in `min..=max`.
pub fn duration(
    var: &str,
    d: Duration,
    min: Duration,
    max: Duration,
) -> Result<Duration, AppError> {
    if d < min || d > max {
        return Err(out_of_range(var, &show(d), &show(min), &show(max)));
    }
    Ok(d)
}

/// A duration in `min..=max`, as i64 nanoseconds (the core's time unit).
pub fn duration_nanos(
    var: &str,
    d: Duration,
    min: Duration,
    max: Duration,
) -> Result<i64, AppError> {
    let d = duration(var, d, min, max)?;
    i64::try_from(d.as_nanos()).map_err(|_| out_of_range(var, &show(d), &show(min), &show(max)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(e: AppError) -> String {
        assert!(matches!(e, AppError::Config(_)), "exit 78: {e:?}");
        e.to_string()
    }

    #[test]
    fn days_convert_and_refuse_what_would_wrap() {
        assert_eq!(days("D", 30, 1, 36_500).unwrap(), 30 * NANOS_PER_DAY);
        assert_eq!(
            days("D", 36_500, 1, 36_500).unwrap(),
            36_500 * NANOS_PER_DAY
        );
        let m = msg(days("EVENT_RETENTION_DAYS", 999_999, 1, 36_500).unwrap_err());
        assert!(m.contains("EVENT_RETENTION_DAYS"), "{m}");
        assert!(m.contains("999999 days"), "{m}");
        assert!(m.contains("1 days to 36500 days"), "{m}");
        assert!(days("D", 0, 1, 10).is_err());
        // Even with a careless range, the multiplication itself is checked.
        assert!(days("D", u64::MAX, 0, u64::MAX).is_err());
        assert!(
            days("D", 200_000, 0, u64::MAX).is_err(),
            "past i64 nanoseconds"
        );
    }

    #[test]
    fn minutes_convert_in_range() {
        assert_eq!(minutes("M", 5, 0, 10).unwrap(), 5 * NANOS_PER_MINUTE);
        assert_eq!(minutes("M", 0, 0, 10).unwrap(), 0);
        let m = msg(minutes("POLL_OVERLAP_MINUTES", 11, 0, 10).unwrap_err());
        assert!(m.contains("POLL_OVERLAP_MINUTES: 11 minutes"), "{m}");
    }

    #[test]
    fn seconds_and_durations_stay_in_range() {
        assert_eq!(secs("S", 600, 1, 86_400).unwrap(), Duration::from_secs(600));
        assert!(secs("S", 0, 1, 86_400).is_err());
        assert!(secs("S", u64::MAX, 1, u64::MAX).is_err());
        let d = Duration::from_secs(90);
        assert_eq!(duration("X", d, Duration::ZERO, DAY).unwrap(), d);
        let m = msg(duration("ROUNDS_LOCK_WAIT", DAY * 2, Duration::ZERO, DAY).unwrap_err());
        assert!(
            m.contains("ROUNDS_LOCK_WAIT: 2d is out of range (allowed: 0s to 1d)"),
            "{m}"
        );
        assert_eq!(
            duration_nanos("X", d, Duration::ZERO, DAY).unwrap(),
            90 * NANOS_PER_SEC
        );
        // Past i64 nanoseconds (~292 years) is refused even when the range allows it.
        assert!(duration_nanos("X", DAY * 200_000, Duration::ZERO, Duration::MAX).is_err());
    }

    #[test]
    fn counts_name_their_range() {
        assert_eq!(count("N", 3usize, 0, 100).unwrap(), 3);
        let m = msg(count("ROUNDS_HTTP_RETRIES", 99u32, 0, 20).unwrap_err());
        assert!(
            m.contains("ROUNDS_HTTP_RETRIES: 99 is out of range (allowed: 0 to 20)"),
            "{m}"
        );
    }
}
