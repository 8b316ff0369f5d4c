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
}
