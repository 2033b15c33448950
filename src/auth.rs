//! Who may do what. For now there is one role, the admin (teachers' API),
//! proven with the admin token; the API asks here, never decides itself.

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
        let given = Sha256::digest(given.as_bytes());
        let difference = (self.digest.iter().zip(given.iter())).fold(0, |d, (a, b)| d | (a ^ b));
        difference == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
