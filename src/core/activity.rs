//! What a signature has been doing lately, for people ranking a list: the last 24 h against the
//! 24 h before, a trend, an hourly sparkline, and where in the application it happens.

use crate::core::model::{HourlyCounts, Signature};
use crate::core::triage::day_over_day;

/// Hours the sparkline covers (one character each).
pub const SPARK_HOURS: usize = 24;

/// The last 48 hours of one signature, from its hourly counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The end of the last hour counted (as in [`HourlyCounts::end`]).
    pub end: crate::core::model::UnixNanos,
    pub last_24h: u64,
    pub prev_24h: u64,
    /// The last 24 hourly counts, oldest first.
    pub hourly: Vec<u64>,
    pub trend: Trend,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trend {
    /// Nothing in the last 48 hours.
    Quiet,
    /// Seen in the last 24 h, not in the 24 h before.
    Appeared,
    /// Seen the day before, not in the last 24 h.
    Stopped,
    /// Both days: last over previous (1.0 = unchanged).
    Ratio(f64),
}

impl Trend {
    /// From the last 24 h and the 24 h before.
    pub fn of(last_24h: u64, prev_24h: u64) -> Trend {
        match (last_24h, prev_24h) {
            (0, 0) => Trend::Quiet,
            (_, 0) => Trend::Appeared,
            (0, _) => Trend::Stopped,
            (l, p) => Trend::Ratio(l as f64 / p as f64),
        }
    }

    /// A short cell: `new`, `gone`, `↑3.0×`, `↓0.5×`, `=`, or empty when quiet.
    pub fn label(&self) -> String {
        match *self {
            Trend::Quiet => String::new(),
            Trend::Appeared => "new".into(),
            Trend::Stopped => "gone".into(),
            Trend::Ratio(r) if (0.8..=1.25).contains(&r) => "=".into(),
            Trend::Ratio(r) if r > 1.0 => format!("↑{r:.1}×"),
            Trend::Ratio(r) => format!("↓{r:.1}×"),
        }
    }

    /// The machine form for JSON: `quiet`, `appeared`, `stopped`, `rising`, `falling`, `steady`.
    pub fn kind(&self) -> &'static str {
        match *self {
            Trend::Quiet => "quiet",
            Trend::Appeared => "appeared",
            Trend::Stopped => "stopped",
            Trend::Ratio(r) if (0.8..=1.25).contains(&r) => "steady",
            Trend::Ratio(r) if r > 1.0 => "rising",
            Trend::Ratio(_) => "falling",
        }
    }
}

impl Activity {
    /// From at least 48 hourly counts ending now (fewer are read as zeros before them).
    pub fn from_hourly(counts: &HourlyCounts) -> Activity {
        let (last, prev) = day_over_day(counts);
        let c = &counts.counts;
        let mut hourly = vec![0; SPARK_HOURS.saturating_sub(c.len())];
        hourly.extend_from_slice(&c[c.len().saturating_sub(SPARK_HOURS)..]);
        Activity {
            end: counts.end,
            last_24h: last,
            prev_24h: prev,
            hourly,
            trend: Trend::of(last, prev),
        }
    }

    /// How strongly it is rising, for `--sort trend`: new and growing first, then by volume.
    /// Add-one smoothing keeps 1 → 2 below 100 → 150.
    pub fn rank(&self) -> (u64, u64) {
        let ratio = (self.last_24h as f64 + 1.0) / (self.prev_24h as f64 + 1.0);
        // Fixed point so the key is totally ordered.
        ((ratio * 1000.0) as u64, self.last_24h)
    }
}

/// Eight-level bars `▁▂▃▄▅▆▇█`, one per count, scaled to the largest (which is always a full
/// bar); a zero is `zero` (a space in a terminal table, so a quiet stretch reads as a gap; a
/// middle dot in markdown, where spaces collapse).
pub fn sparkline(counts: &[u64], zero: char) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&n| {
            if n == 0 || max == 0 {
                zero
            } else {
                BARS[((n as u128 * 7) / max as u128).min(7) as usize]
            }
        })
        .collect()
}

/// Where the signature happens: its innermost in-app key frame as `file:function` (the file's
/// last two path components), or the innermost key frame when none is in-app.
pub fn location(sig: &Signature) -> Option<String> {
    let frame = sig
        .key_frames
        .iter()
        .find(|f| f.in_app)
        .or_else(|| sig.key_frames.first())?;
    let function = frame.function.as_str();
    match frame.file.as_deref() {
        Some(file) if !file.is_empty() => {
            let parts: Vec<&str> = file.rsplit(['/', '\\']).take(2).collect();
            let short: Vec<&str> = parts.into_iter().rev().collect();
            Some(format!("{}:{function}", short.join("/")))
        }
        _ => match frame.module.as_deref() {
            Some(m) if !m.is_empty() => Some(format!("{m}.{function}")),
            _ => Some(function.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::NANOS_PER_HOUR;

    fn counts(v: &[u64]) -> HourlyCounts {
        HourlyCounts {
            end: 100 * NANOS_PER_HOUR,
            counts: v.to_vec(),
        }
    }

    #[test]
    fn trend_compares_the_last_day_with_the_one_before() {
        let mut v = vec![1; 24];
        v.extend(vec![3; 24]);
        let a = Activity::from_hourly(&counts(&v));
        assert_eq!((a.last_24h, a.prev_24h), (72, 24));
        assert_eq!(a.trend.label(), "↑3.0×");
        assert_eq!(a.trend.kind(), "rising");
        assert_eq!(a.hourly, vec![3; 24]);

        let mut v = vec![4; 24];
        v.extend(vec![1; 24]);
        assert_eq!(Activity::from_hourly(&counts(&v)).trend.label(), "↓0.2×");
        assert_eq!(
            Activity::from_hourly(&counts(&[2; 48])).trend.kind(),
            "steady"
        );
        let mut v = vec![0; 24];
        v.extend(vec![1; 24]);
        assert_eq!(Activity::from_hourly(&counts(&v)).trend, Trend::Appeared);
        let mut v = vec![1; 24];
        v.extend(vec![0; 24]);
        assert_eq!(Activity::from_hourly(&counts(&v)).trend, Trend::Stopped);
        assert_eq!(Activity::from_hourly(&counts(&[0; 48])).trend.label(), "");
    }

    #[test]
    fn rank_puts_big_rises_above_small_ones() {
        let small = Activity::from_hourly(&counts(&[&[0; 47][..], &[2]].concat()));
        let mut v = vec![1; 24];
        v.extend(vec![10; 24]);
        let big = Activity::from_hourly(&counts(&v));
        let steady = Activity::from_hourly(&counts(&[5; 48]));
        assert!(
            big.rank() > small.rank(),
            "{:?} {:?}",
            big.rank(),
            small.rank()
        );
        assert!(small.rank() > steady.rank());
    }

    #[test]
    fn sparkline_scales_to_the_busiest_hour_and_leaves_gaps() {
        assert_eq!(sparkline(&[0, 1, 8, 0], ' '), " ▁█ ");
        assert_eq!(sparkline(&[5, 5], ' '), "██");
        assert_eq!(sparkline(&[0, 0], ' '), "  ");
        assert_eq!(sparkline(&[0, 0], '·'), "··");
        assert_eq!(sparkline(&[0, 1, 7, 14], '·'), "·▁▄█");
        assert_eq!(sparkline(&[], ' '), "");
        assert_eq!(sparkline(&[1, 2, 3, 4, 5, 6, 7, 8], ' '), "▁▂▃▄▅▆▇█");
        assert_eq!(sparkline(&[u64::MAX, 1], ' '), "█▁");
    }

    #[test]
    fn location_is_the_innermost_in_app_frame() {
        use crate::core::model::{Fingerprint, Frame};
        let frame = |f: &str, file: Option<&str>, in_app| Frame {
            module: Some("shop.cart".into()),
            function: f.into(),
            file: file.map(Into::into),
            line: Some(3),
            column: None,
            in_app,
            rule: None,
        };
        let fp = Fingerprint {
            id: "abc".into(),
            algorithm_version: 1,
            basis: crate::core::model::FingerprintBasis::Stack,
            service: "shop".into(),
            exception_type: "KeyError".into(),
            template: "'<*>'".into(),
            key_frames: Default::default(),
            dropped_frames: Default::default(),
        };
        let mut sig = Signature::first_of("abc", &fp, 0);
        sig.key_frames = vec![
            frame("get", Some("/usr/lib/python3/dict.py"), false),
            frame("total", Some("/srv/app/shop/cart.py"), true),
        ];
        assert_eq!(location(&sig).as_deref(), Some("shop/cart.py:total"));
        sig.key_frames = vec![frame("run", None, false)];
        assert_eq!(location(&sig).as_deref(), Some("shop.cart.run"));
        sig.key_frames.clear();
        assert_eq!(location(&sig), None);
    }
}
