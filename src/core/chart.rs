//! A Mermaid `xychart-beta` of the busiest signatures per hour, which GitHub renders in issues,
//! comments and step summaries. No telemetry text enters the chart (its labels are hours and a
//! fixed title), so none can close the quoted string, the code block or the directive; the
//! legend below it is escaped markdown.

use crate::core::model::NANOS_PER_HOUR;
use crate::core::report::ReportEntry;
use std::fmt::Write as _;

/// Lines drawn at most (one per signature), and the colours they are drawn in, in order: set
/// explicitly so the legend can name them (the theme's default palette differs by theme).
pub const MAX_SERIES: usize = 5;
const PALETTE: [(&str, &str); MAX_SERIES] = [
    ("#d62728", "red"),
    ("#1f77b4", "blue"),
    ("#2ca02c", "green"),
    ("#ff7f0e", "orange"),
    ("#9467bd", "purple"),
];

/// The chart and its legend (markdown), or nothing when no entry had an event in its 24 h.
/// Entries are ranked by their last-24 h count (ties keep the report's order).
pub fn hourly_chart(entries: &[ReportEntry]) -> String {
    let mut ranked: Vec<&ReportEntry> = entries.iter().filter(|e| e.last_24h.total() > 0).collect();
    ranked.sort_by_key(|e| std::cmp::Reverse(e.last_24h.total()));
    ranked.truncate(MAX_SERIES);
    let Some(first) = ranked.first() else {
        return String::new();
    };
    let hours = first.last_24h.counts.len();
    if hours == 0 {
        return String::new();
    }
    let end_hour = first.last_24h.end.div_euclid(NANOS_PER_HOUR);
    let labels: Vec<String> = (0..hours)
        .map(|i| {
            let h = (end_hour - (hours - 1 - i) as i64).rem_euclid(24);
            format!("\"{h:02}\"")
        })
        .collect();
    let max = ranked
        .iter()
        .flat_map(|e| e.last_24h.counts.iter().copied())
        .max()
        .unwrap_or(0);
    let palette: Vec<&str> = PALETTE[..ranked.len()].iter().map(|p| p.0).collect();
    let mut o = String::new();
    o.push_str("```mermaid\n");
    let _ = writeln!(
        o,
        "%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{}\"}}}}}}}}%%",
        palette.join(", ")
    );
    o.push_str("xychart-beta\n");
    o.push_str("    title \"Events per hour, last 24 h (UTC), busiest signatures\"\n");
    let _ = writeln!(o, "    x-axis [{}]", labels.join(", "));
    let _ = writeln!(o, "    y-axis \"events\" 0 --> {}", max.max(1));
    for e in &ranked {
        let points: Vec<String> = e.last_24h.counts.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(o, "    line [{}]", points.join(", "));
    }
    o.push_str("```\n\n");
    for (e, (_, colour)) in ranked.iter().zip(PALETTE) {
        let _ = writeln!(
            o,
            "- {colour}: `{}` {} ({} in 24 h)",
            e.signature.id.short(),
            crate::core::report::escape_md(&crate::core::report::title(&e.signature)),
            e.last_24h.total()
        );
    }
    o.push('\n');
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Fingerprint, FingerprintBasis, HourlyCounts, Signature};

    fn entry(id: &str, template: &str, counts: Vec<u64>) -> ReportEntry {
        let fp = Fingerprint {
            id: id.into(),
            algorithm_version: 3,
            basis: FingerprintBasis::Template,
            service: "api".into(),
            exception_type: "ValueError".into(),
            template: template.into(),
            key_frames: Default::default(),
            dropped_frames: Default::default(),
        };
        ReportEntry {
            signature: Signature::first_of(id, &fp, 0),
            last_24h: HourlyCounts {
                end: 30 * NANOS_PER_HOUR + 5,
                counts,
            },
            previous_24h: 0,
            escalating: false,
            diagnosis: None,
            trace_ids: vec![],
            suspects: vec![],
            releases: Default::default(),
        }
    }

    #[test]
    fn busiest_first_at_most_five_with_a_legend_and_hour_labels() {
        let mut entries: Vec<ReportEntry> = (0..7)
            .map(|i| {
                let mut c = vec![0; 24];
                c[23] = i;
                entry(&format!("{i}{}", "0".repeat(31)), "t <*>", c)
            })
            .collect();
        entries.push(entry(&"f".repeat(32), "quiet", vec![0; 24]));
        let chart = hourly_chart(&entries);
        assert_eq!(chart.matches("    line [").count(), MAX_SERIES);
        // Ranked: 6 first (red), then 5, ...
        assert!(chart.contains("- red: `600000000000`"), "{chart}");
        assert!(
            !chart.contains("ffffffffffff"),
            "quiet signatures are not drawn"
        );
        // The last label is the hour that holds `end` (30 h → 06 UTC).
        assert!(chart.contains("\"05\", \"06\"]"), "{chart}");
        assert!(chart.contains("0 --> 6"), "{chart}");
        assert!(chart.starts_with("```mermaid\n") && chart.contains("```\n\n- red"));
    }

    #[test]
    fn telemetry_text_cannot_break_out_of_the_chart() {
        let hostile = "x\"]\n```\n<script>alert(1)</script> %%{init}%%";
        let e = entry(&"a".repeat(32), hostile, [vec![0; 23], vec![3]].concat());
        let chart = hourly_chart(&[e]);
        let (block, legend) = chart.split_once("```\n\n").unwrap();
        assert!(
            !block.contains("script") && !block.contains("x\""),
            "{block}"
        );
        assert_eq!(
            block.matches("```").count(),
            1,
            "only the opening fence: {block}"
        );
        assert!(
            !legend.contains("<script>"),
            "legend is escaped markdown: {legend}"
        );
        assert!(!legend.contains('\n') || legend.trim_end().lines().count() == 1);
        assert_eq!(hourly_chart(&[]), "");
    }
}
