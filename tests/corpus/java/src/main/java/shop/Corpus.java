// Raises real Java exceptions through the real OpenTelemetry Java SDK; writes OTLP/JSON + labels.
// Usage: java shop.Corpus OUT_PREFIX RELEASE (see tests/corpus/README.md).
package shop;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

// SHIFT

public final class Corpus {
  /** Keeps finished spans; serialised to OTLP/JSON at the end. */
  static final class MemoryExporter implements SpanExporter {
    final List<SpanData> spans = new ArrayList<>();

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  static final List<String> labels = new ArrayList<>();

  static void mark(Span span, String bug) {
    labels.add("{\"trace_id\":\"" + span.getSpanContext().getTraceId() + "\",\"span_id\":\""
        + span.getSpanContext().getSpanId() + "\",\"bug\":\"" + bug + "\"}");
  }

  static void fail(Span span, Throwable t) {
    span.recordException(t);
    String m = String.valueOf(t.getMessage());
    span.setStatus(StatusCode.ERROR, m.split("\n", 2)[0]);
  }

  interface Body {
    void run() throws Exception;
  }

  static void caught(Tracer tracer, String bug, String name, Body body) {
    Span span = tracer.spanBuilder(name).startSpan();
    try {
      body.run();
    } catch (Exception e) {
      fail(span, e);
      mark(span, bug);
    } finally {
      span.end();
    }
  }

  // ---------------------------------------------------------------- the application's bugs

  /** Bug java.parse_qty: Integer.parseInt of a quantity ... */
  static int parseQuantity(String raw) {
    return Integer.parseInt(raw);
  }

  /** Bug java.parse_order_id: ... and Long.parseLong of an id elsewhere (same type, same shape). */
  static long parseOrderId(String raw) {
    return Long.parseLong(raw);
  }

  // SHIFT
  /** Bug java.npe_customer: a helpful NullPointerException ... */
  static int customerNameLength(Map<String, String> customers, String id) {
    return customers.get(id).length();
  }

  /** Bug java.npe_address: ... and another from a different method. */
  static String zipOf(Map<String, String> addresses, String id) {
    return addresses.get(id).trim();
  }

  /** Bug java.multiline: a message over several lines, one of them looking like a frame. */
  static void validate(String host, int port) {
    throw new IllegalStateException("upstream " + host + ":" + port + " rejected\n\tat [Source: upstreams.conf; line: "
        + (port % 50) + ", column: 7]\n\tport must be below 1024");
  }

  // SHIFT
  /** Bug java.caused_by: a wrapped cause from a lookup. */
  static void loadOrder(long id) {
    try {
      Object[] rows = new Object[(int) (id % 3)];
      rows[(int) (id % 7) + 3] = id;
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new RuntimeException("failed to load order " + id, e);
    }
  }

  /** Bug java.child_parent: recorded on the child span and again on the parent. */
  static void reserve(String sku, int qty) {
    throw new IllegalArgumentException("cannot reserve " + qty + " of " + sku + ": only 5 left");
  }

  public static void main(String[] args) throws IOException {
    String prefix = args[0];
    String release = args[1];
    MemoryExporter exporter = new MemoryExporter();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), "shop-java",
            AttributeKey.stringKey("service.version"), "1." + release + ".0")))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    Tracer tracer = provider.get("corpus.java");
    Random rng = new Random(4000); // the same inputs in both releases: only lines move
    for (int i = 0; i < 12; i++) {
      int n = 2 + rng.nextInt(99998);
      int k = i;
      caught(tracer, "java.parse_qty", "POST /cart/items", () -> parseQuantity(n + "x"));
      caught(tracer, "java.parse_order_id", "GET /orders/{id}", () -> parseOrderId("o-" + n));
      caught(tracer, "java.npe_customer", "GET /customers/{id}",
          () -> customerNameLength(new HashMap<>(), "c-" + n));
      caught(tracer, "java.npe_address", "GET /addresses/{id}", () -> zipOf(new HashMap<>(), "a-" + n));
      caught(tracer, "java.multiline", "POST /upstreams", () -> validate("10." + (n % 256) + ".0." + k, 1024 + n % 9000));
      caught(tracer, "java.caused_by", "GET /orders/{id}/lines", () -> loadOrder(n));
      caught(tracer, "java.uri", "POST /webhooks", () -> new java.net.URI("http://host-" + n + "/a b"));
      Span parent = tracer.spanBuilder("POST /reserve").startSpan();
      try {
        Span child = tracer.spanBuilder("reserve stock").setParent(Context.current().with(parent)).startSpan();
        try {
          reserve("sku-" + n, 6 + n % 40);
        } catch (IllegalArgumentException e) {
          fail(child, e);
          mark(child, "java.child_parent");
          throw e;
        } finally {
          child.end();
        }
      } catch (IllegalArgumentException e) {
        fail(parent, e);
        mark(parent, "java.child_parent");
      } finally {
        parent.end();
      }
    }
    provider.forceFlush();
    StringBuilder out = new StringBuilder();
    for (SpanData s : exporter.spans) {
      out.append(otlpLine(s)).append('\n');
    }
    Files.write(Paths.get(prefix + ".json"), out.toString().getBytes(StandardCharsets.UTF_8));
    Files.write(Paths.get(prefix + ".labels.jsonl"),
        (String.join("\n", labels) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
      }
    }
    return b.append('"').toString();
  }

  static String attrs(Attributes a) {
    List<String> kv = new ArrayList<>();
    a.forEach((k, v) -> {
      String val;
      switch (k.getType()) {
        case BOOLEAN: val = "{\"boolValue\":" + v + "}"; break;
        case LONG: val = "{\"intValue\":\"" + v + "\"}"; break;
        case DOUBLE: val = "{\"doubleValue\":" + v + "}"; break;
        default: val = "{\"stringValue\":" + str(String.valueOf(v)) + "}";
      }
      kv.add("{\"key\":" + str(k.getKey()) + ",\"value\":" + val + "}");
    });
    return "[" + String.join(",", kv) + "]";
  }

  /** The Collector file exporter's line: one ExportTraceServiceRequest in OTLP/JSON. */
  static String otlpLine(SpanData s) {
    List<String> events = new ArrayList<>();
    for (EventData e : s.getEvents()) {
      events.add("{\"timeUnixNano\":\"" + e.getEpochNanos() + "\",\"name\":" + str(e.getName())
          + ",\"attributes\":" + attrs(e.getAttributes()) + "}");
    }
    int code = s.getStatus().getStatusCode() == StatusCode.ERROR ? 2 : 0;
    String parent = s.getParentSpanContext().isValid()
        ? ",\"parentSpanId\":\"" + s.getParentSpanContext().getSpanId() + "\"" : "";
    String span = "{\"traceId\":\"" + s.getTraceId() + "\",\"spanId\":\"" + s.getSpanId() + "\"" + parent
        + ",\"name\":" + str(s.getName()) + ",\"kind\":" + (s.getKind().ordinal() + 1)
        + ",\"startTimeUnixNano\":\"" + s.getStartEpochNanos() + "\",\"endTimeUnixNano\":\"" + s.getEndEpochNanos()
        + "\",\"attributes\":" + attrs(s.getAttributes()) + ",\"events\":[" + String.join(",", events)
        + "],\"status\":{\"code\":" + code + ",\"message\":" + str(s.getStatus().getDescription()) + "}}";
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":" + attrs(s.getResource().getAttributes())
        + "},\"scopeSpans\":[{\"scope\":{\"name\":" + str(s.getInstrumentationScopeInfo().getName())
        + "},\"spans\":[" + span + "]}]}]}";
  }
}
