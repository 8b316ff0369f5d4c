//! Releases through the binary (docs/releases.md): OTLP files whose events carry two releases
//! and environments (`deployment.environment` and the newer `deployment.environment.name`),
//! counted per release in `show`, `list --release/--environment`, `report` and notifications;
//! regressions that name their release; `resolve --in-next-release` against an older, the same
//! and a newer release, and against an occurrence with no release.

use crate::support::harness::{Env, Run};
use serde_json::{json, Value};

/// 2026-11-25T12:00:00Z, the harness's ROUNDS_NOW.
const NOW_S: i64 = 1_795_608_000;

/// One span event of an exception.
struct Ev<'a> {
    /// Seconds before NOW.
    ago: i64,
    exception: &'a str,
    release: Option<&'a str>,
    /// (attribute key, environment)
    env: Option<(&'a str, &'a str)>,
}

fn ev<'a>(ago: i64, exception: &'a str, release: Option<&'a str>) -> Ev<'a> {
    Ev {
        ago,
        exception,
        release,
        env: None,
    }
}

fn in_env<'a>(mut e: Ev<'a>, key: &'a str, env: &'a str) -> Ev<'a> {
    e.env = Some((key, env));
    e
}

/// One OTLP/JSON ExportTraceServiceRequest per event (each its own resource: its release).
fn write_pass(env: &Env, name: &str, events: &[Ev<'_>], seq: &mut u64) -> String {
    let mut lines = String::new();
    for e in events {
        *seq += 1;
        let ts = ((NOW_S - e.ago) as i128 * 1_000_000_000).to_string();
        let mut attrs = vec![json!({"key": "service.name", "value": {"stringValue": "checkout"}})];
        if let Some(r) = e.release {
            attrs.push(json!({"key": "service.version", "value": {"stringValue": r}}));
        }
        if let Some((k, v)) = e.env {
            attrs.push(json!({"key": k, "value": {"stringValue": v}}));
        }
        let doc = json!({"resourceSpans": [{
            "resource": {"attributes": attrs},
            "scopeSpans": [{"scope": {"name": "test"}, "spans": [{
                "traceId": format!("{:032x}", 0xabc000 + *seq),
                "spanId": format!("{:016x}", 0x100 + *seq),
                "name": "POST /pay", "kind": 2,
                "startTimeUnixNano": ts, "endTimeUnixNano": ts,
                "events": [{"name": "exception", "timeUnixNano": ts, "attributes": [
                    {"key": "exception.type", "value": {"stringValue": e.exception}},
                    {"key": "exception.message", "value": {"stringValue": format!("payment failed for order {}", 1000 + *seq)}},
                ]}],
                "status": {"code": 2},
            }]}],
        }]});
        lines.push_str(&doc.to_string());
        lines.push('\n');
    }
    let path = env.path().join(name);
    std::fs::write(&path, lines).unwrap();
    path.display().to_string()
}

fn poll(env: &Env, file: &str) -> Run {
    let r = env.run(&["poll", "--input", file]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

/// The id of the one signature whose type is `exception`.
fn id_of(env: &Env, exception: &str) -> String {
    let list = env.run(&["list", "--all", "--json", "--search", exception]);
    let sigs = list.json()["signatures"].as_array().unwrap().clone();
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    sigs[0]["id"].as_str().unwrap().to_string()
}

fn show(env: &Env, id: &str) -> Value {
    let r = env.run(&["show", id, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn listed(env: &Env, args: &[&str]) -> Vec<String> {
    let mut a = vec!["list", "--all", "--json"];
    a.extend_from_slice(args);
    let r = env.run(&a);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn two_releases_are_counted_and_shown_everywhere() {
    let env = Env::new();
    let mut seq = 0;
    let envk = "deployment.environment";
    let newk = "deployment.environment.name";
    let file = write_pass(
        &env,
        "p1.jsonl",
        &[
            in_env(ev(3600, "PaymentError", Some("1.0.0")), envk, "prod"),
            in_env(ev(3000, "PaymentError", Some("1.0.0")), envk, "prod"),
            // The newer semantic conventions' key counts the same way.
            in_env(ev(600, "PaymentError", Some("1.1.0")), newk, "staging"),
            in_env(ev(1200, "RefundError", Some("2.0.0")), envk, "prod"),
            ev(100, "RefundError", None),
        ],
        &mut seq,
    );
    let out = poll(&env, &file);
    // The stdout notifier names the release each new signature was last seen in.
    assert!(out.stdout.contains(", release 1.1.0)"), "{}", out.stdout);
    let pay = id_of(&env, "PaymentError");
    let refund = id_of(&env, "RefundError");

    let s = show(&env, &pay);
    assert_eq!(s["first_release"], "1.0.0", "{s}");
    assert_eq!(s["last_release"], "1.1.0");
    assert_eq!(s["latest_release"], "1.1.0");
    assert_eq!(
        s["releases"],
        json!([
            {"release": "1.1.0", "count": 1, "first_seen": "2026-11-25T11:50:00Z", "last_seen": "2026-11-25T11:50:00Z"},
            {"release": "1.0.0", "count": 2, "first_seen": "2026-11-25T11:00:00Z", "last_seen": "2026-11-25T11:10:00Z"},
        ])
    );
    assert_eq!(
        s["environments"],
        json!([
            {"environment": "prod", "count": 2, "first_seen": "2026-11-25T11:00:00Z", "last_seen": "2026-11-25T11:10:00Z"},
            {"environment": "staging", "count": 1, "first_seen": "2026-11-25T11:50:00Z", "last_seen": "2026-11-25T11:50:00Z"},
        ])
    );
    assert_eq!(s["resolved_in_release"], Value::Null);
    assert_eq!(s["regressed_in_release"], Value::Null);
    // Only gained fields: what was there still is.
    assert_eq!(s["signature"]["count"], 3);
    assert_eq!(s["version"], 2);
    // The event with no release counts on the signature only.
    let r = show(&env, &refund);
    assert_eq!(r["signature"]["count"], 2);
    assert_eq!(r["releases"].as_array().unwrap().len(), 1);

    let text = env.run(&["show", &pay]).stdout;
    assert!(
        text.contains("releases   first 1.0.0 · last 1.1.0 · latest 1.1.0"),
        "{text}"
    );
    assert!(text.contains("environments prod 2, staging 1"), "{text}");

    // Filters: releases exactly, environments case-insensitively.
    assert_eq!(listed(&env, &["--release", "1.0.0"]), vec![pay.clone()]);
    assert_eq!(listed(&env, &["--release", "2.0.0"]), vec![refund.clone()]);
    assert!(listed(&env, &["--release", "1.0"]).is_empty());
    let mut prod = listed(&env, &["--environment", "PROD"]);
    prod.sort();
    let mut both = vec![pay.clone(), refund.clone()];
    both.sort();
    assert_eq!(prod, both);
    assert_eq!(
        listed(&env, &["--environment", "staging", "--release", "1.1.0"]),
        vec![pay.clone()]
    );
    assert!(listed(&env, &["--environment", "staging", "--release", "2.0.0"]).is_empty());
    // The tab-separated and table forms take the filters too.
    let tsv = env.run(&["list", "--release", "2.0.0", "--format", "tsv"]);
    assert!(tsv.stdout.contains(&refund) && !tsv.stdout.contains(&pay));

    // report: markdown lines and JSON fields.
    let md = env
        .run(&["report", "--since", "all", "--status", "new"])
        .stdout;
    assert!(
        md.contains("- **releases:** first `1.0.0` · last `1.1.0` · `1.1.0` ×1, `1.0.0` ×2"),
        "{md}"
    );
    assert!(
        md.contains("- **environments:** prod ×2, staging ×1"),
        "{md}"
    );
    let rep = env.run(&[
        "report", "--since", "all", "--status", "new", "--format", "json",
    ]);
    let sigs = rep.json()["signatures"].as_array().unwrap().clone();
    let p = sigs.iter().find(|x| x["id"] == pay.as_str()).unwrap();
    assert_eq!(p["first_release"], "1.0.0");
    assert_eq!(p["releases"][1]["count"], 2);
    assert_eq!(p["environments"][0]["environment"], "prod");
}

#[test]
fn resolve_in_next_release_against_older_same_and_newer() {
    let env = Env::new();
    let mut seq = 0;
    let file = write_pass(
        &env,
        "p1.jsonl",
        &[
            ev(7200, "PaymentError", Some("1.9.0")),
            ev(7000, "PaymentError", Some("1.10.0")),
        ],
        &mut seq,
    );
    poll(&env, &file);
    let id = id_of(&env, "PaymentError");
    let r = env.run(&["resolve", "--in-next-release", &id, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 1.10.0 is the latest by number, though 1.9.0 sorts after it as text.
    assert!(
        r.stderr.contains("resolved in the release after 1.10.0"),
        "{}",
        r.stderr
    );
    let doc = r.json();
    assert_eq!(doc["action"], "resolve_in_next_release");
    assert_eq!(doc["signatures"][0]["status"], "resolved");
    assert_eq!(doc["signatures"][0]["changed"], true);
    assert_eq!(show(&env, &id)["resolved_in_release"], "1.10.0");
    let text = env.run(&["show", &id]).stdout;
    assert!(
        text.contains("resolved in the release after 1.10.0"),
        "{text}"
    );

    // The same release and an older one: counted, still resolved, nothing announced.
    let file = write_pass(
        &env,
        "p2.jsonl",
        &[
            ev(3000, "PaymentError", Some("1.10.0")),
            ev(2900, "PaymentError", Some("1.9.0")),
        ],
        &mut seq,
    );
    let out = poll(&env, &file);
    assert!(!out.stdout.contains("regressed"), "{}", out.stdout);
    let s = show(&env, &id);
    assert_eq!(s["signature"]["status"], "resolved", "{s}");
    assert_eq!(s["signature"]["count"], 4);
    assert_eq!(s["releases"][0]["count"], 2, "{s}");

    // A newer release regresses it, and everything names that release.
    let file = write_pass(
        &env,
        "p3.jsonl",
        &[ev(600, "PaymentError", Some("1.11.0"))],
        &mut seq,
    );
    let out = poll(&env, &file);
    assert!(
        out.stdout.contains("regressed in release 1.11.0"),
        "{}",
        out.stdout
    );
    let s = show(&env, &id);
    assert_eq!(s["signature"]["status"], "regressed");
    assert_eq!(s["regressed_in_release"], "1.11.0");
    assert_eq!(s["resolved_in_release"], Value::Null);
    let last = s["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["reason"],
        "occurred again in release 1.11.0, newer than 1.10.0 it was resolved in"
    );
    let text = env.run(&["show", &id]).stdout;
    assert!(text.contains("regressed in release 1.11.0"), "{text}");
    let md = env.run(&["report", "--since", "all"]).stdout;
    assert!(md.contains("- **regressed in release:** `1.11.0`"), "{md}");
    let rep = env.run(&["report", "--since", "all", "--format", "json"]);
    assert_eq!(
        rep.json()["signatures"][0]["regressed_in_release"],
        "1.11.0"
    );
}

#[test]
fn an_occurrence_with_no_release_regresses_a_next_release_resolution() {
    let env = Env::new();
    let mut seq = 0;
    let file = write_pass(
        &env,
        "p1.jsonl",
        &[ev(7200, "PaymentError", Some("3.0.0"))],
        &mut seq,
    );
    poll(&env, &file);
    let id = id_of(&env, "PaymentError");
    assert_eq!(env.run(&["resolve", "--in-next-release", &id]).code, 0);
    let file = write_pass(&env, "p2.jsonl", &[ev(600, "PaymentError", None)], &mut seq);
    let out = poll(&env, &file);
    assert!(out.stdout.starts_with("regressed"), "{}", out.stdout);
    let s = show(&env, &id);
    assert_eq!(s["signature"]["status"], "regressed");
    assert_eq!(s["regressed_in_release"], Value::Null);
    let last = s["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["reason"],
        "occurred again with no release after being resolved in the release after 3.0.0"
    );
}

#[test]
fn plain_resolve_names_the_release_it_came_back_in_and_no_release_resolves_plainly() {
    let env = Env::new();
    let mut seq = 0;
    let file = write_pass(
        &env,
        "p1.jsonl",
        &[
            ev(7200, "PaymentError", Some("2.0.0")),
            ev(7200, "RefundError", None),
        ],
        &mut seq,
    );
    poll(&env, &file);
    let pay = id_of(&env, "PaymentError");
    let refund = id_of(&env, "RefundError");
    assert_eq!(env.run(&["resolve", &pay]).code, 0);
    // No release at all: resolved plainly, and said so.
    let r = env.run(&["resolve", "--in-next-release", &refund]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("no release seen"), "{}", r.stderr);
    assert_eq!(show(&env, &refund)["resolved_in_release"], Value::Null);
    // Plainly resolved: even an older release regresses it, named in the history.
    let file = write_pass(
        &env,
        "p2.jsonl",
        &[
            ev(600, "PaymentError", Some("1.0.0")),
            ev(600, "RefundError", None),
        ],
        &mut seq,
    );
    let out = poll(&env, &file);
    assert!(
        out.stdout.contains("regressed in release 1.0.0"),
        "{}",
        out.stdout
    );
    let s = show(&env, &pay);
    assert_eq!(s["regressed_in_release"], "1.0.0");
    let last = s["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["reason"],
        "occurred again in release 1.0.0 after being resolved"
    );
    assert_eq!(show(&env, &refund)["signature"]["status"], "regressed");
    // --undo and --in-next-release together are a usage error.
    assert_eq!(
        env.run(&["resolve", "--undo", "--in-next-release", &pay])
            .code,
        2
    );
}

#[test]
fn notify_json_lines_carry_releases() {
    let env = Env::new();
    let mut seq = 0;
    let file = write_pass(
        &env,
        "p1.jsonl",
        &[in_env(
            ev(600, "PaymentError", Some("4.2.0")),
            "deployment.environment",
            "prod",
        )],
        &mut seq,
    );
    let r = env.run(&["poll", "--input", &file, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["first_release"], "4.2.0", "{line}");
    assert_eq!(line["last_release"], "4.2.0");
    assert_eq!(line["environments"][0]["environment"], "prod");
    assert_eq!(line["environments"].as_array().unwrap().len(), 1);
    assert_eq!(line["regressed_in_release"], Value::Null);
}
