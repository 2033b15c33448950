//! The charts' geometry: where each bar, tick and label of the SVG goes,
//! from the counts. Pure; the template (`admin/charts.html`) only writes
//! the shapes out, escaped.

use chrono::{DateTime, Duration, Utc};

use super::counts::{QuestionVerdicts, Timeline, Verdict};

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
