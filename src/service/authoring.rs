//! What teachers write, for the admin API and the teacher's pages alike:
//! questions and contests, checked (by `Question::new`, `Contest::new`)
//! and stored, with one answer for each way a save is refused.

use super::{JudgingService, Refusal};
use crate::contest::{Contest, ContestSpec};
use crate::judge::{Question, QuestionSpec};
use crate::store::ContestRefused;

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Replaced,
}

impl JudgingService {
    /// `spec` as a question this server can judge.
    pub fn check_question(&self, spec: QuestionSpec) -> Result<Question, Refusal> {
        Question::new(spec, &self.limits, &self.languages.names()).map_err(Refusal::Invalid)
    }

    /// Stores a new question; refused if its slug is taken.
    pub async fn create_question(&self, spec: QuestionSpec) -> Result<Question, Refusal> {
        let question = self.check_question(spec)?;
        if !self.database.insert_question(&question).await? {
            return Err(Refusal::Exists {
                code: "question_exists",
                message: format!(
                    "a question {:?} exists already: replace it (PUT /admin/questions/{0}, \
                     or edit it), or pick another slug",
                    question.slug
                ),
            });
        }
        Ok(question)
    }

    /// Stores `spec`, replacing the question of its slug, tests and all.
    pub async fn put_question(&self, spec: QuestionSpec) -> Result<(Question, Saved), Refusal> {
        let question = self.check_question(spec)?;
        let saved = match self.database.put_question(&question).await? {
            true => Saved::Created,
            false => Saved::Replaced,
        };
        Ok((question, saved))
    }

    /// Stores a new contest; refused if its slug is taken.
    pub async fn create_contest(
        &self,
        slug: String,
        spec: ContestSpec,
    ) -> Result<Contest, Refusal> {
        if self.database.contest(&slug).await?.is_some() {
            return Err(Refusal::Exists {
                code: "contest_exists",
                message: format!(
                    "a contest {slug:?} exists already: edit it, or pick another slug"
                ),
            });
        }
        Ok(self.put_contest(slug, spec).await?.0)
    }

    /// Stores the contest `slug`, replacing it if there is one (its
    /// participants stay).
    pub async fn put_contest(
        &self,
        slug: String,
        spec: ContestSpec,
    ) -> Result<(Contest, Saved), Refusal> {
        let contest = Contest::new(slug, spec).map_err(Refusal::Invalid)?;
        match self.database.put_contest(&contest).await? {
            Ok(true) => Ok((contest, Saved::Created)),
            Ok(false) => Ok((contest, Saved::Replaced)),
            Err(ContestRefused::UnknownQuestion(question)) => Err(Refusal::Invalid(format!(
                "there is no question {question:?}: create it first"
            ))),
        }
    }
}
