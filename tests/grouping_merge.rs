//! Template grouping across passes through the binary: a template that widens merges its
//! signatures (alias, combined counts, history), no-merge keeps a split, events count once, and
//! `poll --regroup` reports and applies merges of signatures stored by an older algorithm.

use crate::support::fake_http;
use crate::support::harness;

use harness::{repo, Env};
use serde_json::{json, Value};

/// One OTLP/JSON line: spans of `service` that failed with `exception_type: message`, no stack.
fn otlp(service: &str, events: &[(&str, &str, u64)]) -> String {
    let spans: Vec<Value> = events
        .iter()
        .map(|(ty, msg, n)| {
            let t = 1_795_600_800_000_000_000u64 + n * 1_000_000_000;
            json!({
                "traceId": format!("{:032x}", 0xabc000 + n),
                "spanId": format!("{:016x}", 0x1000 + n),
                "name": "POST /sync",
                "kind": 2,
                "startTimeUnixNano": t.to_string(),
                "endTimeUnixNano": (t + 1000).to_string(),
                "events": [{
                    "name": "exception",
                    "timeUnixNano": t.to_string(),
                    "attributes": [
                        {"key": "exception.type", "value": {"stringValue": ty}},
                        {"key": "exception.message", "value": {"stringValue": msg}}
                    ]
                }],
                "status": {"code": 2}
            })
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]
    }]})
    .to_string()
}

fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn poll(env: &Env, file: &str) -> String {
    let r = env.run(&["poll", "--input", file, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stderr
}

fn list(env: &Env) -> Vec<Value> {
    let r = env.run(&["list", "--json", "--limit", "1000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["signatures"].as_array().unwrap().clone()
}

fn show(env: &Env, id: &str) -> Value {
    let r = env.run(&["show", id, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

const TY: &str = "UpstreamError";

fn pass_one() -> String {
    otlp(
        "sync",
        &[
            (TY, "connection refused by upstream payments gateway", 1),
            (TY, "connection refused by upstream payments gateway", 2),
            (TY, "disk quota exceeded on shared volume", 3),
        ],
    )
}

fn pass_two() -> String {
    otlp(
        "sync",
        &[
            (TY, "connection refused by upstream ledger gateway", 4),
            (TY, "connection refused by upstream billing gateway", 5),
        ],
    )
}

#[test]
fn widening_template_merges_signatures_across_passes() {
    let env = Env::new();
    let one = write(&env, "one.json", &pass_one());
    let two = write(&env, "two.json", &pass_two());
    poll(&env, &one);
    let before = list(&env);
    assert_eq!(before.len(), 2);
    let payments = before
        .iter()
        .find(|s| s["template"].as_str().unwrap().contains("payments"))
        .expect("a signature for the payments message")["id"]
        .as_str()
        .unwrap()
        .to_string();

    let stderr = poll(&env, &two);
    assert!(
        stderr.contains("2 events read, 0 new, 2 recurring"),
        "{stderr}"
    );
    let after = list(&env);
    assert_eq!(after.len(), 2, "{after:#?}");
    let merged = after
        .iter()
        .find(|s| s["template"] == "connection refused by upstream <*> gateway")
        .unwrap_or_else(|| panic!("no widened template in {after:#?}"));
    assert_eq!(merged["count"], 4, "counts combine");
    let survivor = merged["id"].as_str().unwrap();
    assert_ne!(survivor, payments);

    // The absorbed id is an alias of the survivor; both histories record the merge.
    let doc = show(&env, &payments);
    assert_eq!(doc["signature"]["id"], survivor);
    let history = doc["history"].to_string();
    assert!(
        history.contains(&format!("absorbed {payments}")),
        "{history}"
    );
    assert!(
        history.contains("first seen"),
        "the survivor keeps the old history: {history}"
    );
    let events = doc["events"].as_array().unwrap();
    assert_eq!(events.len(), 4, "event refs combine: {events:#?}");

    // --explain names the template's variable positions and its miner cluster.
    let r = env.run(&["show", survivor, "--explain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("variable tokens 4\n"), "{}", r.stdout);
    assert!(r.stdout.contains("cluster         #"), "{}", r.stdout);
    let r = env.run(&["show", survivor, "--explain", "--json"]);
    let explain = &r.json()["explain"];
    assert_eq!(explain["variable_positions"], json!([4]));
    assert!(explain["cluster_id"].is_u64(), "{explain}");

    // Feeding both passes again counts nothing twice and keeps the grouping (the files'
    // checkpoints say they were read to their end, so nothing is read at all).
    let stderr = poll(&env, &one);
    assert!(
        stderr.contains("0 events read, 0 new, 0 recurring, 0 regressed"),
        "{stderr}"
    );
    poll(&env, &two);
    let again = list(&env);
    assert_eq!(again.len(), 2);
    let total: u64 = again.iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 5);

    // A later message of the old shape lands on the survivor.
    let three = write(
        &env,
        "three.json",
        &otlp(
            "sync",
            &[(TY, "connection refused by upstream payments gateway", 9)],
        ),
    );
    poll(&env, &three);
    let doc = show(&env, survivor);
    assert_eq!(doc["signature"]["count"], 5);
}

#[test]
fn no_merge_signature_is_never_absorbed() {
    let env = Env::new();
    let one = write(&env, "one.json", &pass_one());
    let two = write(&env, "two.json", &pass_two());
    poll(&env, &one);
    let payments = list(&env)
        .into_iter()
        .find(|s| s["template"].as_str().unwrap().contains("payments"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env.run(&["split", &payments[..10]]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("kept apart"), "{}", r.stderr);

    poll(&env, &two);
    let after = list(&env);
    assert_eq!(after.len(), 3, "{after:#?}");
    let kept = show(&env, &payments);
    assert_eq!(kept["signature"]["id"], payments.as_str());
    assert_eq!(kept["signature"]["count"], 2);
    assert!(kept["history"].to_string().contains("no-merge"));
    let other = after
        .iter()
        .find(|s| {
            s["id"] != payments.as_str() && s["template"].as_str().unwrap().contains("gateway")
        })
        .unwrap();
    assert_eq!(other["count"], 2);
    // The kept-apart shape keeps its own signature on later passes.
    let three = write(
        &env,
        "three.json",
        &otlp(
            "sync",
            &[(TY, "connection refused by upstream payments gateway", 9)],
        ),
    );
    poll(&env, &three);
    assert_eq!(show(&env, &payments)["signature"]["count"], 3);

    let r = env.run(&["split", "--undo", &payments]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["split", "0123456789abcdef"]);
    assert_eq!(r.code, 66, "unknown id: {}", r.stderr);
}

/// Make the store look as if an older algorithm wrote it: ids and version rewritten, the
/// template state gone, and one template signature split by a per-event mask.
fn age_store(env: &Env) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM signatures ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut renamed = Vec::new();
    for id in ids {
        let old = format!("ffff{}", &id[4..]);
        conn.execute(
            "UPDATE signatures SET id = ?2, algorithm_version = 1 WHERE id = ?1",
            [&id, &old],
        )
        .unwrap();
        for table in ["events", "hourly_counts", "status_history"] {
            conn.execute(
                &format!("UPDATE {table} SET signature_id = ?2 WHERE signature_id = ?1"),
                [&id, &old],
            )
            .unwrap();
        }
        renamed.push((old, id));
    }
    conn.execute("DELETE FROM state", []).unwrap();
    renamed
}

#[test]
fn regroup_reports_then_applies_with_aliases() {
    let env = Env::new();
    poll(&env, &repo("examples/otlp-errors.jsonl"));
    let one = write(&env, "one.json", &pass_one());
    poll(&env, &one);
    let original = list(&env);
    let renamed = age_store(&env);
    // A v1-era split: the ledger message stored as its own signature.
    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.execute(
            "INSERT INTO signatures (id, algorithm_version, basis, status, exception_type, template, key_frames,
                services, count, first_seen, last_seen, sample_message)
             VALUES ('eeee0000000000000000000000000001', 1, 'template', 'new', ?1,
                'connection refused by upstream ledger gateway', '[]', '[\"sync\"]', 7,
                1795600700000000000, 1795600900000000000, 'connection refused by upstream ledger gateway')",
            [TY],
        )
        .unwrap();
    }
    let total_before: u64 = list(&env)
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    // A pass over a store from an older algorithm points at regroup.
    let r = env.run(&["poll", "--input", &one, "--dry-run", "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("rounds poll --regroup --dry-run"),
        "{}",
        r.stderr
    );

    let dry = env.run(&["poll", "--regroup", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let n = original.len() + 1;
    assert!(
        dry.stdout.contains(&format!(
            "{n} signature(s) examined ({n} from older versions)"
        )),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("1 merge(s)"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("eeee0000000000000000000000000001"),
        "{}",
        dry.stdout
    );
    assert_eq!(list(&env).len(), n, "a dry run changes nothing");

    let r = env.run(&["poll", "--regroup"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = list(&env);
    assert_eq!(after.len(), original.len(), "{after:#?}");
    let total_after: u64 = after.iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total_after, total_before, "nothing lost or double counted");
    // Every stack signature is back under its current id, and the old id resolves to it.
    for (old, current) in &renamed {
        let doc = show(&env, old);
        let id = doc["signature"]["id"].as_str().unwrap();
        if !doc["signature"]["template"]
            .as_str()
            .unwrap()
            .contains("gateway")
        {
            assert_eq!(id, current, "{old}");
        }
        assert_eq!(doc["signature"]["algorithm_version"], 3);
    }
    let merged = show(&env, "eeee0000000000000000000000000001");
    assert_eq!(
        merged["signature"]["template"],
        "connection refused by upstream <*> gateway"
    );
    assert_eq!(merged["signature"]["count"], 9);
    assert!(merged["history"]
        .to_string()
        .contains("regrouped under fingerprint v3"));

    // Applying again finds nothing to do.
    let r = env.run(&["poll", "--regroup", "--dry-run"]);
    assert!(r.stdout.contains("0 re-keyed, 0 merge(s)"), "{}", r.stdout);
}

/// The smallest GitHub issues API that keeps state: list, create, comment, update.
#[derive(Default)]
struct GitHub {
    issues: Vec<(u64, String, bool)>,
    comments: Vec<(u64, String)>,
}

fn github(gh: &mut GitHub, r: &fake_http::Request) -> fake_http::Response {
    use fake_http::Response;
    let base = "/repos/acme/shop/issues";
    let issue = |n: u64, body: &str, open: bool| {
        json!({"number": n, "title": "t", "body": body, "labels": [{"name": "rounds"}],
               "state": if open { "open" } else { "closed" },
               "html_url": format!("https://github.example/acme/shop/issues/{n}")})
    };
    let rest = r
        .path()
        .strip_prefix(base)
        .unwrap_or("?")
        .trim_start_matches('/')
        .to_string();
    match (
        r.method.as_str(),
        rest.split_once('/').unwrap_or((rest.as_str(), "")),
    ) {
        ("GET", ("", _)) => Response::json(
            200,
            json!(gh
                .issues
                .iter()
                .map(|(n, b, o)| issue(*n, b, *o))
                .collect::<Vec<_>>())
            .to_string(),
        ),
        ("POST", ("", _)) => {
            let n = gh.issues.len() as u64 + 1;
            let body = r.json()["body"].as_str().unwrap_or_default().to_string();
            gh.issues.push((n, body.clone(), true));
            Response::json(201, issue(n, &body, true).to_string())
        }
        (m, (num, tail)) => {
            let n: u64 = num.parse().unwrap_or(0);
            match (m, tail) {
                ("GET", "comments") => Response::json(200, "[]"),
                ("POST", "comments") => {
                    gh.comments
                        .push((n, r.json()["body"].as_str().unwrap_or_default().into()));
                    Response::json(201, "{}")
                }
                ("PATCH", "") => {
                    let Some(i) = gh.issues.iter_mut().find(|i| i.0 == n) else {
                        return Response::json(404, "{}");
                    };
                    if let Some(b) = r.json()["body"].as_str() {
                        i.1 = b.to_string();
                    }
                    Response::json(200, issue(i.0, &i.1, i.2).to_string())
                }
                _ => Response::json(404, "{}"),
            }
        }
    }
}

#[test]
fn github_issue_follows_the_survivor() {
    let gh = std::sync::Arc::new(std::sync::Mutex::new(GitHub::default()));
    let g2 = gh.clone();
    let server = fake_http::FakeServer::start(move |r| github(&mut g2.lock().unwrap(), r));
    let mut env = Env::new();
    env.set("GITHUB_TOKEN", "test-token-0000")
        .set("GITHUB_REPOSITORY", "acme/shop")
        .set("GITHUB_API_URL", &server.addr);
    let one = write(&env, "one.json", &pass_one());
    let two = write(&env, "two.json", &pass_two());
    let r = env.run(&["poll", "--input", &one, "--notify", "github_issue"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(gh.lock().unwrap().issues.len(), 2);
    let payments = list(&env)
        .into_iter()
        .find(|s| s["template"].as_str().unwrap().contains("payments"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env.run(&["resolve", &payments]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The template widens: payments is absorbed, and the survivor regresses.
    let r = env.run(&["poll", "--input", &two, "--notify", "github_issue"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let survivor = show(&env, &payments)["signature"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(survivor, payments);
    let gh = gh.lock().unwrap();
    assert_eq!(gh.issues.len(), 2, "no second issue for the survivor");
    let (number, body, _) = gh
        .issues
        .iter()
        .find(|i| i.1.contains(&survivor))
        .expect("the payments issue now carries the survivor's marker");
    assert!(!body.contains(&payments), "{body}");
    assert!(
        gh.comments
            .iter()
            .any(|(n, b)| n == number && b.contains("Regressed")),
        "{:?}",
        gh.comments
    );
}

/// A Python traceback of one `json.loads` call site in `caller`, failing with `msg`.
fn json_traceback(caller: &str, msg: &str) -> String {
    format!(
        "Traceback (most recent call last):\n  \
         File \"/srv/app/shop/orders.py\", line 30, in handle\n    body = {caller}(raw)\n  \
         File \"/srv/app/shop/orders.py\", line 12, in {caller}\n    return json.loads(raw)\n  \
         File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n    return _default_decoder.decode(s)\n  \
         File \"/usr/lib/python3.11/json/decoder.py\", line 337, in decode\n    obj, end = self.raw_decode(s, idx=_w(s, 0).end())\n\
         json.decoder.JSONDecodeError: {msg}\n"
    )
}

#[test]
fn regroup_carries_a_v2_store_over_to_v3() {
    let env = Env::new();
    const JT: &str = "json.decoder.JSONDecodeError";
    let spans: Vec<Value> = [
        ("parse_order", "Expecting value: line 1 column 1 (char 0)", 1u64),
        ("parse_order", "Expecting value: line 1 column 1 (char 0)", 2),
        ("parse_refund", "Expecting value: line 1 column 1 (char 0)", 3),
    ]
    .iter()
    .map(|(caller, msg, n)| {
        let t = 1_795_600_800_000_000_000u64 + n * 1_000_000_000;
        json!({
            "traceId": format!("{:032x}", 0xdef000 + n), "spanId": format!("{:016x}", 0x2000 + n),
            "name": "POST /orders", "kind": 2,
            "startTimeUnixNano": t.to_string(), "endTimeUnixNano": (t + 1000).to_string(),
            "events": [{"name": "exception", "timeUnixNano": t.to_string(), "attributes": [
                {"key": "exception.type", "value": {"stringValue": JT}},
                {"key": "exception.message", "value": {"stringValue": msg}},
                {"key": "exception.stacktrace", "value": {"stringValue": json_traceback(caller, msg)}}
            ]}],
            "status": {"code": 2}
        })
    })
    .collect();
    let doc = json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
        "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]
    }]});
    let file = write(&env, "json.json", &doc.to_string());
    poll(&env, &file);
    let current = list(&env);
    assert_eq!(current.len(), 2, "two call sites: {current:#?}");
    let order_id = current
        .iter()
        .find(|s| s["count"] == 2)
        .and_then(|s| s["id"].as_str())
        .unwrap()
        .to_string();
    // What fingerprint v2 had stored: ids of its own, and the same call site split by the
    // parser's message (`Extra data` apart from `Expecting value`).
    let renamed = age_store(&env);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute("UPDATE signatures SET algorithm_version = 2", [])
        .unwrap();
    let extra = "Extra data: line 1 column 5 (char 4)";
    conn.execute(
        "INSERT INTO signatures (id, algorithm_version, basis, status, exception_type, template, key_frames,
            services, count, first_seen, last_seen, sample_message, sample_stack)
         VALUES ('dddd0000000000000000000000000002', 2, 'stack', 'new', ?1, 'Extra data: line <*>',
            '[]', '[\"shop\"]', 4, 1795600700000000000, 1795600950000000000, ?2, ?3)",
        [JT, extra, &json_traceback("parse_order", extra)],
    )
    .unwrap();
    drop(conn);

    let r = env.run(&["poll", "--regroup"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("3 signature(s) examined (3 from older versions)"),
        "{}",
        r.stdout
    );
    let after = list(&env);
    assert_eq!(after.len(), 2, "{after:#?}");
    // The v2 split is one v3 signature with both counts; every old id finds its survivor.
    let survivor = show(&env, "dddd0000000000000000000000000002");
    assert_eq!(survivor["signature"]["id"], order_id.as_str());
    assert_eq!(survivor["signature"]["count"], 6);
    assert_eq!(survivor["signature"]["algorithm_version"], 3);
    for (old, current) in &renamed {
        assert_eq!(show(&env, old)["signature"]["id"], current.as_str());
    }
    // A pass after the regroup adds to the carried-over signatures.
    poll(&env, &file);
    assert_eq!(list(&env).len(), 2);
}

/// One OTLP line of `shop` spans failing with the given Python tracebacks.
fn otlp_stacks(stacks: &[(&str, &str)]) -> String {
    let spans: Vec<Value> = stacks
        .iter()
        .enumerate()
        .map(|(n, (msg, stack))| {
            let t = 1_795_600_800_000_000_000u64 + n as u64 * 1_000_000_000;
            json!({
                "traceId": format!("{:032x}", 0x7a0000 + n), "spanId": format!("{:016x}", 0x3000 + n),
                "name": "POST /orders", "kind": 2,
                "startTimeUnixNano": t.to_string(), "endTimeUnixNano": (t + 1000).to_string(),
                "events": [{"name": "exception", "timeUnixNano": t.to_string(), "attributes": [
                    {"key": "exception.type", "value": {"stringValue": "KeyError"}},
                    {"key": "exception.message", "value": {"stringValue": msg}},
                    {"key": "exception.stacktrace", "value": {"stringValue": stack}}
                ]}],
                "status": {"code": 2}
            })
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
        "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]
    }]})
    .to_string()
}

#[test]
fn codebase_files_and_prefixes_decide_in_app_frames_and_explain_says_which() {
    // `fmtlib` is on no built-in list: without a checkout it would decide, and the two handlers
    // that call it would merge.
    let stack = |handler: &str| {
        format!(
            "Traceback (most recent call last):\n  \
             File \"/srv/app/shop/orders.py\", line 30, in {handler}\n    fmt(x)\n  \
             File \"/srv/app/fmtlib/render.py\", line 3, in fmt\n    raise KeyError(k)\n\
             KeyError: 'x'\n"
        )
    };
    let (a, b) = (stack("create_order"), stack("cancel_order"));
    let input = otlp_stacks(&[("'x'", &a), ("'x'", &b)]);

    let plain = Env::new();
    let file = write(&plain, "in.json", &input);
    poll(&plain, &file);
    assert_eq!(
        list(&plain).len(),
        1,
        "built-in lists: the helper library decides"
    );

    let mut env = Env::new();
    let checkout = env.path().join("checkout");
    std::fs::create_dir_all(checkout.join("shop")).unwrap();
    std::fs::write(checkout.join("shop/orders.py"), "def create_order(): ...\n").unwrap();
    std::fs::create_dir_all(checkout.join("node_modules/x")).unwrap();
    std::fs::write(checkout.join("node_modules/x/render.py"), "").unwrap();
    env.set("CODEBASE_PATH", checkout.to_str().unwrap());
    let file = write(&env, "in.json", &input);
    poll(&env, &file);
    let sigs = list(&env);
    assert_eq!(sigs.len(), 2, "the checkout's frames decide: {sigs:#?}");
    let id = sigs[0]["id"].as_str().unwrap();
    let r = env.run(&["show", id, "--explain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("[file in CODEBASE_PATH]"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("fmt (library)  [file not in CODEBASE_PATH]"),
        "{}",
        r.stdout
    );
    let doc = show(&env, id);
    assert_eq!(doc["signature"]["key_frames"][0]["rule"], "codebase");

    // ROUNDS_NOT_IN_APP wins over the checkout: no application frame is left, so the whole
    // stack's top frame (the library's `fmt`) decides, not the message alone.
    let mut excl = Env::new();
    excl.set("CODEBASE_PATH", checkout.to_str().unwrap());
    excl.set("ROUNDS_NOT_IN_APP", "/srv/app/shop/");
    let file = write(&excl, "in.json", &input);
    poll(&excl, &file);
    let sigs = list(&excl);
    assert_eq!(sigs.len(), 1, "{sigs:#?}");
    let r = excl.run(&["show", sigs[0]["id"].as_str().unwrap(), "--explain"]);
    assert!(r.stdout.contains("no application frame"), "{}", r.stdout);
    assert!(r.stdout.contains("[ROUNDS_NOT_IN_APP]"), "{}", r.stdout);
}

#[test]
fn a_dry_run_regroup_only_reads() {
    // Against a missing database it creates nothing (66, as every read-only command).
    let env = Env::new();
    let r = env.run(&["poll", "--regroup", "--dry-run"]);
    assert_eq!(r.code, 66, "{}", r.stderr);
    assert!(!env.db().exists(), "a dry run created the database");
    // Against an existing one it reports without changing it.
    let input = env.path().join("in.jsonl");
    std::fs::write(
        &input,
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/otlp-errors.jsonl"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        env.run(&[
            "poll",
            "--input",
            input.to_str().unwrap(),
            "--notify",
            "none"
        ])
        .code,
        0
    );
    let before = list(&env);
    let r = env.run(&["poll", "--regroup", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("dry run: regroup"), "{}", r.stdout);
    assert_eq!(list(&env), before);
}
