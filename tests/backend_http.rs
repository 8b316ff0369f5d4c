//! Fault semantics shared by every HTTP backend, exercised through real adapters against a
//! loopback server: auth, retries with Retry-After, persistent 5xx, timeouts, bad bodies.

use crate::support::fake_http;

use fake_http::{FakeServer, Response};
use rounds::adapters::telemetry::http::HttpAuth;
use rounds::adapters::telemetry::jaeger::{JaegerConfig, JaegerSource};
use rounds::adapters::telemetry::signoz::{SignozConfig, SignozSource};
use rounds::adapters::telemetry::tempo::{TempoConfig, TempoSource};
use rounds::core::model::ErrorEvent;
use rounds::core::ports::telemetry::{PollWindow, TelemetryError, TelemetrySource};
use std::time::{Duration, Instant};

fn fixture(rel: &str) -> String {
    let p = format!(
        "{}/tests/fixtures/backends/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// Ten minutes: Tempo searches end 30 s before the window's end (its now).
const WINDOW: PollWindow = PollWindow {
    start: 1_706_678_909_000_000_000,
    end: 1_706_679_509_000_000_000,
};

fn jaeger(base: &str) -> JaegerConfig {
    let mut c = JaegerConfig::new(base);
    c.services = vec!["telemetrygen".into()];
    c.http.backoff_base = Duration::from_millis(5);
    c.http.retries = 2;
    c.http.timeout = Duration::from_secs(5);
    c
}

fn run(src: &mut dyn TelemetrySource) -> Result<Vec<ErrorEvent>, TelemetryError> {
    let mut out = Vec::new();
    src.fetch(WINDOW, &mut |e| {
        out.push(e);
        Ok(())
    })?;
    Ok(out)
}

#[test]
fn rejected_credentials_are_auth_errors_that_never_show_the_secret() {
    let server = FakeServer::start(|_| Response::new(401, "unauthorized"));
    let mut cfg = jaeger(&server.addr);
    cfg.http.auth = HttpAuth::Bearer("s3cr3t-t0ken".into());
    let err = run(&mut JaegerSource::new(cfg).unwrap()).unwrap_err();
    assert!(
        matches!(err, TelemetryError::Auth { status: 401, .. }),
        "{err:?}"
    );
    let text = format!("{err} {err:?}");
    assert!(!text.contains("s3cr3t-t0ken"), "{text}");
    assert!(text.contains(&server.addr), "names the URL: {text}");
    assert_eq!(server.requests().len(), 1, "no retry on 401");
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer s3cr3t-t0ken")
    );

    // SigNoz: 403 with the API key in a header; the key never appears either.
    let server = FakeServer::start(|_| {
        Response::json(
            403,
            r#"{"status":"error","error":{"code":"forbidden","message":"invalid key"}}"#,
        )
    });
    let mut cfg = SignozConfig::new(&server.addr);
    cfg.api_key = Some("sz-key-123456".into());
    let err = run(&mut SignozSource::new(cfg).unwrap()).unwrap_err();
    assert!(
        matches!(err, TelemetryError::Auth { status: 403, .. }),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("sz-key-123456"));
    assert_eq!(
        server.requests()[0].header("signoz-api-key"),
        Some("sz-key-123456")
    );
}

#[test]
fn headers_basic_auth_tenant_and_path_prefix_are_sent() {
    let server = FakeServer::start(|_| Response::json(200, r#"{"traces":[]}"#));
    let mut cfg = TempoConfig::new(format!("{}/tempo/", server.addr));
    cfg.http.auth = HttpAuth::Basic {
        user: "123456".into(),
        password: "glc_token".into(),
    };
    cfg.http.org_id = Some("tenant-a".into());
    cfg.http.headers =
        rounds::adapters::telemetry::http::parse_header_list("X-Extra=one, X-Other=two").unwrap();
    let mut src = TempoSource::new(cfg).unwrap();
    run(&mut src).unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.path(), "/tempo/api/search");
    // base64("123456:glc_token")
    assert_eq!(
        r.header("authorization"),
        Some("Basic MTIzNDU2OmdsY190b2tlbg==")
    );
    assert_eq!(r.header("x-scope-orgid"), Some("tenant-a"));
    assert_eq!(r.header("x-extra"), Some("one"));
    assert_eq!(r.header("x-other"), Some("two"));
}

#[test]
fn too_many_requests_honours_retry_after_then_succeeds() {
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::sequence(vec![
        Response::new(429, "slow down").header("Retry-After", "1"),
        Response::json(200, body),
    ]);
    let started = Instant::now();
    let events = run(&mut JaegerSource::new(jaeger(&server.addr)).unwrap()).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(server.requests().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
}

#[test]
fn retry_after_beyond_the_bound_ends_the_pass_as_transient() {
    let server = FakeServer::start(|_| Response::new(429, "").header("Retry-After", "3600"));
    let mut cfg = jaeger(&server.addr);
    cfg.services = vec!["a".into()];
    let started = Instant::now();
    let err = run(&mut JaegerSource::new(cfg).unwrap()).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::Transient { reason, .. } if reason.contains("3600")),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn server_error_then_success() {
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::sequence(vec![Response::new(500, "oops"), Response::json(200, body)]);
    let events = run(&mut JaegerSource::new(jaeger(&server.addr)).unwrap()).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn persistent_server_errors_are_transient_after_the_retries() {
    let server = FakeServer::start(|_| Response::new(503, "maintenance"));
    let err = run(&mut JaegerSource::new(jaeger(&server.addr)).unwrap()).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::Transient { reason, .. } if reason.contains("503")),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3, "first try + 2 retries");
}

#[test]
fn a_slow_server_times_out_as_transient() {
    let server = FakeServer::start(|_| Response::json(200, "{}").delay(Duration::from_millis(800)));
    let mut cfg = jaeger(&server.addr);
    cfg.http.timeout = Duration::from_millis(200);
    cfg.http.retries = 1;
    let err = run(&mut JaegerSource::new(cfg).unwrap()).unwrap_err();
    assert!(matches!(err, TelemetryError::Transient { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn refused_connection_is_unavailable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = run(&mut JaegerSource::new(jaeger(&format!("http://127.0.0.1:{port}"))).unwrap())
        .unwrap_err();
    assert!(matches!(err, TelemetryError::Unavailable { .. }), "{err:?}");
}

#[test]
fn truncated_body_is_bad_data_naming_the_endpoint() {
    let body = fixture("derived/jaeger_v1_search_exception.json");
    let server = FakeServer::start(move |_| Response::json(200, body.clone()).truncate_at(300));
    let err = run(&mut JaegerSource::new(jaeger(&server.addr)).unwrap()).unwrap_err();
    match &err {
        TelemetryError::BadData { location, detail } => {
            assert_eq!(location, &format!("{}/api/traces", server.addr));
            assert!(detail.contains("\"data\""), "excerpt shown: {detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_body_is_bad_data_with_a_short_excerpt() {
    let html = format!(
        "<html><body>{}</body></html>",
        "proxy login page ".repeat(50)
    );
    let server = FakeServer::start(move |_| {
        Response::new(200, html.clone()).header("Content-Type", "text/html")
    });
    let err = run(&mut JaegerSource::new(jaeger(&server.addr)).unwrap()).unwrap_err();
    match &err {
        TelemetryError::BadData { location, detail } => {
            assert!(location.ends_with("/api/traces"));
            assert!(detail.contains("<html><body>proxy login page"), "{detail}");
            assert!(
                detail.len() < 400,
                "excerpt is short: {} chars",
                detail.len()
            );
        }
        other => panic!("{other:?}"),
    }
    // Well-formed JSON of the wrong shape is bad data too.
    let server = FakeServer::start(|_| Response::json(200, r#"{"data":{"not":"a list"}}"#));
    let err = run(&mut JaegerSource::new(jaeger(&server.addr)).unwrap()).unwrap_err();
    assert!(matches!(err, TelemetryError::BadData { .. }), "{err:?}");
}

#[test]
fn rejected_query_is_a_configuration_error() {
    let server = FakeServer::start(|_| {
        Response::json(
            400,
            r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter 'service' is required"}]}"#,
        )
    });
    let err = run(&mut JaegerSource::new(jaeger(&server.addr)).unwrap()).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::Config { reason, .. } if reason.contains("parameter 'service' is required")),
        "{err:?}"
    );
}

#[test]
fn bad_base_urls_are_configuration_errors() {
    for url in ["localhost:16686", "ftp://host", "http://"] {
        let err = JaegerSource::new(jaeger(url))
            .err()
            .unwrap_or_else(|| panic!("{url} accepted"));
        assert!(
            matches!(err, TelemetryError::Config { .. }),
            "{url}: {err:?}"
        );
    }
}

#[test]
fn redirects_are_not_followed_with_credentials() {
    let server = FakeServer::start(|_| {
        Response::new(302, "").header("Location", "http://elsewhere.example/api/traces")
    });
    let mut cfg = SignozConfig::new(&server.addr);
    cfg.api_key = Some("sz-key-777".into());
    let err = run(&mut SignozSource::new(cfg).unwrap()).unwrap_err();
    assert!(
        matches!(&err, TelemetryError::Config { reason, .. } if reason.contains("elsewhere.example")),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unknown_host_is_unavailable() {
    let err = run(&mut JaegerSource::new(jaeger("http://rounds-test-host.invalid:16686")).unwrap())
        .unwrap_err();
    assert!(matches!(err, TelemetryError::Unavailable { .. }), "{err:?}");
}

#[test]
fn configs_do_not_debug_print_secrets() {
    let mut cfg = SignozConfig::new("https://u:url-pass@signoz.example");
    cfg.api_key = Some("sz-key-888".into());
    cfg.http.headers = vec![("X-Api-Key".into(), "hdr-secret".into())];
    cfg.http.auth = HttpAuth::Bearer("bearer-secret".into());
    let shown = format!("{cfg:?}");
    for secret in ["sz-key-888", "hdr-secret", "bearer-secret", "url-pass"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

/// The shared transport (src/adapters/http.rs) on its own: what each policy flag changes.
mod transport {
    use super::*;
    use rounds::adapters::http::{
        retry_transient, Policy, Reply, Request, Retry, Transport, TransportError,
    };

    fn policy() -> Policy {
        Policy {
            timeout: Duration::from_millis(200),
            retries: 2,
            backoff_base: Duration::from_millis(5),
            max_wait: Duration::from_millis(50),
            ..Policy::idempotent()
        }
    }

    fn get(t: &Transport, url: &str) -> Result<Reply, TransportError> {
        t.send(
            &Request {
                method: "GET",
                url,
                query: &[("q", "x y".to_string())],
                headers: &[("Authorization", "Bearer hush-42")],
                body: None,
            },
            &retry_transient,
        )
    }

    #[test]
    fn a_timeout_is_retried_only_when_the_request_is_idempotent() {
        let server =
            FakeServer::start(|_| Response::json(200, "{}").delay(Duration::from_millis(600)));
        let url = format!("{}/api", server.addr);
        let err = get(&Transport::new(policy()), &url).unwrap_err();
        assert!(matches!(err, TransportError::Timeout { .. }), "{err:?}");
        assert_eq!(server.requests().len(), 3, "first try + 2 retries");
        let before = server.requests().len();
        let once = Transport::new(Policy {
            idempotent: false,
            ..policy()
        });
        assert!(matches!(
            get(&once, &url),
            Err(TransportError::Timeout { .. })
        ));
        assert_eq!(
            server.requests().len() - before,
            1,
            "a POST-like call is not repeated"
        );
    }

    #[test]
    fn a_long_retry_after_is_refused_or_capped_and_the_last_answer_comes_back() {
        let server = FakeServer::start(|_| {
            Response::json(429, r#"{"error":"slow down"}"#).header("Retry-After", "3600")
        });
        let url = format!("{}/api", server.addr);
        let err = get(&Transport::new(policy()), &url).unwrap_err();
        assert!(
            matches!(err, TransportError::WaitTooLong { status: 429, wait, .. } if wait.as_secs() == 3600),
            "{err:?}"
        );
        assert_eq!(server.requests().len(), 1);
        let capped = Transport::new(Policy {
            refuse_long_waits: false,
            ..policy()
        });
        let t = Instant::now();
        let reply = get(&capped, &url).unwrap();
        assert_eq!(reply.status, 429);
        assert!(reply.body.contains("slow down"));
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        assert_eq!(server.requests().len(), 1 + 3);
    }

    #[test]
    fn the_deadline_stops_retries_and_the_rule_decides_what_is_retried() {
        let server = FakeServer::start(|_| Response::json(503, "{}"));
        let url = format!("{}/api", server.addr);
        let late = Transport::new(Policy {
            retries: 10,
            backoff_base: Duration::from_millis(40),
            max_wait: Duration::from_millis(40),
            deadline: Some(Duration::from_millis(100)),
            ..policy()
        });
        assert_eq!(get(&late, &url).unwrap().status, 503);
        let n = server.requests().len();
        assert!(
            (2..=4).contains(&n),
            "{n} attempts within a 100 ms deadline"
        );
        let before = server.requests().len();
        let never = Transport::new(policy());
        let reply = never
            .send(
                &Request {
                    method: "GET",
                    url: &url,
                    query: &[],
                    headers: &[],
                    body: None,
                },
                &|_| Retry::No,
            )
            .unwrap();
        assert_eq!(reply.status, 503);
        assert_eq!(server.requests().len() - before, 1);
    }

    #[test]
    fn redirects_and_refusals_name_the_url_never_a_header() {
        let server = FakeServer::start(|_| {
            Response::new(301, "").header("Location", "http://u:pw@elsewhere.example/api")
        });
        let url = format!("{}/api", server.addr);
        let err = get(&Transport::new(policy()), &url).unwrap_err();
        let TransportError::Redirect {
            status, location, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (*status, location.as_str()),
            (301, "http://elsewhere.example/api")
        );
        assert_eq!(server.requests().len(), 1, "not followed");
        assert_eq!(
            server.requests()[0].query_param("q").as_deref(),
            Some("x y")
        );
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("hush-42") && !shown.contains("pw@"),
            "{shown}"
        );

        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let refused = format!("http://127.0.0.1:{port}/api");
        let t = Instant::now();
        let err = get(&Transport::new(policy()), &refused).unwrap_err();
        assert!(matches!(err, TransportError::Unavailable { .. }), "{err:?}");
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "not retried by default"
        );
        let err = get(
            &Transport::new(Policy {
                retry_refused: true,
                ..policy()
            }),
            &refused,
        )
        .unwrap_err();
        assert!(matches!(err, TransportError::Unavailable { .. }), "{err:?}");
        assert!(!format!("{err}").contains("hush-42"));
    }
}
