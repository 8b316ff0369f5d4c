//! Runs a CLI child in its own process group with the prompt on stdin, a wall-clock timeout, and
//! an optional per-line watcher on stdout; a timeout or a watcher veto kills the whole group.
//!
//! The group is killed with the system `kill` program (`kill -KILL -- -PGID`) so no libc binding
//! is needed; the direct child is also killed through std as a fallback.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How a child run ended.
#[derive(Debug)]
pub struct ChildOutput {
    pub stdout: String,
    pub stderr: String,
    /// `None` when the child was killed.
    pub status: Option<ExitStatus>,
    pub timed_out: bool,
    /// Set when the watcher asked to stop the child, with its reason.
    pub stopped: Option<String>,
    pub duration: Duration,
}

/// What a line watcher wants.
pub enum Watch {
    Continue,
    Stop(String),
}

/// Spawn `cmd` in a new process group, feed `stdin`, collect output, enforce `timeout`.
pub fn run(
    mut cmd: Command,
    stdin: &[u8],
    timeout: Duration,
    mut watcher: Option<&mut dyn FnMut(&str) -> Watch>,
) -> std::io::Result<ChildOutput> {
    let start = Instant::now();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = spawn_retrying_busy(&mut cmd)?;
    let pgid = child.id();

    let mut input = child.stdin.take();
    let data = stdin.to_vec();
    // Writing in a thread: a child that does not read its stdin must not block us past the timeout.
    let writer = thread::spawn(move || {
        if let Some(mut i) = input.take() {
            let _ = i.write_all(&data);
        }
    });
    let (tx, rx) = mpsc::channel::<String>();
    let out = child.stdout.take();
    let reader = thread::spawn(move || {
        if let Some(out) = out {
            let mut r = BufReader::new(out);
            let mut line = String::new();
            loop {
                line.clear();
                match r.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line.clone()).is_err() {
                            break;
                        }
                    }
                }
            }
        }
    });
    let err = child.stderr.take();
    let err_reader = thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(mut e) = err {
            // Bounded: a chatty child cannot exhaust memory.
            let _ = e.by_ref().take(1 << 20).read_to_end(&mut s);
            let _ = std::io::copy(&mut e, &mut std::io::sink());
        }
        String::from_utf8_lossy(&s).into_owned()
    });

    let deadline = start + timeout;
    let mut stdout = String::new();
    let mut timed_out = false;
    let mut stopped = None;
    loop {
        let now = Instant::now();
        if now >= deadline {
            timed_out = true;
            break;
        }
        match rx.recv_timeout(deadline - now) {
            Ok(line) => {
                if let Some(w) = watcher.as_deref_mut() {
                    if let Watch::Stop(why) = w(line.trim_end()) {
                        stdout.push_str(&line);
                        stopped = Some(why);
                        break;
                    }
                }
                if stdout.len() < 16 << 20 {
                    stdout.push_str(&line);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = if timed_out || stopped.is_some() {
        kill_group(pgid);
        let _ = child.kill();
        let _ = child.wait();
        None
    } else {
        // stdout closed: the child is exiting; wait for it, but never past the deadline.
        loop {
            match child.try_wait()? {
                Some(s) => break Some(s),
                None if Instant::now() >= deadline => {
                    timed_out = true;
                    kill_group(pgid);
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                None => thread::sleep(Duration::from_millis(20)),
            }
        }
    };
    // Anything still in the group (grandchildren holding pipes) goes too.
    if status.is_some() {
        kill_group(pgid);
    }
    let _ = writer.join();
    let _ = reader.join();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(ChildOutput {
        stdout,
        stderr,
        status,
        timed_out,
        stopped,
        duration: start.elapsed(),
    })
}

fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last `n` characters of a text, on one line, for error messages.
pub fn tail(text: &str, n: usize) -> String {
    let t = text.trim();
    let start = t.char_indices().rev().nth(n).map_or(0, |(i, _)| i);
    t[start..].replace('\n', " ")
}

/// Spawn, retrying briefly on ETXTBSY: a program file written a moment ago can still be open for
/// writing in a child another thread is forking (the fd lives until that child's exec), which makes
/// exec fail with "Text file busy". Freshly installed or generated CLIs hit this; it clears in ms.
fn spawn_retrying_busy(cmd: &mut Command) -> std::io::Result<std::process::Child> {
    const ETXTBSY: i32 = 26;
    let mut attempt = 0;
    loop {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) && attempt < 20 => {
                attempt += 1;
                thread::sleep(std::time::Duration::from_millis(10 * attempt));
            }
            other => return other,
        }
    }
}

/// The CLI to run: the configured path if it is a file, else `name` found on PATH.
pub fn find_program(
    configured: Option<&std::path::Path>,
    name: &str,
    backend: &str,
    hint: &str,
) -> Result<std::path::PathBuf, crate::core::ports::DiagnoserError> {
    let missing = |program: String| crate::core::ports::DiagnoserError::Missing {
        backend: backend.into(),
        program,
        hint: hint.into(),
    };
    match configured {
        Some(p) if p.is_file() => Ok(p.to_path_buf()),
        Some(p) => Err(missing(p.display().to_string())),
        None => which::which(name).map_err(|_| missing(name.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_stdin_and_collects_output() {
        let mut c = Command::new("sh");
        c.args(["-c", "cat; echo done >&2"]);
        let o = run(c, b"hello\n", Duration::from_secs(10), None).expect("runs");
        assert_eq!(o.stdout, "hello\n");
        assert_eq!(o.stderr.trim(), "done");
        assert!(o.status.is_some_and(|s| s.success()) && !o.timed_out);
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let tmp = tempfile::tempdir().expect("tmp");
        let marker = tmp.path().join("grandchild-survived");
        let mut c = Command::new("sh");
        // The grandchild would write the marker after 2 s unless its group is killed.
        c.args([
            "-c",
            &format!("(sleep 2; touch {}) & sleep 30", marker.display()),
        ]);
        let o = run(c, b"", Duration::from_millis(300), None).expect("runs");
        assert!(o.timed_out && o.status.is_none());
        assert!(o.duration < Duration::from_secs(5));
        thread::sleep(Duration::from_millis(2_500));
        assert!(!marker.exists(), "grandchild outlived the kill");
    }

    #[test]
    fn watcher_can_stop_the_child() {
        let mut c = Command::new("sh");
        c.args([
            "-c",
            "i=0; while true; do echo line$i; i=$((i+1)); sleep 0.05; done",
        ]);
        let mut seen = 0;
        let mut w = |_: &str| {
            seen += 1;
            if seen >= 3 {
                Watch::Stop("enough".into())
            } else {
                Watch::Continue
            }
        };
        let o = run(c, b"", Duration::from_secs(10), Some(&mut w)).expect("runs");
        assert_eq!(o.stopped.as_deref(), Some("enough"));
        assert!(!o.timed_out && o.status.is_none());
    }
}
