//! Diagnosis use case: triage what to diagnose, assemble the prompt, enforce the budget, record.
