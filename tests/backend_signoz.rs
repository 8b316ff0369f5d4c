//! SigNoz adapter against a loopback server replaying SigNoz v5 bodies (SigNoz-authored test
//! bodies and synthetic ones written from its Go structs; see the fixtures' README).

use crate::support::fake_http;

use fake_http::{FakeServer, Request, Response};
use rounds::adapters::telemetry::signoz::{SignozConfig, SignozSource};
use rounds::core::model::{ErrorEvent, EventOrigin};
use rounds::core::ports::telemetry::{PollWindow, TelemetryError, TelemetrySource};
use std::time::Duration;

fn fixture(rel: &str) -> String {
    let p = format!(
        "{}/tests/fixtures/backends/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn config(base: &str, services: &[&str]) -> SignozConfig {
    let mut c = SignozConfig::new(base);
    c.api_key = Some("test-api-key".into());
    c.services = services.iter().map(|s| s.to_string()).collect();
    c.http.backoff_base = Duration::from_millis(5);
    c.http.retries = 1;
    // The has_error tests serve one traces body to every request; the exception index, a second
    // query per page, has its own tests below.
    c.exception_index = false;
    c
}

fn fetch(src: &mut SignozSource, w: PollWindow) -> Result<Vec<ErrorEvent>, TelemetryError> {
    let mut out = Vec::new();
    src.fetch(w, &mut |e| {
        out.push(e);
        Ok(())
    })?;
    Ok(out)
}

/// Rows start at 2026-08-21T10:15:30.123456789Z.
const WINDOW: PollWindow = PollWindow {
    start: 1_787_307_330_000_000_000,
    end: 1_787_307_331_000_000_000,
};

fn assert_exception(e: &ErrorEvent) {
    assert_eq!(e.origin, EventOrigin::SpanEvent);
    assert_eq!(e.service, "orders-api");
    assert_eq!(e.trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(e.span_id, "eee19b7ec3c1b174");
    assert_eq!(e.span_name.as_deref(), Some("GET /api/orders/{id}"));
    assert_eq!(e.timestamp, 1_787_307_330_130_000_000);
    assert_eq!(e.exception_type.as_deref(), Some("ZeroDivisionError"));
    assert_eq!(e.message.as_deref(), Some("division by zero"));
    assert!(e
        .stacktrace
        .as_deref()
        .unwrap()
        .contains("line 42, in get_order"));
    assert_eq!(
        e.attributes.get("exception.escaped").map(String::as_str),
        Some("False")
    );
}

#[test]
fn events_as_objects_map_and_the_request_is_v5_in_milliseconds() {
    let body =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = SignozSource::new(config(&server.addr, &[])).unwrap();
    let events = fetch(&mut src, WINDOW).unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_exception(&events[0]);
    assert_eq!(events[0].span_kind.as_deref(), Some("server"));
    assert_eq!(
        events[0].attributes.get("http_method").map(String::as_str),
        Some("GET")
    );

    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path(), "/api/v5/query_range");
    assert_eq!(r.header("signoz-api-key"), Some("test-api-key"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["start"], 1_787_307_330_000i64, "milliseconds");
    assert_eq!(j["end"], 1_787_307_331_000i64);
    assert_eq!(j["requestType"], "raw");
    let spec = &j["compositeQuery"]["queries"][0]["spec"];
    assert_eq!(spec["signal"], "traces");
    assert_eq!(spec["filter"]["expression"], "has_error = true");
    assert_eq!(spec["limit"], 500);
    assert_eq!(spec["offset"], 0);
}

#[test]
fn events_as_json_strings_from_older_signoz_map_identically() {
    let body = fixture(
        "signoz/synthetic/SYNTHETIC_v5_response_traces_raw_events_as_json_strings_pre_v0.130.json",
    );
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = SignozSource::new(config(&server.addr, &["orders-api"])).unwrap();
    let events = fetch(&mut src, WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert_exception(&events[0]);
    let spec = &server.requests()[0].json()["compositeQuery"]["queries"][0]["spec"];
    assert_eq!(
        spec["filter"]["expression"],
        "has_error = true AND service.name = 'orders-api'"
    );
}

#[test]
fn null_rows_and_signoz_authored_rows_without_errors_are_empty() {
    let server = FakeServer::start(|_| {
        Response::json(
            200,
            r#"{"status":"success","data":{"type":"raw","meta":{},"data":{"results":[{"queryName":"A","rows":null}]}}}"#,
        )
    });
    let mut src = SignozSource::new(config(&server.addr, &[])).unwrap();
    assert!(fetch(&mut src, WINDOW).unwrap().is_empty());

    // SigNoz's own MCP-server test body: rows with a u64 beyond 2^53 and no error columns.
    let body = fixture("signoz/v5_response_traces_raw_mcp_server_test.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = SignozSource::new(config(&server.addr, &[])).unwrap();
    let w = PollWindow {
        start: 1_781_863_200_000_000_000,
        end: 1_781_863_202_000_000_000,
    };
    assert!(fetch(&mut src, w).unwrap().is_empty());
}

#[test]
fn pages_with_offset_until_a_short_page() {
    let template: serde_json::Value = serde_json::from_str(&fixture(
        "signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json",
    ))
    .unwrap();
    let server = FakeServer::start(move |r: &Request| {
        let spec = r.json()["compositeQuery"]["queries"][0]["spec"].clone();
        let offset = spec["offset"].as_u64().unwrap();
        let mut body = template.clone();
        let row = body["data"]["data"]["results"][0]["rows"][0].clone();
        let rows: Vec<serde_json::Value> = (offset..3.min(offset + 2))
            .map(|i| {
                let mut r = row.clone();
                r["data"]["span_id"] = format!("eee19b7ec3c1b17{i}").into();
                r
            })
            .collect();
        body["data"]["data"]["results"][0]["rows"] = rows.into();
        Response::json(200, body.to_string())
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.batch_size = 2;
    let mut src = SignozSource::new(cfg).unwrap();
    let events = fetch(&mut src, WINDOW).unwrap();
    let spans: Vec<&str> = events.iter().map(|e| e.span_id.as_str()).collect();
    assert_eq!(
        spans,
        ["eee19b7ec3c1b170", "eee19b7ec3c1b171", "eee19b7ec3c1b172"]
    );
    let offsets: Vec<u64> = server
        .requests()
        .iter()
        .map(|r| {
            r.json()["compositeQuery"]["queries"][0]["spec"]["offset"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(offsets, [0, 2]);
}

#[test]
fn error_span_without_exception_event_is_a_status_event() {
    let body =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json");
    let mut v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["data"]["data"]["results"][0]["rows"][0]["data"]["events"] = serde_json::json!([]);
    let server = FakeServer::start(move |_| Response::json(200, v.to_string()));
    let mut src = SignozSource::new(config(&server.addr, &[])).unwrap();
    let events = fetch(&mut src, WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].origin, EventOrigin::SpanStatus);
    assert_eq!(events[0].message.as_deref(), Some("division by zero"));
    // Span end: start + duration_nano.
    assert_eq!(events[0].timestamp, 1_787_307_330_123_456_789 + 15_234_000);
}

#[test]
fn error_envelope_and_bad_ids_are_bad_data() {
    let server = FakeServer::start(|_| {
        Response::json(
            200,
            r#"{"status":"error","error":{"code":"internal","message":"clickhouse: too many parts"}}"#,
        )
    });
    let mut src = SignozSource::new(config(&server.addr, &[])).unwrap();
    let err = fetch(&mut src, WINDOW).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::BadData { detail, .. } if detail.contains("too many parts")),
        "{err:?}"
    );

    let body =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json")
            .replace("5b8efff798038103d269b633813fc60c", "abc-123");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = SignozSource::new(config(&server.addr, &[])).unwrap();
    let err = fetch(&mut src, WINDOW).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::BadData { detail, .. } if detail.contains("abc-123")),
        "{err:?}"
    );
}

#[test]
fn fetch_trace_queries_by_trace_id() {
    let body =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = SignozSource::new(config(&server.addr, &[])).unwrap();
    let spans = src
        .fetch_trace("5B8EFFF798038103D269B633813FC60C")
        .unwrap()
        .unwrap();
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].span_id, "eee19b7ec3c1b174");
    assert_eq!(spans[0].parent_span_id.as_deref(), Some("eee19b7ec3c1b173"));
    assert_eq!(spans[0].service, "orders-api");
    assert!(spans[0].error);
    assert_eq!(spans[0].duration_nanos, 15_234_000);
    let spec = &server.requests()[0].json()["compositeQuery"]["queries"][0]["spec"];
    assert_eq!(
        spec["filter"]["expression"],
        "trace_id = '5b8efff798038103d269b633813fc60c'"
    );
}

#[test]
fn a_row_repeated_by_a_shifted_page_is_emitted_once() {
    // Newest first: a span arriving between the two requests pushes row 1 onto page 2 again.
    let template: serde_json::Value = serde_json::from_str(&fixture(
        "signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json",
    ))
    .unwrap();
    let server = FakeServer::start(move |r: &Request| {
        let offset = r.json()["compositeQuery"]["queries"][0]["spec"]["offset"]
            .as_u64()
            .unwrap();
        let mut body = template.clone();
        let row = body["data"]["data"]["results"][0]["rows"][0].clone();
        let ids: &[u32] = if offset == 0 { &[0, 1] } else { &[1] };
        let rows: Vec<serde_json::Value> = ids
            .iter()
            .map(|i| {
                let mut r = row.clone();
                r["data"]["span_id"] = format!("eee19b7ec3c1b17{i}").into();
                r
            })
            .collect();
        body["data"]["data"]["results"][0]["rows"] = rows.into();
        Response::json(200, body.to_string())
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.batch_size = 2;
    let mut src = SignozSource::new(cfg).unwrap();
    let events = fetch(&mut src, WINDOW).unwrap();
    let spans: Vec<&str> = events.iter().map(|e| e.span_id.as_str()).collect();
    assert_eq!(spans, ["eee19b7ec3c1b170", "eee19b7ec3c1b171"]);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_batch_size_above_signoz_maximum_is_clamped_to_10000() {
    // SigNoz answers limit > MaxQueryLimit (10,000) with HTTP 400 (querybuildertypesv5/validation.go).
    let body =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json");
    let server = FakeServer::start(move |r: &Request| {
        let limit = r.json()["compositeQuery"]["queries"][0]["spec"]["limit"]
            .as_u64()
            .unwrap_or(0);
        if limit > 10_000 {
            Response::json(
                400,
                r#"{"status":"error","error":{"code":"invalid_input","message":"limit exceeds maximum allowed value of 10000"}}"#,
            )
        } else {
            Response::json(200, body.clone())
        }
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.batch_size = 50_000;
    let mut src = SignozSource::new(cfg).unwrap();
    let events = fetch(&mut src, WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert_exception(&events[0]);
    let limits: Vec<u64> = server
        .requests()
        .iter()
        .filter_map(|r| r.json()["compositeQuery"]["queries"][0]["spec"]["limit"].as_u64())
        .collect();
    assert!(
        !limits.is_empty() && limits.iter().all(|l| *l == 10_000),
        "{limits:?}"
    );
}

fn index_query(r: &Request) -> bool {
    r.json()["compositeQuery"]["queries"][0]["type"] == "clickhouse_sql"
}

#[test]
fn the_exception_index_finds_exceptions_on_spans_without_error_status_once() {
    // has_error = true returns the error span; SigNoz's exception index holds its exception too
    // plus a handled KeyError on a span whose status is not ERROR (the collector indexes every
    // `exception` event: signoz-otel-collector clickhousetracesexporter writer.go).
    let traces =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json");
    let index =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_error_index_raw_clickhouse_sql.json");
    let server = FakeServer::start(move |r: &Request| {
        if index_query(r) {
            Response::json(200, index.clone())
        } else {
            Response::json(200, traces.clone())
        }
    });
    let mut cfg = config(&server.addr, &["orders-api"]);
    cfg.exception_index = true;
    let mut src = SignozSource::new(cfg).unwrap();
    let events = fetch(&mut src, WINDOW).unwrap();
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_exception(&events[0]);
    let handled = &events[1];
    assert_eq!(handled.origin, EventOrigin::SpanEvent);
    assert_eq!(handled.service, "orders-api");
    assert_eq!(handled.trace_id, "5b8efff798038103d269b633813fc60d");
    assert_eq!(handled.span_id, "eee19b7ec3c1b175");
    assert_eq!(handled.timestamp, 1_787_307_330_500_000_000);
    assert_eq!(handled.exception_type.as_deref(), Some("KeyError"));
    assert_eq!(handled.message.as_deref(), Some("'user42'"));
    assert!(handled
        .stacktrace
        .as_deref()
        .unwrap()
        .contains("line 17, in lookup"));
    assert_eq!(
        handled
            .attributes
            .get("exception.escaped")
            .map(String::as_str),
        Some("false")
    );

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let j = reqs[1].json();
    assert_eq!(j["requestType"], "raw");
    let sql = j["compositeQuery"]["queries"][0]["spec"]["query"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        sql.contains("FROM signoz_traces.distributed_signoz_error_index_v2"),
        "{sql}"
    );
    // Exact nanosecond bounds, and the service hex-encoded ("orders-api").
    assert!(
        sql.contains("timestamp >= fromUnixTimestamp64Nano(toInt64(1787307330000000000))")
            && sql.contains("timestamp < fromUnixTimestamp64Nano(toInt64(1787307331000000000))")
            && sql.contains("serviceName = unhex('6f72646572732d617069')")
            && sql.ends_with("LIMIT 500 OFFSET 0"),
        "{sql}"
    );
}

#[test]
fn an_exception_index_the_server_refuses_leaves_a_note_and_the_error_spans() {
    let traces =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json");
    let server = FakeServer::start(move |r: &Request| {
        if index_query(r) {
            Response::json(
                400,
                r#"{"status":"error","error":{"code":"invalid_input","message":"Table signoz_traces.distributed_signoz_error_index_v2 does not exist"}}"#,
            )
        } else {
            Response::json(200, traces.clone())
        }
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.exception_index = true;
    let mut src = SignozSource::new(cfg).unwrap();
    let mut out = Vec::new();
    let report = src
        .fetch(WINDOW, &mut |e| {
            out.push(e);
            Ok(())
        })
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_exception(&out[0]);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("exception index could not be read")),
        "{:?}",
        report.notes
    );
    // Not asked again in the same pass.
    let before = server.requests().len();
    src.fetch(WINDOW, &mut |_| Ok(())).unwrap();
    assert!(server.requests()[before..].iter().all(|r| !index_query(r)));
}

#[test]
fn a_failing_exception_index_fails_the_pass_naming_the_switch() {
    let traces =
        fixture("signoz/synthetic/SYNTHETIC_v5_response_traces_raw_error_spans_with_events.json");
    let server = FakeServer::start(move |r: &Request| {
        if index_query(r) {
            Response::json(
                503,
                r#"{"status":"error","error":{"code":"internal","message":"down"}}"#,
            )
        } else {
            Response::json(200, traces.clone())
        }
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.exception_index = true;
    let err = fetch(&mut SignozSource::new(cfg).unwrap(), WINDOW).unwrap_err();
    assert!(matches!(err, TelemetryError::Transient { .. }), "{err:?}");
    assert!(
        err.to_string().contains("SIGNOZ_EXCEPTION_INDEX=off"),
        "{err}"
    );
}
