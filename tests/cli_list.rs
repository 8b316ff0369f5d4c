//! `list` through the binary on a real SQLite file: the default "unresolved" filter, `--all`,
//! exact `--status`, the tab-separated form when piped, "showing N of M", `total`, `--limit 0`;
//! on a pseudo-terminal of 80 and 200 columns: rows that fit, ids whole, colour, snapshots.

use crate::support::golden::golden;
use crate::support::{harness, pty};

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
        "id\tstatus\tservices\texception_type\ttemplate\tcount\tfirst_seen\tlast_seen\twhere\tlast_24h\ttrend"
    );
    let json_ids = ids(&env, &[]);
    assert_eq!(lines.len(), 1 + json_ids.len(), "{}", r.stdout);
    for (line, id) in lines[1..].iter().zip(&json_ids) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 11, "{line}");
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
    assert_eq!(j["version"], 2);
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

/// The table a person sees, drawn on a pty of `cols` columns.
fn on_tty(env: &Env, cols: u16, args: &[&str]) -> String {
    let mut all = vec!["list"];
    all.extend_from_slice(args);
    let (out, code) = pty::run(env.command(&all), cols, 40);
    assert_eq!(code, 0, "{out}");
    out
}

#[test]
fn on_a_terminal_rows_fit_ids_stay_whole_and_snapshots_hold() {
    let env = polled();
    let ids = ids(&env, &[]);
    for cols in [80u16, 200] {
        let out = on_tty(&env, cols, &[]);
        for line in out.lines() {
            assert!(
                line.chars().count() <= cols as usize,
                "{cols} columns, a row of {}:\n{out}",
                line.chars().count()
            );
        }
        // Every short id whole on its own row: copyable.
        for id in &ids {
            assert!(out.contains(&id[..12]), "{cols}: {id} cut:\n{out}");
        }
        assert!(out.contains("WHERE") && out.contains("24H"), "{out}");
        assert!(!out.contains('\x1b'), "NO_COLOR: no escapes:\n{out}");
        golden(&format!("list-{cols}.txt"), &out);
    }
    let wide = on_tty(&env, 200, &[]);
    assert!(
        wide.contains("TREND") && wide.contains("SERVICE") && wide.contains('█'),
        "{wide}"
    );
    // A Python KeyError reads by where it happens, not only by its template.
    assert!(wide.contains("checkout/cart.py:"), "{wide}");
}

#[test]
fn colour_marks_status_on_a_terminal_only_when_asked_or_auto() {
    let mut env = polled();
    let always = on_tty(&env, 120, &["--color", "always"]);
    assert!(always.contains("\x1b["), "--color always paints:\n{always}");
    env.set("NO_COLOR", "");
    let auto = on_tty(&env, 120, &[]);
    assert!(auto.contains("\x1b["), "auto on a terminal paints:\n{auto}");
    // Piped with colour on auto: no escapes at all.
    let piped = env.run(&["list", "--format", "table"]);
    assert!(!piped.stdout.contains('\x1b'), "{}", piped.stdout);
}

#[test]
fn sort_trend_puts_the_fastest_riser_first_and_json_carries_activity() {
    let env = polled();
    let j = env.run(&["list", "--json", "--sort", "trend"]).json();
    let sigs = j["signatures"].as_array().unwrap();
    assert!(!sigs.is_empty());
    for s in sigs {
        assert_eq!(s["last_24h"]["counts"].as_array().unwrap().len(), 24, "{s}");
        let hourly: u64 = s["last_24h"]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(hourly, s["last_24h"]["total"].as_u64().unwrap(), "{s}");
        assert!(s["trend"].is_string() && s.get("where").is_some(), "{s}");
    }
    let last: Vec<u64> = sigs
        .iter()
        .map(|s| s["last_24h"]["total"].as_u64().unwrap())
        .collect();
    // Every example signature appeared today (nothing the day before): ranked by volume.
    assert!(last.windows(2).all(|w| w[0] >= w[1]), "{last:?}");
    assert_eq!(j["total"].as_u64().unwrap() as usize, sigs.len());
    let cut = env
        .run(&["list", "--json", "--sort", "trend", "--limit", "2"])
        .json();
    assert_eq!(cut["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(cut["total"].as_u64().unwrap() as usize, sigs.len());
    assert_eq!(cut["signatures"][0]["id"], sigs[0]["id"]);
}
