#!/usr/bin/env python3
"""Writes a deterministic OTLP/JSON Lines bench corpus shaped like issue 15's: N error spans over
2,000 bugs in 20 services, five languages (Python, Java, Go, Node.js, .NET stacks as the project's
parsers read them), 8-40 frame stacks, ~300 spans per line (document), ~4.3 KB per event, and
deploy-driven line changes (every bug's line numbers move at each of its service's deploys, so a
stack repeats exactly only within one deploy).

usage: scripts/gen-bench-corpus.py EVENTS OUT.jsonl [--seed N]
The same EVENTS and seed always produce the same bytes (random.Random, no clock, no hash order).
"""
import argparse
import json
import random
import sys

LANGS = ["python", "java", "go", "node", "dotnet"]
SERVICES = [f"svc-{i:02d}" for i in range(20)]
BUGS = 2000
SPANS_PER_DOC = 300
DEPLOYS = 12  # deploys per service over the corpus


def make_bugs(rng):
    bugs = []
    for i in range(BUGS):
        lang = LANGS[i % len(LANGS)]
        depth = 8 + rng.randrange(33)
        frames = [(f"app.module{i % 97}.part{d % 13}", f"handler_{i}_{d}", 10 + rng.randrange(400))
                  for d in range(depth)]
        ty = {
            "python": f"ValueError{i % 7}",
            "java": f"com.acme.errors.Failure{i % 11}Exception",
            "go": "runtime.Error",
            "node": "TypeError",
            "dotnet": f"System.InvalidOperationException{i % 5}",
        }[lang]
        bugs.append({"service": SERVICES[i % len(SERVICES)], "lang": lang, "ty": ty,
                     "message": "failed to process order {} for user {} in step %d" % i,
                     "frames": frames})
    return bugs


def stack(bug, shift):
    out = []
    fr = bug["frames"]
    lang = bug["lang"]
    if lang == "python":
        out.append("Traceback (most recent call last):")
        for m, f, l in reversed(fr):
            out.append(f'  File "/srv/{m.replace(".", "/")}.py", line {l + shift}, in {f}')
            out.append(f"    result = {f}(request, context)")
        out.append(f"{bug['ty']}: {bug['message']}")
    elif lang == "java":
        out.append(f"{bug['ty']}: {bug['message']}")
        for m, f, l in fr:
            out.append(f"\tat {m}.{f}({f}.java:{l + shift})")
    elif lang == "dotnet":
        out.append(f"{bug['ty']}: {bug['message']}")
        for m, f, l in fr:
            out.append(f"   at Acme.{m.title()}.{f}(String id) in /src/{m.replace('.', '/')}.cs:line {l + shift}")
    elif lang == "go":
        out.append(f"panic: {bug['message']}")
        out.append("")
        out.append("goroutine 1 [running]:")
        for m, f, l in fr:
            out.append(f"{m}.{f}(0xc000010000, 0x{l:x})")
            out.append(f"\t/src/{m.replace('.', '/')}.go:{l + shift} +0x{l * 3:x}")
    else:
        out.append(f"{bug['ty']}: {bug['message']}")
        for m, f, l in fr:
            out.append(f"    at {f} (/srv/app/{m.replace('.', '/')}.js:{l + shift}:{l % 80})")
    return "\n".join(out) + "\n"


def sattr(k, v):
    return {"key": k, "value": {"stringValue": v}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("events", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=15)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    bugs = make_bugs(rng)
    by_service = {s: [b for b in bugs if b["service"] == s] for s in SERVICES}
    # Zipf(1.1) over each service's bugs.
    weights = [1.0 / (r ** 1.1) for r in range(1, BUGS // len(SERVICES) + 1)]
    t0 = 1_795_600_800_000_000_000
    n = 0
    with open(a.out, "w", encoding="utf-8") as out:
        while n < a.events:
            svc = SERVICES[rng.randrange(len(SERVICES))]
            deploy = n * DEPLOYS // max(a.events, 1)
            per = min(SPANS_PER_DOC, a.events - n)
            picks = rng.choices(by_service[svc], weights=weights, k=per)
            spans = []
            for b in picks:
                t = t0 + n * 1_000_000
                order = rng.randrange(10_000_000)
                user = rng.randrange(100_000)
                msg = b["message"].replace("{}", f"ORD-{order}", 1).replace("{}", f"user{user}", 1)
                # A deploy moves some bugs' lines (a deterministic function of bug and deploy).
                shift = (hash_int(id_of(b), deploy) % 4) * 7
                spans.append({
                    "traceId": "%032x" % rng.getrandbits(128),
                    "spanId": "%016x" % rng.getrandbits(64),
                    "name": f"POST /api/{svc}", "kind": 2,
                    "startTimeUnixNano": str(t), "endTimeUnixNano": str(t + 5_000_000),
                    "status": {"code": 2},
                    "attributes": [
                        sattr("http.request.method", "POST"),
                        {"key": "http.response.status_code", "value": {"intValue": "500"}},
                        sattr("http.url", f"https://{svc}.internal.example.com:8443/api/v2/orders/ORD-{order}/items?expand=pricing,inventory&currency=EUR&trace=1"),
                        sattr("http.user_agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 checkout-web/4.12.0"),
                        sattr("net.peer.name", f"ip-10-0-{rng.randrange(255)}-{rng.randrange(255)}.eu-west-1.compute.internal"),
                        sattr("db.system", "postgresql"),
                        sattr("db.statement", f"SELECT o.id, o.customer_id, o.status, o.created_at, i.sku, i.quantity, i.unit_price, p.list_price, p.currency, c.segment, c.country FROM orders o JOIN order_items i ON i.order_id = o.id JOIN prices p ON p.sku = i.sku WHERE o.id = {order} AND o.tenant_id = {rng.randrange(100)} ORDER BY i.position LIMIT 500"),
                        sattr("enduser.id", f"user{user}"),
                        sattr("thread.name", f"http-nio-8443-exec-{rng.randrange(200)}"),
                        sattr("code.namespace", f"com.acme.{svc}.api.OrdersController"),
                        sattr("http.request.header.baggage", f"tenant.id={rng.randrange(100)},session.id={rng.getrandbits(64):016x},experiment=checkout-v{rng.randrange(9)},region=eu-west-1,cart.items={rng.randrange(40)},loyalty.tier=gold,ab.bucket={rng.randrange(1000)},client.build=4.12.0-{rng.getrandbits(32):08x}"),
                    ],
                    "events": [{"name": "exception", "timeUnixNano": str(t), "attributes": [
                        sattr("exception.type", b["ty"]),
                        sattr("exception.message", msg),
                        sattr("exception.stacktrace", stack(b, shift)),
                    ]}],
                })
                n += 1
            doc = {"resourceSpans": [{"resource": {"attributes": [
                sattr("service.name", svc),
                sattr("service.version", f"1.{deploy}.0"),
                sattr("host.name", f"ip-10-0-{rng.randrange(255)}-{rng.randrange(255)}"),
            ]}, "scopeSpans": [{"spans": spans}]}]}
            out.write(json.dumps(doc, separators=(",", ":")))
            out.write("\n")


def id_of(bug):
    return int(bug["frames"][0][1].split("_")[1])


def hash_int(a, b):
    # A fixed integer mix (Python's hash() of str is salted per process; this is not).
    x = (a * 0x9E3779B1 + b * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    return (x * 0x2C1B3C6D) & 0xFFFFFFFF


if __name__ == "__main__":
    sys.exit(main())
