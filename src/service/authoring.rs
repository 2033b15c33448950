//! What teachers write, for the admin API and the teacher's pages alike:
//! questions (and their tests) and contests, checked (by `Question::new`,
//! `Contest::new`), stored and deleted, with one answer for each way a
//! change is refused.

use super::{Existing, JudgingService, Refusal};
use crate::contest::{Contest, ContestSpec};
use crate::judge::{Question, QuestionSpec, QuestionTest};
use crate::store::ContestRefused;

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Replaced,
}

impl JudgingService {
    /// `spec` as a question this server can judge: checked, and its
    /// checker and interactor built (refused with the compiler's message if
    /// one does not compile; the builds are cached for judging).
    pub(super) async fn check_question(&self, spec: QuestionSpec) -> Result<Question, Refusal> {
        let question = (Question::new(spec, &self.limits, &self.languages.names()))
            .map_err(Refusal::Invalid)?;
        (question.build_checkers(&self.languages).await).map_err(Refusal::Invalid)?;
        Ok(question)
    }

    /// Stores a new question; refused if its slug is taken.
    pub async fn create_question(&self, spec: QuestionSpec) -> Result<Question, Refusal> {
        let question = self.check_question(spec).await?;
        if !self.database.insert_question(&question).await? {
            return Err(Refusal::Exists {
                what: Existing::Question,
                message: format!(
                    "a question {:?} exists already: replace it (PUT /admin/questions/{0}, \
                     or edit it), or pick another slug",
                    question.slug()
                ),
            });
        }
        Ok(question)
    }

    /// Stores `spec`, replacing the question of its slug, tests and all.
    pub async fn put_question(&self, spec: QuestionSpec) -> Result<(Question, Saved), Refusal> {
        let question = self.check_question(spec).await?;
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
                what: Existing::Contest,
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

    /// Deletes a question that no contest lists; recorded executions and
    /// submissions stay.
    pub async fn delete_question(&self, slug: &str) -> Result<(), Refusal> {
        if self.database.question_in_contest(slug).await? {
            return Err(Refusal::QuestionInContest(slug.to_string()));
        }
        match self.database.delete_question(slug).await? {
            true => Ok(()),
            false => Err(Refusal::UnknownQuestion(slug.to_string())),
        }
    }

    /// Appends `test` to the question `slug`: its number, counted from 1.
    pub async fn add_question_test(&self, slug: &str, test: QuestionTest) -> Result<u32, Refusal> {
        // The question with the new test must still be valid (count, points).
        (self.question(slug).await?)
            .with_test(test.clone())
            .map_err(Refusal::Invalid)?;
        let number = self.database.add_question_test(slug, &test).await?;
        number.ok_or_else(|| Refusal::UnknownQuestion(slug.to_string()))
    }

    /// Deletes test `number` of the question `slug`; later ones move up.
    pub async fn delete_question_test(&self, slug: &str, number: u32) -> Result<(), Refusal> {
        match self.database.delete_question_test(slug, number).await? {
            true => Ok(()),
            false => Err(Refusal::NotFound(format!(
                "question {slug:?} has no test case {number}"
            ))),
        }
    }

    /// Deletes a contest with its participants; submissions stay.
    pub async fn delete_contest(&self, slug: &str) -> Result<(), Refusal> {
        match self.database.delete_contest(slug).await? {
            true => Ok(()),
            false => Err(Refusal::UnknownContest(slug.to_string())),
        }
    }
}
