//! The similarity report of a contest's question: every pair of the
//! participants' final submissions in the same language compared by
//! `similarity` (winnowed token fingerprints), the most alike first; and one
//! pair side by side with the regions that match.

use std::collections::HashSet;
use std::ops::Range;
use std::time::Instant;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{JudgingService, Refusal};
use crate::contest::Contest;
use crate::similarity::{self, Fingerprints};
use crate::store::SubmissionRecord;

/// Pairs a report lists at most.
pub const MAX_PAIRS: usize = 200;

/// `GET /admin/contests/{slug}/questions/{question}/similarity`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarityReport {
    pub contest: String,
    pub question: String,
    /// Final submissions compared (each participant's last).
    pub submissions: usize,
    /// Pairs compared: those in the same language.
    pub pairs_compared: usize,
    pub took_ms: f64,
    /// The most alike first; pairs that share nothing are left out.
    pub pairs: Vec<SimilarPair>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimilarPair {
    pub language: String,
    /// Shared fingerprints over all of the pair's, in percent.
    pub similarity: f64,
    pub a: PairSide,
    pub b: PairSide,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PairSide {
    pub submission_id: Uuid,
    pub user_id: Option<String>,
    /// The share of this program the other one has, in percent.
    pub matched_percent: f64,
}

/// Two programs side by side, with the byte ranges of each that match.
#[derive(Debug)]
pub struct SideBySide {
    pub pair: SimilarPair,
    pub a_code: String,
    pub b_code: String,
    pub a_regions: Vec<Range<usize>>,
    pub b_regions: Vec<Range<usize>>,
}

/// The final submissions of one language, with their fingerprints.
struct Group {
    records: Vec<SubmissionRecord>,
    fingerprints: Vec<Fingerprints>,
}

impl Group {
    fn pair(&self, found: &similarity::Pair) -> SimilarPair {
        let side = |index: usize, share: f64| PairSide {
            submission_id: self.records[index].id,
            user_id: self.records[index].user_id.clone(),
            matched_percent: percent(share),
        };
        SimilarPair {
            language: self.records[found.a].language.clone(),
            similarity: percent(found.score),
            a: side(found.a, found.a_share),
            b: side(found.b, found.b_share),
        }
    }
}

fn percent(share: f64) -> f64 {
    (share * 1000.0).round() / 10.0
}

impl JudgingService {
    /// The `limit` most alike pairs among `question`'s final submissions
    /// in `contest`; the caller is an administrator.
    pub async fn similarity(
        &self,
        contest: &Contest,
        question: &str,
        limit: usize,
    ) -> Result<SimilarityReport, Refusal> {
        let started = Instant::now();
        let groups = self.groups(contest, question).await?;
        let submissions = groups.iter().map(|g| g.records.len()).sum();
        let pairs_compared = (groups.iter())
            .map(|g| g.records.len() * g.records.len().saturating_sub(1) / 2)
            .sum();
        let mut pairs: Vec<SimilarPair> = (groups.iter())
            .flat_map(|group| {
                let found = similarity::compare(&group.fingerprints);
                found
                    .iter()
                    .map(|pair| group.pair(pair))
                    .collect::<Vec<_>>()
            })
            .collect();
        pairs.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
        pairs.truncate(limit.min(MAX_PAIRS));
        Ok(SimilarityReport {
            contest: contest.slug().to_string(),
            question: question.to_string(),
            submissions,
            pairs_compared,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            pairs,
        })
    }

    /// Submissions `a` and `b` side by side, if both are final submissions
    /// to `question` in `contest`, in the same language.
    pub async fn similar_pair(
        &self,
        contest: &Contest,
        question: &str,
        a: Uuid,
        b: Uuid,
    ) -> Result<SideBySide, Refusal> {
        let groups = self.groups(contest, question).await?;
        let not_compared = || {
            Refusal::NotFound(format!(
                "submissions {a} and {b} are not two final submissions to {question:?} \
                 in one language"
            ))
        };
        let group = (groups.iter())
            .find(|g| g.records.iter().any(|r| r.id == a))
            .ok_or_else(not_compared)?;
        let index = |id| (group.records.iter()).position(|r| r.id == id);
        let (Some(i), Some(j)) = (index(a), index(b)) else {
            return Err(not_compared());
        };
        if i == j {
            return Err(not_compared());
        }
        let common = similarity::common_ground(&group.fingerprints);
        let (a_regions, b_regions) =
            similarity::matching_regions(&group.fingerprints[i], &group.fingerprints[j], &common);
        let found = (similarity::compare(&group.fingerprints).into_iter())
            .find(|p| (p.a, p.b) == (i.min(j), i.max(j)))
            .map(|p| if i < j { p } else { swapped(p) })
            .unwrap_or(similarity::Pair {
                a: i,
                b: j,
                score: 0.0,
                a_share: 0.0,
                b_share: 0.0,
            });
        Ok(SideBySide {
            pair: group.pair(&found),
            a_code: group.records[i].code.clone(),
            b_code: group.records[j].code.clone(),
            a_regions,
            b_regions,
        })
    }

    /// The final submissions to `question` in `contest`, by language.
    async fn groups(&self, contest: &Contest, question: &str) -> Result<Vec<Group>, Refusal> {
        if !contest.contains(question) {
            return Err(Refusal::UnknownQuestion(question.to_string()));
        }
        let records = (self.database)
            .final_submissions(contest.slug(), question)
            .await?;
        let languages: HashSet<&str> = records.iter().map(|r| r.language.as_str()).collect();
        let mut languages: Vec<String> = languages.into_iter().map(String::from).collect();
        languages.sort();
        let mut groups = Vec::new();
        for language in languages {
            let records: Vec<SubmissionRecord> = (records.iter())
                .filter(|r| r.language == language)
                .cloned()
                .collect();
            let fingerprints = (records.iter())
                .map(|r| Fingerprints::of(&r.language, &r.code))
                .collect();
            groups.push(Group {
                records,
                fingerprints,
            });
        }
        Ok(groups)
    }
}

fn swapped(pair: similarity::Pair) -> similarity::Pair {
    similarity::Pair {
        a: pair.b,
        b: pair.a,
        a_share: pair.b_share,
        b_share: pair.a_share,
        score: pair.score,
    }
}
