//! The similarity report on the teachers' pages: a question's most alike
//! pairs of final submissions, and one pair side by side with the regions
//! that match highlighted. The same use case as the admin API's report.

use std::ops::Range;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::AdminViewer;
use crate::contest::Contest;
use crate::pages::layout::{Layout, render};
use crate::pages::{PageError, PagesState};
use crate::service::{SimilarPair, SimilarityReport};

/// Pairs the page lists.
const LISTED: usize = 50;

#[derive(Template)]
#[template(path = "admin/similarity.html")]
struct ReportPage {
    layout: Layout,
    contest: Contest,
    report: SimilarityReport,
}

/// `GET /ui/admin/contests/{slug}/similarity/{question}`.
pub async fn report(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path((slug, question)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let contest = state.service.contest(&slug).await?;
    let report = state
        .service
        .similarity(&contest, &question, LISTED)
        .await?;
    render(&ReportPage {
        layout: Layout::of(&viewer),
        contest,
        report,
    })
}

/// A stretch of a program, matched in the other one or not.
struct Stretch {
    text: String,
    matched: bool,
}

#[derive(Template)]
#[template(path = "admin/similar_pair.html")]
struct PairPage {
    layout: Layout,
    contest: Contest,
    question: String,
    pair: SimilarPair,
    a: Vec<Stretch>,
    b: Vec<Stretch>,
}

/// `GET /ui/admin/contests/{slug}/similarity/{question}/{a}/{b}`.
pub async fn pair(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path((slug, question, a, b)): Path<(String, String, String, String)>,
) -> Result<Response, PageError> {
    let id = |text: &str| {
        Uuid::parse_str(text).map_err(|_| PageError::not_found("There is no such submission."))
    };
    let (a, b) = (id(&a)?, id(&b)?);
    let contest = state.service.contest(&slug).await?;
    let side_by_side = state
        .service
        .similar_pair(&contest, &question, a, b)
        .await?;
    render(&PairPage {
        layout: Layout::of(&viewer),
        contest,
        question,
        pair: side_by_side.pair,
        a: stretches(&side_by_side.a_code, &side_by_side.a_regions),
        b: stretches(&side_by_side.b_code, &side_by_side.b_regions),
    })
}

/// `code` cut at the edges of `matched` (sorted, apart, on characters).
fn stretches(code: &str, matched: &[Range<usize>]) -> Vec<Stretch> {
    let mut stretches = Vec::new();
    let mut at = 0;
    for region in matched {
        if at < region.start {
            stretches.push(Stretch {
                text: code[at..region.start].to_string(),
                matched: false,
            });
        }
        stretches.push(Stretch {
            text: code[region.clone()].to_string(),
            matched: true,
        });
        at = region.end;
    }
    if at < code.len() {
        stretches.push(Stretch {
            text: code[at..].to_string(),
            matched: false,
        });
    }
    stretches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_cut_at_the_matched_regions_and_nothing_is_lost() {
        let code = "abcdefgh";
        let cut = stretches(code, &[1..3, 5..6]);
        let text: String = cut.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, code);
        let matched: Vec<&str> = (cut.iter().filter(|s| s.matched))
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(matched, ["bc", "f"]);
    }
}
