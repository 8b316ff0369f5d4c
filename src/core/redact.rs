//! Secret redaction applied to everything that leaves the machine (LLM prompts, GitHub, reports).
