//! A foreign SQLite write lock (another program inside a write transaction on the same file)
//! honours `--lock-wait` and exits 75 (temporary), and the next pass after it is released counts
//! exactly as if nothing had happened.

use crate::support::harness::{repo, Env};
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
