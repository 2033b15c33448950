//! A question as the pages show it (statement, examples, each language's
//! limits, the editor), and a run of code on its examples: for a student's
//! page and a teacher's preview alike.

use askama::Template;
use axum::Json;
use serde::Deserialize;

use crate::judge::{AppliedLimits, LimitPolicy, Question, StatementImage, TimeSource};
use crate::pages::clarifications::ClarificationList;
use crate::pages::layout::Layout;
use crate::pages::markdown;
use crate::pages::session::Viewer;
use crate::pages::{PageError, PagesState};
use crate::service::{self, ExecutionView};
use crate::store::SubmissionRecord;

#[derive(Template)]
#[template(path = "question.html")]
pub(in crate::pages) struct QuestionPage {
    pub(in crate::pages) layout: Layout,
    /// The crumb back: where, and its text.
    pub(in crate::pages) back_href: String,
    pub(in crate::pages) back_label: String,
    /// Where the page's script posts a run and a submission.
    pub(in crate::pages) run_url: String,
    pub(in crate::pages) submit_url: String,
    pub(in crate::pages) question: Question,
    pub(in crate::pages) statement: String,
    pub(in crate::pages) examples: Vec<Example>,
    pub(in crate::pages) hidden_tests: usize,
    pub(in crate::pages) languages: Vec<String>,
    pub(in crate::pages) limits: Vec<LimitRow>,
    pub(in crate::pages) history: Vec<OwnSubmission>,
    /// Why the viewer may not submit now, if they may not.
    pub(in crate::pages) closed: Option<String>,
    /// Their window is over: what they submit now is practice, not ranked.
    pub(in crate::pages) practice: bool,
    /// In a contest: its slug, the clarifications the viewer reads, and
    /// whether they may ask now.
    pub(in crate::pages) contest_slug: String,
    pub(in crate::pages) clarifications: Option<ClarificationList>,
    pub(in crate::pages) can_ask: bool,
    pub(in crate::pages) draft_key: String,
}

/// One of the viewer's submissions, as their list shows it.
pub(in crate::pages) struct OwnSubmission {
    pub(in crate::pages) record: SubmissionRecord,
    /// The verdict a rejudge replaced, if it changed it.
    pub(in crate::pages) was: Option<String>,
}

impl OwnSubmission {
    /// Its verdict, or its state while it waits or runs for the first time.
    pub(in crate::pages) fn shown_verdict(&self) -> &str {
        match &self.record.verdict {
            Some(verdict) => verdict,
            None => self.record.state.as_str(),
        }
    }

    pub(in crate::pages) fn label(&self, verdict: &str) -> String {
        super::verdict_label(verdict).to_string()
    }
}

impl QuestionPage {
    /// `question` as students see it (statement, each language's limits,
    /// examples), in its languages (none: every one the server runs); the
    /// rest is the caller's to fill in.
    pub(in crate::pages) fn new(
        layout: Layout,
        question: Question,
        all_languages: &[&str],
        policy: &LimitPolicy,
    ) -> Self {
        let examples = (question.examples())
            .map(|(number, test)| Example {
                number,
                input: test.input.clone(),
                output: test.expected_output.clone(),
                interaction: (test.interaction.as_deref()).map(interaction_lines),
            })
            .collect();
        let languages = if question.languages().is_empty() {
            all_languages.iter().map(|n| n.to_string()).collect()
        } else {
            question.languages().to_vec()
        };
        Self {
            layout,
            back_href: String::new(),
            back_label: String::new(),
            run_url: String::new(),
            submit_url: String::new(),
            statement: statement_html(&question),
            hidden_tests: question.test_cases().iter().filter(|t| t.hidden).count(),
            limits: limit_rows(&question, policy, all_languages),
            examples,
            languages,
            question,
            history: Vec::new(),
            closed: None,
            practice: false,
            contest_slug: String::new(),
            clarifications: None,
            can_ask: false,
            draft_key: String::new(),
        }
    }

    pub(in crate::pages) fn question_title(&self) -> &str {
        self.question.title()
    }
}

/// The statement as a page shows it: its images from the pages' route,
/// which knows the viewer by their session (the API's route, where the
/// statement points, knows callers by their token).
fn statement_html(question: &Question) -> String {
    let api = StatementImage::served_under(question.slug());
    let pages = format!("/ui{api}");
    let statement = question
        .statement()
        .replace(&format!("]({api}"), &format!("]({pages}"));
    markdown::to_html(&statement)
}

pub(in crate::pages) struct Example {
    number: usize,
    input: String,
    output: String,
    /// An interactive question's sample, shown instead of the input and
    /// output (which are the interactor's).
    interaction: Option<Vec<InteractionLine>>,
}

/// One line of a sample interaction, without its `<` or `>`.
pub(in crate::pages) struct InteractionLine {
    from_judge: bool,
    text: String,
}

/// A `.interaction` file's lines: `<` from the judge, `>` from the program.
fn interaction_lines(interaction: &str) -> Vec<InteractionLine> {
    (interaction.lines())
        .map(|line| match line.split_at_checked(1) {
            Some(("<", text)) => (true, text),
            Some((">", text)) => (false, text),
            _ => (true, line),
        })
        .map(|(from_judge, text)| InteractionLine {
            from_judge,
            text: text.to_string(),
        })
        .collect()
}

/// One language's limits as the pages show them.
pub(in crate::pages) struct LimitRow {
    pub(in crate::pages) language: String,
    pub(in crate::pages) limits: AppliedLimits,
    /// Where the time limit came from, in words.
    pub(in crate::pages) source: String,
}

/// The limits of every language `question` accepts.
pub(in crate::pages) fn limit_rows(
    question: &Question,
    policy: &LimitPolicy,
    all_languages: &[&str],
) -> Vec<LimitRow> {
    (question.language_limits(policy, all_languages).into_iter())
        .map(|(language, limits)| LimitRow {
            source: time_source_text(&limits.time_source),
            language,
            limits,
        })
        .collect()
}

fn time_source_text(source: &TimeSource) -> String {
    match source {
        TimeSource::Calibrated { multiplier, .. } => {
            format!("{multiplier} × the reference solution's time")
        }
        TimeSource::SetForLanguage => "set for this language".into(),
        TimeSource::Scaled {
            general_time_ms,
            factor,
            capped,
        } => {
            let cut = if *capped { ", cut to the maximum" } else { "" };
            format!("{factor} × {general_time_ms} ms{cut}")
        }
        TimeSource::Unscaled | TimeSource::Maximum => String::new(),
    }
}

/// What a page's script sends to run or submit.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    language: String,
    code: String,
}

impl From<Code> for service::Code {
    /// A page's code is always the viewer's own: no `user_id` of its own.
    fn from(body: Code) -> Self {
        Self {
            language: body.language,
            code: body.code,
            user_id: None,
        }
    }
}

/// Judges `body`'s code on `question`'s examples now, recorded as the
/// viewer's own run (a student's page and a teacher's preview alike).
pub(in crate::pages) async fn run_examples(
    state: &PagesState,
    viewer: &Viewer,
    question: Question,
    body: Code,
) -> Result<Json<ExecutionView>, PageError> {
    let view = (state.service)
        .run_examples(&viewer.principal, &question, body.into())
        .await
        .map_err(|refusal| PageError::from(refusal).as_json())?;
    Ok(Json(view))
}
