//! The otlp_file telemetry adapter: OTLP/JSON documents or JSON Lines (as the OpenTelemetry
//! Collector file exporter writes them) from a file, a directory of files, or stdin; gzip too.
//!
//! Input is parsed as a stream, one line (one document) at a time, so memory does not grow with
//! the input; the poll window does not apply (a file has no time cursor). Each file is read from
//! its checkpoint (`checkpoint`), and an unreadable record is skipped and counted (`reader`).

mod checkpoint;
mod reader;

use crate::core::ports::telemetry::EventSink;
use crate::core::ports::{
    FetchReport, PollWindow, Quarantine, SourceCheck, TelemetryError, TelemetrySource,
};
use checkpoint::{Checkpoints, FileId, HEAD_BYTES};
use flate2::read::MultiGzDecoder;
use reader::{read_stream, ReadOptions};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
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
    strict: bool,
    checkpoints: Checkpoints,
    limits: ReadLimits,
}

impl OtlpFileSource {
    pub fn new(input: Input) -> Self {
        OtlpFileSource {
            input,
            progress: None,
            strict: false,
            checkpoints: Checkpoints::default(),
            limits: ReadLimits::default(),
        }
    }

    pub fn with_limits(mut self, limits: ReadLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Fail on the first unreadable record (exit 65) instead of skipping it.
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
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

/// Open a file for reading from `offset`: its identity now, and whether it is gzip.
fn open_at(path: &Path) -> Result<(File, FileId, bool), TelemetryError> {
    let name = path.display().to_string();
    let io = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => TelemetryError::NotFound {
            path: name.clone(),
            detail: "no such file".into(),
        },
        _ => TelemetryError::Io {
            path: name.clone(),
            source: e,
        },
    };
    let mut f = File::open(path).map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    let mut head = vec![0u8; HEAD_BYTES.min(usize::try_from(meta.len()).unwrap_or(HEAD_BYTES))];
    let n = read_fully(&mut f, &mut head).map_err(io)?;
    head.truncate(n);
    let gz = head.starts_with(&[0x1f, 0x8b]);
    let (dev, ino) = identity(&meta);
    Ok((
        f,
        FileId {
            dev,
            ino,
            size: meta.len(),
            head,
        },
        gz,
    ))
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

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Without inodes a file is known by its first bytes alone.
#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
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

/// What reading one file did.
struct FileRead {
    offset: u64,
    lines: u64,
    partial_tail: bool,
}

impl OtlpFileSource {
    /// Read `path` from where the checkpoints say, into `sink`.
    fn read_file(
        &mut self,
        path: &Path,
        sink: &mut EventSink<'_>,
        quarantine: &mut Quarantine,
        notes: &mut Vec<String>,
        done: u64,
        total: u64,
    ) -> Result<(FileId, FileRead), TelemetryError> {
        let name = path.display().to_string();
        let (mut file, id, gz) = open_at(path)?;
        let resume = self.checkpoints.resume(&name, &id);
        notes.extend(resume.note.clone());
        if gz && resume.offset == id.size && id.size > 0 {
            // A compressed file is read whole once; it does not grow in place.
            return Ok((
                id,
                FileRead {
                    offset: resume.offset,
                    lines: resume.lines,
                    partial_tail: false,
                },
            ));
        }
        let (start, first_line) = if gz {
            (0, 0)
        } else {
            (resume.offset, resume.lines)
        };
        file.seek(SeekFrom::Start(start))
            .map_err(|e| TelemetryError::Io {
                path: name.clone(),
                source: e,
            })?;
        let counted = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let raw = CountedShared {
            inner: file,
            count: counted.clone(),
        };
        let reader: Box<dyn Read> = if gz {
            Box::new(GzipGuard {
                inner: MultiGzDecoder::new(raw),
                compressed: counted.clone(),
                inflated: 0,
                limits: self.limits,
            })
        } else {
            Box::new(raw)
        };
        let mut buffered = BufReader::with_capacity(256 * 1024, reader);
        let opts = ReadOptions {
            strict: self.strict,
            growing: !gz,
            at_start: start == 0,
            record_bytes: self.limits.record_bytes,
        };
        let size = id.size.saturating_sub(start);
        let progress = &mut self.progress;
        let end = read_stream(
            &name,
            &mut buffered,
            first_line,
            opts,
            sink,
            quarantine,
            &mut || {
                if let Some(p) = progress.as_mut() {
                    // For .gz the count is of compressed bytes read, against the compressed size.
                    p(done + counted.get().min(size), Some(total));
                }
            },
        )?;
        if end.partial_tail {
            notes.push(format!(
                "{name}: its last line is still being written; the next pass reads it"
            ));
        }
        let read = if gz {
            FileRead {
                offset: id.size,
                lines: end.lines,
                partial_tail: false,
            }
        } else {
            FileRead {
                offset: start + end.consumed,
                lines: first_line + end.lines,
                partial_tail: end.partial_tail,
            }
        };
        Ok((id, read))
    }

    /// A single input file renamed away by rotation since the last pass: its unread tail is
    /// found by inode in the same directory and read before the new file.
    fn rotated_away(&self, input: &Path) -> Vec<PathBuf> {
        let Some(dir) = input.parent() else {
            return Vec::new();
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let missing = self.checkpoints.missing();
        if missing.is_empty() {
            return Vec::new();
        }
        let mut found = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return found;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.file_name() == input.file_name() || !is_otlp_name(&p) {
                continue;
            }
            let Ok(meta) = std::fs::metadata(&p) else {
                continue;
            };
            let (dev, ino) = identity(&meta);
            if missing
                .iter()
                .any(|c| c.dev == dev && c.ino == ino && (dev, ino) != (0, 0))
            {
                found.push(p);
            }
        }
        found.sort();
        found
    }
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

    fn positions_key(&self) -> Option<String> {
        match &self.input {
            Input::Stdin => None,
            Input::Path(_) => Some(format!("otlp_file.checkpoints:{}", self.cursor_scope())),
        }
    }

    fn restore_positions(&mut self, saved: Option<&str>) -> Result<(), TelemetryError> {
        self.checkpoints = Checkpoints::load(saved);
        Ok(())
    }

    fn fetch(
        &mut self,
        _window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let mut report = FetchReport {
            window_ignored: true,
            ..FetchReport::default()
        };
        let Input::Path(input) = self.input.clone() else {
            let stdin = io::stdin();
            let mut lock = stdin.lock();
            let opts = ReadOptions {
                strict: self.strict,
                growing: false,
                at_start: true,
                record_bytes: self.limits.record_bytes,
            };
            read_stream(
                "<stdin>",
                &mut lock,
                0,
                opts,
                sink,
                &mut report.quarantine,
                &mut || {},
            )?;
            return Ok(report);
        };
        let mut files = self.files()?;
        let single = files.len() == 1 && files[0] == input;
        if single {
            // Rotated-away tails first: they hold the older events.
            let mut rotated = self.rotated_away(&input);
            rotated.append(&mut files);
            files = rotated;
        }
        let mut sizes = Vec::with_capacity(files.len());
        for f in &files {
            sizes.push(std::fs::metadata(f).map(|m| m.len()).unwrap_or(0));
        }
        let total: u64 = sizes.iter().sum();
        let mut done = 0u64;
        let mut quarantine = Quarantine::default();
        let mut notes = Vec::new();
        for (path, size) in files.iter().zip(&sizes) {
            let (id, read) =
                self.read_file(path, sink, &mut quarantine, &mut notes, done, total)?;
            let away = single && *path != input;
            // A rotated-away file read to its end is no input any more; one still being
            // finished by its writer is kept, so the next pass finds its tail.
            if !away || read.partial_tail {
                self.checkpoints
                    .keep(&path.display().to_string(), &id, read.offset, read.lines);
            }
            done += size;
            if let Some(p) = self.progress.as_mut() {
                p(done, Some(total));
            }
        }
        report.notes = notes;
        report.quarantine = quarantine;
        report.positions = Some(self.checkpoints.save());
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
