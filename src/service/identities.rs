//! Identities: which principal a bearer token names, and issuing the
//! tokens (API keys, participant tokens) that are shown once and stored
//! only as digests.

use anyhow::Result;

use crate::auth::{self, AdminToken, KeyRole, Participant, Principal, Secret, TokenKind};
use crate::store::{ApiKeyRecord, Database, NewParticipant};

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
        let Some(token) = bearer else {
            return Ok(Some(Principal::Anonymous));
        };
        if self.admin_token.as_ref().is_some_and(|t| t.matches(token)) {
            return Ok(Some(Principal::Admin));
        }
        let digest = auth::digest(token);
        if token.starts_with("jbk_") {
            let role = self.database.api_key_role(&digest).await?;
            return Ok(role.map(KeyRole::principal));
        }
        if token.starts_with("jbp_") {
            let holder = self.database.participant_by_token(&digest).await?;
            let participant =
                |(contest, user_id)| Principal::Participant(Participant { contest, user_id });
            return Ok(holder.map(participant));
        }
        Ok(None)
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
    ) -> Result<Vec<IssuedParticipant>> {
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
}
