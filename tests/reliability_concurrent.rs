//! Concurrent passes into one SQLite database: 8 `rounds poll` processes started at once
//! (`ROUNDS_CONCURRENT_POLLS`) over overlapping input — the same files, copies of them,
//! overlapping ranges, stdin — for `ROUNDS_CONCURRENT_ROUNDS` rounds (default 2; the second
//! after the shared files grew) count every event exactly once and leave the database sound.

use crate::support::harness::Env;
use crate::support::otlp_gen::{self, event_line, integrity, ledger_events};

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

fn append(path: &Path, lines: std::ops::Range<u64>) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    for n in lines {
        writeln!(f, "{}", event_line(n)).unwrap();
    }
}

#[test]
fn eight_concurrent_polls_over_overlapping_input_count_each_event_once() {
    let polls = otlp_gen::count("ROUNDS_CONCURRENT_POLLS", 8).max(2);
    let rounds = otlp_gen::count("ROUNDS_CONCURRENT_ROUNDS", 2).max(1);
    let env = Env::new();
    let root = env.path().join("input");
    // Events 0..1200 in a shared directory every odd process reads (one checkpoint per file,
    // contended); other even processes read their own directory of events k*150 .. k*150+600,
    // which overlaps the shared one and each other's; process 0 reads a shared file on stdin.
    let shared = root.join("shared");
    let mut events: BTreeSet<u64> = BTreeSet::new();
    otlp_gen::write_dir(&shared, 4, 300, 0);
    events.extend(0..1200);
    let mut inputs = Vec::new();
    for k in 0..polls {
        if k == 0 {
            inputs.push("-".to_string());
        } else if k % 2 == 1 {
            inputs.push(shared.display().to_string());
        } else {
            let own = root.join(format!("own-{k}"));
            otlp_gen::write_dir(&own, 4, 150, k * 150);
            events.extend(k * 150..k * 150 + 600);
            inputs.push(own.display().to_string());
        }
    }
    let stdin_file = shared.join("otel-0.jsonl");

    let mut next = 1_000_000u64;
    for round in 0..rounds {
        if round > 0 {
            // The shared files grew since the last round (partial reads resume at checkpoints).
            for f in ["otel-0.jsonl", "otel-2.jsonl"] {
                append(&shared.join(f), next..next + 100);
                events.extend(next..next + 100);
                next += 100;
            }
        }
        let started = Instant::now();
        let children: Vec<_> = (0..polls)
            .map(|k| {
                let input = inputs[k as usize].as_str();
                env.command(&[
                    "--lock-wait",
                    "10m",
                    "poll",
                    "--notify",
                    "none",
                    "--input",
                    input,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .stdin(if k == 0 {
                    Stdio::from(std::fs::File::open(&stdin_file).unwrap())
                } else {
                    Stdio::null()
                })
                .spawn()
                .unwrap()
            })
            .collect();
        for (k, c) in children.into_iter().enumerate() {
            let out = c.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}, poll {k}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let took = started.elapsed();
        assert_eq!(integrity(&env.db()), "ok", "round {round}");
        let expected = events.len() as u64;
        assert_eq!(env.total_count(), expected, "round {round}: counts");
        assert_eq!(
            ledger_events(&env.db()),
            expected,
            "round {round}: ledger rows"
        );
        eprintln!(
            "reliability_concurrent: round {round}: {polls} concurrent polls, {expected} distinct events, exact, {took:?}"
        );
    }
}
