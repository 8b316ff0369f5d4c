//! Fake `claude` and `codex` binaries (shell scripts) for what the real ones cannot be made to
//! do on demand: be missing, crash, print garbage, print a captured result.

use rounds::adapters::diagnosis::claude_code::{ClaudeCode, ClaudeCodeConfig};
use rounds::adapters::diagnosis::codex::{Codex, CodexConfig};
use rounds::core::diagnose::prompt::{ANSWER_SCHEMA, SYSTEM_RULES};
use rounds::core::ports::diagnoser::{CallCost, Diagnoser, DiagnoserError, DiagnosisRequest};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn request() -> DiagnosisRequest {
    DiagnosisRequest {
        signature_id: "sig".into(),
        prompt: "prompt".into(),
        system: SYSTEM_RULES.into(),
        schema: ANSWER_SCHEMA.into(),
        budget_usd: 0.5,
    }
}

fn claude(dir: &Path, program: PathBuf) -> ClaudeCode {
    let mut c = ClaudeCodeConfig::new(dir);
    c.program = Some(program);
    ClaudeCode::new(c)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/llm")
            .join(name),
    )
    .unwrap()
}

#[test]
fn a_missing_binary_says_what_to_install() {
    let tmp = tempfile::tempdir().unwrap();
    let mut d = claude(tmp.path(), tmp.path().join("no-such-claude"));
    let err = d.diagnose(&request()).expect_err("missing");
    assert!(matches!(err, DiagnoserError::Missing { .. }), "{err}");
    assert!(
        err.to_string().contains("@anthropic-ai/claude-code"),
        "{err}"
    );
    let mut c = CodexConfig::new(tmp.path());
    c.program = Some(tmp.path().join("no-such-codex"));
    let err = Codex::new(c).diagnose(&request()).expect_err("missing");
    assert!(err.to_string().contains("@openai/codex"), "{err}");
}

#[test]
fn a_crashing_binary_is_a_failure_charged_its_worst_case() {
    let tmp = tempfile::tempdir().unwrap();
    let p = script(
        tmp.path(),
        "claude",
        "echo 'Segmentation fault' >&2; kill -SEGV $$",
    );
    let err = claude(tmp.path(), p)
        .diagnose(&request())
        .expect_err("crash");
    assert!(
        matches!(
            err,
            DiagnoserError::Failed {
                cost: CallCost::Killed,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("without a result"), "{err}");
}

#[test]
fn the_prompt_goes_on_stdin_and_flags_are_as_documented() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("argv");
    let stdin = tmp.path().join("stdin");
    let result = fixture("cap-claude-success.json").replace('\'', "'\\''");
    let p = script(
        tmp.path(),
        "claude",
        &format!(
            "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > {}; cat > {}; env > {}.env; printf '%s' '{result}'",
            log.display(),
            stdin.display(),
            log.display()
        ),
    );
    let a = claude(tmp.path(), p)
        .diagnose(&request())
        .expect("captured success parses");
    assert_eq!(a.cost, CallCost::Reported(0.0156));
    assert_eq!(a.model, "claude-sonnet-4-5-20250929");
    assert_eq!(std::fs::read_to_string(&stdin).unwrap(), "prompt");
    let argv = std::fs::read_to_string(&log).unwrap();
    for flag in [
        "-p",
        "--output-format",
        "--json-schema",
        "--max-budget-usd",
        "--max-turns",
        "--tools",
        "--permission-mode",
        "dontAsk",
        "--strict-mcp-config",
        "--setting-sources",
        "--disable-slash-commands",
        "--no-session-persistence",
    ] {
        assert!(
            argv.lines().any(|l| l == flag),
            "{flag} missing from {argv}"
        );
    }
    assert!(!argv.contains("--allowedTools") && !argv.lines().any(|l| l == "prompt"));
    let env = std::fs::read_to_string(format!("{}.env", log.display())).unwrap();
    assert!(env.contains("CLAUDE_CODE_MAX_RETRIES=2"));
    assert!(
        std::env::var("CARGO_MANIFEST_DIR").is_ok() && !env.contains("CARGO_MANIFEST_DIR"),
        "the child env is minimal"
    );
}

#[test]
fn captured_results_map_to_the_right_errors() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, kind) in [
        ("cap-claude-401.json", "auth"),
        ("cap-claude-429.json", "transient"),
        ("cap-claude-budget.json", "budget"),
        ("cap-claude-maxturns.json", "failed"),
        (
            "cap-claude-error_max_structured_output_retries.json",
            "schema",
        ),
        (
            "cap-claude-success-WITHOUT-structured_output.json",
            "schema",
        ),
    ] {
        let body = fixture(file).replace('\'', "'\\''");
        let p = script(
            tmp.path(),
            "claude",
            &format!("cat >/dev/null; printf '%s' '{body}'; exit 1"),
        );
        let err = claude(tmp.path(), p).diagnose(&request()).expect_err(file);
        assert_eq!(err.kind(), kind, "{file}: {err}");
        if file == "cap-claude-budget.json" {
            assert_eq!(
                err.cost(),
                CallCost::Reported(0.24),
                "cost from total_cost_usd, not usage"
            );
        }
    }
}

#[test]
fn captured_codex_streams_parse() {
    use rounds::adapters::diagnosis::codex::interpret;
    use rounds::core::diagnose::budget::PriceTable;
    let prices = PriceTable::new();
    let a = interpret(
        &fixture("cap-codex-events.jsonl"),
        "",
        "gpt-5.1-codex",
        &prices,
        10,
    )
    .expect("success");
    assert_eq!(a.tokens.input, 18_000);
    assert_eq!(a.tokens.cached_input, 6_000);
    let e = interpret(
        &fixture("cap-codex-turn-failed-401.jsonl"),
        "",
        "gpt-5.1-codex",
        &prices,
        10,
    )
    .expect_err("401");
    assert_eq!(e.kind(), "auth");
    let e = interpret(
        &fixture("cap-codex-turn-failed-429.jsonl"),
        "",
        "gpt-5.1-codex",
        &prices,
        10,
    )
    .expect_err("429");
    assert_eq!(e.kind(), "transient");
    let a = interpret(
        &fixture("cap-codex-sandbox.jsonl"),
        "",
        "unknown-model",
        &prices,
        10,
    )
    .expect("success");
    assert_eq!(a.cost, CallCost::Unknown);
    assert!(
        a.denials.iter().any(|d| d.contains("curl")),
        "{:?}",
        a.denials
    );
}

#[test]
fn garbage_output_is_a_failure_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let p = script(
        tmp.path(),
        "claude",
        "cat >/dev/null; echo 'Error: Input must be provided'; exit 1",
    );
    let err = claude(tmp.path(), p)
        .diagnose(&request())
        .expect_err("garbage");
    assert!(err.to_string().contains("Input must be provided"), "{err}");
}

/// The binary with a fake `claude` that counts its calls and answers with the captured result
/// (which reports `claude-sonnet-4-5-20250929`); no model pinned, as the seed configures it.
fn unpinned_env(tmp: &Path) -> (crate::support::harness::Env, PathBuf) {
    use crate::support::harness;
    let calls = tmp.join("calls");
    let result = fixture("cap-claude-success.json").replace('\'', "'\\''");
    let program = script(
        tmp,
        "claude",
        &format!(
            "cat > /dev/null; echo call >> {}; printf '%s' '{result}'",
            calls.display()
        ),
    );
    let code = tmp.join("code");
    std::fs::create_dir_all(&code).unwrap();
    let mut env = harness::Env::new();
    let r = env.run(&[
        "poll",
        "--input",
        &harness::repo("examples/otlp-errors.jsonl"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.set("DIAGNOSIS_BACKEND", "claude_code")
        .set("CLAUDE_CODE_PATH", &program.display().to_string())
        .set("CODEBASE_PATH", &code.display().to_string())
        .set("MAX_DIAGNOSES_PER_PASS", "1")
        .set("MIN_OCCURRENCES", "1");
    (env, calls)
}

fn calls_made(calls: &Path) -> usize {
    std::fs::read_to_string(calls).map_or(0, |s| s.lines().count())
}

/// `worst_case_usd` of the first signature a dry run would send.
fn dry_run_worst_case(env: &crate::support::harness::Env) -> f64 {
    let r = env.run(&["diagnose", "--dry-run", "--force", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["outcome"] == "dry_run")
        .and_then(|o| o["worst_case_usd"].as_f64())
        .unwrap_or_else(|| panic!("no priced dry run: {doc}"))
}

#[test]
fn an_unpinned_model_is_budgeted_as_the_dearest_default_then_as_the_model_claude_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut env, calls) = unpinned_env(tmp.path());
    // Nothing reported yet: priced as Opus 4.5, 0.5 cap + 1.80 for one call past it.
    assert!((dry_run_worst_case(&env) - 2.3).abs() < 1e-9);
    // A day of $1.70 cannot hold one such call: none is made (an unknown price used to let
    // MAX_DIAGNOSES_PER_PASS calls through whatever the budget).
    env.set("DAILY_BUDGET_LIMIT", "1.7");
    let r = env.run(&["diagnose", "--json"]);
    assert_eq!(calls_made(&calls), 0, "{}", r.stdout);
    assert!(r.stdout.contains("no call made"), "{}", r.stdout);
    assert!(r.stderr.contains("claude-opus-4-5"), "{}", r.stderr);
    // A roomier day: one call, which reports the model it used; the store keeps it.
    env.set("DAILY_BUDGET_LIMIT", "5");
    let r = env.run(&["diagnose", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(calls_made(&calls), 1);
    // From then on, calls are budgeted as Sonnet 4.5 (0.5 + 1.08), which the $1.70 day holds.
    assert!((dry_run_worst_case(&env) - 1.58).abs() < 1e-9);
    env.set("DAILY_BUDGET_LIMIT", "1.7");
    let r = env.run(&["diagnose", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(calls_made(&calls), 2, "{}", r.stdout);
    assert!(!r.stderr.contains("dearest"), "{}", r.stderr);
    let doc = r.json();
    let today = doc["spent_today_usd"].as_f64().unwrap();
    assert!((today - 2.0 * 0.0156).abs() < 1e-9, "{doc}");
}
