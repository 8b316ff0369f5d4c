//! Tables for terminals (comfy-table): dynamic width on a TTY, tab-separated when piped.

use crate::core::activity::{sparkline, Activity, Trend};
use crate::core::model::{Signature, Status, UnixNanos};
use crate::core::time::{ago, rfc3339};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table};

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

/// One row of the signature list: the signature, what it did lately, and where it happens.
pub struct ListRow<'a> {
    pub sig: &'a Signature,
    pub activity: &'a Activity,
    pub location: Option<String>,
}

/// A column of the list: heading, cells, and its share of the room left when it flexes (0 =
/// fixed: never clipped, never wrapped).
struct Column {
    header: &'static str,
    cells: Vec<String>,
    share: usize,
}

/// Widths at which optional columns join the list (narrower terminals leave them out rather
/// than wrapping): the trend, then the service and type apart from the template, then the hourly
/// sparkline.
const TREND_FROM: u16 = 100;
const SPLIT_ERROR_FROM: u16 = 120;
const SERVICE_FROM: u16 = 120;
const SPARK_FROM: u16 = 150;

/// The signature table. On a terminal of `width` columns, optional columns join as room allows
/// and the flexible ones (service, type, template, where) are clipped so a row fits on one line;
/// the id, status, counts and times never wrap (an id must stay copyable). `color` paints the
/// status and trend (every cell is made visible first, so only these styles reach the terminal).
pub fn signatures(rows: &[ListRow], now: UnixNanos, width: Option<u16>, color: bool) -> String {
    let wide = |from: u16| width.is_none_or(|w| w >= from);
    let col = |header, share, f: &dyn Fn(&ListRow) -> String| Column {
        header,
        cells: rows.iter().map(f).collect(),
        share,
    };
    let mut cols = vec![
        col("ID", 0, &|r| r.sig.id[..12.min(r.sig.id.len())].to_string()),
        col("STATUS", 0, &|r| r.sig.status.as_str().to_string()),
    ];
    if wide(SERVICE_FROM) {
        cols.push(col("SERVICE", 15, &|r| {
            let s = &r.sig.services;
            match s.len() {
                0 => String::new(),
                1 => clip(&s[0], 24),
                n => format!("{} +{}", clip(&s[0], 20), n - 1),
            }
        }));
    }
    if wide(SPLIT_ERROR_FROM) {
        cols.push(col("TYPE", 25, &|r| clip(&r.sig.exception_type, 32)));
        cols.push(col("TEMPLATE", 60, &|r| clip(&r.sig.template, 60)));
    } else {
        // Narrow: one column, `Type: template`, so neither is starved of room.
        cols.push(col("ERROR", 55, &|r| {
            let (t, m) = (&r.sig.exception_type, &r.sig.template);
            let short = t.rsplit(['.', ':']).next().unwrap_or(t);
            match (short.is_empty(), m.is_empty()) {
                (true, _) => clip(m, 80),
                (false, true) => clip(short, 80),
                (false, false) => clip(&format!("{short}: {m}"), 80),
            }
        }));
    }
    cols.push(col("WHERE", 40, &|r| {
        clip(r.location.as_deref().unwrap_or(""), 40)
    }));
    cols.push(col("COUNT", 0, &|r| r.sig.count.to_string()));
    cols.push(col("24H", 0, &|r| r.activity.last_24h.to_string()));
    if wide(TREND_FROM) {
        cols.push(col("TREND", 0, &|r| r.activity.trend.label()));
    }
    if wide(SPARK_FROM) {
        cols.push(col("HOURLY, 24H", 0, &|r| {
            sparkline(&r.activity.hourly, ' ')
        }));
    }
    cols.push(col("LAST SEEN", 0, &|r| {
        format!("{} ago", ago(now, r.sig.last_seen))
    }));

    let widest = |c: &Column| {
        c.cells
            .iter()
            .map(|s| s.chars().count())
            .chain([c.header.chars().count()])
            .max()
            .unwrap_or(0)
    };
    // Each column costs its text plus one space either side plus one border; one closing
    // border. The flexible columns share what the fixed ones leave, by weight, each never
    // narrower than its heading nor wider than its widest cell; every cell is then clipped.
    if let Some(w) = width {
        let fixed: usize = cols
            .iter()
            .filter(|c| c.share == 0)
            .map(|c| widest(c) + 3)
            .sum();
        let flex: Vec<usize> = (0..cols.len()).filter(|&i| cols[i].share > 0).collect();
        let room = (w as usize).saturating_sub(fixed + 3 * flex.len() + 1);
        let weights: usize = flex.iter().map(|&i| cols[i].share).sum::<usize>().max(1);
        let mut caps: Vec<(usize, usize)> = flex
            .iter()
            .map(|&i| {
                let fair = room * cols[i].share / weights;
                (
                    i,
                    fair.max(cols[i].header.chars().count())
                        .min(widest(&cols[i])),
                )
            })
            .collect();
        // What a column cannot use (its cells are shorter) goes to the template.
        let used: usize = caps.iter().map(|c| c.1).sum();
        if let Some(t) = caps
            .iter_mut()
            .find(|c| matches!(cols[c.0].header, "TEMPLATE" | "ERROR"))
        {
            t.1 = (t.1 + room.saturating_sub(used)).min(widest(&cols[t.0]));
        }
        for (i, cap) in caps {
            for cell in &mut cols[i].cells {
                *cell = clip(cell, cap);
            }
        }
    }

    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
    if color {
        t.enforce_styling();
    }
    t.set_header(cols.iter().map(|c| c.header).collect::<Vec<_>>());
    for (r, row) in rows.iter().enumerate() {
        let cells: Vec<Cell> = cols
            .iter()
            .map(|c| {
                let cell = Cell::new(&c.cells[r]);
                match (color, c.header) {
                    (true, "STATUS") => paint_status(cell, row.sig.status),
                    (true, "TREND") => paint_trend(cell, row.activity.trend),
                    _ => cell,
                }
            })
            .collect();
        t.add_row(cells);
    }
    for (i, c) in cols.iter().enumerate() {
        if width.is_some() || c.share == 0 {
            if let Some(c) = t.column_mut(i) {
                c.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
    }
    t.to_string()
}

/// Attention first: new and regressed stand out, settled states recede.
fn paint_status(cell: Cell, status: Status) -> Cell {
    match status {
        Status::New => cell.fg(Color::Yellow).add_attribute(Attribute::Bold),
        Status::Regressed => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Status::Investigating => cell.fg(Color::Cyan),
        Status::Diagnosed => cell.fg(Color::Blue),
        Status::Resolved => cell.fg(Color::Green),
        Status::Ignored => cell.add_attribute(Attribute::Dim),
    }
}

fn paint_trend(cell: Cell, trend: Trend) -> Cell {
    match trend.kind() {
        "rising" | "appeared" => cell.fg(Color::Red),
        "falling" | "stopped" => cell.fg(Color::Green),
        _ => cell,
    }
}

/// Tab-separated values for scripts (as `gh` prints when piped): a header line, one row per
/// signature, full ids, RFC 3339 times, tabs and newlines inside a field folded to spaces.
pub fn signatures_tsv(rows: &[ListRow]) -> String {
    let mut out = String::from(
        "id\tstatus\tservices\texception_type\ttemplate\tcount\tfirst_seen\tlast_seen\twhere\tlast_24h\ttrend\n",
    );
    for r in rows {
        let s = r.sig;
        let fields = [
            s.id.to_string(),
            s.status.as_str().to_string(),
            s.services.join(","),
            s.exception_type.clone(),
            s.template.clone(),
            s.count.to_string(),
            rfc3339(s.first_seen),
            rfc3339(s.last_seen),
            r.location.clone().unwrap_or_default(),
            r.activity.last_24h.to_string(),
            r.activity.trend.kind().to_string(),
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
