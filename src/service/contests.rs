//! A contest, and its scoreboard: its participants ranked on its questions.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{JudgingService, Refusal};
use crate::auth::Standings;
use crate::contest::{self, Contest, Entrant, Scoring, StandingRow};

/// `GET /contests/{slug}/scoreboard`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Scoreboard {
    pub contest: String,
    pub scoring: Scoring,
    /// Standings as they were at `frozen_at`, the freeze.
    pub frozen: bool,
    pub frozen_at: Option<DateTime<Utc>>,
    pub questions: Vec<QuestionWorth>,
    pub rows: Vec<StandingRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionWorth {
    pub slug: String,
    pub max_score: u32,
}

impl JudgingService {
    /// The contest `slug`, whoever asks (the caller checks who may see it).
    pub async fn contest(&self, slug: &str) -> Result<Contest, Refusal> {
        let contest = self.database.contest(slug).await?;
        contest.ok_or_else(|| Refusal::UnknownContest(slug.to_string()))
    }

    /// `contest`'s standings, live or frozen as `standings` says.
    pub async fn scoreboard(&self, contest: &Contest, standings: Standings) -> Result<Scoreboard> {
        let frozen_at = match standings {
            Standings::Live => None,
            Standings::FrozenAt(at) => Some(at),
        };
        let summaries = self.database.questions().await?;
        let max_scores: Vec<(String, u32)> = (contest.questions().iter())
            .map(|slug| {
                let worth = summaries.iter().find(|q| &q.slug == slug);
                (slug.clone(), worth.map_or(0, |q| q.max_score))
            })
            .collect();
        let entrants = (self.database.participants(contest.slug()).await?)
            .into_iter()
            .map(|p| Entrant {
                user_id: p.user_id,
                name: p.name,
            })
            .collect();
        // What counts: submitted in the window, and before the freeze if
        // the viewer sees the frozen standings.
        let until = frozen_at
            .unwrap_or(contest.ends_at())
            .min(contest.ends_at());
        let attempts = (self.database.contest_attempts(contest.slug()).await?)
            .into_iter()
            .filter(|a| contest.starts_at() <= a.submitted_at && a.submitted_at < until)
            .collect();
        let rows = contest::rank(contest, &max_scores, entrants, attempts);
        Ok(Scoreboard {
            contest: contest.slug().to_string(),
            scoring: contest.scoring(),
            frozen: frozen_at.is_some(),
            frozen_at,
            questions: (max_scores.into_iter())
                .map(|(slug, max_score)| QuestionWorth { slug, max_score })
                .collect(),
            rows,
        })
    }
}
