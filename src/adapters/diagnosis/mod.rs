//! Diagnosis adapters: Claude Code CLI, Codex CLI, OpenAI-compatible HTTP; plus what they share
//! (validating an answer against the schema, running a child under a wall-clock timeout).

pub mod answer;
pub mod claude_code;
pub mod codex;
pub mod openai;
pub mod process;
