//! Throughput benchmark of `rounds poll --input`: generates a realistic OTLP/JSON corpus (many
//! services, six languages, a Zipf mix of bugs, variable ids in messages, 8-40 frame stacks, about
//! 4 KB per event) and times a pass over 100k and 1M events, printing events/s, MB/s and peak RSS.
//!
//! `cargo bench --bench poll_throughput` (both sizes) or `-- 200000` for one size. `-- --issue15`
//! uses the corpus shaped like issue 15's instead (`scripts/gen-bench-corpus.py`: 300 spans per
//! document, 20 services, deploy-driven line changes). Each run also times CPython's bare
//! `json.loads` of every line of the same file, in the same run, and prints the pass's wall time
//! as a ratio of it (issue 15's target: at most 0.5).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // tests, benches and examples may panic and print

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A small deterministic PRNG (xorshift64*), so the corpus is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const LANGS: [&str; 6] = ["python", "java", "go", "node", "dotnet", "ruby"];

/// One bug: its service, language, exception type, message shape and a fixed call path.
struct Bug {
    service: String,
    lang: &'static str,
    ty: String,
    message: String,
    frames: Vec<(String, String, u32)>,
}

fn make_bugs(n: usize, rng: &mut Rng) -> Vec<Bug> {
    (0..n)
        .map(|i| {
            let lang = LANGS[i % LANGS.len()];
            let service = format!("svc-{:02}", i % 40);
            let depth = 8 + rng.below(33) as usize;
            let frames = (0..depth)
                .map(|d| {
                    let module = format!("app.module{}.part{}", i % 97, d % 13);
                    (
                        module,
                        format!("handler_{i}_{d}"),
                        10 + rng.below(400) as u32,
                    )
                })
                .collect();
            Bug {
                service,
                lang,
                ty: match lang {
                    "python" => format!("ValueError{}", i % 7),
                    "java" => format!("com.acme.errors.Failure{}Exception", i % 11),
                    "go" => "runtime.Error".to_string(),
                    "node" => "TypeError".to_string(),
                    "dotnet" => format!("System.InvalidOperationException{}", i % 5),
                    _ => format!("ActiveRecord::RecordInvalid{}", i % 3),
                },
                message: format!("failed to process order {{}} for user {{}} in step {}", i),
                frames,
            }
        })
        .collect()
}

fn stack(bug: &Bug, line_shift: u32) -> String {
    let mut s = String::with_capacity(4096);
    match bug.lang {
        "python" => {
            s.push_str("Traceback (most recent call last):\n");
            for (m, f, l) in bug.frames.iter().rev() {
                let _ = writeln!(
                    s,
                    "  File \"/srv/{}.py\", line {}, in {f}\n    result = {f}(request, context)",
                    m.replace('.', "/"),
                    l + line_shift
                );
            }
            let _ = writeln!(s, "{}: {}", bug.ty, bug.message);
        }
        "java" | "dotnet" => {
            let _ = writeln!(s, "{}: {}", bug.ty, bug.message);
            for (m, f, l) in &bug.frames {
                let _ = writeln!(s, "\tat {m}.{f}({}.java:{})", f, l + line_shift);
            }
        }
        "go" => {
            let _ = writeln!(s, "panic: {}\n\ngoroutine 1 [running]:", bug.message);
            for (m, f, l) in &bug.frames {
                let _ = writeln!(
                    s,
                    "{}.{f}(0xc000010000, 0x{:x})\n\t/src/{}.go:{} +0x{:x}",
                    m,
                    l,
                    m.replace('.', "/"),
                    l + line_shift,
                    l * 3
                );
            }
        }
        "node" => {
            let _ = writeln!(s, "{}: {}", bug.ty, bug.message);
            for (m, f, l) in &bug.frames {
                let _ = writeln!(
                    s,
                    "    at {f} (/srv/app/{}.js:{}:{})",
                    m.replace('.', "/"),
                    l + line_shift,
                    l % 80
                );
            }
        }
        _ => {
            for (i, (m, f, l)) in bug.frames.iter().enumerate() {
                let sep = if i == 0 { "" } else { "\tfrom " };
                let _ = writeln!(
                    s,
                    "{sep}/srv/{}.rb:{}:in `{f}'",
                    m.replace('.', "/"),
                    l + line_shift
                );
            }
        }
    }
    s
}

/// The attributes an instrumented HTTP handler with a database call records (url, user agent,
/// peer, SQL): the bulk of a real span besides the stack, bringing an event to about 4 KB.
fn span_attributes(rng: &mut Rng, service: &str) -> String {
    let attr = |k: &str, v: String| {
        format!(
            "{{\"key\":\"{k}\",\"value\":{{\"stringValue\":{}}}}}",
            esc(&v)
        )
    };
    let order = rng.below(10_000_000);
    [
        attr("http.url", format!("https://{service}.internal.example.com:8443/api/v2/orders/ORD-{order}/items?expand=pricing,inventory&currency=EUR&trace=1")),
        attr("http.user_agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 checkout-web/4.12.0".to_string()),
        attr("net.peer.name", format!("ip-10-0-{}-{}.eu-west-1.compute.internal", rng.below(255), rng.below(255))),
        attr("db.system", "postgresql".to_string()),
        attr("db.statement", format!("SELECT o.id, o.customer_id, o.status, o.created_at, i.sku, i.quantity, i.unit_price, p.list_price, p.currency, c.segment, c.country FROM orders o JOIN order_items i ON i.order_id = o.id JOIN prices p ON p.sku = i.sku AND p.valid_from <= now() AND (p.valid_to IS NULL OR p.valid_to > now()) JOIN customers c ON c.id = o.customer_id WHERE o.id = {order} AND o.tenant_id = {} ORDER BY i.position LIMIT 500", rng.below(100))),
        attr("enduser.id", format!("user{}", rng.below(100_000))),
        attr("thread.name", format!("http-nio-8443-exec-{}", rng.below(200))),
        attr("code.namespace", format!("com.acme.{service}.api.OrdersController")),
    ]
    .join(",")
}

fn esc(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Write `events` exception events as OTLP/JSON Lines, 10 spans per line. Returns bytes written.
fn generate(path: &Path, events: usize) -> u64 {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let bugs = make_bugs(2000, &mut rng);
    // Zipf(s=1.1) over bugs via a cumulative table.
    let weights: Vec<f64> = (1..=bugs.len())
        .map(|r| 1.0 / (r as f64).powf(1.1))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut cdf = Vec::with_capacity(weights.len());
    let mut acc = 0.0;
    for w in &weights {
        acc += w / total;
        cdf.push(acc);
    }
    let file = std::fs::File::create(path).unwrap();
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let t0: u64 = 1_795_600_800_000_000_000;
    let mut written = 0u64;
    let mut n = 0usize;
    while n < events {
        let per_line = 10.min(events - n);
        let u = (rng.below(1_000_000) as f64) / 1_000_000.0;
        let first = cdf.partition_point(|c| *c < u).min(bugs.len() - 1);
        let service = &bugs[first].service;
        let mut line = format!(
            "{{\"resourceSpans\":[{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"{service}\"}}}},{{\"key\":\"service.version\",\"value\":{{\"stringValue\":\"1.{}.0\"}}}},{{\"key\":\"host.name\",\"value\":{{\"stringValue\":\"ip-10-0-{}-{}\"}}}}]}},\"scopeSpans\":[{{\"spans\":[",
            rng.below(9), rng.below(255), rng.below(255)
        );
        for k in 0..per_line {
            let u = (rng.below(1_000_000) as f64) / 1_000_000.0;
            // A line is one service's batch: move the drawn bug to this service's bugs.
            let drawn = cdf.partition_point(|c| *c < u).min(bugs.len() - 1);
            let same_service = (drawn / 40) * 40 + first % 40;
            let b = &bugs[if same_service < bugs.len() {
                same_service
            } else {
                first
            }];
            let msg = b
                .message
                .replacen("{}", &format!("ORD-{}", rng.below(10_000_000)), 1)
                .replacen("{}", &format!("user{}", rng.below(100_000)), 1);
            let t = t0 + (n as u64) * 1_000_000;
            if k > 0 {
                line.push(',');
            }
            let _ = write!(
                line,
                "{{\"traceId\":\"{:016x}{:016x}\",\"spanId\":\"{:016x}\",\"name\":\"POST /api/{}\",\"kind\":2,\"startTimeUnixNano\":\"{t}\",\"endTimeUnixNano\":\"{}\",\"status\":{{\"code\":2}},\"attributes\":[{{\"key\":\"http.request.method\",\"value\":{{\"stringValue\":\"POST\"}}}},{{\"key\":\"http.response.status_code\",\"value\":{{\"intValue\":\"500\"}}}},{}],\"events\":[{{\"name\":\"exception\",\"timeUnixNano\":\"{t}\",\"attributes\":[{{\"key\":\"exception.type\",\"value\":{{\"stringValue\":{}}}}},{{\"key\":\"exception.message\",\"value\":{{\"stringValue\":{}}}}},{{\"key\":\"exception.stacktrace\",\"value\":{{\"stringValue\":{}}}}}]}}]}}",
                rng.next(), rng.next(), rng.next(), b.service, t + 5_000_000,
                span_attributes(&mut rng, &b.service),
                esc(&b.ty), esc(&msg), esc(&stack(b, rng.below(3) as u32 * 7))
            );
            n += 1;
        }
        line.push_str("]}]}]}\n");
        out.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
    }
    out.flush().unwrap();
    written
}

/// User and system CPU seconds of a running process so far (Linux `/proc`, 100 ticks/s), so a
/// run on a shared machine can be judged by the work it did rather than by wall time alone.
fn cpu_secs(pid: u32) -> Option<(f64, f64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i)?.parse::<f64>().ok().map(|t| t / 100.0);
    Some((ticks(11)?, ticks(12)?))
}

/// Peak resident set (VmHWM) of a running process in bytes.
fn vm_hwm(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb * 1024)
}

/// The store a run writes: a fresh SQLite file, or (with `ROUNDS_BENCH_DATABASE_URL`) a fresh
/// PostgreSQL schema `bench_<events>` on that server.
enum Store<'a> {
    Sqlite,
    Postgres(&'a str),
}

/// Which corpus a run reads.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// This file's generator: ten events per line, 40 services, six languages.
    Default,
    /// `scripts/gen-bench-corpus.py`: issue 15's shape.
    Issue15,
}

fn run(events: usize, dir: &Path, shape: Shape) {
    run_on(events, dir, Store::Sqlite, shape);
    if let Ok(url) = std::env::var("ROUNDS_BENCH_DATABASE_URL") {
        run_on(events, dir, Store::Postgres(&url), shape);
    }
}

/// Seconds CPython's `json.loads` takes over every line of `corpus` (`None` without python3).
fn python_json_loads(corpus: &Path) -> Option<f64> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, time\n\
             t = time.perf_counter()\n\
             for line in open(sys.argv[1], 'rb'):\n    json.loads(line)\n\
             print(time.perf_counter() - t)",
            corpus.to_str().unwrap(),
        ])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// Write the corpus of `shape`; its size in bytes.
fn generate_shape(path: &Path, events: usize, shape: Shape) -> u64 {
    match shape {
        Shape::Default => generate(path, events),
        Shape::Issue15 => {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-bench-corpus.py");
            let status = Command::new("python3")
                .arg(script)
                .arg(events.to_string())
                .arg(path)
                .status()
                .expect("python3 runs scripts/gen-bench-corpus.py");
            assert!(status.success(), "gen-bench-corpus.py failed");
            std::fs::metadata(path).unwrap().len()
        }
    }
}

fn run_on(events: usize, dir: &Path, store: Store<'_>, shape: Shape) {
    let name = match shape {
        Shape::Default => format!("corpus-{events}.jsonl"),
        Shape::Issue15 => format!("corpus-issue15-{events}.jsonl"),
    };
    let corpus = dir.join(name);
    let bytes = if corpus.exists() {
        std::fs::metadata(&corpus).unwrap().len()
    } else {
        let t = Instant::now();
        let b = generate_shape(&corpus, events, shape);
        eprintln!(
            "generated {} ({:.1} MB) in {:.1}s",
            corpus.display(),
            b as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        b
    };
    let db = dir.join(format!("bench-{events}.db"));
    for ext in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rounds"));
    let label = match store {
        Store::Sqlite => "sqlite",
        Store::Postgres(url) => {
            let schema = format!("bench_{events}");
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .unwrap();
            cmd.env("STORE_BACKEND", "postgresql")
                .env("DATABASE_URL", url)
                .env("STORE_PG_SCHEMA", schema);
            "postgresql"
        }
    };
    let started = Instant::now();
    let mut child = cmd
        .args([
            "-q",
            "--db",
            db.to_str().unwrap(),
            "poll",
            "--notify",
            "none",
            "--input",
            corpus.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    let mut cpu = (0.0, 0.0);
    let status = loop {
        if let Some(h) = vm_hwm(pid) {
            peak = peak.max(h);
        }
        if let Some(c) = cpu_secs(pid) {
            cpu = c;
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = started.elapsed().as_secs_f64();
    assert!(status.success(), "rounds poll failed");
    println!(
        "{label:>10} {events:>8} events  {:>7.1} MB  {:>6.2} s  {:>8.0} events/s  {:>6.1} MB/s  peak RSS {:>6.1} MB  \
         CPU {:.2} s user {:.2} s sys (to the last sample)",
        bytes as f64 / 1e6,
        secs,
        events as f64 / secs,
        bytes as f64 / 1e6 / secs,
        peak as f64 / 1e6,
        cpu.0,
        cpu.1
    );
    match python_json_loads(&corpus) {
        Some(py) => println!(
            "{:>10} python3 json.loads of the same file: {py:.2} s; the pass took {:.2}x that",
            "",
            secs / py
        ),
        None => println!("{:>10} python3 not found: no json.loads ratio", ""),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shape = if args.iter().any(|a| a == "--issue15") {
        Shape::Issue15
    } else {
        Shape::Default
    };
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![100_000, 1_000_000]
    } else {
        sizes
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    for n in sizes {
        run(n, &dir, shape);
    }
}
