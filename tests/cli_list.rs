//! `list` through the binary on a real SQLite file: the default "unresolved" filter, `--all`,
//! exact `--status`, the tab-separated form when piped, "showing N of M", `total`, `--limit 0`.

use crate::support::harness;

use harness::{repo, Env};

const EXAMPLE: &str = "examples/otlp-errors.jsonl";

fn polled() -> Env {
    let env = Env::new();
    let r = env.run(&["poll", "--input", &repo(EXAMPLE), "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env
}

fn ids(env: &Env, args: &[&str]) -> Vec<String> {
    let mut all = vec!["list", "--json"];
    all.extend_from_slice(args);
    let r = env.run(&all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn piped_list_is_tab_separated_with_full_ids_and_rfc3339_times() {
    let env = polled();
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "id\tstatus\tservices\texception_type\ttemplate\tcount\tfirst_seen\tlast_seen"
    );
    let json_ids = ids(&env, &[]);
    assert_eq!(lines.len(), 1 + json_ids.len(), "{}", r.stdout);
    for (line, id) in lines[1..].iter().zip(&json_ids) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 8, "{line}");
        assert_eq!(f[0], id, "full id, same order as --json");
        assert_eq!(f[1], "new");
        assert!(f[5].parse::<u64>().is_ok(), "{line}");
        for t in [f[6], f[7]] {
            assert!(t.len() >= 20 && t.contains('T') && t.ends_with('Z'), "{t}");
        }
    }
    // --format table forces the box table even when piped; --format json is --json.
    let t = env.run(&["list", "--format", "table"]);
    assert!(
        t.stdout.contains("TEMPLATE") && t.stdout.contains('│'),
        "{}",
        t.stdout
    );
    let j = env.run(&["list", "--format", "json"]).json();
    assert_eq!(j["version"], 1);
    assert_eq!(j["total"].as_u64().unwrap() as usize, json_ids.len());
}

#[test]
fn a_cut_list_says_showing_n_of_m_and_limit_0_is_all() {
    let env = polled();
    let every = ids(&env, &["--limit", "0"]);
    assert!(every.len() >= 3, "{every:?}");
    let m = every.len();

    let r = env.run(&["list", "--limit", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1 + 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(&format!("showing 2 of {m}")),
        "{}",
        r.stderr
    );
    let j = env.run(&["list", "--json", "--limit", "2"]);
    assert_eq!(j.json()["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(j.json()["total"].as_u64().unwrap() as usize, m);
    assert!(
        j.stderr.contains(&format!("showing 2 of {m}")),
        "{}",
        j.stderr
    );

    // Not cut: no footer.
    let r = env.run(&["list", "--limit", "0"]);
    assert_eq!(r.stdout.lines().count(), 1 + m);
    assert!(!r.stderr.contains("showing"), "{}", r.stderr);
    let r = env.run(&["list", "--limit", &m.to_string()]);
    assert!(!r.stderr.contains("showing"), "{}", r.stderr);
}

#[test]
fn default_is_unresolved_all_is_everything_and_status_is_exact() {
    let env = polled();
    let every = ids(&env, &[]);
    let (ignored, resolved) = (&every[0], &every[1]);
    assert_eq!(env.run(&["ignore", ignored]).code, 0);
    assert_eq!(env.run(&["resolve", resolved]).code, 0);

    let default = ids(&env, &["--limit", "0"]);
    assert_eq!(default.len(), every.len() - 2);
    assert!(!default.contains(ignored) && !default.contains(resolved));
    let j = env.run(&["list", "--json"]).json();
    assert_eq!(j["total"].as_u64().unwrap() as usize, every.len() - 2);

    let all = ids(&env, &["--all", "--limit", "0"]);
    assert_eq!(all.len(), every.len());
    assert_eq!(ids(&env, &["--status", "ignored"]), vec![ignored.clone()]);
    assert_eq!(ids(&env, &["--status", "resolved"]), vec![resolved.clone()]);
    assert_eq!(ids(&env, &["--status", "new"]).len(), every.len() - 2);
    // --all and --status contradict each other: a usage error.
    assert_eq!(env.run(&["list", "--all", "--status", "new"]).code, 2);

    // Nothing unresolved: say so, and how to see the rest.
    for id in &default {
        assert_eq!(env.run(&["resolve", id]).code, 0);
    }
    let r = env.run(&["list", "--format", "table"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("--all"), "{}", r.stderr);
}
