//! Diagnosis adapters: Claude Code CLI, Codex CLI, OpenAI-compatible HTTP.

pub mod claude_code;
pub mod codex;
pub mod openai;
