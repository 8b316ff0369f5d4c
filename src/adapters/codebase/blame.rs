//! Suspect-commit queries over the checkout's history: which commit a release names, the newest
//! commit before a time, where a frame's file sits in an older tree, and `git blame` of one line
//! there, honouring `.git-blame-ignore-revs` and shallow-clone boundaries.

use super::git::{self, GitFailure, SUSPECT_BOUNDS};
use super::LocalCodebase;
use crate::core::model::{UnixNanos, NANOS_PER_SEC};
use crate::core::ports::codebase::{BlamedLine, CodebaseError, CommitInfo, History};

/// Longest release string tried as a revision; anything longer is not a tag anybody typed.
const MAX_VERSION_CHARS: usize = 200;

/// A string safe to hand git as a revision: no option lookalike, no whitespace or control
/// characters, no revision-range or reflog syntax that would name something else.
fn plausible_revision(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_VERSION_CHARS
        && !v.starts_with('-')
        && !v.contains("..")
        && !v.contains("@{")
        && !v.contains(':')
        && v.chars()
            .all(|c| c.is_ascii_graphic() && c != '^' && c != '~' && c != '\\')
}

/// Revisions a release string may name, most literal first: itself, `v` + it (tags are
/// usually `v1.2.3` while SDKs report `1.2.3`), and a hex build suffix (`1.2.3+abc1234`).
fn version_candidates(version: &str) -> Vec<String> {
    let v = version.trim();
    if !plausible_revision(v) {
        return Vec::new();
    }
    let mut out = vec![v.to_string()];
    if !v.starts_with('v') {
        out.push(format!("v{v}"));
    }
    if let Some((_, build)) = v.rsplit_once('+') {
        if build.len() >= 7 && build.chars().all(|c| c.is_ascii_hexdigit()) {
            out.push(build.to_string());
        }
    }
    out.retain(|c| plausible_revision(c));
    out.dedup();
    out
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.chars().all(|c| c.is_ascii_hexdigit())
}

impl LocalCodebase {
    fn git_bounded(&self, args: &[&str]) -> Result<Option<String>, CodebaseError> {
        match git::run(&self.root, args, SUSPECT_BOUNDS) {
            Ok(out) => Ok(Some(String::from_utf8_lossy(&out).into_owned())),
            Err(GitFailure::NotARepository | GitFailure::Missing) => Ok(None),
            Err(e) => Err(CodebaseError::Git {
                path: self.root_str.clone(),
                reason: e.to_string(),
            }),
        }
    }

    /// `sha committer-unix-seconds` of one commit-ish, or `None` when it does not exist.
    fn commit_info(&self, rev: &str) -> Result<Option<CommitInfo>, CodebaseError> {
        let spec = format!("{rev}^{{commit}}");
        let out = match git::run(
            &self.root,
            &[
                "log",
                "-1",
                "--no-walk",
                "--format=%H %ct",
                "--end-of-options",
                &spec,
            ],
            SUSPECT_BOUNDS,
        ) {
            Ok(o) => String::from_utf8_lossy(&o).into_owned(),
            // An unknown revision is an answer ("not in this checkout"), not a failure.
            Err(GitFailure::Failed(_) | GitFailure::NotARepository | GitFailure::Missing) => {
                return Ok(None)
            }
            Err(e) => {
                return Err(CodebaseError::Git {
                    path: self.root_str.clone(),
                    reason: e.to_string(),
                })
            }
        };
        Ok(parse_commit_line(out.trim()))
    }

    /// The shallow-clone boundary commits (`.git/shallow`), empty for a full clone.
    fn shallow_commits(&self) -> Vec<String> {
        let Ok(Some(path)) = self.git_bounded(&["rev-parse", "--git-path", "shallow"]) else {
            return Vec::new();
        };
        let path = std::path::Path::new(path.trim());
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        std::fs::read_to_string(full)
            .map(|s| s.lines().map(|l| l.trim().to_string()).collect())
            .unwrap_or_default()
    }
}

fn parse_commit_line(line: &str) -> Option<CommitInfo> {
    let (sha, secs) = line.split_once(' ')?;
    if !is_sha(sha) {
        return None;
    }
    let secs: i64 = secs.trim().parse().ok()?;
    Some(CommitInfo {
        sha: sha.to_string(),
        committed_at: secs.saturating_mul(NANOS_PER_SEC),
    })
}

/// Every path suffix of a frame's file, longest first (`/srv/app/src/x.py` → `srv/app/src/x.py`,
/// `app/src/x.py`, `src/x.py`, `x.py`).
fn suffixes(frame_file: &str) -> Vec<String> {
    let f = frame_file.trim().trim_start_matches("file://");
    let parts: Vec<&str> = f
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    (0..parts.len()).map(|i| parts[i..].join("/")).collect()
}

/// The porcelain output of a one-line `git blame`.
fn parse_porcelain(out: &str, shallow: &[String]) -> Option<BlamedLine> {
    let mut lines = out.lines();
    let head = lines.next()?;
    let mut h = head.split(' ');
    let sha = h.next()?.to_string();
    if !is_sha(&sha) {
        return None;
    }
    let original_line: u32 = h.next()?.parse().ok()?;
    let mut b = BlamedLine {
        history_truncated: shallow.iter().any(|s| s == &sha),
        sha,
        author: String::new(),
        authored_at: 0,
        committed_at: 0,
        subject: String::new(),
        original_path: String::new(),
        original_line,
    };
    for l in lines {
        if l.starts_with('\t') {
            break;
        }
        let (k, v) = l.split_once(' ').unwrap_or((l, ""));
        match k {
            "author" => b.author = v.to_string(),
            "author-time" => {
                b.authored_at = v.parse::<i64>().unwrap_or(0).saturating_mul(NANOS_PER_SEC)
            }
            "committer-time" => {
                b.committed_at = v.parse::<i64>().unwrap_or(0).saturating_mul(NANOS_PER_SEC)
            }
            "summary" => b.subject = v.to_string(),
            "filename" => b.original_path = v.to_string(),
            _ => {}
        }
    }
    Some(b)
}

impl History for LocalCodebase {
    fn commit_for_version(&self, version: &str) -> Result<Option<CommitInfo>, CodebaseError> {
        for c in version_candidates(version) {
            if let Some(info) = self.commit_info(&c)? {
                return Ok(Some(info));
            }
        }
        Ok(None)
    }

    fn last_commit_before(&self, at: UnixNanos) -> Result<Option<CommitInfo>, CodebaseError> {
        let before = format!("--before=@{}", at.div_euclid(NANOS_PER_SEC));
        match git::run(
            &self.root,
            &["log", "-1", "--format=%H %ct", &before, "HEAD"],
            SUSPECT_BOUNDS,
        ) {
            Ok(out) => Ok(parse_commit_line(String::from_utf8_lossy(&out).trim())),
            // No commit yet (an empty repository), or no repository: nothing was running.
            Err(GitFailure::Failed(_) | GitFailure::NotARepository | GitFailure::Missing) => {
                Ok(None)
            }
            Err(e) => Err(CodebaseError::Git {
                path: self.root_str.clone(),
                reason: e.to_string(),
            }),
        }
    }

    fn resolve_at(
        &self,
        frame_file: &str,
        revision: &str,
    ) -> Result<Option<String>, CodebaseError> {
        if !is_sha(revision) {
            return Ok(None);
        }
        let mut candidates = suffixes(frame_file);
        // A bare name (Java, .NET): the checkout's file index says where it lives, when unique.
        if candidates.len() == 1 {
            let name = candidates[0].clone();
            let mut hits = self
                .listing()
                .iter()
                .filter(|p| p.rsplit('/').next() == Some(name.as_str()));
            if let (Some(hit), None) = (hits.next(), hits.next()) {
                candidates.insert(0, hit.clone());
            }
        }
        if candidates.is_empty() {
            return Ok(None);
        }
        // One ls-tree for every candidate: it prints those that exist in the revision's tree.
        let mut args = vec![
            "ls-tree",
            "-z",
            "--name-only",
            "--full-tree",
            revision,
            "--",
        ];
        args.extend(candidates.iter().map(String::as_str));
        let Some(out) = self.git_bounded(&args)? else {
            return Ok(None);
        };
        let present: Vec<&str> = out.split('\0').filter(|s| !s.is_empty()).collect();
        Ok(candidates
            .into_iter()
            .find(|c| present.contains(&c.as_str())))
    }

    fn blame_line(
        &self,
        revision: &str,
        path: &str,
        line: u32,
    ) -> Result<Option<BlamedLine>, CodebaseError> {
        if !is_sha(revision) || line == 0 || path.starts_with('-') {
            return Ok(None);
        }
        let range = format!("{line},{line}");
        let ignore = self.root.join(".git-blame-ignore-revs");
        let ignore_arg = ignore.display().to_string();
        let mut args = vec!["blame", "--porcelain", "-L", &range];
        if ignore.is_file() {
            args.extend(["--ignore-revs-file", ignore_arg.as_str()]);
        }
        args.extend([revision, "--", path]);
        let out = match git::run(&self.root, &args, SUSPECT_BOUNDS) {
            Ok(o) => String::from_utf8_lossy(&o).into_owned(),
            // The line is past the end of the file at that revision: a frame from another
            // build, not an error of the checkout.
            Err(GitFailure::Failed(e)) if e.contains("has only") || e.contains("no such path") => {
                return Ok(None)
            }
            Err(GitFailure::NotARepository | GitFailure::Missing) => return Ok(None),
            Err(e) => {
                return Err(CodebaseError::Git {
                    path: self.root_str.clone(),
                    reason: e.to_string(),
                })
            }
        };
        Ok(parse_porcelain(&out, &self.shallow_commits()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_become_safe_revisions() {
        assert_eq!(version_candidates("1.2.3"), vec!["1.2.3", "v1.2.3"]);
        assert_eq!(version_candidates("v2"), vec!["v2"]);
        assert_eq!(
            version_candidates("1.0+abc1234"),
            vec!["1.0+abc1234", "v1.0+abc1234", "abc1234"]
        );
        assert!(version_candidates("--output=/tmp/x").is_empty());
        assert!(version_candidates("HEAD~3").is_empty());
        assert!(version_candidates("main@{yesterday}").is_empty());
        assert!(version_candidates("a b").is_empty());
        assert_eq!(
            suffixes("/srv/app/src/x.py"),
            vec!["srv/app/src/x.py", "app/src/x.py", "src/x.py", "x.py"]
        );
    }
}
