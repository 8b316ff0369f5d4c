//! One signature JSON shape everywhere (docs/json.md): `list`, `show`, `report` and the stdout
//! notifier's lines carry the same keys with the same values for the same signature, and every
//! time is an RFC 3339 string.

use crate::support::harness::{repo, Env};
use serde_json::Value;

/// The keys every signature document carries (the base shape and its activity).
const SHAPE: &[&str] = &[
    "id",
    "status",
    "services",
    "exception_type",
    "template",
    "count",
    "first_seen",
    "last_seen",
    "algorithm_version",
    "basis",
    "key_frames",
    "ignore_reason",
    "ignored_until",
    "where",
    "last_24h",
    "previous_24h",
    "trend",
    "first_release",
    "last_release",
    "latest_release",
    "releases",
    "environments",
    "resolved_in_release",
    "regressed_in_release",
];

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() >= 20 && s.as_bytes()[10] == b'T' && s.ends_with('Z'))
}

#[test]
fn list_show_report_and_notifications_share_one_signature_shape() {
    let env = Env::new();
    let poll = env.run(&[
        "poll",
        "--input",
        &repo("examples/otlp-errors.jsonl"),
        "--notify",
        "stdout",
        "--json",
    ]);
    assert_eq!(poll.code, 0, "{}", poll.stderr);
    let notified: Vec<Value> = poll
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("kind").is_some())
        .collect();
    assert!(!notified.is_empty(), "{}", poll.stdout);

    let list = env.run(&["list", "--json", "--limit", "0"]).json();
    let report = env
        .run(&["report", "--since", "all", "--format", "json"])
        .json();
    // `--json` is `--format json`, as on every other command.
    let short = env.run(&["report", "--since", "all", "--json"]).json();
    assert_eq!(short, report);
    for doc in [&list, &report] {
        assert_eq!(doc["version"], 2);
    }
    let listed = list["signatures"].as_array().unwrap();
    assert!(listed.len() >= 3);
    for sig in listed {
        let id = sig["id"].as_str().unwrap();
        let show = env.run(&["show", id, "--json"]).json();
        let shown = &show["signature"];
        let reported = report["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in report"));
        let mut docs = vec![("list", sig), ("show", shown), ("report", reported)];
        if let Some(n) = notified.iter().find(|n| n["id"] == id) {
            docs.push(("notification", n));
        }
        for (name, doc) in &docs {
            for key in SHAPE {
                assert!(doc.get(*key).is_some(), "{name} lacks {key}: {doc}");
                assert_eq!(
                    doc[*key], sig[*key],
                    "{name}.{key} differs from list for {id}"
                );
            }
            for t in ["first_seen", "last_seen"] {
                assert!(is_rfc3339(&doc[t]), "{name}.{t}: {}", doc[t]);
            }
            assert!(is_rfc3339(&doc["last_24h"]["end"]), "{name}: {doc}");
            for f in doc["key_frames"].as_array().unwrap() {
                assert!(
                    f.get("line").is_some(),
                    "{name}: key frame without line: {f}"
                );
            }
        }
    }
}
