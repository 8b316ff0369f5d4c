#!/usr/bin/env bash
# Installs the pinned LLM CLIs that the diagnosis integration tests drive (claude, codex) with npm
# into a local prefix outside the repository. Idempotent: a prefix that already holds the pinned
# versions is left alone. Prints the bin directory on its last line.
#
#   ROUNDS_TOOLS_DIR   prefix (default: $HOME/.cache/rounds-tools)
set -euo pipefail

CLAUDE_VERSION="2.1.197"
CODEX_VERSION="0.169.0"
PREFIX="${ROUNDS_TOOLS_DIR:-${HOME:-/tmp}/.cache/rounds-tools}"
BIN="$PREFIX/node_modules/.bin"

have() {
    # $1 = binary, $2 = expected version substring
    [ -x "$BIN/$1" ] && "$BIN/$1" --version 2>/dev/null | grep -q -- "$2"
}

if have claude "$CLAUDE_VERSION" && have codex "$CODEX_VERSION"; then
    echo "install-llm-clis: claude $CLAUDE_VERSION and codex $CODEX_VERSION already in $PREFIX" >&2
    echo "$BIN"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "install-llm-clis: npm is required (install Node.js >= 18)" >&2
    exit 69
fi

mkdir -p "$PREFIX"
# A package.json of its own keeps npm from walking up into an unrelated project.
[ -f "$PREFIX/package.json" ] || echo '{"name":"rounds-tools","private":true}' >"$PREFIX/package.json"
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/claude-code@$CLAUDE_VERSION" "@openai/codex@$CODEX_VERSION" >&2

have claude "$CLAUDE_VERSION" || { echo "install-llm-clis: claude $CLAUDE_VERSION did not install in $PREFIX" >&2; exit 70; }
have codex "$CODEX_VERSION" || { echo "install-llm-clis: codex $CODEX_VERSION did not install in $PREFIX" >&2; exit 70; }
echo "$BIN"
