//! Error storms against a loopback Jaeger v1 query API that keeps Jaeger's search semantics
//! (checked against jaeger v1.76.0 `internal/storage/v2/memory/tenant.go`): traces come back
//! newest first, at most `limit` of them (`limit` above the store's size is an HTTP 500), and a
//! trace matches when any of its spans starts inside `[start, end]` (microseconds, both ends
//! inclusive). The traces are the real captured Jaeger trace, re-identified and re-timed.
//!
//! Proves: every event of a dense storm is read through window splitting; a window that is
//! still full at one microsecond holds the cursor at its start and exits 75 naming the
//! service and window, and a later pass that can read it counts every event exactly once.

use crate::support::fake_http;
use crate::support::harness;

use fake_http::{FakeServer, Request, Response};
use harness::{repo, Env};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// `ROUNDS_NOW` of the harness, in microseconds.
const NOW_US: i64 = 1_795_608_000_000_000;
const MAX_TRACES: usize = 100_000;

struct Store {
    /// In insertion order; searches walk it newest first.
    traces: Vec<(i64, Value)>,
}

/// The captured trace whose error span (`reserve`) is re-identified and moved to `start_us`.
fn trace_at(template: &Value, n: usize, start_us: i64) -> Value {
    let mut t = template.clone();
    let id = format!("{:032x}", 0x5707_0000_0000u64 + n as u64);
    let first = t["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["startTime"].as_i64().unwrap())
        .min()
        .unwrap();
    t["traceID"] = Value::from(id.clone());
    for s in t["spans"].as_array_mut().unwrap() {
        s["traceID"] = Value::from(id.clone());
        let shifted = s["startTime"].as_i64().unwrap() - first + start_us;
        s["startTime"] = Value::from(shifted);
        for r in s["references"].as_array_mut().unwrap() {
            r["traceID"] = Value::from(id.clone());
        }
        for l in s["logs"].as_array_mut().unwrap() {
            let ts = l["timestamp"].as_i64().unwrap() - first + start_us;
            l["timestamp"] = Value::from(ts);
        }
    }
    t
}

fn template() -> Value {
    let captured: Value = serde_json::from_str(
        &std::fs::read_to_string(repo(
            "tests/e2e/captured/jaeger-v2.13.0_api_traces_search.json",
        ))
        .unwrap(),
    )
    .unwrap();
    captured["data"][0].clone()
}

fn service_of(t: &Value) -> String {
    t["processes"]["p1"]["serviceName"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Jaeger's search over the store.
fn search(store: &Store, r: &Request) -> Response {
    let q = |k: &str| r.query_param(k);
    let limit: usize = q("limit").and_then(|v| v.parse().ok()).unwrap_or(100);
    if limit == 0 || limit > MAX_TRACES {
        return Response::json(
            500,
            r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"search depth must be greater than 0 and less than max traces"}]}"#,
        );
    }
    let start: i64 = q("start").and_then(|v| v.parse().ok()).unwrap_or(0);
    let end: i64 = q("end").and_then(|v| v.parse().ok()).unwrap_or(i64::MAX);
    let service = q("service").unwrap_or_default();
    let want_error = q("tags").is_some_and(|t| t.contains("error"));
    let mut out = Vec::new();
    for (_, t) in store.traces.iter().rev() {
        if out.len() == limit {
            break;
        }
        if service_of(t) != service {
            continue;
        }
        let hit = t["spans"].as_array().unwrap().iter().any(|s| {
            let st = s["startTime"].as_i64().unwrap();
            let error = s["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|tg| tg["key"] == "error" && tg["value"] == true);
            st >= start && st <= end && (!want_error || error)
        });
        if hit {
            out.push(t.clone());
        }
    }
    let body = serde_json::json!({"data": out, "total": out.len(), "limit": 0, "offset": 0, "errors": null});
    Response::json(200, body.to_string())
}

fn jaeger(store: Arc<Mutex<Store>>) -> FakeServer {
    FakeServer::start(move |r: &Request| {
        let store = store.lock().unwrap();
        match r.path() {
            "/api/services" => {
                let mut names: Vec<String> =
                    store.traces.iter().map(|(_, t)| service_of(t)).collect();
                names.sort();
                names.dedup();
                Response::json(
                    200,
                    serde_json::json!({"data": names, "total": names.len(), "errors": null})
                        .to_string(),
                )
            }
            "/api/traces" => search(&store, r),
            _ => Response::new(404, "404 page not found\n"),
        }
    })
}

fn env_for(server: &FakeServer, batch: usize) -> Env {
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "jaeger")
        .set("JAEGER_API_URL", &server.addr)
        .set("JAEGER_API_VERSION", "v1")
        .set("POLL_BATCH_SIZE", &batch.to_string())
        .set("ROUNDS_HTTP_RETRIES", "0");
    env
}

fn errors_per_trace(template: &Value) -> u64 {
    template["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|tg| tg["key"] == "error" && tg["value"] == true)
        })
        .count() as u64
}

#[test]
fn a_storm_of_1208_errors_in_one_second_is_read_whole_with_a_20_trace_limit() {
    let t = template();
    let per = errors_per_trace(&t);
    assert!(per >= 1);
    let storm_start = NOW_US - 10 * 60 * 1_000_000;
    let store = Store {
        traces: (0..1208)
            .map(|i| {
                let at = storm_start + (i as i64 * 1_000_000) / 1208;
                (at, trace_at(&t, i, at))
            })
            .collect(),
    };
    let server = jaeger(Arc::new(Mutex::new(store)));
    let env = env_for(&server, 20);
    let r = env.run(&["poll", "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("may be missing"), "{}", r.stderr);
    assert_eq!(
        env.total_count(),
        1208 * per,
        "every error of the storm: {}",
        r.stderr
    );
    let searches = server
        .requests()
        .iter()
        .filter(|r| r.path() == "/api/traces")
        .count();
    eprintln!("storm: 1208 traces read in {searches} searches");
}

#[test]
fn a_microsecond_denser_than_the_limit_holds_the_cursor_and_exits_75_then_is_read() {
    let t = template();
    let per = errors_per_trace(&t);
    let dense_us = NOW_US - 20 * 60 * 1_000_000;
    // 10 traces before, 30 in one microsecond, 10 after.
    let mut traces = Vec::new();
    for i in 0..10 {
        let at = dense_us - 1_000_000 + i * 1000;
        traces.push((at, trace_at(&t, i as usize, at)));
    }
    for i in 0..30 {
        traces.push((dense_us, trace_at(&t, 100 + i, dense_us)));
    }
    for i in 0..10 {
        let at = dense_us + 1_000_000 + i * 1000;
        traces.push((at, trace_at(&t, 200 + i as usize, at)));
    }
    let server = jaeger(Arc::new(Mutex::new(Store { traces })));
    let env = env_for(&server, 20);
    let r = env.run(&["poll", "--notify", "none"]);
    assert_eq!(r.code, 75, "{}", r.stderr);
    let svc = service_of(&t);
    assert!(
        regex::Regex::new(&format!(
            r"jaeger: service {svc}: 2026-11-25T11:40:00\.0000(\d\d)000Z \.\. 2026-11-25T11:40:00\.0000\d\d000Z: more than 20 traces in one microsecond"
        ))
        .unwrap()
        .is_match(&r.stderr),
        "names the service and the window: {}",
        r.stderr
    );
    assert!(r.stderr.contains("the cursor stays at"), "{}", r.stderr);
    assert_eq!(
        env.total_count(),
        10 * per,
        "what came before the dense microsecond is counted, nothing after it yet"
    );
    let cursor: i64 = rusqlite::Connection::open(env.db())
        .unwrap()
        .query_row("SELECT position FROM cursors", [], |r| r.get(0))
        .unwrap();
    let dense_error_us = trace_at(&t, 100, dense_us)["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["tags"].to_string().contains(r#""key":"error""#))
        .map(|s| s["startTime"].as_i64().unwrap())
        .min()
        .unwrap();
    assert!(
        cursor <= dense_error_us * 1000 && cursor > (dense_error_us - 1_000_000) * 1000,
        "cursor {cursor} held at the dense microsecond {}",
        dense_error_us * 1000
    );

    // The same pass again (the storm is still too dense) holds again; nothing is double-counted.
    let r = env.run(&["poll", "--notify", "none"]);
    assert_eq!(r.code, 75, "{}", r.stderr);
    assert_eq!(env.total_count(), 10 * per);

    // With a limit that fits, the next pass continues from the held window and reads the rest.
    let mut env = env;
    env.set("POLL_BATCH_SIZE", "40");
    let r = env.run(&["poll", "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.total_count(), 50 * per, "{}", r.stderr);
}
