#!/usr/bin/env bash
# Re-poll cost of an unchanged OTLP/JSON file as a fraction of the first pass (issue 12's
# target: <= 10%). Generates a Collector-file-exporter-shaped file of REPOLL_SIZE_MB (default
# 450) MB outside the repository (under $TMPDIR), runs the release binary on it twice into a
# fresh database, and prints both wall times, the ratio and the machine's load.
#
#   scripts/repoll-cost.sh                 # builds target/release/rounds if missing
#   REPOLL_SIZE_MB=50 scripts/repoll-cost.sh
#   ROUNDS_BIN=target/debug/rounds scripts/repoll-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=${REPOLL_SIZE_MB:-450}
bin=${ROUNDS_BIN:-target/release/rounds}
if [ ! -x "$bin" ]; then
  cargo build --release --locked
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rounds-repoll.XXXXXX")
trap 'rm -rf "$work"' EXIT
file="$work/otel.jsonl"

# One exception span event per line, ~950 bytes, 3 services x 4 types, unique trace and span ids
# (decimal digits are hex digits too), messages with variable parts the masker must template.
lines=$(( size_mb * 1000 * 1000 / 950 ))
awk -v n="$lines" 'BEGIN {
  split("checkout billing search", svc, " ");
  split("KeyError ValueError TimeoutError ZeroDivisionError", ty, " ");
  for (i = 0; i < n; i++) {
    s = svc[i % 3 + 1]; t = ty[int(i / 3) % 4 + 1];
    printf("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"%s\"}},{\"key\":\"host.name\",\"value\":{\"stringValue\":\"node-%d\"}}]},", s, i % 17);
    printf("\"scopeSpans\":[{\"scope\":{\"name\":\"shop\"},\"spans\":[{\"traceId\":\"%032d\",\"spanId\":\"%016d\",\"name\":\"GET /cart/%d\",", i, i, i % 1000);
    printf("\"startTimeUnixNano\":\"1795607000000000000\",\"endTimeUnixNano\":\"1795607000100000000\",\"status\":{\"code\":2},");
    printf("\"events\":[{\"name\":\"exception\",\"timeUnixNano\":\"1795607000050000000\",\"attributes\":[");
    printf("{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"%s\"}},", t);
    printf("{\"key\":\"exception.message\",\"value\":{\"stringValue\":\"user %d missing in cart %x at 10.0.%d.%d\"}},", i, i * 7, i % 256, i % 200);
    printf("{\"key\":\"exception.stacktrace\",\"value\":{\"stringValue\":\"Traceback (most recent call last):\\n  File \\\"/app/%s/handlers.py\\\", line %d, in handle\\n    return self.cart.load(uid)\\n  File \\\"/app/%s/cart.py\\\", line 41, in load\\n    return users[uid]\\n%s: user %d missing\"}}", s, 10 + i % 3, s, t, i);
    printf("]}]}]}]}]}\n");
  }
}' > "$file"
bytes=$(stat -c %s "$file")

export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config"
export NO_COLOR=1 ROUNDS_NOW=2026-11-25T12:00:00Z
mkdir -p "$HOME"
run() {
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" --db "$work/rounds.db" poll --notify none --input "$file" 2>"$work/stderr" || {
    echo "rounds failed:" >&2
    cat "$work/stderr" >&2
    exit 1
  }
  t1=$(date +%s.%N)
  grep -m1 'events read' "$work/stderr" >>"$work/summary" || true
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf("%.3f", b - a) }'
}
first=$(run)
second=$(run)
cat "$work/summary"
echo "binary: $bin"
echo "file: $(( bytes / 1000000 )) MB, $lines events"
echo "first pass: ${first} s"
echo "re-poll (unchanged): ${second} s"
awk -v a="$first" -v b="$second" 'BEGIN { printf("ratio: %.4f (%.2f%% of the first pass; target <= 10%%)\n", b / a, 100 * b / a) }'
echo "load: $(uptime)"
