//! Generated OTLP/JSON inputs of a known size and a seeded random source, for the reliability
//! suite (`reliability_kill`, `reliability_concurrent`, `fuzz_parsers`). Used as
//! `crate::support::otlp_gen`.
#![allow(dead_code)]

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;

/// SplitMix64: small, seedable, good enough to pick kill points and mutate bytes.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// The seed for a run: `var` if set (to replay a failure), else the clock. The caller prints it.
pub fn seed(var: &str) -> u64 {
    if let Ok(s) = std::env::var(var) {
        return s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{var}={s}: not a u64"));
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

/// A count from the environment (`var`), else `default`.
pub fn count(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{var}={s}: not a count")),
        Err(_) => default,
    }
}

const SERVICES: [&str; 3] = ["checkout", "billing", "search"];
const TYPES: [&str; 3] = ["KeyError", "ValueError", "TimeoutError"];

/// One Collector-file-exporter line holding exactly one exception span event; `n` makes its
/// trace and span unique, and picks one of 9 signatures (3 services × 3 exception types).
pub fn span_line(n: u64) -> String {
    let service = SERVICES[(n % 3) as usize];
    let ty = TYPES[((n / 3) % 3) as usize];
    format!(
        concat!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},"#,
            r#""scopeSpans":[{{"scope":{{"name":"shop"}},"spans":[{{"traceId":"{trace:032x}","spanId":"{span:016x}","name":"GET /cart","#,
            r#""startTimeUnixNano":"1764072000000000000","endTimeUnixNano":"1764072000100000000","status":{{"code":2}},"#,
            r#""events":[{{"name":"exception","timeUnixNano":"1764072000050000000","attributes":["#,
            r#"{{"key":"exception.type","value":{{"stringValue":"{ty}"}}}},"#,
            r#"{{"key":"exception.message","value":{{"stringValue":"user {n} missing"}}}},"#,
            r#"{{"key":"exception.stacktrace","value":{{"stringValue":"Traceback (most recent call last):\n  File \"/app/{service}/cart.py\", line {line}, in get\n    return users[uid]\n{ty}: user {n} missing"}}}}]}}]}}]}}]}}]}}"#
        ),
        service = service,
        trace = 0x5eed_0000_0000_u64 + n,
        span = 0xf00d_0000_u64 + n,
        ty = ty,
        n = n,
        line = 40 + (n % 3),
    )
}

/// One line holding exactly one error log record (severity ERROR, `exception.*` attributes),
/// on a trace of its own (so it never dedups with a span event).
pub fn log_line(n: u64) -> String {
    let service = SERVICES[(n % 3) as usize];
    format!(
        concat!(
            r#"{{"resourceLogs":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},"#,
            r#""scopeLogs":[{{"logRecords":[{{"timeUnixNano":"1764072000060000000","severityNumber":17,"#,
            r#""traceId":"{trace:032x}","spanId":"{span:016x}","body":{{"stringValue":"payment {n} declined"}},"#,
            r#""attributes":[{{"key":"exception.type","value":{{"stringValue":"PaymentDeclined"}}}},"#,
            r#"{{"key":"exception.message","value":{{"stringValue":"payment {n} declined"}}}}]}}]}}]}}]}}"#
        ),
        service = service,
        trace = 0x1095_0000_0000_u64 + n,
        span = 0xbeef_0000_u64 + n,
        n = n,
    )
}

/// Event `n` as one line: a span event, or for a quarter of the numbers a log record. The same
/// `n` is the same event in whichever file it is written.
pub fn event_line(n: u64) -> String {
    if (n / 100) % 4 == 3 {
        log_line(n)
    } else {
        span_line(n)
    }
}

/// A directory of OTLP/JSON files as a Collector leaves them: `files` files of `per_file`
/// one-event lines each (span events and log records, see [`event_line`]; the second file is
/// gzip). Event numbers start at `first`. Returns the number of error events written.
pub fn write_dir(dir: &Path, files: u64, per_file: u64, first: u64) -> u64 {
    std::fs::create_dir_all(dir).unwrap();
    let mut n = first;
    for f in 0..files {
        let mut body = String::with_capacity(per_file as usize * 900);
        for _ in 0..per_file {
            body.push_str(&event_line(n));
            body.push('\n');
            n += 1;
        }
        if f == 1 {
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(body.as_bytes()).unwrap();
            std::fs::write(dir.join(format!("otel-{f}.jsonl.gz")), gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(dir.join(format!("otel-{f}.jsonl")), body).unwrap();
        }
    }
    n - first
}

/// `PRAGMA integrity_check` of a database file ("ok" when sound).
pub fn integrity(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// Rows of the events ledger.
pub fn ledger_events(db: &Path) -> u64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64
}

/// Whether a process is running (a zombie has exited).
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !matches!(
            s.rsplit_once(')')
                .map(|(_, r)| r.trim_start().chars().next()),
            Some(Some('Z' | 'X'))
        ),
        Err(_) => false,
    }
}

/// Wait up to `within` for `pid` to be gone.
pub fn wait_gone(pid: i32, within: std::time::Duration) -> bool {
    let t = std::time::Instant::now();
    while t.elapsed() < within {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    !alive(pid)
}
