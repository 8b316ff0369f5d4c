//! Loghub-2k fixture helpers shared by the template quality test and `examples/score_templates`:
//! a small RFC 4180 reader and Grouping Accuracy computed exactly as `scripts/ga.py` does.
// Each includer uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::hash::Hash;

/// One labelled message: its line id, content and true template.
pub struct Row {
    pub line_id: String,
    pub content: String,
    pub template: String,
}

/// Parse RFC 4180 CSV text: quoted fields may hold commas, newlines and doubled quotes.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The rows of a Loghub `*_structured_corrected.csv` (columns LineId, Content, EventTemplate).
pub fn read_rows(text: &str) -> Result<Vec<Row>, String> {
    let mut table = parse_csv(text.strip_prefix('\u{feff}').unwrap_or(text)).into_iter();
    let header = table.next().ok_or("empty csv")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no {name} column"))
    };
    let (id, content, template) = (col("LineId")?, col("Content")?, col("EventTemplate")?);
    table
        .filter(|r| !(r.len() == 1 && r[0].is_empty()))
        .map(|r| {
            let get = |i: usize| r.get(i).cloned().ok_or(format!("short row {r:?}"));
            Ok(Row {
                line_id: get(id)?,
                content: get(content)?,
                template: get(template)?,
            })
        })
        .collect()
}

/// (GA, FGA): GA is the share of messages whose predicted group holds exactly their true group;
/// FGA the F1 of correct groups over predicted and over true groups.
pub fn ga_fga<T: Eq + Hash, P: Eq + Hash>(truth: &[T], pred: &[P]) -> (f64, f64) {
    let mut by_truth: HashMap<&T, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        by_truth.entry(t).or_default().push(i);
    }
    let mut pred_sizes: HashMap<&P, usize> = HashMap::new();
    for p in pred {
        *pred_sizes.entry(p).or_default() += 1;
    }
    let (mut correct_msgs, mut correct_groups) = (0usize, 0usize);
    for idxs in by_truth.values() {
        let first = &pred[idxs[0]];
        if idxs.iter().all(|&i| &pred[i] == first) && pred_sizes[first] == idxs.len() {
            correct_msgs += idxs.len();
            correct_groups += 1;
        }
    }
    if truth.is_empty() {
        return (0.0, 0.0);
    }
    let ga = correct_msgs as f64 / truth.len() as f64;
    let p = correct_groups as f64 / pred_sizes.len() as f64;
    let r = correct_groups as f64 / by_truth.len() as f64;
    let fga = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (ga, fga)
}
