//! Selection: which frames decide a fingerprint.
//!
//! The innermost cause's application frames decide; library, framework, reflection and
//! test-runner frames never do. The top application frame decides alone unless it is a shared
//! helper (precondition, assertion, error factory, generic dispatch, anonymous function): then
//! its callers take part until a specific frame is included. Line numbers never take part.

use super::classify::{classify, FrameKind};
use super::{Language, ParsedStack};
use crate::core::model::{DropReason, Frame, FrameRule};

/// Frames that take part in a fingerprint, and those left out with why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    /// Shared like `dropped`: a fingerprint takes it without copying a frame.
    pub kept: std::sync::Arc<Vec<Frame>>,
    /// Shared: a memoised selection hands it to every fingerprint of its stack without a copy.
    pub dropped: std::sync::Arc<Vec<(Frame, DropReason)>>,
    /// No frame was application code, so library frames were kept (see [`Tier::AllFrames`]).
    pub all_frames: bool,
}

/// The most application frames a fingerprint takes (a chain of helpers ends here).
pub const KEY_FRAMES: usize = 4;

const HELPER_PREFIXES: &[&str] = &[
    "check",
    "require",
    "validate",
    "assert",
    "fail",
    "throw",
    "ensure",
    "raise",
    "precondition",
    "verify",
    "guard",
    "panic",
    "abort",
    "die",
    "bail",
    "expect",
    "unwrap",
];
const HELPER_NAMES: &[&str] = &[
    "invoke",
    "apply",
    "call",
    "__call__",
    "__call",
    "dispatch",
    "<anonymous>",
    "<lambda>",
    "lambda",
    "<global>",
    "{closure}",
    "closure",
    "error",
    "errorf",
    "fatal",
    "fatalf",
    "new",
];
const HELPER_TYPES: &[&str] = &[
    "Preconditions",
    "Validate",
    "Validator",
    "Objects",
    "Assert",
    "Assertions",
    "Verify",
    "Guard",
    "Ensure",
    "Check",
    "Checks",
    "ThrowHelper",
    "ExceptionUtils",
    "ErrorUtils",
    "Require",
];

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Is this frame a shared helper that says nothing about which bug it is?
pub fn is_helper(f: &Frame) -> bool {
    let func = f.function.rsplit("::").next().unwrap_or(&f.function);
    let func = func.trim_start_matches('_');
    if HELPER_PREFIXES.iter().any(|p| starts_with_ci(func, p))
        || HELPER_NAMES.iter().any(|n| func.eq_ignore_ascii_case(n))
        || func.is_empty()
    {
        return true;
    }
    // Error factories and wrappers: `createIllegalArgumentException`, `newError`, `wrapError`.
    if func.ends_with("Exception") || func.ends_with("Error") || func.ends_with("_error") {
        return true;
    }
    let ty = f.module.as_deref().unwrap_or("");
    let last = ty.rsplit(['.', '/', ':', '\\', '+']).next().unwrap_or(ty);
    HELPER_TYPES.contains(&last) || is_base_class(last)
}

/// Is this frame in test code (`FooTest`, `FooTests`, `FooTestCase`, `TestFoo`, `test_foo.py`)?
pub fn is_test_code(f: &Frame) -> bool {
    let ty = f.module.as_deref().unwrap_or("");
    let last = ty.rsplit(['.', '/', ':', '\\', '+']).next().unwrap_or(ty);
    let last = last.split('$').next().unwrap_or(last);
    let file = f.file.as_deref().unwrap_or("");
    let file = file.rsplit(['/', '\\']).next().unwrap_or(file);
    last.ends_with("Test")
        || last.ends_with("Tests")
        || last.ends_with("TestCase")
        || last
            .strip_prefix("Test")
            .and_then(|r| r.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase())
        || file.starts_with("test_") && file.ends_with(".py")
        || file.ends_with("_test.py")
        || file.ends_with("_test.go")
        || file.ends_with("_spec.rb")
        || file.ends_with(".test.js")
        || file.ends_with(".spec.js")
        || file.ends_with(".test.ts")
        || file.ends_with(".spec.ts")
}

/// `AbstractSolver`, `BaseHandler`: code inherited by many concrete classes, reached through
/// each of them for different reasons — like generic dispatch, it does not say which bug.
fn is_base_class(name: &str) -> bool {
    let name = name.split('$').next().unwrap_or(name);
    ["Abstract", "Base"].iter().any(|p| {
        name.strip_prefix(p)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase())
    })
}

/// Settings of the selection (the defaults are the shipped algorithm; scripts/score-stacks.sh
/// varies them for leave-one-project-out scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectConfig {
    /// The most frames a fingerprint takes (a chain of helpers ends here).
    pub key_frames: usize,
}

impl Default for SelectConfig {
    fn default() -> Self {
        SelectConfig {
            key_frames: KEY_FRAMES,
        }
    }
}

/// Which frames may take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    /// Application frames only.
    App,
    /// No application frame anywhere in the stack: library frames too (the whole stack after
    /// runtime, reflection and test-runner frames are dropped), as Sentry groups on all frames
    /// when none is in-app. A stack is never left to the message template alone while it has
    /// a frame of anyone's code.
    AllFrames,
}

/// Pick the frames that identify the bug.
pub fn select(stack: &ParsedStack) -> Selection {
    select_with(stack, &SelectConfig::default())
}

/// [`select`] with explicit settings.
pub fn select_with(stack: &ParsedStack, cfg: &SelectConfig) -> Selection {
    let mut fallback: Option<Selection> = None;
    // Application frames that are only test methods: the entry points a harness called, not
    // code at fault. When library code sits between them and the throw (the project under
    // test named a library, a test calling a framework), the library frames decide instead.
    let mut tests_only: Option<Selection> = None;
    for tier in [Tier::App, Tier::AllFrames] {
        for e in stack
            .exceptions
            .iter()
            .rev()
            .filter(|e| !e.frames.is_empty())
        {
            let sel = select_tier(
                stack.language,
                e.exception_type.as_deref(),
                &e.frames,
                cfg,
                tier,
            );
            if tier == Tier::App && !sel.kept.is_empty() && sel.kept.iter().all(is_test_code) {
                tests_only.get_or_insert(sel);
                continue;
            }
            if !sel.kept.is_empty() {
                return Selection {
                    all_frames: tier == Tier::AllFrames,
                    ..sel
                };
            }
            fallback.get_or_insert(sel);
        }
    }
    tests_only.or(fallback).unwrap_or_default()
}

/// Was this stack captured where the error was *recorded* rather than raised? Go's
/// `span.RecordError(err, trace.WithStackTrace(true))` prints the stack of the record call
/// (`go.opentelemetry.io/otel/sdk/trace.recordStackTrace` → `(*recordingSpan).RecordError` →
/// the caller). Then the frames say who recorded (a middleware records every handler's error),
/// not which bug it is.
pub fn captured_at_recording(stack: &ParsedStack) -> bool {
    let Some(e) = stack
        .exceptions
        .first()
        .filter(|_| stack.exceptions.len() == 1)
    else {
        return false;
    };
    let mut recorded = false;
    for f in &e.frames {
        let module = f.module.as_deref().unwrap_or("");
        if module.contains("opentelemetry") {
            recorded |= f.function.to_ascii_lowercase().contains("record");
            continue;
        }
        if f.rule == Some(FrameRule::Runtime) && !recorded {
            continue; // runtime.Stack, runtime/debug.Stack
        }
        break;
    }
    recorded
}

/// Does this exception type say the caller passed a bad value? Then the method that threw it
/// only validated its input (a precondition, whatever its name): which caller passed the value
/// is what tells one bug from another.
pub fn rejects_argument(exception_type: Option<&str>) -> bool {
    let Some(ty) = exception_type else {
        return false;
    };
    let last = ty.rsplit(['.', ':', '\\', '/']).next().unwrap_or(ty);
    last.contains("IllegalArgument")
        || last.contains("InvalidArgument")
        || last.starts_with("Argument")
}

/// Why a frame that may not take part in `tier` is left out.
fn left_out(lang: Language, f: &Frame, tier: Tier) -> Option<DropReason> {
    let rule = f.rule;
    let eligible = f.in_app || tier == Tier::AllFrames && rule.is_some_and(FrameRule::is_library);
    if eligible {
        return None;
    }
    Some(match rule {
        Some(FrameRule::Runtime) => DropReason::Runtime,
        Some(FrameRule::TestRunner) => DropReason::TestRunner,
        Some(_) => DropReason::Library,
        None => match classify(lang, f) {
            FrameKind::TestRunner => DropReason::TestRunner,
            FrameKind::Runtime => DropReason::Runtime,
            _ => DropReason::Library,
        },
    })
}

fn select_tier(
    lang: Language,
    exception_type: Option<&str>,
    frames: &[Frame],
    cfg: &SelectConfig,
    tier: Tier,
) -> Selection {
    let validates_input = rejects_argument(exception_type);
    let mut sel = Selection::default();
    let mut dropped = Vec::new();
    let mut need_more = true;
    let mut prev: Option<(&Option<String>, &str)> = None;
    for f in frames {
        // The line stays with the frame (it locates the sample for `show` and for source
        // excerpts in a diagnosis); the fingerprint hashes only `qualified()`, never the line.
        let mut key = f.clone();
        key.column = None;
        let same_as_prev = prev.is_some_and(|(m, func)| *m == f.module && func == f.function);
        prev = Some((&f.module, &f.function));
        if same_as_prev {
            dropped.push((key, DropReason::Recursion));
            continue;
        }
        if let Some(reason) = left_out(lang, f, tier) {
            dropped.push((key, reason));
            continue;
        }
        if need_more && !sel.kept.is_empty() && is_test_code(&key) {
            // A test method is the entry point a harness called, not the caller that tells
            // bugs apart: each test of one bug would otherwise be its own signature.
            need_more = false;
            dropped.push((key, DropReason::TestRunner));
        } else if need_more && sel.kept.len() < cfg.key_frames {
            need_more = is_helper(&key) || validates_input && sel.kept.is_empty();
            std::sync::Arc::make_mut(&mut sel.kept).push(key);
        } else {
            dropped.push((key, DropReason::BeyondDepth));
        }
    }
    sel.dropped = std::sync::Arc::new(dropped);
    sel
}

#[cfg(test)]
mod tests {
    //! Stacks below are real Defects4J traces (tests/fixtures/defects4j/traces.jsonl), cut
    //! after the first runner frames.
    use super::super::parse;
    use super::select;

    fn kept(text: &str) -> Vec<String> {
        let parsed = parse(text).expect("a Java stack");
        select(&parsed).kept.iter().map(|f| f.qualified()).collect()
    }

    const RUNNER: &str = "\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n\
                          \tat junit.framework.TestCase.runTest(TestCase.java:176)\n";

    #[test]
    fn argument_rejection_brings_in_the_caller_that_passed_the_value() {
        // Chart-9 and Chart-17: one validation, two bugs in two different callers.
        let recursion = format!(
            "java.lang.IllegalArgumentException: Requires start <= end.\n\
             \tat org.jfree.data.time.TimeSeries.createCopy(TimeSeries.java:883)\n\
             \tat org.jfree.data.time.TimeSeries.createCopy(TimeSeries.java:953)\n\
             \tat org.jfree.data.time.junit.TimeSeriesTests.testBug1864222(TimeSeriesTests.java:829)\n{RUNNER}"
        );
        let clone = format!(
            "java.lang.IllegalArgumentException: Requires start <= end.\n\
             \tat org.jfree.data.time.TimeSeries.createCopy(TimeSeries.java:880)\n\
             \tat org.jfree.data.time.TimeSeries.clone(TimeSeries.java:857)\n\
             \tat org.jfree.data.time.junit.TimeSeriesTests.testBug1832432(TimeSeriesTests.java:619)\n{RUNNER}"
        );
        assert_eq!(
            kept(&clone),
            [
                "org.jfree.data.time.TimeSeries.createCopy",
                "org.jfree.data.time.TimeSeries.clone"
            ]
        );
        // The recursive call is one frame; the test method that called it does not take part.
        assert_eq!(
            kept(&recursion),
            ["org.jfree.data.time.TimeSeries.createCopy"]
        );
        // Another exception type thrown at the same place decides by that frame alone.
        let npe = clone.replace("IllegalArgumentException", "NullPointerException");
        assert_eq!(kept(&npe), ["org.jfree.data.time.TimeSeries.createCopy"]);
    }

    #[test]
    fn base_class_frames_take_callers_until_a_concrete_class() {
        // Math-40 and Math-51: the same inherited counter, reached from two solvers.
        let frames = |solver: &str| {
            format!(
                "org.apache.commons.math.exception.TooManyEvaluationsException: illegal state: maximal count (100) exceeded: evaluations\n\
                 \tat org.apache.commons.math.analysis.solvers.BaseAbstractUnivariateRealSolver.incrementEvaluationCount(BaseAbstractUnivariateRealSolver.java:296)\n\
                 \tat org.apache.commons.math.analysis.solvers.BaseAbstractUnivariateRealSolver.computeObjectiveValue(BaseAbstractUnivariateRealSolver.java:153)\n\
                 \tat org.apache.commons.math.analysis.solvers.{solver}.doSolve({solver}.java:283)\n\
                 \tat org.apache.commons.math.analysis.solvers.BaseAbstractUnivariateRealSolver.solve(BaseAbstractUnivariateRealSolver.java:190)\n{RUNNER}"
            )
        };
        let brent = kept(&frames("BracketingNthOrderBrentSolver"));
        assert_eq!(brent.len(), 3);
        assert_eq!(
            brent[2],
            "org.apache.commons.math.analysis.solvers.BracketingNthOrderBrentSolver.doSolve"
        );
        // A `Base…` solver is shared code too: its caller takes part as well.
        assert_eq!(kept(&frames("BaseSecantSolver")).len(), 4);
    }

    #[test]
    fn test_methods_never_extend_a_fingerprint() {
        // Collections-10: one bug reached from two test methods through a test base class.
        let from = |test: &str| {
            format!(
                "java.io.InvalidClassException: org.apache.commons.collections.map.MultiValueMap; class invalid for deserialization\n\
                 \tat java.io.ObjectInputStream.readObject(ObjectInputStream.java:370)\n\
                 \tat org.apache.commons.collections.AbstractTestObject.readExternalFormFromStream(AbstractTestObject.java:326)\n\
                 \tat org.apache.commons.collections.AbstractTestObject.readExternalFormFromDisk(AbstractTestObject.java:301)\n\
                 \tat org.apache.commons.collections.map.TestMultiValueMap.{test}(TestMultiValueMap.java:394)\n{RUNNER}"
            )
        };
        let empty = kept(&from("testEmptyMapCompatibility"));
        assert_eq!(empty.len(), 2);
        assert_eq!(empty, kept(&from("testFullMapCompatibility")));
    }
}
