#!/usr/bin/env python3
"""Assertions of the Jaeger end-to-end test: run the real `rounds` binary and compare with emit.py's output.

Each subcommand is one step of tests/e2e/jaeger.sh; the binary comes from $E2E_ROUNDS_BIN and the backend
from the environment (TELEMETRY_BACKEND=jaeger, JAEGER_API_URL, JAEGER_API_VERSION). Only the documented
CLI is used (`poll`, `poll --check`, `list --json`, `show ID --json`); the cursor is read from the SQLite
file only to prove that a failed pass left it untouched.
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys

UNAVAILABLE_CODES = (69, 75)


class Failure(Exception):
    pass


# Only these reach rounds: a developer's own settings (ROUNDS_INPUT, a GitHub notifier, an LLM
# backend, another database) must neither change what is tested nor act on the outside world.
PASSED_ENV = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
              "XDG_STATE_HOME", "XDG_CACHE_HOME", "TELEMETRY_BACKEND")
PASSED_PREFIXES = ("JAEGER_", "ROUNDS_HTTP_")


def rounds_env():
    env = {k: v for k, v in os.environ.items() if k in PASSED_ENV or k.startswith(PASSED_PREFIXES)}
    env.update(DIAGNOSIS_BACKEND="none", NOTIFICATION_BACKEND="stdout", ROUNDS_COLOR="never")
    return env


def rounds(db, *args, ok=(0,)):
    cmd = [os.environ["E2E_ROUNDS_BIN"], *args, "--db", db]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=rounds_env())
    if ok is not None and proc.returncode not in ok:
        raise Failure(
            f"`{' '.join(cmd[1:])}` exited {proc.returncode} (wanted {ok})\n"
            f"--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n{proc.stderr[-2000:]}"
        )
    return proc


def rounds_json(db, *args):
    out = rounds(db, *args).stdout
    try:
        doc = json.loads(out)
    except json.JSONDecodeError as err:
        raise Failure(f"`rounds {' '.join(args)}` did not print JSON ({err}): {out[:500]!r}") from err
    if not isinstance(doc, dict) or "version" not in doc:
        raise Failure(f"`rounds {' '.join(args)}`: --json output lacks the top-level `version` field")
    return doc


def list_signatures(db):
    doc = rounds_json(db, "list", "--json")
    sigs = doc.get("signatures")
    if not isinstance(sigs, list):
        raise Failure(f"`rounds list --json` has no `signatures` array: {json.dumps(doc)[:500]}")
    return {s["id"]: s for s in sigs}


def values_under(doc, key):
    """Every value stored under `key` anywhere in a JSON document (show's layout may nest events)."""
    found = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == key:
                found.append(v)
            found.extend(values_under(v, key))
    elif isinstance(doc, list):
        for item in doc:
            found.extend(values_under(item, key))
    return found


def show(db, sig_id):
    doc = rounds_json(db, "show", sig_id, "--json")
    sig = doc.get("signature", doc)
    trace_ids = {t for t in values_under(doc, "trace_id") if isinstance(t, str) and t}
    return doc, sig, trace_ids


def load(paths):
    groups = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            exp = json.load(fh)
        for s in exp["signatures"]:
            key = (s["service"], s["exception_type"], s["function"])
            g = groups.setdefault(key, {"service": s["service"], "exception_type": s["exception_type"],
                                        "function": s["function"], "file": s["file"], "count": 0,
                                        "trace_ids": set()})
            g["count"] += s["count"]
            g["trace_ids"].update(s["trace_ids"])
        for e in exp["error_spans_without_exception"]:
            key = (e["service"], None, e["span_name"])
            g = groups.setdefault(key, {"service": e["service"], "exception_type": None,
                                        "function": None, "file": None, "count": 0, "trace_ids": set()})
            g["count"] += 1
            g["trace_ids"].add(e["trace_id"])
    return groups


def type_matches(got, want):
    # Rounds may keep the SDK's qualified name or shorten it to the class name.
    return got == want or got == want.rsplit(".", 1)[-1] or want.endswith("." + got)


def match(db, expected_paths):
    """Maps every stored signature to exactly one expected bug and checks its details; returns the map."""
    groups = load(expected_paths)
    sigs = list_signatures(db)
    by_trace = {tid: key for key, g in groups.items() for tid in g["trace_ids"]}
    mapping, problems = {}, []
    for sig_id, listed in sigs.items():
        doc, sig, tids = show(db, sig_id)
        keys = {by_trace.get(t) for t in tids}
        if not tids:
            problems.append(f"{sig_id}: `show --json` lists no trace ids")
            continue
        if None in keys or len(keys) != 1:
            problems.append(f"{sig_id}: its trace ids belong to {len(keys)} expected bugs or none: {sorted(tids)}")
            continue
        key = keys.pop()
        g = groups[key]
        if key in mapping.values():
            problems.append(f"{sig_id}: bug {key} is split over several signatures")
        mapping[sig_id] = key
        count = listed.get("count", sig.get("count"))
        if count != g["count"]:
            problems.append(f"{sig_id} {key}: count {count}, expected {g['count']}")
        if not tids <= g["trace_ids"]:
            problems.append(f"{sig_id}: unknown trace ids {sorted(tids - g['trace_ids'])}")
        if len(tids) >= g["count"] and tids != g["trace_ids"]:
            problems.append(f"{sig_id}: trace ids {sorted(tids)} != expected {sorted(g['trace_ids'])}")
        services = sig.get("services") or listed.get("services") or []
        if services != [g["service"]]:
            problems.append(f"{sig_id} {key}: services {services}, expected [{g['service']!r}]")
        exc_type = sig.get("exception_type") or ""
        if g["exception_type"] is not None and not type_matches(exc_type, g["exception_type"]):
            problems.append(f"{sig_id} {key}: exception type {exc_type!r}, expected {g['exception_type']!r}")
        if g["function"] is not None:
            frames = sig.get("key_frames") or []
            inner = frames[0] if frames else {}
            if inner.get("function") != g["function"] or not (inner.get("file") or "").endswith("/" + g["file"]):
                problems.append(f"{sig_id} {key}: innermost key frame {inner or None}, "
                                f"expected {g['function']!r} in {g['file']!r}")
    missing = [k for k in groups if k not in mapping.values()]
    for k in missing:
        problems.append(f"expected bug {k} ({groups[k]['count']} events) has no signature")
    if problems:
        raise Failure("signatures differ from what the SDK emitted:\n  " + "\n  ".join(problems))
    return mapping, sigs


def cursor_snapshot(db):
    """The rows of every table whose name mentions a cursor (the store's schema is not our contract)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        cursor_tables = [t for t in tables if "cursor" in t.lower()]
        if not cursor_tables:
            raise Failure(f"{db}: no cursor table among {tables}")
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in cursor_tables}
    finally:
        con.close()


def counts(sigs):
    return {i: s.get("count") for i, s in sigs.items()}


def cmd_first_poll(a):
    rounds(a.db, "poll")
    mapping, _ = match(a.db, a.expected)
    print(f"rounds_check: first poll: {len(mapping)} signatures, counts match emit.py", file=sys.stderr)


def cmd_repoll(a):
    before = counts(list_signatures(a.db))
    help_text = rounds(a.db, "poll", "--help").stdout
    # Re-read well before the cursor so the window overlaps everything already counted (the
    # default overlap of a few minutes already does, as all of it was emitted seconds ago).
    args = ["poll", "--overlap-minutes", "120"] if "--overlap-minutes" in help_text else ["poll"]
    rounds(a.db, *args)
    after = counts(list_signatures(a.db))
    if after != before:
        raise Failure(f"`rounds {' '.join(args)}` over an overlapping window changed counts: {before} -> {after}")
    match(a.db, a.expected)
    print(f"rounds_check: re-poll `{' '.join(args)}` counted nothing twice", file=sys.stderr)


def cmd_show(a):
    mapping, _ = match(a.db, a.expected)
    print(f"rounds_check: show: services, types, innermost frames and trace ids right for {len(mapping)} signatures",
          file=sys.stderr)


def cmd_check(a):
    before = cursor_snapshot(a.db)
    proc = rounds(a.db, "poll", "--check")
    said = proc.stdout + proc.stderr
    groups = load(a.expected)
    missing = sorted(svc for svc in {g["service"] for g in groups.values()} if svc not in said)
    if missing:
        raise Failure(f"`poll --check` did not list the services {missing}:\n{said[:1000]}")
    if cursor_snapshot(a.db) != before:
        raise Failure("`poll --check` moved the cursor; it must write nothing")
    print(f"rounds_check: `poll --check` ok and lists every service", file=sys.stderr)


def cmd_unavailable(a):
    cur, sigs = cursor_snapshot(a.db), counts(list_signatures(a.db))
    if not any(cur.values()):
        raise Failure("no cursor was recorded by the successful polls before Jaeger stopped")
    want = (a.want,) if a.want else UNAVAILABLE_CODES
    proc = rounds(a.db, "poll", ok=None)
    if proc.returncode not in want:
        raise Failure(f"`rounds poll` with Jaeger down exited {proc.returncode}, expected one of {want}\n{proc.stderr}")
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    if cursor_snapshot(a.db) != cur:
        raise Failure("a failed poll moved the cursor")
    if counts(list_signatures(a.db)) != sigs:
        raise Failure("a failed poll changed signature counts")
    print(f"rounds_check: Jaeger down -> exit {proc.returncode}, cursor unchanged; stderr: {lines[-1:]}",
          file=sys.stderr)


def cmd_catch_up(a):
    before, cur = set(list_signatures(a.db)), cursor_snapshot(a.db)
    rounds(a.db, "poll")
    if cursor_snapshot(a.db) == cur:
        raise Failure("the poll after Jaeger came back did not move the cursor")
    mapping, sigs = match(a.db, a.expected)
    if set(sigs) != before:
        raise Failure(f"new occurrences of the same bugs made new signatures: {sorted(set(sigs) - before)}")
    print(f"rounds_check: after restart, counts caught up ({sum(counts(sigs).values())} events)", file=sys.stderr)


def cmd_same_signatures(a):
    first, *others = (counts(list_signatures(db)) for db in a.db)
    for db, other in zip(a.db[1:], others):
        if other != first:
            raise Failure(f"{a.db[0]} and {db} hold different signatures or counts: {first} vs {other}")
    print(f"rounds_check: all {len(a.db)} API settings gave the same {len(first)} signatures and counts",
          file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    for name, fn in [("first-poll", cmd_first_poll), ("repoll", cmd_repoll), ("show", cmd_show),
                     ("check", cmd_check), ("unavailable", cmd_unavailable), ("catch-up", cmd_catch_up),
                     ("same-signatures", cmd_same_signatures)]:
        p = sub.add_parser(name)
        p.set_defaults(fn=fn)
        p.add_argument("--db", required=True, action="append" if name == "same-signatures" else "store")
        if name == "unavailable":
            p.add_argument("--want", type=int, help="the one exit code expected (default: 69 or 75)")
        if name != "same-signatures":
            p.add_argument("--expected", required=True, action="append")
    args = parser.parse_args()
    try:
        args.fn(args)
    except Failure as err:
        print(f"rounds_check: FAIL ({args.step}): {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
