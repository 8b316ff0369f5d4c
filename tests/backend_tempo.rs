//! Tempo adapter and the Grafana stack (Tempo + Loki) source against loopback servers replaying
//! real (and derived) Tempo and Loki bodies.

use crate::support::fake_http;

use fake_http::{FakeServer, Request, Response};
use rounds::adapters::telemetry::loki::{LokiConfig, LokiSource};
use rounds::adapters::telemetry::tempo::{GrafanaStackSource, TempoConfig, TempoSource};
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

fn config(base: &str, services: &[&str]) -> TempoConfig {
    let mut c = TempoConfig::new(base);
    c.services = services.iter().map(|s| s.to_string()).collect();
    c.http.backoff_base = Duration::from_millis(5);
    c.http.retries = 1;
    // The windows here sit on the recorded spans, not before a live Tempo's now.
    c.search_end_lag = 0;
    c
}

fn fetch(
    src: &mut dyn TelemetrySource,
    w: PollWindow,
) -> Result<(Vec<ErrorEvent>, FetchReport), TelemetryError> {
    let mut out = Vec::new();
    let report = src.fetch(w, &mut |e| {
        out.push(e);
        Ok(())
    })?;
    Ok((out, report))
}

/// The servicegraphs trace's spans start at 1658325672.49… s.
const SG_WINDOW: PollWindow = PollWindow {
    start: 1_658_325_672_000_000_000,
    end: 1_658_325_672_900_000_000,
};
/// The synthetic exception span starts at 1787307330.115 s.
const EXC_WINDOW: PollWindow = PollWindow {
    start: 1_787_307_330_000_000_000,
    end: 1_787_307_331_000_000_000,
};

fn servicegraphs_server() -> FakeServer {
    let search = fixture("tempo/api_search_status_error_response_docs_REPAIRED.json");
    let trace = fixture("derived/tempo_v2_trace_servicegraphs.json");
    FakeServer::start(move |r: &Request| match r.path() {
        "/api/search" => Response::json(200, search.clone()),
        p if p.starts_with("/api/v2/traces/") => Response::json(200, trace.clone()),
        _ => Response::new(404, "404 page not found"),
    })
}

#[test]
fn search_then_trace_by_id_maps_error_spans_with_base64_ids_and_enum_names() {
    let server = servicegraphs_server();
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    let (events, report) = fetch(&mut src, SG_WINDOW).unwrap();
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_eq!(events.len(), 3, "{events:#?}");
    assert!(events.iter().all(|e| e.origin == EventOrigin::SpanStatus));
    // "6Lbf+fjUSyjxsivDvS9naA==" and "wa5s6jmo/Es=" decoded to hex.
    assert!(events
        .iter()
        .all(|e| e.trace_id == "e8b6dff9f8d44b28f1b22bc3bd2f6768"));
    let pg = events
        .iter()
        .find(|e| e.span_name.as_deref() == Some("pg.query:INSERT"))
        .expect("pg span");
    assert_eq!(pg.span_id, "c1ae6cea39a8fc4b");
    assert_eq!(pg.service, "mythical-server");
    assert_eq!(pg.span_kind.as_deref(), Some("client"));
    assert_eq!(
        pg.message.as_deref(),
        Some("null value in column \"name\" of relation \"illithid\" violates not-null constraint")
    );

    let reqs = server.requests();
    let s = &reqs[0];
    assert_eq!(s.path(), "/api/search");
    assert_eq!(s.query_param("q").as_deref(), Some("{ status = error }"));
    assert_eq!(
        s.query_param("start").as_deref(),
        Some("1658325672"),
        "seconds"
    );
    assert_eq!(
        s.query_param("end").as_deref(),
        Some("1658325673"),
        "seconds, rounded up"
    );
    assert_eq!(
        s.query_param("limit").as_deref(),
        Some("501"),
        "one over the batch"
    );
    assert_eq!(
        reqs[1].path(),
        "/api/v2/traces/2f3e0cee77ae5dc9c17ade3689eb2e54"
    );
}

#[test]
fn trimmed_trace_ids_from_search_are_padded() {
    let search = fixture("tempo/api_search_status_error_response_docs_REPAIRED.json").replace(
        "2f3e0cee77ae5dc9c17ade3689eb2e54",
        "e0cee77ae5dc9c17ade3689eb2e54",
    );
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/search" => Response::json(200, search.clone()),
        _ => Response::json(200, r#"{"trace":{}}"#),
    });
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    fetch(&mut src, SG_WINDOW).unwrap();
    assert_eq!(
        server.requests()[1].path(),
        "/api/v2/traces/000e0cee77ae5dc9c17ade3689eb2e54"
    );
}

#[test]
fn services_narrow_the_query_and_the_spans() {
    let server = servicegraphs_server();
    let mut src = TempoSource::new(config(&server.addr, &["mythical-server"])).unwrap();
    let (events, _) = fetch(&mut src, SG_WINDOW).unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.service == "mythical-server"));
    let q = server.requests()[0].query_param("q").unwrap();
    assert_eq!(
        q,
        r#"({ status = error }) && { resource.service.name = "mythical-server" }"#
    );
}

#[test]
fn older_tempo_falls_back_to_v1_trace_route_and_batches_shape() {
    let search = fixture("tempo/api_search_status_error_response_docs_REPAIRED.json");
    let bare = fixture("tempo/tempopb_trace_with_error_status_servicegraphs.json");
    // Tempo < 2.6 serialised the trace under "batches".
    let batches = bare.replacen("\"resourceSpans\"", "\"batches\"", 1);
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/search" => Response::json(200, search.clone()),
        p if p.starts_with("/api/traces/") => Response::json(200, batches.clone()),
        _ => Response::new(404, "404 page not found"),
    });
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    let (events, _) = fetch(&mut src, SG_WINDOW).unwrap();
    assert_eq!(events.len(), 3);
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/search",
            "/api/v2/traces/2f3e0cee77ae5dc9c17ade3689eb2e54",
            "/api/traces/2f3e0cee77ae5dc9c17ade3689eb2e54"
        ]
    );

    // The real legacy fixture (hex ids written by hand, upper case) through fetch_trace.
    let legacy = fixture("tempo/legacy_batches_shape_tempopb_trace.json");
    let server = FakeServer::start(move |r: &Request| match r.path() {
        p if p.starts_with("/api/traces/") => Response::json(200, legacy.clone()),
        _ => Response::new(404, "404 page not found"),
    });
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    let spans = src
        .fetch_trace("5B8EFFF798038103D269B633813FC60C")
        .unwrap()
        .unwrap();
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].span_id, "eee19b7ec3c1b174");
    assert_eq!(spans[0].service, "my.service");
}

#[test]
fn a_second_full_even_at_the_largest_limit_is_held_and_searches_end_30s_before_now() {
    // Every search answers one more trace than asked for: never complete.
    let search: serde_json::Value = serde_json::from_str(&fixture(
        "tempo/api_search_status_error_response_docs_REPAIRED.json",
    ))
    .unwrap();
    let server = FakeServer::start(move |r: &Request| {
        let limit: usize = r.query_param("limit").unwrap().parse().unwrap();
        let mut body = search.clone();
        let one = body["traces"][0].clone();
        body["traces"] = (0..limit)
            .map(|i| {
                let mut t = one.clone();
                t["traceID"] = format!("{:x}", 0xa000 + i).into();
                t
            })
            .collect::<Vec<_>>()
            .into();
        Response::json(200, body.to_string())
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.batch_size = 10;
    cfg.search_end_lag = 30_000_000_000;
    let mut src = TempoSource::new(cfg).unwrap();
    let w = PollWindow {
        start: 1_658_325_670_000_000_000,
        end: 1_658_325_702_000_000_000,
    };
    let (events, report) = fetch(&mut src, w).unwrap();
    assert!(events.is_empty());
    let held = report.held.expect("held");
    assert_eq!(
        held.window.end - held.window.start,
        1_000_000_000,
        "{held:?}"
    );
    assert_eq!(held.window.start, w.start);
    assert!(held.reason.contains("20000"), "{held:?}");
    let reqs = server.requests();
    assert!(reqs
        .iter()
        .any(|r| r.query_param("limit").as_deref() == Some("20001")));
    assert!(reqs
        .iter()
        .all(|r| r.query_param("end").as_deref() <= Some("1658325672")));
    assert_eq!(report.read_until, Some(1_658_325_672_000_000_000));
}

#[test]
fn a_401_without_a_tenant_names_tempo_tenant() {
    let server = FakeServer::start(|_| Response::new(401, "no org id\n"));
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    let err = fetch(&mut src, SG_WINDOW).unwrap_err();
    assert!(err.to_string().contains("set TEMPO_TENANT"), "{err}");
    let mut cfg = config(&server.addr, &[]);
    cfg.http.org_id = Some("t1".into());
    let err = fetch(&mut TempoSource::new(cfg).unwrap(), SG_WINDOW).unwrap_err();
    assert!(!err.to_string().contains("TENANT"), "{err}");
}

#[test]
fn empty_search_means_no_events_and_no_trace_requests() {
    let server =
        FakeServer::start(|_| Response::json(200, r#"{"traces":[],"metrics":{"totalBlocks":13}}"#));
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    assert!(fetch(&mut src, SG_WINDOW).unwrap().0.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn full_search_splits_the_window_and_fetches_each_trace_once() {
    // The documented answer plus a second hit, so a batch of 1 is exceeded everywhere.
    let mut search: serde_json::Value = serde_json::from_str(&fixture(
        "tempo/api_search_status_error_response_docs_REPAIRED.json",
    ))
    .unwrap();
    let mut second = search["traces"][0].clone();
    second["traceID"] = "beef".into();
    search["traces"].as_array_mut().unwrap().push(second);
    let search = search.to_string();
    let trace = fixture("derived/tempo_v2_trace_servicegraphs.json");
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/search" => Response::json(200, search.clone()),
        "/api/v2/traces/0000000000000000000000000000beef" => Response::json(200, r#"{"trace":{}}"#),
        _ => Response::json(200, trace.clone()),
    });
    let mut cfg = config(&server.addr, &[]);
    cfg.batch_size = 1;
    let mut src = TempoSource::new(cfg).unwrap();
    let w = PollWindow {
        start: 1_658_325_670_000_000_000,
        end: 1_658_325_674_000_000_000,
    };
    let (events, report) = fetch(&mut src, w).unwrap();
    assert_eq!(events.len(), 3, "each error span once");
    let searches = server
        .requests()
        .iter()
        .filter(|r| r.path() == "/api/search")
        .count();
    let traces = server
        .requests()
        .iter()
        .filter(|r| r.path() != "/api/search")
        .count();
    assert!(
        searches >= 5,
        "4 s split down to 1 s windows: {searches} searches"
    );
    assert_eq!(traces, 2, "each trace is fetched once per pass");
    // A one-second window still full at limit 1 is searched again with a larger limit
    // (Tempo cannot search finer than a second); it fits, so nothing is held.
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.query_param("limit").as_deref() == Some("5")),
        "limit raised 1 -> 4"
    );
    assert!(report.held.is_none(), "{:?}", report.held);
}

fn exception_servers() -> (FakeServer, FakeServer) {
    let search = fixture("tempo/api_search_status_error_response_docs_REPAIRED.json");
    let trace = fixture("derived/tempo_v2_trace_exception.json");
    let tempo = FakeServer::start(move |r: &Request| match r.path() {
        "/api/search" => Response::json(200, search.clone()),
        _ => Response::json(200, trace.clone()),
    });
    let logs = fixture("derived/loki_query_range_exception_categorized.json");
    let loki = FakeServer::start(move |_| Response::json(200, logs.clone()));
    (tempo, loki)
}

#[test]
fn a_span_event_and_its_log_duplicate_map_to_identical_fields() {
    let (tempo, loki) = exception_servers();
    let (spans, _) = fetch(
        &mut TempoSource::new(config(&tempo.addr, &[])).unwrap(),
        EXC_WINDOW,
    )
    .unwrap();
    let (logs, _) = fetch(
        &mut LokiSource::new(LokiConfig::new(&loki.addr)).unwrap(),
        EXC_WINDOW,
    )
    .unwrap();
    assert_eq!((spans.len(), logs.len()), (1, 1), "{spans:#?} {logs:#?}");
    let (span, log) = (&spans[0], &logs[0]);
    assert_eq!(span.origin, EventOrigin::SpanEvent);
    assert_eq!(log.origin, EventOrigin::LogRecord);
    assert_eq!(span.trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(span.span_id, "eee19b7ec3c1b174");
    assert_eq!(span.trace_id, log.trace_id);
    assert_eq!(span.span_id, log.span_id);
    assert_eq!(span.service, log.service);
    assert_eq!(span.exception_type, log.exception_type);
    assert_eq!(span.message, log.message);
    assert_eq!(span.stacktrace, log.stacktrace);
    assert_eq!(span.timestamp, log.timestamp);
    assert_eq!(span.environment, log.environment);
    assert!(span
        .stacktrace
        .as_deref()
        .unwrap()
        .ends_with("ZeroDivisionError: division by zero\n"));
}

#[test]
fn grafana_stack_counts_a_logged_copy_of_a_span_exception_once() {
    let (tempo, loki) = exception_servers();
    let mut tcfg = config(&tempo.addr, &[]);
    tcfg.http.org_id = Some("tenant-a".into());
    let mut lcfg = LokiConfig::new(&loki.addr);
    lcfg.http.org_id = Some("tenant-a".into());
    let mut src = GrafanaStackSource::new(
        TempoSource::new(tcfg).unwrap(),
        LokiSource::new(lcfg).unwrap(),
    );
    assert_eq!(src.backend(), "grafana_stack");
    assert!(src.cursor_scope().contains(&tempo.addr) && src.cursor_scope().contains(&loki.addr));
    let (events, report) = fetch(&mut src, EXC_WINDOW).unwrap();
    assert!(report.partial_failures.is_empty());
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].origin, EventOrigin::SpanEvent);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("1 exception log record(s)")),
        "{:?}",
        report.notes
    );
    assert_eq!(
        tempo.requests()[0].header("x-scope-orgid"),
        Some("tenant-a")
    );
    assert_eq!(loki.requests()[0].header("x-scope-orgid"), Some("tenant-a"));
}

#[test]
fn grafana_stack_keeps_tempo_events_when_loki_is_down() {
    let search = fixture("tempo/api_search_status_error_response_docs_REPAIRED.json");
    let trace = fixture("derived/tempo_v2_trace_exception.json");
    let tempo = FakeServer::start(move |r: &Request| match r.path() {
        "/api/search" => Response::json(200, search.clone()),
        _ => Response::json(200, trace.clone()),
    });
    let loki = FakeServer::start(|_| Response::new(503, "ingester not ready"));
    let mut lcfg = LokiConfig::new(&loki.addr);
    lcfg.http.backoff_base = Duration::from_millis(5);
    lcfg.http.retries = 1;
    let mut src = GrafanaStackSource::new(
        TempoSource::new(config(&tempo.addr, &[])).unwrap(),
        LokiSource::new(lcfg).unwrap(),
    );
    let (events, report) = fetch(&mut src, EXC_WINDOW).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(report.partial_failures.len(), 1);
    assert_eq!(report.partial_failures[0].0, "loki");
    assert!(matches!(
        report.partial_failures[0].1,
        TelemetryError::Transient { .. }
    ));
}

#[test]
fn check_lists_services() {
    let values = fixture("tempo/api_search_tag_service.name_values_v1_response_docs.json");
    let server = FakeServer::start(move |_| Response::json(200, values.clone()));
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    let check = src.check().unwrap();
    assert_eq!(check.services.len(), 6);
    assert!(check.services.contains(&"shop-backend".to_string()));
    assert_eq!(
        server.requests()[0].path(),
        "/api/search/tag/service.name/values"
    );
}

#[test]
fn a_trace_shared_by_two_polled_services_yields_both_services_errors() {
    let server = servicegraphs_server();
    let mut src = TempoSource::new(config(
        &server.addr,
        &["mythical-requester", "mythical-server"],
    ))
    .unwrap();
    let (events, report) = fetch(&mut src, SG_WINDOW).unwrap();
    assert!(report.partial_failures.is_empty());
    let mut services: Vec<&str> = events.iter().map(|e| e.service.as_str()).collect();
    services.sort();
    assert_eq!(
        services,
        ["mythical-requester", "mythical-server", "mythical-server"]
    );
    let trace_reads = server
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/api/v2/traces/"))
        .count();
    assert_eq!(trace_reads, 1);
}

#[test]
fn an_exception_on_a_span_without_error_status_is_found_by_the_exception_query() {
    // The derived exception trace with the span's status left UNSET: a handled exception. Tempo
    // matches `{ status = error }` on the status alone, so that search finds nothing, while
    // `event:name` (Tempo >= 2.6) sees the event.
    let mut trace: serde_json::Value =
        serde_json::from_str(&fixture("derived/tempo_v2_trace_exception.json")).unwrap();
    trace["trace"]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["status"] =
        serde_json::json!({});
    let trace = trace.to_string();
    let mut hit: serde_json::Value = serde_json::from_str(&fixture(
        "tempo/api_search_status_error_response_docs_REPAIRED.json",
    ))
    .unwrap();
    hit["traces"][0]["traceID"] = "5b8efff798038103d269b633813fc60c".into();
    let hit = hit.to_string();
    let server = FakeServer::start(move |r: &Request| match r.path() {
        "/api/search"
            if r.query_param("q")
                .unwrap()
                .contains(r#"event:name = "exception""#) =>
        {
            Response::json(200, hit.clone())
        }
        "/api/search" => Response::json(200, r#"{"traces":[],"metrics":{}}"#),
        _ => Response::json(200, trace.clone()),
    });
    use rounds::adapters::telemetry::tempo::{ErrorSpans, STATUS_QUERY};
    // The default misses it.
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    assert!(fetch(&mut src, EXC_WINDOW).unwrap().0.is_empty());
    assert_eq!(
        server.requests()[0].query_param("q").as_deref(),
        Some(STATUS_QUERY)
    );
    for mode in ["exceptions", "both"] {
        let mut cfg = config(&server.addr, &["orders-api"]);
        cfg.traceql = ErrorSpans::parse(mode).unwrap().traceql().to_string();
        let before = server.requests().len();
        let (events, _) = fetch(&mut TempoSource::new(cfg).unwrap(), EXC_WINDOW).unwrap();
        assert_eq!(events.len(), 1, "{mode}: {events:#?}");
        let e = &events[0];
        assert_eq!(e.origin, EventOrigin::SpanEvent);
        assert_eq!(e.exception_type.as_deref(), Some("ZeroDivisionError"));
        assert_eq!(e.span_id, "eee19b7ec3c1b174");
        let q = server.requests()[before].query_param("q").unwrap();
        let expected = if mode == "both" {
            r#"({ status = error } || { event:name = "exception" }) && { resource.service.name = "orders-api" }"#
        } else {
            r#"({ event:name = "exception" }) && { resource.service.name = "orders-api" }"#
        };
        assert_eq!(q, expected);
    }
    assert_eq!(ErrorSpans::parse("status"), Some(ErrorSpans::Status));
    assert_eq!(ErrorSpans::parse("errors"), None);
}

#[test]
fn a_window_longer_than_168_hours_is_searched_in_pieces_tempo_accepts() {
    let server =
        FakeServer::start(|_| Response::json(200, r#"{"traces":[],"metrics":{"totalBlocks":1}}"#));
    let mut src = TempoSource::new(config(&server.addr, &[])).unwrap();
    let hour = 3_600_000_000_000i64;
    let w = PollWindow {
        start: EXC_WINDOW.end - 400 * hour,
        end: EXC_WINDOW.end,
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
    // Tempo's frontend refuses searches over max_duration, 168 h by default
    // (modules/frontend/config.go: MaxDuration 168 * time.Hour).
    assert_eq!(spans.len(), 3, "{spans:?}");
    assert!(spans.iter().all(|(s, e)| e - s <= 168 * 3600), "{spans:?}");
    assert_eq!(spans[0].0 * 1_000_000_000, w.start, "earliest first");
    assert_eq!(spans[2].1 * 1_000_000_000, w.end);
    assert!(
        spans.windows(2).all(|p| p[0].1 == p[1].0),
        "contiguous: {spans:?}"
    );
}
