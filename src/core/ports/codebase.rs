//! The codebase port: read-only access to the user's source tree and its git history, for
//! diagnosis context (source excerpts, recent commits) and staleness (files changed since).

/// Lines of one file around a line of interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// Path relative to the codebase root.
    pub path: String,
    /// 1-based number of the first line in `lines`.
    pub start_line: u32,
    /// The line the excerpt is centred on.
    pub focus_line: u32,
    pub lines: Vec<String>,
}

/// One commit touching a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    /// Committer date, RFC 3339.
    pub date: String,
    pub author: String,
    pub subject: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CodebaseError {
    #[error("codebase {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("codebase {path}: git failed: {reason}")]
    Git { path: String, reason: String },
}

pub trait Codebase {
    /// The root directory, as configured.
    fn root(&self) -> &str;
    /// `git rev-parse HEAD`, or `None` when the root is not a git work tree.
    fn revision(&self) -> Result<Option<String>, CodebaseError>;
    /// Map a path as it appears in a stack frame (absolute, container-relative or bare file name)
    /// to an existing file inside the root, relative to it. `None` when nothing matches.
    fn resolve(&self, frame_file: &str) -> Option<String>;
    /// Whether a root-relative path names an existing file inside the root.
    fn exists(&self, path: &str) -> bool;
    /// Up to `radius` lines either side of `line` in a root-relative path; `None` for secret
    /// files (`.env*`, keys) and files that cannot be read as text.
    fn excerpt(&self, path: &str, line: u32, radius: u32)
        -> Result<Option<Excerpt>, CodebaseError>;
    /// The latest commits touching any of `paths`, newest first.
    fn recent_commits(&self, paths: &[String], limit: usize) -> Result<Vec<Commit>, CodebaseError>;
    /// Root-relative paths of the checkout's files for the in-app file index: at most
    /// `max_files`, listing stops after `budget`. The flag says whether the list is complete.
    fn files(&self, max_files: usize, budget: std::time::Duration) -> (Vec<String>, bool) {
        let _ = (max_files, budget);
        (Vec::new(), false)
    }
    /// Which of `paths` changed between `revision` and the work tree.
    fn changed_since(&self, revision: &str, paths: &[String])
        -> Result<Vec<String>, CodebaseError>;
    /// Its git history for suspect commits; `None` (the default) when it has none to offer.
    fn history(&self) -> Option<&dyn History> {
        None
    }
}

/// A commit as the suspect finder needs it: identity, when it was committed, what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex object name.
    pub sha: String,
    /// Committer time, nanoseconds since the epoch (what "newer than first seen" compares).
    pub committed_at: crate::core::model::UnixNanos,
}

/// Who last changed one line, as `git blame` tells it at a given revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlamedLine {
    pub sha: String,
    pub author: String,
    /// Author time, nanoseconds since the epoch (the date shown to people).
    pub authored_at: crate::core::model::UnixNanos,
    /// Committer time, nanoseconds since the epoch (the date compared with first seen).
    pub committed_at: crate::core::model::UnixNanos,
    pub subject: String,
    /// The path and line in that commit (after following renames).
    pub original_path: String,
    pub original_line: u32,
    /// The commit is where a shallow clone's history stops: the line is older than it and its
    /// real author is unknown, so it names nobody.
    pub history_truncated: bool,
}

/// Git history queries for suspect commits; every method has a "knows nothing" default so a
/// plain directory (or a test fake) needs none of them.
pub trait History {
    /// The commit a release string names (a sha, a tag, `v`+tag, or the hex part after `+`),
    /// when it exists in the checkout.
    fn commit_for_version(&self, version: &str) -> Result<Option<CommitInfo>, CodebaseError> {
        let _ = version;
        Ok(None)
    }
    /// The newest commit on HEAD's history committed at or before `at`.
    fn last_commit_before(
        &self,
        at: crate::core::model::UnixNanos,
    ) -> Result<Option<CommitInfo>, CodebaseError> {
        let _ = at;
        Ok(None)
    }
    /// Map a frame's file onto a path that exists in `revision`'s tree (longest path suffix;
    /// a bare file name only when unique in the checkout's file index).
    fn resolve_at(
        &self,
        frame_file: &str,
        revision: &str,
    ) -> Result<Option<String>, CodebaseError> {
        let _ = (frame_file, revision);
        Ok(None)
    }
    /// Blame one line of `path` at `revision`, honouring `.git-blame-ignore-revs`.
    fn blame_line(
        &self,
        revision: &str,
        path: &str,
        line: u32,
    ) -> Result<Option<BlamedLine>, CodebaseError> {
        let _ = (revision, path, line);
        Ok(None)
    }
}
