#!/usr/bin/env python3
"""Emit real error telemetry with the OpenTelemetry Python SDK and write the signatures rounds must find.

Every failure here is a real Python exception raised by the small `shop` package next to this file and
recorded by the SDK (either by `start_as_current_span`'s own exception handling or by an explicit
`span.record_exception` + `set_status(ERROR)`), exported over OTLP/HTTP (protobuf) to a collector such as
Jaeger, then force-flushed. The expected-signature JSON written to --out is built from what actually ran
(trace ids read back from the spans, counts from the loop), never typed in by hand.
"""

import argparse
import json
import os
import random
import sys
import time

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, Status, StatusCode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shop import billing, checkout, inventory  # noqa: E402  (path set just above)

SERVICES = ("checkout-api", "inventory-svc", "billing-worker")


class CountingExporter(SpanExporter):
    """Delegates to the OTLP exporter and remembers whether every batch was accepted."""

    def __init__(self, inner):
        self.inner = inner
        self.exported = 0
        self.failed = 0

    def export(self, spans):
        result = self.inner.export(spans)
        if result is SpanExportResult.SUCCESS:
            self.exported += len(spans)
        else:
            self.failed += len(spans)
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return self.inner.force_flush(timeout_millis)


def scenarios(rng):
    """Each bug: (service, root span, child span, recording style, call, module, function, occurrences).

    Messages vary per occurrence (ids, numbers) so only templating can group them; the code path
    (innermost function) and exception type are what make a bug distinct.
    """
    return [
        ("checkout-api", "GET /carts/{id}", "load cart", "auto",
         lambda: checkout.handle_get_cart(f"cart-{rng.randint(1000, 99999)}"),
         checkout, "lookup_cart", 3),
        ("checkout-api", "POST /carts/{id}/items", "parse request", "manual",
         lambda: checkout.handle_add_item(f"{rng.randint(1, 99)}x{rng.randint(1, 9)}"),
         checkout, "parse_quantity", 2),
        ("inventory-svc", "ReserveStock", "reserve", "manual",
         lambda: inventory.handle_reserve(f"{rng.randint(1000, 9999)}", rng.randint(5, 50), rng.randint(0, 4)),
         inventory, "reserve_stock", 4),
        ("inventory-svc", "StockReport", "compute fill ratio", "auto",
         lambda: inventory.handle_report(rng.randint(1, 500), 0),
         inventory, "fill_ratio", 2),
        ("billing-worker", "charge", "call gateway", "manual",
         lambda: billing.process_charge(rng.randint(10000, 999999), rng.randint(3000, 3999)),
         billing, "charge_card", 3),
        ("billing-worker", "invoice line", "parse amount", "auto",
         lambda: billing.process_invoice_line(f"{rng.randint(1, 999)},{rng.randint(10, 99)}"),
         billing, "parse_amount", 2),
    ]


def hex_trace_id(span):
    return format(span.get_span_context().trace_id, "032x")


def run_one(tracer, root_name, child_name, style, call):
    """Runs one request; returns (trace id, exception type as the SDK records it, message)."""
    caught = {}
    with tracer.start_as_current_span(root_name, kind=SpanKind.SERVER) as root:
        trace_id = hex_trace_id(root)
        if style == "auto":
            # The SDK records the exception and sets ERROR itself as the exception leaves the span.
            try:
                with tracer.start_as_current_span(child_name):
                    call()
            except Exception as exc:  # noqa: BLE001  (the request handler turns it into a 500)
                caught["exc"] = exc
        else:
            with tracer.start_as_current_span(
                child_name, record_exception=False, set_status_on_exception=False
            ) as child:
                try:
                    call()
                except Exception as exc:  # noqa: BLE001
                    child.record_exception(exc)
                    child.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
                    caught["exc"] = exc
        # The root stays unset/OK: only the span where the exception happened is an error span.
        root.set_attribute("http.response.status_code", 500 if caught else 200)
    exc = caught.get("exc")
    if exc is None:
        raise RuntimeError(f"scenario {root_name!r} did not raise; the fake shop is broken")
    module = type(exc).__module__
    qualname = type(exc).__qualname__
    exc_type = f"{module}.{qualname}" if module and module != "builtins" else qualname
    return trace_id, exc_type, str(exc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="OTLP/HTTP base URL, e.g. http://127.0.0.1:4318")
    parser.add_argument("--out", required=True, help="where to write the expected signatures (JSON)")
    parser.add_argument("--seed", type=int, default=None, help="seed for ids in messages (default: time)")
    parser.add_argument("--repeat", type=int, default=1, help="multiply every bug's occurrences")
    parser.add_argument("--phase", default="first", help="label stored in the output")
    args = parser.parse_args()

    rng = random.Random(args.seed if args.seed is not None else time.time_ns())
    started_us = time.time_ns() // 1000

    providers, exporters, tracers = {}, {}, {}
    for service in SERVICES:
        exporter = CountingExporter(OTLPSpanExporter(endpoint=f"{args.endpoint.rstrip('/')}/v1/traces", timeout=10))
        provider = TracerProvider(resource=Resource.create({"service.name": service, "service.version": "1.4.2"}))
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=200))
        providers[service], exporters[service] = provider, exporter
        tracers[service] = provider.get_tracer(f"shop.{service}", "0.1.0")

    signatures, spans_sent = [], 0
    for service, root_name, child_name, style, call, module, function, occurrences in scenarios(rng):
        sig = {
            "service": service,
            "exception_type": None,
            "function": function,
            "file": os.path.basename(module.__file__),
            "root_span": root_name,
            "span_name": child_name,
            "recorded_by": "start_as_current_span" if style == "auto" else "span.record_exception",
            "count": 0,
            "trace_ids": [],
            "messages": [],
        }
        for _ in range(occurrences * args.repeat):
            trace_id, exc_type, message = run_one(tracers[service], root_name, child_name, style, call)
            sig["exception_type"] = exc_type
            sig["count"] += 1
            sig["trace_ids"].append(trace_id)
            sig["messages"].append(message)
            spans_sent += 2
        signatures.append(sig)

    # An error span with no exception event: a status set from an upstream answer, nothing raised.
    no_exception = []
    tracer = tracers["billing-worker"]
    with tracer.start_as_current_span("refund", kind=SpanKind.SERVER) as root:
        with tracer.start_as_current_span("call refund gateway", kind=SpanKind.CLIENT) as child:
            child.set_attribute("http.response.status_code", 503)
            child.set_status(Status(StatusCode.ERROR, "refund gateway answered 503"))
        no_exception.append({
            "service": "billing-worker",
            "span_name": "call refund gateway",
            "status_message": "refund gateway answered 503",
            "trace_id": hex_trace_id(root),
        })
    spans_sent += 2

    # Healthy traffic that must not show up at all.
    ok_trace_ids = []
    for service in SERVICES:
        with tracers[service].start_as_current_span("GET /healthz", kind=SpanKind.SERVER) as root:
            ok_trace_ids.append(hex_trace_id(root))
            if service in ("inventory-svc", "billing-worker"):
                # Application code often sets OK explicitly; Jaeger v2.13's v1 tag search for
                # error=true returns exactly these spans, which must not fool a client.
                root.set_status(Status(StatusCode.OK))
        spans_sent += 1

    for service in SERVICES:
        if not providers[service].force_flush(timeout_millis=30000):
            print(f"emit: force_flush timed out for {service}", file=sys.stderr)
            return 1
        providers[service].shutdown()
    exported = sum(e.exported for e in exporters.values())
    failed = sum(e.failed for e in exporters.values())
    if failed or exported != spans_sent:
        print(f"emit: exported {exported} of {spans_sent} spans ({failed} rejected) to {args.endpoint}",
              file=sys.stderr)
        return 1

    expected = {
        "version": 1,
        "phase": args.phase,
        "endpoint": args.endpoint,
        "sdk": "opentelemetry-sdk (Python), OTLP/HTTP protobuf exporter",
        "started_us": started_us,
        "ended_us": time.time_ns() // 1000,
        "spans_exported": exported,
        "signatures": signatures,
        "error_spans_without_exception": no_exception,
        "ok_trace_ids": ok_trace_ids,
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(expected, fh, indent=2)
    total = sum(s["count"] for s in signatures)
    print(f"emit: {exported} spans, {total} exceptions in {len(signatures)} signatures, "
          f"{len(no_exception)} error span(s) without exception -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
