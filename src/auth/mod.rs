//! Who is asking, and who may do what. A request's bearer token names a
//! `Principal`; what each principal may do is decided in `access`, the one
//! place the API (and the pages) ask. Secrets never print, tokens are random
//! and stored only as digests.

mod access;

pub use access::{
    AccessPolicy, Author, Denied, Forbidden, RANKED_OWNERS, RateLimitKey, ReadScope, Standings,
};

use std::convert::Infallible;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// A secret from the operator: it never prints, in `Debug` or in logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl FromStr for Secret {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Infallible> {
        Ok(Self(text.to_string()))
    }
}

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The operator's admin token, or an admin API key.
    Admin,
    /// A trusted back end acting for its users (a service API key).
    Service,
    /// A student in one contest.
    Participant(Participant),
    /// No token.
    Anonymous,
}

/// A participant token's holder: one user in one contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub contest: String,
    pub user_id: String,
    /// Their own start and extra minutes, as the teacher set them.
    pub time: crate::contest::OwnTime,
}

/// Who made an execution or a submission, as stored with it. Records from
/// before identities have none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Admin,
    Service,
    Participant { contest: String },
    Anonymous,
}

impl Owner {
    /// The `owner` column.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Service => "service",
            Self::Participant { .. } => "participant",
            Self::Anonymous => "anonymous",
        }
    }

    /// The `contest_slug` column.
    pub fn contest(&self) -> Option<&str> {
        match self {
            Self::Participant { contest } => Some(contest),
            _ => None,
        }
    }

    /// From the `owner` and `contest_slug` columns; `None` for records
    /// made before owners were recorded (or unknown to this version).
    pub fn from_columns(owner: Option<&str>, contest: Option<String>) -> Option<Self> {
        Some(match (owner?, contest) {
            ("admin", _) => Self::Admin,
            ("service", _) => Self::Service,
            ("participant", Some(contest)) => Self::Participant { contest },
            ("anonymous", _) => Self::Anonymous,
            _ => return None,
        })
    }
}

/// The roles an API key can have.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    Admin,
    Service,
}

impl KeyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Service => "service",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Self::Admin),
            "service" => Some(Self::Service),
            _ => None,
        }
    }

    pub fn principal(self) -> Principal {
        match self {
            Self::Admin => Principal::Admin,
            Self::Service => Principal::Service,
        }
    }
}

/// What a token is, by its prefix: an API key (`jbk_`), a participant
/// token (`jbp_`), a page session (`jbs_`) or a session's CSRF token (`jbc_`).
#[derive(Debug, Clone, Copy)]
pub enum TokenKind {
    ApiKey,
    Participant,
    Session,
    Csrf,
}

/// A new bearer token of `kind`: its prefix and 256 random bits in hex.
/// Show it once; keep only its `digest`.
pub fn new_token(kind: TokenKind) -> Secret {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let prefix = match kind {
        TokenKind::ApiKey => "jbk_",
        TokenKind::Participant => "jbp_",
        TokenKind::Session => "jbs_",
        TokenKind::Csrf => "jbc_",
    };
    Secret(format!("{prefix}{}", hex::encode(bytes)))
}

/// What is stored in place of a token: its SHA-256 in hex. Tokens are 256
/// random bits, so an unsalted digest cannot be reversed; looking one up by
/// digest reveals nothing about the token through timing.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Admin tokens shorter than this are refused at start-up.
const MIN_ADMIN_TOKEN_CHARS: usize = 16;

/// The admin token, kept only as its SHA-256 digest.
#[derive(Clone)]
pub struct AdminToken {
    digest: [u8; 32],
}

impl AdminToken {
    /// The token, if it is long enough to be a secret.
    pub fn parse(secret: &Secret) -> Result<Self, String> {
        let token = secret.expose().trim();
        if token.chars().count() < MIN_ADMIN_TOKEN_CHARS {
            return Err(format!(
                "JUDGEBOX_ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN_CHARS} characters \
                 (try: openssl rand -hex 32)"
            ));
        }
        Ok(Self {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    /// Whether `given` is the token, in time independent of where they
    /// differ (digests of equal length, compared without stopping early).
    pub fn matches(&self, given: &str) -> bool {
        self.has_digest(&digest(given))
    }

    /// Whether `hex_digest` (as `digest` makes them) is the token's.
    pub fn has_digest(&self, hex_digest: &str) -> bool {
        constant_time_eq(hex::encode(self.digest).as_bytes(), hex_digest.as_bytes())
    }
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |d, (x, y)| d | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_are_random_prefixed_and_stored_as_digests() {
        let (a, b) = (
            new_token(TokenKind::ApiKey),
            new_token(TokenKind::Participant),
        );
        assert!(a.expose().starts_with("jbk_") && b.expose().starts_with("jbp_"));
        assert_eq!(a.expose().len(), 4 + 64);
        assert_ne!(a.expose()[4..], b.expose()[4..]);
        assert_eq!(digest(a.expose()).len(), 64);
        assert_ne!(digest(a.expose()), digest(b.expose()));
    }

    #[test]
    fn owners_round_trip_through_their_columns() {
        let owners = [
            Owner::Admin,
            Owner::Service,
            Owner::Participant {
                contest: "final".into(),
            },
            Owner::Anonymous,
        ];
        for owner in owners {
            let contest = owner.contest().map(String::from);
            assert_eq!(
                Owner::from_columns(Some(owner.as_str()), contest),
                Some(owner)
            );
        }
        assert_eq!(Owner::from_columns(None, None), None);
    }

    #[test]
    fn secrets_never_print() {
        let secret: Secret = "correct horse battery staple".parse().unwrap();
        assert!(!format!("{secret:?}").contains("horse"));
    }

    #[test]
    fn the_admin_token_matches_only_itself_and_must_be_long() {
        let secret: Secret = " 0123456789abcdef ".parse().unwrap();
        let token = AdminToken::parse(&secret).unwrap();
        assert!(token.matches("0123456789abcdef"));
        assert!(!token.matches("0123456789abcdeF"));
        assert!(!token.matches(""));
        let short: Secret = "0123456789".parse().unwrap();
        assert!(AdminToken::parse(&short).is_err());
    }
}
