//! Stack parsers on real traces (tests/fixtures/stacktraces, see SOURCE.txt there).

use rounds::core::fingerprint::stack::{self, Language, ParsedStack};
use rounds::core::fingerprint::{fingerprint, stack::select};
use rounds::core::model::{DropReason, ErrorEvent, EventOrigin};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stacktraces")
}

fn read(rel: &str) -> String {
    let p = dir().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn parse(rel: &str) -> ParsedStack {
    stack::parse(&read(rel)).unwrap_or_else(|| panic!("{rel}: no frames parsed"))
}

fn funcs(s: &ParsedStack, exc: usize) -> Vec<String> {
    s.exceptions[exc]
        .frames
        .iter()
        .map(|f| f.qualified())
        .collect()
}

#[test]
#[ignore = "a survey for development: prints what every fixture parses to"]
fn survey() {
    for lang in std::fs::read_dir(dir()).unwrap() {
        let lang = lang.unwrap().path();
        if !lang.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&lang).unwrap() {
            let f = f.unwrap().path();
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            match stack::parse(&text) {
                None => println!("{}: NONE", f.display()),
                Some(s) => {
                    let sel = select(&s);
                    println!(
                        "{}: {:?} exc={} frames={:?} types={:?} kept={:?}",
                        f.file_name().unwrap().to_string_lossy(),
                        s.language,
                        s.exceptions.len(),
                        s.exceptions
                            .iter()
                            .map(|e| e.frames.len())
                            .collect::<Vec<_>>(),
                        s.exceptions
                            .iter()
                            .map(|e| e.exception_type.clone().unwrap_or_default())
                            .collect::<Vec<_>>(),
                        sel.kept.iter().map(|f| f.qualified()).collect::<Vec<_>>()
                    );
                }
            }
        }
    }
}

#[test]
fn java_caused_by_chain_and_root_cause_decides() {
    let s = parse("java/fpde_complex_java_exc.txt");
    assert_eq!(s.language, Language::Java);
    assert_eq!(funcs(&s, 0).len(), 20);
    assert_eq!(
        s.exceptions[1].exception_type.as_deref(),
        Some("com.example.myproject.MyProjectServletException")
    );
    let sel = select(&s);
    assert_eq!(
        sel.kept[0].qualified(),
        "com.example.myproject.MyServlet.doPost"
    );
    // Kept frames carry the sample's line (for `show` and source excerpts) ...
    assert!(sel
        .kept
        .iter()
        .all(|f| f.line.is_some() && f.column.is_none()));
    assert!(sel.dropped.iter().any(|(_, r)| *r == DropReason::Runtime));
    // ... but the fingerprint never depends on it: the same trace with every line shifted.
    let text = read("java/fpde_complex_java_exc.txt");
    let re = regex::Regex::new(r"\.java:(\d+)\)").unwrap();
    let shifted = re.replace_all(&text, |c: &regex::Captures| {
        format!(".java:{})", c[1].parse::<u32>().unwrap() + 17)
    });
    assert_ne!(text, shifted);
    let fp = |t: &str| {
        let mut ev = ErrorEvent::new("svc", 0, EventOrigin::SpanEvent);
        ev.stacktrace = Some(t.to_string());
        fingerprint(&ev).id
    };
    assert_eq!(fp(&text), fp(&shifted));
}

#[test]
fn python_traceback_frames_innermost_first() {
    let s = parse("python/fpde_python_exc.txt");
    assert_eq!(s.language, Language::Python);
    assert_eq!(s.top_type().as_deref(), Some("Exception"));
    assert_eq!(
        funcs(&s, 0),
        ["nearfieldspy.get", "nearfieldspy.start", "webapp2.__call__"]
    );
    let u = parse("python/clusterfuzz_python_unhandled_exception.txt");
    assert_eq!(
        u.root_cause().map(|e| e.frames[0].function.as_str()),
        Some("_read_exact")
    );
    assert_eq!(
        select(&u).kept[0].function,
        "TestOneInput",
        "stdlib frames never decide"
    );
}

#[test]
fn python_chained_exceptions_put_the_last_printed_first() {
    let text = "Traceback (most recent call last):\n  File \"/app/db.py\", line 3, in load\n    x()\nKeyError: 'id'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"/app/api.py\", line 9, in handler\n    load()\nValueError: bad\n";
    let s = stack::parse(text).expect("parsed");
    assert_eq!(s.top_type().as_deref(), Some("ValueError"));
    assert_eq!(
        s.root_cause().and_then(|e| e.exception_type.as_deref()),
        Some("KeyError")
    );
    assert_eq!(select(&s).kept[0].qualified(), "db.load");
}

#[test]
fn go_panicking_goroutine_is_chosen() {
    let s = parse("go/fpde_go_exc.txt");
    assert_eq!(s.language, Language::Go);
    assert_eq!(s.top_message().as_deref(), Some("my panic"));
    assert_eq!(
        s.exceptions[0].frames.len(),
        4,
        "only goroutine 4 (running)"
    );
    assert_eq!(
        select(&s).kept[0].qualified(),
        "main.main.func",
        "func1 numbering dropped"
    );
    let l = parse("go/clusterfuzz_golang_libfuzzer_panic.txt");
    assert_eq!(
        l.exceptions[0].frames[0].qualified(),
        "github.com/dvyukov/go-fuzz-corpus/url.Fuzz"
    );
}

#[test]
fn javascript_engines_agree_on_function_names() {
    for (file, first) in [
        ("javascript_browser/esp_CHROME_15.txt", "bar"),
        ("javascript_browser/esp_FIREFOX_31.txt", "foo"),
        ("javascript_browser/esp_SAFARI_8.txt", "foo"),
        ("javascript_browser/esp_FIREFOX_43_NESTED_EVAL.txt", "baz"),
        ("nodejs/stp_NODE_ANONYM.txt", "get"),
    ] {
        let s = parse(file);
        assert_eq!(s.language, Language::JavaScript, "{file}");
        assert_eq!(s.exceptions[0].frames[0].function, first, "{file}");
    }
    let node = parse("nodejs/stp_NODE_ANONYM.txt");
    assert!(node.exceptions[0].frames.iter().any(|f| !f.in_app
        && f.file
            .as_deref()
            .is_some_and(|p| p.contains("node_modules"))));
}

#[test]
fn dotnet_inner_exception_and_demystified_names() {
    let s = parse("dotnet/fpde_csharp_nested_exc.txt");
    assert_eq!(s.language, Language::DotNet);
    assert_eq!(s.exceptions.len(), 2);
    assert_eq!(
        s.root_cause().map(|e| e.frames[0].qualified()).as_deref(),
        Some("ExampleApp.NestedExceptionExample.LowestLevelMethod")
    );
    let raw = parse("dotnet/demystifier_readme_raw_dotnet.txt");
    let demy = parse("dotnet/demystifier_readme_demystified.txt");
    assert_eq!(select(&raw).kept[0].qualified(), "Program.Iterator");
    assert_eq!(select(&demy).kept[0].qualified(), "Program.Iterator");
    assert!(
        funcs(&raw, 0)
            .iter()
            .all(|f| !f.contains("DisplayClass") && !f.contains('`')),
        "{:?}",
        funcs(&raw, 0)
    );
}

#[test]
fn ruby_and_rails_frames() {
    let s = parse("ruby/fpde_ruby_exc.txt");
    assert_eq!(s.language, Language::Ruby);
    assert_eq!(s.top_type().as_deref(), Some("NoMethodError"));
    assert_eq!(funcs(&s, 0).len(), 10);
    let e = parse("ruby/errbit_hoptoad_test_notice_as_ruby_backtrace.txt");
    assert_eq!(
        e.exceptions[0].frames[0].function,
        "_run_process_action_callbacks"
    );
    assert!(e.exceptions[0]
        .frames
        .iter()
        .all(|f| !f.function.starts_with("block ")));
    // Every frame is a gem's: with no application frame, the gems' top frames decide (v3).
    let sel = select(&e);
    assert!(sel.all_frames && !sel.kept.is_empty());
    assert!(sel.kept.iter().all(|f| !f.in_app));
}

#[test]
fn php_frames_and_header() {
    let s = parse("php/fpde_php_exc.txt");
    assert_eq!(s.language, Language::Php);
    assert_eq!(s.top_type().as_deref(), Some("Exception"));
    assert_eq!(s.top_message().as_deref(), Some("Custom exception"));
    assert_eq!(funcs(&s, 0), ["test.func1", "test.func2"]);
}

#[test]
fn rust_hashes_and_closures_are_normalised() {
    let s = parse("rust/clusterfuzz_rust_assert.txt");
    assert_eq!(s.language, Language::Rust);
    assert_eq!(
        s.top_message().as_deref(),
        Some("Error: could not find an available port")
    );
    assert_eq!(
        select(&s).kept[0].function,
        "libra_config::utils::get_available_port"
    );
    assert!(funcs(&s, 0)
        .iter()
        .all(|f| !f.contains("::h") || f.contains("::hash")));
    let bt = "thread 'main' panicked at src/main.rs:2:5:\nboom\nstack backtrace:\n   0: rust_begin_unwind\n             at /rustc/x/library/std/src/panicking.rs:645:5\n   1: core::panicking::panic_fmt\n   2: app::parse::{{closure}}::h0123456789abcdef\n             at ./src/main.rs:2:5\n   3: app::main\n";
    let s = stack::parse(bt).expect("parsed");
    assert_eq!(s.top_message().as_deref(), Some("boom"));
    assert_eq!(select(&s).kept[0].function, "app::parse");
}

/// clusterfuzz's expected crash state names the top frames: ours must appear in that order.
#[test]
fn clusterfuzz_expected_top_frames() {
    let v: serde_json::Value = serde_json::from_str(&read(
        "../stacktraces/clusterfuzz_expected_crash_states.json",
    ))
    .expect("json");
    let mut checked = 0;
    for (file, exp) in v.as_object().expect("object") {
        if !["rust/", "python/", "java/", "nodejs/"]
            .iter()
            .any(|p| file.starts_with(p))
        {
            continue;
        }
        let Some(s) = stack::parse(&read(file)) else {
            panic!("{file}: not parsed")
        };
        let names: Vec<String> = s
            .exceptions
            .iter()
            .rev()
            .flat_map(|e| e.frames.iter().map(|f| f.qualified()))
            .collect();
        let state = exp["expected_state"].as_str().unwrap_or("");
        let want: Vec<String> = state
            .lines()
            .skip_while(|l| !l.contains(['.', ':', '_']) || l.contains(' '))
            .map(|l| {
                let l = l
                    .split("::h")
                    .next()
                    .unwrap_or(l)
                    .replace("$LT$", "<")
                    .replace("$GT$", ">");
                l.rsplit(['.', ':']).next().unwrap_or(&l).to_string()
            })
            .filter(|l| !l.is_empty())
            .collect();
        for w in &want {
            assert!(
                names.iter().any(|n| n.ends_with(w.as_str())),
                "{file}: expected frame {w} (from {state:?}) not in {names:?}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "checked {checked}");
}

#[test]
fn fingerprint_ignores_line_numbers_and_is_fast() {
    let text = read("java/fpde_complex_java_exc.txt");
    let moved = text.replace(".java:", ".java:1");
    let ev = |t: &str| {
        let mut e = ErrorEvent::new("svc", 0, EventOrigin::SpanEvent);
        e.stacktrace = Some(t.to_string());
        e
    };
    assert_eq!(fingerprint(&ev(&text)).id, fingerprint(&ev(&moved)).id);
    // Throughput: release builds do >100k events/s (see report); debug only sanity-checks.
    let e = ev(&text);
    let n = 2000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(fingerprint(std::hint::black_box(&e)));
    }
    let per_sec = n as f64 / t.elapsed().as_secs_f64();
    println!("fingerprint throughput (26-frame Java trace): {per_sec:.0} events/s");
    if !cfg!(debug_assertions) {
        assert!(per_sec > 100_000.0, "{per_sec:.0} events/s");
    }
}
