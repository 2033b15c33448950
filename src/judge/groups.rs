//! Test groups: how the points of a question's tests add up. A group is a
//! subtask (IOI) or a Kattis test group: `sum` adds what each of its tests
//! earned, `min` gives its points only as far as its weakest test (all or
//! nothing when tests pass or fail). A group may stop at its first failure,
//! skipping the rest of its tests.

use serde::{Deserialize, Serialize};

use super::{Status, TestResult};

/// Longest group name: Kattis names nest (`secret/group1`).
const MAX_GROUP_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupScoring {
    /// The points each test earned, added up.
    #[default]
    Sum,
    /// All the group's points times the share its weakest test earned:
    /// nothing unless every test passes (an IOI subtask).
    Min,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestGroup {
    /// What tests name in their `group`.
    #[schema(pattern = "^[A-Za-z0-9_./-]{1,100}$")]
    pub name: String,
    #[serde(default)]
    pub scoring: GroupScoring,
    /// Skip the group's remaining tests once one fails: they could not
    /// change its points under `min`, and they save the judge's time.
    #[serde(default)]
    pub stop_at_first_failure: bool,
}

/// A group's part of a submission's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupScore {
    pub name: String,
    pub score: u32,
    pub max_score: u32,
}

/// Checks that group names are unique and well formed, and that each test
/// names a group there is (`tests` gives each test's group).
pub fn check_groups<'a>(
    groups: &[TestGroup],
    tests: impl Iterator<Item = Option<&'a str>>,
) -> Result<(), String> {
    for (number, group) in (1..).zip(groups) {
        let name_ok = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
        let length = group.name.chars().count();
        if length == 0 || length > MAX_GROUP_NAME_CHARS || !group.name.chars().all(name_ok) {
            return Err(format!(
                "group {number}'s name must be 1 to {MAX_GROUP_NAME_CHARS} characters of \
                 A-Z, a-z, 0-9, '_', '.', '/' and '-', got {:?}",
                group.name
            ));
        }
        if groups[..number - 1].iter().any(|g| g.name == group.name) {
            return Err(format!("two groups are named {:?}", group.name));
        }
    }
    for (number, name) in (1..).zip(tests) {
        if let Some(name) = name
            && !groups.iter().any(|group| group.name == name)
        {
            return Err(format!(
                "test case {number} is in group {name:?}, which `groups` does not define"
            ));
        }
    }
    Ok(())
}

/// Applies each group's rule to the points `results` earned one by one
/// (`score`): under `min`, every test of a group keeps only the share its
/// weakest test earned.
pub(super) fn apply(groups: &[TestGroup], results: &mut [TestResult]) {
    for group in groups.iter().filter(|g| g.scoring == GroupScoring::Min) {
        let members = || (results.iter()).filter(|r| r.group.as_deref() == Some(&group.name));
        let share = members().map(earned_share).fold(1.0, f64::min);
        for result in results.iter_mut() {
            if result.group.as_deref() == Some(&group.name) {
                result.score = (f64::from(result.points) * share).round() as u32;
            }
        }
    }
}

/// The share of its points a test earned; a test worth nothing counts
/// by its verdict.
fn earned_share(result: &TestResult) -> f64 {
    match result.points {
        0 if result.status == Status::Accepted => 1.0,
        0 => 0.0,
        points => f64::from(result.score) / f64::from(points),
    }
}

/// Each group's score in `results`, in the order they first appear.
pub fn group_scores(results: &[TestResult]) -> Vec<GroupScore> {
    let mut scores: Vec<GroupScore> = Vec::new();
    for result in results {
        let Some(name) = &result.group else { continue };
        let index = match scores.iter().position(|s| &s.name == name) {
            Some(index) => index,
            None => {
                scores.push(GroupScore {
                    name: name.clone(),
                    score: 0,
                    max_score: 0,
                });
                scores.len() - 1
            }
        };
        scores[index].score += result.score;
        scores[index].max_score += result.points;
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(group: &str, points: u32, status: Status, score: u32) -> TestResult {
        TestResult {
            group: Some(group.into()),
            points,
            score,
            ..TestResult::unrun(1, status, String::new())
        }
    }

    fn group(name: &str, scoring: GroupScoring) -> TestGroup {
        TestGroup {
            name: name.into(),
            scoring,
            stop_at_first_failure: false,
        }
    }

    #[test]
    fn a_min_group_scores_only_when_every_test_passes() {
        let groups = [group("a", GroupScoring::Min), group("b", GroupScoring::Sum)];
        let mut results = vec![
            result("a", 10, Status::Accepted, 10),
            result("a", 10, Status::WrongAnswer, 0),
            result("b", 5, Status::Accepted, 5),
            result("b", 5, Status::WrongAnswer, 0),
        ];
        apply(&groups, &mut results);
        let scores = group_scores(&results);
        assert_eq!((scores[0].score, scores[0].max_score), (0, 20));
        assert_eq!((scores[1].score, scores[1].max_score), (5, 10));
    }

    #[test]
    fn a_min_group_keeps_its_weakest_tests_share() {
        let groups = [group("a", GroupScoring::Min)];
        let mut results = vec![
            result("a", 10, Status::Accepted, 10),
            result("a", 10, Status::PartiallyAccepted, 5),
            result("a", 0, Status::Accepted, 0),
        ];
        apply(&groups, &mut results);
        assert_eq!(group_scores(&results)[0].score, 10);
    }

    #[test]
    fn groups_and_tests_are_checked() {
        let groups = [group("g1", GroupScoring::Sum)];
        assert!(check_groups(&groups, [Some("g1"), None].into_iter()).is_ok());
        let error = check_groups(&groups, [Some("g2")].into_iter()).unwrap_err();
        assert!(error.contains("test case 1"), "{error}");
        let twice = [groups[0].clone(), groups[0].clone()];
        assert!(check_groups(&twice, std::iter::empty()).is_err());
        let spaced = [group("a b", GroupScoring::Sum)];
        assert!(check_groups(&spaced, std::iter::empty()).is_err());
    }
}
