//! Loki adapter against a loopback server replaying real (and derived) Loki bodies.

use crate::support::fake_http;

use fake_http::{FakeServer, Request, Response};
use rounds::adapters::telemetry::loki::{LokiConfig, LokiSource};
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

fn config(base: &str, services: &[&str]) -> LokiConfig {
    let mut c = LokiConfig::new(base);
    c.services = services.iter().map(|s| s.to_string()).collect();
    c.http.backoff_base = Duration::from_millis(5);
    c.http.retries = 1;
    c
}

fn fetch(
    src: &mut LokiSource,
    w: PollWindow,
) -> Result<(Vec<ErrorEvent>, FetchReport), TelemetryError> {
    let mut out = Vec::new();
    let report = src.fetch(w, &mut |e| {
        out.push(e);
        Ok(())
    })?;
    Ok((out, report))
}

const WINDOW: PollWindow = PollWindow {
    start: 1_787_307_330_000_000_000,
    end: 1_787_307_331_000_000_000,
};

fn assert_exception(e: &ErrorEvent) {
    assert_eq!(e.origin, EventOrigin::LogRecord);
    assert_eq!(e.service, "orders-api");
    assert_eq!(e.trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(e.span_id, "eee19b7ec3c1b174");
    assert_eq!(e.timestamp, 1_787_307_330_130_000_000);
    assert_eq!(e.exception_type.as_deref(), Some("ZeroDivisionError"));
    assert_eq!(e.message.as_deref(), Some("division by zero"));
    assert!(e
        .stacktrace
        .as_deref()
        .unwrap()
        .starts_with("Traceback (most recent call last):\n"));
    assert_eq!(e.environment.as_deref(), Some("test"));
    assert_eq!(
        e.attributes.get("log.severity").map(String::as_str),
        Some("ERROR")
    );
}

#[test]
fn structured_metadata_becomes_exception_fields_and_nanoseconds_are_sent() {
    let body = fixture("derived/loki_query_range_exception_categorized.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
    let (events, _) = fetch(&mut src, WINDOW).unwrap();
    assert_eq!(
        events.len(),
        1,
        "the INFO line is not an error: {events:#?}"
    );
    assert_exception(&events[0]);

    let r = &server.requests()[0];
    assert_eq!(r.path(), "/loki/api/v1/query_range");
    assert_eq!(
        r.query_param("start").as_deref(),
        Some("1787307330000000000"),
        "nanoseconds"
    );
    assert_eq!(r.query_param("end").as_deref(), Some("1787307331000000000"));
    assert_eq!(r.query_param("direction").as_deref(), Some("forward"));
    assert_eq!(r.query_param("limit").as_deref(), Some("1000"));
    let q = r.query_param("query").unwrap();
    assert!(
        q.starts_with(r#"{service_name=~".+"}"#) && q.contains(r#"exception_type!="""#),
        "{q}"
    );
    assert_eq!(
        r.header("x-loki-response-encoding-flags"),
        Some("categorize-labels")
    );
}

#[test]
fn metadata_folded_into_stream_labels_gives_the_same_event() {
    let body = fixture("derived/loki_query_range_exception_uncategorized.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = LokiSource::new(config(&server.addr, &["orders-api"])).unwrap();
    let (events, _) = fetch(&mut src, WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert_exception(&events[0]);
    let q = server.requests()[0].query_param("query").unwrap();
    assert!(q.starts_with(r#"{service_name="orders-api"}"#), "{q}");
}

#[test]
fn real_bodies_without_errors_parse_and_yield_nothing_by_severity() {
    // Loki's own serializer output: lines without severity are trusted to the selector.
    let body = fixture("loki/query_range_streams_multi_categorize_labels.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
    let w = PollWindow {
        start: 123_456_789_000_000,
        end: 123_456_790_000_000,
    };
    let (events, _) = fetch(&mut src, w).unwrap();
    assert_eq!(events.len(), 3);
    assert!(events
        .iter()
        .all(|e| e.trace_id.is_empty() && e.service == "unknown_service"));
    let with_meta = events
        .iter()
        .find(|e| e.message.as_deref() == Some("super line with labels msg=baz"))
        .unwrap();
    assert_eq!(
        with_meta.attributes.get("foo").map(String::as_str),
        Some("a")
    );
    assert_eq!(
        with_meta.attributes.get("msg").map(String::as_str),
        Some("baz")
    );
    // Uncategorized form, with "warnings".
    let body = fixture("loki/query_range_streams.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
    // Around the recorded entries (1970-01-02): a window longer than Loki's 721 h
    // max_query_length would be read in 721 h pieces, one request each.
    let w = PollWindow {
        start: 0,
        end: 123_456_790_000_000,
    };
    assert!(!fetch(&mut src, w).unwrap().0.is_empty());
}

#[test]
fn a_window_longer_than_721_hours_is_read_in_pieces_loki_accepts() {
    let server = FakeServer::start(|_| {
        Response::json(
            200,
            r#"{"status":"success","data":{"resultType":"streams","result":[]}}"#,
        )
    });
    let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
    let hour = 3_600_000_000_000i64;
    let w = PollWindow {
        start: 1_787_000_000_000_000_000,
        end: 1_787_000_000_000_000_000 + 1500 * hour,
    };
    fetch(&mut src, w).unwrap();
    let spans: Vec<(i64, i64)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.query_param("start").unwrap().parse().unwrap(),
                r.query_param("end").unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(spans.len(), 3, "{spans:?}");
    assert!(spans.iter().all(|(s, e)| e - s <= 721 * hour), "{spans:?}");
    assert_eq!(spans[0].0, w.start);
    assert_eq!(spans[2].1, w.end);
    assert!(
        spans.windows(2).all(|p| p[0].1 == p[1].0),
        "contiguous: {spans:?}"
    );
}

#[test]
fn empty_result() {
    let server = FakeServer::start(|_| {
        Response::json(
            200,
            r#"{"status":"success","data":{"resultType":"streams","result":[]}}"#,
        )
    });
    let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
    assert!(fetch(&mut src, WINDOW).unwrap().0.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn pages_forward_through_a_burst_without_losing_or_repeating_entries() {
    // Seven error entries, two pairs sharing a nanosecond, served 3 at a time as Loki would.
    let template: serde_json::Value = serde_json::from_str(&fixture(
        "derived/loki_query_range_exception_categorized.json",
    ))
    .unwrap();
    let base = WINDOW.start + 100;
    let stamps = [
        base,
        base + 1,
        base + 1,
        base + 2,
        base + 3,
        base + 3,
        base + 4,
    ];
    let server = FakeServer::start(move |r: &Request| {
        let start: i64 = r.query_param("start").unwrap().parse().unwrap();
        let end: i64 = r.query_param("end").unwrap().parse().unwrap();
        let limit: usize = r.query_param("limit").unwrap().parse().unwrap();
        let mut body = template.clone();
        let error_stream = body["data"]["result"][0].clone();
        let values: Vec<serde_json::Value> = stamps
            .iter()
            .enumerate()
            .filter(|(_, ts)| **ts >= start && **ts < end)
            .take(limit)
            .map(|(i, ts)| {
                let mut v = error_stream["values"][0].clone();
                v[0] = serde_json::Value::String(ts.to_string());
                v[1] = serde_json::Value::String(format!("division by zero #{i}"));
                v[2]["structuredMetadata"]["exception_message"] =
                    serde_json::Value::String(format!("division by zero #{i}"));
                v
            })
            .collect();
        body["data"]["result"] =
            serde_json::json!([{"stream": error_stream["stream"], "values": values}]);
        Response::json(200, body.to_string())
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.batch_size = 3;
    let mut src = LokiSource::new(cfg).unwrap();
    let (events, report) = fetch(&mut src, WINDOW).unwrap();
    let mut msgs: Vec<String> = events.iter().map(|e| e.message.clone().unwrap()).collect();
    msgs.sort();
    let want: Vec<String> = (0..7).map(|i| format!("division by zero #{i}")).collect();
    assert_eq!(msgs, want, "every entry exactly once");
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let starts: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query_param("start").unwrap())
        .collect();
    assert_eq!(starts[0], WINDOW.start.to_string());
    assert!(starts.len() >= 3, "paged: {starts:?}");
}

#[test]
fn a_metric_query_is_a_configuration_error() {
    let body = fixture("loki/query_range_matrix.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut cfg = config(&server.addr, &[]);
    cfg.query = Some(r#"count_over_time({service_name="x"}[1m])"#.into());
    let mut src = LokiSource::new(cfg).unwrap();
    let err = fetch(&mut src, WINDOW).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::Config { reason, .. } if reason.contains("matrix")),
        "{err:?}"
    );
    assert_eq!(
        server.requests()[0].query_param("query").as_deref(),
        Some(r#"count_over_time({service_name="x"}[1m])"#)
    );
}

#[test]
fn malformed_entries_are_bad_data() {
    let server = FakeServer::start(|_| {
        Response::json(
            200,
            r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[[12345,"line"]]}]}}"#,
        )
    });
    let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
    let err = fetch(&mut src, WINDOW).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::BadData { location, .. } if location.ends_with("/loki/api/v1/query_range")),
        "{err:?}"
    );
}

#[test]
fn check_lists_service_label_values() {
    let body = fixture("loki/label_values_response_docs.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()));
    let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
    let check = src.check().unwrap();
    assert_eq!(check.services, ["axolotl", "cat", "dog"]);
    assert_eq!(
        server.requests()[0].path(),
        "/loki/api/v1/label/service_name/values"
    );
}

#[test]
fn a_401_without_a_tenant_names_loki_tenant() {
    // A multi-tenant Loki answers a request without X-Scope-OrgID with 401 "no org id"
    // (dskit middleware/http_auth.go: http.Error(w, err.Error(), http.StatusUnauthorized)).
    let server = FakeServer::start(|_| Response::new(401, "no org id\n"));
    let err = fetch(
        &mut LokiSource::new(config(&server.addr, &[])).unwrap(),
        WINDOW,
    )
    .unwrap_err();
    assert!(
        matches!(err, TelemetryError::Auth { status: 401, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("set LOKI_TENANT"), "{err}");
    let mut cfg = config(&server.addr, &[]);
    cfg.http.headers.push(("X-Scope-OrgID".into(), "t1".into()));
    let err = fetch(&mut LokiSource::new(cfg).unwrap(), WINDOW).unwrap_err();
    assert!(!err.to_string().contains("TENANT"), "{err}");
}

#[test]
fn a_stack_trace_moved_into_the_body_is_parsed_back_out() {
    // Loki's advice for stack traces over max_structured_metadata_size (64 KB) is the Collector's
    // transform `set(body, Concat([body, attributes["exception.stacktrace"]], "\n"))` then
    // `delete_key(attributes, "exception.stacktrace")` (grafana/loki
    // docs/sources/send-data/otel/_index.md). Applied here to the derived entry.
    let original = fixture("derived/loki_query_range_exception_categorized.json");
    let mut moved: serde_json::Value = serde_json::from_str(&original).unwrap();
    let entry = &mut moved["data"]["result"][0]["values"][0];
    let meta = entry[2]["structuredMetadata"].as_object_mut().unwrap();
    let stack = meta.remove("exception_stacktrace").unwrap();
    let stack = stack.as_str().unwrap().to_string();
    entry[1] = format!("{}\n{stack}", entry[1].as_str().unwrap()).into();
    // And once more without exception_message: the body's first line stands in for it.
    let mut bare = moved.clone();
    bare["data"]["result"][0]["values"][0][2]["structuredMetadata"]
        .as_object_mut()
        .unwrap()
        .remove("exception_message");
    bare["data"]["result"][0]["values"][0][1] = format!("order 42 failed\n{stack}").into();

    let fetch_body = |body: String| {
        let server = FakeServer::start(move |_| Response::json(200, body.clone()));
        let mut src = LokiSource::new(config(&server.addr, &[])).unwrap();
        fetch(&mut src, WINDOW).unwrap().0
    };
    let from_metadata = fetch_body(original);
    let from_body = fetch_body(moved.to_string());
    assert_eq!(from_body.len(), 1, "{from_body:#?}");
    assert_exception(&from_body[0]);
    assert_eq!(from_body[0].stacktrace.as_deref(), Some(stack.as_str()));
    assert_eq!(from_body[0].stacktrace, from_metadata[0].stacktrace);
    assert_eq!(from_body[0].message, from_metadata[0].message);
    assert_eq!(from_body[0].exception_type, from_metadata[0].exception_type);

    let bare = fetch_body(bare.to_string());
    assert_eq!(bare.len(), 1);
    assert_eq!(bare[0].message.as_deref(), Some("order 42 failed"));
    assert_eq!(bare[0].stacktrace.as_deref(), Some(stack.as_str()));
}
