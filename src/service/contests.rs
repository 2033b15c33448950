//! A contest, and its scoreboard: its participants ranked on its questions.
//! Hundreds of open pages poll a contest's scoreboard, so each replica
//! keeps it computed until the contest's scoreboard version moves (a result
//! recorded, participants or settings changed: `Database::scoreboard_version`),
//! and pollers arriving together wait for one computation.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{JudgingService, Refusal};
use crate::auth::Standings;
use crate::contest::{self, Attempt, Contest, Entrant, Scoring, StandingRow, Window};

/// Computed scoreboards kept: a contest's live and frozen standings, a
/// few contests at once.
const KEPT_SCOREBOARDS: u64 = 64;
/// Bounds how long a board computed from a contest read just before it
/// changed can outlive the change.
const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// Computed scoreboards by contest, scoreboard version and freeze.
pub(super) type ScoreboardCache =
    moka::future::Cache<(String, String, Option<DateTime<Utc>>), Scoreboard>;

pub(super) fn scoreboard_cache() -> ScoreboardCache {
    moka::future::Cache::builder()
        .max_capacity(KEPT_SCOREBOARDS)
        .time_to_live(KEPT_FOR)
        .build()
}

/// `GET /contests/{slug}/scoreboard`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scoreboard {
    pub contest: String,
    pub scoring: Scoring,
    /// Standings as they were at `frozen_at`, the freeze.
    pub frozen: bool,
    pub frozen_at: Option<DateTime<Utc>>,
    pub questions: Vec<QuestionWorth>,
    pub rows: Vec<StandingRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
        let Some(version) = self.database.scoreboard_version(contest.slug()).await? else {
            return self.rank_contest(contest, frozen_at).await;
        };
        let key = (contest.slug().to_string(), version, frozen_at);
        (self.scoreboards)
            .try_get_with(key, self.rank_contest(contest, frozen_at))
            .await
            .map_err(|error| anyhow::anyhow!("{error:#}"))
    }

    async fn rank_contest(
        &self,
        contest: &Contest,
        frozen_at: Option<DateTime<Utc>>,
    ) -> Result<Scoreboard> {
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
                window: contest.window(&p.time()),
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
