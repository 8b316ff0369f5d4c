//! `show` as a person reads it: header and state first, where and how often, releases, samples
//! with linked traces, the stack, history; through a pager on a terminal (`--no-pager`, piped
//! and a missing pager print directly).

use crate::support::harness::{repo, Env};
use crate::support::pty;

fn polled() -> (Env, String) {
    let env = Env::new();
    let r = env.run(&[
        "poll",
        "--input",
        &repo("examples/otlp-errors.jsonl"),
        "--notify",
        "none",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = env.run(&["list", "--json"]).json();
    let id = list["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["exception_type"] == "KeyError")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (env, id)
}

#[test]
fn sections_come_in_reading_order_with_relative_times_and_trace_links() {
    let (mut env, id) = polled();
    env.set(
        "ROUNDS_TRACE_URL_TEMPLATE",
        "http://jaeger:16686/trace/{trace_id}",
    );
    let r = env.run(&["show", &id[..8]]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in:\n{out}"))
    };
    // Header: short id and title on the first line.
    assert!(
        out.starts_with(&format!("{}  KeyError: '<*>'\n", &id[..12])),
        "{out}"
    );
    assert!(at("status     new since ") < at("where      checkout/cart.py:load_cart (line 41)"));
    assert!(at("last seen  1h ago (2026-11-25T10:02:00Z)") < at("\nwhere (key frames"));
    assert!(at("\nwhere (key frames") < at("\nfrequency"));
    assert!(at("\nfrequency") < at("\nsamples (3 kept"));
    assert!(at("\nsamples (3 kept") < at("\nsample stack"));
    assert!(at("\nsample stack") < at("\nhistory"));
    assert!(at("\nhistory") < at("\nevents (3 shown)"));
    assert!(out.contains("peak 3/h") && out.contains("-24h"), "{out}");
    assert!(
        out.contains("http://jaeger:16686/trace/0000000000000000a1b2c3d4e5f60718"),
        "{out}"
    );
}

#[test]
fn a_terminal_gets_the_pager_and_no_pager_piped_or_missing_print_directly() {
    let (mut env, id) = polled();
    let pager = env.path().join("pager.sh");
    std::fs::write(&pager, "#!/bin/sh\necho PAGED-BY-TEST\ncat\n").unwrap();
    std::fs::set_permissions(&pager, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.set("PAGER", pager.to_str().unwrap());
    let (out, code) = pty::run(env.command(&["show", &id]), 120, 40);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("PAGED-BY-TEST") && out.contains("sample stack"),
        "{out}"
    );

    let (out, _) = pty::run(env.command(&["show", &id, "--no-pager"]), 120, 40);
    assert!(
        !out.contains("PAGED-BY-TEST") && out.contains("sample stack"),
        "{out}"
    );

    let piped = env.run(&["show", &id]);
    assert!(!piped.stdout.contains("PAGED-BY-TEST") && piped.stdout.contains("sample stack"));

    env.set("PAGER", "/nonexistent/pager");
    let (out, code) = pty::run(env.command(&["show", &id]), 120, 40);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("sample stack"),
        "a missing pager still shows the text: {out}"
    );
}
