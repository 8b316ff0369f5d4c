//! The claude_code diagnosis adapter.
