//! Per-file read checkpoints, as log shippers keep them (Vector's file source, Filebeat's
//! registry): a file is known by its device and inode plus a fingerprint of its first bytes, so
//! a pass reads only the complete lines appended since the last one, follows a file renamed by
//! rotation, and starts over when a file is truncated or replaced.
//!
//! The table is saved in the store with the events it covers (one transaction), so a crash
//! neither skips nor re-counts. It holds one entry per input file of the last pass: bounded by
//! the files the input names, never by history.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bytes of a file's start that identify it (Vector's default fingerprint is 256 bytes of the
/// first lines; OTLP lines share a long common prefix, so more are hashed here).
pub const HEAD_BYTES: usize = 1024;

/// Format version of the saved table; an unknown version is ignored (files are re-read whole,
/// and the ledger keeps counts exact).
const VERSION: u32 = 1;

/// Where one file was left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub dev: u64,
    pub ino: u64,
    /// SHA-256 (hex, first 16 bytes) of the file's first `head_len` bytes.
    pub head: String,
    pub head_len: u64,
    /// Bytes read: the end of the last complete line (for gzip: the compressed size, read whole).
    pub offset: u64,
    /// Lines read, so line numbers stay right when reading resumes.
    pub lines: u64,
    /// Last path the file was seen under (for messages; identity is dev + inode + head).
    pub path: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Saved {
    version: u32,
    files: Vec<Checkpoint>,
}

/// The identity of a file as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    /// The file's first min(size, HEAD_BYTES) bytes.
    pub head: Vec<u8>,
}

/// Where to start reading a file, and why when it is not where the last pass stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub offset: u64,
    pub lines: u64,
    pub note: Option<String>,
}

pub fn digest(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    crate::core::fingerprint::hex(&d[..16])
}

#[derive(Debug, Default)]
pub struct Checkpoints {
    previous: Vec<Checkpoint>,
    next: Vec<Checkpoint>,
}

impl Checkpoints {
    /// Load the table saved by the last pass; unreadable or unknown tables start empty.
    pub fn load(saved: Option<&str>) -> Checkpoints {
        let previous = saved
            .and_then(|s| serde_json::from_str::<Saved>(s).ok())
            .filter(|s| s.version == VERSION)
            .map(|s| s.files)
            .unwrap_or_default();
        Checkpoints {
            previous,
            next: Vec::new(),
        }
    }

    /// Where `file` (at `path`) should be read from.
    pub fn resume(&self, path: &str, file: &FileId) -> Resume {
        let fresh = |note: Option<String>| Resume {
            offset: 0,
            lines: 0,
            note,
        };
        let same_head = |c: &Checkpoint| {
            usize::try_from(c.head_len).is_ok_and(|n| n <= file.head.len())
                && digest(&file.head[..c.head_len as usize]) == c.head
        };
        let by_inode = self
            .previous
            .iter()
            .find(|c| c.dev == file.dev && c.ino == file.ino && (file.dev, file.ino) != (0, 0));
        // A copy made by rotation (copytruncate) has a new inode but the same first bytes.
        let found = by_inode.or_else(|| {
            self.previous
                .iter()
                .find(|c| c.head_len == HEAD_BYTES as u64 && same_head(c))
        });
        let Some(c) = found else {
            return fresh(None);
        };
        if file.size < c.offset {
            return fresh(Some(format!(
                "{path}: shorter than where the last pass stopped ({} < {} bytes): truncated, reading it from the start",
                file.size, c.offset
            )));
        }
        if !same_head(c) {
            return fresh(Some(format!(
                "{path}: its first bytes changed since the last pass: a new file, reading it from the start"
            )));
        }
        let note = (c.path != path).then(|| format!("{path}: continues {} (rotated)", c.path));
        Resume {
            offset: c.offset,
            lines: c.lines,
            note,
        }
    }

    /// Record where `file` was left by this pass.
    pub fn keep(&mut self, path: &str, file: &FileId, offset: u64, lines: u64) {
        self.next
            .retain(|c| !(c.dev == file.dev && c.ino == file.ino));
        self.next.push(Checkpoint {
            dev: file.dev,
            ino: file.ino,
            head: digest(&file.head),
            head_len: file.head.len() as u64,
            offset,
            lines,
            path: path.to_string(),
        });
    }

    /// Entries of the last pass whose file was not among this pass's inputs (renamed away).
    pub fn missing(&self) -> Vec<Checkpoint> {
        self.previous
            .iter()
            .filter(|c| !self.next.iter().any(|n| n.dev == c.dev && n.ino == c.ino))
            .cloned()
            .collect()
    }

    /// The table to save: this pass's files only.
    pub fn save(&self) -> String {
        let saved = Saved {
            version: VERSION,
            files: self.next.clone(),
        };
        serde_json::to_string(&saved).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ino: u64, size: u64, head: &[u8]) -> FileId {
        FileId {
            dev: 1,
            ino,
            size,
            head: head.to_vec(),
        }
    }

    #[test]
    fn resumes_grows_truncates_and_follows_a_rename() {
        let mut cp = Checkpoints::default();
        cp.keep("a.jsonl", &id(7, 100, b"{\"x\":1}\n"), 100, 3);
        let saved = cp.save();
        let cp = Checkpoints::load(Some(&saved));
        let grown = id(7, 150, b"{\"x\":1}\n{\"y\":2}");
        assert_eq!(cp.resume("a.jsonl", &grown).offset, 100);
        assert_eq!(cp.resume("a.jsonl", &grown).lines, 3);
        let renamed = cp.resume("a-2026.jsonl", &grown);
        assert_eq!(renamed.offset, 100);
        assert!(renamed.note.unwrap().contains("rotated"));
        let truncated = cp.resume("a.jsonl", &id(7, 10, b"{\"x\":1}\n"));
        assert_eq!(truncated.offset, 0);
        assert!(truncated.note.unwrap().contains("truncated"));
        let replaced = cp.resume("a.jsonl", &id(7, 150, b"{\"z\":9}\n"));
        assert_eq!(replaced.offset, 0);
        assert_eq!(cp.resume("b.jsonl", &id(8, 150, b"{\"x\":1}\n")).offset, 0);
    }

    #[test]
    fn a_full_head_follows_a_copy_with_a_new_inode() {
        let head = vec![b'a'; HEAD_BYTES];
        let mut cp = Checkpoints::default();
        cp.keep("a.jsonl", &id(7, 5000, &head), 4000, 9);
        let cp = Checkpoints::load(Some(&cp.save()));
        assert_eq!(cp.resume("a.1.jsonl", &id(99, 5000, &head)).offset, 4000);
    }

    #[test]
    fn garbage_or_unknown_versions_start_empty() {
        assert!(Checkpoints::load(Some("not json")).previous.is_empty());
        assert!(Checkpoints::load(Some(r#"{"version":99,"files":[]}"#))
            .previous
            .is_empty());
    }
}
