//! Output comparison modes: how a program's stdout is matched against the
//! expected output of a test case.

use serde::{Deserialize, Serialize};

pub const DEFAULT_TOLERANCE: f64 = 1e-6;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompareMode {
    /// Ignore trailing whitespace on each line and trailing blank lines.
    #[default]
    Trimmed,
    /// Byte for byte.
    Exact,
    /// The same whitespace-separated tokens.
    Tokens,
    /// Tokens, with numbers equal within an absolute or relative tolerance.
    Float,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Comparison {
    pub mode: CompareMode,
    /// Used only by `float`: absolute, or relative to the expected number.
    #[schema(minimum = 0)]
    pub tolerance: f64,
}

impl Default for Comparison {
    fn default() -> Self {
        Self {
            mode: CompareMode::default(),
            tolerance: DEFAULT_TOLERANCE,
        }
    }
}

impl Comparison {
    pub fn validate(&self) -> Result<(), String> {
        if self.tolerance.is_finite() && self.tolerance >= 0.0 {
            Ok(())
        } else {
            Err(format!(
                "compare.tolerance must be a non-negative number, got {}",
                self.tolerance
            ))
        }
    }

    pub fn matches(&self, expected: &str, actual: &str) -> bool {
        match self.mode {
            CompareMode::Exact => expected == actual,
            CompareMode::Trimmed => trimmed_lines(expected) == trimmed_lines(actual),
            CompareMode::Tokens => expected.split_whitespace().eq(actual.split_whitespace()),
            CompareMode::Float => {
                let (mut expected, mut actual) =
                    (expected.split_whitespace(), actual.split_whitespace());
                loop {
                    match (expected.next(), actual.next()) {
                        (None, None) => return true,
                        (Some(e), Some(a)) if self.tokens_match(e, a) => {}
                        _ => return false,
                    }
                }
            }
        }
    }

    fn tokens_match(&self, expected: &str, actual: &str) -> bool {
        match (expected.parse::<f64>(), actual.parse::<f64>()) {
            (Ok(e), Ok(a)) if e.is_nan() || a.is_nan() => e.is_nan() && a.is_nan(),
            (Ok(e), Ok(a)) if e.is_infinite() || a.is_infinite() => e == a,
            (Ok(e), Ok(a)) => {
                let difference = (e - a).abs();
                difference <= self.tolerance || difference <= self.tolerance * e.abs()
            }
            _ => expected == actual,
        }
    }
}

/// Lines without trailing whitespace (`\r` included), minus trailing blank lines.
fn trimmed_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(mode: CompareMode) -> Comparison {
        Comparison {
            mode,
            ..Comparison::default()
        }
    }

    #[test]
    fn trimmed_ignores_trailing_whitespace_and_blank_lines_only() {
        let c = mode(CompareMode::Trimmed);
        assert!(c.matches("1 2\n3\n", "1 2   \r\n3\n\n\n"));
        assert!(c.matches("x", "x\n"));
        assert!(!c.matches("1 2\n3\n", " 1 2\n3\n"));
        assert!(!c.matches("1 2\n3\n", "1  2\n3\n"));
        assert!(!c.matches("a\n\nb", "a\nb"));
    }

    #[test]
    fn exact_compares_every_byte() {
        let c = mode(CompareMode::Exact);
        assert!(c.matches("a\n", "a\n"));
        assert!(!c.matches("a\n", "a"));
    }

    #[test]
    fn tokens_ignore_all_whitespace_layout() {
        let c = mode(CompareMode::Tokens);
        assert!(c.matches("1 2 3", "1\n2\t 3\n"));
        assert!(!c.matches("1 2 3", "1 2"));
        assert!(!c.matches("1 2 3", "1 2 3 4"));
    }

    #[test]
    fn float_uses_absolute_or_relative_tolerance() {
        let c = mode(CompareMode::Float);
        assert!(c.matches("0.333333", "0.3333334"));
        assert!(c.matches("1000000000", "1000000000.5"));
        assert!(!c.matches("0.5", "0.51"));
        assert!(c.matches("answer 1.0", "answer 1"));
        assert!(!c.matches("answer 1.0", "result 1.0"));
        assert!(c.matches("nan inf", "NaN inf"));
        assert!(!c.matches("inf", "1e308"));
        let loose = Comparison {
            tolerance: 0.1,
            ..mode(CompareMode::Float)
        };
        assert!(loose.matches("0.5", "0.55"));
    }

    #[test]
    fn negative_or_nan_tolerance_is_rejected() {
        for tolerance in [-1.0, f64::NAN, f64::INFINITY] {
            let comparison = Comparison {
                tolerance,
                ..Comparison::default()
            };
            assert!(comparison.validate().is_err(), "{tolerance}");
        }
        assert!(Comparison::default().validate().is_ok());
    }
}
