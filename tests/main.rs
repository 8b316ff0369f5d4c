//! The one integration-test binary (ripgrep's layout): one module per area, one shared harness in
//! `support/`, so the library and the HTTP fake are compiled and linked once per `cargo test`.
//!
//! A new test file `tests/<area>.rs` must be registered here (`autotests = false` in Cargo.toml:
//! cargo no longer picks test files up on its own). Run one area with `cargo test <area>::`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // tests, benches and examples may panic and print

mod support;

mod architecture;
mod backend_binary;
mod backend_http;
mod backend_jaeger;
mod backend_loki;
mod backend_signoz;
mod backend_storm;
mod backend_tempo;
mod canary_sinks;
mod cli_list;
mod cli_poll;
mod cli_show;
mod core_pass;
mod corpus_grouping;
mod diagnosis_claude;
mod diagnosis_cli;
mod diagnosis_codex;
mod diagnosis_fake_cli;
mod diagnosis_openai;
mod docs_fresh;
mod event_samples;
mod fuzz_parsers;
mod grouping_merge;
mod hostile_input;
mod ingest_files;
mod json_shape;
mod notify_github;
mod releases;
mod reliability;
mod reliability_concurrent;
mod reliability_kill;
mod reliability_lock;
mod report_golden;
mod sentry_grouping;
mod stack_parsers;
mod store_contract;
mod store_postgres;
mod store_postgres_many;
mod suspects;
mod template_quality;
