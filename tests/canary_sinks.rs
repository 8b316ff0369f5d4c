//! Planted canaries through every sink that leaves the machine: the LLM prompt, GitHub issues,
//! markdown notifications, reports and the stdout notifier. Each canary is a secret the
//! redactor must hide (or, for the escapes row, a control sequence the sanitiser must defuse);
//! the test prints the canary × sink matrix and fails on any cell that leaked.

use crate::support::fake_http;
use crate::support::harness;

use fake_http::{FakeServer, Response};
use harness::Env;
use serde_json::json;

/// (row, text planted, what must not appear in any sink).
const CANARIES: &[(&str, &str)] = &[
    ("boto JSON SecretAccessKey", "CANARYbotoSecret"),
    ("credential-named attribute", "CANARYattrValue"),
    ("?token= in a URL", "CANARYurlToken"),
    ("&access_token= in a URL", "CANARYaccessTok"),
    ("token glued to a word", "CANARYgluedTok"),
    ("card number (Luhn)", "4111 1111 1111 1111"),
    ("e-mail (REDACT_EMAILS=yes)", "canary.person@example.com"),
    ("REDACT_PATTERNS", "ACME-CANARY-991"),
    ("secret straddling the message cap", "CANARYstr"),
];

fn planted_input(env: &Env) -> std::path::PathBuf {
    let message =
        "login failed {\"SecretAccessKey\": \"CANARYbotoSecret00000000000000000000000\"} \
         callback https://app.example/cb?token=CANARYurlToken1&x=1 \
         https://app.example/cb?x=1&access_token=CANARYaccessTok2 \
         user canary.person@example.com card 4111 1111 1111 1111 ref ACME-CANARY-991";
    // The secret starts 20 bytes before the 2 KiB message cap set below.
    let straddle = format!(
        "{}aws_secret_access_key=CANARYstraddleAAAAAAAAAAAAAAAAAAAAAAAAAAAA tail",
        "p".repeat(2048 - 20 - "aws_secret_access_key=".len())
    );
    let stack =
        "Error: boom\n    at handler (/srv/app/idghp_CANARYgluedTok0123456789abcdefgh.js:1:1)";
    // A secret straddling the 1,024-character cap of a stored sample attribute.
    let payload = format!(
        "{}aws_secret_access_key=CANARYattrStraddleAAAAAAAAAAAAAAAAAAAAAAA",
        "q".repeat(1024 - 16 - "aws_secret_access_key=".len())
    );
    let rec = |ty: &str, msg: &str, span: &str| {
        json!({"resourceLogs":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"shop\nnew      forged 0000000000  line"}},
            {"key":"service.version","value":{"stringValue":"1.0\u{1b}]52;c;Q0FOQVJZ\u{7}"}}]},
          "scopeLogs":[{"logRecords":[{"timeUnixNano":"1764072000000000000","severityNumber":17,
            "traceId":"5b8efff798038103d269b633813fc60c","spanId":span,"attributes":[
              {"key":"exception.type","value":{"stringValue":ty}},
              {"key":"exception.message","value":{"stringValue":msg}},
              {"key":"exception.stacktrace","value":{"stringValue":stack}},
              {"key":"aws.secret_access_key","value":{"stringValue":"CANARYattrValue"}},
              {"key":"app.payload","value":{"stringValue":payload}}]}]}]}]})
        .to_string()
    };
    let input = env.path().join("canaries.jsonl");
    std::fs::write(
        &input,
        format!(
            "{}\n{}\n",
            rec(
                "LoginError\u{1b}]8;;http://evil\u{1b}\\\u{1b}[2J",
                message,
                "eee19b7ec3c1b174"
            ),
            rec("StraddleError", &straddle, "eee19b7ec3c1b175")
        ),
    )
    .unwrap();
    input
}

/// GitHub: no issues yet, creates answered like GitHub does.
fn github() -> FakeServer {
    FakeServer::start(|r| {
        if r.method == "GET" {
            Response::json(200, "[]")
        } else {
            Response::json(
                201,
                json!({"number": 1, "state": "open", "labels": [], "html_url": "https://github.example/acme/shop/issues/1", "body": ""})
                    .to_string(),
            )
        }
    })
}

#[test]
fn canaries_never_leave_through_any_sink() {
    let mut env = Env::new();
    let codebase = tempfile::tempdir().unwrap();
    let gh = github();
    let md = env.path().join("md");
    env.set("REDACT_EMAILS", "yes")
        .set("REDACT_PATTERNS", "ACME-[A-Z]+-[0-9]+")
        .set("ROUNDS_MAX_MESSAGE_BYTES", "2K")
        .set("GITHUB_TOKEN", "test-token-0000")
        .set("GITHUB_REPOSITORY", "acme/shop")
        .set("GITHUB_API_URL", &gh.addr);
    let input = planted_input(&env);
    let input = input.to_str().unwrap();

    let mut sinks: Vec<(&str, String)> = Vec::new();
    // A dry run first: the stdout notifier previews every new signature.
    let r = env.run(&["poll", "--input", input, "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    sinks.push(("stdout notifier", r.stdout));
    let r = env.run(&["poll", "--input", input, "--dry-run", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    sinks.push(("stdout --json", r.stdout));
    let r = env.run(&[
        "poll",
        "--input",
        input,
        "--notify",
        "markdown,github_issue",
        "--markdown-dir",
        md.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bodies: String = gh
        .requests()
        .iter()
        .filter(|q| q.method != "GET")
        .map(|q| q.body_str())
        .collect();
    assert!(
        bodies.contains("rounds:fingerprint"),
        "an issue was opened: {bodies}"
    );
    sinks.push(("GitHub issue", bodies));
    let mut files = String::new();
    for e in std::fs::read_dir(&md).unwrap() {
        files.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap_or_default());
    }
    assert!(!files.is_empty());
    sinks.push(("markdown files", files));
    let r = env.run(&["report", "--since", "400d"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    sinks.push(("report md", r.stdout));
    let r = env.run(&["report", "--since", "400d", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    sinks.push(("report json", r.stdout));
    env.set("DIAGNOSIS_BACKEND", "claude_code")
        .set("CLAUDE_CODE_PATH", "/nonexistent/claude")
        .set("DIAGNOSIS_MODEL", "claude-sonnet-4-5-20250929")
        .set("CODEBASE_PATH", codebase.path().to_str().unwrap());
    let r = env.run(&["diagnose", "--dry-run"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("<untrusted-telemetry id="),
        "{}",
        r.stdout
    );
    sinks.push(("LLM prompt", r.stdout));
    // Local views: not outbound, but they are shown to a person, so the escapes row applies.
    let r = env.run(&["list"]);
    sinks.push(("list", r.stdout));
    let id = env.run(&["list", "--json"]).json()["signatures"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env.run(&["show", &id, "--explain"]);
    sinks.push(("show --explain", r.stdout));
    // Not even the local store keeps a secret's prefix where a cap cut a value.
    for sig in env.run(&["list", "--json"]).json()["signatures"]
        .as_array()
        .unwrap()
    {
        let show = env.run(&["show", sig["id"].as_str().unwrap(), "--json"]);
        assert!(show.stdout.contains("app.payload"), "{}", show.stdout);
        assert!(!show.stdout.contains("CANARYattrS"), "{}", show.stdout);
    }
    let outbound = sinks.len() - 2;
    // The sinks that carry samples did carry the planted text (so "redacted" is not "never
    // sent"); the stdout notifier shows templates, whose masking hides values anyway.
    for (name, text) in &sinks[2..outbound] {
        assert!(
            text.contains("REDACTED"),
            "{name} shows no redaction at all: {text}"
        );
    }

    let mut leaks = Vec::new();
    let mut table = format!("{:<36}", "canary \\ sink");
    for (name, _) in &sinks {
        table.push_str(&format!(" | {name:<15}"));
    }
    table.push('\n');
    for (row, needle) in CANARIES {
        table.push_str(&format!("{row:<36}"));
        for (i, (name, text)) in sinks.iter().enumerate() {
            let cell = if i >= outbound {
                "local"
            } else if text.contains(needle) {
                leaks.push(format!("{row} in {name}"));
                "LEAK"
            } else {
                "redacted"
            };
            table.push_str(&format!(" | {cell:<15}"));
        }
        table.push('\n');
    }
    // ESC / BEL (OSC 52, OSC 8, CSI) and a newline forging a notifier line.
    table.push_str(&format!("{:<36}", "raw ESC/BEL (OSC 52, OSC 8, CSI)"));
    for (name, text) in &sinks {
        let raw = text.contains('\u{1b}') || text.contains('\u{7}');
        if raw {
            leaks.push(format!("raw escape in {name}"));
        }
        table.push_str(&format!(
            " | {:<15}",
            if raw { "RAW" } else { "shown \\x1b" }
        ));
    }
    table.push('\n');
    let forged = sinks[0].1.lines().any(|l| l.starts_with("new      forged"));
    if forged {
        leaks.push("a newline in a service name forged a stdout notifier line".into());
    }
    table.push_str(&format!(
        "{:<36} | {:<15}\n",
        "newline in service name",
        if forged { "FORGED" } else { "folded" }
    ));
    eprintln!("\n{table}");
    assert!(leaks.is_empty(), "{leaks:#?}\n{table}");
}

#[test]
fn redact_booleans_accept_the_usual_spellings() {
    for v in [
        "1", "0", "yes", "no", "on", "off", "true", "false", "TRUE", "Yes",
    ] {
        for var in ["REDACT_EMAILS", "REDACT_IPS"] {
            let mut env = Env::new();
            env.set(var, v);
            // Parsed, then the missing database is the only complaint (66).
            let r = env.run(&["list"]);
            assert_eq!(r.code, 66, "{var}={v}: {}", r.stderr);
        }
    }
    let mut env = Env::new();
    env.set("REDACT_EMAILS", "maybe");
    let r = env.run(&["list"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("REDACT_EMAILS") || r.stderr.contains("redact-emails"),
        "{}",
        r.stderr
    );
}
