//! Budget arithmetic: model prices, the worst case of a call, and what the spend ledger allows.
//!
//! The ledger is the truth: before each call, what was spent today (UTC) plus the worst case of
//! the call about to start must fit in the daily budget, and the call's own cap must fit in the
//! per-diagnosis cap. With no pinned model, calls are priced as the model the backend reported
//! last time, and until one is known as the dearest model its default can be
//! ([`PriceTable::pricing_model`]), so the daily budget holds. A pinned model that is not in the
//! table has no price: each call is reserved and charged at its cap, and the note says so.

use crate::core::model::{UnixNanos, NANOS_PER_DAY};
use crate::core::ports::diagnoser::Tokens;
use std::collections::BTreeMap;

/// Prices in USD per million tokens, and the limits that bound one model call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPrice {
    pub input: f64,
    pub cached_input: f64,
    pub output: f64,
    /// Largest input one call can send (the context window), in tokens.
    pub context_window: u64,
    /// Largest output one call can produce, in tokens.
    pub max_output: u64,
}

impl ModelPrice {
    /// Cost of the given usage. Cached tokens are part of `input` (OpenAI semantics).
    pub fn cost(&self, tokens: &Tokens) -> f64 {
        let cached = tokens.cached_input.min(tokens.input);
        let uncached = tokens.input - cached;
        (uncached as f64 * self.input
            + cached as f64 * self.cached_input
            + tokens.output as f64 * self.output)
            / 1_000_000.0
    }

    /// The most a single model call can cost: a full context window in, a full output out.
    pub fn max_call_cost(&self) -> f64 {
        (self.context_window as f64 * self.input + self.max_output as f64 * self.output)
            / 1_000_000.0
    }

    /// The most a call with `input_tokens` in and at most `max_output` out can cost.
    pub fn call_cost(&self, input_tokens: u64, max_output: u64) -> f64 {
        (input_tokens as f64 * self.input + max_output as f64 * self.output) / 1_000_000.0
    }
}

/// Built-in list prices (USD per million tokens; override per model in configuration).
const BUILT_IN: &[(&str, ModelPrice)] = &[
    ("claude-opus-4-5", p(5.0, 0.5, 25.0, 200_000, 32_000)),
    ("claude-opus-4-1", p(15.0, 1.5, 75.0, 200_000, 32_000)),
    ("claude-opus-4", p(15.0, 1.5, 75.0, 200_000, 32_000)),
    ("claude-sonnet-4-5", p(3.0, 0.3, 15.0, 200_000, 32_000)),
    ("claude-sonnet-4", p(3.0, 0.3, 15.0, 200_000, 32_000)),
    ("claude-haiku-4-5", p(1.0, 0.1, 5.0, 200_000, 32_000)),
    ("claude-3-5-haiku", p(0.8, 0.08, 4.0, 200_000, 8_192)),
    ("gpt-5.1-codex-mini", p(0.25, 0.025, 2.0, 400_000, 128_000)),
    ("gpt-5.1-codex-max", p(1.25, 0.125, 10.0, 400_000, 128_000)),
    ("gpt-5.1-codex", p(1.25, 0.125, 10.0, 400_000, 128_000)),
    ("gpt-5-codex", p(1.25, 0.125, 10.0, 400_000, 128_000)),
    ("gpt-5.1", p(1.25, 0.125, 10.0, 400_000, 128_000)),
    ("gpt-5-mini", p(0.25, 0.025, 2.0, 400_000, 128_000)),
    ("gpt-5-nano", p(0.05, 0.005, 0.4, 400_000, 128_000)),
    ("gpt-5", p(1.25, 0.125, 10.0, 400_000, 128_000)),
    ("gpt-4.1-mini", p(0.4, 0.1, 1.6, 1_047_576, 32_768)),
    ("gpt-4.1-nano", p(0.1, 0.025, 0.4, 1_047_576, 32_768)),
    ("gpt-4.1", p(2.0, 0.5, 8.0, 1_047_576, 32_768)),
    ("gpt-4o-mini", p(0.15, 0.075, 0.6, 128_000, 16_384)),
    ("gpt-4o", p(2.5, 1.25, 10.0, 128_000, 16_384)),
    ("o4-mini", p(1.1, 0.275, 4.4, 200_000, 100_000)),
];

const fn p(
    input: f64,
    cached_input: f64,
    output: f64,
    context_window: u64,
    max_output: u64,
) -> ModelPrice {
    ModelPrice {
        input,
        cached_input,
        output,
        context_window,
        max_output,
    }
}

/// A price table: the built-in list plus user overrides, looked up by model id.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    overrides: BTreeMap<String, ModelPrice>,
}

#[derive(Debug, thiserror::Error)]
#[error("bad price override '{entry}': {reason} (expected MODEL=INPUT,CACHED,OUTPUT[,CONTEXT,MAX_OUTPUT] in USD per million tokens)")]
pub struct PriceParseError {
    pub entry: String,
    pub reason: String,
}

impl PriceTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse overrides such as `my-model=0.5,0.05,1.5;local-llama=0,0,0,32768,4096`.
    pub fn with_overrides(spec: &str) -> Result<Self, PriceParseError> {
        let mut t = PriceTable::new();
        for entry in spec.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let err = |reason: &str| PriceParseError {
                entry: entry.to_string(),
                reason: reason.to_string(),
            };
            let (model, nums) = entry.split_once('=').ok_or_else(|| err("missing '='"))?;
            let vals: Vec<f64> = nums
                .split(',')
                .map(|v| v.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| err("not a number"))?;
            if vals.iter().any(|v| !v.is_finite() || *v < 0.0) {
                return Err(err("prices must be finite and >= 0"));
            }
            let base = t.lookup(model.trim());
            let price = match vals.as_slice() {
                [i, c, o] => ModelPrice {
                    input: *i,
                    cached_input: *c,
                    output: *o,
                    context_window: base.map_or(200_000, |b| b.context_window),
                    max_output: base.map_or(32_000, |b| b.max_output),
                },
                [i, c, o, ctx, out] => ModelPrice {
                    input: *i,
                    cached_input: *c,
                    output: *o,
                    context_window: *ctx as u64,
                    max_output: *out as u64,
                },
                _ => return Err(err("expected 3 or 5 numbers")),
            };
            t.overrides.insert(model.trim().to_string(), price);
        }
        Ok(t)
    }

    /// The price of `model`: an exact override, else the built-in entry whose id is a prefix of
    /// the model (so dated ids such as `claude-sonnet-4-5-20250929` match), longest prefix first.
    /// `None` for an empty or unknown model: never guessed.
    pub fn lookup(&self, model: &str) -> Option<ModelPrice> {
        if model.is_empty() {
            return None;
        }
        if let Some(p) = self.overrides.get(model) {
            return Some(*p);
        }
        let model_lc = model.to_ascii_lowercase();
        // Gateways prefix ids (`openai/gpt-4o`); match on the last path segment too.
        let bare = model_lc.rsplit('/').next().unwrap_or(&model_lc);
        let candidates = [model_lc.as_str(), bare];
        BUILT_IN
            .iter()
            .filter(|(id, _)| candidates.iter().any(|m| is_model_prefix(id, m)))
            .max_by_key(|(id, _)| id.len())
            .map(|(_, p)| *p)
    }
}

/// The models a backend's default (no `--model`) can resolve to, from the backends' own docs:
/// Claude Code's `default` is Opus 4.5 or Sonnet 4.5 by account type (Haiku for background
/// work); Codex defaults to a GPT-5.1 Codex model. Older models (Opus 4.1, $15/$75) are reached
/// only by pinning, which prices them exactly; assuming them for every unpinned call would make
/// one call's worst case ($5.90) exceed the default daily budget, so no call would ever run and
/// no model would ever be reported.
pub fn default_models(backend: &str) -> &'static [&'static str] {
    match backend {
        "claude_code" => &["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"],
        "codex" => &[
            "gpt-5.1-codex-max",
            "gpt-5.1-codex",
            "gpt-5-codex",
            "gpt-5.1-codex-mini",
        ],
        _ => &[],
    }
}

/// The state key under which the model a backend reported last is kept.
pub fn reported_model_key(backend: &str) -> String {
    format!("diagnosis.reported_model.{backend}")
}

impl PriceTable {
    /// The dearest of `models` by the most one call can cost (the first of equals).
    pub fn dearest(&self, models: &[&str]) -> Option<(String, ModelPrice)> {
        let mut best: Option<(String, ModelPrice)> = None;
        for (m, p) in models
            .iter()
            .filter_map(|m| self.lookup(m).map(|p| (m.to_string(), p)))
        {
            if best
                .as_ref()
                .is_none_or(|(_, b)| p.max_call_cost() > b.max_call_cost())
            {
                best = Some((m, p));
            }
        }
        best
    }

    /// The model a call is priced as: the pinned `configured` model (priced or not); with none,
    /// the model `reported` last time when it is priced, else the dearest default of `backend`.
    /// `None` when that leaves no price.
    pub fn pricing_model(
        &self,
        backend: &str,
        configured: &str,
        reported: Option<&str>,
    ) -> Option<(String, ModelPrice)> {
        if !configured.is_empty() {
            return self.lookup(configured).map(|p| (configured.to_string(), p));
        }
        if let Some((m, p)) = reported.and_then(|m| self.lookup(m).map(|p| (m.to_string(), p))) {
            return Some((m, p));
        }
        self.dearest(default_models(backend))
    }
}

/// `id` names `model` exactly or as a prefix followed by a dated or versioned suffix.
fn is_model_prefix(id: &str, model: &str) -> bool {
    model == id
        || (model.starts_with(id) && model[id.len()..].starts_with('-') && {
            // `gpt-5-mini` must not be priced as `gpt-5`: the suffix after the id must be a date or
            // a version, i.e. start with a digit.
            model[id.len() + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
}

/// `[start, end)` of the UTC day holding `now`.
pub fn utc_day(now: UnixNanos) -> (UnixNanos, UnixNanos) {
    let start = now.div_euclid(NANOS_PER_DAY) * NANOS_PER_DAY;
    (start, start + NANOS_PER_DAY)
}

/// Limits that apply to one pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetLimits {
    /// USD per UTC day, across all runs.
    pub daily_usd: f64,
    /// USD cap for one diagnosis (what the backend is told, e.g. `--max-budget-usd`).
    pub per_diagnosis_usd: f64,
    /// Optional cap for this run only (`--budget`).
    pub run_usd: Option<f64>,
}

/// Below this, a call cannot do useful work; the signature waits for the next day.
pub const MIN_USEFUL_USD: f64 = 0.01;

/// What the ledger allows for the next call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Allowance {
    /// Make the call with this cap; its worst case is known and fits.
    Call { cap_usd: f64, worst_case_usd: f64 },
    /// Make the call with this cap; the (pinned) model's price is unknown, so the call is
    /// reserved and charged at its cap.
    CallPriceUnknown { cap_usd: f64 },
    /// No call: the budget left cannot cover the worst case.
    Exhausted {
        remaining_usd: f64,
        needed_usd: f64,
        which: &'static str,
    },
}

/// Decide the next call's cap from the ledger. `worst_case(cap)` is the backend's worst case for
/// a call told `cap` (e.g. cap + one call's overshoot for Claude), `None` when unpriced.
pub fn allowance(
    limits: &BudgetLimits,
    spent_today: f64,
    spent_this_run: f64,
    worst_case: impl Fn(f64) -> Option<f64>,
) -> Allowance {
    let day_left = limits.daily_usd - spent_today;
    let (left, which) = match limits.run_usd {
        Some(run) if run - spent_this_run < day_left => {
            (run - spent_this_run, "--budget for this run")
        }
        _ => (day_left, "DAILY_BUDGET_LIMIT"),
    };
    let cap = limits.per_diagnosis_usd.min(left);
    if cap < MIN_USEFUL_USD {
        return Allowance::Exhausted {
            remaining_usd: left.max(0.0),
            needed_usd: MIN_USEFUL_USD,
            which,
        };
    }
    let Some(worst) = worst_case(cap) else {
        return Allowance::CallPriceUnknown { cap_usd: cap };
    };
    if worst <= left + 1e-9 {
        return Allowance::Call {
            cap_usd: cap,
            worst_case_usd: worst,
        };
    }
    // The worst case grows with the cap plus a fixed overshoot: shrink the cap by the excess once.
    let shrunk = cap - (worst - left);
    if shrunk >= MIN_USEFUL_USD {
        if let Some(w) = worst_case(shrunk) {
            if w <= left + 1e-9 {
                return Allowance::Call {
                    cap_usd: shrunk,
                    worst_case_usd: w,
                };
            }
        }
    }
    Allowance::Exhausted {
        remaining_usd: left.max(0.0),
        needed_usd: worst,
        which,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_ids_match_their_family_and_unknown_ids_have_no_price() {
        let t = PriceTable::new();
        let s = t.lookup("claude-sonnet-4-5-20250929").expect("priced");
        assert_eq!(s.input, 3.0);
        assert_eq!(t.lookup("gpt-5-mini").map(|p| p.output), Some(2.0));
        assert_eq!(t.lookup("gpt-5-2025-08-07").map(|p| p.output), Some(10.0));
        assert_eq!(t.lookup("openai/gpt-4o-mini").map(|p| p.input), Some(0.15));
        assert!(t.lookup("llama3.1:8b").is_none());
        assert!(t.lookup("gpt-5x").is_none());
        assert!(t.lookup("").is_none());
    }

    #[test]
    fn overrides_win_and_bad_ones_are_rejected() {
        let t = PriceTable::with_overrides("llama3.1:8b=0,0,0; gpt-4o=1,0.5,2,1000,100")
            .expect("valid");
        assert_eq!(t.lookup("llama3.1:8b").map(|p| p.output), Some(0.0));
        let g = t.lookup("gpt-4o").expect("priced");
        assert_eq!((g.input, g.context_window, g.max_output), (1.0, 1000, 100));
        assert!(PriceTable::with_overrides("x=1,2").is_err());
        assert!(PriceTable::with_overrides("x=1,-2,3").is_err());
        assert!(PriceTable::with_overrides("x").is_err());
    }

    #[test]
    fn token_cost_follows_openai_semantics() {
        let price = p(1.25, 0.125, 10.0, 400_000, 128_000);
        // From cap-codex-events.jsonl: 18000 in (6000 cached), 700 out.
        let c = price.cost(&Tokens {
            input: 18_000,
            cached_input: 6_000,
            output: 700,
        });
        let expected = (12_000.0 * 1.25 + 6_000.0 * 0.125 + 700.0 * 10.0) / 1e6;
        assert!((c - expected).abs() < 1e-12, "{c} vs {expected}");
    }

    #[test]
    fn utc_day_bounds() {
        let t = 1_764_000_000 * 1_000_000_000i64 + 5;
        let (s, e) = utc_day(t);
        assert!(s <= t && t < e);
        assert_eq!(s % NANOS_PER_DAY, 0);
        assert_eq!(e - s, NANOS_PER_DAY);
    }

    const LIMITS: BudgetLimits = BudgetLimits {
        daily_usd: 5.0,
        per_diagnosis_usd: 0.5,
        run_usd: None,
    };

    #[test]
    fn call_allowed_when_ledger_plus_worst_case_fits() {
        let a = allowance(&LIMITS, 1.0, 0.0, |cap| Some(cap + 1.08));
        assert_eq!(
            a,
            Allowance::Call {
                cap_usd: 0.5,
                worst_case_usd: 1.58
            }
        );
    }

    #[test]
    fn claude_overshoot_shrinks_the_cap_near_the_limit() {
        // 5.0 - 3.9 = 1.1 left; the overshoot of 1.0 leaves a cap of 0.1.
        let a = allowance(&LIMITS, 3.9, 0.0, |cap| Some(cap + 1.0));
        match a {
            Allowance::Call {
                cap_usd,
                worst_case_usd,
            } => {
                assert!((cap_usd - 0.1).abs() < 1e-9, "{cap_usd}");
                assert!(3.9 + worst_case_usd <= 5.0 + 1e-9);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_call_when_the_worst_case_cannot_fit() {
        let a = allowance(&LIMITS, 4.2, 0.0, |cap| Some(cap + 1.0));
        assert!(
            matches!(
                a,
                Allowance::Exhausted {
                    which: "DAILY_BUDGET_LIMIT",
                    ..
                }
            ),
            "{a:?}"
        );
        let a = allowance(&LIMITS, 5.0, 0.0, Some);
        assert!(matches!(a, Allowance::Exhausted { .. }), "{a:?}");
    }

    #[test]
    fn run_budget_binds_before_the_daily_one() {
        let limits = BudgetLimits {
            run_usd: Some(0.3),
            ..LIMITS
        };
        let a = allowance(&limits, 0.0, 0.1, Some);
        assert!(
            matches!(a, Allowance::Call { cap_usd, .. } if (cap_usd - 0.2).abs() < 1e-9),
            "{a:?}"
        );
        let a = allowance(&limits, 0.0, 0.3, Some);
        assert!(
            matches!(
                a,
                Allowance::Exhausted {
                    which: "--budget for this run",
                    ..
                }
            ),
            "{a:?}"
        );
    }

    #[test]
    fn an_unpinned_model_is_priced_as_reported_else_as_the_dearest_default() {
        let t = PriceTable::new();
        // Nothing reported yet: the dearest model the default can be.
        let (m, p) = t.pricing_model("claude_code", "", None).expect("priced");
        assert_eq!(m, "claude-opus-4-5");
        assert!(
            (p.max_call_cost() - 1.8).abs() < 1e-9,
            "{}",
            p.max_call_cost()
        );
        let (m, _) = t.pricing_model("codex", "", None).expect("priced");
        assert!(m.starts_with("gpt-5.1-codex"), "{m}");
        // Reported last time and priced: that model.
        let (m, p) = t
            .pricing_model("claude_code", "", Some("claude-sonnet-4-5-20250929"))
            .expect("priced");
        assert_eq!((m.as_str(), p.input), ("claude-sonnet-4-5-20250929", 3.0));
        // Reported but unpriced: still the dearest default, never nothing.
        let (m, _) = t
            .pricing_model("claude_code", "", Some("claude-future-9"))
            .expect("priced");
        assert_eq!(m, "claude-opus-4-5");
        // Pinned wins, priced or not.
        assert_eq!(
            t.pricing_model("claude_code", "claude-haiku-4-5", Some("claude-opus-4-5"))
                .map(|(m, _)| m),
            Some("claude-haiku-4-5".into())
        );
        assert!(t.pricing_model("openai", "llama3.1:8b", None).is_none());
        assert!(t.pricing_model("openai", "", None).is_none());
        // Overrides price the assumption too.
        let o = PriceTable::with_overrides("claude-sonnet-4-5=30,3,150").expect("valid");
        assert_eq!(
            o.pricing_model("claude_code", "", None).map(|(m, _)| m),
            Some("claude-sonnet-4-5".into())
        );
    }

    #[test]
    fn unknown_price_is_reported_not_guessed() {
        let a = allowance(&LIMITS, 0.0, 0.0, |_| None);
        assert_eq!(a, Allowance::CallPriceUnknown { cap_usd: 0.5 });
        // A spent day still stops calls, priced or not.
        let a = allowance(&LIMITS, 5.0, 0.0, |_| None);
        assert!(matches!(a, Allowance::Exhausted { .. }));
    }
}
