//! Sample events through the binary: a poll keeps a few whole events per signature (attributes,
//! service version, message), `show --json` lists them, and the diagnosis prompt carries them.

use crate::support::harness;

use harness::{repo, Env};
use serde_json::Value;

const EXAMPLE: &str = "examples/otlp-errors.jsonl";
const MAX_SAMPLES: usize = 5;

fn ids(env: &Env) -> Vec<(String, u64)> {
    let r = env.run(&["list", "--json", "--limit", "100"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn samples(env: &Env, id: &str) -> Vec<Value> {
    let r = env.run(&["show", id, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["samples"].as_array().unwrap().clone()
}

/// `n` copies of the example's first span (its exception event included) on distinct span ids
/// and times: `n` occurrences of one bug, written as one OTLP/JSON line each.
fn same_bug(dir: &std::path::Path, name: &str, first: usize, n: usize) -> String {
    let line = std::fs::read_to_string(repo(EXAMPLE))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let doc: Value = serde_json::from_str(&line).unwrap();
    let mut out = String::new();
    for i in first..first + n {
        let mut d = doc.clone();
        let spans = d["resourceSpans"][0]["scopeSpans"][0]["spans"]
            .as_array_mut()
            .unwrap();
        spans.truncate(1);
        let span = &mut spans[0];
        span["spanId"] = Value::String(format!("{:016x}", 0xabc000 + i));
        span["attributes"] = serde_json::json!([{"key": "http.route", "value": {"stringValue": format!("/cart/{i}")}}]);
        let t = 1_795_600_800_005_000_000u64 + i as u64 * 1_000_000_000;
        span["events"][0]["timeUnixNano"] = Value::String(t.to_string());
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path.display().to_string()
}

#[test]
fn poll_keeps_whole_sample_events_and_show_lists_them() {
    let env = Env::new();
    let r = env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sigs = ids(&env);
    assert!(!sigs.is_empty());
    let mut with_env = 0;
    for (id, count) in &sigs {
        let s = samples(&env, id);
        assert_eq!(
            s.len(),
            (*count as usize).min(MAX_SAMPLES),
            "{id}: one sample per event, at most {MAX_SAMPLES}"
        );
        for e in &s {
            assert!(e["attributes"].is_object(), "{e}");
            assert!(e["service"].is_string(), "{e}");
        }
        with_env += s
            .iter()
            .filter(|e| e["attributes"]["deployment.environment"] == "production")
            .count();
    }
    assert!(
        with_env > 0,
        "resource attributes are kept with the samples"
    );
    // The checkout service's version travels with its samples.
    let checkout: Vec<Value> = sigs
        .iter()
        .flat_map(|(id, _)| samples(&env, id))
        .filter(|e| e["service"] == "checkout")
        .collect();
    assert!(!checkout.is_empty());
    assert!(checkout.iter().all(|e| e["service_version"] == "2.4.1"));
    assert!(checkout.iter().any(|e| e["message"].is_string()));
}

#[test]
fn a_signature_keeps_at_most_five_samples_across_passes() {
    let env = Env::new();
    let first = same_bug(env.path(), "a.jsonl", 0, 8);
    let r = env.run(&["poll", "--input", &first, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sigs = ids(&env);
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    assert_eq!(sigs[0].1, 8);
    let kept = samples(&env, &sigs[0].0);
    assert_eq!(kept.len(), MAX_SAMPLES);
    // The first events of the signature are the ones kept, each with its own span attribute.
    let mut routes: Vec<&str> = kept
        .iter()
        .map(|e| e["attributes"]["http.route"].as_str().unwrap())
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        ["/cart/0", "/cart/1", "/cart/2", "/cart/3", "/cart/4"]
    );

    // A later pass loads the stored count: the signature is full and stays so.
    let second = same_bug(env.path(), "b.jsonl", 8, 3);
    let r = env.run(&["poll", "--input", &second, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sigs = ids(&env);
    assert_eq!(sigs[0].1, 11);
    assert_eq!(samples(&env, &sigs[0].0).len(), MAX_SAMPLES);
}

#[test]
fn the_diagnosis_prompt_carries_sample_attributes() {
    let mut env = Env::new();
    let input = same_bug(env.path(), "a.jsonl", 0, 2);
    let r = env.run(&["poll", "--input", &input, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let src = env.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    env.set("DIAGNOSIS_BACKEND", "claude_code")
        .set("CLAUDE_CODE_PATH", "/nonexistent/claude")
        .set("CODEBASE_PATH", src.to_str().unwrap());
    let id = ids(&env)[0].0.clone();
    let r = env.run(&["diagnose", &id, "--dry-run"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("deployment.environment = production"),
        "resource attribute of a sample: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("http.route = /cart/"),
        "span attribute of a sample: {}",
        r.stdout
    );
    assert!(r.stdout.contains("2.4.1"), "service version: {}", r.stdout);
}

/// Stackless `UpstreamError`s (grouped by message template), one span each, numbered `n`.
fn upstream(dir: &std::path::Path, name: &str, events: &[(&str, u64)]) -> String {
    let spans: Vec<Value> = events
        .iter()
        .map(|(msg, n)| {
            let t = 1_795_600_800_000_000_000u64 + n * 1_000_000_000;
            serde_json::json!({
                "traceId": format!("{:032x}", 0xabc000 + n),
                "spanId": format!("{:016x}", 0x1000 + n),
                "name": "POST /sync", "kind": 2,
                "startTimeUnixNano": t.to_string(), "endTimeUnixNano": (t + 1000).to_string(),
                "attributes": [{"key": "sync.batch", "value": {"stringValue": format!("b{n}")}}],
                "events": [{"name": "exception", "timeUnixNano": t.to_string(), "attributes": [
                    {"key": "exception.type", "value": {"stringValue": "UpstreamError"}},
                    {"key": "exception.message", "value": {"stringValue": msg}}]}],
                "status": {"code": 2}
            })
        })
        .collect();
    let doc = serde_json::json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "sync"}}]},
        "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]
    }]});
    let path = dir.join(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn a_merge_moves_samples_to_the_survivor_and_keeps_it_within_the_cap() {
    let env = Env::new();
    let payments = "connection refused by upstream payments gateway";
    let one: Vec<(&str, u64)> = (1..=4).map(|n| (payments, n)).collect();
    let one = upstream(env.path(), "one.json", &one);
    let r = env.run(&["poll", "--input", &one, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = ids(&env);
    assert_eq!(before.len(), 1);
    assert_eq!(samples(&env, &before[0].0).len(), 4);

    // Two new shapes widen the template: the payments signature is absorbed by the survivor.
    let two = upstream(
        env.path(),
        "two.json",
        &[
            ("connection refused by upstream ledger gateway", 5),
            ("connection refused by upstream billing gateway", 6),
        ],
    );
    let r = env.run(&["poll", "--input", &two, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = ids(&env);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after[0].0, before[0].0, "the widened template has a new id");
    assert_eq!(after[0].1, 6);
    let kept = samples(&env, &after[0].0);
    assert_eq!(kept.len(), MAX_SAMPLES, "moved and new samples, capped");
    assert!(
        kept.iter().any(|e| e["message"] == payments),
        "the absorbed signature's samples moved: {kept:#?}"
    );
    assert!(kept
        .iter()
        .all(|e| e["attributes"]["sync.batch"].is_string()));
    // The absorbed id resolves to the survivor, samples included.
    assert_eq!(samples(&env, &before[0].0), kept);
}
