//! `git` as a bounded subprocess: no shell, a deadline, capped stdout and stderr, no prompts.
//!
//! Why a subprocess and not gix: git's own blame is the reference for `.git-blame-ignore-revs`,
//! rename following and shallow boundaries, and matches what the user sees running `git blame`;
//! the adapter already shells out for `ls-files`/`log`/`diff`; and gix would add well over a
//! hundred crates to a build shared by many. The cost is a process per query (a few ms each),
//! paid for at most a handful of frames per signature.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How one bounded git run ended, when it did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitFailure {
    /// `git` is not installed.
    Missing,
    /// Not a git work tree.
    NotARepository,
    /// Killed at the deadline.
    TimedOut(Duration),
    /// Killed when stdout passed the cap.
    TooMuchOutput(usize),
    /// Exited non-zero; the first line of stderr.
    Failed(String),
    /// Could not be started or read.
    Io(String),
}

impl std::fmt::Display for GitFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitFailure::Missing => f.write_str("git is not installed"),
            GitFailure::NotARepository => f.write_str("not a git repository"),
            GitFailure::TimedOut(d) => write!(f, "git took longer than {} ms", d.as_millis()),
            GitFailure::TooMuchOutput(n) => write!(f, "git wrote more than {n} bytes"),
            GitFailure::Failed(e) => f.write_str(e),
            GitFailure::Io(e) => f.write_str(e),
        }
    }
}

/// Bounds of one git run.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub timeout: Duration,
    pub max_stdout: usize,
}

/// Defaults for the suspect queries: 5 s and 1 MiB per call (a one-line blame is under 1 KiB).
pub const SUSPECT_BOUNDS: Bounds = Bounds {
    timeout: Duration::from_secs(5),
    max_stdout: 1 << 20,
};

/// stderr kept for the error line; the rest is drained and dropped.
const MAX_STDERR: usize = 16 * 1024;

/// Read at most `cap + 1` bytes, then keep draining (so the child never blocks on a full pipe)
/// without keeping them. The flag says whether the cap was passed.
fn read_capped(mut r: impl Read, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut over = false;
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                if n > room {
                    over = true;
                }
            }
        }
    }
    (kept, over)
}

/// Kill the child's whole process group, then reap the child.
fn kill_group(child: &mut std::process::Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is shared.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Run `git -C root <args>` within `bounds`; stdout on success.
pub fn run(root: &Path, args: &[&str], bounds: Bounds) -> Result<Vec<u8>, GitFailure> {
    let mut child = match Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("GIT_TERMINAL_PROMPT", "0")
        // Read-only: never take the index lock a concurrent `git commit` needs.
        .env("GIT_OPTIONAL_LOCKS", "0")
        // Messages are matched below; keep them in English.
        .env("LC_ALL", "C")
        // Its own process group, so a kill at the deadline also ends what git started (hooks,
        // aliases, filters) and the pipes close.
        .process_group(0)
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(GitFailure::Missing),
        Err(e) => return Err(GitFailure::Io(e.to_string())),
    };
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(GitFailure::Io("git pipes not available".into()));
    };
    let cap = bounds.max_stdout;
    let out_reader = std::thread::spawn(move || read_capped(out, cap));
    let err_reader = std::thread::spawn(move || read_capped(err, MAX_STDERR));
    let deadline = Instant::now() + bounds.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if Instant::now() >= deadline => {
                kill_group(&mut child);
                break Err(GitFailure::TimedOut(bounds.timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => {
                kill_group(&mut child);
                break Err(GitFailure::Io(e.to_string()));
            }
        }
    };
    // The child is gone (exited or killed), so both pipes reach EOF and the readers return.
    let (stdout, over) = out_reader.join().unwrap_or_default();
    let (stderr, _) = err_reader.join().unwrap_or_default();
    let status = status?;
    if over {
        return Err(GitFailure::TooMuchOutput(cap));
    }
    if status.success() {
        return Ok(stdout);
    }
    let err = String::from_utf8_lossy(&stderr);
    if err.contains("not a git repository") {
        return Err(GitFailure::NotARepository);
    }
    Err(GitFailure::Failed(
        err.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("git failed")
            .trim()
            .to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        let tmp = tempfile::tempdir().expect("tmp");
        assert_eq!(
            run(tmp.path(), &["rev-parse", "HEAD"], SUSPECT_BOUNDS),
            Err(GitFailure::NotARepository)
        );
        let ok = run(tmp.path(), &["--version"], SUSPECT_BOUNDS).expect("git runs");
        assert!(String::from_utf8_lossy(&ok).starts_with("git version"));
        // `git help -a` prints several KiB: a 100-byte cap stops it.
        let tiny = Bounds {
            timeout: Duration::from_secs(5),
            max_stdout: 100,
        };
        assert_eq!(
            run(tmp.path(), &["help", "-a"], tiny),
            Err(GitFailure::TooMuchOutput(100))
        );
        // A slow git (an alias that sleeps, test-only) is killed at the deadline.
        let short = Bounds {
            timeout: Duration::from_millis(200),
            max_stdout: 1 << 20,
        };
        let t = Instant::now();
        assert_eq!(
            run(tmp.path(), &["-c", "alias.slow=!sleep 3", "slow"], short),
            Err(GitFailure::TimedOut(Duration::from_millis(200)))
        );
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    }
}
