//! The github_issue notifier end to end: the real binary polls a fixture and talks to a loopback
//! fake of the GitHub REST API that keeps issues and comments like GitHub does.

use crate::support::fake_http;

use fake_http::{FakeServer, Request, Response};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "test-token-0000";
const REPO: &str = "acme/shop";
const SECRETS: [&str; 5] = [
    "eyJhbGciOiJIUzI1NiJ9",
    "ghp_0123456789abcdefghij",
    "hunter2-s3cret",
    "AKIAIOSFODNN7EXAMPLE",
    TOKEN,
];

#[derive(Debug, Clone)]
struct Issue {
    number: u64,
    title: String,
    body: String,
    open: bool,
    labels: Vec<String>,
}

#[derive(Default)]
struct GitHub {
    issues: Vec<Issue>,
    comments: Vec<(u64, String)>,
    /// Answers given before the fake behaves normally (rate limits, errors).
    scripted: VecDeque<Response>,
    /// Answer every request with this (e.g. 401).
    always: Option<Response>,
    reject_create: bool,
}

fn issue_json(i: &Issue) -> Value {
    json!({
        "number": i.number,
        "title": i.title,
        "body": i.body,
        "state": if i.open { "open" } else { "closed" },
        "labels": i.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
        "html_url": format!("https://github.example/{REPO}/issues/{}", i.number),
    })
}

fn handle(gh: &mut GitHub, r: &Request) -> Response {
    if let Some(a) = &gh.always {
        return a.clone();
    }
    if let Some(a) = gh.scripted.pop_front() {
        return a;
    }
    let base = format!("/repos/{REPO}/issues");
    let path = r.path().to_string();
    // GitHub's own limit: a body over 65,536 characters is refused, on every attempt.
    if r.method != "GET"
        && r.json()["body"]
            .as_str()
            .is_some_and(|b| b.chars().count() > 65_536)
    {
        return Response::json(
            422,
            r#"{"message":"Validation Failed","errors":[{"resource":"Issue","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}]}"#,
        );
    }
    let ok = |v: Value| Response::json(200, v.to_string());
    match (r.method.as_str(), path.strip_prefix(&base)) {
        ("GET", Some("")) => {
            assert_eq!(r.query_param("labels").as_deref(), Some("rounds"));
            assert_eq!(r.query_param("state").as_deref(), Some("all"));
            let list: Vec<Value> = gh
                .issues
                .iter()
                .filter(|i| i.labels.iter().any(|l| l == "rounds"))
                .map(issue_json)
                .collect();
            ok(json!(list))
        }
        ("POST", Some("")) => {
            if gh.reject_create {
                return Response::json(
                    422,
                    r#"{"message":"Validation Failed","errors":[{"resource":"Issue","code":"invalid","field":"labels"}]}"#,
                );
            }
            let b = r.json();
            let issue = Issue {
                number: gh.issues.len() as u64 + 1,
                title: b["title"].as_str().unwrap_or_default().to_string(),
                body: b["body"].as_str().unwrap_or_default().to_string(),
                open: true,
                labels: b["labels"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|l| l.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            gh.issues.push(issue.clone());
            Response::json(201, issue_json(&issue).to_string())
        }
        (method, Some(rest)) => {
            let rest = rest.trim_start_matches('/');
            let (num, tail) = rest.split_once('/').unwrap_or((rest, ""));
            let Ok(num) = num.parse::<u64>() else {
                return Response::json(404, r#"{"message":"Not Found"}"#);
            };
            let Some(idx) = gh.issues.iter().position(|i| i.number == num) else {
                return Response::json(404, r#"{"message":"Not Found"}"#);
            };
            match (method, tail) {
                ("GET", "comments") => ok(json!(gh
                    .comments
                    .iter()
                    .filter(|(n, _)| *n == num)
                    .map(|(_, b)| json!({"body": b}))
                    .collect::<Vec<_>>())),
                ("POST", "comments") => {
                    let body = r.json()["body"].as_str().unwrap_or_default().to_string();
                    gh.comments.push((num, body.clone()));
                    Response::json(201, json!({"body": body}).to_string())
                }
                ("PATCH", "") => {
                    let b = r.json();
                    let i = &mut gh.issues[idx];
                    if let Some(s) = b["body"].as_str() {
                        i.body = s.to_string();
                    }
                    if let Some(s) = b["state"].as_str() {
                        i.open = s == "open";
                    }
                    if let Some(ls) = b["labels"].as_array() {
                        i.labels = ls
                            .iter()
                            .filter_map(|l| l.as_str().map(String::from))
                            .collect();
                    }
                    ok(issue_json(i))
                }
                _ => Response::json(404, r#"{"message":"Not Found"}"#),
            }
        }
        _ => Response::json(404, r#"{"message":"Not Found"}"#),
    }
}

struct Fake {
    server: FakeServer,
    gh: Arc<Mutex<GitHub>>,
}

fn fake(gh: GitHub) -> Fake {
    let gh = Arc::new(Mutex::new(gh));
    let g2 = gh.clone();
    let server = FakeServer::start(move |r| handle(&mut g2.lock().unwrap(), r));
    Fake { server, gh }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/notify")
        .join(name)
}

fn rounds(home: &Path, api: &str, now: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(args)
        .arg("--db")
        .arg(home.join("rounds.db"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("ROUNDS_NOW", now)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", api)
        .env("ESCALATION_FACTOR", "3")
        .output()
        .expect("run rounds")
}

fn poll(home: &Path, api: &str, now: &str, input: &str) -> Output {
    rounds(
        home,
        api,
        now,
        &[
            "poll",
            "--input",
            fixture(input).to_str().unwrap(),
            "--notify",
            "github_issue",
        ],
    )
}

const NOW1: &str = "2026-11-25T12:30:00Z";

fn assert_clean(reqs: &[Request]) {
    assert!(!reqs.is_empty());
    for r in reqs {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(
            r.header("user-agent").unwrap_or("").starts_with("rounds/"),
            "{r:?}"
        );
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
        let body = r.body_str();
        for s in SECRETS {
            assert!(
                !body.contains(s),
                "secret {s} sent in {} {}: {body}",
                r.method,
                r.target
            );
        }
        if r.method != "GET" {
            assert_eq!(r.header("content-type"), Some("application/json"));
            let v = r.json();
            // Telemetry cannot inject HTML, mentions or links into what GitHub renders.
            let body = v["body"].as_str().unwrap_or_default();
            for bad in [
                "<script",
                "<img",
                "@everyone",
                "](http",
                "![pixel]",
                "http://evil",
            ] {
                assert!(!body.contains(bad), "{bad} in body: {body}");
            }
            // Titles are plain text; only a mention could still do harm there.
            assert!(!v["title"]
                .as_str()
                .unwrap_or_default()
                .contains("@everyone"));
        }
    }
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn creates_one_issue_per_signature_and_finds_it_again() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub::default());
    let o = poll(home.path(), &f.server.addr, NOW1, "pass1.json");
    ok(&o);
    let reqs = f.server.requests();
    assert_clean(&reqs);
    {
        let gh = f.gh.lock().unwrap();
        assert_eq!(gh.issues.len(), 3, "one issue per signature");
        for i in &gh.issues {
            assert!(i.body.contains("<!-- rounds:fingerprint="), "{}", i.body);
            assert!(i.title.starts_with("[rounds] "));
            assert!(i.labels.contains(&"rounds".to_string()));
            assert!(
                i.labels.contains(&"status:new".to_string()),
                "{:?}",
                i.labels
            );
        }
        let inv = gh
            .issues
            .iter()
            .find(|i| i.title.contains("InventoryError"))
            .unwrap();
        assert!(inv.labels.contains(&"service:checkout".to_string()));
        assert!(inv.body.contains("@\u{200b}everyone"), "{}", inv.body);
        assert!(inv.body.contains("&lt;script"));
        assert!(
            inv.body.contains("[REDACTED:github_token]")
                || inv.body.contains("\\[REDACTED:github\\_token\\]")
        );
        let auth = gh
            .issues
            .iter()
            .find(|i| i.title.contains("OperationalError"))
            .unwrap();
        assert!(auth.labels.contains(&"service:auth".to_string()));
        // The payment signature jumped from 2 to 6 a day: one escalation comment, not one per event.
        let pay = gh
            .issues
            .iter()
            .find(|i| i.title.contains("PaymentDeclinedError"))
            .unwrap();
        let esc: Vec<_> = gh
            .comments
            .iter()
            .filter(|(n, _)| *n == pay.number)
            .collect();
        assert_eq!(esc.len(), 1, "{:?}", gh.comments);
        assert!(esc[0]
            .1
            .contains("**Escalating**: 6 occurrences in the last 24 h, 2 in the 24 h before"));
        assert_eq!(gh.comments.len(), 1);
    }
    let creates = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path().ends_with("/issues"))
        .count();
    assert_eq!(creates, 3);

    // The same input again: already counted, nothing announced, GitHub not even asked.
    let before = f.server.requests().len();
    ok(&poll(home.path(), &f.server.addr, NOW1, "pass1.json"));
    assert_eq!(f.server.requests().len(), before);

    // State lost (a new database): the issues are found again through their markers.
    let other = tempfile::tempdir().unwrap();
    ok(&poll(other.path(), &f.server.addr, NOW1, "pass1.json"));
    let gh = f.gh.lock().unwrap();
    assert_eq!(gh.issues.len(), 3, "no duplicate issues");
    assert_eq!(
        gh.comments.len(),
        1,
        "the escalation comment is found by its marker"
    );
    let reqs = f.server.requests();
    assert_clean(&reqs[before..]);
    assert!(reqs[before..]
        .iter()
        .all(|r| !(r.method == "POST" && r.path().ends_with("/issues"))));
}

#[test]
fn regression_comments_once_and_reopens_the_closed_issue() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub::default());
    ok(&poll(home.path(), &f.server.addr, NOW1, "pass1.json"));
    let inv_number = {
        let mut gh = f.gh.lock().unwrap();
        let i = gh
            .issues
            .iter_mut()
            .find(|i| i.title.contains("InventoryError"))
            .unwrap();
        i.open = false; // closed by a human after a fix
        i.number
    };
    let inv_id = {
        let gh = f.gh.lock().unwrap();
        let body = &gh.issues[inv_number as usize - 1].body;
        let s = body.find("fingerprint=").unwrap() + "fingerprint=".len();
        body[s..s + 12].to_string()
    };
    ok(&rounds(
        home.path(),
        &f.server.addr,
        "2026-11-26T00:00:00Z",
        &["resolve", &inv_id],
    ));
    let before = f.server.requests().len();
    ok(&poll(
        home.path(),
        &f.server.addr,
        "2026-11-27T11:00:00Z",
        "pass2.json",
    ));
    {
        let gh = f.gh.lock().unwrap();
        assert_eq!(gh.issues.len(), 3);
        let i = &gh.issues[inv_number as usize - 1];
        assert!(i.open, "reopened on regression");
        assert!(
            i.labels.contains(&"status:regressed".to_string()),
            "{:?}",
            i.labels
        );
        let c: Vec<_> = gh
            .comments
            .iter()
            .filter(|(n, _)| *n == inv_number)
            .collect();
        assert_eq!(c.len(), 1);
        assert!(c[0].1.contains("**Regressed**"), "{}", c[0].1);
    }
    let reqs = f.server.requests();
    assert_clean(&reqs[before..]);
    let patch = reqs[before..]
        .iter()
        .find(|r| r.method == "PATCH")
        .expect("a PATCH");
    assert_eq!(patch.json()["state"], "open");
    // Rerun: already counted, nothing new to say.
    ok(&poll(
        home.path(),
        &f.server.addr,
        "2026-11-27T11:05:00Z",
        "pass2.json",
    ));
    assert_eq!(
        f.gh.lock()
            .unwrap()
            .comments
            .iter()
            .filter(|(n, _)| *n == inv_number)
            .count(),
        1
    );
}

#[test]
fn waits_out_a_rate_limit_with_retry_after() {
    let home = tempfile::tempdir().unwrap();
    let mut gh = GitHub::default();
    gh.scripted.push_back(
        Response::json(429, r#"{"message":"API rate limit exceeded"}"#).header("Retry-After", "1"),
    );
    gh.scripted.push_back(
        Response::json(
            403,
            r#"{"message":"You have exceeded a secondary rate limit"}"#,
        )
        .header("Retry-After", "1"),
    );
    let f = fake(gh);
    let t = Instant::now();
    ok(&poll(home.path(), &f.server.addr, NOW1, "pass1.json"));
    assert!(
        t.elapsed() >= Duration::from_secs(2),
        "waited {:?}",
        t.elapsed()
    );
    let reqs = f.server.requests();
    assert_eq!(
        reqs[0].target, reqs[1].target,
        "the limited request is retried"
    );
    assert_eq!(reqs[1].target, reqs[2].target);
    assert_eq!(f.gh.lock().unwrap().issues.len(), 3);
}

#[test]
fn a_rate_limit_longer_than_the_bound_is_transient() {
    let home = tempfile::tempdir().unwrap();
    let gh = GitHub {
        always: Some(
            Response::json(403, r#"{"message":"API rate limit exceeded"}"#)
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", "99999999999"),
        ),
        ..GitHub::default()
    };
    let f = fake(gh);
    let o = poll(home.path(), &f.server.addr, NOW1, "pass1.json");
    assert_eq!(
        o.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(f.server.requests().len(), 1, "no hammering a limited API");
}

#[test]
fn rejected_credentials_exit_77_after_one_request() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub {
        always: Some(Response::json(401, r#"{"message":"Bad credentials"}"#)),
        ..GitHub::default()
    });
    let o = poll(home.path(), &f.server.addr, NOW1, "pass1.json");
    assert_eq!(o.status.code(), Some(77));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("credentials rejected"), "{err}");
    assert!(!err.contains(TOKEN));
    assert_eq!(f.server.requests().len(), 1);
}

#[test]
fn validation_failure_exits_65() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub {
        reject_create: true,
        ..GitHub::default()
    });
    let o = poll(home.path(), &f.server.addr, NOW1, "pass1.json");
    assert_eq!(o.status.code(), Some(65));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("422") && err.contains("Validation Failed"),
        "{err}"
    );
}

#[test]
fn unreachable_api_exits_69_and_missing_token_78() {
    let home = tempfile::tempdir().unwrap();
    let o = poll(home.path(), "http://127.0.0.1:9", NOW1, "pass1.json");
    assert_eq!(
        o.status.code(),
        Some(69),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["poll", "--notify", "github_issue", "--input"])
        .arg(fixture("pass1.json"))
        .arg("--db")
        .arg(home.path().join("other.db"))
        .env_clear()
        .env("HOME", home.path())
        .env("GITHUB_REPOSITORY", REPO)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(78));
}

#[test]
fn a_dry_run_never_touches_github() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub::default());
    let o = rounds(
        home.path(),
        &f.server.addr,
        NOW1,
        &[
            "poll",
            "--dry-run",
            "--input",
            fixture("pass1.json").to_str().unwrap(),
            "--notify",
            "stdout,github_issue",
        ],
    );
    ok(&o);
    assert!(f.server.requests().is_empty());
    // The stdout channel still shows what would be announced.
    assert_eq!(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.starts_with("new"))
            .count(),
        3
    );
}

#[test]
fn a_100_kb_message_still_opens_an_issue_within_githubs_limit() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub::default());
    let input = home.path().join("big.jsonl");
    let message = format!("order rejected: {}", "x".repeat(100 * 1024));
    let stack = (0..5000)
        .map(|i| format!("  at com.acme.Step{i}.run(Step.java:{i})"))
        .collect::<Vec<_>>()
        .join("\n");
    let line = json!({"resourceLogs":[{"resource":{"attributes":[
        {"key":"service.name","value":{"stringValue":"shop"}}]},
      "scopeLogs":[{"logRecords":[{"timeUnixNano":"1764072000000000000","severityNumber":17,
        "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","attributes":[
          {"key":"exception.type","value":{"stringValue":"BigError"}},
          {"key":"exception.message","value":{"stringValue":message}},
          {"key":"exception.stacktrace","value":{"stringValue":stack}}]}]}]}]});
    std::fs::write(&input, format!("{line}\n")).unwrap();
    // Raise the ingest caps so the body, not the store, is what must be sized.
    let o = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args([
            "poll",
            "--input",
            input.to_str().unwrap(),
            "--notify",
            "github_issue",
        ])
        .arg("--db")
        .arg(home.path().join("rounds.db"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("ROUNDS_NOW", NOW1)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", &f.server.addr)
        .env("ROUNDS_MAX_MESSAGE_BYTES", "1M")
        .env("ROUNDS_MAX_STACK_BYTES", "1M")
        .env("ROUNDS_MAX_STACK_FRAMES", "100000")
        .output()
        .unwrap();
    ok(&o);
    let gh = f.gh.lock().unwrap();
    assert_eq!(gh.issues.len(), 1, "the issue was opened");
    let body = &gh.issues[0].body;
    let chars = body.chars().count();
    eprintln!("issue body: {chars} characters");
    assert!(chars <= 65_536, "{chars}");
    assert!(
        body.contains("truncated by rounds") || body.contains(" bytes\\]"),
        "a note says what was cut"
    );
    assert!(!body.contains(&"x".repeat(20_000)), "the sample was cut");
    assert!(
        body.contains("<!-- rounds:fingerprint"),
        "the marker survives the cut"
    );
}

// The outbox: intents left by a failed or cut-short pass are retried by later passes.

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn outbox(home: &Path) -> Vec<(String, String, i64)> {
    let db = rusqlite::Connection::open(home.join("rounds.db")).unwrap();
    let mut st = db
        .prepare(
            "SELECT dedup_key, state, attempts FROM notifications ORDER BY dedup_key, signature_id",
        )
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn posts(reqs: &[Request]) -> usize {
    reqs.iter().filter(|r| r.method == "POST").count()
}

#[test]
fn a_502_is_retried_next_pass_without_new_events_respecting_backoff() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub {
        always: Some(Response::json(502, r#"{"message":"Bad Gateway"}"#)),
        ..GitHub::default()
    });
    let o = poll(home.path(), &f.server.addr, NOW1, "pass1.json");
    assert_eq!(code(&o), Some(75), "{}", stderr(&o));
    // Every selected notification has its intent, though the channel went down at the first.
    let rows = outbox(home.path());
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|(_, s, _)| s == "intent"), "{rows:?}");
    f.gh.lock().unwrap().always = None;

    // One minute later: inside the 5-minute backoff, GitHub is not asked.
    let before = f.server.requests().len();
    ok(&poll(
        home.path(),
        &f.server.addr,
        "2026-11-25T12:31:00Z",
        "pass1.json",
    ));
    assert_eq!(f.server.requests().len(), before, "backoff respected");

    // Six minutes later, no new events: the whole outbox is sent.
    let o = poll(
        home.path(),
        &f.server.addr,
        "2026-11-25T12:36:00Z",
        "pass1.json",
    );
    ok(&o);
    assert!(
        stderr(&o).contains("outbox: 4 notification(s) from earlier passes sent"),
        "{}",
        stderr(&o)
    );
    {
        let gh = f.gh.lock().unwrap();
        assert_eq!(gh.issues.len(), 3, "one issue per signature");
        assert_eq!(gh.comments.len(), 1, "the escalation comment");
    }
    assert!(outbox(home.path()).iter().all(|(_, s, _)| s == "sent"));
    assert_clean(&f.server.requests()[before..]);

    // Sent stays sent: a later pass announces nothing again.
    let before = f.server.requests().len();
    ok(&poll(
        home.path(),
        &f.server.addr,
        "2026-11-25T13:00:00Z",
        "pass1.json",
    ));
    assert_eq!(posts(&f.server.requests()[before..]), 0);
    assert_eq!(f.gh.lock().unwrap().issues.len(), 3);
}

#[test]
fn a_crash_shaped_intent_is_sent_next_pass_once() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub::default());
    ok(&poll(home.path(), &f.server.addr, NOW1, "pass1.json"));
    // As if the process died after writing each intent and before sending: intents with no
    // attempt recorded, and nothing on GitHub.
    {
        let db = rusqlite::Connection::open(home.path().join("rounds.db")).unwrap();
        let n = db
            .execute(
                "UPDATE notifications SET state = 'intent', external_ref = NULL, attempts = 0, next_attempt = 0, first_at = NULL",
                [],
            )
            .unwrap();
        assert_eq!(n, 4);
        let mut gh = f.gh.lock().unwrap();
        gh.issues.clear();
        gh.comments.clear();
    }
    let o = poll(
        home.path(),
        &f.server.addr,
        "2026-11-25T12:40:00Z",
        "pass1.json",
    );
    ok(&o);
    {
        let gh = f.gh.lock().unwrap();
        assert_eq!(gh.issues.len(), 3, "{}", stderr(&o));
        assert_eq!(gh.comments.len(), 1);
    }
    let rows = outbox(home.path());
    assert!(
        rows.iter().all(|(_, s, a)| s == "sent" && *a == 1),
        "{rows:?}"
    );
    let before = f.server.requests().len();
    ok(&poll(
        home.path(),
        &f.server.addr,
        "2026-11-25T13:40:00Z",
        "pass1.json",
    ));
    assert_eq!(posts(&f.server.requests()[before..]), 0, "at most once");
}

#[test]
fn intents_older_than_seven_days_are_reported_and_given_up() {
    let home = tempfile::tempdir().unwrap();
    let f = fake(GitHub {
        always: Some(Response::json(502, r#"{"message":"Bad Gateway"}"#)),
        ..GitHub::default()
    });
    let o = poll(home.path(), &f.server.addr, NOW1, "pass1.json");
    assert_eq!(code(&o), Some(75), "{}", stderr(&o));
    f.gh.lock().unwrap().always = None;
    let before = f.server.requests().len();
    let o = poll(
        home.path(),
        &f.server.addr,
        "2026-12-03T12:31:00Z",
        "pass1.json",
    );
    ok(&o);
    let err = stderr(&o);
    assert_eq!(
        err.matches("github_issue: gave up on notification").count(),
        4,
        "{err}"
    );
    assert!(err.contains("over 7 days"), "{err}");
    assert_eq!(posts(&f.server.requests()[before..]), 0);
    assert!(outbox(home.path()).iter().all(|(_, s, _)| s == "given_up"));
    // Reported once, not retried forever.
    let o = poll(
        home.path(),
        &f.server.addr,
        "2026-12-03T13:31:00Z",
        "pass1.json",
    );
    ok(&o);
    assert!(!stderr(&o).contains("gave up"), "{}", stderr(&o));
    assert_eq!(f.gh.lock().unwrap().issues.len(), 0);
}

/// With CODEBASE_PATH a git checkout, the issue body names the suspect commit (the one that
/// wrote the line before first seen, not the later edit), escaped and in the body's bounds.
#[test]
fn the_issue_body_names_suspect_commits_from_the_checkout() {
    let home = tempfile::tempdir().unwrap();
    let checkout = tempfile::tempdir().unwrap();
    let bob = crate::suspects::example_checkout(checkout.path());
    let f = fake(GitHub::default());
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/otlp-errors.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["poll", "--input", example.to_str().unwrap()])
        .args(["--notify", "github_issue", "--db"])
        .arg(home.path().join("rounds.db"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .env("ROUNDS_NOW", NOW1)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", &f.server.addr)
        .env("CODEBASE_PATH", checkout.path())
        .output()
        .unwrap();
    ok(&o);
    let gh = f.gh.lock().unwrap();
    let body = gh
        .issues
        .iter()
        .map(|i| i.body.as_str())
        .find(|b| b.contains("KeyError"))
        .unwrap_or_else(|| panic!("no KeyError issue: {:?}", gh.issues));
    let want = format!(
        "1. `{}` 2023-11-15T22:13:20Z Bob: cart: index by user id (`checkout/cart.py:41`)",
        &bob[..12]
    );
    assert!(body.contains("Suspect commits"), "{body}");
    assert!(body.contains(&want), "{body}");
    assert!(!body.contains("tolerate unknown users"), "{body}");
}
