#!/bin/sh
# Score stack fingerprinting on the Defects4J dev traces: kind=exception traces, then all traces,
# then in-sample vs leave-one-project-out and the perturbations (scripts/stack_generalisation.py;
# exits 1 when a perturbation drops F1 by more than 0.02). PROFILE=release for speed.
set -eu
cd "$(dirname "$0")/.."
traces=tests/fixtures/defects4j/traces.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
profile=${PROFILE:-debug}
if [ "$profile" = release ]; then
    cargo build --quiet --release --example score_stacks
else
    cargo build --quiet --example score_stacks
fi
bin=target/$profile/examples/score_stacks
grep '"kind":"exception"' "$traces" > "$tmp/exception.jsonl"
"$bin" "$traces" exception > "$tmp/exception.tsv"
"$bin" "$traces" > "$tmp/all.tsv"
echo "== kind=exception"
python3 scripts/score_grouping.py "$tmp/exception.jsonl" "$tmp/exception.tsv"
echo "== all traces"
python3 scripts/score_grouping.py "$traces" "$tmp/all.tsv"
echo "== generalisation"
python3 scripts/stack_generalisation.py "$bin" "$traces"
