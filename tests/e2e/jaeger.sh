#!/usr/bin/env bash
# End to end: a real Jaeger (built from source, cached outside the repo) fed by the real OpenTelemetry
# Python SDK, polled by the real `rounds` binary over both Jaeger query APIs (v1 search and api/v3).
#
# Usage: tests/e2e/jaeger.sh [--jaeger-only] [--capture DIR]
#   --jaeger-only   build + start Jaeger, emit telemetry, verify it with Jaeger's own APIs; skip rounds
#   --capture DIR   also save one real /api/traces and one real /api/v3/traces response body into DIR
# Env: ROUNDS_CACHE_DIR (default ~/.cache/rounds-e2e)  ROUNDS_BIN (default: cargo build --release)
#      E2E_KEEP=1 keeps the temp dir (logs, db, responses) for inspection.
# Exit: 0 passed or skipped (no Go / no python3), non-zero failed; "BLOCKED:" lines mean the real
# Jaeger could not be fetched or built here — never replace it with a fake.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # keep __pycache__ out of the repo

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${ROUNDS_CACHE_DIR:-$HOME/.cache/rounds-e2e}
JAEGER_MODULE=github.com/jaegertracing/jaeger
JAEGER_VERSION=v1.76.0 # the module's last v1 tag; it is the same commit as Jaeger v2.13.0
JAEGER_BIN="$CACHE/jaeger-$JAEGER_VERSION"

JAEGER_ONLY=0
CAPTURE_DIR=
while [ $# -gt 0 ]; do
    case "$1" in
        --jaeger-only) JAEGER_ONLY=1 ;;
        --capture) CAPTURE_DIR=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
        -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "jaeger.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

log() { printf 'e2e: %s\n' "$*" >&2; }
fail() { printf 'e2e: FAIL: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}s')" "$1" "$(now)"; }

if ! command -v go >/dev/null 2>&1; then
    echo "e2e: SKIP jaeger end-to-end test: Go is not installed (needed to build Jaeger $JAEGER_VERSION from source)"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "e2e: SKIP jaeger end-to-end test: python3 is not installed (needed for the OpenTelemetry SDK emitter)"
    exit 0
fi
command -v curl >/dev/null 2>&1 || fail "curl is required"
T0=$(now)

# ---------------------------------------------------------------- build Jaeger once, into the cache
build_jaeger() {
    if [ -x "$JAEGER_BIN" ]; then
        log "reusing cached Jaeger $JAEGER_VERSION: $JAEGER_BIN"
        return
    fi
    local mod="$CACHE/jaeger-mod" t out
    mkdir -p "$mod"
    t=$(now)
    log "building Jaeger $JAEGER_VERSION from the Go module proxy into $CACHE (takes minutes the first time)"
    # `go install pkg@v1.76.0` refuses this module (its go.mod has a replace directive), so it is
    # pulled as a tool dependency of a scratch module and built from there.
    if ! out=$(cd "$mod" && { [ -f go.mod ] || go mod init rounds-e2e/jaegertool; } 2>&1 &&
        go get -tool "$JAEGER_MODULE/cmd/jaeger@$JAEGER_VERSION" 2>&1); then
        printf '%s\n' "$out" | tail -n 20 >&2
        echo "e2e: BLOCKED: 'go get -tool $JAEGER_MODULE/cmd/jaeger@$JAEGER_VERSION' failed (see above)" >&2
        exit 1
    fi
    if ! out=$(cd "$mod" && go build -o "$JAEGER_BIN.tmp.$$" "$JAEGER_MODULE/cmd/jaeger" 2>&1); then
        printf '%s\n' "$out" | tail -n 20 >&2
        rm -f "$JAEGER_BIN.tmp.$$"
        echo "e2e: BLOCKED: 'go build $JAEGER_MODULE/cmd/jaeger' failed (see above)" >&2
        exit 1
    fi
    mv -f "$JAEGER_BIN.tmp.$$" "$JAEGER_BIN"
    log "built Jaeger in $(elapsed "$t")"
}

# ---------------------------------------------------------------- the SDK venv, keyed on requirements
make_venv() {
    local key
    key=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest()[:12])' \
        "$HERE/requirements.txt")
    VENV="$CACHE/venv-$key"
    if [ -x "$VENV/bin/python" ] && [ -f "$VENV/.complete" ]; then
        return
    fi
    log "creating the OpenTelemetry SDK venv $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" ||
        fail "pip install -r tests/e2e/requirements.txt failed"
    touch "$VENV/.complete"
}

mkdir -p "$CACHE"
# Parallel runs share the cache: one builds, the others wait and then reuse.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.lock"
    flock 9
fi
build_jaeger
make_venv
if command -v flock >/dev/null 2>&1; then
    exec 9>&-
fi
PY="$VENV/bin/python"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rounds-e2e.XXXXXX")
JAEGER_PID=
stop_jaeger() {
    if [ -n "$JAEGER_PID" ] && kill -0 "$JAEGER_PID" 2>/dev/null; then
        kill "$JAEGER_PID" 2>/dev/null || true
        # A frozen (SIGSTOPped) Jaeger only acts on SIGTERM once continued.
        kill -CONT "$JAEGER_PID" 2>/dev/null || true
        wait "$JAEGER_PID" 2>/dev/null || true
    fi
    JAEGER_PID=
}
cleanup() {
    local rc=$?
    stop_jaeger
    if [ "$rc" -ne 0 ] || [ "${E2E_KEEP:-0}" = 1 ]; then
        log "kept $WORK (logs, databases, responses)"
        if [ "$rc" -ne 0 ] && [ -f "$WORK/jaeger.log" ]; then
            log "last lines of the Jaeger log:"
            tail -n 15 "$WORK/jaeger.log" >&2
        fi
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free loopback ports, so parallel runs (and other engineers' Jaegers) do not clash.
read -r E2E_OTLP_HTTP_PORT E2E_OTLP_GRPC_PORT E2E_QUERY_HTTP_PORT E2E_QUERY_GRPC_PORT < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)
export E2E_OTLP_HTTP_PORT E2E_OTLP_GRPC_PORT E2E_QUERY_HTTP_PORT E2E_QUERY_GRPC_PORT
OTLP_URL="http://127.0.0.1:$E2E_OTLP_HTTP_PORT"
QUERY_URL="http://127.0.0.1:$E2E_QUERY_HTTP_PORT"

start_jaeger() {
    local t i code
    t=$(now)
    "$JAEGER_BIN" --config "$HERE/jaeger-config.yaml" >>"$WORK/jaeger.log" 2>&1 &
    JAEGER_PID=$!
    for i in $(seq 1 300); do
        kill -0 "$JAEGER_PID" 2>/dev/null || fail "Jaeger exited during startup (log: $WORK/jaeger.log)"
        code=$(curl -s -o /dev/null -w '%{http_code}' "$QUERY_URL/api/services" || true)
        if [ "$code" = 200 ]; then
            code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
                --data '{}' "$OTLP_URL/v1/traces" || true)
            if [ "$code" = 200 ]; then
                log "Jaeger ready in $(elapsed "$t") (pid $JAEGER_PID, OTLP $OTLP_URL, query $QUERY_URL)"
                return
            fi
        fi
        sleep 0.1
    done
    fail "Jaeger not ready after 30s (log: $WORK/jaeger.log)"
}

# emit PHASE SEED: run the SDK emitter, then wait until Jaeger's query API serves everything it sent.
emit() {
    local out="$WORK/expected-$1.json"
    "$PY" "$HERE/emit.py" --endpoint "$OTLP_URL" --out "$out" --phase "$1" --seed "$2" ||
        fail "the OpenTelemetry SDK could not export to Jaeger"
    "$PY" "$HERE/jaeger_check.py" --query "$QUERY_URL" --expected "$out" ${CAPTURE_DIR:+--capture "$CAPTURE_DIR"} ||
        fail "Jaeger does not serve what the SDK exported"
}

start_jaeger
emit jaeger-only 1
if [ "$JAEGER_ONLY" = 1 ]; then
    log "PASS (Jaeger + SDK only) in $(elapsed "$T0")"
    exit 0
fi

# ---------------------------------------------------------------- rounds against the real Jaeger
if [ -n "${ROUNDS_BIN:-}" ]; then
    ROUNDS=$ROUNDS_BIN
else
    log "cargo build --release"
    (cd "$REPO" && cargo build --release --quiet) || fail "cargo build --release failed"
    ROUNDS="${CARGO_TARGET_DIR:-$REPO/target}/release/rounds"
fi
[ -x "$ROUNDS" ] || fail "rounds binary not found at $ROUNDS"
export E2E_ROUNDS_BIN=$ROUNDS

# A fresh HOME/XDG so nothing of the developer's config or data is read or written.
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" XDG_CONFIG_HOME="$WORK/home/.config" \
    XDG_STATE_HOME="$WORK/home/.local/state" XDG_CACHE_HOME="$WORK/home/.cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
export TELEMETRY_BACKEND=jaeger JAEGER_API_URL="$QUERY_URL"
ROUNDS_CHECK=("$PY" "$HERE/rounds_check.py")

# A failed step ends its API's pass (later steps build on it) but not the run, so one run shows
# which APIs work; the run still fails.
FAILED=()
PASS_FAILED=
step() {
    [ -z "$PASS_FAILED" ] || return 0
    "${ROUNDS_CHECK[@]}" "$@" || { PASS_FAILED=$1; FAILED+=("$api: $1"); }
}

# v1 and v3 forced, then auto (what users get by default: v1 while the server still serves it).
for api in v1 v3 auto; do
    log "---- rounds over the Jaeger $api API"
    export JAEGER_API_VERSION=$api
    db="$WORK/rounds-$api.db"
    a="$WORK/expected-$api-a.json"
    PASS_FAILED=
    # Memory storage: restart Jaeger so each API sees exactly the telemetry of its own run.
    stop_jaeger
    start_jaeger
    emit "$api-a" 11
    step first-poll --db "$db" --expected "$a"
    step repoll --db "$db" --expected "$a"
    step show --db "$db" --expected "$a"
    step check --db "$db" --expected "$a"

    log "stopping Jaeger mid-way"
    stop_jaeger
    step unavailable --db "$db" --expected "$a"

    log "restarting Jaeger (memory storage starts empty) and emitting new occurrences"
    start_jaeger
    emit "$api-b" 22

    log "freezing Jaeger (SIGSTOP): it accepts connections but never answers"
    kill -STOP "$JAEGER_PID"
    ROUNDS_HTTP_TIMEOUT=1s ROUNDS_HTTP_RETRIES=0 step unavailable --want 75 --db "$db" --expected "$a"
    kill -CONT "$JAEGER_PID"

    step catch-up --db "$db" --expected "$a" --expected "$WORK/expected-$api-b.json"
done
stop_jaeger
if [ ${#FAILED[@]} -gt 0 ]; then
    fail "$(printf '%s; ' "${FAILED[@]}")(after $(elapsed "$T0"))"
fi
api=all
step same-signatures --db "$WORK/rounds-v1.db" --db "$WORK/rounds-v3.db" --db "$WORK/rounds-auto.db"
[ ${#FAILED[@]} -eq 0 ] || fail "${FAILED[*]}"
log "PASS in $(elapsed "$T0")"
