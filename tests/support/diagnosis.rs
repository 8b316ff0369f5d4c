//! Shared helpers for the diagnosis tests: locating the pinned real CLIs, a scratch repository,
//! and scripted replies in the wire formats the CLIs stream (Anthropic Messages SSE, OpenAI
//! Responses SSE). Used as `crate::support::diagnosis` by each `tests/diagnosis_*.rs`.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned CLI binary, from its env override or the tools prefix the install script uses.
pub fn cli(name: &str, env_override: &str) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env_override) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let prefix = std::env::var("ROUNDS_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/rounds-tools")
        });
    let p = prefix.join("node_modules/.bin").join(name);
    p.is_file().then_some(p)
}

/// The CLI for a test marked `#[ignore = "needs the … CLI"]`: such a test runs only when asked
/// (`cargo test -- --include-ignored`, as `.ci/run` does), so a missing CLI is a failure, never a
/// silent pass.
pub fn require_cli(name: &str, env_override: &str) -> PathBuf {
    match cli(name, env_override) {
        Some(p) => p,
        None => panic!(
            "{name} is not installed: run tests/e2e/install-llm-clis.sh (or set {env_override})"
        ),
    }
}

/// A git repository with a small Python service and a planted `.env`.
pub fn scratch_repo(dir: &Path) {
    std::fs::create_dir_all(dir.join("src/orders")).unwrap();
    std::fs::write(
        dir.join("src/orders/service.py"),
        "class OrderService:\n    def get_total(self, order):\n        return order.subtotal - order.discount.amount\n",
    )
    .unwrap();
    std::fs::write(dir.join(".env"), "DATABASE_PASSWORD=do-not-read-me\n").unwrap();
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "initial"]);
}

pub fn good_answer() -> Value {
    json!({
        "root_cause": "OrderService.get_total dereferences order.discount, which is None for old orders",
        "suggested_fix": "Guard with `if order.discount is not None` in src/orders/service.py:3",
        "confidence": "medium",
        "evidence": [
            {"file": "src/orders/service.py", "line": 3, "note": "reads discount.amount without a None check"},
            {"file": "src/orders/missing.py", "line": 9, "note": "a file that does not exist"}
        ]
    })
}

/// One SSE event.
fn sse(event: &str, data: Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// An Anthropic Messages streaming reply: optional tool use, optional text, with usage.
pub fn anthropic_reply(
    tool: Option<(&str, Value)>,
    text: Option<&str>,
    input_tokens: u64,
    output_tokens: u64,
) -> String {
    let mut s = sse(
        "message_start",
        json!({"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant",
            "model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,
            "usage":{"input_tokens":input_tokens,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}),
    );
    let mut index = 0;
    if let Some(t) = text {
        s += &sse(
            "content_block_start",
            json!({"type":"content_block_start","index":index,"content_block":{"type":"text","text":""}}),
        );
        s += &sse(
            "content_block_delta",
            json!({"type":"content_block_delta","index":index,"delta":{"type":"text_delta","text":t}}),
        );
        s += &sse(
            "content_block_stop",
            json!({"type":"content_block_stop","index":index}),
        );
        index += 1;
    }
    let stop = if let Some((name, input)) = &tool {
        s += &sse(
            "content_block_start",
            json!({"type":"content_block_start","index":index,"content_block":{"type":"tool_use","id":format!("toolu_fake_{index}"),"name":name,"input":{}}}),
        );
        s += &sse(
            "content_block_delta",
            json!({"type":"content_block_delta","index":index,"delta":{"type":"input_json_delta","partial_json":input.to_string()}}),
        );
        s += &sse(
            "content_block_stop",
            json!({"type":"content_block_stop","index":index}),
        );
        "tool_use"
    } else {
        "end_turn"
    };
    s += &sse(
        "message_delta",
        json!({"type":"message_delta","delta":{"stop_reason":stop,"stop_sequence":null},"usage":{"output_tokens":output_tokens}}),
    );
    s += &sse("message_stop", json!({"type":"message_stop"}));
    s
}

/// An OpenAI Responses streaming reply carrying one assistant message or one shell call.
pub fn responses_reply(
    message: Option<&str>,
    shell: Option<&str>,
    input_tokens: u64,
    output_tokens: u64,
) -> String {
    let mut s = sse(
        "response.created",
        json!({"type":"response.created","response":{"id":"resp_fake","status":"in_progress"}}),
    );
    if let Some(cmd) = shell {
        let item = json!({"type":"function_call","id":"fc_fake","call_id":"call_fake","name":"exec_command",
            "arguments": json!({"cmd": cmd}).to_string()});
        s += &sse(
            "response.output_item.added",
            json!({"type":"response.output_item.added","output_index":0,"item":item}),
        );
        s += &sse(
            "response.output_item.done",
            json!({"type":"response.output_item.done","output_index":0,"item":item}),
        );
    }
    if let Some(text) = message {
        let item = json!({"type":"message","id":"msg_fake","role":"assistant","status":"completed",
            "content":[{"type":"output_text","text":text,"annotations":[]}]});
        s += &sse(
            "response.output_item.added",
            json!({"type":"response.output_item.added","output_index":0,"item":item}),
        );
        s += &sse(
            "response.output_item.done",
            json!({"type":"response.output_item.done","output_index":0,"item":item}),
        );
    }
    s += &sse(
        "response.completed",
        json!({"type":"response.completed","response":{"id":"resp_fake","status":"completed",
            "usage":{"input_tokens":input_tokens,"input_tokens_details":{"cached_tokens":0},
                     "output_tokens":output_tokens,"output_tokens_details":{"reasoning_tokens":0},
                     "total_tokens":input_tokens + output_tokens}}}),
    );
    s
}

/// Names of the tools in an Anthropic request body.
pub fn tool_names(body: &Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|x| x["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the latest user turn carries a tool result.
pub fn last_turn_is_tool_result(body: &Value) -> bool {
    body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_array())
        .is_some_and(|c| c.iter().any(|b| b["type"] == "tool_result"))
}
