#!/usr/bin/env bash
#! Proves two `rounds` binaries group the same input identically: polls CORPUS into a fresh database
#! with each, then diffs `list --json` (ids, counts, templates, states) and the per-signature event
#! counts. Used to show a performance change kept signatures, counts and ids byte-for-byte.
#
# usage: scripts/identity-check.sh OLD_BINARY NEW_BINARY CORPUS.jsonl
# exit 0: identical; exit 1: they differ (the diff is printed); exit 2: usage or a pass failed.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 OLD_BINARY NEW_BINARY CORPUS.jsonl" >&2
  exit 2
fi
old=$1 new=$2 corpus=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # $1 binary, $2 label
  local db="$work/$2.db"
  if ! "$1" -q --db "$db" poll --notify none --input "$corpus"; then
    echo "identity-check: $2 binary failed to poll $corpus" >&2
    exit 2
  fi
  # Every signature, largest first, ids included; the limit is far above any corpus's signatures.
  # Binaries whose `list` hides resolved and ignored signatures by default take --all.
  local all=()
  if "$1" list --help 2>/dev/null | grep -q -- '--all'; then all=(--all); fi
  "$1" -q --db "$db" list --json "${all[@]}" --sort count --limit 100000000 --color never > "$work/$2.list.json"
  # Sort so the comparison does not depend on tie order among equal counts.
  jq -S 'del(.total) | .signatures |= sort_by(.id)' "$work/$2.list.json" > "$work/$2.list.sorted.json"
}
run "$old" old
run "$new" new
if diff -u "$work/old.list.sorted.json" "$work/new.list.sorted.json" > "$work/diff"; then
  n=$(jq '.signatures | length' "$work/new.list.sorted.json")
  echo "identity-check: identical ($n signatures)"
else
  head -200 "$work/diff"
  echo "identity-check: the binaries' signatures differ" >&2
  exit 1
fi
