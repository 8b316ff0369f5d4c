#!/usr/bin/env bash
#! Proves two `rounds` binaries group the same input identically: polls CORPUS into a fresh database
#! with each, then diffs `list --json` (ids, counts, templates, states) and the per-signature event
#! counts, then the stored samples (attributes included) and the ledger's event keys. Used to show a
#! performance change kept signatures, counts, ids, samples and ledger keys byte-for-byte.
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
  # Sort so the comparison does not depend on tie order among equal counts; the 24-hour
  # activity window ends at the clock, so its end is left out.
  jq -S 'del(.total) | .signatures |= (map(del(.last_24h.end)) | sort_by(.id))' "$work/$2.list.json" > "$work/$2.list.sorted.json"
  # What `list` does not show: each sample whole, and every ledger key with its signature (a
  # changed key would count a re-polled event twice).
  sqlite3 "$db" "SELECT signature_id, hex(event_key), timestamp, service, coalesce(service_version, ''),
                        trace_id, span_id, coalesce(message, ''), attributes
                 FROM event_samples ORDER BY signature_id, hex(event_key)" > "$work/$2.samples"
  sqlite3 "$db" "SELECT hex(event_key), signature_id FROM events ORDER BY 1" > "$work/$2.keys"
}
run "$old" old
run "$new" new
if diff -u "$work/old.list.sorted.json" "$work/new.list.sorted.json" > "$work/diff" \
  && diff -u "$work/old.samples" "$work/new.samples" >> "$work/diff" \
  && diff -u "$work/old.keys" "$work/new.keys" >> "$work/diff"; then
  n=$(jq '.signatures | length' "$work/new.list.sorted.json")
  echo "identity-check: identical ($n signatures, $(wc -l < "$work/new.samples") samples, $(wc -l < "$work/new.keys") ledger keys)"
else
  head -200 "$work/diff"
  echo "identity-check: the binaries' signatures differ" >&2
  exit 1
fi
