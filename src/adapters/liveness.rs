//! Who this process is, and whether another one is still alive: a process named by its pid and
//! its start time, so a recycled pid is never mistaken for the process that wrote a record.
//!
//! Used by the store (is the pass that reserved this spend still running?) and by the diagnosis
//! adapters (is the `rounds` that started this CLI child still alive?). Linux reads
//! `/proc/<pid>/stat`; elsewhere the start time is unknown and only the pid is compared.

use std::sync::OnceLock;

/// This process as `pid:start`, where `start` is its start time in clock ticks since boot.
pub fn current_owner() -> &'static str {
    static OWNER: OnceLock<String> = OnceLock::new();
    OWNER.get_or_init(|| {
        let pid = std::process::id();
        format!("{pid}:{}", start_time(pid).unwrap_or(0))
    })
}

/// Whether the process named by `owner` (from [`current_owner`]) is still running. An owner that
/// cannot be parsed is treated as alive: never reclaim what we cannot prove is abandoned.
pub fn owner_alive(owner: &str) -> bool {
    let Some((pid, start)) = owner.split_once(':') else {
        return true;
    };
    let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else {
        return true;
    };
    if pid == std::process::id() {
        return start == start_time(pid).unwrap_or(0);
    }
    match start_time(pid) {
        Some(now) => start == 0 || now == start,
        None => pid_exists(pid),
    }
}

/// Field 22 of `/proc/<pid>/stat`: start time in ticks since boot. `None` when no such process
/// (or no procfs).
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is parenthesised and may hold spaces or ')': split after the last.
    let rest = stat.rsplit_once(')')?.1;
    // rest starts with field 3 (state); start time is field 22, i.e. the 20th after the name.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?;
    if *state == "Z" || *state == "X" {
        // A zombie has exited; only its parent's wait is missing.
        return None;
    }
    fields.get(19)?.parse().ok()
}

fn pid_exists(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        // On Linux, `start_time` already answered: no /proc entry (or a zombie) means gone.
        return false;
    }
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks that the process exists and may be signalled.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_not() {
        assert!(owner_alive(current_owner()));
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let pid = child.id();
        let owner = format!("{pid}:{}", start_time(pid).unwrap_or(1));
        child.wait().expect("wait");
        assert!(!owner_alive(&owner), "{owner} still alive after exit");
        // A recycled pid: same pid, another start time.
        let me = std::process::id();
        assert!(!owner_alive(&format!("{me}:1")));
        assert!(owner_alive("garbage"));
    }
}
