//! kill -9 at seeded random points of a large multi-file pass and of a diagnosis, many times
//! (`ROUNDS_KILL_TRIALS`, default 100 each; `ROUNDS_KILL_SEED` replays a run, the seed is
//! printed). After every kill: `PRAGMA integrity_check` is ok; the rerun counts every input event
//! exactly once; no LLM CLI process (nor its grandchildren) outlives the rerun; a call in flight
//! leaves its worst case reserved in the spend ledger, the next pass settles it as an estimated
//! entry; every charge is a recorded diagnosis or a killed call's worst case, every call made is
//! paid, and a signature is asked again only when its call was interrupted.

use crate::support::harness::{repo, Env};
use crate::support::otlp_gen::{self, integrity, ledger_events, wait_gone, Rng};

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Let `child` run for `after`, then SIGKILL it. Whether the signal found it running.
fn kill_after(mut child: Child, after: Duration) -> bool {
    std::thread::sleep(after);
    // SAFETY: kill(2) of the child this test started and has not yet waited for.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    let status = child.wait().unwrap();
    status.signal() == Some(libc::SIGKILL)
}

fn spawn(env: &Env, args: &[&str]) -> Child {
    env.command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs `trials` closures over `workers` threads; each gets its trial number and its own RNG
/// (derived from the seed and the trial number, so a failing trial replays alone).
fn run_trials<F>(trials: u64, workers: u64, seed: u64, f: F)
where
    F: Fn(u64, &mut Rng) + Sync,
{
    let next = Mutex::new(0u64);
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    if *n >= trials {
                        break;
                    }
                    *n += 1;
                    *n - 1
                };
                let mut rng = Rng::new(seed ^ (i.wrapping_mul(0x2545_f491_4f6c_dd1d)));
                f(i, &mut rng);
            });
        }
    });
}

#[test]
fn kill_9_at_random_points_of_a_large_pass_never_corrupts_loses_or_double_counts() {
    let trials = otlp_gen::count("ROUNDS_KILL_TRIALS", 100);
    let seed = otlp_gen::seed("ROUNDS_KILL_SEED");
    eprintln!(
        "reliability_kill (pass): {trials} trials, seed {seed} (ROUNDS_KILL_SEED={seed} replays)"
    );
    let input_dir = tempfile::tempdir().unwrap();
    let input = input_dir.path().join("otel");
    // 4 files (one gzip, one of log records) of 500 one-event lines: ~0.2 s a pass in debug on
    // an idle machine (the kill points follow the measured length, whatever the load).
    let expected = otlp_gen::write_dir(&input, 4, 500, 0);
    let input = input.display().to_string();
    let args = ["poll", "--notify", "none", "--input", input.as_str()];

    // One pass uninterrupted: its length bounds the kill points, its count is the truth.
    let reference = Env::new();
    let started = Instant::now();
    let r = reference.run(&args);
    let full = started.elapsed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(reference.total_count(), expected);
    eprintln!(
        "reliability_kill (pass): {expected} events in 4 files, an uninterrupted pass {full:?}"
    );

    let killed_mid_pass = Mutex::new(0u64);
    // Trials whose kill left no events, part of them, all of them committed.
    let partial = Mutex::new((0u64, 0u64, 0u64));
    let began = Instant::now();
    run_trials(trials, 2, seed, |i, rng| {
        let env = Env::new();
        let at = Duration::from_micros(rng.below(full.as_micros() as u64 + 1));
        let killed = kill_after(spawn(&env, &args), at);
        if killed {
            *killed_mid_pass.lock().unwrap() += 1;
        }
        let ctx = format!("trial {i} (seed {seed}), killed at {at:?} (mid-pass: {killed})");
        if env.db().exists() {
            assert_eq!(integrity(&env.db()), "ok", "{ctx}");
            let c = rusqlite::Connection::open(env.db()).unwrap();
            // Absent while the first migration had not committed.
            let kept: i64 = c
                .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
                .unwrap_or(0);
            let mut p = partial.lock().unwrap();
            match kept as u64 {
                0 => p.0 += 1,
                k if k < expected => p.1 += 1,
                _ => p.2 += 1,
            }
        }
        let r = env.run(&args);
        assert_eq!(r.code, 0, "{ctx}: rerun: {}", r.stderr);
        assert_eq!(integrity(&env.db()), "ok", "{ctx}: after the rerun");
        assert_eq!(env.total_count(), expected, "{ctx}: counts after the rerun");
        assert_eq!(ledger_events(&env.db()), expected, "{ctx}: ledger rows");
    });
    let mid = *killed_mid_pass.lock().unwrap();
    let (none, part, all) = *partial.lock().unwrap();
    eprintln!(
        "reliability_kill (pass): {trials} trials in {:?}, {mid} killed while running; \
         committed before the kill: nothing {none}, part {part}, all {all}",
        began.elapsed()
    );
    // The kill points follow one reference pass; when the machine's load drops after it, more
    // passes finish before their kill. A quarter landing inside still tests what matters.
    assert!(
        mid * 4 >= trials,
        "kills must land inside the pass: {mid} of {trials} did (seed {seed})"
    );
}

/// A fake `claude` that records its pid and the signature it was asked about, leaves a
/// grandchild running (as a real CLI's tool subprocess would), sleeps, then answers with a
/// captured success (and tidies its grandchild).
fn sleeping_claude(dir: &Path) -> PathBuf {
    let result = std::fs::read_to_string(repo("tests/fixtures/llm/cap-claude-success.json"))
        .unwrap()
        .replace('\'', "'\\''");
    let p = dir.join("claude");
    let body = format!(
        r#"#!/bin/sh
cat > "{d}/prompt.$$"
sig=$(sed -n 's/^- id: \([0-9a-f]*\)$/\1/p' "{d}/prompt.$$" | head -n 1)
rm -f "{d}/prompt.$$"
sleep 30 </dev/null >/dev/null 2>&1 &
echo "$$ $! $sig" >> "{d}/calls.log"
sleep 0.15
kill $! 2>/dev/null
printf '%s' '{result}'
"#,
        d = dir.display()
    );
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// (cli pid, grandchild pid, signature) per call the fake was asked to make.
fn calls(dir: &Path) -> Vec<(i32, i32, String)> {
    std::fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((
                w.next()?.parse().ok()?,
                w.next()?.parse().ok()?,
                w.next().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

/// Per signature: spend ledger rows and diagnoses recorded.
fn per_signature(db: &Path, sql: &str) -> BTreeMap<String, u64> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c.prepare(sql).unwrap();
    st.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn ledger_rows(db: &Path) -> BTreeMap<String, u64> {
    per_signature(
        db,
        "SELECT signature_id, count(*) FROM spend_ledger GROUP BY signature_id",
    )
}

fn diagnoses(db: &Path) -> BTreeMap<String, u64> {
    per_signature(
        db,
        "SELECT signature_id, count(*) FROM diagnoses GROUP BY signature_id",
    )
}

/// What the fake's captured answer reports as the call's cost.
const REPORTED_USD: f64 = 0.0156;

/// Unsettled spend reservations: (signature, worst case).
fn reservations(db: &Path) -> Vec<(String, f64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT signature_id, worst_case_usd FROM spend_reservations ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Estimated spend entries per signature: (count, total USD).
fn estimated_rows(db: &Path) -> BTreeMap<String, (u64, f64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT signature_id, count(*), sum(cost_usd) FROM spend_ledger WHERE estimated = 1 GROUP BY signature_id")
        .unwrap();
    st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (r.get::<_, i64>(1)? as u64, r.get(2)?),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn tally(calls: &[(i32, i32, String)]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for (_, _, sig) in calls {
        *m.entry(sig.clone()).or_insert(0) += 1;
    }
    m
}

fn get(m: &BTreeMap<String, u64>, k: &str) -> u64 {
    m.get(k).copied().unwrap_or(0)
}

/// Copy a closed database (and any WAL beside it) to `to`.
fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    for ext in ["-wal", "-shm"] {
        let f = PathBuf::from(format!("{}{ext}", from.display()));
        if f.exists() {
            std::fs::copy(&f, format!("{}{ext}", to.display())).unwrap();
        }
    }
}

#[test]
fn kill_9_at_random_points_of_a_diagnosis_leaves_no_orphan_and_never_overcharges() {
    let trials = otlp_gen::count("ROUNDS_KILL_TRIALS", 100);
    let seed = otlp_gen::seed("ROUNDS_KILL_SEED");
    eprintln!(
        "reliability_kill (diagnosis): {trials} trials, seed {seed} (ROUNDS_KILL_SEED={seed} replays)"
    );
    // Six pending signatures, polled once; every trial starts from a copy of this database.
    let template = Env::new();
    let r = template.run(&[
        "poll",
        "--notify",
        "none",
        "--input",
        &repo("examples/otlp-errors.jsonl"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pending = template.total_count();
    assert!(pending > 0);

    let configure = |env: &mut Env, dir: &Path| {
        let code = dir.join("code");
        std::fs::create_dir_all(&code).unwrap();
        env.set("DIAGNOSIS_BACKEND", "claude_code")
            .set(
                "CLAUDE_CODE_PATH",
                &sleeping_claude(dir).display().to_string(),
            )
            .set("CODEBASE_PATH", &code.display().to_string())
            .set("DIAGNOSIS_MODEL", "claude-sonnet-4-5-20250929")
            .set("MAX_DIAGNOSES_PER_PASS", "2")
            .set("DIAGNOSIS_TIMEOUT_SECS", "60");
    };

    // One diagnose pass uninterrupted bounds the kill points.
    let mut reference = Env::new();
    let ref_dir = tempfile::tempdir().unwrap();
    configure(&mut reference, ref_dir.path());
    copy_db(&template.db(), &reference.db());
    let started = Instant::now();
    let r = reference.run(&["diagnose"]);
    let full = started.elapsed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(calls(ref_dir.path()).len(), 2, "{}", r.stderr);
    assert_eq!(ledger_rows(&reference.db()).values().sum::<u64>(), 2);
    assert!(
        reservations(&reference.db()).is_empty(),
        "settled after each call"
    );
    assert!(
        estimated_rows(&reference.db()).is_empty(),
        "charged as reported"
    );
    eprintln!("reliability_kill (diagnosis): an uninterrupted 2-call diagnose pass {full:?}");

    let killed_mid_call = Mutex::new(0u64);
    let reservations_left = Mutex::new(0u64);
    let began = Instant::now();
    run_trials(trials, 4, seed, |i, rng| {
        let dir = tempfile::tempdir().unwrap();
        let mut env = Env::new();
        configure(&mut env, dir.path());
        copy_db(&template.db(), &env.db());
        // Even trials: a uniform point of the whole pass (start-up, prompt, call, recording).
        // Odd trials: a uniform point of the k-th call's lifetime (the fake answers after 150 ms),
        // so the interesting window is hit often whatever the machine's load.
        let child = spawn(&env, &["diagnose"]);
        let (at, point) = if i % 2 == 0 {
            let at = Duration::from_micros(rng.below(full.as_micros() as u64 + 1));
            (at, format!("{at:?} after start"))
        } else {
            let k = 1 + rng.below(2) as usize;
            let t = Instant::now();
            while calls(dir.path()).len() < k && t.elapsed() < Duration::from_secs(30) {
                std::thread::sleep(Duration::from_millis(2));
            }
            let at = Duration::from_micros(rng.below(200_000));
            (at, format!("{at:?} into call {k}"))
        };
        let killed = kill_after(child, at);
        let ctx = format!("trial {i} (seed {seed}), killed {point} (running: {killed})");

        // PR_SET_PDEATHSIG: the CLI dies with rounds.
        let made = calls(dir.path());
        for (cli, _, _) in &made {
            assert!(
                wait_gone(*cli, Duration::from_secs(3)),
                "{ctx}: the CLI {cli} outlived rounds"
            );
        }
        assert_eq!(integrity(&env.db()), "ok", "{ctx}");
        let rows = ledger_rows(&env.db());
        let done = diagnoses(&env.db());
        let asked = tally(&made);
        let interrupted = made.len() as u64 - done.values().sum::<u64>();
        if interrupted > 0 {
            *killed_mid_call.lock().unwrap() += 1;
        }
        assert!(
            interrupted <= 1,
            "{ctx}: one call at a time: {made:?} {done:?}"
        );
        for (sig, n) in &rows {
            assert!(
                *n <= get(&asked, sig),
                "{ctx}: {sig} charged {n} times for {} calls",
                get(&asked, sig)
            );
        }
        for (sig, n) in &done {
            assert!(
                *n <= 1 && get(&rows, sig) >= *n,
                "{ctx}: {sig} diagnosed but not paid"
            );
        }
        // The call in flight left its worst case reserved (written before the spawn, so a kill
        // between the reservation and the CLI's first line leaves one too): counted, never lost.
        let reserved = reservations(&env.db());
        assert!(
            reserved.len() <= 1,
            "{ctx}: one call at a time: {reserved:?}"
        );
        for (sig, worst) in &reserved {
            assert!(
                *worst >= REPORTED_USD,
                "{ctx}: {sig} reserved {worst}, below a call's cost"
            );
            assert_eq!(
                get(&done, sig),
                0,
                "{ctx}: {sig} recorded and still reserved"
            );
        }
        for (sig, n) in &asked {
            if *n > get(&done, sig) {
                assert!(
                    reserved.iter().any(|(s, _)| s == sig),
                    "{ctx}: {sig}'s interrupted call left no reservation: {reserved:?}"
                );
            }
        }
        if !reserved.is_empty() {
            *reservations_left.lock().unwrap() += 1;
        }
        let abandoned = |sig: &str| reserved.iter().filter(|(s, _)| s == sig).count() as u64;

        // The next pass: reaps what the killed call left, pays only for what was not recorded.
        let r = env.run(&["diagnose"]);
        assert_eq!(r.code, 0, "{ctx}: rerun: {}", r.stderr);
        let made = calls(dir.path());
        for (cli, grandchild, _) in &made {
            assert!(
                wait_gone(*cli, Duration::from_secs(3))
                    && wait_gone(*grandchild, Duration::from_secs(3)),
                "{ctx}: a process of call {cli} (grandchild {grandchild}) outlived the rerun"
            );
        }
        assert_eq!(integrity(&env.db()), "ok", "{ctx}: after the rerun");
        let rows = ledger_rows(&env.db());
        let done = diagnoses(&env.db());
        let asked = tally(&made);
        let estimated = estimated_rows(&env.db());
        assert!(
            reservations(&env.db()).is_empty(),
            "{ctx}: the next pass settles every abandoned reservation"
        );
        let mut sigs: Vec<&String> = asked.keys().chain(rows.keys()).collect();
        sigs.sort();
        sigs.dedup();
        for sig in sigs {
            let (n, paid, rec, ab) = (
                get(&asked, sig),
                get(&rows, sig),
                get(&done, sig),
                abandoned(sig),
            );
            // Every charge is a recorded diagnosis or a killed call's worst case, nothing else.
            assert_eq!(
                paid,
                rec + ab,
                "{ctx}: {sig}: {paid} charges, {rec} diagnoses, {ab} abandoned"
            );
            // Never under-counted: every call made is paid for.
            assert!(n <= paid, "{ctx}: {sig}: {n} calls, {paid} charges");
            let est = estimated.get(sig).copied().unwrap_or_default();
            assert_eq!(
                est.0, ab,
                "{ctx}: {sig}: the abandoned reservation settles as an estimate"
            );
            if let Some((_, worst)) = reserved.iter().find(|(s, _)| s == sig) {
                assert!(
                    (est.1 - worst).abs() < 1e-9,
                    "{ctx}: {sig} settled at {} not its worst case {worst}",
                    est.1
                );
            }
        }
        for (sig, n) in &asked {
            assert!(
                get(&done, sig) <= 1,
                "{ctx}: {sig} diagnosed twice: paid again for a recorded diagnosis"
            );
            assert!(
                *n <= get(&done, sig) + interrupted,
                "{ctx}: {sig} asked {n} times, diagnosed {}, interrupted {interrupted}",
                get(&done, sig)
            );
        }
        assert_eq!(env.total_count(), pending, "{ctx}: counts untouched");
    });
    let mid = *killed_mid_call.lock().unwrap();
    let left = *reservations_left.lock().unwrap();
    eprintln!(
        "reliability_kill (diagnosis): {trials} trials in {:?}, {mid} killed inside a call, \
         {left} left a reservation (each settled at its worst case by the next pass)",
        began.elapsed()
    );
    assert!(
        mid * 3 >= trials,
        "half the kills aim inside a call: {mid} of {trials} landed there (seed {seed})"
    );
}
