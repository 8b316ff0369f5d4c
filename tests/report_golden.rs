//! `rounds report` and the markdown notifier against golden files, over a database built by
//! `poll` from a fixture; the markdown is parsed by a real CommonMark parser to prove telemetry
//! cannot inject HTML, links or images. `UPDATE_GOLDEN=1 cargo test` rewrites the golden files.

use crate::support::golden::golden;
use pulldown_cmark::{Event, Parser, Tag};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-25T12:30:00Z";
const SECRETS: [&str; 4] = [
    "eyJhbGciOiJIUzI1NiJ9",
    "ghp_0123456789abcdefghij",
    "hunter2-s3cret",
    "AKIAIOSFODNN7EXAMPLE",
];
const TRACE_URL: &str = "http://jaeger:16686/trace/{trace_id}";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rounds(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(args)
        .arg("--db")
        .arg(home.join("rounds.db"))
        .env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("ROUNDS_NOW", NOW)
        .env("ESCALATION_FACTOR", "3")
        .env("DAILY_BUDGET_LIMIT", "5")
        .env("ROUNDS_TRACE_URL_TEMPLATE", TRACE_URL)
        .output()
        .expect("run rounds")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

/// A database and markdown directory built by one `poll` of the fixture.
fn polled() -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let md = home.path().join("md");
    let input = root().join("tests/fixtures/notify/pass1.json");
    ok(&rounds(
        home.path(),
        &[
            "poll",
            "--input",
            input.to_str().unwrap(),
            "--notify",
            "markdown",
            "--markdown-dir",
            md.to_str().unwrap(),
        ],
    ));
    (home, md)
}

/// Parse as CommonMark and check that only the renderer's own HTML and links survive.
fn assert_safe_markdown(md: &str, allowed_links: &[&str]) {
    for s in SECRETS {
        assert!(!md.contains(s), "secret {s} in output");
    }
    let mut links = 0;
    for ev in Parser::new(md) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                let marker = h
                    .strip_prefix("<!-- rounds:fingerprint=")
                    .and_then(|r| r.strip_suffix(" -->"))
                    .is_some_and(|id| id.chars().all(|c| c.is_ascii_hexdigit()));
                assert!(
                    marker
                        || ["<details><summary>Sample stack</summary>", "</details>"].contains(&h),
                    "raw HTML from telemetry: {h:?}"
                );
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                links += 1;
                let page = dest_url
                    .strip_suffix(".md")
                    .is_some_and(|id| id.chars().all(|c| c.is_ascii_hexdigit()));
                assert!(
                    allowed_links.iter().any(|p| dest_url.starts_with(p))
                        || (page && allowed_links.contains(&"<signature>.md")),
                    "injected link to {dest_url}"
                );
            }
            Event::Start(Tag::Image { dest_url, .. }) => panic!("injected image {dest_url}"),
            Event::Text(t) => {
                // Mentions and autolinks are defused with a zero-width space.
                assert!(!t.contains("@everyone"), "mention in {t:?}");
                assert!(!t.contains("http://evil"), "autolink in {t:?}");
            }
            _ => {}
        }
    }
    assert!(links > 0, "the trace links are there");
}

#[test]
fn report_markdown_and_json_match_golden_and_are_deterministic() {
    let (home, _) = polled();
    let args = ["report", "--since", "48h"];
    let md = ok(&rounds(home.path(), &args));
    golden("report.md", &md);
    assert_safe_markdown(&md, &["http://jaeger:16686/trace/"]);
    // The same database and options give the same bytes (a recorded report changes nothing
    // when --since is given).
    assert_eq!(ok(&rounds(home.path(), &args)), md);
    let json = ok(&rounds(
        home.path(),
        &["report", "--since", "48h", "--format", "json"],
    ));
    golden("report.json", &json);
    for s in SECRETS {
        assert!(!json.contains(s), "secret {s} in JSON report");
    }
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], 2);
    assert_eq!(v["summary"]["escalating"]["in_window"], 1);
    assert_eq!(v["budget_left_usd"], 5.0);
    // Markdown escaping is for markdown only: JSON keeps the text as it was, minus secrets.
    let texts = v["signatures"].to_string();
    assert!(texts.contains("@everyone") && texts.contains("[REDACTED:github_token]"));
}

#[test]
fn report_filters_and_gates() {
    let (home, _) = polled();
    let code = |args: &[&str]| rounds(home.path(), args).status.code();
    assert_eq!(
        code(&["report", "--since", "48h", "--fail-on", "escalating"]),
        Some(1)
    );
    assert_eq!(
        code(&["report", "--since", "48h", "--fail-on", "new"]),
        Some(1)
    );
    assert_eq!(
        code(&["report", "--since", "48h", "--fail-on", "regressed"]),
        Some(0)
    );
    let auth = ok(&rounds(
        home.path(),
        &[
            "report",
            "--since",
            "48h",
            "--service",
            "auth",
            "--format",
            "json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&auth).unwrap();
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0]["services"][0], "auth");
    let esc = ok(&rounds(
        home.path(),
        &[
            "report",
            "--since",
            "48h",
            "--status",
            "escalating",
            "--format",
            "json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&esc).unwrap();
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0]["exception_type"], "PaymentDeclinedError");
    assert_eq!(sigs[0]["escalating"], true);
    // A window after the last event: nothing to report, and nothing fails the gate.
    let o = rounds(
        home.path(),
        &["report", "--since", "30m", "--fail-on", "new"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Nothing to report"));
    // A pure read: the same gate fails again on a re-run, byte for byte.
    let a = rounds(home.path(), &["report", "--fail-on", "new"]);
    let b = rounds(home.path(), &["report", "--fail-on", "new"]);
    assert_eq!(a.status.code(), Some(1));
    assert_eq!(b.status.code(), Some(1));
    assert_eq!(a.stdout, b.stdout);
    // --mark moves the cursor; --since last starts there.
    ok(&rounds(home.path(), &["report", "--mark"]));
    let o = ok(&rounds(home.path(), &["report", "--since", "last"]));
    assert!(o.contains(&format!("Window: {NOW} .. {NOW}")), "{o}");
    assert_eq!(code(&["report", "--status", "bogus"]), Some(2));
}

#[test]
fn markdown_notifier_pages_match_golden() {
    let (home, md) = polled();
    let mut names: Vec<String> = std::fs::read_dir(&md)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // One page per signature, the index, its state; no temp files left behind.
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.iter().all(|n| !n.ends_with(".tmp")));
    // All pages in one golden file (ids are part of the content, so a fingerprint change
    // rewrites one file instead of leaving stale ones).
    let mut all = String::new();
    for name in names.iter().filter(|n| n.ends_with(".md")) {
        let text = std::fs::read_to_string(md.join(name)).unwrap();
        assert_safe_markdown(
            &text,
            &["http://jaeger:16686/trace/", "index.md", "<signature>.md"],
        );
        if name != "index.md" {
            assert!(name
                .trim_end_matches(".md")
                .chars()
                .all(|c| c.is_ascii_hexdigit()));
            assert!(text.contains(&format!("fingerprint={}", name.trim_end_matches(".md"))));
        }
        all.push_str(&format!("==> {name} <==\n{text}\n"));
    }
    golden("notify_markdown.txt", &all);
    // Rewritten in place: a later pass with a regression updates the same page.
    let input = root().join("tests/fixtures/notify/pass2.json");
    let index_before = std::fs::read_to_string(md.join("index.md")).unwrap();
    let target = names
        .iter()
        .find(|n| {
            std::fs::read_to_string(md.join(n.as_str()))
                .unwrap()
                .contains("InventoryError")
                && *n != "index.md"
                && n.ends_with(".md")
        })
        .unwrap()
        .clone();
    ok(&rounds(home.path(), &["resolve", &target[..12]]));
    let o = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args([
            "poll",
            "--input",
            input.to_str().unwrap(),
            "--notify",
            "markdown",
            "--db",
        ])
        .arg(home.path().join("rounds.db"))
        .env_clear()
        .env("HOME", home.path())
        .env("ROUNDS_NOW", "2026-11-27T11:00:00Z")
        .env("NOTIFICATION_MARKDOWN_DIR", &md)
        .output()
        .unwrap();
    ok(&o);
    let page = std::fs::read_to_string(md.join(&target)).unwrap();
    assert!(page.contains("Last notification: **regressed**"), "{page}");
    assert!(page.contains("- **status:** regressed"));
    assert!(page.contains("- **count:** 3 "));
    let index = std::fs::read_to_string(md.join("index.md")).unwrap();
    assert_ne!(index, index_before);
    assert_eq!(
        index.lines().count(),
        index_before.lines().count(),
        "same signatures listed"
    );
    assert!(
        index.lines().nth(4).unwrap().contains("| regressed |"),
        "newest first: {index}"
    );
}
