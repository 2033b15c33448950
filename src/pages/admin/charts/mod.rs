//! The contest page's pictures, drawn on the server as SVG: submissions
//! over the contest's window, and verdicts per question as stacked bars:
//! the counting (counts.rs) and the geometry (svg.rs), both pure.

mod counts;
mod svg;

pub use counts::{QuestionVerdicts, Timeline, Verdict, verdicts_per_question};
pub use svg::{TimelineChart, VerdictChart};
