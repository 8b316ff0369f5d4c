//! Many hosts, one PostgreSQL store: 8 `rounds poll` processes at once (each its own
//! `ROUNDS_INSTANCE`) over overlapping input files, with a fake `claude` that reports a fixed
//! cost, a daily budget that allows exactly 3 diagnoses, and a loopback GitHub. Every event counts
//! once, there are 3 diagnoses, and one issue per signature.

use crate::store_postgres::Schema;
use crate::support::fake_http::{FakeServer, Request, Response};
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

const REPO: &str = "acme/shop";
const PROCESSES: usize = 8;
const SIGNATURES: usize = 6;
const EVENTS: usize = 400;
/// Each file holds this many consecutive events (of a ring of EVENTS): every event is in 3 files.
const PER_FILE: usize = 150;
const STEP: usize = 50;

/// One OTLP/JSON line holding event `e` (signature `e % SIGNATURES`).
fn event_line(e: usize) -> String {
    let k = e % SIGNATURES;
    let at: i64 = 1_795_600_800_000_000_000 + e as i64 * 1_000_000_000; // 2026-11-25T11:00:00Z + e s
    let stack = format!(
        "Traceback (most recent call last):\n  File \"/app/shop/mod{k}.py\", line {}, in handler{k}\n    step{k}()\nFailure{k}Error: step {k} failed\n",
        10 + k
    );
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": format!("svc{}", k % 2)}}]},
        "scopeSpans": [{"spans": [{
            "traceId": format!("{:032x}", 0xabc0000 + e),
            "spanId": format!("{:016x}", 0x1000 + e),
            "name": "GET /x",
            "startTimeUnixNano": at.to_string(),
            "endTimeUnixNano": (at + 1000).to_string(),
            "events": [{"name": "exception", "timeUnixNano": at.to_string(), "attributes": [
                {"key": "exception.type", "value": {"stringValue": format!("Failure{k}Error")}},
                {"key": "exception.message", "value": {"stringValue": format!("step {k} failed")}},
                {"key": "exception.stacktrace", "value": {"stringValue": stack}}
            ]}],
            "status": {"code": 2}
        }]}]
    }]})
    .to_string()
}

/// The issues the fake GitHub holds: (number, title, body, comments).
type Issues = Arc<Mutex<Vec<(u64, String, String, Vec<String>)>>>;

fn github(issues: Issues) -> FakeServer {
    FakeServer::start(move |r: &Request| {
        let mut all = issues.lock().unwrap();
        let base = format!("/repos/{REPO}/issues");
        let path = r.path().to_string();
        let view = |n: u64, title: &str, body: &str| {
            json!({"number": n, "title": title, "body": body, "state": "open",
                   "labels": [{"name": "rounds"}],
                   "html_url": format!("https://github.example/{REPO}/issues/{n}")})
        };
        let Some(rest) = path.strip_prefix(&base) else {
            return Response::json(404, r#"{"message":"Not Found"}"#);
        };
        match (r.method.as_str(), rest.trim_start_matches('/')) {
            ("GET", "") => {
                let list: Vec<Value> = all.iter().map(|(n, t, b, _)| view(*n, t, b)).collect();
                Response::json(200, json!(list).to_string())
            }
            ("POST", "") => {
                let b = r.json();
                let n = all.len() as u64 + 1;
                let (t, body) = (
                    b["title"].as_str().unwrap_or_default().to_string(),
                    b["body"].as_str().unwrap_or_default().to_string(),
                );
                all.push((n, t.clone(), body.clone(), Vec::new()));
                Response::json(201, view(n, &t, &body).to_string())
            }
            (method, rest) => {
                let (num, tail) = rest.split_once('/').unwrap_or((rest, ""));
                let Some(i) = num
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| all.iter().position(|x| x.0 == n))
                else {
                    return Response::json(404, r#"{"message":"Not Found"}"#);
                };
                match (method, tail) {
                    ("GET", "comments") => {
                        let list: Vec<Value> =
                            all[i].3.iter().map(|c| json!({"body": c})).collect();
                        Response::json(200, json!(list).to_string())
                    }
                    ("POST", "comments") => {
                        let body = r.json()["body"].as_str().unwrap_or_default().to_string();
                        all[i].3.push(body.clone());
                        Response::json(201, json!({"body": body}).to_string())
                    }
                    ("PATCH", "") => {
                        if let Some(b) = r.json()["body"].as_str() {
                            all[i].2 = b.to_string();
                        }
                        let (n, t, b, _) = &all[i];
                        Response::json(200, view(*n, t, b).to_string())
                    }
                    _ => Response::json(404, r#"{"message":"Not Found"}"#),
                }
            }
        }
    })
}

/// A fake `claude` that answers every call with the captured success, at a reported $1.00.
fn fake_claude(dir: &Path) -> String {
    let captured = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/llm/cap-claude-success.json"),
    )
    .unwrap()
    .replace("0.0156", "1.0");
    let reply = dir.join("reply.json");
    std::fs::write(&reply, captured).unwrap();
    let p = dir.join("claude");
    std::fs::write(
        &p,
        format!("#!/bin/sh\ncat > /dev/null\ncat '{}'\n", reply.display()),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

#[test]
#[ignore = "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (tests/e2e/postgres.sh)"]
fn eight_hosts_at_once_count_once_diagnose_within_budget_and_open_one_issue_each() {
    let schema = Schema::fresh();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let code = tmp.path().join("code");
    crate::support::diagnosis::scratch_repo(&code);
    let claude = fake_claude(tmp.path());
    let issues: Issues = Arc::new(Mutex::new(Vec::new()));
    let gh = github(issues.clone());

    let files: Vec<String> = (0..PROCESSES)
        .map(|f| {
            let lines: Vec<String> = (0..PER_FILE)
                .map(|i| event_line((f * STEP + i) % EVENTS))
                .collect();
            let p = tmp.path().join(format!("otel-{f}.jsonl"));
            std::fs::write(&p, lines.join("\n") + "\n").unwrap();
            p.display().to_string()
        })
        .collect();

    let children: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            Command::new(env!("CARGO_BIN_EXE_rounds"))
                .args(["poll", "--input", file, "--notify", "github_issue"])
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("HOME", &home)
                .env("XDG_DATA_HOME", &home)
                .env("NO_COLOR", "1")
                .env("ROUNDS_NOW", "2026-11-25T12:00:00Z")
                .env("STORE_BACKEND", "postgresql")
                .env("DATABASE_URL", &schema.url)
                .env("STORE_PG_SCHEMA", &schema.name)
                .env("ROUNDS_INSTANCE", format!("host-{i}"))
                .env("ROUNDS_LOCK_WAIT", "300s")
                .env("DIAGNOSIS_BACKEND", "claude_code")
                .env("CLAUDE_CODE_PATH", &claude)
                .env("CODEBASE_PATH", &code)
                .env("DIAGNOSIS_MODEL", "claude-sonnet-4-5")
                // A call's worst case is its $0.10 cap plus a full context window ($1.08): with
                // $1.00 charged per call, $3.50 a day allows exactly 3 calls.
                .env("DIAGNOSIS_BUDGET_USD", "0.10")
                .env("DAILY_BUDGET_LIMIT", "3.50")
                .env("GITHUB_TOKEN", "test-token")
                .env("GITHUB_REPOSITORY", REPO)
                .env("GITHUB_API_URL", &gh.addr)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "exit {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let mut db = schema.client();
    let one =
        |db: &mut postgres::Client, sql: &str| -> i64 { db.query_one(sql, &[]).unwrap().get(0) };
    // Every event once: 400 in the ledger, 400 counted, each signature its own share.
    assert_eq!(one(&mut db, "SELECT count(*) FROM events"), EVENTS as i64);
    assert_eq!(
        one(&mut db, "SELECT count(*) FROM signatures"),
        SIGNATURES as i64
    );
    assert_eq!(
        one(&mut db, "SELECT sum(count)::BIGINT FROM signatures"),
        EVENTS as i64
    );
    assert_eq!(
        one(&mut db, "SELECT sum(count)::BIGINT FROM hourly_counts"),
        EVENTS as i64
    );
    let counts: Vec<i64> = db
        .query("SELECT count FROM signatures ORDER BY count DESC", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(counts, vec![67, 67, 67, 67, 66, 66]);
    // 8 passes recorded, each instance with its own file checkpoint.
    assert_eq!(
        one(&mut db, "SELECT count(*) FROM passes"),
        PROCESSES as i64
    );
    assert_eq!(
        one(
            &mut db,
            "SELECT count(DISTINCT instance) FROM state WHERE instance <> ''"
        ),
        PROCESSES as i64
    );
    // The shared budget: exactly 3 diagnoses, of 3 different signatures, $3.00 spent.
    assert_eq!(one(&mut db, "SELECT count(*) FROM diagnoses"), 3);
    assert_eq!(
        one(
            &mut db,
            "SELECT count(DISTINCT signature_id) FROM diagnoses"
        ),
        3
    );
    let spent: f64 = db
        .query_one("SELECT sum(cost_usd) FROM spend_ledger", &[])
        .unwrap()
        .get(0);
    assert!((spent - 3.0).abs() < 1e-9, "spent {spent}");
    // One issue per signature, never two: the markers are distinct.
    let issues = issues.lock().unwrap();
    assert_eq!(
        issues.len(),
        SIGNATURES,
        "{:#?}",
        issues.iter().map(|i| &i.1).collect::<Vec<_>>()
    );
    let mut markers: Vec<String> = issues
        .iter()
        .map(|(_, _, body, _)| {
            let start = body.find("<!-- rounds:fingerprint=").expect("marker");
            body[start..].split("-->").next().unwrap().to_string()
        })
        .collect();
    markers.sort();
    markers.dedup();
    assert_eq!(markers.len(), SIGNATURES);
    let posts = gh
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path() == format!("/repos/{REPO}/issues"))
        .count();
    assert_eq!(posts, SIGNATURES);
    assert_eq!(
        one(
            &mut db,
            "SELECT count(*) FROM notifications WHERE state <> 'sent'"
        ),
        0
    );
}
