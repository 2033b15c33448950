//! The contest page's pictures, drawn on the server as SVG: submissions
//! over the contest's window, and verdicts per question as stacked bars.
//! Pure: counts and geometry from a contest's submissions; the template
//! (`admin/charts.html`) only writes out the shapes, escaped.

use chrono::{DateTime, Duration, Utc};

use crate::judge::Status;
use crate::store::{ContestSubmission, SubmissionState};

/// At most this many bars over the window: buckets widen to fit.
const MAX_BARS: i64 = 120;
/// Bucket widths, in minutes, from the narrowest.
const BUCKETS: [i64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

const WIDTH: f64 = 720.0;
const TIMELINE_HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// The verdict chart: room for question slugs on the left, a row per question.
const LABEL_WIDTH: f64 = 140.0;
const ROW_HEIGHT: f64 = 26.0;
const BAR_HEIGHT: f64 = 18.0;
const LEGEND_HEIGHT: f64 = 26.0;

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

    /// A finished submission's verdict: its first failing test's status,
    /// or accepted; `None` while it waits or runs.
    pub fn of(submission: &ContestSubmission) -> Option<Self> {
        if submission.state != SubmissionState::Finished {
            return None;
        }
        if !submission.judged {
            return Some(Self::Other);
        }
        Some(match submission.first_failure {
            None => Self::Accepted,
            Some(Status::WrongAnswer) => Self::WrongAnswer,
            Some(Status::TimeLimitExceeded) => Self::TimeLimit,
            Some(_) => Self::Other,
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

    fn bucket_start(&self, bucket: usize) -> DateTime<Utc> {
        self.start + Duration::minutes(bucket as i64 * self.bucket_minutes)
    }

    /// "10:05–10:10", in UTC (with the date when the window is long).
    fn bucket_label(&self, bucket: usize, with_date: bool) -> String {
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

/// A rectangle of a chart, with the text a pointer's tooltip shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub class: &'static str,
    pub title: String,
}

/// A labelled mark on an axis, at `at` along it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// Round to tenths: short attributes.
fn tenths(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Axis ticks from 0 to at least `max`, 1-2-5 steps, at most 5 of them
/// past zero; the last tick is the axis's top.
fn count_ticks(max: u32) -> Vec<u32> {
    let max = max.max(1);
    let mut magnitude = 1;
    loop {
        for step in [magnitude, 2 * magnitude, 5 * magnitude] {
            if max.div_ceil(step) <= 5 {
                let top = max.div_ceil(step) * step;
                return (0..=top).step_by(step as usize).collect();
            }
        }
        magnitude *= 10;
    }
}

/// The submissions-over-time chart: its bars and axes.
#[derive(Debug, Clone)]
pub struct TimelineChart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// Where "now" is, while the contest runs.
    pub now_x: Option<f64>,
    pub unit: String,
    pub total: u32,
    /// The busiest bucket and its count, if any submission was made.
    pub busiest: Option<(String, u32)>,
    /// The buckets with submissions, for the table beside the chart.
    pub rows: Vec<(String, u32)>,
}

impl TimelineChart {
    pub fn new(timeline: &Timeline, end: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let (left, right, top, bottom) = (LEFT, WIDTH - RIGHT, TOP, TIMELINE_HEIGHT - BOTTOM);
        let buckets = timeline.counts.len().max(1);
        let slot = (right - left) / buckets as f64;
        let ticks = count_ticks(timeline.counts.iter().copied().max().unwrap_or(0));
        let top_count = f64::from(*ticks.last().expect("at least 0 and 1"));
        let y_of = |count: u32| bottom - (bottom - top) * f64::from(count) / top_count;
        let with_date = end - timeline.start > Duration::hours(24);
        let bars = (timeline.counts.iter().enumerate())
            .filter(|(_, count)| **count > 0)
            .map(|(bucket, &count)| Bar {
                x: tenths(left + slot * bucket as f64 + slot * 0.1),
                y: tenths(y_of(count)),
                width: tenths((slot * 0.8).max(0.5)),
                height: tenths(bottom - y_of(count)),
                class: "bar",
                title: format!(
                    "{}: {count} submission{}",
                    timeline.bucket_label(bucket, with_date),
                    if count == 1 { "" } else { "s" }
                ),
            })
            .collect();
        let y_ticks = (ticks.iter())
            .map(|&count| Tick {
                at: tenths(y_of(count)),
                label: count.to_string(),
            })
            .collect();
        // About six time labels, on bucket boundaries.
        let every = buckets.div_ceil(6).max(1);
        let format = if with_date { "%m-%d %H:%M" } else { "%H:%M" };
        let x_ticks = (0..=buckets)
            .step_by(every)
            .map(|bucket| Tick {
                at: tenths(left + slot * bucket as f64),
                label: timeline.bucket_start(bucket).format(format).to_string(),
            })
            .collect();
        let window = (end - timeline.start).num_seconds().max(1) as f64;
        let now_x = (timeline.start <= now && now < end).then(|| {
            let elapsed = (now - timeline.start).num_seconds() as f64;
            let covered = (buckets as i64 * timeline.bucket_minutes * 60) as f64;
            tenths(left + (right - left) * elapsed / covered.max(window))
        });
        let rows: Vec<(String, u32)> = (timeline.counts.iter().enumerate())
            .filter(|(_, count)| **count > 0)
            .map(|(bucket, &count)| (timeline.bucket_label(bucket, with_date), count))
            .collect();
        let busiest = (rows.iter())
            .max_by_key(|(_, count)| *count)
            .filter(|(_, count)| *count > 0)
            .cloned();
        Self {
            width: WIDTH,
            height: TIMELINE_HEIGHT,
            left,
            right,
            top,
            bottom,
            bars,
            y_ticks,
            x_ticks,
            now_x,
            unit: timeline.unit(),
            total: timeline.total(),
            busiest,
            rows,
        }
    }
}

/// The verdicts chart: a row of stacked segments per question.
#[derive(Debug, Clone)]
pub struct VerdictChart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub rows: Vec<VerdictRow>,
    pub x_ticks: Vec<Tick>,
    /// Each verdict's swatch position and label.
    pub legend: Vec<(f64, Verdict)>,
}

#[derive(Debug, Clone)]
pub struct VerdictRow {
    pub counts: QuestionVerdicts,
    /// The row's text baseline.
    pub label_y: f64,
    pub segments: Vec<Bar>,
}

impl VerdictChart {
    pub fn new(per_question: &[QuestionVerdicts]) -> Self {
        let (left, right) = (LABEL_WIDTH, WIDTH - RIGHT);
        let top = TOP + LEGEND_HEIGHT;
        let bottom = top + ROW_HEIGHT * per_question.len().max(1) as f64;
        let ticks = count_ticks(
            per_question
                .iter()
                .map(QuestionVerdicts::total)
                .max()
                .unwrap_or(0),
        );
        let top_count = f64::from(*ticks.last().expect("at least 0 and 1"));
        let x_of = |count: u32| left + (right - left) * f64::from(count) / top_count;
        let rows = (per_question.iter().enumerate())
            .map(|(i, counts)| {
                let y = top + ROW_HEIGHT * i as f64 + (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
                let mut before = 0;
                let mut segments = Vec::new();
                for verdict in Verdict::ALL {
                    let count = counts.count(verdict);
                    if count == 0 {
                        continue;
                    }
                    segments.push(Bar {
                        x: tenths(x_of(before)),
                        y: tenths(y),
                        width: tenths(x_of(before + count) - x_of(before)),
                        height: BAR_HEIGHT,
                        class: verdict.css(),
                        title: format!("{}: {} {count}", counts.question, verdict.label()),
                    });
                    before += count;
                }
                VerdictRow {
                    counts: counts.clone(),
                    label_y: tenths(y + BAR_HEIGHT * 0.75),
                    segments,
                }
            })
            .collect();
        let x_ticks = (ticks.iter())
            .map(|&count| Tick {
                at: tenths(x_of(count)),
                label: count.to_string(),
            })
            .collect();
        let legend = (0..)
            .zip(Verdict::ALL)
            .map(|(i, verdict)| (left + 130.0 * f64::from(i), verdict))
            .collect();
        Self {
            width: WIDTH,
            height: bottom + BOTTOM,
            left,
            right,
            top,
            bottom,
            rows,
            x_ticks,
            legend,
        }
    }
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
            first_failure,
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

    #[test]
    fn ticks_step_by_one_two_or_five() {
        assert_eq!(count_ticks(0), [0, 1]);
        assert_eq!(count_ticks(3), [0, 1, 2, 3]);
        assert_eq!(count_ticks(7), [0, 2, 4, 6, 8]);
        assert_eq!(count_ticks(23), [0, 5, 10, 15, 20, 25]);
        assert_eq!(count_ticks(130), [0, 50, 100, 150]);
    }

    #[test]
    fn the_timeline_chart_draws_a_bar_per_busy_bucket() {
        let start = at("2026-01-01T10:00:00Z");
        let end = at("2026-01-01T10:10:00Z");
        let times = [start, start, start + Duration::minutes(4)];
        let timeline = Timeline::new(times, start, end);
        let chart = TimelineChart::new(&timeline, end, start + Duration::minutes(5));
        assert_eq!(chart.bars.len(), 2);
        let (tall, short) = (&chart.bars[0], &chart.bars[1]);
        // Two submissions reach the top of a 0..2 axis; one, half way.
        assert_eq!(tall.y, chart.top);
        assert_eq!(tall.y + tall.height, chart.bottom);
        assert!((short.height * 2.0 - tall.height).abs() < 0.2);
        assert!(short.x > tall.x);
        assert_eq!(tall.title, "10:00–10:01: 2 submissions");
        assert_eq!(chart.busiest, Some(("10:00–10:01".into(), 2)));
        assert_eq!(chart.rows.len(), 2);
        assert_eq!(chart.now_x, Some((chart.left + chart.right) / 2.0));
        assert_eq!(chart.x_ticks.first().unwrap().label, "10:00");
        assert_eq!(chart.x_ticks.last().unwrap().label, "10:10");
        let after = TimelineChart::new(&timeline, end, end);
        assert_eq!(after.now_x, None);
    }

    #[test]
    fn the_verdict_chart_stacks_segments_in_proportion() {
        let rows = [
            QuestionVerdicts {
                question: "a".into(),
                accepted: 2,
                wrong_answer: 1,
                time_limit: 0,
                other: 1,
            },
            QuestionVerdicts {
                question: "b".into(),
                ..QuestionVerdicts::default()
            },
        ];
        let chart = VerdictChart::new(&rows);
        let segments = &chart.rows[0].segments;
        assert_eq!(
            segments.iter().map(|s| s.class).collect::<Vec<_>>(),
            ["accepted", "wrong", "other"]
        );
        // 4 submissions on a 0..4 axis: the stack spans the plot.
        assert_eq!(segments[0].x, chart.left);
        let end = segments[2].x + segments[2].width;
        assert!((end - chart.right).abs() < 0.2, "{end}");
        assert!((segments[0].width - 2.0 * segments[1].width).abs() < 0.2);
        assert!(chart.rows[1].segments.is_empty());
        assert!(chart.rows[1].label_y > chart.rows[0].label_y);
        assert_eq!(segments[1].title, "a: Wrong answer 1");
    }
}
