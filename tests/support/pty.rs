//! Runs a command on a pseudo-terminal of a given size and returns what it drew: how TTY-only
//! output (tables that fit the width, colour, progress) is tested without a real terminal.
#![allow(dead_code)]

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

/// Run `cmd` with stdin, stdout and stderr on a new pty of `cols` × `rows`; return its output
/// (stdout and stderr interleaved, as a terminal shows them, `\r\n` folded to `\n`) and exit code.
pub fn run(mut cmd: Command, cols: u16, rows: u16) -> (String, i32) {
    let mut master: libc::c_int = -1;
    let mut slave: libc::c_int = -1;
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two fds into the given ints; the name and termios are null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both fds were just opened by openpty and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    let mut child = cmd.spawn().unwrap();
    // The parent's copies of the slave are gone once `cmd` drops: EOF (EIO) when the child exits.
    drop(cmd);
    let mut file = std::fs::File::from(master);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // Linux reports the closed slave as EIO.
            Err(_) => break,
        }
    }
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (String::from_utf8_lossy(&out).replace("\r\n", "\n"), code)
}
