//! Reading OTLP files through the binary: poison records quarantined (exit 3) with their own
//! line numbers, per-file checkpoints (appends, partial last lines, rotation, truncation), and
//! exactly-once for neighbours (a span event and its log copy; the same document twice).

use crate::support::harness;

use harness::{repo, Env};
use std::io::Write;

const EXAMPLE: &str = "examples/otlp-errors.jsonl";

/// One OTLP/JSON line holding exactly one error event (an exception span event), with
/// its own trace and span, in the shape the Collector's file exporter writes.
fn doc(i: usize) -> String {
    format!(
        concat!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"checkout"}}}}]}},"#,
            r#""scopeSpans":[{{"scope":{{"name":"shop"}},"spans":[{{"traceId":"{:032x}","spanId":"{:016x}","name":"GET /cart","#,
            r#""startTimeUnixNano":"1764072000000000000","endTimeUnixNano":"1764072000100000000","status":{{"code":2}},"#,
            r#""events":[{{"name":"exception","timeUnixNano":"1764072000050000000","attributes":["#,
            r#"{{"key":"exception.type","value":{{"stringValue":"KeyError"}}}},"#,
            r#"{{"key":"exception.message","value":{{"stringValue":"user {} missing"}}}}]}}]}}]}}]}}]}}"#
        ),
        0xabc000 + i,
        0xdef000 + i,
        i
    )
}

fn docs(range: std::ops::Range<usize>) -> String {
    range.map(|i| doc(i) + "\n").collect()
}

fn append(path: &std::path::Path, text: &[u8]) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(text)
        .unwrap();
}

fn passes_quarantined(env: &Env) -> Vec<i64> {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut st = conn
        .prepare("SELECT quarantined FROM passes ORDER BY id")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn each_kind_of_poison_record_is_skipped_with_its_own_line_and_the_rest_is_counted() {
    let env = Env::new();
    let dir = env.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    // A good file beside the bad one must be read whole.
    std::fs::write(dir.join("a-good.jsonl"), docs(100..110)).unwrap();

    let mut bad: Vec<Vec<u8>> = (0..8).map(|i| doc(i).into_bytes()).collect();
    // line 2: a 40-hex trace id (20 bytes: not an OTLP trace id).
    bad[1] = doc(1)
        .replacen(r#""traceId":""#, r#""traceId":"0af76519"#, 1)
        .into_bytes();
    // line 3: a year-9999 timestamp (beyond int64 nanoseconds).
    bad[2] = doc(2)
        .replace("1764072000050000000", "253402300799000000000")
        .into_bytes();
    // line 4: one invalid UTF-8 byte inside a string.
    let mut l4 = doc(3).into_bytes();
    let at = doc(3).find("GET /cart").unwrap() + 4;
    l4.insert(at, 0xff);
    bad[3] = l4;
    // line 5: a wrong JSON type (a span name that is a number).
    bad[4] = doc(4)
        .replace(r#""name":"GET /cart""#, r#""name":5"#)
        .into_bytes();
    let mut body = Vec::new();
    for l in &bad {
        body.extend_from_slice(l);
        body.push(b'\n');
    }
    // line 9: truncated, with its newline (a crash mid-write, then the writer went on).
    body.extend_from_slice(&doc(8).as_bytes()[..100]);
    body.push(b'\n');
    body.extend_from_slice(docs(9..10).as_bytes());
    std::fs::write(dir.join("b-bad.jsonl"), &body).unwrap();

    let r = env.run(&["poll", "--notify", "none", "--input", dir.to_str().unwrap()]);
    assert_eq!(r.code, 3, "partial: {}", r.stderr);
    let name = dir.join("b-bad.jsonl").display().to_string();
    for (line, why) in [
        (2, "span skipped: trace id"),
        (3, "not an OTLP/JSON document"),
        (4, "not JSON"),
        (5, "not an OTLP/JSON document: invalid type"),
        (9, "truncated JSON"),
    ] {
        assert!(
            r.stderr
                .contains(&format!("skipped unreadable record: {name}:{line}: {why}")),
            "line {line} ({why}) named: {}",
            r.stderr
        );
    }
    assert!(
        r.stderr.contains(&format!("5 quarantined ({name} 5)")),
        "{}",
        r.stderr
    );
    assert_eq!(
        env.total_count(),
        10 + 5,
        "the good file whole, 5 good lines of the bad one"
    );
    assert_eq!(passes_quarantined(&env), vec![5]);

    // A later pass has nothing new to read: it is clean again (exit 0, quarantine 0).
    let r = env.run(&["poll", "--notify", "none", "--input", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(passes_quarantined(&env), vec![5, 0]);

    // The examples past the first few are counted, not named.
    let many = env.path().join("many.jsonl");
    std::fs::write(&many, "not json\n".repeat(12)).unwrap();
    let r = env.run(&[
        "poll",
        "--notify",
        "none",
        "--input",
        many.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stderr.matches("skipped unreadable record:").count(),
        5,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("skipped 7 more"), "{}", r.stderr);
}

#[test]
fn a_file_is_read_incrementally_and_a_partial_last_line_waits_for_the_next_pass() {
    let env = Env::new();
    let f = env.path().join("otel.jsonl");
    std::fs::write(&f, docs(0..2)).unwrap();
    let input = f.to_str().unwrap();
    let r = env.run(&["poll", "--notify", "none", "--input", input]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.total_count(), 2);

    // The collector is in the middle of writing line 3.
    let line3 = doc(2);
    let (head, tail) = line3.split_at(line3.len() / 2);
    append(&f, head.as_bytes());
    let r = env.run(&["poll", "--notify", "none", "--input", input]);
    assert_eq!(r.code, 0, "an unfinished line is not poison: {}", r.stderr);
    assert!(r.stderr.contains("0 events read"), "{}", r.stderr);
    assert!(r.stderr.contains("still being written"), "{}", r.stderr);
    assert_eq!(env.total_count(), 2);

    append(&f, format!("{tail}\n{}", docs(3..4)).as_bytes());
    let r = env.run(&["poll", "--notify", "none", "--input", input]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("2 events read, 0 new, 2 recurring, 0 regressed, 0 skipped"),
        "only the two new lines are read: {}",
        r.stderr
    );
    assert_eq!(env.total_count(), 4);

    // A line number after a resume is the line's own.
    append(&f, b"{\"resourceSpans\": 5}\n");
    let r = env.run(&["poll", "--notify", "none", "--input", input]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{input}:5: ")), "{}", r.stderr);
}

#[test]
fn rotation_and_truncation_neither_lose_nor_double_count() {
    let env = Env::new();
    let dir = env.path().join("logs");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("otel.jsonl");
    let input = f.to_str().unwrap().to_string();
    std::fs::write(&f, docs(0..3)).unwrap();
    assert_eq!(
        env.run(&["poll", "--notify", "none", "--input", &input])
            .code,
        0
    );
    // More lines land, then the file is renamed away and a new one started.
    append(&f, docs(3..6).as_bytes());
    let rotated = dir.join("otel-2026-11-25T12-00-00.jsonl");
    std::fs::rename(&f, &rotated).unwrap();
    std::fs::write(&f, docs(6..8)).unwrap();
    let r = env.run(&["poll", "--notify", "none", "--input", &input]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(rotated)"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("5 events read, 0 new, 5 recurring, 0 regressed, 0 skipped"),
        "the rotated tail and the new file, nothing re-read: {}",
        r.stderr
    );
    assert_eq!(env.total_count(), 8);

    // Truncated and rewritten (copytruncate): read from the start; the ledger keeps counts.
    std::fs::write(&f, docs(6..7)).unwrap();
    let r = env.run(&["poll", "--notify", "none", "--input", &input]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("truncated"), "{}", r.stderr);
    assert!(
        r.stderr.contains("1 skipped (already counted)"),
        "{}",
        r.stderr
    );
    assert_eq!(env.total_count(), 8);
    append(&f, docs(8..9).as_bytes());
    let r = env.run(&["poll", "--notify", "none", "--input", &input]);
    assert!(r.stderr.contains("1 events read"), "{}", r.stderr);
    assert_eq!(env.total_count(), 9);
}

#[test]
fn a_dry_run_does_not_move_checkpoints() {
    let env = Env::new();
    let r = env.run(&[
        "poll",
        "--dry-run",
        "--notify",
        "none",
        "--input",
        &repo(EXAMPLE),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["poll", "--notify", "none", "--input", &repo(EXAMPLE)]);
    assert!(r.stderr.contains("11 events read"), "{}", r.stderr);
}

#[test]
fn the_same_document_twice_and_a_span_event_with_its_log_copy_count_once() {
    let env = Env::new();
    let raw = std::fs::read(repo(EXAMPLE)).unwrap();
    let mut twice = raw.clone();
    twice.extend_from_slice(&raw);
    let r = env.run_stdin(&["poll", "--notify", "none", "--input", "-"], &twice);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        env.total_count(),
        11,
        "cat f f | rounds poll --input - counts once"
    );

    // One document: the exception as a span event and as a log record of the same span, plus
    // a retry loop's two identical exceptions on another span (those are two events).
    let doc = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
      "scopeSpans":[{"spans":[
        {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"GET /x","status":{"code":2},
         "events":[{"name":"exception","timeUnixNano":"1764072000000000000","attributes":[
           {"key":"exception.type","value":{"stringValue":"KeyError"}},{"key":"exception.message","value":{"stringValue":"'user'"}}]}]},
        {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","name":"retry","status":{"code":2},
         "events":[
           {"name":"exception","timeUnixNano":"1764072000000000001","attributes":[{"key":"exception.type","value":{"stringValue":"TimeoutError"}}]},
           {"name":"exception","timeUnixNano":"1764072000000000002","attributes":[{"key":"exception.type","value":{"stringValue":"TimeoutError"}}]}]}]}]}],
      "resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
      "scopeLogs":[{"logRecords":[
        {"timeUnixNano":"1764072000000000000","severityNumber":17,"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
         "attributes":[{"key":"exception.type","value":{"stringValue":"KeyError"}},{"key":"exception.message","value":{"stringValue":"'user'"}}]}]}]}]}"#;
    let one_line = doc.replace('\n', " ");
    let env = Env::new();
    let r = env.run_stdin(
        &["poll", "--notify", "none", "--input", "-"],
        format!("{one_line}\n{one_line}\n").as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        env.total_count(),
        3,
        "KeyError once (span event = log record), TimeoutError twice (two on one span)"
    );
}
