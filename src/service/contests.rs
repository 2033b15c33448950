//! A contest's scoreboard: its participants ranked on its questions.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::JudgingService;
use crate::auth::Standings;
use crate::contest::{self, Contest, Scoring, StandingRow};

/// `GET /contests/{slug}/scoreboard`.
#[derive(Debug, Serialize)]
pub struct Scoreboard {
    pub contest: String,
    pub scoring: Scoring,
    /// Standings as they were at `frozen_at`, the freeze.
    pub frozen: bool,
    pub frozen_at: Option<DateTime<Utc>>,
    pub questions: Vec<QuestionWorth>,
    pub rows: Vec<StandingRow>,
}

#[derive(Debug, Serialize)]
pub struct QuestionWorth {
    pub slug: String,
    pub max_score: u32,
}

impl JudgingService {
    /// `contest`'s standings, live or frozen as `standings` says.
    pub async fn scoreboard(&self, contest: &Contest, standings: Standings) -> Result<Scoreboard> {
        let frozen_at = match standings {
            Standings::Live => None,
            Standings::FrozenAt(at) => Some(at),
        };
        let summaries = self.database.questions().await?;
        let max_scores: Vec<(String, u32)> = (contest.questions.iter())
            .map(|slug| {
                let worth = summaries.iter().find(|q| &q.slug == slug);
                (slug.clone(), worth.map_or(0, |q| q.max_score))
            })
            .collect();
        let (entrants, attempts) = self.database.standings_input(contest, frozen_at).await?;
        let rows = contest::rank(contest, &max_scores, entrants, attempts);
        Ok(Scoreboard {
            contest: contest.slug.clone(),
            scoring: contest.scoring,
            frozen: frozen_at.is_some(),
            frozen_at,
            questions: (max_scores.into_iter())
                .map(|(slug, max_score)| QuestionWorth { slug, max_score })
                .collect(),
            rows,
        })
    }
}
