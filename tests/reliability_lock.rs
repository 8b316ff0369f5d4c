//! A foreign SQLite write lock (another program inside a write transaction on the same file)
//! honours `--lock-wait` and exits 75 (temporary), and the next pass after it is released counts
//! exactly as if nothing had happened.

use crate::support::harness::{repo, Env};
use rounds::core::ports::store::prelude::*;
use std::time::{Duration, Instant};

const EXAMPLE: &str = "examples/otlp-errors.jsonl";

#[test]
fn a_foreign_sqlite_write_lock_waits_lock_wait_then_exits_75() {
    let env = Env::new();
    let input = repo(EXAMPLE);
    let first = env.run(&["poll", "--input", &input]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let counted = env.total_count();
    assert!(counted > 0);

    // Another program's write transaction: rounds' pass lock file is free, SQLite's lock is not.
    let foreign = rusqlite::Connection::open(env.db()).unwrap();
    foreign.execute_batch("BEGIN IMMEDIATE").unwrap();
    for wait in [1u64, 3] {
        let started = Instant::now();
        let r = env.run(&[
            "--lock-wait",
            &format!("{wait}s"),
            "poll",
            "--input",
            &input,
        ]);
        let took = started.elapsed();
        assert_eq!(r.code, 75, "busy is temporary: {}", r.stderr);
        assert!(
            r.stderr.contains("SQLite write lock"),
            "one line naming the cause: {}",
            r.stderr
        );
        assert!(
            took >= Duration::from_secs(wait) && took < Duration::from_secs(wait + 5),
            "--lock-wait {wait}s honoured, took {took:?}"
        );
    }
    foreign.execute_batch("ROLLBACK").unwrap();
    drop(foreign);

    let again = env.run(&["poll", "--input", &input]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        env.total_count(),
        counted,
        "nothing lost or doubled by the busy passes"
    );
    let check = rusqlite::Connection::open(env.db()).unwrap();
    let ok: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

/// A fake `claude` whose first call sleeps `secs` (writing `started` when it begins) and whose
/// later calls answer at once, each with the captured success result.
fn slow_first_claude(dir: &std::path::Path, secs: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let result = std::fs::read_to_string(repo("tests/fixtures/llm/cap-claude-success.json"))
        .unwrap()
        .replace('\'', "'\\''");
    let started = dir.join("started");
    let p = dir.join("claude");
    let body = format!(
        "#!/bin/sh\ncat > /dev/null\nif mkdir {lock} 2>/dev/null; then touch {started}; sleep {secs}; fi\nprintf '%s' '{result}'\n",
        lock = dir.join("first").display(),
        started = started.display(),
    );
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn ids_by_count(env: &Env) -> Vec<String> {
    let r = env.run(&["list", "--json", "--all", "--limit", "0", "--sort", "count"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn while_a_poll_diagnoses_resolve_ignore_and_another_poll_complete_promptly_and_nothing_is_diagnosed_twice(
) {
    const CALL_SECS: u32 = 6;
    let mut env = Env::new();
    let input = repo(EXAMPLE);
    let first = env.run(&["poll", "--input", &input]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let ids = ids_by_count(&env);
    assert!(ids.len() >= 3, "{ids:?}");
    let code = env.path().join("code");
    std::fs::create_dir_all(&code).unwrap();
    let claude = slow_first_claude(env.path(), CALL_SECS);
    env.set("DIAGNOSIS_BACKEND", "claude_code")
        .set("CLAUDE_CODE_PATH", &claude.display().to_string())
        .set("CODEBASE_PATH", &code.display().to_string())
        .set("MAX_DIAGNOSES_PER_PASS", "1")
        .set("MIN_OCCURRENCES", "1")
        // Anything that waits on the diagnosing pass gives up after 1 s with exit 75.
        .set("ROUNDS_LOCK_WAIT", "1s");

    let started = Instant::now();
    let mut slow = env
        .command(&["poll", "--input", &input])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let marker = env.path().join("started");
    while !marker.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the CLI never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The slow pass diagnoses the most frequent signature; resolve it meanwhile, ignore another.
    let in_flight = ids[0].clone();
    let t = Instant::now();
    let r = env.run(&["resolve", &in_flight]);
    assert_eq!(
        r.code, 0,
        "resolve waited on the diagnosing pass: {}",
        r.stderr
    );
    let r = env.run(&["ignore", &ids[1]]);
    assert_eq!(
        r.code, 0,
        "ignore waited on the diagnosing pass: {}",
        r.stderr
    );
    let r = env.run(&["poll", "--input", &input]);
    assert_eq!(
        r.code, 0,
        "a second poll waited on the diagnosing pass: {}",
        r.stderr
    );
    let during = t.elapsed();
    assert!(
        during < Duration::from_secs(CALL_SECS as u64 - 1),
        "resolve + ignore + poll took {during:?} while the call takes {CALL_SECS} s"
    );
    assert!(
        slow.try_wait().unwrap().is_none(),
        "measured while the first pass was still diagnosing"
    );
    let out = slow.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");

    // One diagnosis per signature at most: the second pass left the claimed one alone.
    let store = rounds::adapters::store::sqlite::SqliteStore::open(
        &env.db(),
        rounds::adapters::store::sqlite::Access::Read,
    )
    .unwrap();

    let mut diagnosed = 0;
    for id in &ids {
        let n = store.diagnoses(id).unwrap().len();
        assert!(n <= 1, "{id} diagnosed {n} times");
        diagnosed += n;
    }
    assert_eq!(diagnosed, 2, "each pass diagnosed one signature");
    assert_eq!(store.diagnoses(&in_flight).unwrap().len(), 1);
    // The resolve made during the call stands; nothing is left reserved.
    assert_eq!(
        store.signature(&in_flight).unwrap().status,
        rounds::core::model::Status::Resolved
    );
    assert!(store.reservations().unwrap().is_empty());
    eprintln!("resolve + ignore + second poll during a {CALL_SECS} s diagnosis: {during:?}");
}

#[test]
fn read_only_commands_never_wait_on_the_pass_lock() {
    let mut env = Env::new();
    let first = env.run(&["poll", "--input", &repo(EXAMPLE)]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let id = ids_by_count(&env).remove(0);
    let code = env.path().join("code");
    std::fs::create_dir_all(&code).unwrap();
    env.set("ROUNDS_LOCK_WAIT", "1s")
        .set("DIAGNOSIS_BACKEND", "claude_code")
        .set("CODEBASE_PATH", &code.display().to_string());
    // Hold the pass lock as a running pass does.
    let mut lock_path = env.db().into_os_string();
    lock_path.push(".lock");
    let lock = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    lock.try_lock().unwrap();
    let writer = env.run(&["resolve", &id]);
    assert_eq!(writer.code, 75, "the lock is held: {}", writer.stderr);
    let t = Instant::now();
    for args in [
        vec!["list"],
        vec!["show", id.as_str()],
        vec!["report", "--since", "all"],
        vec!["status"],
        vec!["diagnose", "--dry-run"],
    ] {
        let r = env.run(&args);
        // `status` may say 78 about the diagnosis configuration; a lock says 75 and "busy".
        assert!(
            r.code != 75 && !r.stderr.contains("busy"),
            "{args:?} needed the writer lock: exit {} {}",
            r.code,
            r.stderr
        );
        assert!(
            !r.stdout.is_empty(),
            "{args:?} printed nothing: {}",
            r.stderr
        );
    }
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "read-only commands waited: {:?}",
        t.elapsed()
    );
    drop(lock);
}
