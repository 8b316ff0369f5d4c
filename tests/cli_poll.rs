//! End to end through the binary on OTLP files: counting, idempotence, lifecycle, errors, exit codes.

use crate::support::harness;

use harness::{repo, Env};

const EXAMPLE: &str = "examples/otlp-errors.jsonl";

fn list_json(env: &Env) -> Vec<serde_json::Value> {
    let r = env.run(&["list", "--json", "--all", "--limit", "0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["version"], 2);
    doc["signatures"].as_array().unwrap().clone()
}

fn total_count(env: &Env) -> u64 {
    list_json(env)
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum()
}

#[test]
fn poll_counts_each_event_once_however_often_it_is_fed() {
    let env = Env::new();
    let r = env.run(&["poll", "--input", &repo(EXAMPLE)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("11 events read, 6 new, 5 recurring, 0 regressed"),
        "{}",
        r.stderr
    );
    // The stdout notifier prints one line per new signature.
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with("new")).count(),
        6,
        "{}",
        r.stdout
    );
    assert_eq!(total_count(&env), 11);

    // The file's checkpoint says it was read to its end: nothing is read again.
    let again = env.run(&["poll", "--input", &repo(EXAMPLE)]);
    assert_eq!(again.code, 0);
    assert!(
        again
            .stderr
            .contains("0 events read, 0 new, 0 recurring, 0 regressed, 0 skipped"),
        "{}",
        again.stderr
    );
    assert_eq!(again.stdout, "", "nothing is announced twice");
    assert_eq!(total_count(&env), 11);

    // The same data through stdin and gzip is still the same events.
    let raw = std::fs::read(repo(EXAMPLE)).unwrap();
    let r = env.run_stdin(&["poll", "--input", "-"], &raw);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("11 skipped"), "{}", r.stderr);
    let gz = env.path().join("copy.json.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    std::io::Write::write_all(&mut enc, &raw).unwrap();
    enc.finish().unwrap();
    let r = env.run(&["poll", "--input", gz.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("11 skipped"), "{}", r.stderr);
    assert_eq!(total_count(&env), 11);
}

#[test]
fn database_is_created_private_in_the_data_dir_by_default() {
    let env = Env::new();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_rounds"));
    c.env_clear().env("PATH", std::env::var("PATH").unwrap());
    for (k, v) in &env.envs {
        c.env(k, v);
    }
    let out = c
        .args(["poll", "--input", &repo(EXAMPLE), "--notify", "none"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = env.path().join("home/.local/share/rounds/rounds.db");
    let meta = std::fs::metadata(&db).expect("database in XDG_DATA_HOME/rounds");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_pretty_printed_document_and_a_directory_are_read() {
    let env = Env::new();
    let dir = env.path().join("in");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    let lines: Vec<String> = std::fs::read_to_string(repo(EXAMPLE))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&lines[0]).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("a.json"), pretty).unwrap();
    std::fs::write(dir.join("nested/b.jsonl"), lines[1..].join("\n")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not telemetry").unwrap();
    let r = env.run(&["poll", "--input", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("11 events read"), "{}", r.stderr);
}

#[test]
fn malformed_input_is_skipped_exit_3_and_strict_makes_it_65_writing_nothing() {
    let env = Env::new();
    let bad = env.path().join("bad.jsonl");
    let mut text = std::fs::read_to_string(repo(EXAMPLE)).unwrap();
    text.push_str("{\"resourceSpans\": [ this is not json\n");
    std::fs::write(&bad, text).unwrap();
    let r = env.run(&["poll", "--strict", "--input", bad.to_str().unwrap()]);
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("{}:6", bad.display())),
        "the bad line is line 6: {}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "one line: {}", r.stderr);
    assert_eq!(total_count(&env), 0, "the pass wrote nothing");

    // Without --strict the bad line is skipped, named with its own line number, and the
    // other 11 events are counted; the exit code says the pass was partial.
    let r = env.run(&["poll", "--input", bad.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "skipped unreadable record: {}:6: not JSON",
            bad.display()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("1 quarantined ({} 1)", bad.display())),
        "{}",
        r.stderr
    );
    assert_eq!(total_count(&env), 11);

    let ids = env.path().join("ids.jsonl");
    std::fs::write(&ids, r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"not-hex!","spanId":"01","status":{"code":2}}]}]}]}"#).unwrap();
    let r = env.run(&["poll", "--strict", "--input", ids.to_str().unwrap()]);
    assert_eq!(r.code, 65);
    assert!(r.stderr.contains("not-hex!"), "{}", r.stderr);
    let r = env.run(&["poll", "--input", ids.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains(&format!("{}:1", ids.display())),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_input_66_unwritable_db_73_and_usage_2() {
    let env = Env::new();
    let r = env.run(&["poll", "--input", "/nonexistent/otlp.json"]);
    assert_eq!(r.code, 66, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/otlp.json"));

    let blocker = env.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args([
            "--db",
            blocker.join("sub/rounds.db").to_str().unwrap(),
            "poll",
            "--input",
            &repo(EXAMPLE),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(73),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(blocker.to_str().unwrap()));

    assert_eq!(env.run(&["poll", "--bogus"]).code, 2);
    assert_eq!(env.run(&["list", "--status", "sleepy"]).code, 2);
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 78, "no source configured: {}", r.stderr);
}

#[test]
fn dry_run_writes_nothing() {
    let env = Env::new();
    let r = env.run(&["poll", "--input", &repo(EXAMPLE), "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("dry run"), "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with("new")).count(),
        6,
        "preview: {}",
        r.stdout
    );
    assert_eq!(total_count(&env), 0);
}

#[test]
fn show_list_ignore_resolve_and_regression() {
    let mut env = Env::new();
    assert_eq!(
        env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"])
            .code,
        0
    );
    let sigs = list_json(&env);
    let card = sigs
        .iter()
        .find(|s| s["exception_type"] == "stripe.error.CardError")
        .unwrap();
    let id = card["id"].as_str().unwrap().to_string();
    assert_eq!(card["count"], 2);
    assert_eq!(card["services"][0], "payments-worker");

    // show by unique prefix, with events and trace ids
    let r = env.run(&["show", &id[..8], "--json", "--events", "0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["signature"]["id"], id.as_str());
    let evs = doc["events"].as_array().unwrap();
    assert_eq!(evs.len(), 2);
    let mut traces: Vec<&str> = evs
        .iter()
        .map(|e| e["trace_id"].as_str().unwrap())
        .collect();
    traces.sort();
    assert_eq!(
        traces,
        [
            "e0000000000000000000000000000e01",
            "e0000000000000000000000000000e02"
        ]
    );
    assert_eq!(doc["last_24h"]["total"], 2);
    let text = env.run(&["show", &id[..8]]);
    assert!(
        text.stdout.contains("history") && text.stdout.contains("first seen"),
        "{}",
        text.stdout
    );

    assert_eq!(env.run(&["show", "ffffffffffff"]).code, 66);
    assert_eq!(env.run(&["show", "not-an-id"]).code, 66);

    // ignore: still counted, never announced
    let r = env.run(&["ignore", &id[..10], "--reason", "known flaky card network"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ignored = env.run(&["list", "--status", "ignored", "--json"]).json();
    assert_eq!(ignored["signatures"].as_array().unwrap().len(), 1);
    let shifted = shift_ids(&repo(EXAMPLE), env.path(), "second");
    let r = env.run(&["poll", "--input", &shifted]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains(&id[..12]),
        "ignored signatures are never announced: {}",
        r.stdout
    );
    let sig = env.run(&["show", &id, "--json"]).json();
    assert_eq!(
        sig["signature"]["count"], 4,
        "ignored signatures still count"
    );
    assert_eq!(sig["signature"]["status"], "ignored");
    assert_eq!(env.run(&["ignore", &id, "--undo"]).code, 0);
    assert_eq!(
        env.run(&["show", &id, "--json"]).json()["signature"]["status"],
        "new"
    );

    // resolve, then a new occurrence regresses it
    assert_eq!(env.run(&["resolve", &id]).code, 0);
    let third = shift_ids(&repo(EXAMPLE), env.path(), "third");
    env.set("ROUNDS_NOW", "2026-11-25T13:00:00Z");
    let r = env.run(&["poll", "--input", &third]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("regressed") && l.contains(&id[..12])),
        "{}",
        r.stdout
    );
    let doc = env.run(&["show", &id, "--json"]).json();
    assert_eq!(doc["signature"]["status"], "regressed");
    let hist: Vec<&str> = doc["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert_eq!(hist, ["new", "ignored", "new", "resolved", "regressed"]);

    // --fail-on for CI gating
    assert_eq!(
        env.run(&[
            "poll",
            "--input",
            &third,
            "--fail-on",
            "regressed",
            "--notify",
            "none"
        ])
        .code,
        1
    );
    assert_eq!(
        env.run(&["report", "--since", "7d", "--fail-on", "regressed"])
            .code,
        1
    );
}

#[test]
fn ignore_until_expires() {
    let mut env = Env::new();
    assert_eq!(
        env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"])
            .code,
        0
    );
    let id = list_json(&env)[0]["id"].as_str().unwrap().to_string();
    assert_eq!(env.run(&["ignore", &id, "--until", "2h"]).code, 0);
    env.set("ROUNDS_NOW", "2026-11-25T15:00:00Z");
    let more = shift_ids(&repo(EXAMPLE), env.path(), "later");
    assert_eq!(
        env.run(&["poll", "--input", &more, "--notify", "none"])
            .code,
        0
    );
    assert_eq!(
        env.run(&["show", &id, "--json"]).json()["signature"]["status"],
        "new"
    );
}

#[test]
fn a_second_writer_waits_then_exits_75() {
    let env = Env::new();
    assert_eq!(
        env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"])
            .code,
        0
    );
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("{}.lock", env.db().display()))
        .unwrap();
    lock.lock().unwrap();
    let started = std::time::Instant::now();
    let r = env.run(&["--lock-wait", "1s", "poll", "--input", &repo(EXAMPLE)]);
    assert_eq!(r.code, 75, "{}", r.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert!(r.stderr.contains("busy"), "{}", r.stderr);
    // Readers do not need the lock.
    assert_eq!(env.run(&["list"]).code, 0);
    drop(lock);
}

#[test]
fn report_is_markdown_deterministic_and_diagnose_needs_a_backend() {
    let env = Env::new();
    assert_eq!(
        env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"])
            .code,
        0
    );
    let a = env.run(&["report", "--since", "24h"]);
    let b = env.run(&["report", "--since", "24h"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.contains("# rounds findings"));
    assert!(a.stdout.contains("KeyError") || a.stdout.contains("billing"));
    let j = env
        .run(&["report", "--since", "24h", "--format", "json"])
        .json();
    assert_eq!(j["version"], 2);

    let r = env.run(&["diagnose"]);
    assert_eq!(r.code, 78, "{}", r.stderr);
    assert!(r.stderr.contains("DIAGNOSIS_BACKEND"));
}

#[test]
fn diagnose_dry_run_needs_no_api_key_and_spends_nothing() {
    let mut env = Env::new();
    assert_eq!(
        env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"])
            .code,
        0
    );
    env.set("DIAGNOSIS_BACKEND", "openai")
        .set("DIAGNOSIS_MODEL", "gpt-4o-mini");
    // Without a key a real run refuses (78) ...
    let r = env.run(&["diagnose"]);
    assert_eq!(r.code, 78, "{}", r.stderr);
    assert!(r.stderr.contains("OPENAI_API_KEY"), "{}", r.stderr);
    // ... and a dry run shows what it would send, exit 0.
    let r = env.run(&["diagnose", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Reply with one JSON object"),
        "{}",
        r.stdout
    );
    let doc = env.run(&["diagnose", "--dry-run", "--json"]).json();
    assert_eq!(doc["dry_run"], true);
    let outcomes = doc["outcomes"].as_array().unwrap();
    assert!(outcomes.iter().any(|o| o["outcome"] == "dry_run"), "{doc}");
    assert_eq!(doc["spent_this_run_usd"].as_f64().unwrap_or(0.0), 0.0);
}

#[test]
fn poll_says_in_one_line_why_diagnosis_was_skipped() {
    let mut env = Env::new();
    let input = repo(EXAMPLE);
    let r = env.run(&["poll", "--input", &input, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("diagnosis skipped: no backend configured"))
            .count(),
        1,
        "{}",
        r.stderr
    );
    let code = env.path().display().to_string();
    env.set("DIAGNOSIS_BACKEND", "claude_code")
        .set("CODEBASE_PATH", &code)
        .set("DAILY_BUDGET_LIMIT", "0");
    let r = env.run(&["poll", "--dry-run", "--input", &input, "--notify", "none"]);
    assert!(
        r.stderr.contains("diagnosis skipped: dry run"),
        "{}",
        r.stderr
    );
    let r = env.run(&["poll", "--input", &input, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("diagnosis skipped: budget exhausted"),
        "{}",
        r.stderr
    );
}

#[test]
fn list_on_a_fresh_machine_is_exit_66_naming_the_path() {
    let env = Env::new();
    let r = env.run(&["list", "--json"]);
    assert_eq!(r.code, 66, "{}", r.stderr);
    assert!(
        r.stderr.contains(&env.db().display().to_string()),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rounds poll"), "{}", r.stderr);
    assert!(!env.db().exists(), "a reader creates nothing");
}

/// A copy of the example whose trace and span ids differ (so every event is new to the ledger).
fn shift_ids(src: &str, dir: &std::path::Path, tag: &str) -> String {
    let text = std::fs::read_to_string(src).unwrap();
    let re = regex::Regex::new(r#""(traceId|spanId)":\s*"([0-9a-f]+)""#).unwrap();
    let salt = tag.len() as u8;
    let out = re.replace_all(&text, |c: &regex::Captures| {
        let id = &c[2];
        let mut chars: Vec<char> = id.chars().collect();
        let last = chars.len() - 2;
        chars[last] =
            std::char::from_digit((chars[last].to_digit(16).unwrap() + salt as u32) % 16, 16)
                .unwrap();
        format!(
            "\"{}\": \"{}\"",
            &c[1],
            chars.into_iter().collect::<String>()
        )
    });
    let path = dir.join(format!("{tag}.jsonl"));
    std::fs::write(&path, out.as_bytes()).unwrap();
    path.display().to_string()
}

/// An OTLP/JSON file with one exception event per timestamp, all of the same bug.
fn same_bug_at(dir: &std::path::Path, name: &str, times: &[&str]) -> String {
    let spans: Vec<serde_json::Value> = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let nanos = humantime_nanos(t);
            serde_json::json!({
                "traceId": format!("{:032x}", 0xabc000 + i + name.len() * 1000),
                "spanId": format!("{:016x}", 0x100 + i + name.len() * 1000),
                "name": "GET /x", "startTimeUnixNano": nanos.to_string(), "endTimeUnixNano": nanos.to_string(),
                "status": {"code": 2},
                "events": [{"name": "exception", "timeUnixNano": nanos.to_string(), "attributes": [
                    {"key": "exception.type", "value": {"stringValue": "TimeoutError"}},
                    {"key": "exception.message", "value": {"stringValue": format!("upstream timed out after {}ms", 100 + i)}}]}]
            })
        })
        .collect();
    let doc = serde_json::json!({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "gateway"}}]}, "scopeSpans": [{"spans": spans}]}]});
    let path = dir.join(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path.display().to_string()
}

fn humantime_nanos(t: &str) -> i64 {
    // 2026-11-DDTHH:00:00Z only, enough for these tests.
    let day: i64 = t[8..10].parse().unwrap();
    let hour: i64 = t[11..13].parse().unwrap();
    let base = 1_795_564_800i64; // 2026-11-25T00:00:00Z
    (base + (day - 25) * 86_400 + hour * 3_600) * 1_000_000_000
}

#[test]
fn fail_on_escalating_compares_day_over_day() {
    let env = Env::new();
    let prev = same_bug_at(env.path(), "prev.json", &["2026-11-24T10:00:00Z"]);
    let last = same_bug_at(
        env.path(),
        "last-day.json",
        &[
            "2026-11-25T09:00:00Z",
            "2026-11-25T10:00:00Z",
            "2026-11-25T11:00:00Z",
        ],
    );
    assert_eq!(
        env.run(&["poll", "--input", &prev, "--notify", "none"])
            .code,
        0
    );
    let calm = env.run(&[
        "poll",
        "--input",
        &last,
        "--notify",
        "none",
        "--fail-on",
        "escalating",
        "--escalation-factor",
        "5",
    ]);
    assert_eq!(calm.code, 0, "3 vs 1 is not a 5x jump: {}", calm.stderr);
    let hot = env.run(&[
        "poll",
        "--input",
        &last,
        "--notify",
        "none",
        "--fail-on",
        "escalating",
        "--escalation-factor",
        "2",
    ]);
    assert_eq!(hot.code, 1, "3 vs 1 is a 2x jump: {}", hot.stderr);
    assert_eq!(total_count(&env), 4);
}

/// Durations and counts that are multiplied or converted are range-checked: out of range is
/// exit 78 with one line naming the variable and its range, before anything is read or written
/// (EVENT_RETENTION_DAYS=999999 once wrapped negative and pruned the whole ledger every pass).
#[test]
fn out_of_range_durations_and_counts_exit_78_naming_variable_and_range() {
    let mut env = Env::new();
    assert_eq!(
        env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"])
            .code,
        0
    );
    let jaeger: &[(&str, &str)] = &[
        ("TELEMETRY_BACKEND", "jaeger"),
        ("JAEGER_API_URL", "http://127.0.0.1:9"),
    ];
    // (variable, bad value, other variables, expected range text, a valid value to restore)
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            "EVENT_RETENTION_DAYS",
            "999999",
            &[],
            "1 days to 36500 days",
            "30",
        ),
        (
            "RESOLVE_AFTER_DAYS",
            "999999",
            &[],
            "1 days to 36500 days",
            "14",
        ),
        (
            "ERROR_LOOKBACK_MINUTES",
            "0",
            &[],
            "1 minutes to 525600 minutes",
            "60",
        ),
        (
            "POLL_OVERLAP_MINUTES",
            "99999999",
            &[],
            "0 minutes to 10080 minutes",
            "5",
        ),
        (
            "MAX_CATCHUP",
            "400d",
            &[],
            "400d is out of range (allowed: 1s to 365d)",
            "24h",
        ),
        ("ROUNDS_LOCK_WAIT", "3d", &[], "0s to 1d", "30s"),
        (
            "DIAGNOSIS_TIMEOUT_SECS",
            "18446744073709551615",
            &[("DIAGNOSIS_BACKEND", "openai")],
            "1 seconds to 86400 seconds",
            "600",
        ),
        ("ROUNDS_HTTP_RETRIES", "99", jaeger, "0 to 20", "0"),
        ("ROUNDS_HTTP_TIMEOUT", "2h", jaeger, "1ms to 1h", "1s"),
    ];
    for (var, value, extra, range, valid) in cases {
        env.set(var, value);
        for (k, v) in extra.iter() {
            env.set(k, v);
        }
        let input = repo(EXAMPLE);
        let mut args = vec!["poll", "--notify", "none"];
        if !extra.iter().any(|(k, _)| *k == "TELEMETRY_BACKEND") {
            args.extend(["--input", input.as_str()]);
        }
        let r = env.run(&args);
        assert_eq!(r.code, 78, "{var}={value}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{var}: one line: {}", r.stderr);
        assert!(lines[0].contains(var), "{var}: {}", r.stderr);
        assert!(
            lines[0].contains(range),
            "{var}: wants {range}: {}",
            r.stderr
        );
        // Back to valid values (the defaults) for the next case.
        env.set(var, valid).set("TELEMETRY_BACKEND", "otlp_file");
        env.set("DIAGNOSIS_BACKEND", "none");
    }
    assert_eq!(total_count(&env), 11, "no setting above touched the ledger");

    // The edge of each range is accepted and keeps the ledger.
    env.set("EVENT_RETENTION_DAYS", "36500")
        .set("RESOLVE_AFTER_DAYS", "36500");
    let r = env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(total_count(&env), 11);
}

/// Every backend option is a flag with its variable, grouped by heading in `poll --help` (and so
/// in the man page and completions); secrets are listed there but are never flags.
#[test]
fn backend_options_are_flags_under_headings_and_secrets_stay_env_only() {
    let env = Env::new();
    let r = env.run(&["poll", "--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for heading in [
        "Telemetry source:",
        "Store and passes:",
        "Jaeger:",
        "Tempo:",
        "Loki:",
        "SigNoz:",
        "HTTP:",
        "Notifications:",
        "Diagnosis:",
    ] {
        assert!(r.stdout.contains(heading), "{heading}\n{}", r.stdout);
    }
    // Help wraps lines: compare with whitespace collapsed.
    let flat = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for (flag, var) in [
        ("--jaeger-url", "JAEGER_API_URL"),
        ("--jaeger-api-version", "JAEGER_API_VERSION"),
        ("--jaeger-tenant", "JAEGER_TENANT"),
        ("--tempo-url", "TEMPO_API_URL"),
        ("--tempo-traceql", "TEMPO_TRACEQL"),
        ("--loki-url", "LOKI_API_URL"),
        ("--loki-query", "LOKI_QUERY"),
        ("--loki-service-label", "LOKI_SERVICE_LABEL"),
        ("--signoz-url", "SIGNOZ_API_URL"),
        ("--http-timeout", "ROUNDS_HTTP_TIMEOUT"),
        ("--http-retries", "ROUNDS_HTTP_RETRIES"),
        ("--services", "ROUNDS_SERVICES"),
    ] {
        assert!(flat.contains(flag), "{flag}");
        assert!(flat.contains(&format!("[env: {var}=")), "{var}");
    }
    let (_, environment) = r
        .stdout
        .split_once("ENVIRONMENT")
        .expect("an ENVIRONMENT section");
    for secret in [
        "JAEGER_BEARER_TOKEN",
        "LOKI_BASIC_AUTH",
        "TEMPO_HTTP_HEADERS",
        "SIGNOZ_API_KEY",
        "OPENAI_API_KEY",
        "GITHUB_TOKEN",
    ] {
        assert!(environment.contains(secret), "{secret}");
    }
    for never in [
        "--jaeger-bearer-token",
        "--signoz-api-key",
        "--basic-auth",
        "--github-token",
    ] {
        assert!(!r.stdout.contains(never), "{never} must not be a flag");
    }
    let man = std::fs::read_to_string(repo("man/rounds-poll.1")).unwrap();
    assert!(man.contains("jaeger\\-url") && man.contains("JAEGER_BEARER_TOKEN"));

    // The wiring reads the parsed flags: a flag alone configures the backend (here out of
    // range, so nothing is contacted).
    let r = env.run(&[
        "poll",
        "--backend",
        "jaeger",
        "--jaeger-url",
        "http://127.0.0.1:9",
        "--http-retries",
        "99",
    ]);
    assert_eq!(r.code, 78, "{}", r.stderr);
    assert!(r.stderr.contains("ROUNDS_HTTP_RETRIES"), "{}", r.stderr);
    // Without the URL the error names both ways to give it.
    let r = env.run(&["poll", "--backend", "tempo"]);
    assert_eq!(r.code, 78, "{}", r.stderr);
    assert!(
        r.stderr.contains("TEMPO_API_URL or --tempo-url"),
        "{}",
        r.stderr
    );
}

/// The README's set-up command, then the two commands it says show something.
#[test]
fn readme_setup_then_list_and_report_since_all_show_the_example() {
    let env = Env::new();
    let r = env.run(&["poll", "--input", &repo(EXAMPLE)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = env.run(&["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.contains("KeyError"), "{}", list.stdout);
    let report = env.run(&["report", "--since", "all", "--format", "json"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let doc = report.json();
    let text = doc.to_string();
    for ty in ["KeyError", "NullPointerException"] {
        assert!(text.contains(ty), "report --since all lacks {ty}: {text}");
    }
    let md = env.run(&["report", "--since", "all"]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(!md.stdout.contains("Nothing to report"), "{}", md.stdout);
}

/// `ignore`, `resolve` and `split` take `--json`: the signatures after the change, in the list's
/// signature shape, with `changed` per signature.
#[test]
fn ignore_resolve_and_split_print_the_changed_signatures_as_json() {
    let env = Env::new();
    let r = env.run(&["poll", "--input", &repo(EXAMPLE)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sigs = list_json(&env);
    let (a, b) = (
        sigs[0]["id"].as_str().unwrap().to_string(),
        sigs[1]["id"].as_str().unwrap().to_string(),
    );
    let r = env.run(&["ignore", &a[..10], &b, "--until", "7d", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(
        (doc["version"].as_u64(), doc["action"].as_str()),
        (Some(2), Some("ignore"))
    );
    let out = doc["signatures"].as_array().unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0]["id"],
        a.as_str(),
        "a prefix comes back as the full id"
    );
    assert_eq!(out[0]["status"], "ignored");
    assert_eq!(out[0]["changed"], true);
    assert!(out[1]["ignored_until"].as_str().is_some(), "{doc}");

    // Reopening one that is not resolved changes nothing, and says so.
    let r = env.run(&["resolve", &a, "--undo", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["action"], "reopen");
    assert_eq!(doc["signatures"][0]["changed"], false);
    assert_eq!(doc["signatures"][0]["status"], "ignored");

    let r = env.run(&["resolve", &b, "--json"]);
    assert_eq!(r.json()["signatures"][0]["status"], "resolved");
    let r = env.run(&["split", &b, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["action"], "split");
    // Without --json stdout stays empty (the messages are on stderr).
    let r = env.run(&["resolve", &a]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    // A typo changes nothing: usage-level failure before any change.
    let r = env.run(&["ignore", &b, "ffffffffffffff", "--json"]);
    assert_ne!(r.code, 0);
    assert_eq!(r.stdout, "");
}
