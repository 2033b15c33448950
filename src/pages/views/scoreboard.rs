//! A contest's scoreboard as the pages show it, and a contest's status in words.

use askama::Template;
use chrono::Utc;

use crate::auth::Standings;
use crate::contest::{Contest, ContestStatus, StandingRow};
use crate::pages::session::Viewer;
use crate::pages::{PageError, PagesState};
use crate::service::Scoreboard;

pub(in crate::pages) fn status_text(status: ContestStatus) -> &'static str {
    match status {
        ContestStatus::Upcoming => "upcoming",
        ContestStatus::Running => "running",
        ContestStatus::Ended => "ended",
    }
}

#[derive(Template)]
#[template(path = "scoreboard.html")]
pub(in crate::pages) struct ScoreboardTable {
    board: Scoreboard,
    icpc: bool,
    contest: String,
}

impl ScoreboardTable {
    /// A cell's text: the score (ioi) or attempts and minute (icpc).
    fn cell(&self, row: &StandingRow, question: &str) -> String {
        let Some(cell) = row.questions.get(question) else {
            return String::new();
        };
        match (self.icpc, cell.solved_at) {
            (_, _) if cell.attempts == 0 => String::new(),
            (true, Some(_)) => format!("+{}", cell.attempts - 1).replace("+0", "+"),
            (true, None) => format!("−{}", cell.attempts),
            (false, _) => cell.score.to_string(),
        }
    }

    fn solved(&self, row: &StandingRow, question: &str) -> bool {
        (row.questions.get(question)).is_some_and(|c| c.solved_at.is_some())
    }
}

/// The scoreboard, if the viewer may see it now.
pub(in crate::pages) async fn scoreboard_table(
    state: &PagesState,
    viewer: &Viewer,
    contest: &Contest,
) -> Result<Option<ScoreboardTable>, PageError> {
    match (state.service.access()).scoreboard(&viewer.principal, contest, Utc::now()) {
        Ok(standings) => Ok(Some(table(state, contest, standings).await?)),
        Err(_) => Ok(None),
    }
}

/// `contest`'s standings as `standings` says, as the table the pages show.
pub(in crate::pages) async fn table(
    state: &PagesState,
    contest: &Contest,
    standings: Standings,
) -> Result<ScoreboardTable, PageError> {
    let board =
        (state.service.scoreboard(contest, standings).await).map_err(PageError::internal)?;
    Ok(ScoreboardTable {
        icpc: board.scoring == crate::contest::Scoring::Icpc,
        contest: contest.slug().to_string(),
        board,
    })
}
