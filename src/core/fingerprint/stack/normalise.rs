//! Normalisation: make frame names stable across builds and deploys (generated, anonymous and
//! numbered names cleaned), then mark application frames.
//!
//! Regexes are compiled once; each is guarded by a cheap `contains` so the common frame pays
//! nothing.

use super::in_app::InAppRules;
use super::{Language, ParsedStack};
use crate::core::model::{Frame, FrameRule};
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

fn re(p: &str) -> Regex {
    // The patterns are literals in this file; a failure is a programming error caught by tests.
    Regex::new(p).unwrap_or_else(|e| panic!("invalid built-in regex {p}: {e}"))
}

static JAVA_LAMBDA_METHOD: LazyLock<Regex> = LazyLock::new(|| re(r"lambda\$(.*?)\$\d+"));
static JAVA_LAMBDA_CLASS: LazyLock<Regex> =
    LazyLock::new(|| re(r"\$\$Lambda(\$\d+)?(/(0x)?[0-9a-fA-F]+)?"));
static JAVA_PROXY: LazyLock<Regex> = LazyLock::new(|| re(r"\$Proxy\d+"));
static JAVA_CGLIB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\$\$(EnhancerBy|FastClassBy|SpringCGLIB|ByteBuddy|MockitoMock)\w*?(\$\$[0-9a-zA-Z]+)+|\$MockitoMock\$\d+",
    )
});
static JAVA_ANON_CLASS: LazyLock<Regex> = LazyLock::new(|| re(r"\$\d+"));
static JAVA_ACCESSOR: LazyLock<Regex> = LazyLock::new(|| re(r"(Generated\w*?Accessor)\d+"));
static DOTNET_ASYNC: LazyLock<Regex> = LazyLock::new(|| re(r"<([\w.]+)>d__\d+(\.MoveNext)?$"));
static DOTNET_DISPLAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"<>c(__DisplayClass[\d_]+)?(`\d+)?\.?"));
static DOTNET_LAMBDA: LazyLock<Regex> = LazyLock::new(|| re(r"<([\w.]*)>b__[\d_]+"));
static DOTNET_LOCAL: LazyLock<Regex> = LazyLock::new(|| re(r"<([\w.]*)>g__(\w+)\|[\d_]+"));
static DOTNET_ARITY: LazyLock<Regex> = LazyLock::new(|| re(r"`\d+"));
static RUST_HASH: LazyLock<Regex> = LazyLock::new(|| re(r"::h[0-9a-f]{16}$|::h[0-9a-f]{12,16}$"));
static GO_FUNC: LazyLock<Regex> = LazyLock::new(|| re(r"func(·)?\d+(\.\d+)*"));
static RUBY_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(block( \(\d+ levels\))?|rescue|ensure) in "));
static RUBY_CALLBACKS: LazyLock<Regex> = LazyLock::new(|| re(r"_run__\d+__(\w+?)__\d+__callbacks"));

/// Normalise every frame of a parsed stack in place and classify it by the built-in lists.
pub fn normalise_stack(stack: &mut ParsedStack) {
    normalise_stack_with(stack, &InAppRules::builtin());
}

/// Normalise every frame of a parsed stack in place and classify it by the user's rules.
pub fn normalise_stack_with(stack: &mut ParsedStack, rules: &InAppRules) {
    let lang = stack.language;
    for e in &mut stack.exceptions {
        for f in &mut e.frames {
            let generated = normalise_names(lang, f);
            decide(lang, f, generated, rules);
        }
    }
}

/// Clean one frame's names and set `in_app` by the built-in lists.
pub fn normalise_frame(lang: Language, f: &mut Frame) {
    let generated = normalise_names(lang, f);
    decide(lang, f, generated, &InAppRules::builtin());
}

/// Clean one frame's names (generated, anonymous and numbered parts); true when the frame is
/// run-time generated code.
fn normalise_names(lang: Language, f: &mut Frame) -> bool {
    let mut generated = false;
    match lang {
        Language::Java => generated = java(f),
        Language::DotNet => dotnet(f),
        Language::Rust | Language::Native => rust(f),
        Language::Go => go(f),
        Language::JavaScript => js(f),
        Language::Ruby => ruby(f),
        Language::Python | Language::Php => {}
    }
    if f.module.as_deref().is_none_or(str::is_empty)
        && matches!(
            lang,
            Language::Python | Language::Ruby | Language::Php | Language::JavaScript
        )
    {
        f.module = f.file.as_deref().map(file_stem).filter(|s| !s.is_empty());
    }
    generated
}

/// Generated proxies are the runtime's; everything else goes by the rules.
fn decide(lang: Language, f: &mut Frame, generated: bool, rules: &InAppRules) {
    if generated {
        f.in_app = false;
        f.rule = Some(FrameRule::Runtime);
    } else {
        rules.decide(lang, f);
    }
}

fn replace(re: &Regex, s: &str, with: &str) -> Option<String> {
    match re.replace_all(s, with) {
        Cow::Borrowed(_) => None,
        Cow::Owned(o) => Some(o),
    }
}

/// Clean a JVM frame; true when its class was generated at run time (a CGLIB, ByteBuddy or
/// Mockito proxy/mock subclass): such a frame is the runtime's, whatever class it proxies.
fn java(f: &mut Frame) -> bool {
    let mut generated = false;
    if f.function.contains("lambda$") {
        if let Some(n) = replace(&JAVA_LAMBDA_METHOD, &f.function, "lambda$$$1") {
            f.function = n;
        }
    }
    if let Some(m) = f.module.as_mut() {
        if m.contains('$') {
            // Each regex runs only when the literal it needs is present (inner classes such as
            // `Handler$Chain` are common and need none of them).
            type Guard = fn(&str) -> bool;
            let steps: [(&Regex, &str, Guard); 4] = [
                (&JAVA_CGLIB, "", |s| {
                    s.contains("$$") || s.contains("$MockitoMock")
                }),
                (&JAVA_LAMBDA_CLASS, "$$$$Lambda", |s| s.contains("$$Lambda")),
                (&JAVA_PROXY, "$$Proxy", |s| s.contains("$Proxy")),
                (&JAVA_ANON_CLASS, "$$", |s| {
                    s.as_bytes()
                        .windows(2)
                        .any(|w| w[0] == b'$' && w[1].is_ascii_digit())
                }),
            ];
            for (i, (r, w, needed)) in steps.into_iter().enumerate() {
                if needed(m) {
                    if let Some(n) = replace(r, m, w) {
                        *m = n;
                        generated |= i == 0;
                    }
                }
            }
        }
        if m.contains("Accessor") {
            if let Some(n) = replace(&JAVA_ACCESSOR, m, "$1") {
                *m = n;
            }
        }
    }
    generated
}

fn dotnet(f: &mut Frame) {
    let mut q = f.qualified();
    if !q.contains(['<', '`']) {
        return;
    }
    for (r, w) in [
        (&*DOTNET_ASYNC, "$1"),
        (&*DOTNET_DISPLAY, ""),
        (&*DOTNET_LAMBDA, "$1.lambda"),
        (&*DOTNET_LOCAL, "$1.$2"),
        (&*DOTNET_ARITY, ""),
    ] {
        if let Some(n) = replace(r, &q, w) {
            q = n;
        }
    }
    let q = q.replace("..", ".");
    let q = q.trim_end_matches('.');
    match q.rsplit_once('.') {
        Some((m, func)) => {
            f.module = Some(m.to_string());
            f.function = func.to_string();
        }
        None => {
            f.module = None;
            f.function = q.to_string();
        }
    }
}

/// Demangle legacy Rust symbol escapes and drop hashes and closure markers.
fn rust(f: &mut Frame) {
    let mut s = f.function.clone();
    if s.contains('$') {
        s = s
            .replace("$LT$", "<")
            .replace("$GT$", ">")
            .replace("$u7b$", "{")
            .replace("$u7d$", "}")
            .replace("$u20$", " ")
            .replace("$RF$", "&")
            .replace("$BP$", "*")
            .replace("$C$", ",")
            .replace("..", "::");
        if let Some(x) = s.strip_prefix('_') {
            if x.starts_with('<') {
                s = x.to_string();
            }
        }
    }
    if s.contains("::h") {
        if let Some(n) = replace(&RUST_HASH, &s, "") {
            s = n;
        }
    }
    if s.contains("{{closure}}") {
        s = s.replace("::{{closure}}", "").replace("{{closure}}", "");
    }
    f.function = s;
}

fn go(f: &mut Frame) {
    if f.function.contains("func") {
        if let Some(n) = replace(&GO_FUNC, &f.function, "func") {
            f.function = n;
        }
    }
    if f.function.contains("[...]") {
        f.function = f.function.replace("[...]", "");
    }
}

fn js(f: &mut Frame) {
    // Receivers differ by engine (V8 prints `Object.aha`, Gecko `aha`), so a JS frame is
    // identified by its file and bare function name.
    if let Some((_, func)) = f.function.rsplit_once('.') {
        if !func.is_empty() && !f.function.contains(' ') {
            f.function = func.to_string();
        }
    }
    f.module = None;
    let func = f.function.trim_end_matches(['/', '<']);
    let func = func.rsplit('/').next().unwrap_or(func);
    let func = match func {
        "" | "(anonymous function)" | "eval code" | "eval" => "<anonymous>",
        "global code" => "<global>",
        other => other,
    };
    f.function = func.to_string();
}

fn ruby(f: &mut Frame) {
    if f.function.contains(" in ") {
        if let Some(n) = replace(&RUBY_BLOCK, &f.function, "") {
            f.function = n;
        }
    }
    if f.function.starts_with("_run__") {
        if let Some(n) = replace(&RUBY_CALLBACKS, &f.function, "_run_${1}_callbacks") {
            f.function = n;
        }
    }
}

/// `https://x/static/app.3f9a1c.js?v=2` → `app`: the file's identity without build hashes,
/// directories or query strings (those change between deploys).
pub fn file_stem(file: &str) -> String {
    let f = file.split(['?', '#']).next().unwrap_or(file);
    let base = super::lines::basename(f);
    // Everything before the last `.` (the extension goes), then the dot-separated parts that are
    // neither empty nor build hashes.
    let body = base.rfind('.').map_or(base, |i| &base[..i]);
    let mut out = String::with_capacity(body.len());
    for p in body.split('.').filter(|p| !p.is_empty() && !is_hashy(p)) {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(p);
    }
    out
}

/// A build hash or a number: six or more hex digits, or only digits.
fn is_hashy(p: &str) -> bool {
    let b = p.as_bytes();
    b.iter().all(u8::is_ascii_digit) || b.len() >= 6 && b.iter().all(u8::is_ascii_hexdigit)
}
