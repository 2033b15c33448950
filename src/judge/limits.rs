//! Per-test-case limits: what a request may ask for and what it gets by default.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sandbox::RunLimits;

/// Limits as a request states them; every field optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestedLimits {
    pub time_ms: Option<u64>,
    pub memory_mb: Option<u64>,
    pub output_kb: Option<u64>,
    pub instruction_limit: Option<u64>,
}

/// Validated limits for one test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The server's defaults and maxima; build it with `LimitPolicy::new`.
#[derive(Debug, Clone)]
pub struct LimitPolicy {
    default: Limits,
    max_time_ms: u64,
    max_memory_mb: u64,
    max_output_kb: u64,
}

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
        })
    }

    pub fn default_limits(&self) -> &Limits {
        &self.default
    }

    pub fn max_memory_mb(&self) -> u64 {
        self.max_memory_mb
    }

    /// The limits a request gets, or a message naming the first value out of range.
    pub fn resolve(&self, requested: &RequestedLimits) -> Result<Limits, String> {
        let pick = |name: &str, value: Option<u64>, min: u64, max: u64, default: u64| {
            value.map_or(Ok(default), |v| {
                within(&format!("limits.{name}"), v, min, max)
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
                    "limits.instruction_limit",
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
    fn settings_whose_default_exceeds_the_maximum_are_rejected() {
        let default = policy().default_limits().clone();
        let error = LimitPolicy::new(default.clone(), 10_000, 128, 64 << 10).unwrap_err();
        assert!(error.contains("default_memory_mb"), "{error}");
        let error = LimitPolicy::new(default, 10_000, 1 << 40, 64 << 10).unwrap_err();
        assert!(error.contains("max_memory_mb"), "{error}");
    }
}
