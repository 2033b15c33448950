//! Counting a contest's submissions for its charts: how many in each
//! stretch of its window, and how each question's ended. Pure.

use chrono::{DateTime, Duration, Utc};

use crate::judge::Status;
use crate::store::{ContestSubmission, SubmissionState};

/// At most this many bars over the window: buckets widen to fit.
const MAX_BARS: i64 = 120;
/// Bucket widths, in minutes, from the narrowest.
const BUCKETS: [i64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

/// How a finished submission ended, as the verdict chart groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    WrongAnswer,
    TimeLimit,
    /// Every other failure, a compile error, or no result at all.
    Other,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Accepted,
        Verdict::WrongAnswer,
        Verdict::TimeLimit,
        Verdict::Other,
    ];

    /// A finished submission's verdict, grouped; `None` while it waits or
    /// runs (a rejudged one too).
    pub fn of(submission: &ContestSubmission) -> Option<Self> {
        if submission.state != SubmissionState::Finished {
            return None;
        }
        if !submission.judged {
            return Some(Self::Other);
        }
        Some(match submission.verdict {
            Some(Status::Accepted) => Self::Accepted,
            Some(Status::WrongAnswer) => Self::WrongAnswer,
            Some(Status::TimeLimitExceeded) => Self::TimeLimit,
            _ => Self::Other,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "Accepted",
            Self::WrongAnswer => "Wrong answer",
            Self::TimeLimit => "Time limit",
            Self::Other => "Other",
        }
    }

    /// The CSS class that colours it.
    pub fn css(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::WrongAnswer => "wrong",
            Self::TimeLimit => "time",
            Self::Other => "other",
        }
    }
}

/// Submissions counted in equal buckets from the contest's start.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub start: DateTime<Utc>,
    pub bucket_minutes: i64,
    pub counts: Vec<u32>,
}

impl Timeline {
    /// Counts `times` within `[start, end)` in the narrowest buckets that
    /// keep to `MAX_BARS`.
    pub fn new(
        times: impl IntoIterator<Item = DateTime<Utc>>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Self {
        let minutes = ((end - start).num_seconds().max(1) + 59) / 60;
        let bucket_minutes = (BUCKETS.into_iter())
            .find(|width| (minutes + width - 1) / width <= MAX_BARS)
            .unwrap_or_else(|| 1440 * ((minutes + 1440 * MAX_BARS - 1) / (1440 * MAX_BARS)));
        let buckets = (minutes + bucket_minutes - 1) / bucket_minutes;
        let mut counts = vec![0; buckets as usize];
        for time in times {
            if time < start || time >= end {
                continue;
            }
            let bucket = (time - start).num_minutes() / bucket_minutes;
            if let Some(count) = counts.get_mut(bucket as usize) {
                *count += 1;
            }
        }
        Self {
            start,
            bucket_minutes,
            counts,
        }
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    pub(super) fn bucket_start(&self, bucket: usize) -> DateTime<Utc> {
        self.start + Duration::minutes(bucket as i64 * self.bucket_minutes)
    }

    /// "10:05–10:10", in UTC (with the date when the window is long).
    pub(super) fn bucket_label(&self, bucket: usize, with_date: bool) -> String {
        let format = if with_date { "%m-%d %H:%M" } else { "%H:%M" };
        let from = self.bucket_start(bucket);
        let to = self.bucket_start(bucket + 1);
        format!("{}–{}", from.format(format), to.format("%H:%M"))
    }

    /// What the chart's unit is called: "minute", "5 minutes".
    pub fn unit(&self) -> String {
        match self.bucket_minutes {
            1 => "minute".into(),
            60 => "hour".into(),
            1440 => "day".into(),
            m if m % 60 == 0 => format!("{} hours", m / 60),
            m => format!("{m} minutes"),
        }
    }
}

/// A question's finished submissions by verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionVerdicts {
    pub question: String,
    pub accepted: u32,
    pub wrong_answer: u32,
    pub time_limit: u32,
    pub other: u32,
}

impl QuestionVerdicts {
    pub fn count(&self, verdict: Verdict) -> u32 {
        match verdict {
            Verdict::Accepted => self.accepted,
            Verdict::WrongAnswer => self.wrong_answer,
            Verdict::TimeLimit => self.time_limit,
            Verdict::Other => self.other,
        }
    }

    pub fn total(&self) -> u32 {
        Verdict::ALL.iter().map(|&v| self.count(v)).sum()
    }
}

/// The verdicts of the finished submissions to each of `questions`, in
/// their order (submissions to other questions are not counted).
pub fn verdicts_per_question(
    questions: &[String],
    submissions: &[ContestSubmission],
) -> Vec<QuestionVerdicts> {
    let mut rows: Vec<QuestionVerdicts> = (questions.iter())
        .map(|question| QuestionVerdicts {
            question: question.clone(),
            ..QuestionVerdicts::default()
        })
        .collect();
    for submission in submissions {
        let Some(verdict) = Verdict::of(submission) else {
            continue;
        };
        let Some(row) = rows.iter_mut().find(|r| r.question == submission.question) else {
            continue;
        };
        *match verdict {
            Verdict::Accepted => &mut row.accepted,
            Verdict::WrongAnswer => &mut row.wrong_answer,
            Verdict::TimeLimit => &mut row.time_limit,
            Verdict::Other => &mut row.other,
        } += 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn submission(
        question: &str,
        minute: u32,
        state: SubmissionState,
        judged: bool,
        first_failure: Option<Status>,
    ) -> ContestSubmission {
        ContestSubmission {
            created_at: at("2026-01-01T10:00:00Z") + Duration::minutes(minute.into()),
            question: question.into(),
            language: "python".into(),
            user_id: Some("ann".into()),
            score: None,
            max_score: None,
            state,
            judged,
            verdict: judged.then(|| first_failure.unwrap_or(Status::Accepted)),
        }
    }

    #[test]
    fn a_submission_is_judged_by_its_first_failing_test() {
        use SubmissionState::*;
        let verdict =
            |state, judged, failure| Verdict::of(&submission("a", 0, state, judged, failure));
        assert_eq!(verdict(Finished, true, None), Some(Verdict::Accepted));
        let wrong = Some(Status::WrongAnswer);
        assert_eq!(verdict(Finished, true, wrong), Some(Verdict::WrongAnswer));
        let slow = Some(Status::TimeLimitExceeded);
        assert_eq!(verdict(Finished, true, slow), Some(Verdict::TimeLimit));
        let crashed = Some(Status::RuntimeError);
        assert_eq!(verdict(Finished, true, crashed), Some(Verdict::Other));
        let compile = Some(Status::CompilationError);
        assert_eq!(verdict(Finished, true, compile), Some(Verdict::Other));
        assert_eq!(verdict(Finished, false, None), Some(Verdict::Other));
        assert_eq!(verdict(Queued, false, None), None);
        assert_eq!(verdict(Running, false, None), None);
    }

    #[test]
    fn verdicts_are_counted_per_question_in_contest_order() {
        use SubmissionState::*;
        let submissions = [
            submission("b", 1, Finished, true, None),
            submission("a", 2, Finished, true, Some(Status::WrongAnswer)),
            submission("a", 3, Finished, true, Some(Status::WrongAnswer)),
            submission("a", 4, Finished, true, None),
            submission("b", 5, Finished, true, Some(Status::TimeLimitExceeded)),
            submission("b", 6, Finished, true, Some(Status::MemoryLimitExceeded)),
            submission("b", 7, Running, false, None),
            submission("gone", 8, Finished, true, None),
        ];
        let rows = verdicts_per_question(&["a".into(), "b".into(), "c".into()], &submissions);
        let row = |question: &str, counts: [u32; 4]| QuestionVerdicts {
            question: question.into(),
            accepted: counts[0],
            wrong_answer: counts[1],
            time_limit: counts[2],
            other: counts[3],
        };
        assert_eq!(
            rows,
            [
                row("a", [1, 2, 0, 0]),
                row("b", [1, 0, 1, 1]),
                row("c", [0; 4])
            ]
        );
        assert_eq!(rows[1].total(), 3);
    }

    #[test]
    fn the_timeline_counts_per_minute_within_the_window() {
        let start = at("2026-01-01T10:00:00Z");
        let times = [
            at("2026-01-01T09:59:59Z"),
            at("2026-01-01T10:00:00Z"),
            at("2026-01-01T10:00:59Z"),
            at("2026-01-01T10:02:30Z"),
            at("2026-01-01T10:59:59Z"),
            at("2026-01-01T11:00:00Z"),
        ];
        let timeline = Timeline::new(times, start, at("2026-01-01T11:00:00Z"));
        assert_eq!(timeline.bucket_minutes, 1);
        assert_eq!(timeline.counts.len(), 60);
        assert_eq!(&timeline.counts[..3], [2, 0, 1]);
        assert_eq!(timeline.counts[59], 1);
        assert_eq!(timeline.total(), 4);
        assert_eq!(timeline.unit(), "minute");
    }

    #[test]
    fn long_windows_get_wider_buckets() {
        let start = at("2026-01-01T10:00:00Z");
        let bucket = |minutes: i64| {
            Timeline::new([], start, start + Duration::minutes(minutes)).bucket_minutes
        };
        assert_eq!(bucket(120), 1);
        assert_eq!(bucket(121), 2);
        assert_eq!(bucket(180), 2);
        assert_eq!(bucket(5 * 60), 5);
        assert_eq!(bucket(7 * 24 * 60), 120);
        assert_eq!(bucket(200 * 24 * 60), 2 * 1440);
        let week = Timeline::new(
            [start + Duration::hours(3)],
            start,
            start + Duration::days(7),
        );
        assert!(week.counts.len() as i64 <= MAX_BARS);
        assert_eq!(week.counts[1], 1);
        assert_eq!(week.unit(), "2 hours");
    }
}
