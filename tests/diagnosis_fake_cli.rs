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
