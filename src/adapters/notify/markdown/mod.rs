//! The markdown notifier: one file per signature in NOTIFICATION_MARKDOWN_DIR, rewritten in place
//! as the signature changes, plus an index.md. Writes are atomic (temp file + rename) so a reader
//! or a crash never sees half a file; file names come from the signature id only.

use crate::core::model::UnixNanos;
use crate::core::ports::{Notification, Notifier, NotifyError};
use crate::core::report::{escape_md, short_id, signature_body, title, ReportEntry};
use crate::core::time::rfc3339;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

const CHANNEL: &str = "markdown";
/// Machine state behind index.md (what every page said last), so the index lists signatures
/// announced in earlier passes too.
const STATE_FILE: &str = ".rounds-index.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct IndexLine {
    title: String,
    status: String,
    services: Vec<String>,
    count: u64,
    last_seen: UnixNanos,
    last_notification: String,
}

pub struct MarkdownNotifier {
    dir: PathBuf,
    trace_url_template: Option<String>,
    index: Option<BTreeMap<String, IndexLine>>,
}

impl MarkdownNotifier {
    pub fn new(dir: PathBuf, trace_url_template: Option<String>) -> Self {
        MarkdownNotifier {
            dir,
            trace_url_template,
            index: None,
        }
    }

    fn io_err(path: &Path, source: std::io::Error) -> NotifyError {
        NotifyError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    fn ensure_dir(&self) -> Result<(), NotifyError> {
        crate::adapters::private_fs::create_dir_all(&self.dir)
            .map_err(|e| Self::io_err(&self.dir, e))
    }

    fn index(&mut self) -> Result<&mut BTreeMap<String, IndexLine>, NotifyError> {
        if self.index.is_none() {
            let path = self.dir.join(STATE_FILE);
            let loaded = match fs::read_to_string(&path) {
                // A damaged state file only costs the index its history; the pages stay.
                Ok(text) => serde_json::from_str(&text).unwrap_or_default(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
                Err(e) => return Err(Self::io_err(&path, e)),
            };
            self.index = Some(loaded);
        }
        Ok(self.index.get_or_insert_with(BTreeMap::new))
    }

    /// The page of one signature.
    pub fn page(n: &Notification, trace_url_template: Option<&str>) -> String {
        let s = &n.signature;
        let mut o = String::new();
        let _ = writeln!(o, "# {}\n", escape_md(&title(s)));
        let _ = writeln!(o, "<!-- rounds:fingerprint={} -->\n", file_stem(&s.id));
        let _ = writeln!(
            o,
            "Last notification: **{}** · [index](index.md)\n",
            n.kind.as_str()
        );
        o.push_str(&signature_body(
            &ReportEntry::from_notification(n),
            trace_url_template,
        ));
        o
    }

    fn render_index(index: &BTreeMap<String, IndexLine>) -> String {
        let mut rows: Vec<(&String, &IndexLine)> = index.iter().collect();
        rows.sort_by(|a, b| b.1.last_seen.cmp(&a.1.last_seen).then(a.0.cmp(b.0)));
        let mut o = String::new();
        let _ = writeln!(o, "# rounds signatures\n");
        let _ = writeln!(
            o,
            "| signature | status | services | count | last seen | last notification |\n|---|---|---|---:|---|---|"
        );
        for (id, l) in rows {
            let _ = writeln!(
                o,
                "| [{}]({}.md) {} | {} | {} | {} | {} | {} |",
                short_id(id),
                id,
                escape_md(&l.title),
                escape_md(&l.status),
                l.services
                    .iter()
                    .map(|s| escape_md(s))
                    .collect::<Vec<_>>()
                    .join(", "),
                l.count,
                rfc3339(l.last_seen),
                escape_md(&l.last_notification)
            );
        }
        o
    }
}

/// A file name from a signature id: ids are hex, but nothing untrusted reaches a path unfiltered.
pub fn file_stem(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect()
}

/// Write `text` to `path` atomically: a temp file in the same directory, synced, then renamed.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), NotifyError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        // 0600 whatever the umask; the rename keeps the temp file's mode.
        let mut f = crate::adapters::private_fs::create_file(&tmp, true)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(MarkdownNotifier::io_err(path, e));
    }
    Ok(())
}

impl Notifier for MarkdownNotifier {
    fn channel(&self) -> &str {
        CHANNEL
    }

    fn has_side_effects(&self) -> bool {
        true
    }

    fn notify(&mut self, n: &Notification) -> Result<Option<String>, NotifyError> {
        let stem = file_stem(&n.signature.id);
        if stem.is_empty() {
            return Err(NotifyError::Rejected {
                channel: CHANNEL.into(),
                reason: "signature id has no characters usable in a file name".into(),
            });
        }
        self.ensure_dir()?;
        let path = self.dir.join(format!("{stem}.md"));
        write_atomic(&path, &Self::page(n, self.trace_url_template.as_deref()))?;
        let s = &n.signature;
        let line = IndexLine {
            title: title(s),
            status: s.status.as_str().to_string(),
            services: s
                .services
                .iter()
                .map(|x| crate::core::redact::redact(x))
                .collect(),
            count: s.count,
            last_seen: s.last_seen,
            last_notification: n.kind.as_str().to_string(),
        };
        self.index()?.insert(stem, line);
        Ok(Some(path.display().to_string()))
    }

    fn finish(&mut self) -> Result<(), NotifyError> {
        // Nothing announced this pass: leave the directory (and its index) as it was.
        let Some(index) = &self.index else {
            return Ok(());
        };
        let state = serde_json::to_string_pretty(index).map_err(|e| NotifyError::Rejected {
            channel: CHANNEL.into(),
            reason: format!("cannot encode the index state: {e}"),
        })?;
        write_atomic(&self.dir.join(STATE_FILE), &state)?;
        write_atomic(&self.dir.join("index.md"), &Self::render_index(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_id_only() {
        assert_eq!(file_stem("../../etc/passwd"), "etcpasswd");
        assert_eq!(file_stem("0af7651916cd43dd"), "0af7651916cd43dd");
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        write_atomic(&p, "one").unwrap();
        write_atomic(&p, "two").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
