//! Runs a child process and measures it: peak RSS (the child's VmHWM, polled) and wall time. Used as `crate::support::measure`.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Measured {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// Peak resident set size of the child, in bytes.
    pub peak_rss: u64,
    pub elapsed: Duration,
}

impl Measured {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Run `cmd` to completion (stdin closed), draining its output, and measure it.
pub fn run(mut cmd: Command) -> Measured {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let pid = child.id();
    // VmHWM is the high-water mark of the child's own address space (fresh at exec, unlike
    // wait4's ru_maxrss, which inherits the forking test process's size). It only grows, so
    // the last reading before exit is the peak up to that moment; 1 ms polls miss at most the
    // teardown.
    let mut peak = 0u64;
    let status = loop {
        if let Some(h) = vm_hwm(pid) {
            peak = peak.max(h);
        }
        match child.try_wait().expect("wait") {
            Some(st) => break st,
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    };
    let elapsed = start.elapsed();
    use std::os::unix::process::ExitStatusExt;
    let code = status
        .code()
        .unwrap_or_else(|| -status.signal().unwrap_or(0));
    Measured {
        code,
        stdout: t_out.join().unwrap(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
        peak_rss: peak,
        elapsed,
    }
}

/// Peak resident set (VmHWM) of a running process, in bytes.
pub fn vm_hwm(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub const MIB: u64 = 1024 * 1024;
