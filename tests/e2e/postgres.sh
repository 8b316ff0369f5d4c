#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests: installed from the distribution's packages
# when absent, run as a non-root user (the `postgres` system user when we are root), data and unix
# socket in a temporary directory, listening on 127.0.0.1 on a free port, password auth
# (scram-sha-256) for the role `rounds`, one database `rounds_test`.
#
#   source tests/e2e/postgres.sh          # starts it, exports ROUNDS_TEST_DATABASE_URL, removes it on exit
#   tests/e2e/postgres.sh start DIR       # for development: start in DIR (created), print the URL
#   tests/e2e/postgres.sh stop DIR        # stop it and remove DIR
#
# The URL carries the password (a throwaway one, made per cluster): the tests exercise the
# password-in-URL path and check that it is never printed.

rounds_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

rounds_pg_install() {
  if rounds_pg_bin >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "postgres.sh: PostgreSQL is not installed and we are not root: apt-get install postgresql" >&2
    return 1
  fi
  echo "postgres.sh: installing PostgreSQL from the distribution's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  rounds_pg_bin >/dev/null
}

# Run a command as the cluster's owner: ourselves, or `postgres` when we are root (the server
# refuses to run as root).
rounds_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

rounds_pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# rounds_pg_start DIR: start a cluster in DIR and set ROUNDS_TEST_DATABASE_URL.
rounds_pg_start() {
  local dir="$1" bin port password
  rounds_pg_install || return 1
  bin="$(rounds_pg_bin)"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
    fi
    chown postgres "$dir"
  fi
  chmod 700 "$dir"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 600 "$dir/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$dir/pwfile"
  rounds_pg_as_owner "$bin/initdb" -D "$dir/data" -U rounds --pwfile="$dir/pwfile" \
    --auth=scram-sha-256 -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    return 1
  }
  rm -f "$dir/pwfile"
  port="$(rounds_pg_free_port)"
  # Small and fast: a test cluster, not a production one (fsync off: nothing here must survive a crash).
  rounds_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || {
    cat "$dir/server.log" >&2
    return 1
  }
  PGPASSWORD="$password" rounds_pg_as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U rounds -d postgres \
    -c "CREATE DATABASE rounds_test" >/dev/null || return 1
  echo "$port" >"$dir/port"
  export ROUNDS_TEST_DATABASE_URL="postgresql://rounds:$password@127.0.0.1:$port/rounds_test?sslmode=disable"
  echo "$ROUNDS_TEST_DATABASE_URL" >"$dir/url"
  chmod 600 "$dir/url"
  echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)" >&2
}

# rounds_pg_stop DIR: stop the cluster and remove DIR.
rounds_pg_stop() {
  local dir="$1" bin
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  bin="$(rounds_pg_bin)" || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    rounds_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced (by .ci/run): a cluster for this run, removed when the run exits.
  ROUNDS_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rounds-pg.XXXXXX")"
  chmod 755 "$ROUNDS_PG_DIR"
  trap 'rounds_pg_stop "$ROUNDS_PG_DIR/cluster"; rm -rf "$ROUNDS_PG_DIR"' EXIT
  rounds_pg_start "$ROUNDS_PG_DIR/cluster"
else
  set -euo pipefail
  case "${1:-}" in
    start)
      rounds_pg_start "${2:?usage: postgres.sh start DIR}"
      echo "$ROUNDS_TEST_DATABASE_URL"
      ;;
    stop) rounds_pg_stop "${2:?usage: postgres.sh stop DIR}" ;;
    *)
      echo "usage: source tests/e2e/postgres.sh | postgres.sh start DIR | postgres.sh stop DIR" >&2
      exit 2
      ;;
  esac
fi
