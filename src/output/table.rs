//! Tables for terminals (comfy-table): dynamic width on a TTY, plain when piped.

use crate::core::model::{Signature, UnixNanos};
use crate::core::time::{ago, rfc3339};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, ColumnConstraint, ContentArrangement, Table};

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

/// The signature table. On a terminal of `width` columns the template is clipped so a row fits
/// on one line; the id, status, count and time columns never wrap (an id must stay copyable).
pub fn signatures(sigs: &[Signature], now: UnixNanos, width: Option<u16>) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
    let header = [
        "ID",
        "STATUS",
        "SERVICE",
        "TYPE",
        "TEMPLATE",
        "COUNT",
        "LAST SEEN",
    ];
    let rows: Vec<[String; 7]> = sigs
        .iter()
        .map(|s| {
            let service = match s.services.len() {
                0 => String::new(),
                1 => s.services[0].clone(),
                n => format!("{} +{}", s.services[0], n - 1),
            };
            [
                s.id[..12.min(s.id.len())].to_string(),
                s.status.as_str().to_string(),
                clip(&service, 24),
                clip(&s.exception_type, 32),
                clip(&s.template, 60),
                s.count.to_string(),
                format!("{} ago", ago(now, s.last_seen)),
            ]
        })
        .collect();
    // Widest cell per column (header included), to see what room the template has.
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // On a terminal, service, type and template share what the fixed columns leave (each column
    // costs its text plus one space either side plus one border; one closing border), the
    // template taking the most; every cell is then clipped to its share, so no row wraps.
    let caps: Option<[usize; 3]> = width.map(|w| {
        let fixed: usize = [0, 1, 5, 6].iter().map(|&i| widths[i] + 3).sum();
        let room = (w as usize).saturating_sub(fixed + 3 * 3 + 1);
        // Never narrower than the headings ("SERVICE", "TEMPLATE"), which are not clipped.
        let service = widths[2].min((room / 5).max(7));
        let kind = widths[3].min((room * 3 / 10).max(6));
        let template = room.saturating_sub(service + kind).max(8);
        [service, kind, template]
    });
    t.set_header(header.to_vec());
    for r in rows {
        let cells: Vec<Cell> = r
            .iter()
            .enumerate()
            .map(|(i, c)| match (i, caps) {
                (2..=4, Some(caps)) => Cell::new(clip(c, caps[i - 2])),
                _ => Cell::new(c),
            })
            .collect();
        t.add_row(cells);
    }
    let never_wrap: &[usize] = if caps.is_some() {
        &[0, 1, 2, 3, 4, 5, 6]
    } else {
        &[0, 1, 5, 6]
    };
    for &i in never_wrap {
        if let Some(col) = t.column_mut(i) {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    t.to_string()
}

/// Tab-separated values for scripts (as `gh` prints when piped): a header line, one row per
/// signature, full ids, RFC 3339 times, tabs and newlines inside a field folded to spaces.
pub fn signatures_tsv(sigs: &[Signature]) -> String {
    let mut out = String::from(
        "id\tstatus\tservices\texception_type\ttemplate\tcount\tfirst_seen\tlast_seen\n",
    );
    for s in sigs {
        let fields = [
            s.id.clone(),
            s.status.as_str().to_string(),
            s.services.join(","),
            s.exception_type.clone(),
            s.template.clone(),
            s.count.to_string(),
            rfc3339(s.first_seen),
            rfc3339(s.last_seen),
        ];
        let line: Vec<String> = fields
            .iter()
            .map(|f| crate::core::visible::visible(f).into_owned())
            .collect();
        out.push_str(&line.join("\t"));
        out.push('\n');
    }
    out
}
