//! One OTLP/JSON stream (a file from its checkpoint, or stdin) into events: JSON Lines or one
//! pretty-printed document per file, with unreadable records quarantined instead of fatal.
//!
//! A record is one line (one document); in a pretty-printed file the whole document. A record
//! that is not OTLP/JSON (bad JSON, invalid UTF-8, a number out of range, a wrong type) is
//! skipped and counted, and the stream goes on; `strict` restores fail-fast. A last line without
//! its newline in a file that may still grow is not poison: it is left for the next pass.

use crate::adapters::telemetry::otlp::map::{
    document_into_events, Attributes, Document, MapError, Rejects,
};
use crate::core::ports::telemetry::EventSink;
use crate::core::ports::{Quarantine, TelemetryError};
use std::io::{self, BufRead, Cursor, Read};

/// How a stream is read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Stop at the first unreadable record (exit 65) instead of skipping it.
    pub strict: bool,
    /// The input may still be written (a file): an unterminated last line waits for the next pass.
    pub growing: bool,
    /// Whether the stream starts at the beginning of its input (a pretty-printed document can
    /// only start there; appended data is JSON Lines).
    pub at_start: bool,
    /// The most bytes one record (a line, or a whole pretty-printed document) may hold; a
    /// longer one is skipped as poison without being held (docs/limits.md).
    pub record_bytes: u64,
}

/// Where a stream stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamEnd {
    /// Bytes of the stream consumed: everything up to the end of the last complete record.
    pub consumed: u64,
    /// Lines consumed (for line numbers when the next pass resumes here).
    pub lines: u64,
    /// An unterminated last line was left unread for the next pass.
    pub partial_tail: bool,
}

/// Read `reader` (whose first line is line `first_line + 1` of input `name`) into `sink`.
pub fn read_stream(
    name: &str,
    reader: &mut dyn BufRead,
    first_line: u64,
    opts: ReadOptions,
    sink: &mut EventSink<'_>,
    quarantine: &mut Quarantine,
    tick: &mut dyn FnMut(),
) -> Result<StreamEnd, TelemetryError> {
    let cap = usize::try_from(opts.record_bytes).unwrap_or(usize::MAX);
    let mut line = Vec::with_capacity(64 * 1024);
    let mut end = StreamEnd::default();
    let mut seen_content = !opts.at_start;
    loop {
        line.clear();
        // One huge line must not pin its buffer for the rest of the file.
        if line.capacity() > 4 * 1024 * 1024 {
            line.shrink_to(64 * 1024);
        }
        let line_no = first_line + end.lines + 1;
        let (read, n) = match read_line_capped(reader, &mut line, cap) {
            Ok(r) => r,
            Err(e) => return unreadable(name, line_no, e, end, opts, quarantine),
        };
        let n = n as u64;
        match read {
            Line::Eof => return Ok(end),
            Line::Oversized(size) => {
                // Its bytes were skipped up to its newline: the next line is where to go on.
                poison(
                    name,
                    line_no,
                    &format!(
                        "record of {size} bytes is over the {}-byte cap (ROUNDS_MAX_RECORD_BYTES); not read",
                        opts.record_bytes
                    ),
                    opts,
                    quarantine,
                )?;
                end.consumed += n;
                end.lines += 1;
                continue;
            }
            Line::Complete => {}
        }
        let terminated = line.last() == Some(&b'\n');
        let text = trim_ascii(&line);
        if text.is_empty() {
            if terminated {
                end.consumed += n;
                end.lines += 1;
            }
            continue;
        }
        let first_content = !seen_content;
        seen_content = true;
        match serde_json::from_slice::<Document>(text) {
            Err(e) if e.is_eof() && !terminated && opts.growing => {
                // A writer is in the middle of this line (a prefix of JSON only ever fails
                // as "unexpected end"): the next pass reads it whole.
                end.partial_tail = true;
                return Ok(end);
            }
            Ok(doc) => {
                map_document(name, line_no, doc, opts, sink, quarantine)?;
                tick();
            }
            Err(e) if e.is_eof() && first_content && terminated => {
                // Not JSON Lines: one document spread over the whole file (pretty-printed).
                let mut whole = std::mem::take(&mut line);
                // Held whole, up to the same cap as a line.
                let room = opts.record_bytes.saturating_sub(whole.len() as u64);
                if let Err(e) = reader.take(room.saturating_add(1)).read_to_end(&mut whole) {
                    return unreadable(name, line_no, e, end, opts, quarantine);
                }
                if whole.len() as u64 > opts.record_bytes {
                    poison(
                        name,
                        line_no,
                        &format!(
                            "document of more than {} bytes is over the cap (ROUNDS_MAX_RECORD_BYTES); not read",
                            opts.record_bytes
                        ),
                        opts,
                        quarantine,
                    )?;
                    // The rest of the input is this one document: nothing after it to read.
                    let mut sink_rest = io::sink();
                    let rest = io::copy(reader, &mut sink_rest).unwrap_or(0);
                    end.consumed += whole.len() as u64 + rest;
                    return Ok(end);
                }
                return read_whole(name, line_no, whole, end, opts, sink, quarantine, tick);
            }
            Err(e) => poison(name, line_no, &why_json(&e, terminated), opts, quarantine)?,
        }
        end.consumed += n;
        if terminated {
            end.lines += 1;
        }
    }
}

/// A read error mid-stream: a gzip stream refused by its guard or corrupt is bad data (the
/// rest of that file is one skipped record); anything else is an I/O failure.
fn unreadable(
    name: &str,
    line_no: u64,
    e: io::Error,
    end: StreamEnd,
    opts: ReadOptions,
    quarantine: &mut Quarantine,
) -> Result<StreamEnd, TelemetryError> {
    if e.kind() == io::ErrorKind::InvalidData {
        poison(
            name,
            line_no,
            &format!("unreadable from here on: {e}"),
            opts,
            quarantine,
        )?;
        return Ok(end);
    }
    Err(TelemetryError::Io {
        path: name.to_string(),
        source: e,
    })
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
fn read_line_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<(Line, usize)> {
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
            let line = if total == 0 {
                Line::Eof
            } else if total > cap as u64 {
                Line::Oversized(total)
            } else {
                Line::Complete
            };
            return Ok((line, total as usize));
        }
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// A document (or several, concatenated) that starts at line `line_no` and runs to the end.
#[allow(clippy::too_many_arguments)]
fn read_whole(
    name: &str,
    line_no: u64,
    whole: Vec<u8>,
    mut end: StreamEnd,
    opts: ReadOptions,
    sink: &mut EventSink<'_>,
    quarantine: &mut Quarantine,
    tick: &mut dyn FnMut(),
) -> Result<StreamEnd, TelemetryError> {
    let mut docs = serde_json::Deserializer::from_slice(&whole).into_iter::<Document>();
    let mut parsed = 0u64;
    let mut failure = None;
    loop {
        let before = docs.byte_offset();
        let Some(doc) = docs.next() else { break };
        match doc {
            Ok(doc) => {
                let at = line_no + line_of(&whole, skip_ws(&whole, before));
                map_document(name, at, doc, opts, sink, quarantine)?;
                tick();
                parsed += 1;
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    match failure {
        None => {}
        Some(e)
            if parsed == 0
                && e.line() == 2
                && e.classify() == serde_json::error::Category::Syntax =>
        {
            // The first line was a JSON Lines record cut short (a crash mid-write) and the
            // next line starts a new one: quarantine that line and read the rest as lines.
            poison(
                name,
                line_no,
                "truncated JSON (the record ends before its closing brace)",
                opts,
                quarantine,
            )?;
            let cut = whole
                .iter()
                .position(|b| *b == b'\n')
                .map_or(whole.len(), |i| i + 1);
            end.consumed += cut as u64;
            end.lines += 1;
            let mut rest = Cursor::new(&whole[cut..]);
            let more = read_stream(
                name,
                &mut rest,
                line_no,
                ReadOptions {
                    at_start: false,
                    ..opts
                },
                sink,
                quarantine,
                tick,
            )?;
            end.consumed += more.consumed;
            end.lines += more.lines;
            end.partial_tail = more.partial_tail;
            return Ok(end);
        }
        Some(e) => {
            let at = line_no + e.line().saturating_sub(1) as u64;
            poison(name, at, &why_json(&e, true), opts, quarantine)?;
        }
    }
    // The rest of the input is one record (or unreadable): it is consumed either way.
    end.consumed += whole.len() as u64;
    end.lines += whole.iter().filter(|b| **b == b'\n').count() as u64;
    Ok(end)
}

/// The first non-whitespace byte at or after `from` (where the next document starts).
fn skip_ws(text: &[u8], from: usize) -> usize {
    text.iter()
        .skip(from)
        .position(|b| !b.is_ascii_whitespace())
        .map_or(text.len(), |i| from + i)
}

/// Zero-based line of byte `offset` in `text`.
fn line_of(text: &[u8], offset: usize) -> u64 {
    text[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
}

fn map_document(
    name: &str,
    line_no: u64,
    doc: Document,
    opts: ReadOptions,
    sink: &mut EventSink<'_>,
    quarantine: &mut Quarantine,
) -> Result<(), TelemetryError> {
    // Most events are counted and dropped: their span attributes are decoded only if kept.
    let rejects: Rejects =
        document_into_events(doc, Attributes::Deferred, sink).map_err(|e| match e {
            MapError::BadData(detail) => TelemetryError::BadData {
                location: format!("{name}:{line_no}"),
                detail,
            },
            MapError::Sink(msg) => TelemetryError::Sink(msg),
        })?;
    if rejects.count > 0 {
        let why = rejects.first.unwrap_or_default();
        if opts.strict {
            return Err(TelemetryError::BadData {
                location: format!("{name}:{line_no}"),
                detail: why,
            });
        }
        for _ in 0..rejects.count {
            quarantine.add(name, Some(line_no), &why);
        }
    }
    Ok(())
}

/// Skip one record (or fail, when strict).
fn poison(
    name: &str,
    line_no: u64,
    why: &str,
    opts: ReadOptions,
    quarantine: &mut Quarantine,
) -> Result<(), TelemetryError> {
    if opts.strict {
        return Err(TelemetryError::BadData {
            location: format!("{name}:{line_no}"),
            detail: format!("{why} (--strict)"),
        });
    }
    quarantine.add(name, Some(line_no), why);
    Ok(())
}

/// Why a record is not OTLP/JSON, without serde's line (ours is the right one) but with the column.
fn why_json(e: &serde_json::Error, terminated: bool) -> String {
    use serde_json::error::Category;
    let text = e.to_string();
    let detail = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(d, _)| d)
        .to_string();
    match e.classify() {
        Category::Eof if !terminated => {
            "truncated JSON: the last line ends without its newline and is incomplete".into()
        }
        Category::Eof => "truncated JSON (the record ends before its closing brace)".into(),
        Category::Syntax => format!("not JSON: {detail} (column {})", e.column()),
        Category::Data => format!(
            "not an OTLP/JSON document: {detail} (column {})",
            e.column()
        ),
        Category::Io => format!("unreadable: {detail}"),
    }
}

pub(super) fn trim_ascii(b: &[u8]) -> &[u8] {
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
