//! `rounds`: a diagnostic agent for software in production.
//!
//! Each pass polls an OpenTelemetry source for errors, fingerprints every error event into a
//! stable signature, deduplicates signatures in a local SQLite file, triages them, asks an LLM
//! for a root-cause diagnosis of those that matter, records it, notifies, and exits.
//!
//! Layout (ports and adapters): [`core`] is pure domain logic and the ports it drives;
//! [`adapters`] implement those ports; [`app`] resolves settings and wires adapters to use cases;
//! [`output`] is the one place that prints.

pub mod adapters;
pub mod app;
pub mod cli;
pub mod core;
pub mod exit;
pub mod output;

// mimalloc for every binary built on this crate (the CLI, its tests and benches): a pass
// allocates and frees millions of small strings across threads (parsed on one, freed on
// another); glibc malloc spent ~25% of all CPU there, mimalloc a fraction of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
