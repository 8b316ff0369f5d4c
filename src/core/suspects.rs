//! Suspect commits: who last changed the lines a signature's in-app frames point at, at the
//! revision that was running when it first happened, never a commit newer than that.
//!
//! The revision is the first release (`service.version`) that names a commit or tag in the
//! checkout; failing that, the newest commit on HEAD committed before first seen. Blame runs
//! there (so later edits of the line cannot be blamed) and `.git-blame-ignore-revs` is honoured
//! by the adapter. Suspects are ranked by their innermost in-app frame; a commit blamed for
//! several frames is one suspect listing them all. Bounds: [`MAX_FRAMES`] frames blamed,
//! [`MAX_SUSPECTS`] suspects kept, one git call per step with the adapter's timeout.

use crate::core::model::{Signature, UnixNanos};
use crate::core::ports::codebase::{CommitInfo, History};

/// In-app frames blamed per signature (innermost first).
pub const MAX_FRAMES: usize = 5;
/// Suspects kept per signature.
pub const MAX_SUSPECTS: usize = 5;
/// Notes kept per signature (why a frame named no suspect).
pub const MAX_NOTES: usize = 8;

/// How the running revision was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionBasis {
    /// The release string an event carried names this commit or tag.
    Release(String),
    /// No release names a commit here: the newest commit before first seen.
    BeforeFirstSeen,
}

/// One frame a suspect is blamed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspectFrame {
    pub function: String,
    /// Path in the running revision's tree.
    pub path: String,
    pub line: u32,
}

/// One suspect commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// 1 = blamed for the innermost in-app frame.
    pub rank: u32,
    pub sha: String,
    pub author: String,
    /// Author date.
    pub authored_at: UnixNanos,
    pub subject: String,
    pub frames: Vec<SuspectFrame>,
}

impl Suspect {
    pub fn short_sha(&self) -> &str {
        self.sha.get(..12).unwrap_or(&self.sha)
    }
}

/// Suspects of one signature, with how they were found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Suspects {
    /// The revision blamed at; `None` when nothing was running that the checkout knows.
    pub revision: Option<String>,
    pub basis: Option<RevisionBasis>,
    pub suspects: Vec<Suspect>,
    /// Why frames named nobody (path not in the checkout, history truncated, ...), bounded.
    pub notes: Vec<String>,
}

impl Suspects {
    fn note(&mut self, n: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(n);
        }
    }
}

/// The revision that was running: the first of `releases` (oldest first) naming a commit no
/// newer than `first_seen`, else the newest commit before `first_seen`.
fn running_revision(
    history: &dyn History,
    releases: &[String],
    first_seen: UnixNanos,
    out: &mut Suspects,
) -> Option<(CommitInfo, RevisionBasis)> {
    for r in releases {
        match history.commit_for_version(r) {
            Ok(Some(c)) if c.committed_at <= first_seen => {
                return Some((c, RevisionBasis::Release(r.clone())))
            }
            Ok(Some(c)) => out.note(format!(
                "release {r} names {}, committed after first seen: not used",
                short(&c.sha)
            )),
            Ok(None) => {}
            Err(e) => out.note(format!("release {r} not looked up: {e}")),
        }
    }
    match history.last_commit_before(first_seen) {
        Ok(Some(c)) => Some((c, RevisionBasis::BeforeFirstSeen)),
        Ok(None) => {
            out.note("no commit in the checkout is older than first seen".into());
            None
        }
        Err(e) => {
            out.note(format!("history not read: {e}"));
            None
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The releases `find` tries, from samples as the store returns them (newest first): oldest
/// first, consecutive repeats dropped.
pub fn releases_of(samples: &[crate::core::model::EventSample]) -> Vec<String> {
    let mut releases: Vec<String> = samples
        .iter()
        .rev()
        .filter_map(|e| e.service_version.clone())
        .collect();
    releases.dedup();
    releases
}

/// Subject characters kept where suspects leave the machine (prompt, issue, report).
pub const MAX_SUBJECT_CHARS: usize = 120;

/// `s` cut to `max` characters, with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    s.chars().take(max).collect::<String>() + "…"
}

/// Find the suspects of `sig`. `releases` are the `service.version` strings its events carried,
/// oldest first. Never fails: what could not be found is in `notes`.
pub fn find(sig: &Signature, releases: &[String], history: &dyn History) -> Suspects {
    let mut out = Suspects::default();
    let frames: Vec<_> = sig
        .key_frames
        .iter()
        .filter(|f| f.in_app && f.file.is_some() && f.line.is_some())
        .take(MAX_FRAMES)
        .collect();
    if frames.is_empty() {
        out.note("no in-app frame with a file and line".into());
        return out;
    }
    let Some((rev, basis)) = running_revision(history, releases, sig.first_seen, &mut out) else {
        return out;
    };
    out.revision = Some(rev.sha.clone());
    out.basis = Some(basis);
    for f in frames {
        let (Some(file), Some(line)) = (f.file.as_deref(), f.line) else {
            continue;
        };
        let path = match history.resolve_at(file, &rev.sha) {
            Ok(Some(p)) => p,
            Ok(None) => {
                out.note(format!(
                    "{file}: not in the checkout at {}",
                    short(&rev.sha)
                ));
                continue;
            }
            Err(e) => {
                out.note(format!("{file}: {e}"));
                continue;
            }
        };
        let blamed = match history.blame_line(&rev.sha, &path, line) {
            Ok(Some(b)) => b,
            Ok(None) => {
                out.note(format!(
                    "{path}:{line}: no such line at {}",
                    short(&rev.sha)
                ));
                continue;
            }
            Err(e) => {
                out.note(format!("{path}:{line}: {e}"));
                continue;
            }
        };
        if blamed.history_truncated {
            out.note(format!(
                "{path}:{line}: older than the shallow clone's history (fetch more to blame it)"
            ));
            continue;
        }
        // Blame at a revision older than first seen cannot name a newer commit, unless clocks
        // or rewritten history lie: the rule holds whatever git says.
        if blamed.committed_at > sig.first_seen {
            out.note(format!(
                "{path}:{line}: blamed {} is newer than first seen: not a suspect",
                short(&blamed.sha)
            ));
            continue;
        }
        let frame = SuspectFrame {
            function: f.qualified(),
            path,
            line,
        };
        if let Some(s) = out.suspects.iter_mut().find(|s| s.sha == blamed.sha) {
            s.frames.push(frame);
        } else if out.suspects.len() < MAX_SUSPECTS {
            out.suspects.push(Suspect {
                rank: out.suspects.len() as u32 + 1,
                sha: blamed.sha,
                author: blamed.author,
                authored_at: blamed.authored_at,
                subject: blamed.subject,
                frames: vec![frame],
            });
        }
    }
    out
}
