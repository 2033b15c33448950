//! Calibration: time limits measured from a question's reference
//! solutions, as Kattis and DMOJ derive theirs. Every reference solution is
//! judged `RUNS` times on every test, hidden ones too, and must pass them
//! all; per language, the slowest test's CPU time (the median of its runs,
//! the slowest over that language's reference solutions) times the
//! multiplier, never under the floor, becomes the language's time limit.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Question, Status, judge};
use crate::languages::Languages;

/// Each reference solution is judged this many times: one run's CPU time
/// can be inflated by a neighbour's cache misses or a frequency dip, and
/// the median of three ignores one such run either way.
const RUNS: usize = 3;

const MAX_MULTIPLIER: f64 = 100.0;

/// How limits are derived from the reference solutions' times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSettings {
    /// The limit is this many times the reference time (2, as in Kattis's
    /// problem format).
    #[serde(default = "default_multiplier")]
    #[schema(minimum = 1, maximum = 100)]
    pub multiplier: f64,
    /// The least limit calibration sets, in ms. A hello world takes a few
    /// ms of CPU and a JVM's start a few hundred, and those vary by tens of
    /// ms on a busy machine: a limit near them fails correct solutions on
    /// noise alone, so 1000 ms, the least most contests set.
    #[serde(default = "default_floor_ms")]
    #[schema(minimum = 1)]
    pub floor_ms: u64,
    /// Also derive an instruction limit from the instructions counted,
    /// the same way: for programs whose count does not vary between runs.
    #[serde(default)]
    pub deterministic: bool,
}

fn default_multiplier() -> f64 {
    2.0
}

fn default_floor_ms() -> u64 {
    1000
}

impl Default for CalibrationSettings {
    fn default() -> Self {
        Self {
            multiplier: default_multiplier(),
            floor_ms: default_floor_ms(),
            deterministic: false,
        }
    }
}

impl CalibrationSettings {
    pub(super) fn validate(&self, max_time_ms: u64) -> Result<(), String> {
        if !(1.0..=MAX_MULTIPLIER).contains(&self.multiplier) {
            return Err(format!(
                "calibration.multiplier must be between 1 and {MAX_MULTIPLIER}, got {}",
                self.multiplier
            ));
        }
        if !(1..=max_time_ms).contains(&self.floor_ms) {
            return Err(format!(
                "calibration.floor_ms must be between 1 and {max_time_ms}, got {}",
                self.floor_ms
            ));
        }
        Ok(())
    }
}

/// A language's calibrated limits and what they were measured from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CalibratedLanguage {
    pub time_ms: u64,
    /// The CPU time of the slowest test over this language's reference
    /// solutions (each test's median of the runs).
    pub reference_cpu_ms: f64,
    /// Which test that was.
    pub slowest_test: u32,
    /// Only when the calibration is deterministic and the language counts
    /// instructions (WebAssembly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction_limit: Option<u64>,
    /// The most instructions a test took, when `instruction_limit` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_instructions: Option<u64>,
}

/// A question's last calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Calibration {
    /// Each language with a reference solution.
    pub languages: BTreeMap<String, CalibratedLanguage>,
    pub calibrated_at: DateTime<Utc>,
    /// What it measured (`Question::calibration_fingerprint`): once the
    /// tests, reference solutions or settings change, it no longer applies.
    pub fingerprint: String,
}

/// A new calibration, and what the teacher should know about it.
#[derive(Debug, Clone, Serialize)]
pub struct Calibrated {
    pub calibration: Calibration,
    pub warnings: Vec<String>,
}

/// What one language's reference solutions took: the slowest test's CPU
/// time and its number, and the most instructions any test took.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Measured {
    cpu_ms: f64,
    test: u32,
    instructions: u64,
}

/// Calibrates `question`: `Ok(Err(why))` when it cannot be (no reference
/// solutions, a language this server lacks, a reference solution that
/// fails a test); `Err` when the host failed.
pub async fn calibrate(
    question: &Question,
    languages: &Languages,
    policy: &super::LimitPolicy,
) -> anyhow::Result<Result<Calibrated, String>> {
    if question.reference_solutions().is_empty() {
        return Ok(Err(format!(
            "question {:?} has no reference_solutions to calibrate from",
            question.slug()
        )));
    }
    let mut measured: BTreeMap<String, Measured> = BTreeMap::new();
    for (number, reference) in (1..).zip(question.reference_solutions()) {
        let name = &reference.language;
        let Some(language) = languages.get(name) else {
            return Ok(Err(format!(
                "reference solution {number} is in {name}, which this server does not run"
            )));
        };
        let submission = question
            .reference_submission(reference, policy)
            .map_err(anyhow::Error::msg)?;
        let submission =
            (question.with_checkers(submission, languages).await).map_err(anyhow::Error::msg)?;
        let mut cpu_ms = vec![Vec::with_capacity(RUNS); submission.test_cases.len()];
        let mut instructions = 0;
        for _ in 0..RUNS {
            let report = judge(language.clone(), submission.clone()).await;
            if let Some(failed) = report.test_results.iter().find(|r| !r.passed) {
                if failed.status == Status::InternalError {
                    anyhow::bail!(
                        "reference solution {number} ({name}) could not be run: {}",
                        failed.message.as_deref().unwrap_or_default()
                    );
                }
                let detail = match (&report.compile_output, &failed.message) {
                    (Some(output), _) => format!(": {}", output.lines().next().unwrap_or("")),
                    (None, Some(message)) => format!(": {message}"),
                    (None, None) => String::new(),
                };
                return Ok(Err(format!(
                    "reference solution {number} ({name}) fails test {}: {}{detail}",
                    failed.test_number, failed.status
                )));
            }
            for (times, result) in cpu_ms.iter_mut().zip(&report.test_results) {
                times.push(result.cpu_time_ms.unwrap_or_default());
                instructions = instructions.max(result.instructions.unwrap_or_default());
            }
        }
        let (test, slowest_ms) = (1..)
            .zip(cpu_ms.iter_mut().map(|times| median(times)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("a question has tests");
        let entry = measured.entry(name.clone()).or_insert(Measured {
            cpu_ms: slowest_ms,
            test,
            instructions,
        });
        if slowest_ms > entry.cpu_ms {
            (entry.cpu_ms, entry.test) = (slowest_ms, test);
        }
        entry.instructions = entry.instructions.max(instructions);
    }
    let mut warnings = Vec::new();
    let settings = &question.calibration();
    let max_time_ms = policy.max_time_ms();
    let languages = measured
        .into_iter()
        .map(|(name, measured)| {
            let wanted =
                ((measured.cpu_ms * settings.multiplier).ceil() as u64).max(settings.floor_ms);
            if wanted > max_time_ms {
                warnings.push(format!(
                    "{name}: {} x {:.1} ms is {wanted} ms, above the server's maximum: \
                     capped at {max_time_ms} ms",
                    settings.multiplier, measured.cpu_ms
                ));
            }
            let counted = settings.deterministic && measured.instructions > 0;
            if settings.deterministic && !counted {
                warnings.push(format!(
                    "{name} counts no instructions (it runs natively): no instruction limit"
                ));
            }
            if let Some(own) = question
                .limits_by_language()
                .get(&name)
                .and_then(|l| l.time_ms)
            {
                warnings.push(format!(
                    "{name}: limits_by_language sets time_ms {own}, which applies instead"
                ));
            }
            let language = CalibratedLanguage {
                time_ms: wanted.min(max_time_ms),
                reference_cpu_ms: measured.cpu_ms,
                slowest_test: measured.test,
                instruction_limit: counted.then(|| {
                    let limit = (measured.instructions as f64 * settings.multiplier).ceil();
                    limit.min(i64::MAX as f64) as u64
                }),
                reference_instructions: counted.then_some(measured.instructions),
            };
            (name, language)
        })
        .collect();
    Ok(Ok(Calibrated {
        calibration: Calibration {
            languages,
            calibrated_at: Utc::now(),
            fingerprint: question.calibration_fingerprint(),
        },
        warnings,
    }))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_ignores_one_outlier_either_way() {
        assert_eq!(median(&mut [10.0, 90.0, 11.0]), 11.0);
        assert_eq!(median(&mut [1.0, 10.0, 11.0]), 10.0);
    }

    #[test]
    fn settings_default_to_twice_the_reference_and_a_one_second_floor() {
        let settings: CalibrationSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(settings, CalibrationSettings::default());
        assert_eq!((settings.multiplier, settings.floor_ms), (2.0, 1000));
        let low = CalibrationSettings {
            multiplier: 0.5,
            ..settings.clone()
        };
        assert!(low.validate(10_000).unwrap_err().contains("multiplier"));
        let floor = CalibrationSettings {
            floor_ms: 20_000,
            ..settings
        };
        assert!(floor.validate(10_000).unwrap_err().contains("floor_ms"));
    }
}
