//! Hostile telemetry through the real binary, each case with its bound asserted: peak RSS of the
//! child (wait4's ru_maxrss), wall time, database size and output size. The large inputs are
//! generated here (a gzip bomb is a few megabytes of repeated gzip members).

use crate::support::harness;
use crate::support::measure;

use flate2::write::GzEncoder;
use flate2::Compression;
use harness::Env;
use measure::MIB;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const TRACE: &str = "5b8efff798038103d269b633813fc60c";
const SPAN: &str = "eee19b7ec3c1b174";

/// One OTLP/JSON Lines line holding one exception log record.
fn record(service: &str, ty: &str, message: &str, stack: &str) -> String {
    json!({"resourceLogs":[{"resource":{"attributes":[
        {"key":"service.name","value":{"stringValue":service}}]},
      "scopeLogs":[{"logRecords":[{"timeUnixNano":"1764070000000000000","severityNumber":17,
        "traceId":TRACE,"spanId":SPAN,"attributes":[
          {"key":"exception.type","value":{"stringValue":ty}},
          {"key":"exception.message","value":{"stringValue":message}},
          {"key":"exception.stacktrace","value":{"stringValue":stack}}]}]}]}]})
    .to_string()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn db_bytes(env: &Env) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| {
            std::fs::metadata(format!("{}{s}", env.db().display()))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum()
}

fn measured(env: &Env, args: &[&str]) -> measure::Measured {
    let m = measure::run(env.command(args));
    eprintln!(
        "rounds {}: exit {}, peak RSS {:.1} MiB, {:.2} s, stdout {} bytes",
        args.join(" "),
        m.code,
        m.peak_rss as f64 / MIB as f64,
        m.elapsed.as_secs_f64(),
        m.stdout.len()
    );
    m
}

/// A single line of `gib` GiB that never ends: a JSON prefix, then the same compressed member
/// of 1 MiB of `A` repeated (gzip allows concatenated members), ~1 KB per MiB on disk.
fn write_bomb(path: &Path, mib: usize) -> u64 {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(&gzip(
        br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":17,"body":{"stringValue":""#,
    ))
    .unwrap();
    let member = gzip(&vec![b'A'; MIB as usize]);
    for _ in 0..mib {
        f.write_all(&member).unwrap();
    }
    drop(f);
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn a_gzip_bomb_is_refused_in_bounded_memory_and_time() {
    let env = Env::new();
    let bomb = env.path().join("bomb.jsonl.gz");
    // 4 GiB inflated from ~4 MB: the case that asked for a 4 GiB allocation.
    let size = write_bomb(&bomb, 4096);
    assert!(size < 8 * MIB, "{size}");
    let m = measured(
        &env,
        &["poll", "--strict", "--input", bomb.to_str().unwrap()],
    );
    assert_eq!(m.code, 65, "{}", m.stderr);
    assert!(m.stderr.contains("bomb.jsonl.gz"), "{}", m.stderr);
    assert!(m.stderr.contains("ROUNDS_MAX_GZIP_RATIO"), "{}", m.stderr);
    assert_eq!(m.stderr.trim().lines().count(), 1, "one line: {}", m.stderr);
    assert!(m.peak_rss < 128 * MIB, "peak RSS {} bytes", m.peak_rss);
    assert!(m.elapsed.as_secs() < 30, "{:?}", m.elapsed);
}

#[test]
fn a_gzip_within_its_ratio_but_past_the_decompressed_cap_is_refused() {
    let env = Env::new();
    let bomb = env.path().join("big.jsonl.gz");
    write_bomb(&bomb, 40);
    let mut env = env;
    env.set("ROUNDS_MAX_DECOMPRESSED_BYTES", "16M");
    let m = measured(
        &env,
        &["poll", "--strict", "--input", bomb.to_str().unwrap()],
    );
    assert_eq!(m.code, 65, "{}", m.stderr);
    assert!(
        m.stderr.contains("ROUNDS_MAX_DECOMPRESSED_BYTES"),
        "{}",
        m.stderr
    );
}

#[test]
fn a_record_over_the_cap_is_bad_data_naming_file_and_line() {
    let mut env = Env::new();
    env.set("ROUNDS_MAX_RECORD_BYTES", "1M");
    let input = env.path().join("in.jsonl");
    let ok = record("api", "E", "small", "");
    let big = record("api", "E", &"x".repeat(5 * MIB as usize), "");
    std::fs::write(&input, format!("{ok}\n{big}\n{ok}\n")).unwrap();
    let m = measured(
        &env,
        &["poll", "--strict", "--input", input.to_str().unwrap()],
    );
    assert_eq!(m.code, 65, "{}", m.stderr);
    assert!(
        m.stderr.contains("in.jsonl:2") && m.stderr.contains("ROUNDS_MAX_RECORD_BYTES"),
        "{}",
        m.stderr
    );
    assert!(m.peak_rss < 64 * MIB, "peak RSS {}", m.peak_rss);
    // Without --strict the over-cap record is one more poison record: skipped, named, the
    // records around it counted, exit 3 (partial).
    let m = measured(&env, &["poll", "--input", input.to_str().unwrap()]);
    assert_eq!(m.code, 3, "{}", m.stderr);
    assert!(
        m.stderr.contains("skipped unreadable record:")
            && m.stderr.contains("in.jsonl:2: record of"),
        "{}",
        m.stderr
    );
    assert!(m.stderr.contains("2 events read"), "{}", m.stderr);
    assert!(m.peak_rss < 64 * MIB, "peak RSS {}", m.peak_rss);

    // A pretty-printed (multi-line) document is held whole, so the same cap applies to it.
    let pretty = env.path().join("pretty.json");
    let doc: serde_json::Value = serde_json::from_str(&big).unwrap();
    std::fs::write(&pretty, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let m = measured(
        &env,
        &["poll", "--strict", "--input", pretty.to_str().unwrap()],
    );
    assert_eq!(m.code, 65, "{}", m.stderr);
    assert!(m.stderr.contains("pretty.json:1"), "{}", m.stderr);
}

#[test]
fn a_50_mib_message_costs_a_bounded_pass_database_and_output() {
    let mut env = Env::new();
    // Let the record in, so the ingest caps (not the record cap) are what bounds it.
    env.set("ROUNDS_MAX_RECORD_BYTES", "64M");
    let input = env.path().join("in.jsonl");
    let msg = format!(
        "payload rejected aws_secret_access_key={} {}",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "lorem ipsum dolor sit amet ".repeat(2 * 1024 * 1024)
    );
    assert!(msg.len() > 50 * MIB as usize);
    std::fs::write(&input, record("api", "HugeError", &msg, "")).unwrap();
    let m = measured(
        &env,
        &[
            "poll",
            "--input",
            input.to_str().unwrap(),
            "--notify",
            "none",
        ],
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert!(m.peak_rss < 320 * MIB, "peak RSS {}", m.peak_rss);
    let db = db_bytes(&env);
    eprintln!("database after a 50 MiB message: {db} bytes");
    assert!(db < 2 * MIB, "database {db} bytes");

    for args in [
        &["list", "--json"][..],
        &["report"][..],
        &["report", "--format", "json"][..],
    ] {
        let m = measured(&env, args);
        assert_eq!(m.code, 0, "{}", m.stderr);
        assert!(
            m.stdout.len() < 256 * 1024,
            "{args:?}: {} bytes",
            m.stdout.len()
        );
        assert!(!m.stdout_text().contains("wJalrX"), "secret in {args:?}");
    }
    let id = env.run(&["list", "--json"]).json()["signatures"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = measured(&env, &["show", &id, "--json"]);
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert!(
        m.stdout.len() < 256 * 1024,
        "show: {} bytes",
        m.stdout.len()
    );

    // Every later pass stays cheap: the database holds no trace of the message's size.
    let small = env.path().join("small.jsonl");
    std::fs::write(&small, record("api", "Other", "boom", "")).unwrap();
    let m = measured(
        &env,
        &[
            "poll",
            "--input",
            small.to_str().unwrap(),
            "--notify",
            "none",
        ],
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert!(m.peak_rss < 96 * MIB, "later pass peak RSS {}", m.peak_rss);
    assert!(m.elapsed.as_secs() < 5, "later pass {:?}", m.elapsed);
}

#[test]
fn a_100k_frame_stack_is_stored_bounded() {
    let env = Env::new();
    let input = env.path().join("in.jsonl");
    let mut stack = String::from("java.lang.StackOverflowError: deep\n");
    for i in 0..100_000 {
        stack.push_str(&format!(
            "\tat com.acme.Recursive.call(Recursive.java:{})\n",
            i % 50 + 1
        ));
    }
    std::fs::write(
        &input,
        record("api", "java.lang.StackOverflowError", "deep", &stack),
    )
    .unwrap();
    let m = measured(
        &env,
        &[
            "poll",
            "--input",
            input.to_str().unwrap(),
            "--notify",
            "none",
        ],
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert!(m.peak_rss < 128 * MIB, "peak RSS {}", m.peak_rss);
    let db = db_bytes(&env);
    eprintln!("database after a 100k-frame stack: {db} bytes");
    assert!(db < 2 * MIB, "database {db} bytes");
    let id = env.run(&["list", "--json"]).json()["signatures"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let show = env.run(&["show", &id, "--json"]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let stored = show.json()["sample_stack"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        stored.len() <= 64 * 1024 + 256,
        "stack stored {} bytes",
        stored.len()
    );
    assert!(stored.contains("omitted by rounds"), "{}", &stored[..200]);
}

#[test]
fn a_timestamp_past_i64_is_bad_data_not_1969() {
    let env = Env::new();
    let input = env.path().join("ts.jsonl");
    let line =
        record("api", "E", "boom", "").replace("1764070000000000000", "18446744073709551615");
    std::fs::write(&input, format!("{line}\n")).unwrap();
    let r = env.run(&["poll", "--strict", "--input", input.to_str().unwrap()]);
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(
        r.stderr.contains("ts.jsonl:1") && r.stderr.contains("out of range"),
        "{}",
        r.stderr
    );
}

#[test]
fn reports_are_sized_for_their_destination() {
    let env = Env::new();
    let input = env.path().join("many.jsonl");
    let lines: Vec<String> = (0..400)
        .map(|i| {
            record(
                &format!("svc{i}"),
                &format!("Error{i}"),
                &format!("failure {i} {}", "detail ".repeat(200)),
                "",
            )
        })
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let r = env.run(&[
        "poll",
        "--input",
        input.to_str().unwrap(),
        "--notify",
        "none",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = env.run(&["report", "--since", "400d", "--max-bytes", "64K"]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(md.stdout.len() <= 64 * 1024, "{}", md.stdout.len());
    assert!(md.stdout.contains("--max-bytes"), "a note says it was cut");
    let js = env.run(&[
        "report",
        "--since",
        "400d",
        "--format",
        "json",
        "--max-bytes",
        "64K",
    ]);
    assert_eq!(js.code, 0, "{}", js.stderr);
    assert!(js.stdout.len() <= 64 * 1024, "{}", js.stdout.len());
    let doc = js.json();
    let kept = doc["signatures"].as_array().unwrap().len() as u64;
    let omitted = doc["signatures_omitted"].as_u64().unwrap();
    assert!(
        kept > 0 && omitted > 0 && kept + omitted == 400,
        "{kept} + {omitted}"
    );
    // The default fits one GitHub comment (65,536 characters): whole sections, then the rest
    // listed by id, then the note; no fence left open.
    let full = env.run(&["report", "--since", "400d"]);
    assert!(
        full.stdout.chars().count() <= 65_536,
        "default cap: {}",
        full.stdout.chars().count()
    );
    assert!(
        full.stdout.contains("more signature(s)"),
        "{}",
        &full.stdout[..2000]
    );
    assert_eq!(
        full.stdout.matches("```").count() % 2,
        0,
        "a fence left open"
    );
    let sections = full.stdout.matches("\n## ").count();
    let listed = full.stdout.lines().filter(|l| l.starts_with("- `")).count();
    let more: usize = full
        .stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("- and ")?
                .strip_suffix(" more")?
                .parse()
                .ok()
        })
        .unwrap_or(0);
    // Every signature is accounted for: a section, a line, or the count of the rest
    // ("## N more signature(s)" is a heading too, not a signature).
    assert_eq!(
        sections - 1 + listed + more,
        400,
        "{sections} {listed} {more}"
    );
    let big = env.run(&["report", "--since", "400d", "--max-bytes", "1M"]);
    assert!(big.stdout.len() > full.stdout.len() && big.stdout.len() <= 1024 * 1024);
    let bad = env.run(&["report", "--max-bytes", "12"]);
    assert_eq!(bad.code, 78, "{}", bad.stderr);
}

#[test]
fn files_and_directories_rounds_creates_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let input = env.path().join("in.jsonl");
    std::fs::write(&input, record("api", "E", "boom", "")).unwrap();
    let db = env.path().join("state/deep/rounds.db");
    let md = env.path().join("notes/out");
    let mut c = std::process::Command::new("sh");
    c.arg("-c")
        .arg("umask 000; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_rounds"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "poll",
            "--input",
            input.to_str().unwrap(),
        ])
        .args([
            "--notify",
            "markdown",
            "--markdown-dir",
            md.to_str().unwrap(),
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", env.path())
        .env("ROUNDS_NOW", "2026-11-25T12:00:00Z");
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut checked = Vec::new();
    for dir in [
        env.path().join("state"),
        env.path().join("state/deep"),
        env.path().join("notes"),
        md.clone(),
    ] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        checked.push(dir);
    }
    let mut files = vec![db.clone()];
    for suffix in ["-wal", "-shm", ".lock"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            files.push(p);
        }
    }
    for e in std::fs::read_dir(&md).unwrap() {
        files.push(e.unwrap().path());
    }
    assert!(files.len() >= 3, "{files:?}");
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    eprintln!(
        "private under umask 000: {} dirs, {} files",
        checked.len(),
        files.len()
    );
}

use crate::support::fake_http;

#[test]
fn an_http_body_over_its_cap_is_refused_not_held() {
    let body = std::fs::read_to_string(harness::repo(
        "tests/fixtures/backends/derived/jaeger_v1_search_exception.json",
    ))
    .unwrap();
    assert!(body.len() > 1024, "{}", body.len());
    let server = fake_http::FakeServer::start(move |r| match r.path() {
        "/api/services" => fake_http::Response::json(
            200,
            r#"{"data":["telemetrygen"],"total":1,"limit":0,"offset":0,"errors":null}"#,
        ),
        _ => fake_http::Response::json(200, body.clone()),
    });
    let mut env = Env::new();
    env.set("TELEMETRY_BACKEND", "jaeger")
        .set("JAEGER_API_URL", &server.addr)
        .set("JAEGER_API_VERSION", "v1")
        .set("ROUNDS_HTTP_RETRIES", "0");
    let ok = env.run(&["poll", "--notify", "none"]);
    assert_eq!(ok.code, 0, "within the default cap: {}", ok.stderr);
    env.set("ROUNDS_HTTP_MAX_BODY_BYTES", "1K");
    let r = env.run(&["poll", "--notify", "none"]);
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(r.stderr.contains("larger than 1024 bytes"), "{}", r.stderr);
    env.set("ROUNDS_HTTP_MAX_BODY_BYTES", "lots");
    assert_eq!(env.run(&["poll", "--notify", "none"]).code, 78);
}
