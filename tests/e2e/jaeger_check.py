#!/usr/bin/env python3
"""Check, with Jaeger's own query APIs, that what emit.py exported is stored and searchable.

This proves the Jaeger + SDK half independently of rounds: every expected exception must come back from
both the v1 search API (/api/traces, tags error=true) and api/v3 (/api/v3/traces), with the right service,
span, exception type and trace id. With --capture it also saves one real response body of each API.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

WAIT_SECONDS = 20  # the batch processor stores spans a little after the OTLP request returns


def get(url):
    """Returns (status, body bytes); HTTP errors are answers too (api/v3 says 404 for 'no traces')."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def v1_search(query, service, start_us, end_us, tags=None):
    # No tag filter by default: on Jaeger v2.13 memory storage `tags={"error":"true"}` matches spans
    # whose status is OK (the string "true" is read with Value.Bool(), which is false for strings),
    # so error spans must be picked client-side. `tags` is only used to record that behaviour.
    params = {
        "service": service,
        "start": str(start_us),
        "end": str(end_us),
        "limit": "1000",
    }
    if tags is not None:
        params["tags"] = json.dumps(tags)
    url = f"{query}/api/traces?{urllib.parse.urlencode(params)}"
    status, body = get(url)
    if status != 200:
        raise SystemExit(f"jaeger_check: GET {url} answered {status}: {body[:300]!r}")
    return url, body, json.loads(body)


def rfc3339(us):
    secs, micros = divmod(us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{micros:06d}Z"


def v3_search(query, service, start_us, end_us):
    # num_traces is required in practice: without it v2.13 answers HTTP 500 "search depth must be
    # greater than 0 and less than max traces". query.attributes is ignored by this version's HTTP
    # gateway (all traces come back), so it is not sent; errors are picked client-side.
    params = {
        "query.service_name": service,
        "query.start_time_min": rfc3339(start_us),
        "query.start_time_max": rfc3339(end_us),
        "query.num_traces": "1000",
    }
    url = f"{query}/api/v3/traces?{urllib.parse.urlencode(params)}"
    status, body = get(url)
    if status == 404:
        return url, body, {"result": {"resourceSpans": []}}
    if status != 200:
        raise SystemExit(f"jaeger_check: GET {url} answered {status}: {body[:300]!r}")
    return url, body, json.loads(body)


def v1_error_spans(doc):
    """Yields (trace id, service, span name, exception types) for spans tagged error=true."""
    for trace in doc.get("data") or []:
        procs = trace.get("processes") or {}
        for span in trace.get("spans") or []:
            tags = {t["key"]: t.get("value") for t in span.get("tags") or []}
            if tags.get("error") is not True:
                continue
            types = []
            for entry in span.get("logs") or []:
                fields = {f["key"]: f.get("value") for f in entry.get("fields") or []}
                if fields.get("event") == "exception":
                    types.append(fields.get("exception.type"))
            service = (procs.get(span.get("processID")) or {}).get("serviceName")
            yield span["traceID"], service, span["operationName"], types


def v3_value(any_value):
    return next(iter(any_value.values()), None) if any_value else None


def v3_error_spans(doc):
    """Yields (trace id, service, span name, exception types, status code) for every span."""
    for rs in (doc.get("result") or {}).get("resourceSpans") or []:
        res = {a["key"]: v3_value(a.get("value")) for a in (rs.get("resource") or {}).get("attributes") or []}
        for ss in rs.get("scopeSpans") or []:
            for span in ss.get("spans") or []:
                types = []
                for ev in span.get("events") or []:
                    if ev.get("name") == "exception":
                        attrs = {a["key"]: v3_value(a.get("value")) for a in ev.get("attributes") or []}
                        types.append(attrs.get("exception.type"))
                code = (span.get("status") or {}).get("code")
                yield span["traceId"], res.get("service.name"), span["name"], types, code


def expected_spans(exp):
    """(trace id, service, span name) -> list of exception types, for every expected error span."""
    want = {}
    for sig in exp["signatures"]:
        for tid in sig["trace_ids"]:
            want[(tid, sig["service"], sig["span_name"])] = [sig["exception_type"]]
    for e in exp["error_spans_without_exception"]:
        want[(e["trace_id"], e["service"], e["span_name"])] = []
    return want


def services(exp):
    return sorted({s["service"] for s in exp["signatures"]} | {e["service"] for e in exp["error_spans_without_exception"]})


def collect(exp, query, api):
    start_us, end_us = exp["started_us"] - 60_000_000, exp["ended_us"] + 60_000_000
    got, bodies, ok_seen = {}, {}, 0
    for service in services(exp):
        if api == "v1":
            url, body, doc = v1_search(query, service, start_us, end_us)
            for tid, svc, name, types in v1_error_spans(doc):
                got[(tid, svc, name)] = types
            ok_seen += sum(1 for t in doc.get("data") or [] if t["traceID"] in exp["ok_trace_ids"])
        else:
            url, body, doc = v3_search(query, service, start_us, end_us)
            for tid, svc, name, types, code in v3_error_spans(doc):
                if code in (2, "STATUS_CODE_ERROR"):
                    got[(tid, svc, name)] = types
                if tid in exp["ok_trace_ids"]:
                    ok_seen += 1
        bodies[service] = (url, body)
    return got, bodies, ok_seen


def save_capture(capture_dir, api, service, url, body, exp, status=200):
    os.makedirs(capture_dir, exist_ok=True)
    name = {
        "v1": "jaeger-v2.13.0_api_traces_search.json",
        "v3": "jaeger-v2.13.0_api_v3_traces_search.json",
        "v1-error-tag": "jaeger-v2.13.0_api_traces_search_tags_error_true.json",
        "v3-no-match": "jaeger-v2.13.0_api_v3_traces_404_no_match.json",
        "v3-no-num-traces": "jaeger-v2.13.0_api_v3_traces_500_without_num_traces.json",
    }[api]
    path = os.path.join(capture_dir, name)
    with open(path, "wb") as fh:
        fh.write(json.dumps(json.loads(body), indent=2).encode() + b"\n")
    note = os.path.join(capture_dir, "PROVENANCE.txt")
    request = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
    block = (
        f"{name}\n"
        f"  Real response body (re-indented, content unchanged) captured {time.strftime('%Y-%m-%d %H:%M:%SZ', time.gmtime())}\n"
        f"  from Jaeger built from github.com/jaegertracing/jaeger@v1.76.0 (= Jaeger v2.13.0), memory storage,\n"
        f"  config tests/e2e/jaeger-config.yaml, by tests/e2e/jaeger.sh --capture.\n"
        f"  Data: spans exported by tests/e2e/emit.py with opentelemetry-sdk/exporter-otlp-proto-http 1.45.2 (Python)\n"
        f"  over OTLP/HTTP protobuf; service {service!r}.\n"
        f"  Request: GET {request}  ->  HTTP {status}\n"
        f"  (host and port left out: they are picked free per run)\n"
    )
    blocks = []
    if os.path.exists(note):
        with open(note, encoding="utf-8") as fh:
            blocks = [b.strip("\n") + "\n" for b in fh.read().split("\n\n") if b.strip()]
    blocks = [b for b in blocks if not b.startswith(name + "\n")] + [block]
    with open(note, "w", encoding="utf-8") as fh:
        fh.write("\n".join(blocks))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", required=True, help="Jaeger query base URL, e.g. http://127.0.0.1:16686")
    parser.add_argument("--expected", required=True, help="JSON written by emit.py")
    parser.add_argument("--capture", help="directory to save one real v1 and one real v3 response body")
    args = parser.parse_args()
    with open(args.expected, encoding="utf-8") as fh:
        exp = json.load(fh)
    want = expected_spans(exp)

    for api in ("v1", "v3"):
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            got, bodies, ok_seen = collect(exp, args.query, api)
            missing = [k for k in want if k not in got]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        if missing:
            raise SystemExit(f"jaeger_check: {api}: {len(missing)} expected error span(s) never appeared, e.g. {missing[0]}")
        wrong = [(k, got[k], v) for k, v in want.items() if got[k] != v]
        if wrong:
            raise SystemExit(f"jaeger_check: {api}: exception types differ (key, got, want): {wrong[:3]}")
        extra = [k for k in got if k not in want]
        if extra:
            raise SystemExit(f"jaeger_check: {api}: unexpected error spans: {extra[:3]}")
        print(f"jaeger_check: {api}: all {len(want)} error spans found with the right exception types"
              f" (unfiltered search also returned {ok_seen} healthy trace(s))", file=sys.stderr)
        if args.capture:
            service = "inventory-svc" if "inventory-svc" in bodies else next(iter(bodies))
            url, body = bodies[service]
            print(f"jaeger_check: saved {save_capture(args.capture, api, service, url, body, exp)}", file=sys.stderr)
    observe_error_tag(exp, args.query, args.capture)
    if args.capture:
        capture_v3_errors(exp, args.query, args.capture)
    return 0


def capture_v3_errors(exp, query, capture):
    """Saves api/v3's real answers for 'no match' (404) and a search without num_traces (500)."""
    start, end = rfc3339(exp["started_us"] - 60_000_000), rfc3339(exp["ended_us"] + 60_000_000)
    cases = [
        ("v3-no-match", 404, {"query.service_name": "no-such-service", "query.start_time_min": start,
                              "query.start_time_max": end, "query.num_traces": "10"}),
        ("v3-no-num-traces", 500, {"query.service_name": "inventory-svc", "query.start_time_min": start,
                                   "query.start_time_max": end}),
    ]
    for kind, want, params in cases:
        url = f"{query}/api/v3/traces?{urllib.parse.urlencode(params)}"
        status, body = get(url)
        if status != want:
            print(f"jaeger_check: observed: {kind} answered HTTP {status}, not {want}", file=sys.stderr)
        print(f"jaeger_check: saved {save_capture(capture, kind, params['query.service_name'], url, body, exp, status)}",
              file=sys.stderr)


def observe_error_tag(exp, query, capture):
    """Reports (does not assert) what the v1 server-side filter tags={"error":"true"} returns."""
    start_us, end_us = exp["started_us"] - 60_000_000, exp["ended_us"] + 60_000_000
    error_traces = {t for s in exp["signatures"] for t in s["trace_ids"]}
    error_traces |= {e["trace_id"] for e in exp["error_spans_without_exception"]}
    returned = set()
    for service in services(exp):
        url, body, doc = v1_search(query, service, start_us, end_us, tags={"error": "true"})
        returned |= {t["traceID"] for t in doc.get("data") or []}
        if capture and service == "inventory-svc":
            save_capture(capture, "v1-error-tag", service, url, body, exp)
    print(f"jaeger_check: observed: v1 tags={{\"error\":\"true\"}} returned {len(returned & error_traces)} of "
          f"{len(error_traces)} error traces and {len(returned - error_traces)} other trace(s)", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
