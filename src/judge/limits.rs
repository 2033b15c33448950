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

impl Limits {
    pub fn run_limits(&self) -> RunLimits {
        RunLimits {
            wall_time: Duration::from_millis(self.time_ms),
            memory_bytes: self.memory_mb << 20,
            stdout_bytes: (self.output_kb << 10) as usize,
            stderr_bytes: (self.stderr_kb << 10) as usize,
            fuel: self.instruction_limit,
        }
    }
}

/// The server's defaults and maxima.
#[derive(Debug, Clone)]
pub struct LimitPolicy {
    pub default: Limits,
    pub max_time_ms: u64,
    pub max_memory_mb: u64,
    pub max_output_kb: u64,
}

/// The interpreter itself needs this much before the program allocates anything.
pub const MIN_MEMORY_MB: u64 = 32;

/// Wasmtime keeps fuel in an `i64`; ~10^10 fuel is about a second of guest work.
const MAX_INSTRUCTIONS: u64 = i64::MAX as u64;

impl Default for LimitPolicy {
    fn default() -> Self {
        Self {
            default: Limits {
                time_ms: 5_000,
                memory_mb: 256,
                output_kb: 8 << 10,
                stderr_kb: 1 << 10,
                instruction_limit: None,
            },
            max_time_ms: 10_000,
            max_memory_mb: 1024,
            max_output_kb: 64 << 10,
        }
    }
}

impl LimitPolicy {
    /// The limits a request gets, or a message naming the first value out of range.
    pub fn resolve(&self, requested: &RequestedLimits) -> Result<Limits, String> {
        let within = |name: &str, value: Option<u64>, min: u64, max: u64, default: u64| match value
        {
            None => Ok(default),
            Some(v) if (min..=max).contains(&v) => Ok(v),
            Some(v) => Err(format!(
                "limits.{name} must be between {min} and {max}, got {v}"
            )),
        };
        let default = &self.default;
        Ok(Limits {
            time_ms: within(
                "time_ms",
                requested.time_ms,
                1,
                self.max_time_ms,
                default.time_ms,
            )?,
            memory_mb: within(
                "memory_mb",
                requested.memory_mb,
                MIN_MEMORY_MB,
                self.max_memory_mb,
                default.memory_mb,
            )?,
            output_kb: within(
                "output_kb",
                requested.output_kb,
                1,
                self.max_output_kb,
                default.output_kb,
            )?,
            stderr_kb: default.stderr_kb,
            instruction_limit: match requested.instruction_limit {
                None => default.instruction_limit,
                limit => Some(within("instruction_limit", limit, 1, MAX_INSTRUCTIONS, 0)?),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_limits_take_the_defaults() {
        let policy = LimitPolicy::default();
        assert_eq!(
            policy.resolve(&RequestedLimits::default()),
            Ok(policy.default.clone())
        );
    }

    #[test]
    fn limits_beyond_the_maximum_are_rejected_with_their_name() {
        let policy = LimitPolicy::default();
        let too_long = RequestedLimits {
            time_ms: Some(60_000),
            ..Default::default()
        };
        let error = policy.resolve(&too_long).unwrap_err();
        assert!(
            error.contains("limits.time_ms") && error.contains("10000"),
            "{error}"
        );
        let too_small = RequestedLimits {
            memory_mb: Some(1),
            ..Default::default()
        };
        assert!(
            policy
                .resolve(&too_small)
                .unwrap_err()
                .contains("memory_mb")
        );
    }
}
