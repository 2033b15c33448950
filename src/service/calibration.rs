//! Calibrating a question: its reference solutions judged on its tests,
//! and the limits that come of it recorded as its last calibration.

use anyhow::Result;

use super::{JudgingPermit, JudgingService};
use crate::judge::{self, Calibrated, LimitPolicy};
use crate::languages::Languages;
use crate::store::Database;

impl JudgingService {
    /// `calibrate_question` on this server, holding a judging slot.
    pub async fn calibrate(
        &self,
        _slot: JudgingPermit,
        slug: &str,
    ) -> Result<Option<Result<Calibrated, String>>> {
        calibrate_question(&self.languages, &self.limits, &self.database, slug).await
    }
}

/// Calibrates the question at `slug` and records the result: `None` if
/// there is no such question, `Some(Err(why))` if it cannot be calibrated
/// (no reference solutions, or one fails a test). For the server and
/// `judgebox calibrate` alike.
pub async fn calibrate_question(
    languages: &Languages,
    policy: &LimitPolicy,
    database: &Database,
    slug: &str,
) -> Result<Option<Result<Calibrated, String>>> {
    let Some(question) = database.question(slug).await? else {
        return Ok(None);
    };
    let calibrated = match judge::calibrate(&question, languages, policy).await? {
        Ok(calibrated) => calibrated,
        Err(why) => return Ok(Some(Err(why))),
    };
    // Deleted meanwhile: as if it had never been there.
    let recorded = database
        .set_calibration(slug, &calibrated.calibration)
        .await?;
    Ok(recorded.then_some(Ok(calibrated)))
}
