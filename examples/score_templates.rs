//! Group a Loghub CSV's messages into templates and print "LineId<TAB>group key", for
//! `scripts/ga.py` (see `scripts/score-templates.sh`).
//!
//! Usage: score_templates [--mask-only] [--similarity F] [--prefix N] [--max-children N]
//!                        [--max-clusters N] [--split-at N] [--summary]
//!                        [--perturb ip|reqid|timestamp|host|user] CSV...
//! Messages go through the miner in file order as one scope; each message then gets its
//! FINAL cluster's id, so late generalisation counts. `--split-at N` serializes the miner to
//! JSON and back after N messages (a pass boundary). `--summary` prints GA/FGA computed in Rust
//! instead of the per-line keys; `--bench` prints mask/miner throughput. `--perturb KIND`
//! prepends a variable token of that kind to every message (a different value per line, as an
//! access log's client address or a request id would be) without changing its true template.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // tests, benches and examples may panic and print

#[path = "../tests/support/loghub.rs"]
mod loghub;

use rounds::core::fingerprint::template::{mask, MinerConfig, TemplateMiner};
use std::process::ExitCode;
use std::time::Instant;

struct Args {
    mask_only: bool,
    summary: bool,
    bench: bool,
    show_templates: bool,
    split_at: Option<usize>,
    perturb: Option<String>,
    config: MinerConfig,
    files: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        mask_only: false,
        summary: false,
        bench: false,
        show_templates: false,
        split_at: None,
        perturb: None,
        config: MinerConfig::default(),
        files: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--mask-only" => a.mask_only = true,
            "--summary" => a.summary = true,
            "--bench" => a.bench = true,
            "--show-templates" => a.show_templates = true,
            "--similarity" => a.config.similarity = num(&val()?)?,
            "--prefix" => a.config.prefix_tokens = num(&val()?)?,
            "--route" => {
                a.config.route_on_constants = match val()?.as_str() {
                    "constants" => true,
                    "positions" => false,
                    other => return Err(format!("--route constants|positions, not {other:?}")),
                }
            }
            "--max-children" => a.config.max_children = num(&val()?)?,
            "--max-clusters" => a.config.max_clusters_per_scope = num(&val()?)?,
            "--settled-after" => a.config.settled_after = num(&val()?)?,
            "--max-align-tokens" => a.config.max_align_tokens = num(&val()?)?,
            "--split-at" => a.split_at = Some(num(&val()?)?),
            "--perturb" => a.perturb = Some(val()?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => a.files.push(arg),
        }
    }
    if a.files.is_empty() {
        return Err("usage: score_templates [options] CSV...".into());
    }
    Ok(a)
}

fn num<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("bad number {s:?}"))
}

/// A variable token of `kind` for line `i`: values spread like real ones (a splitmix hash of
/// the line), so neighbouring lines rarely share one.
fn variable_token(kind: &str, i: usize) -> Result<String, String> {
    let mut x = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    let b = |k: u32| (x >> (8 * k)) & 0xff;
    Ok(match kind {
        "ip" => format!("{}.{}.{}.{}", 1 + b(0) % 223, b(1), b(2), b(3)),
        "reqid" => format!("req-{:012x}", x & 0xffff_ffff_ffff),
        "timestamp" => format!(
            "2026-12-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            1 + b(0) % 28,
            b(1) % 24,
            b(2) % 60,
            b(3) % 60,
            x % 1000
        ),
        "host" => format!(
            "web-{}.{}",
            b(0) % 40,
            ["eu", "us", "ap"][(b(1) % 3) as usize]
        ),
        "user" => {
            let letters = b"abcdefghijklmnopqrstuvwxyz";
            (0..6)
                .map(|k| letters[(b(k) % 26) as usize] as char)
                .collect()
        }
        other => return Err(format!("unknown --perturb kind {other:?}")),
    })
}

/// The group key of every message.
fn group(args: &Args, rows: &[loghub::Row]) -> Result<Vec<String>, String> {
    if args.mask_only {
        return Ok(rows.iter().map(|r| mask(&r.content)).collect());
    }
    let mut miner = TemplateMiner::new(args.config.clone());
    let mut ids = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        if args.split_at == Some(i) {
            let json = serde_json::to_string(&miner).map_err(|e| e.to_string())?;
            miner = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        }
        let id = match &args.perturb {
            Some(kind) => {
                let message = format!("{} {}", variable_token(kind, i)?, r.content);
                miner.add("dataset", &message).cluster_id
            }
            None => miner.add("dataset", &r.content).cluster_id,
        };
        ids.push(id);
    }
    if args.show_templates {
        return Ok(ids
            .iter()
            .map(|id| {
                format!(
                    "{id} {}",
                    miner.template("dataset", *id).unwrap_or_default()
                )
            })
            .collect());
    }
    Ok(ids.iter().map(|id| id.to_string()).collect())
}

fn bench(rows: &[loghub::Row], config: &MinerConfig) {
    let msgs: Vec<&str> = rows.iter().map(|r| r.content.as_str()).collect();
    let rounds = 20;
    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..rounds {
        for m in &msgs {
            n += mask(m).len();
        }
    }
    let mask_rate = (rounds * msgs.len()) as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut miner = TemplateMiner::new(config.clone());
    for _ in 0..rounds {
        for m in &msgs {
            n += miner.add("s", m).template.len();
        }
    }
    let miner_rate = (rounds * msgs.len()) as f64 / t.elapsed().as_secs_f64();
    println!("mask {mask_rate:.0} msg/s  miner.add {miner_rate:.0} msg/s  ({n} bytes)");
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("score_templates: {e}");
            return ExitCode::from(2);
        }
    };
    let mut all = Vec::new();
    let mut gas = Vec::new();
    for file in &args.files {
        let rows = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| loghub::read_rows(&t))
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("score_templates: {file}: {e}");
                return ExitCode::from(65);
            }
        };
        let keys = match group(&args, &rows) {
            Ok(k) => k,
            Err(e) => {
                eprintln!("score_templates: {file}: {e}");
                return ExitCode::from(70);
            }
        };
        if args.summary {
            let truth: Vec<&str> = rows.iter().map(|r| r.template.as_str()).collect();
            let (ga, fga) = loghub::ga_fga(&truth, &keys);
            let name = file.rsplit('/').next().unwrap_or(file);
            let name = name.split('_').next().unwrap_or(name);
            println!("{name}\t{ga:.3}\t{fga:.3}");
            gas.push(ga);
        } else if !args.bench {
            for (r, k) in rows.iter().zip(&keys) {
                println!("{}\t{k}", r.line_id);
            }
        }
        all.extend(rows);
    }
    if gas.len() > 1 {
        let mean = gas.iter().sum::<f64>() / gas.len() as f64;
        let min = gas.iter().copied().fold(f64::INFINITY, f64::min);
        println!("mean\t{mean:.3}\tmin {min:.3}");
    }
    if args.bench {
        bench(&all, &args.config);
    }
    ExitCode::SUCCESS
}
