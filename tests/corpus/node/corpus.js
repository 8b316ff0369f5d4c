'use strict';
// Raise real Node.js exceptions through the real OpenTelemetry JS SDK; write OTLP/JSON plus labels.
// Usage: node corpus.js OUT_PREFIX RELEASE. See tests/corpus/README.md for the bugs and the labels.
const fs = require('fs');
const { trace, context, SpanStatusCode } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const {
  BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor,
} = require('@opentelemetry/sdk-trace-base');

// SHIFT

// A small seeded generator so both releases see the same kind of varied input.
function rng(seed) {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

// ---------------------------------------------------------------- the application's bugs
function parseOrder(body) {
  // Bug js.parse_order: JSON.parse from the order handler (several parser messages).
  return JSON.parse(body);
}

function parseSettings(text) {
  // Bug js.parse_settings: the same JSON.parse, another call site.
  return JSON.parse(text);
}

// SHIFT
function cartTotal(cart) {
  // Bug js.cart_undefined: TypeError reading a property of a missing item ...
  return cart.items[cart.items.length].price;
}

function userName(users, id) {
  // Bug js.user_undefined: ... the same message shape from another function.
  return users[id].name;
}

class ValidationError extends Error {}

function validateAddress(zip, city) {
  // Bug js.multiline: a custom error whose message has several lines, one looking like a frame.
  throw new ValidationError(`address rejected for ${city}\n    at field zip (${zip})\n  zip must have 5 digits`);
}

// SHIFT
function reserve(sku, qty) {
  // Bug js.child_parent: recorded on the child span and again on the parent.
  throw new RangeError(`cannot reserve ${qty} of ${sku}: only 5 left`);
}

function main() {
  const [prefix, release] = process.argv.slice(2);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop-js', 'service.version': `1.${release}.0` }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('corpus.node');
  const labels = [];
  const label = (span, bug) => {
    const c = span.spanContext();
    labels.push({ trace_id: c.traceId, span_id: c.spanId, bug });
  };
  const fail = (span, err) => {
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err.message).split('\n')[0] });
  };
  const caught = (bug, name, fn, ...args) => {
    const span = tracer.startSpan(name);
    try {
      fn(...args);
    } catch (err) {
      fail(span, err);
      label(span, bug);
    }
    span.end();
  };

  const r = rng(2000); // the same inputs in both releases: only lines move
  for (let i = 0; i < 12; i++) {
    const n = r(2, 99999);
    const bad = [`{"id": ${n}`, `{id: ${n}}`, `${n}x`, '', `[${n},]`][r(0, 4)];
    caught('js.parse_order', 'POST /orders', parseOrder, bad);
    caught('js.parse_settings', 'PUT /settings', parseSettings, `{"limit": ${n}, }`);
    caught('js.cart_undefined', 'GET /cart', cartTotal, { items: new Array(n % 5).fill({ price: n }) });
    caught('js.user_undefined', 'GET /users/:id', userName, {}, `u-${n}`);
    caught('js.multiline', 'POST /address', validateAddress, String(n), `city-${n % 97}`);
    caught('js.bigint', 'GET /ledger', (v) => BigInt(v), `${n}.${i}`);
    caught('js.url', 'POST /webhook', (v) => new URL(v), `http://host-${n}:${70000 + (n % 9000)}/hook`);
    const parent = tracer.startSpan('POST /reserve');
    const child = tracer.startSpan('reserve stock', {}, trace.setSpan(context.active(), parent));
    try {
      try {
        reserve(`sku-${n}`, 6 + (n % 40));
      } catch (err) {
        fail(child, err);
        label(child, 'js.child_parent');
        throw err;
      } finally {
        child.end();
      }
    } catch (err) {
      fail(parent, err);
      label(parent, 'js.child_parent');
    }
    parent.end();
  }
  libraryOnly(tracer, r, label, fail).then(() => {
    const lines = exporter.getFinishedSpans().map(otlpLine);
    fs.writeFileSync(`${prefix}.json`, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    fs.writeFileSync(`${prefix}.labels.jsonl`, labels.map((l) => JSON.stringify(l)).join('\n') + '\n');
  });
}

// Bugs js.lib_json / js.lib_uri: thrown from a timer callback that is a built-in function, so the
// recorded stack holds runtime frames only (no application frame), caught by the process hook.
async function libraryOnly(tracer, r, label, fail) {
  const cases = [['js.lib_json', 'timer json', JSON.parse, (n) => `{${n}`],
    ['js.lib_uri', 'timer uri', decodeURIComponent, (n) => `%${n % 10}G${n}`]];
  for (let i = 0; i < 12; i++) {
    for (const [bug, name, fn, arg] of cases) {
      const n = r(2, 99999);
      const err = await new Promise((resolve) => {
        process.once('uncaughtException', resolve);
        setTimeout(fn, 0, arg(n));
      });
      const span = tracer.startSpan(name);
      fail(span, err);
      label(span, bug);
      span.end();
    }
  }
}

function value(v) {
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  if (typeof v === 'number') return { doubleValue: v };
  return { stringValue: String(v) };
}
const attrs = (o) => Object.entries(o || {}).map(([key, v]) => ({ key, value: value(v) }));
const nanos = ([s, ns]) => (BigInt(s) * 1000000000n + BigInt(ns)).toString();

// The Collector file exporter's line: one ExportTraceServiceRequest in OTLP/JSON.
function otlpLine(s) {
  const c = s.spanContext();
  const span = {
    traceId: c.traceId, spanId: c.spanId, name: s.name, kind: s.kind + 1,
    startTimeUnixNano: nanos(s.startTime), endTimeUnixNano: nanos(s.endTime),
    attributes: attrs(s.attributes),
    events: s.events.map((e) => ({ timeUnixNano: nanos(e.time), name: e.name, attributes: attrs(e.attributes) })),
    status: { code: s.status.code, message: s.status.message || '' },
  };
  const parent = s.parentSpanContext && s.parentSpanContext.spanId;
  if (parent) span.parentSpanId = parent;
  return {
    resourceSpans: [{
      resource: { attributes: attrs(s.resource.attributes) },
      scopeSpans: [{ scope: { name: s.instrumentationScope.name }, spans: [span] }],
    }],
  };
}

main();
