//! Fuzzing every parser for a bounded time from the checked-in corpus (`tests/fuzz/<target>/`,
//! plus the real inputs under `tests/fixtures/`): the OTLP/JSON file reader, each stack parser,
//! the template masker and fingerprint, the Jaeger/Tempo/Loki/SigNoz response mappers, the LLM
//! answer and CLI-output parsers, and the duration/setting parsers (in-process, and through the
//! binary's exit code). A seeded generator mutates bytes and JSON trees (`ROUNDS_FUZZ_SEED`
//! replays, the seed is printed); each target runs its corpus whole, then `ROUNDS_FUZZ_CASES`
//! mutated cases (default 3000) or `ROUNDS_FUZZ_MS` milliseconds of them (default 2500), whichever
//! ends first.
//!
//! Properties: no panic; bounded output (events, frames, templates and answers never grow past
//! a bound of the input); determinism (the same input parses and fingerprints the same twice).
//! A case that panics is written to the temp directory and named in the failure: add it to the
//! target's corpus folder once fixed.

use crate::support::harness::{repo, Env};
use crate::support::otlp_gen::{self, Rng};

use rounds::adapters::telemetry::otlp_file::{Input, OtlpFileSource};
use rounds::core::fingerprint::{fingerprint, stack, template};
use rounds::core::model::{ErrorEvent, EventOrigin};
use rounds::core::ports::telemetry::{PollWindow, TelemetrySource};
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

/// The files of `tests/fuzz/<target>/` and of each extra fixture folder (recursively), as bytes.
fn corpus(target: &str, extra: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut dirs = vec![repo(&format!("tests/fuzz/{target}"))];
    dirs.extend(extra.iter().map(|d| repo(d)));
    for d in dirs {
        collect(Path::new(&d), &mut out);
    }
    assert!(!out.is_empty(), "no corpus for {target}");
    out
}

fn collect(p: &Path, out: &mut Vec<Vec<u8>>) {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if p.is_file() {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Provenance notes and generators are not inputs.
        if !(name.ends_with(".txt") && name.to_ascii_uppercase() == name
            || name.ends_with(".md")
            || name.ends_with(".py"))
        {
            out.push(std::fs::read(p).unwrap());
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"\x00",
    b"\xff",
    b"\xe2\x82",
    b"\xf0\x9f\x92\xa5",
    b"\n",
    b"\r\n",
    b"\t",
    b"\\u0000",
    b"\\ud800",
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"-1",
    b"0",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"1e999",
    b"253402300799000000000",
    b"<*>",
    b"  File \"x.py\", line 99999999999999999999, in f\n",
    b"\tat a.B.c(B.java:-1)\n",
    b"Caused by: ",
    b"goroutine 1 [running]:\n",
    b"    at f (/x.js:1:2)\n",
    b"#0 0x0000 in f /x.c:1\n",
    b"Traceback (most recent call last):\n",
    b"panicked at ",
    b"--- ",
    b"```json",
    b"```",
];

/// One byte-level mutation of `input` (with `other` as a splice source).
fn mutate_bytes(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    let len = input.len() as u64;
    match rng.below(10) {
        // Whole lines from another input at a line boundary: mixes languages and shapes.
        7 | 8 if !other.is_empty() => {
            let lines: Vec<&[u8]> = other.split(|b| *b == b'\n').collect();
            let line = lines[rng.below(lines.len() as u64) as usize];
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    input
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| **b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect();
            let at = starts[rng.below(starts.len() as u64) as usize];
            let times = 1 + rng.below(3) as usize;
            let mut piece = Vec::new();
            for _ in 0..times {
                piece.extend_from_slice(line);
                piece.push(b'\n');
            }
            input.splice(at..at, piece);
        }
        0 if len > 0 => {
            let i = rng.below(len) as usize;
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len) as usize;
            input[i] = rng.below(256) as u8;
        }
        2 | 3 => {
            let t = TOKENS[rng.below(TOKENS.len() as u64) as usize];
            let at = rng.below(len + 1) as usize;
            input.splice(at..at, t.iter().copied());
        }
        4 if len > 0 => {
            let a = rng.below(len) as usize;
            let b = (a + 1 + rng.below(64) as usize).min(input.len());
            input.drain(a..b);
        }
        5 if len > 0 => {
            // Repeat a slice: long lines, deep repetition.
            let a = rng.below(len) as usize;
            let b = (a + 1 + rng.below(128) as usize).min(input.len());
            let piece: Vec<u8> = input[a..b].to_vec();
            let times = 1 + rng.below(64) as usize;
            let at = rng.below(input.len() as u64 + 1) as usize;
            input.splice(
                at..at,
                piece.iter().copied().cycle().take(piece.len() * times),
            );
        }
        6 if len > 0 => {
            input.truncate(rng.below(len) as usize);
        }
        _ if !other.is_empty() => {
            let a = rng.below(other.len() as u64) as usize;
            let b = (a + 1 + rng.below(512) as usize).min(other.len());
            let at = rng.below(input.len() as u64 + 1) as usize;
            input.splice(at..at, other[a..b].iter().copied());
        }
        _ => input.push(rng.below(256) as u8),
    }
}

/// A replacement value of another type or at a boundary.
fn nasty_value(rng: &mut Rng, like: &Value) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(2)),
        2 => serde_json::json!(-1),
        3 => serde_json::json!(u64::MAX),
        4 => serde_json::json!(i64::MIN),
        5 => serde_json::json!(1.5e300),
        6 => Value::String(String::new()),
        7 => Value::String("A".repeat(1 + rng.below(20_000) as usize)),
        8 => Value::String("99999999999999999999999".into()),
        9 => Value::String("\u{0}\u{202e}\u{fffd}é\u{1f4a5}".into()),
        10 => Value::Array(vec![like.clone(); 1 + rng.below(50) as usize]),
        11 => serde_json::json!({}),
        12 => {
            let mut v = like.clone();
            for _ in 0..rng.below(40) {
                v = Value::Array(vec![v]);
            }
            v
        }
        _ => Value::String(format!("{:x}", rng.next_u64())),
    }
}

/// One tree mutation: replace a random node, drop an object key, or grow an array.
fn mutate_json(rng: &mut Rng, v: &mut Value) {
    // Walk down a random path, stopping at a random depth.
    let mut node = v;
    loop {
        let go_deeper = rng.below(4) != 0;
        let next_index = match &*node {
            Value::Array(a) if !a.is_empty() && go_deeper => Some(rng.below(a.len() as u64)),
            Value::Object(o) if !o.is_empty() && go_deeper => Some(rng.below(o.len() as u64)),
            _ => None,
        };
        let Some(i) = next_index else { break };
        node = match node {
            Value::Array(a) => &mut a[i as usize],
            Value::Object(o) => o.values_mut().nth(i as usize).unwrap(),
            _ => unreachable!(),
        };
    }
    match node {
        Value::Object(o) if !o.is_empty() && rng.chance(3) => {
            let k = o
                .keys()
                .nth(rng.below(o.len() as u64) as usize)
                .unwrap()
                .clone();
            o.remove(&k);
        }
        Value::Array(a) if !a.is_empty() && rng.chance(3) => {
            let e = a[rng.below(a.len() as u64) as usize].clone();
            for _ in 0..1 + rng.below(20) {
                a.push(e.clone());
            }
        }
        _ => {
            let like = node.clone();
            *node = nasty_value(rng, &like);
        }
    }
}

/// Mutates `seed` into a case: a few JSON-tree mutations when it is JSON and `json` is asked
/// for (half the time), then a few byte mutations (or none).
fn make_case(rng: &mut Rng, seed: &[u8], other: &[u8], json: bool) -> Vec<u8> {
    let mut out = seed.to_vec();
    if json && rng.chance(2) {
        if let Ok(mut v) = serde_json::from_slice::<Value>(seed) {
            for _ in 0..1 + rng.below(4) {
                let before = v.clone();
                mutate_json(rng, &mut v);
                // Copies of copies grow exponentially: keep cases small and fast.
                if serde_json::to_vec(&v).unwrap().len() > MAX_CASE {
                    v = before;
                }
            }
            out = serde_json::to_vec(&v).unwrap();
            if rng.chance(2) {
                return out;
            }
        }
    }
    for _ in 0..1 + rng.below(4) {
        mutate_bytes(rng, &mut out, other);
    }
    out.truncate(MAX_CASE.max(seed.len()));
    out
}

/// Largest mutated case, in bytes (a seed may be larger).
const MAX_CASE: usize = 128 * 1024;

/// Runs the checked-in seeds as they are, then mutated cases until the case count or the time
/// is spent. `check` panics on a broken property; the case is saved and named.
fn fuzz(target: &str, seeds: &[Vec<u8>], json: bool, check: &dyn Fn(&[u8])) {
    let seed = otlp_gen::seed("ROUNDS_FUZZ_SEED");
    let cases = otlp_gen::count("ROUNDS_FUZZ_CASES", 3000);
    let budget = Duration::from_millis(otlp_gen::count("ROUNDS_FUZZ_MS", 2500));
    let mut rng = Rng::new(
        seed ^ target
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31) ^ b as u64),
    );
    let began = Instant::now();
    let run = |n: u64, case: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| check(case))).is_err() {
            let saved = std::env::temp_dir().join(format!("rounds-fuzz-{target}-{seed}-{n}.bin"));
            std::fs::write(&saved, case).unwrap();
            panic!(
                "fuzz {target}: case {n} (ROUNDS_FUZZ_SEED={seed}) broke a property; input saved to {}",
                saved.display()
            );
        }
    };
    for (i, s) in seeds.iter().enumerate() {
        run(i as u64, s);
    }
    // The time budget is for mutated cases: the corpus always runs whole, however loaded the box.
    let started = Instant::now();
    let mut n = 0;
    while n < cases && started.elapsed() < budget {
        let s = &seeds[rng.below(seeds.len() as u64) as usize];
        let o = &seeds[rng.below(seeds.len() as u64) as usize];
        let case = make_case(&mut rng, s, o, json);
        run(seeds.len() as u64 + n, &case);
        n += 1;
    }
    eprintln!(
        "fuzz {target}: {} seeds + {n} mutated cases in {:?} (ROUNDS_FUZZ_SEED={seed})",
        seeds.len(),
        began.elapsed()
    );
}

/// Fingerprints `ev` twice: the same id and template, both bounded.
fn fingerprint_is_stable(ev: &ErrorEvent) {
    let a = fingerprint(ev);
    let b = fingerprint(ev);
    assert_eq!(a, b, "the same event fingerprints the same");
    assert_eq!(a.id.len(), 32);
    assert!(
        a.key_frames.len() <= stack::KEY_FRAMES,
        "{}",
        a.key_frames.len()
    );
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Events of one OTLP input read whole by the file reader.
fn read_otlp(path: &Path) -> Result<Vec<ErrorEvent>, String> {
    let mut src = OtlpFileSource::new(Input::Path(path.to_path_buf()));
    let mut events = Vec::new();
    let mut sink = |ev: ErrorEvent| -> Result<(), String> {
        events.push(ev);
        Ok(())
    };
    src.fetch(
        PollWindow {
            start: 0,
            end: i64::MAX,
        },
        &mut sink,
    )
    .map_err(|e| e.to_string())?;
    Ok(events)
}

#[test]
fn fuzz_the_otlp_file_reader() {
    let seeds = corpus(
        "otlp_file",
        &[
            "examples/otlp-errors.jsonl",
            "tests/fixtures/backends/jaeger/otlp_json_with_events_memory_otel_traces_01.json",
            "tests/fixtures/backends/jaeger/otlp_traces_request_otlp2jaeger-in.json",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let counter = std::cell::Cell::new(0u64);
    fuzz("otlp_file", &seeds, true, &|case| {
        // A fresh name per case: the reader keys checkpoints on the path.
        counter.set(counter.get() + 1);
        let gz = counter.get().is_multiple_of(7);
        let path = dir.path().join(format!("case-{}.jsonl", counter.get()));
        if gz {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(case).unwrap();
            std::fs::write(&path, e.finish().unwrap()).unwrap();
        } else {
            std::fs::write(&path, case).unwrap();
        }
        let first = read_otlp(&path);
        let again = read_otlp(&path);
        assert_eq!(first, again, "the same file reads the same twice");
        if let Ok(events) = first {
            // Every event costs input bytes: no amplification.
            assert!(
                events.len() <= case.len() / 8 + 1,
                "{} events",
                events.len()
            );
            for ev in &events {
                let grown = ev.message.as_ref().map_or(0, String::len)
                    + ev.stacktrace.as_ref().map_or(0, String::len);
                assert!(
                    grown <= case.len() * 2 + 64,
                    "{grown} bytes from {}",
                    case.len()
                );
                fingerprint_is_stable(ev);
            }
        }
        std::fs::remove_file(&path).unwrap();
    });
}

const LANGUAGES: [stack::Language; 9] = [
    stack::Language::Python,
    stack::Language::Java,
    stack::Language::Go,
    stack::Language::JavaScript,
    stack::Language::DotNet,
    stack::Language::Ruby,
    stack::Language::Php,
    stack::Language::Rust,
    stack::Language::Native,
];

#[test]
fn fuzz_every_stack_parser() {
    let seeds = corpus("stack", &["tests/fixtures/stacktraces"]);
    fuzz("stack", &seeds, false, &|case| {
        let t = text(case);
        let lines = t.lines().count() + 1;
        let parsed = stack::parse(&t);
        assert_eq!(parsed, stack::parse(&t), "deterministic");
        let _ = stack::detect(&t);
        for lang in LANGUAGES {
            if let Some(p) = stack::parse_as(&t, lang) {
                assert!(
                    p.frame_count() <= lines,
                    "{lang:?}: {} frames from {lines} lines",
                    p.frame_count()
                );
                // One line may chain many (.NET's `A: x ---> B: y` inner exceptions).
                let chained = t.matches(" ---> ").count();
                assert!(
                    p.exceptions.len() <= lines + chained,
                    "{lang:?}: {} exceptions from {lines} lines and {chained} ' ---> '",
                    p.exceptions.len()
                );
            }
        }
        let mut ev = ErrorEvent::new("svc", 1_764_072_000_000_000_000, EventOrigin::SpanEvent);
        ev.exception_type = parsed.as_ref().and_then(|p| p.top_type());
        ev.message = parsed.as_ref().and_then(|p| p.top_message());
        ev.stacktrace = Some(t);
        fingerprint_is_stable(&ev);
    });
}

#[test]
fn fuzz_the_template_masker() {
    let seeds = corpus("mask", &["tests/fixtures/loghub"]);
    // Loghub files are many lines: each line is a message.
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for s in &seeds {
        for l in s.split(|b| *b == b'\n').take(30) {
            if !l.is_empty() {
                lines.push(l.to_vec());
            }
        }
    }
    fuzz("mask", &lines, false, &|case| {
        let t = text(case);
        let m = template::mask(&t);
        assert_eq!(m, template::mask(&t), "deterministic");
        assert!(
            m.len() <= t.len() * 3 + 3,
            "{} bytes from {}",
            m.len(),
            t.len()
        );
        let mut ev = ErrorEvent::new("svc", 1, EventOrigin::LogRecord);
        ev.exception_type = Some("E".into());
        ev.message = Some(t);
        fingerprint_is_stable(&ev);
    });
}

/// Where a mapper emits events.
type Sink<'a> = dyn FnMut(ErrorEvent) -> Result<(), String> + 'a;

fn collect_events(f: &mut dyn FnMut(&mut Sink<'_>)) -> Vec<ErrorEvent> {
    let mut out = Vec::new();
    let mut sink = |ev: ErrorEvent| -> Result<(), String> {
        out.push(ev);
        Ok(())
    };
    f(&mut sink);
    out
}

#[test]
fn fuzz_the_jaeger_mappers() {
    use rounds::adapters::telemetry::jaeger::map::{trace_spans, trace_to_events, SpanFilter};
    use rounds::adapters::telemetry::jaeger::wire::{V1Envelope, V1Trace, V3Traces};
    use rounds::adapters::telemetry::otlp::spans_to_events;
    let seeds = corpus(
        "jaeger",
        &[
            "tests/fixtures/backends/jaeger",
            "tests/fixtures/backends/derived",
        ],
    );
    fuzz("jaeger", &seeds, true, &|case| {
        let map = || -> Vec<ErrorEvent> {
            let mut all = Vec::new();
            if let Ok(env) = serde_json::from_slice::<V1Envelope<Vec<V1Trace>>>(case) {
                for t in env.data.iter().flatten() {
                    let _ = trace_spans(t);
                    all.extend(collect_events(&mut |sink| {
                        let _ = trace_to_events(
                            t,
                            SpanFilter {
                                service: None,
                                window: None,
                            },
                            sink,
                        );
                    }));
                }
            }
            if let Ok(t) = serde_json::from_slice::<V3Traces>(case) {
                all.extend(collect_events(&mut |sink| {
                    let _ = spans_to_events(&t.result.resource_spans, sink);
                }));
            }
            all
        };
        let events = map();
        assert_eq!(events, map(), "deterministic");
        assert!(events.len() <= case.len() / 8 + 1);
        events.iter().for_each(fingerprint_is_stable);
    });
}

#[test]
fn fuzz_the_tempo_mapper() {
    use rounds::adapters::telemetry::tempo::map::trace_to_events;
    use rounds::adapters::telemetry::tempo::wire::{TempoTrace, TraceByIdV2};
    let seeds = corpus("tempo", &["tests/fixtures/backends/tempo"]);
    let all = PollWindow {
        start: i64::MIN,
        end: i64::MAX,
    };
    fuzz("tempo", &seeds, true, &|case| {
        let map = || -> Vec<ErrorEvent> {
            let mut traces = Vec::new();
            if let Ok(t) = serde_json::from_slice::<TraceByIdV2>(case) {
                traces.extend(t.trace);
            }
            if let Ok(t) = serde_json::from_slice::<TempoTrace>(case) {
                traces.push(t);
            }
            let mut out = Vec::new();
            for t in traces {
                let mut t = Some(t);
                out.extend(collect_events(&mut |sink| {
                    if let Some(t) = t.take() {
                        let _ = trace_to_events(t, &[], all, sink);
                    }
                }));
            }
            out
        };
        let events = map();
        assert_eq!(events, map(), "deterministic");
        events.iter().for_each(fingerprint_is_stable);
    });
}

#[test]
fn fuzz_the_loki_mapper() {
    use rounds::adapters::telemetry::loki::map::{entry_to_event, Entry};
    use rounds::adapters::telemetry::loki::wire::{QueryResponse, Stream};
    let seeds = corpus("loki", &["tests/fixtures/backends/loki"]);
    fuzz("loki", &seeds, true, &|case| {
        let map = || -> Vec<ErrorEvent> {
            let Ok(r) = serde_json::from_slice::<QueryResponse>(case) else {
                return Vec::new();
            };
            let Ok(streams) = serde_json::from_value::<Vec<Stream>>(r.data.result) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for s in &streams {
                for v in &s.values {
                    if let Ok(e) = Entry::parse(&s.stream, v) {
                        out.extend(entry_to_event(e, "service_name"));
                    }
                }
            }
            out
        };
        let events = map();
        assert_eq!(events, map(), "deterministic");
        assert!(events.len() <= case.len() / 4 + 1);
        events.iter().for_each(fingerprint_is_stable);
    });
}

#[test]
fn fuzz_the_signoz_mapper() {
    use rounds::adapters::telemetry::signoz::map::{row_timestamp, row_to_events, row_to_span};
    use rounds::adapters::telemetry::signoz::wire::QueryRangeResponse;
    let seeds = corpus("signoz", &["tests/fixtures/backends/signoz"]);
    fuzz("signoz", &seeds, true, &|case| {
        let map = || -> Vec<ErrorEvent> {
            let Ok(r) = serde_json::from_slice::<QueryRangeResponse>(case) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for res in r.data.map(|d| d.data.results).unwrap_or_default() {
                for row in res.rows.unwrap_or_default() {
                    let _ = row_timestamp(&row);
                    let _ = row_to_span(&row);
                    out.extend(row_to_events(&row).unwrap_or_default());
                }
            }
            out
        };
        let events = map();
        assert_eq!(events, map(), "deterministic");
        assert!(events.len() <= case.len() / 4 + 1);
        events.iter().for_each(fingerprint_is_stable);
    });
}

#[test]
fn fuzz_the_llm_answer_and_cli_output_parsers() {
    use rounds::adapters::diagnosis::{answer, claude_code, codex};
    use rounds::core::diagnose::budget::PriceTable;
    let seeds = corpus("answer", &["tests/fixtures/llm"]);
    let prices = PriceTable::new();
    fuzz("answer", &seeds, true, &|case| {
        let t = text(case);
        let a = answer::parse_text(&t);
        assert_eq!(a, answer::parse_text(&t), "deterministic");
        if let Ok(v) = &a {
            for s in [&v.root_cause, &v.suggested_fix] {
                assert!(s.chars().count() <= 8_001, "{} chars", s.chars().count());
            }
            assert!(v.evidence.len() <= 50);
        }
        if let Ok(v) = serde_json::from_str::<Value>(&t) {
            let _ = answer::validate(&v);
        }
        let _ = answer::excerpt(&t, 80);
        let c = claude_code::interpret(&t, &t, Some(0), "claude-sonnet-4-5-20250929", 10);
        let again = claude_code::interpret(&t, &t, Some(0), "claude-sonnet-4-5-20250929", 10);
        assert_eq!(format!("{c:?}"), format!("{again:?}"), "deterministic");
        let _ = claude_code::interpret(&t, "", None, "", 0);
        let _ = codex::interpret(&t, &t, "gpt-5.1-codex", &prices, 10);
    });
}

#[test]
fn fuzz_the_duration_and_setting_parsers() {
    use rounds::adapters::telemetry::common;
    use rounds::adapters::telemetry::http::{parse_header_list, parse_retry_after};
    use rounds::app::settings::{parse_duration, parse_since, parse_until};
    use rounds::core::diagnose::budget::PriceTable;
    let seeds = corpus("settings", &[]);
    let now = 1_795_608_000_000_000_000i64;
    fuzz("settings", &seeds, false, &|case| {
        let t = text(case);
        let d = parse_duration("X", &t).map_err(|e| e.to_string());
        assert_eq!(d, parse_duration("X", &t).map_err(|e| e.to_string()));
        for f in [parse_since, parse_until] {
            let a = f("X", &t, now).map_err(|e| e.to_string());
            assert_eq!(a, f("X", &t, now).map_err(|e| e.to_string()));
        }
        if let Ok(h) = parse_header_list(&t) {
            assert!(h.len() <= t.len() / 2 + 1);
        }
        let _ = parse_retry_after(&t);
        let _ = PriceTable::with_overrides(&t);
        // The backends' timestamp and id parsers are string parsers too.
        let ns = common::parse_rfc3339_nanos(&t);
        assert_eq!(ns, common::parse_rfc3339_nanos(&t));
        if let Some(id) = common::trace_id(&t) {
            assert!(id.is_empty() || id.len() == 32, "{id}");
        }
        if let Some(id) = common::span_id(&t) {
            assert!(id.is_empty() || id.len() == 16, "{id}");
        }
    });
}

/// The binary's own handling of every duration and count setting: whatever the value, the exit
/// code is a documented one (never 101, a panic), in `ROUNDS_FUZZ_BINARY_CASES` runs (default 40).
#[test]
fn fuzz_settings_through_the_binary_exit_codes() {
    const VARS: &[&str] = &[
        "ROUNDS_LOCK_WAIT",
        "ERROR_LOOKBACK_MINUTES",
        "POLL_OVERLAP_MINUTES",
        "MAX_CATCHUP",
        "POLL_BATCH_SIZE",
        "EVENT_RETENTION_DAYS",
        "RESOLVE_AFTER_DAYS",
        "ROUNDS_HTTP_TIMEOUT",
        "ROUNDS_HTTP_RETRIES",
        "ROUNDS_HTTP_BACKOFF",
        "ROUNDS_HTTP_MAX_WAIT",
        "DIAGNOSIS_TIMEOUT_SECS",
        "MAX_DIAGNOSES_PER_PASS",
        "DAILY_BUDGET_LIMIT",
        "DIAGNOSIS_BUDGET_USD",
        "DIAGNOSIS_PRICES",
        "ROUNDS_MAX_RECORD_BYTES",
        "ROUNDS_NOW",
    ];
    let seed = otlp_gen::seed("ROUNDS_FUZZ_SEED");
    let cases = otlp_gen::count("ROUNDS_FUZZ_BINARY_CASES", 40);
    let seeds = corpus("settings", &[]);
    let mut rng = Rng::new(seed ^ 0xb1);
    let input = repo("examples/otlp-errors.jsonl");
    let started = Instant::now();
    for n in 0..cases {
        let s = &seeds[rng.below(seeds.len() as u64) as usize];
        let o = &seeds[rng.below(seeds.len() as u64) as usize];
        let mut v = s.clone();
        if rng.chance(2) {
            mutate_bytes(&mut rng, &mut v, o);
        }
        // An environment value cannot hold NUL.
        let value: String = text(&v).replace('\0', "");
        let var = VARS[rng.below(VARS.len() as u64) as usize];
        let mut env = Env::new();
        env.set(var, &value);
        let r = env.run(&["poll", "--dry-run", "--notify", "none", "--input", &input]);
        assert!(
            [0, 1, 2, 3, 65, 69, 75, 78].contains(&r.code),
            "case {n} (ROUNDS_FUZZ_SEED={seed}): {var}={value:?} exited {}: {}",
            r.code,
            r.stderr
        );
        assert!(
            // The value itself may hold "panicked at" (a token of the mutator) and be echoed.
            !r.stderr.contains("thread 'main' panicked"),
            "{var}={value:?}: {}",
            r.stderr
        );
    }
    eprintln!(
        "fuzz settings (binary): {cases} runs in {:?} (ROUNDS_FUZZ_SEED={seed})",
        started.elapsed()
    );
}
