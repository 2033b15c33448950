//! Submitting code, for every way in (the API, the pages): queueing it,
//! judging it now on a question or on the caller's own tests, and running
//! it on a question's examples. A submission is checked here, once, before
//! it is stored or run: who may, which question, a language this server
//! runs and the question accepts, the callback's address.

use std::sync::Arc;

use chrono::Utc;

use super::{ExecutionView, JudgingService, Refusal, SubmissionView};
use crate::auth::{Author, Principal};
use crate::contest::Contest;
use crate::judge::{Question, StatementImage, Submission};
use crate::languages::Language;
use crate::store::NewSubmission;

/// Ids are the client's; bounded so a request cannot store megabytes in one.
const MAX_ID_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 2000;

/// Code a caller sends to be judged.
pub struct Code {
    pub language: String,
    pub code: String,
    /// Who it is for, as the caller says (a participant's is their own).
    pub user_id: Option<String>,
}

impl JudgingService {
    /// The language, if this server runs it.
    pub fn language(&self, name: &str) -> Result<Arc<dyn Language>, Refusal> {
        self.languages
            .get(name)
            .ok_or_else(|| Refusal::UnsupportedLanguage {
                name: name.to_string(),
                supported: self.languages.names(),
            })
    }

    /// The stored question `slug`.
    pub async fn question(&self, slug: &str) -> Result<Question, Refusal> {
        let question = self.database.question(slug).await?;
        question.ok_or_else(|| Refusal::UnknownQuestion(slug.to_string()))
    }

    /// The image `name` that `slug`'s statement shows, if `principal` may
    /// see the question.
    pub async fn statement_image(
        &self,
        principal: &Principal,
        slug: &str,
        name: &str,
    ) -> Result<StatementImage, Refusal> {
        let (_, contests) = self.question_in_contests(slug).await?;
        if !self.access().see_question(principal, &contests, Utc::now()) {
            return Err(Refusal::UnknownQuestion(slug.to_string()));
        }
        let image = self.database.statement_image(slug, name).await?;
        image.ok_or_else(|| Refusal::NotFound(format!("question {slug:?} shows no image {name:?}")))
    }

    /// The question and the contests it is in.
    pub async fn question_in_contests(
        &self,
        slug: &str,
    ) -> Result<(Question, Vec<Contest>), Refusal> {
        let question = self.question(slug).await?;
        let contests = self.database.contests_with_question(slug).await?;
        Ok((question, contests))
    }

    /// Queues `code` for `slug`'s tests; a worker judges it later.
    pub async fn submit(
        &self,
        principal: &Principal,
        slug: &str,
        code: Code,
        callback_url: Option<&str>,
    ) -> Result<SubmissionView, Refusal> {
        let (question, author, _) = self.accepted(principal, slug, &code).await?;
        if let Some(url) = callback_url {
            self.check_callback(url).await?;
        }
        let new = NewSubmission {
            owner: &author.owner,
            user_id: author.user_id.as_deref(),
            question_slug: question.slug(),
            language: &code.language,
            code: &code.code,
            callback_url,
        };
        self.enqueue(&new)
            .await?
            .map_err(|_| Refusal::Busy("the submission queue is full"))
    }

    /// Judges `code` on all of `slug`'s tests now, recorded as a submission.
    pub async fn judge_question(
        &self,
        principal: &Principal,
        slug: &str,
        code: Code,
    ) -> Result<ExecutionView, Refusal> {
        let (question, author, submission) = self.accepted(principal, slug, &code).await?;
        let slot = self.judging_slot_or_refusal().await?;
        let view =
            (self.judge_question_now(slot, &code.language, submission, author, &question)).await?;
        Ok(self.execution_as_seen_by(principal, view))
    }

    /// Judges `code` on `question`'s visible tests now: a trial, recorded
    /// as the principal's own run, never a submission and never ranked.
    pub async fn run_examples(
        &self,
        principal: &Principal,
        question: &Question,
        code: Code,
    ) -> Result<ExecutionView, Refusal> {
        check_id("user_id", code.user_id.as_deref())?;
        let author = (self.access()).run_own_tests(principal, code.user_id.as_deref())?;
        self.language(&code.language)?;
        let trial = (question.trial_in(&code.language, code.code, &self.limits))
            .map_err(Refusal::Invalid)?;
        let trial = (question.with_checkers(trial, &self.languages).await)
            .map_err(|error| Refusal::Internal(anyhow::anyhow!(error)))?;
        let slot = self.judging_slot_or_refusal().await?;
        let label = Some(question.slug().to_string());
        Ok(self
            .judge_tests(slot, &code.language, trial, author, label)
            .await?)
    }

    /// Judges a submission the caller made of their own tests now;
    /// `question_id` only labels it. The submission was made for a
    /// language `language` returned.
    pub async fn judge_own_tests(
        &self,
        principal: &Principal,
        submission: Submission,
        language: &str,
        user_id: Option<&str>,
        question_id: Option<String>,
    ) -> Result<ExecutionView, Refusal> {
        check_id("user_id", user_id)?;
        check_id("question_id", question_id.as_deref())?;
        let author = self.access().run_own_tests(principal, user_id)?;
        let slot = self.judging_slot_or_refusal().await?;
        Ok(self
            .judge_tests(slot, language, submission, author, question_id)
            .await?)
    }

    /// What every submission to a question passes, queued or judged now:
    /// the question exists and `principal` may submit to it (as the
    /// `user_id` the code names), in a language this server runs and the
    /// question accepts. The question, who is recorded as its author, and
    /// the submission to judge.
    async fn accepted(
        &self,
        principal: &Principal,
        slug: &str,
        code: &Code,
    ) -> Result<(Question, Author, Submission), Refusal> {
        check_id("user_id", code.user_id.as_deref())?;
        let (question, contests) = self.question_in_contests(slug).await?;
        let user_id = code.user_id.as_deref();
        let author = (self.access()).submit(principal, user_id, slug, &contests, Utc::now())?;
        let submission = self.submission_to(&question, code)?;
        Ok((question, author, submission))
    }

    /// `code` as a submission to all of `question`'s tests, if this server
    /// runs its language and the question accepts it.
    fn submission_to(&self, question: &Question, code: &Code) -> Result<Submission, Refusal> {
        self.language(&code.language)?;
        (question.submission_in(&code.language, code.code.clone(), &self.limits))
            .map_err(Refusal::Invalid)
    }

    async fn judging_slot_or_refusal(&self) -> Result<super::JudgingPermit, Refusal> {
        (self.judging_slot().await)
            .map_err(|_| Refusal::Busy("every judging slot is taken and the wait is full"))
    }

    async fn check_callback(&self, url: &str) -> Result<(), Refusal> {
        let web = url.starts_with("http://") || url.starts_with("https://");
        let parsed = reqwest::Url::parse(url)
            .ok()
            .filter(|_| web && url.len() <= MAX_URL_CHARS);
        let Some(url) = parsed else {
            return Err(Refusal::Invalid(
                "callback_url must be an http:// or https:// URL".into(),
            ));
        };
        (self.check_callback_url(&url).await)
            .map_err(|unreachable| Refusal::Invalid(format!("callback_url {unreachable}")))
    }
}

fn check_id(name: &str, id: Option<&str>) -> Result<(), Refusal> {
    if id.is_some_and(|id| id.chars().count() > MAX_ID_CHARS) {
        return Err(Refusal::Invalid(format!(
            "{name} is longer than {MAX_ID_CHARS} characters"
        )));
    }
    Ok(())
}
