//! Clarifications and announcements: a participant asks about a question
//! or the contest; the teacher answers privately or to everyone, and
//! announces. Who reads which is `access().read_clarification`.

use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{JudgingService, Refusal};
use crate::auth::Principal;
use crate::contest::Contest;
use crate::store::{ClarificationRecord, NewClarification};

/// Longest question, answer or announcement, in characters.
const MAX_TEXT_CHARS: usize = 4000;

/// A participant's question (`POST /contests/{slug}/clarifications`), or a
/// teacher's announcement (`POST /admin/contests/{slug}/announcements`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"question": "sum", "text": "May the numbers be negative?"}))]
pub struct Ask {
    /// One of the contest's questions; none: about the contest.
    #[serde(default)]
    pub question: Option<String>,
    /// 1 to 4000 characters.
    pub text: String,
}

/// `POST /admin/contests/{slug}/clarifications/{id}/answer`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// 1 to 4000 characters.
    pub answer: String,
    /// Everyone who sees the contest reads it; otherwise only the asker.
    #[serde(default)]
    pub public: bool,
}

fn checked_text(name: &str, text: &str) -> Result<String, Refusal> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(Refusal::Invalid(format!(
            "{name} must be 1 to {MAX_TEXT_CHARS} characters"
        )));
    }
    Ok(text.to_string())
}

impl JudgingService {
    /// A participant asks; the clarification, unanswered.
    pub async fn ask(
        &self,
        principal: &Principal,
        contest: &Contest,
        ask: Ask,
    ) -> Result<ClarificationRecord, Refusal> {
        let participant = self.access().ask(principal, contest, Utc::now())?;
        self.post(contest, ask, Some(&participant.user_id)).await
    }

    /// The teacher announces to everyone in `contest`.
    pub async fn announce(
        &self,
        contest: &Contest,
        ask: Ask,
    ) -> Result<ClarificationRecord, Refusal> {
        self.post(contest, ask, None).await
    }

    async fn post(
        &self,
        contest: &Contest,
        ask: Ask,
        asked_by: Option<&str>,
    ) -> Result<ClarificationRecord, Refusal> {
        let text = checked_text("text", &ask.text)?;
        let question = ask.question.filter(|q| !q.is_empty());
        if let Some(question) = &question
            && !contest.contains(question)
        {
            return Err(Refusal::Invalid(format!(
                "contest {:?} has no question {question:?}",
                contest.slug()
            )));
        }
        let new = NewClarification {
            contest: contest.slug(),
            question: question.as_deref(),
            asked_by,
            text: &text,
        };
        let id = self.database.insert_clarification(&new).await?;
        self.clarification(contest, id).await
    }

    /// The teacher answers a clarification, to its asker or to everyone.
    pub async fn answer(
        &self,
        contest: &Contest,
        id: Uuid,
        answer: Answer,
    ) -> Result<ClarificationRecord, Refusal> {
        let text = checked_text("answer", &answer.answer)?;
        let answered = (self.database)
            .answer_clarification(contest.slug(), id, &text, answer.public)
            .await?;
        if !answered {
            return Err(Refusal::NotFound(format!(
                "contest {:?} has no clarification {id}",
                contest.slug()
            )));
        }
        self.clarification(contest, id).await
    }

    /// What `principal` (who may see `contest`) reads of its
    /// clarifications and announcements, newest first.
    pub async fn clarifications(
        &self,
        principal: &Principal,
        contest: &Contest,
    ) -> Result<Vec<ClarificationRecord>, Refusal> {
        // Before the start an announcement about a question would name it.
        if !(self.access()).see_contest_questions(principal, contest, Utc::now()) {
            return Ok(Vec::new());
        }
        let all = self.database.clarifications(contest.slug()).await?;
        let readable = |c: &ClarificationRecord| {
            (self.access()).read_clarification(principal, contest, c.asked_by.as_deref(), c.public)
        };
        Ok(all.into_iter().filter(readable).collect())
    }

    async fn clarification(
        &self,
        contest: &Contest,
        id: Uuid,
    ) -> Result<ClarificationRecord, Refusal> {
        let all = self.database.clarifications(contest.slug()).await?;
        (all.into_iter().find(|c| c.id == id))
            .ok_or_else(|| Refusal::NotFound(format!("no clarification {id}")))
    }
}
