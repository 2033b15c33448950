//! Per-test-case limits: what a request may ask for and what it gets by default.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sandbox::RunLimits;

/// Limits as a request states them; every field optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestedLimits {
    /// CPU time; at most the server's maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub time_ms: Option<u64>,
    /// At least 32 (`MIN_MEMORY_MB`: the interpreter's own needs), at most
    /// the server's maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 32)]
    pub memory_mb: Option<u64>,
    /// At most the server's maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub output_kb: Option<u64>,
    /// Wasmtime fuel, which it counts in an i64.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807_u64)]
    pub instruction_limit: Option<u64>,
}

/// Validated limits for one test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Limits {
    pub time_ms: u64,
    pub memory_mb: u64,
    /// Stdout cap; stderr has its own, server-wide cap.
    pub output_kb: u64,
    pub stderr_kb: u64,
    pub instruction_limit: Option<u64>,
}

/// `time_ms` limits CPU time, which does not grow when other runs share the
/// cores. Wall time is only a backstop for programs that sleep or block: at
/// most two runs share a core by default (`concurrent_runs`), so a CPU-bound
/// run's wall time stays within about twice its CPU time even under full
/// load; three times, plus a second for a JVM's start-up, leaves room for
/// the host's own work without letting a sleeping program hold its slot long.
const WALL_BACKSTOP_FACTOR: u32 = 3;
const WALL_BACKSTOP_EXTRA: Duration = Duration::from_secs(1);

impl Limits {
    pub fn run_limits(&self) -> RunLimits {
        let cpu_time = Duration::from_millis(self.time_ms);
        RunLimits {
            cpu_time,
            wall_time: cpu_time * WALL_BACKSTOP_FACTOR + WALL_BACKSTOP_EXTRA,
            memory_bytes: self.memory_mb << 20,
            stdout_bytes: (self.output_kb << 10) as usize,
            stderr_bytes: (self.stderr_kb << 10) as usize,
            fuel: self.instruction_limit,
        }
    }
}

/// Where a run's time limit came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeSource {
    /// The question's reference solutions in this language: their slowest
    /// test's CPU time times the multiplier (at least the floor).
    Calibrated {
        reference_cpu_ms: f64,
        multiplier: f64,
    },
    /// Set for this language in the question's `limits_by_language`.
    SetForLanguage,
    /// A general limit (the question's, the request's or the server's
    /// default) times the language's factor; `capped`: cut to the server's
    /// maximum.
    Scaled {
        general_time_ms: u64,
        factor: f64,
        capped: bool,
    },
    /// A general limit as written: the language's factor is 1 (and every
    /// limit recorded before there were factors).
    #[default]
    Unscaled,
    /// The server's maximum: reference solutions being calibrated.
    Maximum,
}

/// The limits a run is judged under, and where its time limit came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppliedLimits {
    #[serde(flatten)]
    pub limits: Limits,
    #[serde(default)]
    pub time_source: TimeSource,
}

/// The server's defaults, maxima and per-language time factors; build it
/// with `LimitPolicy::new`.
#[derive(Debug, Clone)]
pub struct LimitPolicy {
    default: Limits,
    max_time_ms: u64,
    max_memory_mb: u64,
    max_output_kb: u64,
    /// Languages not named have 1.
    time_factors: BTreeMap<String, f64>,
}

/// Bounds on a language's time factor: beyond them it is surely a typo.
const MIN_TIME_FACTOR: f64 = 0.1;
const MAX_TIME_FACTOR: f64 = 100.0;

/// The interpreter itself needs this much before the program allocates anything.
pub const MIN_MEMORY_MB: u64 = 32;

/// Wasmtime keeps fuel in an `i64`; ~10^10 fuel is about a second of guest work.
const MAX_INSTRUCTIONS: u64 = i64::MAX as u64;

/// Bounds on the operator's settings, far above any sensible value, so byte
/// counts derived from them cannot overflow.
const MAX_MEMORY_SETTING_MB: u64 = 64 << 10;
const MAX_OUTPUT_SETTING_KB: u64 = 4 << 20;

/// `Ok(value)` if `min <= value <= max`, else a message naming it.
fn within(name: &str, value: u64, min: u64, max: u64) -> Result<u64, String> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{name} must be between {min} and {max}, got {value}"
        ))
    }
}

impl LimitPolicy {
    /// Checks the operator's settings: each default within its maximum.
    pub fn new(
        default: Limits,
        max_time_ms: u64,
        max_memory_mb: u64,
        max_output_kb: u64,
    ) -> Result<Self, String> {
        within(
            "max_memory_mb",
            max_memory_mb,
            MIN_MEMORY_MB,
            MAX_MEMORY_SETTING_MB,
        )?;
        within("max_output_kb", max_output_kb, 1, MAX_OUTPUT_SETTING_KB)?;
        within("default_time_ms", default.time_ms, 1, max_time_ms)?;
        within(
            "default_memory_mb",
            default.memory_mb,
            MIN_MEMORY_MB,
            max_memory_mb,
        )?;
        within("default_output_kb", default.output_kb, 1, max_output_kb)?;
        within("stderr_kb", default.stderr_kb, 1, MAX_OUTPUT_SETTING_KB)?;
        Ok(Self {
            default,
            max_time_ms,
            max_memory_mb,
            max_output_kb,
            time_factors: BTreeMap::new(),
        })
    }

    /// The policy with `factors` (language, factor) for general time
    /// limits; every language must be one of `known`.
    pub fn with_time_factors(
        mut self,
        factors: &[(String, f64)],
        known: &[&str],
    ) -> Result<Self, String> {
        for (language, factor) in factors {
            if !known.contains(&language.as_str()) {
                return Err(format!(
                    "time factor for unknown language {language:?}; known: {}",
                    known.join(", ")
                ));
            }
            if !(MIN_TIME_FACTOR..=MAX_TIME_FACTOR).contains(factor) {
                return Err(format!(
                    "the time factor of {language} must be between {MIN_TIME_FACTOR} and \
                     {MAX_TIME_FACTOR}, got {factor}"
                ));
            }
            self.time_factors.insert(language.clone(), *factor);
        }
        Ok(self)
    }

    pub fn max_time_ms(&self) -> u64 {
        self.max_time_ms
    }

    /// What general time limits in `language` are multiplied by.
    pub fn time_factor(&self, language: &str) -> f64 {
        self.time_factors.get(language).copied().unwrap_or(1.0)
    }

    /// `limits`, written for no language in particular, as they apply to
    /// `language`: the time times its factor, never above the maximum
    /// (the maximum bounds how long any run is judged, scaled or not).
    pub fn scaled(&self, language: &str, limits: Limits) -> AppliedLimits {
        let factor = self.time_factor(language);
        if factor == 1.0 {
            return AppliedLimits {
                limits,
                time_source: TimeSource::Unscaled,
            };
        }
        let general_time_ms = limits.time_ms;
        let scaled = ((general_time_ms as f64) * factor).ceil().max(1.0) as u64;
        AppliedLimits {
            limits: Limits {
                time_ms: scaled.min(self.max_time_ms),
                ..limits
            },
            time_source: TimeSource::Scaled {
                general_time_ms,
                factor,
                capped: scaled > self.max_time_ms,
            },
        }
    }

    pub fn default_limits(&self) -> &Limits {
        &self.default
    }

    pub fn max_memory_mb(&self) -> u64 {
        self.max_memory_mb
    }

    pub fn max_output_kb(&self) -> u64 {
        self.max_output_kb
    }

    /// The limits a request gets, or a message naming the first value out of range.
    pub fn resolve(&self, requested: &RequestedLimits) -> Result<Limits, String> {
        self.resolve_named("limits", requested)
    }

    /// `resolve`, naming a bad value as `{field}.{name}`.
    pub fn resolve_named(
        &self,
        field: &str,
        requested: &RequestedLimits,
    ) -> Result<Limits, String> {
        let pick = |name: &str, value: Option<u64>, min: u64, max: u64, default: u64| {
            value.map_or(Ok(default), |v| {
                within(&format!("{field}.{name}"), v, min, max)
            })
        };
        let default = &self.default;
        Ok(Limits {
            time_ms: pick(
                "time_ms",
                requested.time_ms,
                1,
                self.max_time_ms,
                default.time_ms,
            )?,
            memory_mb: pick(
                "memory_mb",
                requested.memory_mb,
                MIN_MEMORY_MB,
                self.max_memory_mb,
                default.memory_mb,
            )?,
            output_kb: pick(
                "output_kb",
                requested.output_kb,
                1,
                self.max_output_kb,
                default.output_kb,
            )?,
            stderr_kb: default.stderr_kb,
            instruction_limit: match requested.instruction_limit {
                None => default.instruction_limit,
                Some(limit) => Some(within(
                    &format!("{field}.instruction_limit"),
                    limit,
                    1,
                    MAX_INSTRUCTIONS,
                )?),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LimitPolicy {
        let default = Limits {
            time_ms: 5_000,
            memory_mb: 256,
            output_kb: 8 << 10,
            stderr_kb: 1 << 10,
            instruction_limit: None,
        };
        LimitPolicy::new(default, 10_000, 1024, 64 << 10).unwrap()
    }

    #[test]
    fn unset_limits_take_the_defaults() {
        let policy = policy();
        assert_eq!(
            policy.resolve(&RequestedLimits::default()),
            Ok(policy.default_limits().clone())
        );
    }

    #[test]
    fn limits_beyond_the_maximum_are_rejected_with_their_name() {
        let too_long = RequestedLimits {
            time_ms: Some(60_000),
            ..Default::default()
        };
        let error = policy().resolve(&too_long).unwrap_err();
        assert!(
            error.contains("limits.time_ms") && error.contains("10000"),
            "{error}"
        );
        let too_small = RequestedLimits {
            memory_mb: Some(1),
            ..Default::default()
        };
        assert!(
            policy()
                .resolve(&too_small)
                .unwrap_err()
                .contains("memory_mb")
        );
    }

    #[test]
    fn general_time_limits_are_scaled_by_the_languages_factor_up_to_the_maximum() {
        let factors = [("python".to_string(), 3.0), ("c".to_string(), 1.0)];
        let policy = policy()
            .with_time_factors(&factors, &["c", "python"])
            .unwrap();
        let limits = |time_ms| Limits {
            time_ms,
            ..policy.default_limits().clone()
        };
        let python = policy.scaled("python", limits(2_000));
        assert_eq!(python.limits.time_ms, 6_000);
        assert_eq!(
            python.time_source,
            TimeSource::Scaled {
                general_time_ms: 2_000,
                factor: 3.0,
                capped: false
            }
        );
        let long = policy.scaled("python", limits(5_000));
        assert_eq!(long.limits.time_ms, 10_000, "the maximum");
        assert!(matches!(
            long.time_source,
            TimeSource::Scaled { capped: true, .. }
        ));
        for unscaled in ["c", "java"] {
            let applied = policy.scaled(unscaled, limits(2_000));
            assert_eq!(applied.limits.time_ms, 2_000);
            assert_eq!(applied.time_source, TimeSource::Unscaled);
        }
    }

    #[test]
    fn factors_for_unknown_languages_or_out_of_range_are_refused() {
        let error =
            (policy().with_time_factors(&[("cobol".into(), 2.0)], &["python"])).unwrap_err();
        assert!(error.contains("cobol"), "{error}");
        let error =
            (policy().with_time_factors(&[("python".into(), 0.0)], &["python"])).unwrap_err();
        assert!(error.contains("python"), "{error}");
    }

    #[test]
    fn settings_whose_default_exceeds_the_maximum_are_rejected() {
        let default = policy().default_limits().clone();
        let error = LimitPolicy::new(default.clone(), 10_000, 128, 64 << 10).unwrap_err();
        assert!(error.contains("default_memory_mb"), "{error}");
        let error = LimitPolicy::new(default, 10_000, 1 << 40, 64 << 10).unwrap_err();
        assert!(error.contains("max_memory_mb"), "{error}");
    }
}
