//! `rounds poll` end to end against loopback Jaeger, Tempo, Loki and SigNoz servers replaying
//! real (and derived) bodies: counting, the cursor, `--check`, and exit codes for every fault.

use crate::support::fake_http;
use crate::support::harness;

use fake_http::{FakeServer, Request, Response};
use harness::Env;

fn fixture(rel: &str) -> String {
    let p = format!(
        "{}/tests/fixtures/backends/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// A server answering Jaeger v1 searches with the derived exception trace (span at 2024-01-31T05:28:29Z).
fn jaeger_server() -> FakeServer {
    let body = fixture("derived/jaeger_v1_search_exception.json");
    FakeServer::start(move |r: &Request| match r.path() {
        "/api/services" => Response::json(
            200,
            r#"{"data":["telemetrygen"],"total":1,"limit":0,"offset":0,"errors":null}"#,
        ),
        "/api/traces" => Response::json(200, body.clone()),
        _ => Response::new(404, "404 page not found"),
    })
}

fn jaeger_env(url: &str) -> Env {
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "jaeger")
        .set("JAEGER_API_URL", url)
        .set("ROUNDS_NOW", "2024-01-31T05:30:00Z")
        .set("ROUNDS_HTTP_BACKOFF", "5ms")
        .set("ROUNDS_HTTP_RETRIES", "1");
    env
}

#[test]
fn jaeger_pass_counts_the_exception_and_the_overlap_counts_it_once() {
    let server = jaeger_server();
    let env = jaeger_env(&server.addr);
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("jaeger: 1 events read, 1 new"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("ZeroDivisionError"), "{}", r.stdout);
    // The first window is ERROR_LOOKBACK_MINUTES (60) before now, in microseconds.
    let search = server
        .requests()
        .into_iter()
        .find(|r| r.path() == "/api/traces")
        .unwrap();
    assert_eq!(
        search.query_param("start").as_deref(),
        Some("1706675400000000")
    );
    assert_eq!(
        search.query_param("end").as_deref(),
        Some("1706679000000000")
    );

    // Ten minutes later: the window starts 5 minutes (the overlap) before the cursor, so the span
    // at 05:28:29 is read again and recognised.
    let mut env2 = env;
    env2.set("ROUNDS_NOW", "2024-01-31T05:40:00Z");
    let r = env2.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("1 events read, 0 new, 0 recurring, 0 regressed, 1 skipped"),
        "{}",
        r.stderr
    );
    let last = server
        .requests()
        .into_iter()
        .rfind(|r| r.path() == "/api/traces")
        .unwrap();
    assert_eq!(
        last.query_param("start").as_deref(),
        Some("1706678700000000"),
        "cursor − overlap"
    );
}

#[test]
fn check_reaches_the_backend_and_lists_services() {
    let server = jaeger_server();
    let env = jaeger_env(&server.addr);
    let r = env.run(&["poll", "--check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("telemetrygen"), "{}", r.stderr);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.path() == "/api/services"),
        "check reads nothing else"
    );
    assert!(!env.db().exists(), "check writes nothing");
}

#[test]
fn rejected_credentials_exit_77_without_the_token() {
    let server = FakeServer::start(|_| Response::new(401, "no"));
    let mut env = jaeger_env(&server.addr);
    env.set("JAEGER_BEARER_TOKEN", "tok-very-secret-42");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 77, "{}", r.stderr);
    assert!(r.stderr.contains(&server.addr), "{}", r.stderr);
    assert!(!r.stderr.contains("tok-very-secret-42") && !r.stdout.contains("tok-very-secret-42"));
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer tok-very-secret-42")
    );
}

#[test]
fn a_401_from_tempo_or_loki_without_a_tenant_exits_77_naming_the_setting() {
    let server = FakeServer::start(|_| Response::new(401, "no org id\n"));
    for (backend, var, url) in [
        ("tempo", "TEMPO_TENANT", "TEMPO_API_URL"),
        ("loki", "LOKI_TENANT", "LOKI_API_URL"),
    ] {
        let mut env = Env::new();
        env.set("TELEMETRY_BACKEND", backend).set(url, &server.addr);
        let r = env.run(&["poll"]);
        assert_eq!(r.code, 77, "{backend}: {}", r.stderr);
        let last = r.stderr.trim_end().lines().last().unwrap_or_default();
        assert!(
            last.contains(&format!("set {var}")) && last.contains("HTTP 401"),
            "{backend}: {}",
            r.stderr
        );
        // With the tenant set, the same 401 is only "credentials rejected".
        env.set(var, "team-a");
        let r = env.run(&["poll"]);
        assert_eq!(r.code, 77, "{backend}: {}", r.stderr);
        assert!(!r.stderr.contains(&format!("set {var}")), "{}", r.stderr);
    }
}

#[test]
fn unreachable_backend_exits_69() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = jaeger_env(&format!("http://127.0.0.1:{port}")).run(&["poll"]);
    assert_eq!(r.code, 69, "{}", r.stderr);
}

#[test]
fn persistent_5xx_exits_75_and_the_next_pass_catches_up() {
    let healthy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = healthy.clone();
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::start(move |_| {
        if flag.load(std::sync::atomic::Ordering::SeqCst) {
            Response::json(200, body.clone())
        } else {
            Response::new(503, "maintenance")
        }
    });
    let mut env = jaeger_env(&server.addr);
    env.set("ROUNDS_SERVICES", "telemetrygen");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 75, "{}", r.stderr);
    assert_eq!(server.requests().len(), 2, "one try and one retry");

    healthy.store(true, std::sync::atomic::Ordering::SeqCst);
    env.set("ROUNDS_NOW", "2024-01-31T06:00:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 events read, 1 new"),
        "the cursor did not move past the failure: {}",
        r.stderr
    );
}

#[test]
fn a_body_that_is_not_the_documented_json_exits_65() {
    let server = FakeServer::start(|_| Response::new(200, "<html>login</html>"));
    let r = jaeger_env(&server.addr).run(&["poll"]);
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(
        r.stderr.contains("/api/services") && r.stderr.contains("<html>login</html>"),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_url_and_bad_headers_exit_78() {
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "tempo");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 78, "{}", r.stderr);
    assert!(r.stderr.contains("TEMPO_API_URL"), "{}", r.stderr);

    let mut env = jaeger_env("http://127.0.0.1:9");
    env.set("ROUNDS_HTTP_HEADERS", "Authorization: Bearer sekrit");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 78, "{}", r.stderr);
    assert!(!r.stderr.contains("sekrit"), "{}", r.stderr);
}

#[test]
fn jaeger_v3_fallback_through_the_binary() {
    let body = fixture("derived/jaeger_v3_search_exception.json");
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/v3/traces" => Response::json(200, body.clone()),
        _ => Response::new(404, "404 page not found"),
    });
    let mut env = jaeger_env(&server.addr);
    env.set("ROUNDS_SERVICES", "orders-api")
        .set("ROUNDS_NOW", "2026-08-21T10:20:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("1 events read, 1 new"), "{}", r.stderr);
    let v3 = server
        .requests()
        .into_iter()
        .find(|r| r.path() == "/api/v3/traces")
        .unwrap();
    assert_eq!(
        v3.query_param("query.start_time_min").as_deref(),
        Some("2026-08-21T09:20:00.000000000Z")
    );
}

#[test]
fn grafana_stack_counts_span_event_and_log_copy_once_across_passes() {
    let search = fixture("tempo/api_search_status_error_response_docs_REPAIRED.json");
    let trace = fixture("derived/tempo_v2_trace_exception.json");
    let tempo_up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let up = tempo_up.clone();
    let tempo = FakeServer::start(move |r: &Request| {
        if !up.load(std::sync::atomic::Ordering::SeqCst) {
            return Response::json(200, r#"{"traces":[]}"#);
        }
        match r.path() {
            "/api/search" => Response::json(200, search.clone()),
            _ => Response::json(200, trace.clone()),
        }
    });
    let logs = fixture("derived/loki_query_range_exception_categorized.json");
    let loki = FakeServer::start(move |_| Response::json(200, logs.clone()));
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "grafana_stack")
        .set("TEMPO_API_URL", &tempo.addr)
        .set("LOKI_API_URL", &loki.addr)
        .set("TEMPO_TENANT", "team-a")
        .set("ROUNDS_NOW", "2026-08-21T10:16:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("1 events read, 1 new"), "{}", r.stderr);
    assert_eq!(tempo.requests()[0].header("x-scope-orgid"), Some("team-a"));
    let q = &loki.requests()[0];
    assert_eq!(
        q.query_param("start").as_deref(),
        Some("1787303760000000000"),
        "nanoseconds"
    );

    // Next pass: Tempo has aged the trace out, Loki still has the log line inside the overlap;
    // the ledger recognises it as the exception already counted.
    tempo_up.store(false, std::sync::atomic::Ordering::SeqCst);
    env.set("ROUNDS_NOW", "2026-08-21T10:18:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("1 events read, 0 new, 0 recurring, 0 regressed, 1 skipped"),
        "{}",
        r.stderr
    );
}

#[test]
fn tempo_pass_sends_seconds() {
    let search = fixture("tempo/api_search_status_error_response_docs_REPAIRED.json");
    let trace = fixture("derived/tempo_v2_trace_servicegraphs.json");
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/search" => Response::json(200, search.clone()),
        _ => Response::json(200, trace.clone()),
    });
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "tempo")
        .set("TEMPO_API_URL", &server.addr)
        .set("ROUNDS_NOW", "2022-07-20T14:05:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("tempo: 3 events read, 3 new"),
        "{}",
        r.stderr
    );
    let s = &server.requests()[0];
    assert_eq!(s.query_param("start").as_deref(), Some("1658322300"));
    // Tempo clamps a search's end to now - 30 s; the search (and the cursor) end there.
    assert_eq!(s.query_param("end").as_deref(), Some("1658325870"));
}

#[test]
fn tempo_errors_chooses_the_built_in_query_and_signoz_exception_index_can_be_off() {
    let server = FakeServer::start(|r: &Request| match r.path() {
        "/api/search" => Response::json(200, r#"{"traces":[],"metrics":{}}"#),
        _ => Response::json(
            200,
            r#"{"status":"success","data":{"type":"raw","data":{"results":[{"queryName":"A","rows":null}]}}}"#,
        ),
    });
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "tempo")
        .set("TEMPO_API_URL", &server.addr)
        .set("TEMPO_ERRORS", "both");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        server.requests()[0].query_param("q").as_deref(),
        Some(r#"{ status = error } || { event:name = "exception" }"#)
    );
    // TEMPO_TRACEQL wins over TEMPO_ERRORS; a value outside the list is a usage error (78).
    env.set("TEMPO_TRACEQL", "{ span.http.status_code >= 500 }");
    let before = server.requests().len();
    assert_eq!(env.run(&["poll"]).code, 0);
    assert_eq!(
        server.requests()[before].query_param("q").as_deref(),
        Some("{ span.http.status_code >= 500 }")
    );
    let mut bad = Env::new();
    bad.set("TELEMETRY_BACKEND", "tempo")
        .set("TEMPO_API_URL", &server.addr)
        .set("TEMPO_ERRORS", "errors");
    let r = bad.run(&["poll"]);
    assert_eq!(r.code, 78, "{}", r.stderr);
    assert!(r.stderr.contains("TEMPO_ERRORS"), "{}", r.stderr);

    let index_queries = |from: usize| {
        server.requests()[from..]
            .iter()
            .filter(|r| r.json()["compositeQuery"]["queries"][0]["type"] == "clickhouse_sql")
            .count()
    };
    let mut signoz = Env::new();
    signoz
        .set("TELEMETRY_BACKEND", "signoz")
        .set("SIGNOZ_API_URL", &server.addr);
    let before = server.requests().len();
    assert_eq!(signoz.run(&["poll"]).code, 0);
    assert_eq!(index_queries(before), 1, "the index is read by default");
    signoz.set("SIGNOZ_EXCEPTION_INDEX", "off");
    let before = server.requests().len();
    assert_eq!(signoz.run(&["poll"]).code, 0);
    assert_eq!(index_queries(before), 0);
    assert!(server.requests().len() > before);
}

#[test]
fn signoz_pass_sends_the_key_and_milliseconds() {
    let body = fixture(
        "signoz/synthetic/SYNTHETIC_v5_response_traces_raw_events_as_json_strings_pre_v0.130.json",
    );
    let server = FakeServer::start(move |r: &Request| {
        if r.json()["compositeQuery"]["queries"][0]["type"] == "clickhouse_sql" {
            // The exception index holds this error span's exception too (read once, counted
            // once) and a handled exception on a span that is not an error (found only there).
            Response::json(
                200,
                fixture(
                    "signoz/synthetic/SYNTHETIC_v5_response_error_index_raw_clickhouse_sql.json",
                ),
            )
        } else {
            Response::json(200, body.clone())
        }
    });
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "signoz")
        .set("SIGNOZ_API_URL", &format!("{}/signoz", server.addr))
        .set("SIGNOZ_API_KEY", "key-abc")
        .set("ROUNDS_NOW", "2026-08-21T10:20:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("signoz: 2 events read, 2 new"),
        "{}",
        r.stderr
    );
    let req = &server.requests()[0];
    assert_eq!(req.path(), "/signoz/api/v5/query_range");
    assert_eq!(req.header("signoz-api-key"), Some("key-abc"));
    assert_eq!(req.json()["end"], 1_787_307_600_000i64);
}

#[test]
fn loki_pass() {
    let body = fixture("derived/loki_query_range_exception_uncategorized.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "loki")
        .set("LOKI_API_URL", &server.addr)
        .set("LOKI_TENANT", "t1")
        .set("ROUNDS_SERVICES", "orders-api")
        .set("ROUNDS_NOW", "2026-08-21T10:20:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("loki: 1 events read, 1 new"),
        "{}",
        r.stderr
    );
    assert_eq!(server.requests()[0].header("x-scope-orgid"), Some("t1"));
}

/// Loki pages of one error line each; page 2 is broken until `healthy` is set.
fn paging_loki(healthy: std::sync::Arc<std::sync::atomic::AtomicBool>) -> FakeServer {
    let template: serde_json::Value = serde_json::from_str(&fixture(
        "derived/loki_query_range_exception_categorized.json",
    ))
    .unwrap();
    let base: i64 = 1_787_307_330_130_000_000;
    FakeServer::start(move |r: &Request| {
        let start: i64 = r.query_param("start").unwrap().parse().unwrap();
        let page = (start - base).max(0);
        if page == 1 && !healthy.load(std::sync::atomic::Ordering::SeqCst) {
            return Response::json(
                200,
                r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["oops"]]}]}}"#,
            );
        }
        let mut body = template.clone();
        let mut stream = body["data"]["result"][0].clone();
        let values: Vec<serde_json::Value> = (0..3i64)
            .map(|i| base + i)
            .filter(|ts| *ts >= start)
            .take(1)
            .map(|ts| {
                let mut v = stream["values"][0].clone();
                v[0] = ts.to_string().into();
                v[2]["structuredMetadata"]["exception_message"] =
                    format!("division by zero at {ts}").into();
                v[2]["structuredMetadata"]["span_id"] =
                    format!("eee19b7ec3c1b17{}", ts - base).into();
                v
            })
            .collect();
        stream["values"] = values.into();
        body["data"]["result"] = serde_json::json!([stream]);
        Response::json(200, body.to_string())
    })
}

#[test]
fn a_pass_that_fails_midway_leaves_counts_and_cursor_unchanged() {
    let healthy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server = paging_loki(healthy.clone());
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "loki")
        .set("LOKI_API_URL", &server.addr)
        .set("POLL_BATCH_SIZE", "1")
        .set("ROUNDS_NOW", "2026-08-21T10:16:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(
        r.stderr.contains("/loki/api/v1/query_range"),
        "{}",
        r.stderr
    );
    let list = env.run(&["list", "--json"]);
    assert_eq!(
        list.json()["signatures"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0),
        0,
        "nothing was counted"
    );

    healthy.store(true, std::sync::atomic::Ordering::SeqCst);
    env.set("ROUNDS_NOW", "2026-08-21T10:30:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("3 events read"),
        "the window starts where the failed pass did: {}",
        r.stderr
    );
    let sigs = env.run(&["list", "--json"]).json()["signatures"]
        .as_array()
        .unwrap()
        .clone();
    let total: u64 = sigs.iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 3);
}

#[test]
fn identical_exceptions_of_one_span_interleaved_with_another_span_count_separately() {
    // A retry loop logs the same exception twice on span A; span B logs in between.
    let mut body: serde_json::Value = serde_json::from_str(&fixture(
        "derived/loki_query_range_exception_categorized.json",
    ))
    .unwrap();
    let stream = body["data"]["result"][0].clone();
    let base: i64 = 1_787_307_330_130_000_000;
    let values: Vec<serde_json::Value> = [
        ("eee19b7ec3c1b174", 0),
        ("0000000000000b0b", 1),
        ("eee19b7ec3c1b174", 2),
    ]
    .iter()
    .map(|(span, dt)| {
        let mut v = stream["values"][0].clone();
        v[0] = (base + dt).to_string().into();
        v[2]["structuredMetadata"]["span_id"] = (*span).into();
        v
    })
    .collect();
    body["data"]["result"] = serde_json::json!([{"stream": stream["stream"], "values": values}]);
    let body = body.to_string();
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "loki")
        .set("LOKI_API_URL", &server.addr)
        .set("ROUNDS_NOW", "2026-08-21T10:16:00Z");
    let r = env.run(&["poll"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("3 events read"), "{}", r.stderr);
    let sigs = env.run(&["list", "--json"]).json()["signatures"]
        .as_array()
        .unwrap()
        .clone();
    let total: u64 = sigs.iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 3, "two occurrences on span A and one on span B");
    // Read again (overlap): still three.
    env.set("ROUNDS_NOW", "2026-08-21T10:18:00Z");
    assert_eq!(env.run(&["poll"]).code, 0);
    let sigs = env.run(&["list", "--json"]).json()["signatures"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        sigs.iter()
            .map(|s| s["count"].as_u64().unwrap())
            .sum::<u64>(),
        3
    );
}
