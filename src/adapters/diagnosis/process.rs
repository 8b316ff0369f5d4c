//! Runs a CLI child in its own process group with the prompt on stdin, a wall-clock timeout, and
//! an optional per-line watcher on stdout; a timeout or a watcher veto kills the whole group.
//!
//! The child never outlives `rounds`:
//! - it asks the kernel for SIGKILL when its parent dies (`PR_SET_PDEATHSIG`, set between fork
//!   and exec), which covers kill -9 and the OOM killer;
//! - SIGTERM, SIGINT and SIGHUP sent to `rounds` (cron's `timeout`, systemd stop, Ctrl-C) are
//!   forwarded to the child's whole process group before `rounds` dies of them;
//! - every child carries `ROUNDS_CALL=<owner>` in its environment, so grandchildren that a
//!   SIGKILLed parent could not take down are found and killed by the next pass
//!   ([`reap_orphans`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{mpsc, Once};
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
    install_forwarding();
    let parent = std::process::id();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env(CALL_MARKER, crate::adapters::liveness::current_owner())
        .process_group(0);
    // SAFETY: the closure runs in the forked child before exec and calls only async-signal-safe
    // functions (prctl, getppid, _exit); it allocates nothing.
    unsafe {
        cmd.pre_exec(move || die_with_parent(parent));
    }
    let mut child = spawn_retrying_busy(&mut cmd)?;
    let pgid = child.id();
    let slot = Running::register(pgid);

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
    drop(slot);
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

/// The environment variable every CLI child (and so its descendants) carries: the `pid:start` of
/// the `rounds` that started it.
pub const CALL_MARKER: &str = "ROUNDS_CALL";

fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// In the child, between fork and exec: SIGKILL when the parent dies. If the parent died
/// before the request took effect, the child would never get the signal: exit at once instead.
fn die_with_parent(parent: u32) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl(PR_SET_PDEATHSIG) affects only the calling (child) process.
        let r = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    // SAFETY: getppid and _exit are async-signal-safe.
    unsafe {
        if libc::getppid() as u32 != parent {
            libc::_exit(137);
        }
    }
    Ok(())
}

/// Process groups of the children running now, for the signal handler (a fixed table: the
/// handler may not allocate or lock). Diagnoses run one at a time; 16 leaves room for tests.
static RUNNING: [AtomicI32; 16] = [const { AtomicI32::new(0) }; 16];

/// A registered child group, unregistered when dropped.
struct Running(Option<usize>);

impl Running {
    fn register(pgid: u32) -> Running {
        let Ok(pgid) = i32::try_from(pgid) else {
            return Running(None);
        };
        for (i, s) in RUNNING.iter().enumerate() {
            if s.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Running(Some(i));
            }
        }
        // Table full: the child still dies with us through PR_SET_PDEATHSIG.
        Running(None)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            RUNNING[i].store(0, Ordering::SeqCst);
        }
    }
}

/// SIGTERM, SIGINT, SIGHUP: pass the signal to every running child group, then die of it as
/// if no handler were installed (the default action), so the exit status is what cron expects.
extern "C" fn forward(sig: libc::c_int) {
    for s in RUNNING.iter() {
        let pgid = s.load(Ordering::SeqCst);
        if pgid > 0 {
            // SAFETY: kill, signal and raise are async-signal-safe.
            unsafe {
                libc::kill(-pgid, sig);
            }
        }
    }
    // SAFETY: as above; restoring the default action and re-raising terminates the process.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// Install the forwarding handler once, the first time a child is started (a `rounds` that
/// never runs a CLI keeps the default signal actions).
fn install_forwarding() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            // SAFETY: installs a handler that only calls async-signal-safe functions.
            unsafe {
                let mut act: libc::sigaction = std::mem::zeroed();
                act.sa_sigaction = forward as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut act.sa_mask);
                act.sa_flags = libc::SA_RESTART;
                libc::sigaction(sig, &act, std::ptr::null_mut());
            }
        }
    });
}

/// Kill what earlier, dead `rounds` processes left running: any process of ours whose
/// environment carries [`CALL_MARKER`] naming an owner that is no longer alive (a grandchild of
/// a CLI killed by PR_SET_PDEATHSIG, which only reaches the direct child). Returns how many.
/// Linux only (reads `/proc`); elsewhere it finds nothing.
pub fn reap_orphans() -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let needle = format!("{CALL_MARKER}=");
    let mut killed = 0;
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        // Other users' processes are unreadable (EACCES) and so never touched.
        let Ok(env) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let Some(owner) = env
            .split(|b| *b == 0)
            .filter_map(|v| std::str::from_utf8(v).ok())
            .find_map(|v| v.strip_prefix(needle.as_str()))
        else {
            continue;
        };
        if !crate::adapters::liveness::owner_alive(owner) {
            // SAFETY: kill(2) on a pid we just read; no memory is touched.
            if unsafe { libc::kill(pid, libc::SIGKILL) } == 0 {
                killed += 1;
            }
        }
    }
    killed
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
