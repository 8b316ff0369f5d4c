//! The otlp_file telemetry adapter: OTLP/JSON documents or JSON Lines (as the OpenTelemetry
//! Collector file exporter writes them) from a file, a directory of files, or stdin; gzip too.
//!
//! Input is parsed as a stream, one line (one document) at a time, so memory does not grow with
//! the input; the poll window does not apply (a file has no time cursor).
//!
//! What one record may cost is capped before it is parsed (docs/limits.md): a line or a
//! pretty-printed document over `record_bytes` is refused as bad data naming file:line (its
//! bytes are skipped, never held), and a gzip file that inflates past `decompressed_bytes` or
//! by more than `gzip_ratio` is refused as a bomb.

use crate::adapters::telemetry::otlp::map::{document_to_events, Document, MapError};
use crate::core::ports::telemetry::EventSink;
use crate::core::ports::{FetchReport, PollWindow, SourceCheck, TelemetryError, TelemetrySource};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

const BACKEND: &str = "otlp_file";

/// Reports bytes consumed so far and the total when known (for a progress bar).
pub type ProgressHook = Box<dyn FnMut(u64, Option<u64>) + Send>;

/// Where the OTLP data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    pub fn parse(s: &str) -> Input {
        if s == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(s))
        }
    }
}

/// Caps on what reading may hold or inflate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// One JSON Lines line, or one whole pretty-printed document.
    pub record_bytes: u64,
    /// Decompressed bytes of one gzip file.
    pub decompressed_bytes: u64,
    /// Decompressed/compressed ratio of one gzip file, checked past [`RATIO_GRACE`] bytes.
    pub gzip_ratio: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            record_bytes: 32 * 1024 * 1024,
            decompressed_bytes: 16 * 1024 * 1024 * 1024,
            gzip_ratio: 200,
        }
    }
}

/// Inflated bytes a gzip file may produce before its ratio is judged: small files of repeated
/// text legitimately compress very well, and this much costs a fraction of a second.
pub const RATIO_GRACE: u64 = 64 * 1024 * 1024;

pub struct OtlpFileSource {
    input: Input,
    progress: Option<ProgressHook>,
    limits: ReadLimits,
}

impl OtlpFileSource {
    pub fn new(input: Input) -> Self {
        OtlpFileSource {
            input,
            progress: None,
            limits: ReadLimits::default(),
        }
    }

    pub fn with_limits(mut self, limits: ReadLimits) -> Self {
        self.limits = limits;
        self
    }

    pub fn with_progress(mut self, hook: ProgressHook) -> Self {
        self.progress = Some(hook);
        self
    }

    /// The files to read, in a stable order (a directory is walked recursively, sorted by path).
    fn files(&self) -> Result<Vec<PathBuf>, TelemetryError> {
        let Input::Path(path) = &self.input else {
            return Ok(vec![]);
        };
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => TelemetryError::NotFound {
                path: path.display().to_string(),
                detail: "no such file or directory".into(),
            },
            _ => TelemetryError::Io {
                path: path.display().to_string(),
                source: e,
            },
        })?;
        if !meta.is_dir() {
            return Ok(vec![path.clone()]);
        }
        let mut out = Vec::new();
        walk(path, &mut out)?;
        out.sort();
        Ok(out)
    }
}

fn is_otlp_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let name = name.strip_suffix(".gz").unwrap_or(name);
    !name.starts_with('.')
        && (name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".ndjson"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TelemetryError> {
    let io_err = |e| TelemetryError::Io {
        path: dir.display().to_string(),
        source: e,
    };
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_otlp_name(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn map_err(location: String, e: MapError) -> TelemetryError {
    match e {
        MapError::BadData(detail) => TelemetryError::BadData { location, detail },
        MapError::Sink(msg) => TelemetryError::Sink(msg),
    }
}

fn json_err(location: String, e: &serde_json::Error) -> TelemetryError {
    TelemetryError::BadData {
        location,
        detail: format!("not an OTLP/JSON document: {e}"),
    }
}

/// What reading one line gave.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    Eof,
    /// The line (with its newline, if any) is in the buffer.
    Complete,
    /// The line was longer than the cap: this many bytes were skipped, up to and including its
    /// newline; the buffer holds only its first `cap` bytes.
    Oversized(u64),
}

/// `read_until(b'\n')` that holds at most `cap` bytes: the rest of an oversized line is read
/// and dropped, so the stream is positioned at the next line and memory stays at `cap`.
fn read_line_capped(reader: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<Line> {
    let mut total: u64 = 0;
    loop {
        let (done, used) = {
            let available = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                (true, 0)
            } else {
                let (chunk, done) = match memchr_newline(available) {
                    Some(i) => (&available[..=i], true),
                    None => (available, false),
                };
                let room = cap.saturating_sub(buf.len());
                buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
                (done, chunk.len())
            }
        };
        reader.consume(used);
        total += used as u64;
        if done {
            return Ok(if total == 0 {
                Line::Eof
            } else if total > cap as u64 {
                Line::Oversized(total)
            } else {
                Line::Complete
            });
        }
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

fn too_large(location: String, size: u64, cap: u64) -> TelemetryError {
    TelemetryError::BadData {
        location,
        detail: format!(
            "record of {size} bytes is over the {cap}-byte cap (ROUNDS_MAX_RECORD_BYTES); not read"
        ),
    }
}

/// Map a read error: the gzip guard and a corrupt gzip stream are bad data, not I/O failures.
fn read_err(name: &str, e: io::Error) -> TelemetryError {
    if e.kind() == io::ErrorKind::InvalidData {
        TelemetryError::BadData {
            location: name.to_string(),
            detail: e.to_string(),
        }
    } else {
        TelemetryError::Io {
            path: name.to_string(),
            source: e,
        }
    }
}

/// Parse one stream (one file or stdin) into events.
fn read_stream(
    name: &str,
    reader: &mut dyn BufRead,
    sink: &mut EventSink<'_>,
    limits: &ReadLimits,
    mut tick: impl FnMut(),
) -> Result<(), TelemetryError> {
    let cap = usize::try_from(limits.record_bytes).unwrap_or(usize::MAX);
    let mut line = Vec::with_capacity(64 * 1024);
    let mut line_no = 0usize;
    loop {
        line.clear();
        // One huge line must not pin its buffer for the rest of the file.
        if line.capacity() > 4 * 1024 * 1024 {
            line.shrink_to(64 * 1024);
        }
        let read = read_line_capped(reader, &mut line, cap).map_err(|e| read_err(name, e))?;
        line_no += 1;
        match read {
            Line::Eof => return Ok(()),
            Line::Oversized(size) => {
                return Err(too_large(
                    format!("{name}:{line_no}"),
                    size,
                    limits.record_bytes,
                ))
            }
            Line::Complete => {}
        }
        let text = trim_ascii(&line);
        if text.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Document>(text) {
            Ok(doc) => {
                document_to_events(doc, sink)
                    .map_err(|e| map_err(format!("{name}:{line_no}"), e))?;
                tick();
            }
            Err(e) if e.is_eof() => {
                // Not JSON Lines: one document spread over several lines (pretty-printed),
                // held whole up to the same cap.
                let first_line = line_no;
                let mut whole = std::mem::take(&mut line);
                let room = limits.record_bytes.saturating_sub(whole.len() as u64);
                reader
                    .take(room.saturating_add(1))
                    .read_to_end(&mut whole)
                    .map_err(|e| read_err(name, e))?;
                if whole.len() as u64 > limits.record_bytes {
                    return Err(too_large(
                        format!("{name}:{first_line}"),
                        whole.len() as u64,
                        limits.record_bytes,
                    ));
                }
                let doc: Document = serde_json::from_slice(&whole).map_err(|e| {
                    json_err(
                        format!("{name}:{}", first_line + e.line().saturating_sub(1)),
                        &e,
                    )
                })?;
                drop(whole);
                document_to_events(doc, sink).map_err(|e| map_err(name.to_string(), e))?;
                tick();
                return Ok(());
            }
            Err(e) => return Err(json_err(format!("{name}:{line_no}"), &e)),
        }
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &b[start..end]
}

/// Open a file, transparently gunzipping it when it starts with the gzip magic bytes.
fn open(path: &Path, limits: &ReadLimits) -> Result<(Box<dyn Read>, u64), TelemetryError> {
    let name = path.display().to_string();
    let mut f = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => TelemetryError::NotFound {
            path: name.clone(),
            detail: "no such file".into(),
        },
        _ => TelemetryError::Io {
            path: name.clone(),
            source: e,
        },
    })?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut magic = [0u8; 2];
    let n = read_fully(&mut f, &mut magic).map_err(|e| TelemetryError::Io {
        path: name.clone(),
        source: e,
    })?;
    let head = io::Cursor::new(magic[..n].to_vec());
    if n == 2 && magic == [0x1f, 0x8b] {
        let compressed = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let counted = CountedShared {
            inner: head.chain(f),
            count: compressed.clone(),
        };
        Ok((
            Box::new(GzipGuard {
                inner: MultiGzDecoder::new(counted),
                compressed,
                inflated: 0,
                limits: *limits,
            }),
            size,
        ))
    } else {
        Ok((Box::new(head.chain(f)), size))
    }
}

/// Refuses a gzip stream that inflates past the caps (a bomb), as `InvalidData`.
struct GzipGuard<R> {
    inner: R,
    compressed: std::rc::Rc<std::cell::Cell<u64>>,
    inflated: u64,
    limits: ReadLimits,
}

impl<R: Read> Read for GzipGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.inflated += n as u64;
        if self.inflated > self.limits.decompressed_bytes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "gzip inflates past {} bytes (ROUNDS_MAX_DECOMPRESSED_BYTES); refused",
                    self.limits.decompressed_bytes
                ),
            ));
        }
        let compressed = self.compressed.get().max(1);
        if self.inflated > RATIO_GRACE && self.inflated / compressed > self.limits.gzip_ratio {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "gzip inflates {} bytes from {compressed}, more than {}x (ROUNDS_MAX_GZIP_RATIO): a decompression bomb; refused",
                    self.inflated, self.limits.gzip_ratio
                ),
            ));
        }
        Ok(n)
    }
}

fn read_fully(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

impl TelemetrySource for OtlpFileSource {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn cursor_scope(&self) -> String {
        match &self.input {
            Input::Stdin => format!("{BACKEND}:-"),
            Input::Path(p) => format!("{BACKEND}:{}", p.display()),
        }
    }

    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        let files = self.files()?;
        let endpoint = match &self.input {
            Input::Stdin => "stdin".to_string(),
            Input::Path(p) => p.display().to_string(),
        };
        for f in &files {
            File::open(f).map_err(|e| TelemetryError::Io {
                path: f.display().to_string(),
                source: e,
            })?;
        }
        Ok(SourceCheck {
            backend: BACKEND.into(),
            endpoint,
            services: vec![],
            notes: vec![format!("{} readable file(s)", files.len())],
        })
    }

    fn fetch(
        &mut self,
        _window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let report = FetchReport {
            window_ignored: true,
            ..FetchReport::default()
        };
        if self.input == Input::Stdin {
            let stdin = io::stdin();
            let mut lock = stdin.lock();
            read_stream("<stdin>", &mut lock, sink, &self.limits, || {})?;
            return Ok(report);
        }
        let files = self.files()?;
        let mut sizes = Vec::with_capacity(files.len());
        for f in &files {
            sizes.push(std::fs::metadata(f).map(|m| m.len()).unwrap_or(0));
        }
        let total: u64 = sizes.iter().sum();
        let mut done = 0u64;
        for path in &files {
            let (reader, size) = open(path, &self.limits)?;
            let name = path.display().to_string();
            // For .gz the count is of decompressed bytes against a compressed total: capped, so
            // the bar only runs ahead within one file.
            let counted = std::rc::Rc::new(std::cell::Cell::new(0u64));
            let mut buffered = BufReader::with_capacity(
                256 * 1024,
                CountedShared {
                    inner: reader,
                    count: counted.clone(),
                },
            );
            let progress = &mut self.progress;
            read_stream(&name, &mut buffered, sink, &self.limits, || {
                if let Some(p) = progress.as_mut() {
                    p(done + counted.get().min(size), Some(total));
                }
            })?;
            done += size;
            if let Some(p) = self.progress.as_mut() {
                p(done, Some(total));
            }
        }
        Ok(report)
    }
}

/// Counts bytes read through it, shared with the progress closure.
struct CountedShared<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for CountedShared<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}
