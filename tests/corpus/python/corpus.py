#!/usr/bin/env python3
"""Raise real Python exceptions through the real OpenTelemetry SDK and write OTLP/JSON plus labels.

Usage: corpus.py OUT_PREFIX RELEASE. Writes OUT_PREFIX.json (one Collector file-exporter line per
span batch) and OUT_PREFIX.labels.jsonl ({"trace_id", "span_id", "bug"} for every span that carries
an exception event). The label is the bug the program knows it ran; nothing is typed in afterwards.
A second release is this file with lines inserted at the SHIFT markers (tests/corpus/generate.sh).
"""

import ipaddress
import json
import random
import sys
import threading

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Status, StatusCode

# SHIFT


class MemoryExporter(SpanExporter):
    """Keeps finished spans; serialised to OTLP/JSON at the end."""

    def __init__(self):
        self.spans = []

    def export(self, spans):
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS


def value(v):
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    return {"stringValue": str(v)}


def attrs(d):
    return [{"key": k, "value": value(v)} for k, v in (d or {}).items()]


def otlp_line(span):
    ctx = span.context
    out = {
        "traceId": format(ctx.trace_id, "032x"),
        "spanId": format(ctx.span_id, "016x"),
        "name": span.name,
        "kind": span.kind.value + 1,
        "startTimeUnixNano": str(span.start_time),
        "endTimeUnixNano": str(span.end_time),
        "attributes": attrs(span.attributes),
        "events": [
            {"timeUnixNano": str(e.timestamp), "name": e.name, "attributes": attrs(e.attributes)}
            for e in span.events
        ],
        "status": {"code": {StatusCode.UNSET: 0, StatusCode.OK: 1, StatusCode.ERROR: 2}[span.status.status_code]},
    }
    if span.parent is not None:
        out["parentSpanId"] = format(span.parent.span_id, "016x")
    if span.status.description:
        out["status"]["message"] = span.status.description
    return {
        "resourceSpans": [{
            "resource": {"attributes": attrs(dict(span.resource.attributes))},
            "scopeSpans": [{"scope": {"name": span.instrumentation_scope.name}, "spans": [out]}],
        }]
    }


# ---------------------------------------------------------------- the application's bugs
USERS = {"u-1": {"name": "ada"}}
CARTS = {"c-1": {"items": []}}


def parse_order(body):
    # Bug py.parse_order: one json.loads call site, several parser messages.
    return json.loads(body)


def get_profile(user_id):
    # Bug py.profile_keyerror: KeyError with an id ...
    return USERS[user_id]


# SHIFT
def get_cart(cart_id):
    # Bug py.cart_keyerror: ... and the same type and message shape from another call site.
    return CARTS[cart_id]


def discount(total, count):
    # Bug py.zero_division
    return total / count


def load_config(host, port):
    # Bug py.multiline: a message over several lines, one of them looking like a frame.
    raise ValueError(
        f"invalid upstream {host}:{port}\n"
        f'  File "/etc/shop/upstreams.conf", line {port % 50}, in section\n'
        "  expected a port below 1024"
    )


# SHIFT
def reserve(sku, qty):
    # Bug py.child_parent: raised in the child span, recorded there and again on the parent.
    if qty > 5:
        raise RuntimeError(f"cannot reserve {qty} of {sku}: only 5 left")


def main():
    prefix, release = sys.argv[1], sys.argv[2]
    rng = random.Random(1000)  # the same inputs in both releases: only lines move
    exporter = MemoryExporter()
    provider = TracerProvider(resource=Resource.create(
        {"service.name": "shop-py", "service.version": f"1.{release}.0"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("corpus.python")
    labels = {}

    def caught(bug, name, fn, *args):
        with tracer.start_as_current_span(name, record_exception=False, set_status_on_exception=False) as span:
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 (every bug here is an exception)
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, str(exc).splitlines()[0]))
                labels[span.get_span_context().span_id] = (span.get_span_context().trace_id, bug)

    def library_only(bug, name, fn, arg):
        # The exception is raised and caught with library frames only (a thread whose target is a
        # standard-library function): no application frame is on the recorded stack.
        seen = []
        hook = threading.excepthook
        threading.excepthook = lambda a: seen.append(a.exc_value)
        t = threading.Thread(target=fn, args=(arg,))
        t.start()
        t.join()
        threading.excepthook = hook
        with tracer.start_as_current_span(name) as span:
            span.record_exception(seen[0])
            span.set_status(Status(StatusCode.ERROR, str(seen[0])))
            labels[span.get_span_context().span_id] = (span.get_span_context().trace_id, bug)

    for i in range(12):
        n = rng.randint(2, 99999)
        bad = rng.choice(["", f"{{\"id\": {n}}} {n}", f"{{'id': {n}}}", f"[{n},", f"{n}x"])
        caught("py.parse_order", "POST /orders", parse_order, bad)
        caught("py.profile_keyerror", "GET /users/{id}", get_profile, f"u-{n}")
        caught("py.cart_keyerror", "GET /carts/{id}", get_cart, f"c-{n}")
        caught("py.zero_division", "GET /discount", discount, n, 0)
        caught("py.multiline", "POST /upstreams", load_config,
               f"10.{n % 256}.{i}.{n % 7}", 1024 + n % 9000)
        library_only("py.lib_json", "worker json", json.loads, f"{{{n}")
        library_only("py.lib_ip", "worker ip", ipaddress.ip_address, f"host-{n}.internal")
        try:
            # Both context managers record the one exception: on the child, then on the parent.
            with tracer.start_as_current_span("POST /reserve") as parent:
                with tracer.start_as_current_span("reserve stock") as child:
                    reserve(f"sku-{n}", 6 + n % 40)
        except RuntimeError:
            pass
        for s in (child, parent):
            labels[s.get_span_context().span_id] = (s.get_span_context().trace_id, "py.child_parent")

    provider.force_flush()
    with open(prefix + ".json", "w") as f:
        for s in exporter.spans:
            f.write(json.dumps(otlp_line(s), separators=(",", ":")) + "\n")
    with open(prefix + ".labels.jsonl", "w") as f:
        for span_id, (trace_id, bug) in sorted(labels.items()):
            f.write(json.dumps({"trace_id": format(trace_id, "032x"), "span_id": format(span_id, "016x"),
                                "bug": bug}) + "\n")


if __name__ == "__main__":
    main()
