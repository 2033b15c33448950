//! Files a client stores for its runs to name by id, as the Jobe API does
//! (`PUT files/{id}`, then `file_list` in a run). Each principal has its
//! own: one client cannot replace the files another's runs use. An id of
//! 32 hex digits is an MD5 digest, as CodeRunner makes them, and must be
//! that of the contents.

use md5::{Digest, Md5};

use super::{JudgingService, Refusal};
use crate::auth::Principal;

/// Longest id, and largest file.
const MAX_ID_CHARS: usize = 64;
pub const MAX_PROGRAM_FILE_BYTES: usize = 8 << 20;

impl JudgingService {
    /// Stores `bytes` as `principal`'s file `id`, replacing any before.
    pub async fn store_program_file(
        &self,
        principal: &Principal,
        id: &str,
        bytes: &[u8],
    ) -> Result<(), Refusal> {
        let scope = self.file_scope(principal)?;
        check_file_id(id)?;
        if bytes.len() > MAX_PROGRAM_FILE_BYTES {
            return Err(Refusal::Invalid(format!(
                "file {id} is {} bytes: at most {} MiB",
                bytes.len(),
                MAX_PROGRAM_FILE_BYTES >> 20
            )));
        }
        if is_md5(id) && hex::encode(Md5::digest(bytes)) != id.to_ascii_lowercase() {
            return Err(Refusal::Invalid(format!(
                "file id {id} is an MD5 digest, but not that of the contents"
            )));
        }
        Ok(self.database.put_program_file(&scope, id, bytes).await?)
    }

    /// Whether `principal` stored a file `id`.
    pub async fn has_program_file(&self, principal: &Principal, id: &str) -> Result<bool, Refusal> {
        let scope = self.file_scope(principal)?;
        check_file_id(id)?;
        Ok(self.database.has_program_file(&scope, id).await?)
    }

    /// The contents of `principal`'s file `id`, if stored.
    pub async fn program_file(
        &self,
        principal: &Principal,
        id: &str,
    ) -> Result<Option<Vec<u8>>, Refusal> {
        let scope = self.file_scope(principal)?;
        check_file_id(id)?;
        Ok(self.database.program_file(&scope, id).await?)
    }

    /// Whose files `principal` sees, if it may run code at all.
    fn file_scope(&self, principal: &Principal) -> Result<String, Refusal> {
        self.access().run_own_tests(principal, None)?;
        Ok(match principal {
            Principal::Admin => "admin".into(),
            Principal::Service => "service".into(),
            Principal::Participant(participant) => {
                format!(
                    "participant:{}:{}",
                    participant.contest, participant.user_id
                )
            }
            Principal::Anonymous => "anonymous".into(),
        })
    }
}

fn check_file_id(id: &str) -> Result<(), Refusal> {
    let valid =
        !id.is_empty() && id.len() <= MAX_ID_CHARS && id.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(Refusal::Invalid(format!(
            "a file id is 1 to {MAX_ID_CHARS} letters and digits, got {id:?}"
        )))
    }
}

fn is_md5(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}
