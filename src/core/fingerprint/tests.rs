//! Grouping rules over whole events: the failure modes of issue 10 (stacks with no in-app
//! frame, message lines that look like frames, runtime frames on top, one malformed input with
//! several parser messages, user in-app rules).

use super::stack::{FileIndex, InAppRules};
use super::{fingerprint, fingerprint_with, Grouping};
use crate::core::model::{ErrorEvent, EventOrigin, FingerprintBasis, FrameRule};

fn event(service: &str, stack: &str) -> ErrorEvent {
    let mut ev = ErrorEvent::new(service, 0, EventOrigin::SpanEvent);
    ev.stacktrace = Some(stack.to_string());
    ev
}

const JUNIT: &str = "\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n\
                     \tat java.lang.reflect.Method.invoke(Method.java:498)\n\
                     \tat org.junit.runners.model.FrameworkMethod$1.runReflectiveCall(FrameworkMethod.java:50)\n";

#[test]
fn a_stack_with_no_application_frame_still_decides_by_its_top_frames() {
    // The service's own namespace is on the built-in library list (as for a service that is a
    // library or framework): two throw sites with numeric messages must stay apart.
    let symbols = format!(
        "java.lang.ArrayIndexOutOfBoundsException: 256\n\
         \tat com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer.addName(ByteQuadsCanonicalizer.java:869)\n\
         \tat com.fasterxml.jackson.core.json.UTF8StreamJsonParser.addName(UTF8StreamJsonParser.java:2340)\n\
         \tat com.fasterxml.jackson.core.sym.TestSymbolsWithMediaItem.testSmallSymbolSetWithBytes(TestSymbolsWithMediaItem.java:40)\n{JUNIT}"
    );
    let numbers = format!(
        "java.lang.ArrayIndexOutOfBoundsException: 200\n\
         \tat com.fasterxml.jackson.core.io.NumberInput.parseInt(NumberInput.java:98)\n\
         \tat com.fasterxml.jackson.core.io.TestNumberInput.testParseInt(TestNumberInput.java:12)\n{JUNIT}"
    );
    let a = fingerprint(&event("jackson-core", &symbols));
    let b = fingerprint(&event("jackson-core", &numbers));
    assert_eq!(a.basis, FingerprintBasis::Stack);
    assert_eq!(b.basis, FingerprintBasis::Stack);
    assert_ne!(a.id, b.id);
    assert_eq!(
        a.key_frames[0].qualified(),
        "com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer.addName"
    );
    assert_eq!(a.key_frames[0].rule, Some(FrameRule::BuiltinLibrary));
    // Runtime, reflection and runner frames still never take part.
    assert!(a
        .key_frames
        .iter()
        .chain(b.key_frames.iter())
        .all(|f| !f.qualified().starts_with("java.") && !f.qualified().starts_with("org.junit")));
    // The same bug seen again keeps its id (another message value, another test).
    let again = symbols.replace(": 256", ": 512");
    assert_eq!(fingerprint(&event("jackson-core", &again)).id, a.id);
}

#[test]
fn the_project_as_app_or_as_library_groups_alike() {
    let trace = |caller: &str| {
        format!(
            "java.lang.IllegalStateException: bad state\n\
             \tat org.shop.orders.Cart.total(Cart.java:10)\n\
             \tat org.shop.orders.{caller}(Checkout.java:20)\n{JUNIT}"
        )
    };
    let (x, y) = (trace("Checkout.pay"), trace("Checkout.refund"));
    for rules in [
        InAppRules::builtin(),
        InAppRules {
            include: vec!["org.shop.".into()],
            ..Default::default()
        },
        InAppRules {
            exclude: vec!["org.shop.".into()],
            ..Default::default()
        },
    ] {
        let g = Grouping {
            in_app: rules,
            ..Default::default()
        };
        let a = fingerprint_with(&event("shop", &x), &g);
        let b = fingerprint_with(&event("shop", &y), &g);
        assert_eq!(a.basis, FingerprintBasis::Stack);
        assert_eq!(a.key_frames.len(), 1, "{:?}", a.key_frames);
        assert_eq!(
            a.id, b.id,
            "one throw site, callers beyond a specific frame do not split"
        );
    }
}

#[test]
fn a_message_line_starting_with_at_is_not_a_frame() {
    // Jackson puts the input location on the message's second line.
    let trace = |handler: &str| {
        format!(
            "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}}' (code 125)): was expecting double-quote to start field name\n \
             at [Source: (String)\"{{\"a\":1,}}\"; line: 1, column: 9]\n\
             \tat com.fasterxml.jackson.core.JsonParser._constructError(JsonParser.java:2337)\n\
             \tat com.fasterxml.jackson.core.base.ParserMinimalBase._reportError(ParserMinimalBase.java:720)\n\
             \tat com.fasterxml.jackson.databind.ObjectMapper.readValue(ObjectMapper.java:3548)\n\
             \tat com.acme.api.{handler}(OrderHandler.java:41)\n\
             \tat com.acme.api.Router.route(Router.java:12)\n"
        )
    };
    let a = fingerprint(&event("api", &trace("OrderHandler.create")));
    let b = fingerprint(&event("api", &trace("OrderHandler.update")));
    assert_eq!(
        a.key_frames[0].qualified(),
        "com.acme.api.OrderHandler.create"
    );
    assert_ne!(a.id, b.id);
    let parsed = super::stack::parse(&trace("OrderHandler.create")).expect("a Java stack");
    assert_eq!(parsed.exceptions.len(), 1);
    assert_eq!(parsed.exceptions[0].frames.len(), 5);
    assert!(parsed.exceptions[0]
        .message
        .as_deref()
        .is_some_and(|m| m.contains("at [Source:")));
    // A `Caused by:` with a multi-line message keeps its lines as message too.
    let chained = "java.lang.RuntimeException: wrapped\n\
         \tat com.acme.api.Router.route(Router.java:12)\n\
         Caused by: com.fasterxml.jackson.core.JsonParseException: Unexpected end-of-input\n \
         at [Source: (String)\"{\"; line: 1, column: 2]\n\
         \tat com.fasterxml.jackson.core.JsonParser._constructError(JsonParser.java:2337)\n\
         \tat com.acme.api.OrderHandler.create(OrderHandler.java:41)\n\
         \t... 1 more\n";
    let parsed = super::stack::parse(chained).expect("a Java stack");
    assert_eq!(parsed.exceptions.len(), 2);
    assert_eq!(parsed.exceptions[1].frames.len(), 2);
    // Logback's packaging suffix does not hide a frame.
    let logback = "java.lang.IllegalStateException: x\n\
                   \tat com.acme.api.Router.route(Router.java:12) ~[api.jar:1.2]\n\
                   \tat com.acme.api.Main.main(Main.java:3) [api.jar:1.2]\n";
    let parsed = super::stack::parse(logback).expect("a Java stack");
    assert_eq!(parsed.exceptions[0].frames.len(), 2);
    assert_eq!(
        parsed.exceptions[0].frames[0].file.as_deref(),
        Some("Router.java")
    );
}

#[test]
fn runtime_and_anonymous_frames_on_top_are_walked_past() {
    let trace = |caller: &str| {
        format!(
            "SyntaxError: Unexpected token }} in JSON at position 10\n    \
             at JSON.parse (<anonymous>)\n    \
             at {caller} (/srv/app/src/routes/orders.js:12:21)\n    \
             at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n"
        )
    };
    let a = fingerprint(&event("web", &trace("parseOrder")));
    let b = fingerprint(&event("web", &trace("parseRefund")));
    assert_eq!(a.key_frames[0].function, "parseOrder");
    assert_ne!(a.id, b.id);
    // Another malformed body at the same call site is the same bug.
    let other = trace("parseOrder").replace(
        "Unexpected token } in JSON at position 10",
        "Unexpected end of JSON input",
    );
    assert_eq!(fingerprint(&event("web", &other)).id, a.id);
}

#[test]
fn one_malformed_input_bug_does_not_split_by_parser_message() {
    let trace = |msg: &str, caller: &str| {
        format!(
            "Traceback (most recent call last):\n  \
             File \"/srv/app/shop/orders.py\", line 30, in handle\n    body = {caller}(raw)\n  \
             File \"/srv/app/shop/orders.py\", line 12, in {caller}\n    return json.loads(raw)\n  \
             File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n    return _default_decoder.decode(s)\n  \
             File \"/usr/lib/python3.11/json/decoder.py\", line 337, in decode\n    obj, end = self.raw_decode(s, idx=_w(s, 0).end())\n  \
             File \"/usr/lib/python3.11/json/decoder.py\", line 355, in raw_decode\n    raise JSONDecodeError(\"Expecting value\", s, err.value) from None\n\
             json.decoder.JSONDecodeError: {msg}\n"
        )
    };
    let a = fingerprint(&event(
        "shop",
        &trace("Expecting value: line 1 column 1 (char 0)", "parse_order"),
    ));
    let b = fingerprint(&event(
        "shop",
        &trace("Extra data: line 1 column 5 (char 4)", "parse_order"),
    ));
    let c = fingerprint(&event(
        "shop",
        &trace("Expecting value: line 1 column 1 (char 0)", "parse_refund"),
    ));
    assert_eq!(a.id, b.id);
    assert_ne!(a.id, c.id, "another call site is another bug");
    // Messages the application's own code raises still tell its throw statements apart.
    let own = |msg: &str| {
        format!(
            "Traceback (most recent call last):\n  \
             File \"/srv/app/shop/orders.py\", line 30, in handle\n    check(order)\n  \
             File \"/srv/app/shop/orders.py\", line 12, in place\n    raise ValueError(msg)\n\
             ValueError: {msg}\n"
        )
    };
    let x = fingerprint(&event("shop", &own("order has no lines")));
    let y = fingerprint(&event("shop", &own("order total is negative")));
    assert_ne!(x.id, y.id);
}

#[test]
fn the_codebase_decides_which_frames_are_the_users() {
    // `vendorlib` is not on any built-in list, so without a checkout it looks like app code.
    let trace = "Traceback (most recent call last):\n  \
                 File \"/srv/app/shop/orders.py\", line 30, in handle\n    fmt(x)\n  \
                 File \"/srv/app/vendorlib/format.py\", line 3, in fmt\n    raise KeyError(k)\n\
                 KeyError: 'x'\n";
    let builtin = fingerprint(&event("shop", trace));
    assert_eq!(builtin.key_frames[0].function, "fmt");
    let g = Grouping {
        in_app: InAppRules {
            files: Some(FileIndex::from_paths(
                ["shop/orders.py", "shop/__init__.py"],
                true,
            )),
            ..Default::default()
        },
        ..Default::default()
    };
    let fp = fingerprint_with(&event("shop", trace), &g);
    assert_eq!(fp.key_frames[0].function, "handle");
    assert_eq!(fp.key_frames[0].rule, Some(FrameRule::Codebase));
    let dropped = &fp.dropped_frames[0].0;
    assert_eq!(dropped.function, "fmt");
    assert_eq!(dropped.rule, Some(FrameRule::OutsideCodebase));
}

/// What Go's `span.RecordError(err, trace.WithStackTrace(true))` records: the stack of the
/// record call, here from a middleware or from the handler itself.
fn go_recorded(recorder: &str, file: &str) -> String {
    format!(
        "goroutine 7 [running]:\n\
         go.opentelemetry.io/otel/sdk/trace.recordStackTrace()\n\
         \t/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:493 +0x65\n\
         go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError(0xc000182000, {{0x7d1f20, 0xc00009e050}}, {{0x0, 0x0, 0x0}})\n\
         \t/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:470 +0x3f0\n\
         example.com/shop/{recorder}(0xc0000a4000)\n\
         \t/src/shop/{file}:41 +0x1a5\n\
         net/http.HandlerFunc.ServeHTTP(0xc0000a4000, {{0x7d6a40, 0xc0001a6000}}, 0xc0001b2000)\n\
         \t/usr/local/go/src/net/http/server.go:2171 +0x29\n"
    )
}

#[test]
fn a_stack_captured_at_the_record_call_does_not_group() {
    let ev = |stack: &str, msg: &str| {
        let mut e = event("shop", stack);
        e.exception_type = Some("*errors.errorString".into());
        e.message = Some(msg.into());
        e
    };
    let middleware = go_recorded("middleware.Recover.func1", "middleware.go");
    let handler = go_recorded("handlers.PlaceOrder", "handlers.go");
    // One error recorded by the handler's span and again by the middleware's: one signature.
    let a = fingerprint(&ev(&handler, "order 42: out of stock"));
    let b = fingerprint(&ev(&middleware, "order 42: out of stock"));
    assert_eq!(a.basis, FingerprintBasis::Template);
    assert_eq!(a.id, b.id);
    // Two handler errors recorded by one middleware do not merge on the middleware's frame.
    let c = fingerprint(&ev(&middleware, "payment gateway timed out"));
    assert_ne!(b.id, c.id);
    // A panic's stack is where it was raised: it groups by its frames.
    let panic = "panic: boom\n\ngoroutine 1 [running]:\nexample.com/shop/handlers.PlaceOrder(0x0)\n\t/src/shop/handlers.go:41 +0x1a5\n";
    assert_eq!(
        fingerprint(&ev(panic, "boom")).basis,
        FingerprintBasis::Stack
    );
}

#[test]
fn a_node_message_with_an_at_sign_is_not_a_gecko_frame() {
    let trace = "Error: cannot reach app@db.internal:5432\n    \
                 at connect (/srv/app/src/db.js:10:11)\n    \
                 at main (/srv/app/src/index.js:3:1)\n";
    let parsed = super::stack::parse(trace).expect("a V8 stack");
    assert_eq!(parsed.exceptions[0].frames.len(), 2);
    assert_eq!(
        parsed.exceptions[0].exception_type.as_deref(),
        Some("Error")
    );
    assert_eq!(
        parsed.exceptions[0].message.as_deref(),
        Some("cannot reach app@db.internal:5432")
    );
    // Gecko stacks still parse.
    let gecko = "connect@https://app.example/static/db.js:10:11\nmain@https://app.example/static/index.js:3:1\n";
    assert_eq!(
        super::stack::parse(gecko)
            .expect("a Gecko stack")
            .exceptions[0]
            .frames
            .len(),
        2
    );
}
