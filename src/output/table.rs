//! Tables for terminals (comfy-table): dynamic width on a TTY, plain when piped.

use crate::core::model::{Signature, UnixNanos};
use crate::core::time::ago;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, ContentArrangement, Table};

/// One line, controls made visible, truncated to `max` characters with an ellipsis.
pub fn clip(s: &str, max: usize) -> String {
    let one_line = crate::core::visible::visible(s).into_owned();
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn signatures(sigs: &[Signature], now: UnixNanos) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(vec![
        "ID",
        "STATUS",
        "SERVICE",
        "TYPE",
        "TEMPLATE",
        "COUNT",
        "LAST SEEN",
    ]);
    for s in sigs {
        let service = match s.services.len() {
            0 => String::new(),
            1 => s.services[0].clone(),
            n => format!("{} +{}", s.services[0], n - 1),
        };
        t.add_row(vec![
            Cell::new(&s.id[..12.min(s.id.len())]),
            Cell::new(s.status.as_str()),
            Cell::new(clip(&service, 24)),
            Cell::new(clip(&s.exception_type, 32)),
            Cell::new(clip(&s.template, 60)),
            Cell::new(s.count),
            Cell::new(format!("{} ago", ago(now, s.last_seen))),
        ]);
    }
    t.to_string()
}
