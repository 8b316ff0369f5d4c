//! Crash reliability with the real binary and a fake LLM CLI (a real shell script): a `rounds`
//! killed with SIGKILL or SIGTERM while diagnosing leaves no CLI process behind, and a SIGKILL
//! leaves the call's spend reservation counted until the next pass settles it.

use crate::support::harness;
use rounds::adapters::store::sqlite::{Access, SqliteStore};
use rounds::core::ports::store::prelude::*;
use rounds::core::ports::store::SpendReservation;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A fake `claude` that records its pid and a grandchild's pid, then waits (never answers).
fn hanging_claude(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("claude");
    let body = format!(
        "#!/bin/sh\ncat > /dev/null\nsleep 60 &\necho $! > {g}.tmp && mv {g}.tmp {g}\necho $$ > {c}.tmp && mv {c}.tmp {c}\nwait\n",
        g = dir.join("grandchild.pid").display(),
        c = dir.join("child.pid").display()
    );
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn alive(pid: i32) -> bool {
    // A zombie has exited; /proc shows it as state Z until reaped.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !matches!(
            s.rsplit_once(')')
                .map(|(_, r)| r.trim_start().chars().next()),
            Some(Some('Z' | 'X'))
        ),
        Err(_) => false,
    }
}

fn wait_gone(pid: i32, within: Duration) -> bool {
    let t = Instant::now();
    while t.elapsed() < within {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    !alive(pid)
}

fn read_pid(path: &Path, within: Duration) -> i32 {
    let t = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            if let Ok(p) = s.trim().parse() {
                return p;
            }
        }
        assert!(t.elapsed() < within, "{} never written", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn env_with_fake(tmp: &Path) -> harness::Env {
    let mut env = harness::Env::new();
    let code = tmp.join("code");
    std::fs::create_dir_all(&code).unwrap();
    env.set("DIAGNOSIS_BACKEND", "claude_code")
        .set(
            "CLAUDE_CODE_PATH",
            &hanging_claude(tmp).display().to_string(),
        )
        .set("CODEBASE_PATH", &code.display().to_string())
        .set("DIAGNOSIS_TIMEOUT_SECS", "120");
    env
}

fn killed_pass_leaves_no_cli(signal: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let mut env = env_with_fake(tmp.path());
    let mut rounds = env
        .command(&[
            "poll",
            "--input",
            &harness::repo("examples/otlp-errors.jsonl"),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let child = read_pid(&tmp.path().join("child.pid"), Duration::from_secs(60));
    let grandchild = read_pid(&tmp.path().join("grandchild.pid"), Duration::from_secs(5));
    assert!(alive(child) && alive(grandchild));
    // SAFETY: signalling the rounds process this test started.
    unsafe {
        libc_kill(rounds.id() as i32, signal);
    }
    let status = rounds.wait().unwrap();
    assert!(!status.success());
    assert!(
        wait_gone(child, Duration::from_secs(3)),
        "the claude child outlived rounds (signal {signal})"
    );
    if signal == 9 {
        // Killed mid-call: the call's worst case stays in the ledger as a reservation, counted.
        let (reserved, counted) = reservation_state(&env);
        assert_eq!(reserved.len(), 1, "the killed call's reservation is left");
        let worst = reserved[0].worst_case_usd;
        assert!(
            worst > 0.0 && (counted - worst).abs() < 1e-9,
            "{counted} vs {worst}"
        );
        // SIGKILL reaches only the direct child (PR_SET_PDEATHSIG): the next pass reaps the rest.
        // The rerun's own call hangs too: let it time out at once.
        env.set("DIAGNOSIS_TIMEOUT_SECS", "1");
        let r = env.run(&["diagnose"]);
        // Any `rounds` reaps every orphan of a dead `rounds` of this user: a test running
        // beside this one may have been first.
        assert!(
            r.stderr.contains("killed 1 process") || !alive(grandchild),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("killed mid-call settled"), "{}", r.stderr);
        // The abandoned reservation became an estimated entry of its worst case, never less.
        let (left, after) = reservation_state(&env);
        assert!(left.is_empty(), "{left:?}");
        assert!(after >= worst - 1e-9, "{after} < {worst}");
    }
    assert!(
        wait_gone(grandchild, Duration::from_secs(3)),
        "a grandchild of the claude child survived (signal {signal})"
    );
}

/// Unsettled reservations and the day's counted spend, read as `rounds list` would.
fn reservation_state(env: &harness::Env) -> (Vec<SpendReservation>, f64) {
    let store = SqliteStore::open(&env.db(), Access::Read).unwrap();
    let reserved = store
        .reservations()
        .unwrap()
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    (reserved, store.spend_between(0, i64::MAX).unwrap())
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn sigkill_of_rounds_kills_the_cli_and_the_next_pass_reaps_its_children() {
    killed_pass_leaves_no_cli(9);
}

#[test]
fn sigterm_of_rounds_is_forwarded_to_the_cli_group() {
    killed_pass_leaves_no_cli(15);
}
