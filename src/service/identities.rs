//! Identities: which principal a bearer token or a page session names, and
//! issuing the tokens (API keys, participant tokens, sessions) that are
//! shown once and stored only as digests.

use anyhow::Result;
use chrono::Utc;

use super::Refusal;
use crate::auth::{self, AdminToken, KeyRole, Principal, Secret, TokenKind};
use crate::contest::{OwnTime, participants};
use crate::store::{ApiKeyRecord, Database, NewParticipant};

/// How long a page session lasts: a school day.
pub const SESSION_LIFETIME: chrono::Duration = chrono::Duration::hours(12);

pub struct Identities {
    database: Database,
    /// The operator's token; `None`: only admin API keys administer.
    admin_token: Option<AdminToken>,
}

/// A participant with their new token, to show once.
pub struct IssuedParticipant {
    pub user_id: String,
    pub name: String,
    pub token: Secret,
}

impl Identities {
    pub fn new(database: Database, admin_token: Option<AdminToken>) -> Self {
        Self {
            database,
            admin_token,
        }
    }

    /// Whether the operator configured an admin token.
    pub fn has_admin_token(&self) -> bool {
        self.admin_token.is_some()
    }

    /// Who `bearer` names (no token: anonymous); `None` if it names nobody
    /// (wrong, revoked, or its participant removed).
    pub async fn principal(&self, bearer: Option<&str>) -> Result<Option<Principal>> {
        match bearer {
            None => Ok(Some(Principal::Anonymous)),
            Some(token) => self.principal_by_digest(&auth::digest(token)).await,
        }
    }

    /// Who the token with this digest is, if anyone.
    async fn principal_by_digest(&self, digest: &str) -> Result<Option<Principal>> {
        if self
            .admin_token
            .as_ref()
            .is_some_and(|t| t.has_digest(digest))
        {
            return Ok(Some(Principal::Admin));
        }
        if let Some(role) = self.database.api_key_role(digest).await? {
            return Ok(Some(role.principal()));
        }
        let holder = self.database.participant_by_token(digest).await?;
        Ok(holder.map(Principal::Participant))
    }

    /// Opens a page session for whoever `credential` names: the session's
    /// cookie value and CSRF token, or `None` if it names nobody.
    pub async fn open_session(
        &self,
        credential: &str,
    ) -> Result<Option<(Principal, Secret, String)>> {
        let digest = auth::digest(credential);
        let Some(principal) = self.principal_by_digest(&digest).await? else {
            return Ok(None);
        };
        let session = auth::new_token(TokenKind::Session);
        let csrf = auth::new_token(TokenKind::Csrf).expose().to_string();
        let expires_at = (Utc::now() + SESSION_LIFETIME).timestamp_millis();
        (self.database)
            .insert_session(&auth::digest(session.expose()), &digest, &csrf, expires_at)
            .await?;
        Ok(Some((principal, session, csrf)))
    }

    /// The principal and CSRF token of the session with this cookie value,
    /// if it is live and its credential still names someone.
    pub async fn session(&self, cookie: &str) -> Result<Option<(Principal, String)>> {
        let Some(session) = self.database.session(&auth::digest(cookie)).await? else {
            return Ok(None);
        };
        let principal = self.principal_by_digest(&session.token_digest).await?;
        Ok(principal.map(|principal| (principal, session.csrf)))
    }

    pub async fn end_session(&self, cookie: &str) -> Result<()> {
        self.database.delete_session(&auth::digest(cookie)).await
    }

    /// A new API key: its record, and the key itself to show once.
    pub async fn create_api_key(
        &self,
        name: &str,
        role: KeyRole,
    ) -> Result<(ApiKeyRecord, Secret)> {
        let key = auth::new_token(TokenKind::ApiKey);
        let record = (self.database)
            .insert_api_key(name, role, &auth::digest(key.expose()))
            .await?;
        Ok((record, key))
    }

    /// Adds `people` (user id, name) to `contest`, each with a new token;
    /// an existing participant's old token stops working.
    pub async fn add_participants(
        &self,
        contest: &str,
        people: Vec<(String, String)>,
    ) -> Result<Vec<IssuedParticipant>, Refusal> {
        if self.database.contest(contest).await?.is_none() {
            return Err(Refusal::UnknownContest(contest.to_string()));
        }
        let people = participants::checked(people).map_err(Refusal::Invalid)?;
        let issued: Vec<IssuedParticipant> = people
            .into_iter()
            .map(|(user_id, name)| IssuedParticipant {
                user_id,
                name,
                token: auth::new_token(TokenKind::Participant),
            })
            .collect();
        let rows: Vec<NewParticipant> = issued
            .iter()
            .map(|p| NewParticipant {
                user_id: &p.user_id,
                name: &p.name,
                token_digest: auth::digest(p.token.expose()),
            })
            .collect();
        self.database.add_participants(contest, &rows).await?;
        Ok(issued)
    }

    /// Removes a participant: their token stops working; their submissions stay.
    pub async fn remove_participant(&self, contest: &str, user_id: &str) -> Result<(), Refusal> {
        if self.database.contest(contest).await?.is_none() {
            return Err(Refusal::UnknownContest(contest.to_string()));
        }
        match self.database.delete_participant(contest, user_id).await? {
            true => Ok(()),
            false => Err(no_participant(contest, user_id)),
        }
    }

    /// Gives a participant their own start and extra minutes (their token
    /// stays); the next request they make is judged by it.
    pub async fn set_participant_time(
        &self,
        contest: &str,
        user_id: &str,
        own: &OwnTime,
    ) -> Result<(), Refusal> {
        own.check().map_err(Refusal::Invalid)?;
        if self.database.contest(contest).await?.is_none() {
            return Err(Refusal::UnknownContest(contest.to_string()));
        }
        match (self.database)
            .set_participant_time(contest, user_id, own)
            .await?
        {
            true => Ok(()),
            false => Err(no_participant(contest, user_id)),
        }
    }
}

fn no_participant(contest: &str, user_id: &str) -> Refusal {
    Refusal::NotFound(format!(
        "contest {contest:?} has no participant {user_id:?}"
    ))
}
