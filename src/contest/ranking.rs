//! Standings: each participant's best per question, ranked by the
//! contest's scoring. Pure: the caller picks which attempts count (the
//! window, the freeze).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Contest, Scoring, Window};

/// Minutes an ICPC rejection before the first full score adds.
const PENALTY_PER_REJECTION: u64 = 20;

/// Someone on the scoreboard.
#[derive(Debug, Clone)]
pub struct Entrant {
    pub user_id: String,
    pub name: String,
    /// Their own window: ICPC minutes count from its start.
    pub window: Window,
}

/// A judged submission that counts.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub user_id: String,
    pub question: String,
    pub score: u32,
    /// The question's worth when it was judged.
    pub max_score: u32,
    pub submitted_at: DateTime<Utc>,
    /// It did not compile.
    pub compile_error: bool,
}

impl Attempt {
    fn is_full_score(&self) -> bool {
        self.max_score > 0 && self.score >= self.max_score
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandingRow {
    pub rank: u32,
    pub user_id: String,
    pub name: String,
    /// ioi: points; icpc: questions solved.
    pub total: u32,
    pub penalty_minutes: u64,
    pub questions: BTreeMap<String, QuestionStanding>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionStanding {
    pub score: u32,
    pub max_score: u32,
    /// icpc: up to the first full score; ioi: all.
    pub attempts: u32,
    /// The first full score's submission time.
    pub solved_at: Option<DateTime<Utc>>,
}

/// Ranks `entrants` on `contest`'s questions (`max_scores`: slug and worth)
/// from `attempts`. Equal standings share a rank; the order among them is
/// by user id.
pub fn rank(
    contest: &Contest,
    max_scores: &[(String, u32)],
    entrants: Vec<Entrant>,
    mut attempts: Vec<Attempt>,
) -> Vec<StandingRow> {
    attempts.sort_by_key(|attempt| attempt.submitted_at);
    let mut by_user: HashMap<&str, Vec<&Attempt>> = HashMap::new();
    for attempt in &attempts {
        by_user.entry(&attempt.user_id).or_default().push(attempt);
    }
    let mut rows: Vec<StandingRow> = entrants
        .into_iter()
        .map(|entrant| {
            let mine = by_user.remove(entrant.user_id.as_str()).unwrap_or_default();
            standing(contest, max_scores, entrant, &mine)
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.total.cmp(&a.total))
            .then(a.penalty_minutes.cmp(&b.penalty_minutes))
            .then_with(|| a.user_id.cmp(&b.user_id))
    });
    let mut previous: Option<(u32, u64, u32)> = None;
    for (position, row) in (1..).zip(rows.iter_mut()) {
        row.rank = match previous {
            Some((total, penalty, rank))
                if total == row.total && penalty == row.penalty_minutes =>
            {
                rank
            }
            _ => position,
        };
        previous = Some((row.total, row.penalty_minutes, row.rank));
    }
    rows
}

/// One entrant's row, from their attempts in time order.
fn standing(
    contest: &Contest,
    max_scores: &[(String, u32)],
    entrant: Entrant,
    attempts: &[&Attempt],
) -> StandingRow {
    let mut questions = BTreeMap::new();
    let (mut total, mut penalty_minutes) = (0, 0);
    for (slug, max_score) in max_scores {
        let mut cell = QuestionStanding {
            score: 0,
            max_score: *max_score,
            attempts: 0,
            solved_at: None,
        };
        let counted = |a: &&&Attempt| {
            &a.question == slug && (contest.compile_errors_count || !a.compile_error)
        };
        for attempt in attempts.iter().filter(counted) {
            if contest.scoring == Scoring::Icpc && cell.solved_at.is_some() {
                break;
            }
            cell.attempts += 1;
            cell.score = cell.score.max(attempt.score);
            if attempt.is_full_score() && cell.solved_at.is_none() {
                cell.solved_at = Some(attempt.submitted_at);
            }
        }
        match contest.scoring {
            Scoring::Ioi => total += cell.score,
            Scoring::Icpc => {
                if let Some(solved_at) = cell.solved_at {
                    let minutes =
                        (solved_at - entrant.window.starts_at).num_minutes().max(0) as u64;
                    let rejections = u64::from(cell.attempts - 1);
                    total += 1;
                    penalty_minutes += minutes + PENALTY_PER_REJECTION * rejections;
                }
            }
        }
        questions.insert(slug.clone(), cell);
    }
    StandingRow {
        rank: 0,
        user_id: entrant.user_id,
        name: entrant.name,
        total,
        penalty_minutes,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contest::{ContestSpec, ScoreboardSetting};

    fn contest(scoring: Scoring) -> Contest {
        let spec = ContestSpec {
            title: "Final".into(),
            starts_at: "2026-01-01T10:00:00Z".parse().unwrap(),
            ends_at: "2026-01-01T13:00:00Z".parse().unwrap(),
            questions: vec!["a".into(), "b".into()],
            scoring,
            scoreboard: ScoreboardSetting::Public,
            freeze_minutes: None,
            public: false,
            compile_errors_count: false,
            practice_after_end: false,
        };
        Contest::new("final".into(), spec).unwrap()
    }

    fn entrants(users: &[&str]) -> Vec<Entrant> {
        let entrant = |user: &&str| Entrant {
            user_id: user.to_string(),
            name: user.to_uppercase(),
            window: contest(Scoring::Ioi).window(&Default::default()),
        };
        users.iter().map(entrant).collect()
    }

    /// `user` scored `score` of 10 on `question`, `minute` minutes in.
    fn attempt(user: &str, question: &str, score: u32, minute: i64) -> Attempt {
        let start: DateTime<Utc> = "2026-01-01T10:00:00Z".parse().unwrap();
        Attempt {
            user_id: user.into(),
            question: question.into(),
            score,
            max_score: 10,
            submitted_at: start + chrono::Duration::seconds(minute * 60 + 30),
            compile_error: false,
        }
    }

    fn max_scores() -> Vec<(String, u32)> {
        vec![("a".into(), 10), ("b".into(), 10)]
    }

    fn ranks(rows: &[StandingRow]) -> Vec<(&str, u32, u32, u64)> {
        (rows.iter())
            .map(|r| (r.user_id.as_str(), r.rank, r.total, r.penalty_minutes))
            .collect()
    }

    #[test]
    fn ioi_sums_best_scores_and_ties_share_a_rank() {
        let attempts = vec![
            attempt("ann", "a", 4, 5),
            attempt("ann", "a", 10, 50),
            attempt("ann", "a", 3, 60),
            attempt("bob", "a", 10, 1),
            attempt("cy", "a", 7, 2),
            attempt("cy", "b", 7, 3),
        ];
        let rows = rank(
            &contest(Scoring::Ioi),
            &max_scores(),
            entrants(&["ann", "bob", "cy", "dee"]),
            attempts,
        );
        assert_eq!(
            ranks(&rows),
            [
                ("cy", 1, 14, 0),
                ("ann", 2, 10, 0),
                ("bob", 2, 10, 0),
                ("dee", 4, 0, 0)
            ]
        );
        let ann = &rows[1].questions["a"];
        assert_eq!((ann.score, ann.attempts), (10, 3));
        assert_eq!(
            ann.solved_at,
            Some(attempt("ann", "a", 10, 50).submitted_at)
        );
        assert_eq!(rows[3].questions["b"].attempts, 0);
    }

    #[test]
    fn icpc_counts_solved_questions_then_minutes_and_rejections() {
        let attempts = vec![
            // ann: a at minute 30 after two rejections (30 + 40), b at 10.
            attempt("ann", "a", 0, 3),
            attempt("ann", "a", 9, 20),
            attempt("ann", "a", 10, 30),
            attempt("ann", "a", 0, 31),
            attempt("ann", "b", 10, 10),
            // bob: a at 40 and b at 40: 80, ranked above ann's 80? equal.
            attempt("bob", "a", 10, 40),
            attempt("bob", "b", 10, 40),
            // cy: one solved, many rejections on b never solved.
            attempt("cy", "a", 10, 1),
            attempt("cy", "b", 5, 2),
            attempt("cy", "b", 5, 3),
        ];
        let rows = rank(
            &contest(Scoring::Icpc),
            &max_scores(),
            entrants(&["cy", "bob", "ann"]),
            attempts,
        );
        assert_eq!(
            ranks(&rows),
            [("ann", 1, 2, 80), ("bob", 1, 2, 80), ("cy", 3, 1, 1)]
        );
        // Attempts after the first full score do not count.
        assert_eq!(rows[0].questions["a"].attempts, 3);
        assert_eq!(rows[2].questions["b"].attempts, 2);
        assert_eq!(rows[2].questions["b"].solved_at, None);
    }
}
