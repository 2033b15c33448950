//! Contests: a time window over some questions, a way of scoring, and who
//! may see the standings. Validated here, stored by `store`, ranked by
//! `ranking`; `participants` reads and checks the people a teacher lists.

pub mod participants;
mod ranking;

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use ranking::{Attempt, Entrant, QuestionStanding, StandingRow, rank};

use crate::judge::check_slug;

const MAX_TITLE_CHARS: usize = 200;
const MAX_QUESTIONS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// Sum of each question's best score.
    Ioi,
    /// Questions fully solved, then the lower time penalty.
    Icpc,
}

/// Who sees the scoreboard (admin and service always do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreboardSetting {
    /// Everyone who may see the contest.
    Public,
    /// The contest's participants.
    Participants,
    /// Everyone who may see the contest, once it has ended.
    AfterEnd,
    /// Nobody else.
    Hidden,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContestStatus {
    Upcoming,
    Running,
    Ended,
}

/// A contest as a teacher writes it (`PUT /admin/contests/{slug}`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Week 1", "starts_at": "2026-01-05T09:00:00Z",
    "ends_at": "2026-01-05T11:00:00Z", "questions": ["double"], "scoring": "ioi",
    "scoreboard": "public"}))]
pub struct ContestSpec {
    /// 1 to 200 characters, not counting surrounding whitespace.
    #[schema(min_length = 1)]
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`.
    pub ends_at: DateTime<Utc>,
    /// Slugs of stored questions, each once, in the order students see them.
    #[schema(max_items = 50)]
    pub questions: Vec<String>,
    pub scoring: Scoring,
    pub scoreboard: ScoreboardSetting,
    /// The standings others see stop this long before the end; at most the
    /// contest's length.
    // utoipa documents a u32 as an int32, which would refuse values the
    // server takes.
    #[serde(default)]
    #[schema(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub freeze_minutes: Option<u32>,
    /// Anyone may see it and, from its start, its questions.
    #[serde(default)]
    pub public: bool,
    /// Compile errors count as attempts (an ICPC rejection's penalty);
    /// by default they do not. Judge errors never count.
    #[serde(default)]
    pub compile_errors_count: bool,
    /// Participants may keep submitting after their end: judged and shown
    /// to them, never ranked.
    #[serde(default)]
    pub practice_after_end: bool,
}

/// Most extra minutes a participant may be given (a week).
pub const MAX_EXTRA_MINUTES: u32 = 7 * 24 * 60;

/// A participant's own time in a contest, for accommodations: a later
/// start, more minutes. The default is the contest's window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnTime {
    /// When their window opens, if later than the contest's start.
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    /// Minutes added to their window's length.
    #[serde(default)]
    #[schema(maximum = 10080)]
    pub extra_minutes: u32,
}

impl OwnTime {
    pub fn check(&self) -> Result<(), String> {
        if let Some(start) = self.starts_at {
            check_year("starts_at", start)?;
        }
        if self.extra_minutes > MAX_EXTRA_MINUTES {
            return Err(format!(
                "extra_minutes is at most {MAX_EXTRA_MINUTES} (a week)"
            ));
        }
        Ok(())
    }
}

/// When one participant may submit: the contest's window, or their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// From here to the end their submissions are hidden from a frozen
    /// scoreboard; `None` without a freeze.
    pub freezes_at: Option<DateTime<Utc>>,
}

impl Window {
    pub fn status(&self, now: DateTime<Utc>) -> ContestStatus {
        if now < self.starts_at {
            ContestStatus::Upcoming
        } else if now < self.ends_at {
            ContestStatus::Running
        } else {
            ContestStatus::Ended
        }
    }

    /// Whether a submission made at `at` is ranked: in the window, and
    /// before its freeze if the standings are `frozen`.
    pub fn ranks(&self, at: DateTime<Utc>, frozen: bool) -> bool {
        let until = match self.freezes_at {
            Some(freeze) if frozen => freeze,
            _ => self.ends_at,
        };
        self.starts_at <= at && at < until
    }
}

/// A validated contest: build it with `Contest::new`.
#[derive(Debug, Clone, Serialize)]
pub struct Contest {
    slug: String,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    /// Question slugs, in the order students see them.
    questions: Vec<String>,
    scoring: Scoring,
    scoreboard: ScoreboardSetting,
    freeze_minutes: Option<u32>,
    public: bool,
    compile_errors_count: bool,
    practice_after_end: bool,
}

/// Times a contest may have: years as RFC 3339 writes them (four digits),
/// from the Unix epoch on, so that every store and every page can read them.
fn check_year(name: &str, time: DateTime<Utc>) -> Result<(), String> {
    if !(1970..=9999).contains(&time.year()) {
        return Err(format!(
            "{name} must be between 1970-01-01 and 9999-12-31, not {time}"
        ));
    }
    Ok(())
}

impl Contest {
    /// Checks `spec`; the error says what is wrong. Whether its questions
    /// exist is the store's to say.
    pub fn new(slug: String, spec: ContestSpec) -> Result<Self, String> {
        check_slug(&slug)?;
        let title = spec.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err(format!("title must be 1 to {MAX_TITLE_CHARS} characters"));
        }
        for (name, time) in [("starts_at", spec.starts_at), ("ends_at", spec.ends_at)] {
            check_year(name, time)?;
        }
        if spec.ends_at <= spec.starts_at {
            return Err("ends_at must be after starts_at".into());
        }
        if spec.questions.len() > MAX_QUESTIONS {
            return Err(format!("a contest has at most {MAX_QUESTIONS} questions"));
        }
        for (i, question) in spec.questions.iter().enumerate() {
            if spec.questions[..i].contains(question) {
                return Err(format!("question {question:?} is listed twice"));
            }
        }
        let length = spec.ends_at - spec.starts_at;
        if let Some(freeze) = spec.freeze_minutes
            && Duration::minutes(freeze.into()) > length
        {
            return Err("freeze_minutes is longer than the contest".into());
        }
        Ok(Self {
            slug,
            title: title.to_string(),
            starts_at: spec.starts_at,
            ends_at: spec.ends_at,
            questions: spec.questions,
            scoring: spec.scoring,
            scoreboard: spec.scoreboard,
            freeze_minutes: spec.freeze_minutes,
            public: spec.public,
            compile_errors_count: spec.compile_errors_count,
            practice_after_end: spec.practice_after_end,
        })
    }

    pub fn slug(&self) -> &str {
        &self.slug
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }

    /// Question slugs, in the order students see them.
    pub fn questions(&self) -> &[String] {
        &self.questions
    }

    pub fn scoring(&self) -> Scoring {
        self.scoring
    }

    pub fn scoreboard(&self) -> ScoreboardSetting {
        self.scoreboard
    }

    pub fn freeze_minutes(&self) -> Option<u32> {
        self.freeze_minutes
    }

    /// Whether its questions are listed for anyone once it starts.
    pub fn public(&self) -> bool {
        self.public
    }

    /// Whether a compile error is an attempt (and an ICPC penalty).
    pub fn compile_errors_count(&self) -> bool {
        self.compile_errors_count
    }

    /// Whether participants may keep submitting, unranked, after their end.
    pub fn practice_after_end(&self) -> bool {
        self.practice_after_end
    }

    /// The contest's own window (what `OwnTime::default()` gets).
    pub fn status(&self, now: DateTime<Utc>) -> ContestStatus {
        self.window(&OwnTime::default()).status(now)
    }

    /// A participant's window: from their start (never before the
    /// contest's) for the contest's length plus their extra minutes; the
    /// freeze as long before its end as before the contest's.
    pub fn window(&self, own: &OwnTime) -> Window {
        let starts_at = own
            .starts_at
            .map_or(self.starts_at, |s| s.max(self.starts_at));
        let length = self.ends_at - self.starts_at;
        let ends_at = starts_at + length + Duration::minutes(own.extra_minutes.into());
        let freezes_at = (self.freeze_minutes).map(|m| ends_at - Duration::minutes(m.into()));
        Window {
            starts_at,
            ends_at,
            freezes_at,
        }
    }

    pub fn has_started(&self, now: DateTime<Utc>) -> bool {
        self.status(now) != ContestStatus::Upcoming
    }

    pub fn contains(&self, question: &str) -> bool {
        self.questions.iter().any(|q| q == question)
    }

    /// While the scoreboard is frozen (the last `freeze_minutes` before the
    /// end), the moment it froze at.
    pub fn frozen_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let freeze = self.ends_at - Duration::minutes(self.freeze_minutes?.into());
        (freeze <= now && now < self.ends_at).then_some(freeze)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(starts: &str, ends: &str) -> ContestSpec {
        serde_json::from_value(serde_json::json!({
            "title": "Week 1", "starts_at": starts, "ends_at": ends,
            "questions": ["a", "b"], "scoring": "ioi", "scoreboard": "public",
            "freeze_minutes": 30
        }))
        .unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn status_and_freeze_follow_the_window() {
        let contest = Contest::new(
            "week-1".into(),
            spec("2026-01-01T10:00:00Z", "2026-01-01T12:00:00+00:00"),
        )
        .unwrap();
        assert_eq!(
            contest.status(at("2026-01-01T09:59:59Z")),
            ContestStatus::Upcoming
        );
        assert_eq!(
            contest.status(at("2026-01-01T10:00:00Z")),
            ContestStatus::Running
        );
        assert_eq!(
            contest.status(at("2026-01-01T12:00:00Z")),
            ContestStatus::Ended
        );
        assert_eq!(contest.frozen_at(at("2026-01-01T11:29:00Z")), None);
        let frozen = Some(at("2026-01-01T11:30:00Z"));
        assert_eq!(contest.frozen_at(at("2026-01-01T11:45:00Z")), frozen);
        assert_eq!(contest.frozen_at(at("2026-01-01T12:00:00Z")), None);
    }

    #[test]
    fn bad_windows_freezes_and_question_lists_are_refused() {
        type Breakage = fn(&mut ContestSpec);
        let cases: [(Breakage, &str); 6] = [
            (|s| s.ends_at = s.starts_at, "after starts_at"),
            (
                |s| s.ends_at = at("+10000-01-01T00:00:00Z"),
                "ends_at must be between",
            ),
            (
                |s| s.starts_at = at("-0001-01-01T00:00:00Z"),
                "starts_at must be between",
            ),
            (|s| s.freeze_minutes = Some(121), "longer than the contest"),
            (|s| s.questions.push("a".into()), "listed twice"),
            (|s| s.title = " ".into(), "title"),
        ];
        for (break_it, expected) in cases {
            let mut spec = spec("2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z");
            break_it(&mut spec);
            let error = Contest::new("week-1".into(), spec).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
        let good = spec("2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z");
        assert!(Contest::new("Week 1".into(), good).is_err());
    }
}
