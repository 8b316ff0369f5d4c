//! The built-in lists: which frames are the runtime (standard library, reflection, generated
//! proxies), third-party libraries and frameworks, or test runners. The user's own rules
//! (`in_app.rs`) are tried first; these decide only what they leave open.

use super::Language;
use crate::core::model::Frame;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    App,
    /// Third-party code the application called or was called by: takes part when a stack has
    /// no application frame.
    Library,
    /// The runtime, its standard library, reflection and generated code: never takes part.
    Runtime,
    TestRunner,
}

const JVM_TEST: &[&str] = &[
    "org.junit.",
    "junit.",
    "org.testng.",
    "org.apache.maven.surefire.",
    "org.gradle.",
    "org.apache.tools.ant.",
    "org.eclipse.jdt.internal.junit",
    "com.intellij.",
    "org.spockframework.",
    "org.scalatest.",
    "io.kotest.",
];
const JVM_RUNTIME: &[&str] = &[
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "scala.",
    "dalvik.",
    "android.",
    "com.android.internal.",
    "libcore.",
    "org.mockito.internal.creation.bytebuddy.",
    "net.bytebuddy.",
    "net.sf.cglib.",
    "org.objenesis.",
];
const JVM_LIB: &[&str] = &[
    "jakarta.",
    "kotlinx.",
    "androidx.",
    "org.springframework.",
    "org.apache.catalina.",
    "org.apache.tomcat.",
    "org.apache.coyote.",
    "org.eclipse.jetty.",
    "io.netty.",
    "io.undertow.",
    "org.hibernate.",
    "org.jboss.",
    "reactor.",
    "io.reactivex.",
    "rx.",
    "akka.",
    "org.aspectj.",
    "com.google.common.",
    "com.fasterxml.jackson.",
    "org.glassfish.",
    "io.micronaut.",
    "io.quarkus.",
    "io.vertx.",
    "org.apache.commons.logging.",
    "org.slf4j.",
    "ch.qos.logback.",
    "org.apache.logging.",
    "io.grpc.",
    "okhttp3.",
    "retrofit2.",
    "feign.",
    "zipkin2.",
    "io.opentelemetry.",
    "brave.",
];
const DOTNET_TEST: &[&str] = &[
    "NUnit.",
    "Xunit.",
    "xunit.",
    "Microsoft.VisualStudio.TestPlatform.",
];
const DOTNET_RUNTIME: &[&str] = &["System.", "Microsoft.", "Mono."];
const DOTNET_LIB: &[&str] = &["Newtonsoft.", "Castle.", "Polly."];
const RUST_RUNTIME: &[&str] = &[
    "std::",
    "core::",
    "alloc::",
    "backtrace::",
    "panic_unwind::",
    "rust_begin_unwind",
    "rust_panic",
    "__rust",
    "<std::",
    "<core::",
    "<alloc::",
    "test::",
];
const RUST_LIB: &[&str] = &[
    "tokio::",
    "futures::",
    "futures_util::",
    "hyper::",
    "tower::",
    "axum::",
    "actix_web::",
    "actix_rt::",
    "libfuzzer_sys::",
    "<tokio::",
    "<futures",
    "<hyper::",
    "<tower::",
];
const NATIVE_LIB: &[&str] = &[
    "__sanitizer",
    "__asan",
    "__msan",
    "__ubsan",
    "__interceptor",
    "__libc",
    "__GI_",
    "_start",
    "gsignal",
    "abort",
    "raise",
    "fuzzer::",
    "LLVMFuzzer",
    "libpthread",
    "libc.so",
];

/// `prefixes.iter().any(|p| s.starts_with(p))`, comparing the first byte inline first: this runs
/// for every frame against tables of dozens of prefixes, and most differ at the first byte.
fn starts_any(s: &str, prefixes: &[&str]) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return prefixes.iter().any(|p| p.is_empty());
    };
    prefixes.iter().any(|p| {
        let p = p.as_bytes();
        p.first() == Some(&first) && starts(b, p)
    })
}

/// `s.starts_with(p)` as a byte loop: slice equality calls memcmp, costly for prefixes this short.
fn starts(s: &[u8], p: &[u8]) -> bool {
    s.len() >= p.len() && p.iter().zip(s).all(|(x, y)| x == y)
}

/// A prefix table bucketed by first byte, for the long JVM library list checked on every frame.
struct Prefixes {
    sorted: Vec<&'static [u8]>,
    /// `sorted[range[b].0..range[b].1]` are the prefixes starting with byte `b`.
    range: Vec<(usize, usize)>,
}

impl Prefixes {
    fn new(list: &[&'static str]) -> Self {
        let mut sorted: Vec<&'static [u8]> = list
            .iter()
            .map(|p| p.as_bytes())
            .filter(|p| !p.is_empty())
            .collect();
        sorted.sort_by_key(|p| p[0]);
        let mut range = vec![(0, 0); 256];
        for (i, p) in sorted.iter().enumerate() {
            let r = &mut range[usize::from(p[0])];
            if r.1 == 0 {
                r.0 = i;
            }
            r.1 = i + 1;
        }
        Prefixes { sorted, range }
    }

    fn matches(&self, s: &str) -> bool {
        let b = s.as_bytes();
        let Some(&first) = b.first() else {
            return false;
        };
        let (from, to) = self.range[usize::from(first)];
        self.sorted[from..to].iter().any(|p| starts(b, p))
    }
}

static JVM_LIB_TABLE: LazyLock<Prefixes> = LazyLock::new(|| Prefixes::new(JVM_LIB));
static JVM_RUNTIME_TABLE: LazyLock<Prefixes> = LazyLock::new(|| Prefixes::new(JVM_RUNTIME));

/// Classify one (normalised) frame.
pub fn classify(lang: Language, f: &Frame) -> FrameKind {
    let file = f.file.as_deref().unwrap_or("");
    match lang {
        Language::Java => {
            let q = f.module.as_deref().unwrap_or("");
            if starts_any(q, JVM_TEST) {
                FrameKind::TestRunner
            } else if JVM_RUNTIME_TABLE.matches(q)
                || q.contains("$$Lambda")
                || q.contains("$Proxy")
                || q.contains("GeneratedMethodAccessor")
            {
                FrameKind::Runtime
            } else if JVM_LIB_TABLE.matches(q) {
                FrameKind::Library
            } else {
                FrameKind::App
            }
        }
        Language::DotNet => {
            let q = f.module.as_deref().unwrap_or("");
            if starts_any(q, DOTNET_TEST) {
                FrameKind::TestRunner
            } else if starts_any(q, DOTNET_RUNTIME)
                || q.is_empty() && f.function.contains("lambda_method")
            {
                FrameKind::Runtime
            } else if starts_any(q, DOTNET_LIB) {
                FrameKind::Library
            } else {
                FrameKind::App
            }
        }
        Language::Python => {
            if file.contains("/_pytest/")
                || file.contains("/unittest/")
                || file.contains("/pluggy/")
            {
                FrameKind::TestRunner
            } else if file.contains("site-packages") || file.contains("dist-packages") {
                FrameKind::Library
            } else if file.contains("/lib/python")
                || file.contains("\\Lib\\")
                || file.starts_with("<frozen")
                || file.starts_with("<embedded stdlib>")
                || file.contains("python27_lib")
                || file.contains("/runtimes/python")
            {
                FrameKind::Runtime
            } else {
                FrameKind::App
            }
        }
        Language::Go => {
            let m = f.module.as_deref().unwrap_or("");
            let first = m.split('/').next().unwrap_or(m);
            if m == "testing" {
                FrameKind::TestRunner
            } else if file.contains("/pkg/mod/") || file.contains("/vendor/") {
                FrameKind::Library
            } else if file.contains("/go/src/") && !file.contains("/gopath/")
                || file.contains("GOROOT")
                || m == "runtime"
                || m.starts_with("runtime/")
                || !m.is_empty()
                    && m != "main"
                    && !first.contains('.')
                    && !file.contains("/src/github.com")
                    && is_go_std(first)
            {
                FrameKind::Runtime
            } else {
                FrameKind::App
            }
        }
        Language::JavaScript => {
            if file.contains("node_modules/jest")
                || file.contains("node_modules/mocha")
                || file.contains("node_modules\\jest")
            {
                FrameKind::TestRunner
            } else if file.contains("node_modules") {
                FrameKind::Library
            } else if file.starts_with("node:")
                || file.starts_with("internal/")
                || file == "native"
                || file == "[native code]"
                // Built-ins V8 runs without a script: `JSON.parse (<anonymous>)`, `Array.map`.
                || file == "<anonymous>"
                || !file.is_empty() && !file.contains(['/', '\\']) && is_node_core(file)
            {
                FrameKind::Runtime
            } else {
                FrameKind::App
            }
        }
        Language::Ruby => {
            if file.contains("/lib/ruby/")
                && !file.contains("/gems/")
                && !file.contains("/minitest/")
                || file.contains("/rubygems")
            {
                FrameKind::Runtime
            } else if file.contains("/gems/")
                || file.contains("[GEM_ROOT]")
                || file.contains(") lib/")
                || file.contains(") app/") && file.contains(" (")
                || file.contains("/vendor/bundle/")
            {
                FrameKind::Library
            } else if file.contains("/minitest/") || file.contains("/rspec-") {
                FrameKind::TestRunner
            } else {
                FrameKind::App
            }
        }
        Language::Php => {
            if file.contains("/vendor/phpunit/") {
                FrameKind::TestRunner
            } else if file.contains("/vendor/") {
                FrameKind::Library
            } else if file.is_empty()
                && f.function != "{main}"
                && f.module.is_none()
                && is_php_builtin(&f.function)
            {
                FrameKind::Runtime
            } else {
                FrameKind::App
            }
        }
        Language::Rust | Language::Native => {
            let s = f.function.as_str();
            if starts_any(s, RUST_LIB)
                || file.contains("/.cargo/registry/")
                || file.contains("/rust/registry/")
                || file.contains("/libfuzzer/")
            {
                FrameKind::Library
            } else if starts_any(s, RUST_RUNTIME)
                || starts_any(s, NATIVE_LIB)
                || file.contains("/rustc/")
                || file.contains("rustlib/")
                || file.contains("compiler-rt/")
                || file.contains("/glibc")
                || file.starts_with("/usr/lib/")
                || file.starts_with("/lib/")
                || file.starts_with("/System/Library/")
                || file.ends_with(".dll") && file.contains("Windows")
            {
                FrameKind::Runtime
            } else {
                FrameKind::App
            }
        }
    }
}

fn is_go_std(first: &str) -> bool {
    const STD: &[&str] = &[
        "bufio",
        "bytes",
        "context",
        "crypto",
        "database",
        "encoding",
        "errors",
        "fmt",
        "io",
        "log",
        "math",
        "net",
        "os",
        "path",
        "reflect",
        "regexp",
        "sort",
        "strconv",
        "strings",
        "sync",
        "syscall",
        "text",
        "time",
        "unicode",
        "internal",
        "compress",
        "container",
        "html",
        "image",
        "mime",
        "hash",
        "archive",
        "debug",
        "go",
        "plugin",
        "embed",
        "slices",
        "maps",
        "iter",
    ];
    STD.contains(&first)
}

fn is_node_core(file: &str) -> bool {
    const CORE: &[&str] = &[
        "module.js",
        "timers.js",
        "events.js",
        "node.js",
        "bootstrap_node.js",
        "net.js",
        "stream.js",
        "fs.js",
        "_stream_readable.js",
        "_stream_writable.js",
        "http.js",
        "_http_server.js",
        "_http_common.js",
        "domain.js",
        "child_process.js",
        "util.js",
        "vm.js",
        "async_hooks.js",
        "tls.js",
        "zlib.js",
    ];
    let f = file.split(':').next().unwrap_or(file);
    CORE.contains(&f)
}

fn is_php_builtin(function: &str) -> bool {
    function.starts_with("call_user_func")
        || function.starts_with("array_")
        || function == "include"
        || function == "require"
}
