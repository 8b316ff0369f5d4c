#!/usr/bin/env bash
# Regenerate the real-SDK corpus: each program raises real exceptions through its language's
# OpenTelemetry SDK and writes OTLP/JSON plus the bug labels it knows. Release 1 runs the sources
# as checked in; release 2 runs them with blank lines inserted at every SHIFT marker (the same
# bugs, every line moved) and another service.version. Both run from the same build directory so
# file paths match across releases, as they would on a redeployed host.
# Usage: tests/corpus/generate.sh OUT_DIR [LANG...]   (LANG: python node java go; default all)
# Pinned packages install into $ROUNDS_CORPUS_CACHE (default ~/.cache/rounds-corpus), never the repo.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: generate.sh OUT_DIR [LANG...]}
shift
LANGS=${*:-python node java go}
CACHE=${ROUNDS_CORPUS_CACHE:-$HOME/.cache/rounds-corpus}
mkdir -p "$OUT" "$CACHE"
OUT=$(cd "$OUT" && pwd)
log() { echo "corpus: $*" >&2; }
fail() { echo "corpus: $*" >&2; exit 69; }
key() { cat "$@" | sha256sum | cut -c1-12; }

# stage LANG RELEASE FILES... -> copies FILES into $CACHE/build-LANG, shifted for release 2
stage() {
  local lang=$1 release=$2; shift 2
  local dir="$CACHE/build-$lang"
  mkdir -p "$dir"
  for f in "$@"; do
    mkdir -p "$dir/$(dirname "$f")"
    if [ "$release" = 1 ]; then cp "$HERE/$lang/$f" "$dir/$f"
    else awk '{print} /SHIFT$/ {print ""; print ""; print ""}' "$HERE/$lang/$f" > "$dir/$f"; fi
  done
  echo "$dir"
}

gen_python() {
  local venv="$CACHE/py-$(key "$HERE/python/requirements.txt")"
  if [ ! -x "$venv/bin/python" ]; then
    log "python: creating $venv"
    python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/python/requirements.txt" ||
      fail "pip install -r tests/corpus/python/requirements.txt failed"
  fi
  for r in 1 2; do
    local dir; dir=$(stage python $r corpus.py)
    "$venv/bin/python" "$dir/corpus.py" "$OUT/python-r$r" "$r" || fail "python release $r failed"
  done
}

gen_node() {
  local mods="$CACHE/node-$(key "$HERE/node/package.json" "$HERE/node/package-lock.json")"
  if [ ! -d "$mods/node_modules" ]; then
    log "node: installing into $mods"
    mkdir -p "$mods"
    cp "$HERE/node/package.json" "$HERE/node/package-lock.json" "$mods/"
    (cd "$mods" && npm ci --silent --no-audit --no-fund) || fail "npm ci in $mods failed"
  fi
  for r in 1 2; do
    local dir; dir=$(stage node $r corpus.js)
    rm -rf "$dir/node_modules"; ln -s "$mods/node_modules" "$dir/node_modules"
    node "$dir/corpus.js" "$OUT/node-r$r" "$r" || fail "node release $r failed"
  done
}

gen_go() {
  export GOPATH="$CACHE/gopath" GOMODCACHE="$CACHE/gopath/pkg/mod" GOCACHE="$CACHE/gocache"
  for r in 1 2; do
    local dir; dir=$(stage go $r go.mod go.sum main.go)
    (cd "$dir" && go build -o corpus .) || fail "go build of the corpus failed"
    "$dir/corpus" "$OUT/go-r$r" "$r" || fail "go release $r failed"
  done
}

gen_java() {
  local repo="$CACHE/m2"
  for r in 1 2; do
    local dir; dir=$(stage java $r pom.xml src/main/java/shop/Corpus.java)
    if [ ! -s "$dir/cp.txt" ] || [ "$HERE/java/pom.xml" -nt "$dir/cp.txt" ]; then
      log "java: resolving dependencies into $repo"
      (cd "$dir" && mvn -q -B -Dmaven.repo.local="$repo" dependency:build-classpath -Dmdep.outputFile=cp.txt) ||
        fail "mvn dependency:build-classpath failed"
    fi
    rm -rf "$dir/classes"; mkdir -p "$dir/classes"
    javac -g -cp "$(cat "$dir/cp.txt")" -d "$dir/classes" "$dir/src/main/java/shop/Corpus.java" ||
      fail "javac of the corpus failed"
    java -cp "$dir/classes:$(cat "$dir/cp.txt")" shop.Corpus "$OUT/java-r$r" "$r" || fail "java release $r failed"
  done
}

for l in $LANGS; do
  log "$l"
  "gen_$l"
done
log "wrote $(cat "$OUT"/*.labels.jsonl | wc -l) labelled spans to $OUT"
