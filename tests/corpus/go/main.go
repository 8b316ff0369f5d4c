// Command corpus raises real Go errors and panics through the real OpenTelemetry Go SDK and
// writes OTLP/JSON plus labels. Usage: corpus OUT_PREFIX RELEASE (see tests/corpus/README.md).
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// SHIFT

type label struct {
	TraceID string `json:"trace_id"`
	SpanID  string `json:"span_id"`
	Bug     string `json:"bug"`
}

var labels []label

func mark(span trace.Span, bug string) {
	c := span.SpanContext()
	labels = append(labels, label{c.TraceID().String(), c.SpanID().String(), bug})
}

func record(span trace.Span, err error) {
	span.RecordError(err, trace.WithStackTrace(true))
	span.SetStatus(codes.Error, strings.SplitN(err.Error(), "\n", 2)[0])
}

// ---------------------------------------------------------------- the application's bugs

// Bug go.parse_qty: strconv error recorded where it happens.
func parseQuantity(ctx context.Context, tr trace.Tracer, raw string) {
	_, span := tr.Start(ctx, "POST /cart/items")
	defer span.End()
	if _, err := strconv.Atoi(raw); err != nil {
		record(span, err)
		mark(span, "go.parse_qty")
	}
}

// A middleware that records whatever error its handler returns: the stack is the middleware's.
func middleware(ctx context.Context, tr trace.Tracer, route, bug string, h func() error) {
	_, span := tr.Start(ctx, route)
	defer span.End()
	if err := h(); err != nil {
		record(span, err)
		mark(span, bug)
	}
}

// SHIFT

// Bug go.user_missing (through the middleware).
func loadUser(id int) error { return fmt.Errorf("user %d not found", id) }

// Bug go.charge_declined (through the same middleware).
func charge(card string, cents int) error {
	return fmt.Errorf("charge of %d cents on card %s declined: insufficient funds", cents, card)
}

// recovered turns a panic into a recorded error with the stack of the panic (debug.Stack in
// the SDK's WithStackTrace runs inside the deferred function, below the panicking frame).
func recovered(ctx context.Context, tr trace.Tracer, route, bug string, f func()) {
	_, span := tr.Start(ctx, route)
	defer span.End()
	defer func() {
		if p := recover(); p != nil {
			err, ok := p.(error)
			if !ok {
				err = fmt.Errorf("%v", p)
			}
			record(span, err)
			mark(span, bug)
		}
	}()
	f()
}

// Bug go.index_panic
func pickSlot(slots []int, n int) int { return slots[n] }

// SHIFT

// Bug go.nil_map_panic
func tally(counts map[string]int, host string) { counts[host]++ }

// Bug go.multiline: a wrapped error whose message runs over several lines.
func loadConfig(host string, port int) error {
	base := fmt.Errorf("dial tcp %s:%d: connect: connection refused", host, port)
	return fmt.Errorf("load upstream config\n\tgoroutine 1 [running]:\n\tretry later: %w", base)
}

// Bug go.child_parent: recorded on the child span and again by the parent handler.
func reserve(ctx context.Context, tr trace.Tracer, sku string, qty int) error {
	_, span := tr.Start(ctx, "reserve stock")
	defer span.End()
	err := fmt.Errorf("cannot reserve %d of %s: only 5 left", qty, sku)
	record(span, err)
	mark(span, "go.child_parent")
	return err
}

func main() {
	prefix, release := os.Args[1], os.Args[2]
	exp := tracetest.NewInMemoryExporter()
	res := resource.NewSchemaless(attribute.String("service.name", "shop-go"),
		attribute.String("service.version", "1."+release+".0"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))
	tr := tp.Tracer("corpus.go")
	ctx := context.Background()
	rng := rand.New(rand.NewSource(3000)) // the same inputs in both releases: only lines move
	for i := 0; i < 12; i++ {
		n := 2 + rng.Intn(99998)
		parseQuantity(ctx, tr, fmt.Sprintf("%dx", n))
		middleware(ctx, tr, "GET /users/{id}", "go.user_missing", func() error { return loadUser(n) })
		middleware(ctx, tr, "POST /charge", "go.charge_declined", func() error {
			return charge(fmt.Sprintf("card-%04d", n%10000), n)
		})
		recovered(ctx, tr, "GET /slots", "go.index_panic", func() { pickSlot(make([]int, n%7), 7+n%50) })
		recovered(ctx, tr, "POST /tally", "go.nil_map_panic", func() {
			var m map[string]int
			tally(m, fmt.Sprintf("10.0.%d.%d", n%256, i))
		})
		middleware(ctx, tr, "POST /upstreams", "go.multiline", func() error {
			return loadConfig(fmt.Sprintf("10.%d.0.%d", n%256, i), 1024+n%9000)
		})
		func() {
			pctx, parent := tr.Start(ctx, "POST /reserve")
			defer parent.End()
			if err := reserve(pctx, tr, fmt.Sprintf("sku-%d", n), 6+n%40); err != nil {
				record(parent, fmt.Errorf("reserve: %w", err))
				mark(parent, "go.child_parent")
			}
		}()
	}
	if err := tp.ForceFlush(ctx); err != nil {
		fail(err)
	}
	out, err := os.Create(prefix + ".json")
	if err != nil {
		fail(err)
	}
	enc := json.NewEncoder(out)
	for _, s := range exp.GetSpans() {
		if err := enc.Encode(otlpLine(s)); err != nil {
			fail(err)
		}
	}
	if err := out.Close(); err != nil {
		fail(err)
	}
	lf, err := os.Create(prefix + ".labels.jsonl")
	if err != nil {
		fail(err)
	}
	enc = json.NewEncoder(lf)
	for _, l := range labels {
		if err := enc.Encode(l); err != nil {
			fail(err)
		}
	}
	if err := lf.Close(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "corpus:", err)
	os.Exit(1)
}

type kv struct {
	Key   string         `json:"key"`
	Value map[string]any `json:"value"`
}

func attrs(list []attribute.KeyValue) []kv {
	out := []kv{}
	for _, a := range list {
		var v map[string]any
		switch a.Value.Type() {
		case attribute.BOOL:
			v = map[string]any{"boolValue": a.Value.AsBool()}
		case attribute.INT64:
			v = map[string]any{"intValue": strconv.FormatInt(a.Value.AsInt64(), 10)}
		case attribute.FLOAT64:
			v = map[string]any{"doubleValue": a.Value.AsFloat64()}
		default:
			v = map[string]any{"stringValue": a.Value.Emit()}
		}
		out = append(out, kv{string(a.Key), v})
	}
	return out
}

// otlpLine is the Collector file exporter's line: one ExportTraceServiceRequest in OTLP/JSON.
func otlpLine(s tracetest.SpanStub) map[string]any {
	events := []map[string]any{}
	for _, e := range s.Events {
		events = append(events, map[string]any{
			"timeUnixNano": strconv.FormatInt(e.Time.UnixNano(), 10), "name": e.Name, "attributes": attrs(e.Attributes),
		})
	}
	status := map[string]any{"code": 0}
	if s.Status.Code == codes.Error {
		status = map[string]any{"code": 2, "message": s.Status.Description}
	}
	tid, sid := s.SpanContext.TraceID(), s.SpanContext.SpanID()
	span := map[string]any{
		"traceId": hex.EncodeToString(tid[:]), "spanId": hex.EncodeToString(sid[:]), "name": s.Name,
		"kind": int(s.SpanKind), "startTimeUnixNano": strconv.FormatInt(s.StartTime.UnixNano(), 10),
		"endTimeUnixNano": strconv.FormatInt(s.EndTime.UnixNano(), 10), "attributes": attrs(s.Attributes),
		"events": events, "status": status,
	}
	if s.Parent.IsValid() {
		span["parentSpanId"] = s.Parent.SpanID().String()
	}
	return map[string]any{"resourceSpans": []any{map[string]any{
		"resource":   map[string]any{"attributes": attrs(s.Resource.Attributes())},
		"scopeSpans": []any{map[string]any{"scope": map[string]any{"name": s.InstrumentationScope.Name}, "spans": []any{span}}},
	}}}
}
