//! The codebase port over a local directory and the `git` program: source excerpts, the HEAD
//! revision, recent commits and files changed since a revision. Read-only, confined to the root.

mod blame;
pub mod git;

use crate::core::ports::codebase::{Codebase, CodebaseError, Commit, Excerpt};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// Bounds of the checkout's own git queries (`ls-files`, recent `log`, `diff`): 30 s and 64 MiB of
/// output each, room for about a million tracked paths (docs/limits.md).
const CHECKOUT_BOUNDS: git::Bounds = git::Bounds {
    timeout: std::time::Duration::from_secs(30),
    max_stdout: 64 << 20,
};

/// Files never excerpted: they hold secrets more often than code.
fn is_secret_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with(".env")
        || name.ends_with(".pem")
        || name.ends_with(".key")
        || name.ends_with(".p12")
        || name.ends_with(".pfx")
        || name.starts_with("id_rsa")
        || name.starts_with("id_ed25519")
        || name.starts_with("id_ecdsa")
        || name == ".netrc"
        || name == ".npmrc"
        || name == ".pypirc"
        || name == "credentials"
}

/// A codebase on the local filesystem, optionally a git work tree.
pub struct LocalCodebase {
    root: PathBuf,
    root_str: String,
    /// Every file under the root (git ls-files when a work tree), for bare-name resolution.
    listing: OnceLock<Vec<String>>,
}

impl LocalCodebase {
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, CodebaseError> {
        let root: PathBuf = root.into();
        let canonical = root.canonicalize().map_err(|e| CodebaseError::Unreadable {
            path: root.display().to_string(),
            reason: e.to_string(),
        })?;
        if !canonical.is_dir() {
            return Err(CodebaseError::Unreadable {
                path: root.display().to_string(),
                reason: "not a directory".into(),
            });
        }
        let root_str = canonical.display().to_string();
        Ok(LocalCodebase {
            root: canonical,
            root_str,
            listing: OnceLock::new(),
        })
    }

    /// `git` bounded like the suspect queries (no shell, own process group killed at the deadline,
    /// capped output): `None` when there is no history to ask (not a repository, no git).
    fn git(&self, args: &[&str]) -> Result<Option<String>, CodebaseError> {
        match git::run(&self.root, args, CHECKOUT_BOUNDS) {
            Ok(out) => Ok(Some(String::from_utf8_lossy(&out).into_owned())),
            Err(git::GitFailure::Missing | git::GitFailure::NotARepository) => Ok(None),
            Err(e) => Err(CodebaseError::Git {
                path: self.root_str.clone(),
                reason: e.to_string(),
            }),
        }
    }

    /// A root-relative path with no `..` and no absolute part, or `None`.
    fn inside(&self, rel: &str) -> Option<PathBuf> {
        let p = Path::new(rel);
        if p.components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return None;
        }
        let full = self.root.join(p);
        // Symlinks may point out of the root: the canonical path must stay inside.
        let canonical = full.canonicalize().ok()?;
        canonical.starts_with(&self.root).then_some(canonical)
    }

    fn listing(&self) -> &[String] {
        self.listing
            .get_or_init(|| match self.git(&["ls-files", "-z"]) {
                Ok(Some(out)) => out
                    .split('\0')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                _ => walk(&self.root, 20_000),
            })
    }
}

/// Files under `root`, relative, skipping hidden and vendored directories; at most `limit`.
fn walk(root: &Path, limit: usize) -> Vec<String> {
    walk_until(root, limit, None).0
}

/// [`walk`] that also stops at `deadline`; true when every file was listed.
fn walk_until(
    root: &Path,
    limit: usize,
    deadline: Option<std::time::Instant>,
) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return (out, false);
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.')
                || name == "node_modules"
                || name == "target"
                || name == "vendor"
            {
                continue;
            }
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                if let Ok(rel) = e.path().strip_prefix(root) {
                    out.push(rel.to_string_lossy().into_owned());
                }
                if out.len() >= limit {
                    return (out, false);
                }
            }
        }
    }
    (out, true)
}

impl Codebase for LocalCodebase {
    fn root(&self) -> &str {
        &self.root_str
    }

    fn history(&self) -> Option<&dyn crate::core::ports::codebase::History> {
        Some(self)
    }

    fn files(&self, max_files: usize, budget: std::time::Duration) -> (Vec<String>, bool) {
        let deadline = std::time::Instant::now() + budget;
        match self.git(&["ls-files", "-z"]) {
            Ok(Some(out)) => {
                let mut files: Vec<String> = out
                    .split('\0')
                    .filter(|s| !s.is_empty())
                    .take(max_files.saturating_add(1))
                    .map(str::to_string)
                    .collect();
                let complete = files.len() <= max_files;
                files.truncate(max_files);
                (files, complete)
            }
            _ => walk_until(&self.root, max_files, Some(deadline)),
        }
    }

    fn revision(&self) -> Result<Option<String>, CodebaseError> {
        Ok(self
            .git(&["rev-parse", "HEAD"])?
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()))
    }

    fn resolve(&self, frame_file: &str) -> Option<String> {
        let f = frame_file.trim().trim_start_matches("file://");
        if f.is_empty() {
            return None;
        }
        // Absolute path inside the root.
        if let Some(rel) = f.strip_prefix(&self.root_str) {
            let rel = rel.trim_start_matches('/');
            if self.exists(rel) {
                return Some(rel.to_string());
            }
        }
        // A path from another machine or container (/srv/app/src/x.py, /usr/src/app/...): try
        // ever shorter suffixes until one exists here.
        let parts: Vec<&str> = f
            .split(['/', '\\'])
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        for i in 0..parts.len() {
            let candidate = parts[i..].join("/");
            if self.exists(&candidate) {
                return Some(candidate);
            }
        }
        // A bare file name (Java, .NET): accept only a unique match in the tree.
        if parts.len() == 1 {
            let name = parts[0];
            let mut hits = self
                .listing()
                .iter()
                .filter(|p| p.rsplit('/').next() == Some(name));
            if let (Some(hit), None) = (hits.next(), hits.next()) {
                return Some(hit.clone());
            }
        }
        None
    }

    fn exists(&self, path: &str) -> bool {
        self.inside(path).is_some_and(|p| p.is_file())
    }

    fn excerpt(
        &self,
        path: &str,
        line: u32,
        radius: u32,
    ) -> Result<Option<Excerpt>, CodebaseError> {
        if is_secret_file(path) || line == 0 {
            return Ok(None);
        }
        let Some(full) = self.inside(path) else {
            return Ok(None);
        };
        let bytes = std::fs::read(&full).map_err(|e| CodebaseError::Unreadable {
            path: full.display().to_string(),
            reason: e.to_string(),
        })?;
        if bytes.len() > 4_000_000 || bytes.contains(&0) {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        if line as usize > lines.len() {
            return Ok(None);
        }
        let start = line.saturating_sub(radius).max(1);
        let end = line.saturating_add(radius).min(lines.len() as u32);
        Ok(Some(Excerpt {
            path: path.to_string(),
            start_line: start,
            focus_line: line,
            lines: lines[(start - 1) as usize..end as usize]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }))
    }

    fn recent_commits(&self, paths: &[String], limit: usize) -> Result<Vec<Commit>, CodebaseError> {
        if paths.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let n = format!("-n{limit}");
        let mut args = vec!["log", n.as_str(), "--format=%H%x1f%cI%x1f%an%x1f%s", "--"];
        args.extend(paths.iter().map(String::as_str));
        let Some(out) = self.git(&args)? else {
            return Ok(Vec::new());
        };
        Ok(out
            .lines()
            .filter_map(|l| {
                let mut f = l.split('\x1f');
                Some(Commit {
                    hash: f.next()?.to_string(),
                    date: f.next()?.to_string(),
                    author: f.next()?.to_string(),
                    subject: f.next().unwrap_or("").to_string(),
                })
            })
            .collect())
    }

    fn changed_since(
        &self,
        revision: &str,
        paths: &[String],
    ) -> Result<Vec<String>, CodebaseError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        // A revision is hex from `rev-parse`; anything else could be read as an option.
        if revision.is_empty() || !revision.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(CodebaseError::Git {
                path: self.root_str.clone(),
                reason: format!("bad revision '{revision}'"),
            });
        }
        let mut args = vec!["diff", "--name-only", revision, "--"];
        args.extend(paths.iter().map(String::as_str));
        let Some(out) = self.git(&args)? else {
            return Ok(Vec::new());
        };
        let mut changed: Vec<String> = out
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect();
        // A cited file deleted since is changed too; git diff lists it, but a file that was never
        // tracked is not: report it if it no longer exists.
        for p in paths {
            if !self.exists(p) && !changed.contains(p) {
                changed.push(p.clone());
            }
        }
        changed.sort();
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .expect("git runs")
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn resolves_excerpts_and_tracks_history() {
        let tmp = tempfile::tempdir().expect("tmp");
        let d = tmp.path();
        std::fs::create_dir_all(d.join("src/orders")).expect("mkdir");
        let body: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        std::fs::write(d.join("src/orders/service.py"), &body).expect("write");
        std::fs::write(d.join("src/Orders.java"), "class Orders {}\n").expect("write");
        std::fs::write(d.join(".env"), "SECRET=1\n").expect("write");
        git(d, &["init", "-q"]);
        git(d, &["add", "."]);
        git(d, &["commit", "-qm", "first"]);
        let cb = LocalCodebase::new(d).expect("codebase");
        let rev = cb.revision().expect("git").expect("a work tree");
        assert_eq!(rev.len(), 40);

        assert_eq!(
            cb.resolve("/srv/app/src/orders/service.py").as_deref(),
            Some("src/orders/service.py")
        );
        assert_eq!(
            cb.resolve(&format!("{}/src/orders/service.py", cb.root()))
                .as_deref(),
            Some("src/orders/service.py")
        );
        assert_eq!(
            cb.resolve("Orders.java").as_deref(),
            Some("src/Orders.java")
        );
        assert_eq!(cb.resolve("/usr/lib/python3/json/decoder.py"), None);

        let ex = cb
            .excerpt("src/orders/service.py", 10, 3)
            .expect("read")
            .expect("excerpt");
        assert_eq!((ex.start_line, ex.lines.len()), (7, 7));
        assert_eq!(ex.lines[3], "line 10");
        assert!(
            cb.excerpt(".env", 1, 3).expect("read").is_none(),
            "secret files are never excerpted"
        );
        assert!(cb.excerpt("../etc/passwd", 1, 3).expect("read").is_none());
        assert!(!cb.exists("../../etc/passwd"));

        let commits = cb
            .recent_commits(&["src/orders/service.py".into()], 5)
            .expect("log");
        assert_eq!(commits.len(), 1);
        assert_eq!(commits[0].subject, "first");
        assert!(cb
            .changed_since(&rev, &["src/orders/service.py".into()])
            .expect("diff")
            .is_empty());

        std::fs::write(d.join("src/orders/service.py"), "changed\n").expect("write");
        git(d, &["commit", "-qam", "second"]);
        let changed = cb
            .changed_since(
                &rev,
                &["src/orders/service.py".into(), "src/Orders.java".into()],
            )
            .expect("diff");
        assert_eq!(changed, vec!["src/orders/service.py".to_string()]);
        assert!(cb.changed_since("--output=/tmp/x", &["a".into()]).is_err());
    }

    #[test]
    fn a_plain_directory_has_no_revision() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join("a.rs"), "fn main() {}\n").expect("write");
        let cb = LocalCodebase::new(tmp.path()).expect("codebase");
        assert_eq!(cb.revision().expect("ok"), None);
        assert!(cb.exists("a.rs"));
        assert_eq!(cb.resolve("a.rs").as_deref(), Some("a.rs"));
    }
}
