//! Jaeger adapter against a loopback server replaying real (and derived) Jaeger bodies.

use crate::support::fake_http;

use fake_http::{FakeServer, Request, Response};
use rounds::adapters::telemetry::jaeger::{JaegerApiVersion, JaegerConfig, JaegerSource};
use rounds::core::model::{ErrorEvent, EventOrigin};
use rounds::core::ports::telemetry::{FetchReport, PollWindow, TelemetryError, TelemetrySource};
use std::time::Duration;

fn fixture(rel: &str) -> String {
    let p = format!(
        "{}/tests/fixtures/backends/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn config(base: &str, services: &[&str]) -> JaegerConfig {
    let mut c = JaegerConfig::new(base);
    c.services = services.iter().map(|s| s.to_string()).collect();
    c.http.backoff_base = Duration::from_millis(5);
    c.http.retries = 2;
    c.http.timeout = Duration::from_secs(5);
    c
}

fn fetch(
    src: &mut JaegerSource,
    w: PollWindow,
) -> Result<(Vec<ErrorEvent>, FetchReport), TelemetryError> {
    let mut out = Vec::new();
    let report = src.fetch(w, &mut |e| {
        out.push(e);
        Ok(())
    })?;
    Ok((out, report))
}

/// The span of the derived v1 exception fixture starts at 1706678909209712 µs.
const V1_WINDOW: PollWindow = PollWindow {
    start: 1_706_678_909_000_000_000,
    end: 1_706_678_910_000_000_000,
};
/// The synthetic OTLP exception span starts at 1787307330115000000 ns.
const V3_WINDOW: PollWindow = PollWindow {
    start: 1_787_307_330_000_000_000,
    end: 1_787_307_331_000_000_000,
};

const EMPTY_V1: &str = r#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#;
const NO_TRACES_V3: &str = r#"{"error":{"httpCode":404,"message":"No traces found"}}"#;

#[test]
fn v1_happy_path_maps_exception_logs_and_sends_microseconds() {
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/services" => Response::json(
            200,
            r#"{"data":["telemetrygen"],"total":1,"limit":0,"offset":0,"errors":null}"#,
        ),
        "/api/traces" => Response::json(200, body.clone()),
        _ => Response::new(404, "404 page not found"),
    });
    let mut src = JaegerSource::new(config(&server.addr, &[])).unwrap();
    let (events, report) = fetch(&mut src, V1_WINDOW).unwrap();
    assert!(
        report.partial_failures.is_empty() && report.notes.is_empty(),
        "{report:?}"
    );
    assert_eq!(events.len(), 1, "{events:#?}");
    let e = &events[0];
    assert_eq!(e.origin, EventOrigin::SpanEvent);
    assert_eq!(e.trace_id, "83a9efd15c1c98a977e0711cc93ee28b");
    assert_eq!(e.span_id, "e127af99e3b3e074");
    assert_eq!(e.service, "telemetrygen");
    assert_eq!(e.span_name.as_deref(), Some("okey-dokey-0"));
    assert_eq!(e.span_kind.as_deref(), Some("server"));
    assert_eq!(e.exception_type.as_deref(), Some("ZeroDivisionError"));
    assert_eq!(e.message.as_deref(), Some("division by zero"));
    assert!(e
        .stacktrace
        .as_deref()
        .unwrap()
        .contains("line 42, in get_order"));
    assert_eq!(e.timestamp, (1_706_678_909_209_712 + 100) * 1000);
    assert_eq!(
        e.attributes.get("net.peer.ip").map(String::as_str),
        Some("1.2.3.4")
    );
    assert_eq!(
        e.attributes.get("exception.escaped").map(String::as_str),
        Some("true")
    );
    assert!(
        !e.attributes.contains_key("otel.status_code"),
        "synthetic tags stay out: {:?}",
        e.attributes
    );

    let reqs = server.requests();
    let search: Vec<_> = reqs.iter().filter(|r| r.path() == "/api/traces").collect();
    assert_eq!(search.len(), 1);
    let s = search[0];
    assert_eq!(s.query_param("service").as_deref(), Some("telemetrygen"));
    assert_eq!(
        s.query_param("start").as_deref(),
        Some("1706678909000000"),
        "microseconds"
    );
    assert_eq!(s.query_param("end").as_deref(), Some("1706678910000000"));
    assert_eq!(
        s.query_param("tags").as_deref(),
        Some(r#"{"error":"true"}"#)
    );
    assert_eq!(
        s.query_param("limit").as_deref(),
        Some("501"),
        "one over the batch"
    );
}

#[test]
fn v1_error_tag_without_exception_is_a_status_event_and_short_ids_are_padded() {
    let body = fixture("derived/jaeger_v1_search_ui_01.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = JaegerSource::new(config(&server.addr, &["service-x"])).unwrap();
    let w = PollWindow {
        start: 1_485_467_191_000_000_000,
        end: 1_485_467_192_000_000_000,
    };
    let (events, _) = fetch(&mut src, w).unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    let e = &events[0];
    assert_eq!(e.origin, EventOrigin::SpanStatus);
    assert_eq!(e.trace_id, "00000000000000000000000000000001");
    assert_eq!(e.span_id, "0000000000000002");
    assert_eq!(e.span_name.as_deref(), Some("some-operation"));
    assert_eq!(e.timestamp, (1_485_467_191_639_875 + 5) * 1000, "span end");
    assert_eq!(
        e.attributes.get("javascript_limit").map(String::as_str),
        Some("9223372036854775222")
    );
    // No service listing when services are configured.
    assert!(server.requests().iter().all(|r| r.path() == "/api/traces"));
}

#[test]
fn spans_outside_the_window_or_of_other_services_are_left_out() {
    let body = fixture("derived/jaeger_v1_search_ui_01.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    // service-y's spans are in the same trace but carry no error; service-x's error span is outside this window.
    let mut src = JaegerSource::new(config(&server.addr, &["service-x", "service-y"])).unwrap();
    let w = PollWindow {
        start: 1_485_467_192_000_000_000,
        end: 1_485_467_193_000_000_000,
    };
    let (events, _) = fetch(&mut src, w).unwrap();
    assert!(events.is_empty(), "{events:#?}");
}

#[test]
fn empty_results_v1_and_v3() {
    let server = FakeServer::start(|_| Response::json(200, EMPTY_V1));
    let mut src = JaegerSource::new(config(&server.addr, &["a"])).unwrap();
    assert!(fetch(&mut src, V1_WINDOW).unwrap().0.is_empty());

    let server = FakeServer::start(|_| Response::json(404, NO_TRACES_V3));
    let mut cfg = config(&server.addr, &["a"]);
    cfg.api_version = JaegerApiVersion::V3;
    let mut src = JaegerSource::new(cfg).unwrap();
    assert!(fetch(&mut src, V3_WINDOW).unwrap().0.is_empty());
    assert_eq!(server.requests()[0].path(), "/api/v3/traces");
}

#[test]
fn falls_back_to_api_v3_when_v1_search_is_gone() {
    let body = fixture("derived/jaeger_v3_search_exception.json");
    let services = fixture("jaeger/api_v3_GetServices.json");
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/v3/traces" => Response::json(200, body.clone()),
        "/api/v3/services" => Response::json(200, services.clone()),
        // What Jaeger after v2.20 answers for the removed v1 routes.
        _ => Response::new(404, "404 page not found\n")
            .header("Content-Type", "text/plain; charset=utf-8"),
    });
    let mut src = JaegerSource::new(config(&server.addr, &["orders-api"])).unwrap();
    let (events, _) = fetch(&mut src, V3_WINDOW).unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    let e = &events[0];
    assert_eq!(e.origin, EventOrigin::SpanEvent);
    assert_eq!(e.trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(e.span_id, "eee19b7ec3c1b174");
    assert_eq!(e.exception_type.as_deref(), Some("ZeroDivisionError"));
    assert_eq!(e.environment.as_deref(), Some("test"));

    let reqs = server.requests();
    assert_eq!(reqs[0].path(), "/api/traces");
    let v3 = reqs
        .iter()
        .find(|r| r.path() == "/api/v3/traces")
        .expect("v3 search");
    assert_eq!(
        v3.query_param("query.service_name").as_deref(),
        Some("orders-api")
    );
    assert_eq!(
        v3.query_param("query.start_time_min").as_deref(),
        Some("2026-08-21T10:15:30.000000000Z")
    );
    assert_eq!(
        v3.query_param("query.start_time_max").as_deref(),
        Some("2026-08-21T10:15:31.000000000Z")
    );
    assert_eq!(v3.query_param("query.num_traces").as_deref(), Some("501"));

    // The switch is remembered: a second pass and check() go straight to api_v3.
    let before = server.requests().len();
    fetch(&mut src, V3_WINDOW).unwrap();
    let check = src.check().unwrap();
    assert_eq!(check.services, vec!["foo".to_string()]);
    assert!(server.requests()[before..]
        .iter()
        .all(|r| r.path().starts_with("/api/v3/")));
}

#[test]
fn api_v3_filters_error_spans_client_side() {
    // The real memory-store fixture: four ERROR spans (no exception events) in two traces.
    let body = fixture("derived/jaeger_v3_search_otel_traces_01.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut cfg = config(&server.addr, &["service-x"]);
    cfg.api_version = JaegerApiVersion::V3;
    let mut src = JaegerSource::new(cfg).unwrap();
    let w = PollWindow {
        start: 1_485_467_191_000_000_000,
        end: 1_485_467_192_000_000_000,
    };
    let (events, _) = fetch(&mut src, w).unwrap();
    assert_eq!(events.len(), 4);
    assert!(events
        .iter()
        .all(|e| e.origin == EventOrigin::SpanStatus && e.service == "service-x"));
    let ids: Vec<_> = events.iter().map(|e| e.trace_id.as_str()).collect();
    assert!(
        ids.contains(&"00000000000000010000000000000000")
            && ids.contains(&"00000000000000020000000000000000")
    );
}

#[test]
fn full_answers_split_the_window_until_nothing_is_truncated() {
    // Two traces: the exception trace and the real capture's error-free trace under another id.
    let mut doc: serde_json::Value =
        serde_json::from_str(&fixture("derived/jaeger_v1_search_exception.json")).unwrap();
    let other = fixture("jaeger/api_v1_transform_response_otlp2jaeger-out.json").replace(
        "83a9efd15c1c98a977e0711cc93ee28b",
        "0000000000000000000000000000beef",
    );
    let other: serde_json::Value = serde_json::from_str(&other).unwrap();
    doc["data"]
        .as_array_mut()
        .unwrap()
        .push(other["data"][0].clone());
    let body = doc.to_string();
    let span_start_us: i64 = 1_706_678_909_209_712;
    let server = FakeServer::start(move |r: &Request| {
        let start: i64 = r.query_param("start").unwrap().parse().unwrap();
        let end: i64 = r.query_param("end").unwrap().parse().unwrap();
        assert_eq!(r.query_param("limit").as_deref(), Some("2"));
        // Pretend wide windows hold more traces than the batch of 1.
        if end - start > 1_000_000 || (start <= span_start_us && span_start_us < end) {
            Response::json(200, body.clone())
        } else {
            Response::json(200, EMPTY_V1)
        }
    });
    let mut cfg = config(&server.addr, &["telemetrygen"]);
    cfg.batch_size = 1;
    let mut src = JaegerSource::new(cfg).unwrap();
    let w = PollWindow {
        start: 1_706_678_906_000_000_000,
        end: 1_706_678_914_000_000_000,
    };
    let (events, report) = fetch(&mut src, w).unwrap();
    assert!(
        server.requests().len() >= 4,
        "window was split: {} requests",
        server.requests().len()
    );
    // The window holding the span stays full down to one microsecond (the v1 API's
    // resolution): it cannot be read whole, so it is held (the pass keeps its cursor there and
    // exits 75) instead of being read in part and passed over.
    let held = report.held.expect("a held window");
    assert_eq!(held.service, "telemetrygen");
    assert_eq!(held.window.end - held.window.start, 1_000, "{held:?}");
    assert!(
        held.window.start <= span_start_us * 1000 && span_start_us * 1000 < held.window.end,
        "{held:?}"
    );
    assert!(held.reason.contains("more than 1 traces"), "{held:?}");
    assert!(
        events.is_empty(),
        "nothing of the held window is read: {events:#?}"
    );
    assert!(
        !report.notes.iter().any(|n| n.contains("may be missing")),
        "{:?}",
        report.notes
    );
}

#[test]
fn one_failing_service_does_not_lose_the_others() {
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::start(
        move |r: &Request| match r.query_param("service").as_deref() {
            Some("telemetrygen") => Response::json(200, body.clone()),
            _ => Response::new(503, "upstream unavailable"),
        },
    );
    let mut src = JaegerSource::new(config(&server.addr, &["broken", "telemetrygen"])).unwrap();
    let (events, report) = fetch(&mut src, V1_WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(report.partial_failures.len(), 1);
    let (svc, err) = &report.partial_failures[0];
    assert_eq!(svc, "broken");
    assert!(matches!(err, TelemetryError::Transient { .. }), "{err:?}");
    // 1 try + 2 retries for the broken service.
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.query_param("service").as_deref() == Some("broken"))
            .count(),
        3
    );
}

#[test]
fn all_services_failing_fails_the_fetch() {
    let server = FakeServer::start(|_| Response::new(502, "bad gateway"));
    let mut src = JaegerSource::new(config(&server.addr, &["a", "b"])).unwrap();
    let err = fetch(&mut src, V1_WINDOW).unwrap_err();
    assert!(matches!(err, TelemetryError::Transient { .. }), "{err:?}");
}

#[test]
fn cursor_scope_names_backend_url_and_sorted_services() {
    let a = JaegerSource::new(config("http://127.0.0.1:1/jaeger/", &["b", "a"])).unwrap();
    let b = JaegerSource::new(config("http://127.0.0.1:1/jaeger", &["a", "b", "a"])).unwrap();
    assert_eq!(a.cursor_scope(), b.cursor_scope());
    assert_eq!(a.cursor_scope(), "jaeger|http://127.0.0.1:1/jaeger|a,b");
    let all = JaegerSource::new(config("http://127.0.0.1:1", &[])).unwrap();
    assert_ne!(all.cursor_scope(), a.cursor_scope());
}

#[test]
fn fetch_trace_reads_v1_trace_by_id() {
    let body = fixture("derived/jaeger_v1_search_ui_01.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = JaegerSource::new(config(&server.addr, &[])).unwrap();
    let spans = src.fetch_trace("1").unwrap().unwrap();
    assert_eq!(spans.len(), 5);
    assert!(spans.iter().any(|s| s.error && s.service == "service-x"));
    assert_eq!(
        server.requests()[0].path(),
        "/api/traces/00000000000000000000000000000001"
    );
}

#[test]
fn a_server_whose_tag_search_misses_status_errors_is_detected_and_filtered_here() {
    // What Jaeger v2.13 (v1.76.0) with its memory store does, measured against the real binary:
    // tags={"error":"true"} finds nothing for OTLP-ingested ERROR spans; no filter finds them.
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::start(move |r: &Request| {
        if r.query_param("tags").is_some() {
            Response::json(200, EMPTY_V1)
        } else {
            Response::json(200, body.clone())
        }
    });
    let mut src = JaegerSource::new(config(&server.addr, &["telemetrygen"])).unwrap();
    let (events, report) = fetch(&mut src, V1_WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("tag search does not find error spans")),
        "{:?}",
        report.notes
    );
    // Later searches in the pass go unfiltered straight away.
    let before = server.requests().len();
    fetch(&mut src, V1_WINDOW).unwrap();
    let later = &server.requests()[before..];
    assert_eq!(later.len(), 1);
    assert!(later[0].query_param("tags").is_none());
}

#[test]
fn an_empty_filtered_answer_with_no_hidden_errors_stays_filtered() {
    let ok_trace = fixture("jaeger/api_v1_transform_response_otlp2jaeger-out.json");
    let server = FakeServer::start(move |r: &Request| {
        if r.query_param("tags").is_some() {
            Response::json(200, EMPTY_V1)
        } else {
            Response::json(200, ok_trace.clone())
        }
    });
    let mut src = JaegerSource::new(config(&server.addr, &["telemetrygen"])).unwrap();
    let (events, report) = fetch(&mut src, V1_WINDOW).unwrap();
    assert!(
        events.is_empty() && report.notes.is_empty(),
        "{events:?} {:?}",
        report.notes
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "one filtered search and one unfiltered look");
    assert!(reqs[0].query_param("tags").is_some() && reqs[1].query_param("tags").is_none());
}

#[test]
fn client_side_filtering_can_be_forced() {
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut cfg = config(&server.addr, &["telemetrygen"]);
    cfg.error_filter = rounds::adapters::telemetry::jaeger::JaegerErrorFilter::Client;
    let mut src = JaegerSource::new(cfg).unwrap();
    assert_eq!(fetch(&mut src, V1_WINDOW).unwrap().0.len(), 1);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.query_param("tags").is_none()));
}

#[test]
fn real_jaeger_2_13_answering_error_tag_with_ok_spans_is_not_trusted() {
    // Captured from a real Jaeger v2.13.0 (tests/e2e/captured): the tag search for error=true
    // returns only a span whose status was set to OK, while the unfiltered search holds the errors.
    let dir = format!("{}/tests/e2e/captured", env!("CARGO_MANIFEST_DIR"));
    let ok_only = std::fs::read_to_string(format!(
        "{dir}/jaeger-v2.13.0_api_traces_search_tags_error_true.json"
    ))
    .unwrap();
    let all =
        std::fs::read_to_string(format!("{dir}/jaeger-v2.13.0_api_traces_search.json")).unwrap();
    let server = FakeServer::start(move |r: &Request| {
        if r.query_param("tags").is_some() {
            Response::json(200, ok_only.clone())
        } else {
            Response::json(200, all.clone())
        }
    });
    let mut src = JaegerSource::new(config(&server.addr, &["inventory-svc"])).unwrap();
    let window = PollWindow {
        start: 1_795_623_310_007_866_000,
        end: 1_795_623_430_165_094_000,
    };
    let (events, report) = fetch(&mut src, window).unwrap();
    // 6 = exception span logs plus status-only error spans in the capture.
    assert_eq!(events.len(), 6, "{:?}", report.notes);
    assert!(events.iter().all(|e| e.service == "inventory-svc"));
    assert!(report
        .notes
        .iter()
        .any(|n| n.contains("tag search does not find error spans")));
}

#[test]
fn api_v3_probes_an_empty_filtered_answer_and_switches_to_client_filtering() {
    // Jaeger's ClickHouse storage matches query.attributes literally
    // (internal/storage/v2/clickhouse/tracestore/query_builder.go, buildAttributeConditions):
    // error=true finds only spans carrying an `error` attribute, never status ERROR; its
    // "nothing found" is api_v3's JSON 404.
    let body = fixture("derived/jaeger_v3_search_exception.json");
    let server = FakeServer::start(move |r: &Request| {
        if r.query_param("query.attributes").is_some() {
            Response::json(404, NO_TRACES_V3)
        } else {
            Response::json(200, body.clone())
        }
    });
    let mut cfg = config(&server.addr, &["orders-api"]);
    cfg.api_version = JaegerApiVersion::V3;
    let mut src = JaegerSource::new(cfg).unwrap();
    let (events, report) = fetch(&mut src, V3_WINDOW).unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        events[0].exception_type.as_deref(),
        Some("ZeroDivisionError")
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("tag search does not find error spans")),
        "{:?}",
        report.notes
    );
    let reqs = server.requests();
    assert_eq!(
        reqs.len(),
        2,
        "one filtered search and one unfiltered probe"
    );
    assert_eq!(
        reqs[0].query_param("query.attributes").as_deref(),
        Some(r#"{"error":"true"}"#)
    );
    assert!(reqs[1].query_param("query.attributes").is_none());
    // The rest of the pass filters here without asking the server again.
    let before = server.requests().len();
    assert_eq!(fetch(&mut src, V3_WINDOW).unwrap().0.len(), 1);
    let later = &server.requests()[before..];
    assert_eq!(later.len(), 1);
    assert!(later[0].query_param("query.attributes").is_none());
}

#[test]
fn api_v3_honours_a_forced_client_filter() {
    let body = fixture("derived/jaeger_v3_search_exception.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut cfg = config(&server.addr, &["orders-api"]);
    cfg.api_version = JaegerApiVersion::V3;
    cfg.error_filter = rounds::adapters::telemetry::jaeger::JaegerErrorFilter::Client;
    let mut src = JaegerSource::new(cfg).unwrap();
    let (events, report) = fetch(&mut src, V3_WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "no probe when the filter is forced");
    assert_eq!(reqs[0].path(), "/api/v3/traces");
    assert!(reqs[0].query_param("query.attributes").is_none());
}
