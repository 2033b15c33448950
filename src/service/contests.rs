//! A contest, and its scoreboard: its participants ranked on its questions.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{JudgingService, Refusal};
use crate::auth::Standings;
use crate::contest::{self, Attempt, Contest, Entrant, Scoring, StandingRow, Window};

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
        let entrants: Vec<Entrant> = (self.database.participants(contest.slug()).await?)
            .into_iter()
            .map(|p| Entrant {
                window: contest.window(&p.time),
                user_id: p.user_id,
                name: p.name,
            })
            .collect();
        // What counts: submitted in the participant's own window, and
        // before its freeze if the viewer sees the frozen standings.
        let frozen = frozen_at.is_some();
        let windows: HashMap<&str, Window> = (entrants.iter())
            .map(|e| (e.user_id.as_str(), e.window))
            .collect();
        let ranked = |a: &Attempt| {
            (windows.get(a.user_id.as_str())).is_some_and(|w| w.ranks(a.submitted_at, frozen))
        };
        let attempts = (self.database.contest_attempts(contest.slug()).await?)
            .into_iter()
            .filter(ranked)
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
