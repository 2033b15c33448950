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

/// Rows a scoreboard page shows.
const ROWS_PER_PAGE: usize = 50;

/// Which rows of a scoreboard to show: `?q=` (part of a name or user id)
/// and `?page=` (from 1).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(in crate::pages) struct BoardView {
    #[serde(default)]
    pub(in crate::pages) q: String,
    #[serde(default)]
    page: Option<u32>,
}

impl BoardView {
    fn page(&self) -> usize {
        self.page.unwrap_or(1).max(1) as usize
    }

    /// The query string that shows `page` of the same search.
    fn query(&self, page: usize) -> String {
        let mut query = format!("?page={page}");
        if !self.q.trim().is_empty() {
            query.push_str(&format!("&q={}", super::encode(self.q.trim())));
        }
        query
    }
}

#[derive(Template)]
#[template(path = "scoreboard.html")]
pub(in crate::pages) struct ScoreboardTable {
    board: Scoreboard,
    icpc: bool,
    contest: String,
    /// The rows of this page of the search.
    rows: Vec<StandingRow>,
    /// Rows that match the search, and the pages they take.
    matching: usize,
    pages: usize,
    view: BoardView,
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

    /// The link to page `page` of the same search, if there is one:
    /// relative, so it stays on the page that shows the table.
    fn page_link(&self, page: usize) -> Option<String> {
        (1..=self.pages)
            .contains(&page)
            .then(|| self.view.query(page))
    }

    /// Where the live table is fetched from, for the same page and search.
    pub(in crate::pages) fn live_src(&self) -> String {
        format!(
            "/ui/contests/{}/scoreboard{}",
            self.contest,
            self.view.query(self.view.page())
        )
    }

    /// How many participants solved each question (got every point), in order.
    pub(in crate::pages) fn solved_counts(&self) -> Vec<(String, usize)> {
        (self.board.questions.iter())
            .map(|q| {
                let solved = (self.board.rows.iter())
                    .filter(|row| self.solved(row, &q.slug))
                    .count();
                (q.slug.clone(), solved)
            })
            .collect()
    }

    fn current_page(&self) -> usize {
        self.view.page().min(self.pages)
    }

    /// The search typed, to show in its box again.
    pub(in crate::pages) fn view_query(&self) -> &str {
        &self.view.q
    }

    pub(in crate::pages) fn participants(&self) -> usize {
        self.board.rows.len()
    }
}

/// The scoreboard, if the viewer may see it now: the rows `view` asks for.
pub(in crate::pages) async fn scoreboard_table(
    state: &PagesState,
    viewer: &Viewer,
    contest: &Contest,
    view: BoardView,
) -> Result<Option<ScoreboardTable>, PageError> {
    match (state.service.access()).scoreboard(&viewer.principal, contest, Utc::now()) {
        Ok(standings) => Ok(Some(table(state, contest, standings, view).await?)),
        Err(_) => Ok(None),
    }
}

/// `contest`'s standings as `standings` says, as the table the pages show.
pub(in crate::pages) async fn table(
    state: &PagesState,
    contest: &Contest,
    standings: Standings,
    view: BoardView,
) -> Result<ScoreboardTable, PageError> {
    let board =
        (state.service.scoreboard(contest, standings).await).map_err(PageError::internal)?;
    let needle = view.q.trim().to_lowercase();
    let matches = |row: &&StandingRow| {
        needle.is_empty()
            || row.name.to_lowercase().contains(&needle)
            || row.user_id.to_lowercase().contains(&needle)
    };
    let matching: Vec<&StandingRow> = board.rows.iter().filter(matches).collect();
    let pages = matching.len().div_ceil(ROWS_PER_PAGE).max(1);
    let rows = (matching.iter())
        .skip((view.page().min(pages) - 1) * ROWS_PER_PAGE)
        .take(ROWS_PER_PAGE)
        .map(|row| (*row).clone())
        .collect();
    Ok(ScoreboardTable {
        icpc: board.scoring == crate::contest::Scoring::Icpc,
        contest: contest.slug().to_string(),
        matching: matching.len(),
        rows,
        pages,
        view,
        board,
    })
}
