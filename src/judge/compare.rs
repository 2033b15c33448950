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
    /// The Kattis default output validator: tokens, case-insensitive unless
    /// `case_sensitive`, whitespace exact if `space_change_sensitive`,
    /// numbers within `float_absolute_tolerance` or
    /// `float_relative_tolerance` when either is set.
    Kattis,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Comparison {
    pub mode: CompareMode,
    /// Used only by `float`: absolute, or relative to the expected number.
    #[schema(minimum = 0)]
    pub tolerance: f64,
    /// `kattis` only: letters must match in case too.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub case_sensitive: bool,
    /// `kattis` only: whitespace must match exactly, not just separate tokens.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub space_change_sensitive: bool,
    /// `kattis` only: where the expected token is a number, the output's may
    /// differ by this much.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0)]
    pub float_absolute_tolerance: Option<f64>,
    /// `kattis` only: or by this much times the expected number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0)]
    pub float_relative_tolerance: Option<f64>,
}

impl Default for Comparison {
    fn default() -> Self {
        Self {
            mode: CompareMode::default(),
            tolerance: DEFAULT_TOLERANCE,
            case_sensitive: false,
            space_change_sensitive: false,
            float_absolute_tolerance: None,
            float_relative_tolerance: None,
        }
    }
}

impl Comparison {
    pub fn validate(&self) -> Result<(), String> {
        let tolerances = [
            ("tolerance", Some(self.tolerance)),
            ("float_absolute_tolerance", self.float_absolute_tolerance),
            ("float_relative_tolerance", self.float_relative_tolerance),
        ];
        for (name, tolerance) in tolerances {
            if let Some(tolerance) = tolerance
                && !(tolerance.is_finite() && tolerance >= 0.0)
            {
                return Err(format!(
                    "compare.{name} must be a non-negative number, got {tolerance}"
                ));
            }
        }
        let kattis_only = self.case_sensitive
            || self.space_change_sensitive
            || self.float_absolute_tolerance.is_some()
            || self.float_relative_tolerance.is_some();
        if kattis_only && self.mode != CompareMode::Kattis {
            return Err(
                "compare.case_sensitive, space_change_sensitive and the float_*_tolerance \
                 settings belong to mode \"kattis\""
                    .into(),
            );
        }
        Ok(())
    }

    pub fn matches(&self, expected: &str, actual: &str) -> bool {
        match self.mode {
            CompareMode::Kattis => self.kattis_matches(expected.as_bytes(), actual.as_bytes()),
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

    /// What the Kattis default validator accepts: it walks the answer's
    /// whitespace and tokens, matching the output's against them.
    fn kattis_matches(&self, expected: &[u8], actual: &[u8]) -> bool {
        let (mut expected, mut actual) = (Cursor::new(expected), Cursor::new(actual));
        loop {
            let answer_space = expected.whitespace();
            let output_space = actual.whitespace();
            if self.space_change_sensitive && answer_space != output_space {
                return false;
            }
            match (expected.token(), actual.token()) {
                (None, None) => return true,
                (Some(e), Some(a)) if self.kattis_tokens_match(e, a) => {}
                _ => return false,
            }
        }
    }

    fn kattis_tokens_match(&self, expected: &[u8], actual: &[u8]) -> bool {
        let tolerances = (self.float_absolute_tolerance, self.float_relative_tolerance);
        if tolerances != (None, None)
            && let Some(e) = finite_number(expected)
        {
            let Some(a) = finite_number(actual) else {
                return false;
            };
            let difference = (e - a).abs();
            let (absolute, relative) = tolerances;
            return absolute.is_some_and(|t| difference <= t)
                || relative.is_some_and(|t| difference <= t * e.abs());
        }
        if self.case_sensitive {
            expected == actual
        } else {
            expected.eq_ignore_ascii_case(actual)
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

/// A token as C's `sscanf("%lf")` reads a whole one, if it is a finite
/// number (the Kattis validator's test): decimal, with an optional sign,
/// point and exponent, or C's hexadecimal form.
fn finite_number(token: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(token).ok()?;
    let (sign, digits) = match text.as_bytes().first()? {
        b'-' => (-1.0, &text[1..]),
        b'+' => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    let value = match digits.get(..2) {
        Some("0x" | "0X") => hexadecimal(&digits[2..])?,
        // Rust also reads `inf` and `nan`, which the validator refuses.
        _ if digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') => {
            digits.parse::<f64>().ok()?
        }
        _ => return None,
    };
    Some(sign * value).filter(|v| v.is_finite())
}

/// C's hexadecimal floating point (`1.8p3`), without its `0x`.
fn hexadecimal(text: &str) -> Option<f64> {
    let (mantissa, exponent) = match text.split_once(['p', 'P']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0.0;
    for digit in whole.chars().chain(fraction.chars()) {
        value = value * 16.0 + f64::from(digit.to_digit(16)?);
    }
    let scale = exponent - 4 * i32::try_from(fraction.len()).ok()?;
    Some(value * 2f64.powi(scale))
}

/// Reads whitespace and tokens as C's `isspace` splits them.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self { text, at: 0 }
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.at;
        while self.text.get(self.at).is_some_and(|&b| keep(b)) {
            self.at += 1;
        }
        &self.text[start..self.at]
    }

    fn whitespace(&mut self) -> &'a [u8] {
        self.take_while(is_c_space)
    }

    fn token(&mut self) -> Option<&'a [u8]> {
        Some(self.take_while(|b| !is_c_space(b))).filter(|token| !token.is_empty())
    }
}

/// C's `isspace` in the "C" locale: what separates tokens for Kattis.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
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

    fn kattis(flags: impl FnOnce(&mut Comparison)) -> Comparison {
        let mut comparison = mode(CompareMode::Kattis);
        flags(&mut comparison);
        comparison
    }

    #[test]
    fn kattis_compares_tokens_without_case_unless_told() {
        let c = kattis(|_| {});
        assert!(c.matches("Yes\n3 4\n", "  yES 3\n4"));
        assert!(c.matches("", " \n\t"));
        assert!(!c.matches("A B", "A B X"));
        assert!(!c.matches("A B", "X A B"));
        assert!(!c.matches("1", "1.0"), "no tolerance set: strings");
        let c = kattis(|c| c.case_sensitive = true);
        assert!(c.matches("Yes", " Yes\n"));
        assert!(!c.matches("Yes", "yes"));
    }

    #[test]
    fn kattis_space_change_sensitive_wants_the_same_whitespace() {
        let c = kattis(|c| c.space_change_sensitive = true);
        assert!(c.matches("A B\n", "a b\n"));
        for wrong in ["A B", "A  B\n", " A B\n", "A B\n\n", "A\tB\n"] {
            assert!(!c.matches("A B\n", wrong), "{wrong:?}");
        }
        assert!(c.matches("", ""));
        assert!(!c.matches("", " "));
    }

    #[test]
    fn kattis_floats_pass_within_either_tolerance() {
        let c = kattis(|c| c.float_absolute_tolerance = Some(1e-6));
        assert!(c.matches("0.5 x", "0.5000001 X"));
        assert!(
            c.matches("2", "2.0000000"),
            "an integer answer is a number too"
        );
        assert!(!c.matches("0.5", "0.51"));
        assert!(!c.matches("0.5", "half"), "a number was expected");
        assert!(c.matches("0x1p3", "8"), "C reads hexadecimal numbers");
        assert!(!c.matches("inf", "1e400"), "infinity is a string to it");
        assert!(c.matches("inf", "INF"));
        let relative = kattis(|c| c.float_relative_tolerance = Some(1e-3));
        assert!(relative.matches("1000", "1000.9"));
        assert!(!relative.matches("1000", "1001.1"));
        let both = kattis(|c| {
            c.float_absolute_tolerance = Some(1e-9);
            c.float_relative_tolerance = Some(1e-3);
        });
        assert!(both.matches("1000", "1000.9"), "either tolerance suffices");
    }

    #[test]
    fn kattis_settings_belong_to_the_kattis_mode() {
        let mut comparison = mode(CompareMode::Tokens);
        comparison.case_sensitive = true;
        assert!(comparison.validate().is_err());
        let negative = kattis(|c| c.float_relative_tolerance = Some(-1.0));
        assert!(negative.validate().is_err());
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
