//! `rounds status`: which database and configuration this rounds uses, and how the last pass
//! went — one screen, read-only (or `--json`). Configuration problems are listed, not fatal,
//! so one run shows all of them.

use crate::app::llm::LlmSettings;
use crate::app::settings::{self, Global};
use crate::app::wiring;
use crate::app::wiring::AnyStore;
use crate::cli::{StatusArgs, TelemetryBackend};
use crate::core::ports::store::prelude::*;
use crate::core::time::{ago, day_start, rfc3339};
use crate::exit::{AppError, Exit};
use crate::output::{json, Printer};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// A configuration problem: what, and the exit code the command that trips on it would use.
struct Problem {
    text: String,
    exit: Exit,
}

pub fn run(g: &Global, args: &StatusArgs, printer: &mut Printer) -> Result<Exit, AppError> {
    let now = settings::clock()?.now();
    let mut problems: Vec<Problem> = Vec::new();

    // The database, read-only: a missing one is a problem to show, not a file to create.
    let store = match wiring::open_store_read(g) {
        Ok(s) => Some(s),
        Err(e) => {
            note(&mut problems, e);
            None
        }
    };
    let db = match &store {
        Some(s) => match database(s, g, now) {
            Ok(v) => v,
            Err(e) => {
                note(&mut problems, e);
                json!({"path": wiring::store_location(g), "exists": true})
            }
        },
        None => json!({
            "path": wiring::store_location(g),
            "exists": g.postgres.is_some() || g.db.exists(),
        }),
    };

    let telemetry = telemetry(args);
    if let Some(p) = telemetry["problem"].as_str() {
        note(&mut problems, AppError::Config(p.to_string()));
    }

    // An unknown name is the notifiers' problem below; the known ones are listed.
    let channels: Vec<&str> = args
        .notify
        .channels
        .iter()
        .filter_map(|c| crate::cli::Channel::parse(c).ok().flatten())
        .map(crate::cli::Channel::name)
        .collect();
    let notify_problem = wiring::notifiers(&args.notify, false).err();
    let notify = json!({
        "channels": channels,
        "markdown_dir": args.notify.markdown_dir.as_ref().map(|d| d.display().to_string()),
        "github_repository": args.notify.github_repository,
        "problem": notify_problem.as_ref().map(|e| e.to_string()),
    });
    if let Some(e) = notify_problem {
        note(&mut problems, e);
    }

    let spent_today = match &store {
        Some(s) => s.spend_between(day_start(now), now + 1).ok(),
        None => None,
    };
    let diagnosis = match LlmSettings::resolve(&args.llm, None) {
        Ok(None) => json!({"backend": null}),
        Ok(Some(l)) => json!({
            "backend": l.backend.name(),
            "model": l.model,
            "codebase": l.codebase.as_ref().map(|c| c.display().to_string()),
            "daily_budget_usd": l.limits.daily_usd,
            "spent_today_usd": spent_today,
            "budget_left_usd": spent_today.map(|s| (l.limits.daily_usd - s).max(0.0)),
            "max_per_pass": l.max_per_pass,
        }),
        Err(e) => {
            let v = json!({"backend": args.llm.diagnosis_backend, "problem": e.to_string()});
            note(&mut problems, e);
            v
        }
    };

    let doc = json!({
        "version": json::JSON_VERSION,
        "now": rfc3339(now),
        "database": db,
        "telemetry": telemetry,
        "notify": notify,
        "diagnosis": diagnosis,
        "problems": problems.iter().map(|p| p.text.clone()).collect::<Vec<_>>(),
    });
    let text = if args.json {
        json::text(&doc)
    } else {
        screen(&doc, now)
    };
    printer.data(&text).map_err(|e| AppError::WriteFile {
        path: "<stdout>".into(),
        reason: e.to_string(),
    })?;
    // The worst problem decides the exit, as the command that trips on it would.
    Ok(problems.iter().fold(Exit::Ok, |acc, p| acc.worst(p.exit)))
}

fn note(problems: &mut Vec<Problem>, e: AppError) {
    problems.push(Problem {
        text: e.to_string(),
        exit: e.exit(),
    });
}

fn database(s: &AnyStore, g: &Global, now: i64) -> Result<Value, AppError> {
    let counts = s.status_counts()?;
    let last = s.last_pass()?;
    let bytes = match s {
        AnyStore::Sqlite(_) => std::fs::metadata(&g.db).map(|m| m.len()).ok(),
        AnyStore::Postgres(_) => None,
    };
    Ok(json!({
        "path": wiring::store_location(g),
        "backend": if g.postgres.is_some() { "postgresql" } else { "sqlite" },
        "instance": g.postgres.as_ref().map(|p| p.instance.clone()),
        "exists": true,
        "bytes": bytes,
        "schema_version": s.schema_version()?,
        "schema_version_known": s.known_schema_version(),
        "signatures": counts.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "passes": s.pass_count()?,
        "last_pass": last.map(|p| json!({
            "started_at": rfc3339(p.started_at),
            "finished_at": rfc3339(p.finished_at),
            "ago": ago(now, p.finished_at),
            "source": p.source,
            "events_read": p.events_read,
            "duplicates": p.duplicates,
            "new": p.new,
            "recurring": p.recurring,
            "regressed": p.regressed,
            "skipped": p.skipped,
            "quarantined": p.quarantined,
            // Passes that fail are not recorded: a recorded pass finished; it is partial when
            // it skipped unreadable records (exit 3).
            "result": if p.quarantined > 0 { "partial" } else { "ok" },
        })),
    }))
}

/// The telemetry source as configured (flags or variables), without contacting it.
fn telemetry(args: &StatusArgs) -> Value {
    let backend = match (&args.input, args.backend) {
        (Some(_), None) | (_, Some(TelemetryBackend::OtlpFile)) => Some(TelemetryBackend::OtlpFile),
        (_, b) => b,
    };
    let s = &args.source;
    let (url, var) = match backend {
        None => (None, ""),
        Some(TelemetryBackend::OtlpFile) => (args.input.clone(), "ROUNDS_INPUT"),
        Some(TelemetryBackend::Jaeger) => (s.jaeger.url.clone(), "JAEGER_API_URL"),
        Some(TelemetryBackend::Tempo) | Some(TelemetryBackend::GrafanaStack) => {
            (s.tempo.url.clone(), "TEMPO_API_URL")
        }
        Some(TelemetryBackend::Loki) => (s.loki.url.clone(), "LOKI_API_URL"),
        Some(TelemetryBackend::Signoz) => (s.signoz.url.clone(), "SIGNOZ_API_URL"),
    };
    let url = url.filter(|u| !u.trim().is_empty());
    let problem = match (backend, &url) {
        (None, _) => Some(
            "no telemetry source: give --input FILE (OTLP/JSON) or set TELEMETRY_BACKEND"
                .to_string(),
        ),
        (Some(b), None) => Some(format!(
            "TELEMETRY_BACKEND={} needs {var}",
            wiring::backend_name(b)
        )),
        _ => None,
    };
    json!({
        "backend": backend.map(wiring::backend_name),
        "url": url.map(|u| strip_credentials(&u)),
        "services": s.services,
        "problem": problem,
    })
}

/// `http://user:pass@host/` shown as `http://***@host/`: status output is pasted into tickets.
fn strip_credentials(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme && !url[scheme + 3..at].contains('/') => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

fn screen(d: &Value, now: i64) -> String {
    let _ = now;
    let mut o = String::new();
    let str_or = |v: &Value, dflt: &str| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| dflt.to_string())
    };
    let db = &d["database"];
    let path = str_or(&db["path"], "?");
    if db["schema_version"].is_i64() {
        let _ = writeln!(
            o,
            "database   {path} (schema {} of {}{})",
            db["schema_version"],
            db["schema_version_known"],
            db["bytes"]
                .as_u64()
                .map(|b| format!(", {}", size(b)))
                .unwrap_or_default()
        );
        let counts = db["signatures"].as_object().cloned().unwrap_or_default();
        let total: u64 = counts.values().filter_map(Value::as_u64).sum();
        let unresolved: u64 = ["new", "regressed", "investigating", "diagnosed"]
            .iter()
            .filter_map(|k| counts.get(*k).and_then(Value::as_u64))
            .sum();
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
        let _ = writeln!(
            o,
            "signatures {total} ({unresolved} unresolved{}{})",
            if parts.is_empty() { "" } else { ": " },
            parts.join(", ")
        );
        match db["last_pass"].as_object() {
            Some(p) => {
                let n = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(0);
                let _ = writeln!(
                    o,
                    "last pass  {} ({} ago, {} passes in all): {}, {} events read, {} new, {} recurring, {} regressed, {} duplicates, {} quarantined",
                    str_or(&p["finished_at"], "?"),
                    str_or(&p["ago"], "?"),
                    db["passes"],
                    str_or(&p["result"], "?"),
                    n("events_read"),
                    n("new"),
                    n("recurring"),
                    n("regressed"),
                    n("duplicates"),
                    n("quarantined"),
                );
                let _ = writeln!(o, "           source {}", str_or(&p["source"], "?"));
            }
            None => {
                let _ = writeln!(o, "last pass  none yet");
            }
        }
    } else if db["exists"] == json!(false) {
        let _ = writeln!(o, "database   {path} (missing: `rounds poll` creates it)");
    } else {
        let _ = writeln!(o, "database   {path} (unreadable)");
    }
    let t = &d["telemetry"];
    let _ = writeln!(
        o,
        "telemetry  {}{}{}",
        str_or(&t["backend"], "none"),
        t["url"]
            .as_str()
            .map(|u| format!(" {u}"))
            .unwrap_or_default(),
        t["services"]
            .as_str()
            .map(|s| format!(" (services {s})"))
            .unwrap_or_default()
    );
    let n = &d["notify"];
    let channels: Vec<String> = n["channels"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut targets = Vec::new();
    if let Some(dir) = n["markdown_dir"].as_str() {
        targets.push(format!("markdown dir {dir}"));
    }
    if let Some(r) = n["github_repository"].as_str() {
        targets.push(format!("github {r}"));
    }
    let _ = writeln!(
        o,
        "notify     {}{}",
        if channels.is_empty() {
            "none".to_string()
        } else {
            channels.join(", ")
        },
        if targets.is_empty() {
            String::new()
        } else {
            format!(" ({})", targets.join(", "))
        }
    );
    let g = &d["diagnosis"];
    match g["backend"].as_str() {
        None => {
            let _ = writeln!(o, "diagnosis  none (DIAGNOSIS_BACKEND unset)");
        }
        Some(b) => {
            let budget = match (
                g["daily_budget_usd"].as_f64(),
                g["budget_left_usd"].as_f64(),
            ) {
                (Some(day), Some(left)) => format!(", ${left:.2} of ${day:.2} left today"),
                (Some(day), None) => format!(", ${day:.2} a day"),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "diagnosis  {b}{}{}{budget}",
                g["model"]
                    .as_str()
                    .map(|m| format!(" model {m}"))
                    .unwrap_or_default(),
                g["codebase"]
                    .as_str()
                    .map(|c| format!(", codebase {c}"))
                    .unwrap_or_default(),
            );
        }
    }
    if let Some(ps) = d["problems"].as_array().filter(|p| !p.is_empty()) {
        let _ = writeln!(o, "problems");
        for p in ps {
            let _ = writeln!(o, "  - {}", p.as_str().unwrap_or_default());
        }
    }
    o
}

fn size(b: u64) -> String {
    match b {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
