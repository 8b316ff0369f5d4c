#!/bin/sh
# Score stack fingerprinting on the Defects4J dev traces: kind=exception traces, then all traces.
set -eu
cd "$(dirname "$0")/.."
traces=tests/fixtures/defects4j/traces.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --quiet --release --example score_stacks
bin=target/release/examples/score_stacks
grep '"kind":"exception"' "$traces" > "$tmp/exception.jsonl"
"$bin" "$traces" exception > "$tmp/exception.tsv"
"$bin" "$traces" > "$tmp/all.tsv"
echo "== kind=exception"
python3 scripts/score_grouping.py "$tmp/exception.jsonl" "$tmp/exception.tsv"
echo "== all traces"
python3 scripts/score_grouping.py "$traces" "$tmp/all.tsv"
