//! A contest's records for outside it: its results as CSV for a gradebook
//! (one row per participant) and every submission with its code and
//! verdict as a zip for the archive.

use std::collections::HashMap;

use anyhow::Result;

use super::JudgingService;
use crate::auth::Standings;
use crate::contest::Contest;
use crate::package;
use crate::store::SubmissionFilter;

impl JudgingService {
    /// `rank, user_id, name`, per question its score, attempts and the
    /// time of its first full score, then `total` and `penalty_minutes`:
    /// the live standings, as teachers see them.
    pub async fn contest_results_csv(&self, contest: &Contest) -> Result<Vec<u8>> {
        let board = self.scoreboard(contest, Standings::Live).await?;
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["rank".to_string(), "user_id".into(), "name".into()];
        for question in &board.questions {
            let slug = &question.slug;
            header.extend([
                format!("{slug} score"),
                format!("{slug} attempts"),
                format!("{slug} solved_at"),
            ]);
        }
        header.extend(["total".into(), "penalty_minutes".into()]);
        csv.write_record(&header)?;
        for row in &board.rows {
            let mut record = vec![
                row.rank.to_string(),
                spreadsheet_text(&row.user_id),
                spreadsheet_text(&row.name),
            ];
            for question in &board.questions {
                let cell = row.questions.get(&question.slug);
                record.extend([
                    cell.map_or(0, |c| c.score).to_string(),
                    cell.map_or(0, |c| c.attempts).to_string(),
                    (cell.and_then(|c| c.solved_at)).map_or_else(String::new, |t| t.to_rfc3339()),
                ]);
            }
            record.extend([row.total.to_string(), row.penalty_minutes.to_string()]);
            csv.write_record(&record)?;
        }
        Ok(csv.into_inner()?)
    }

    /// Every submission participants made to `contest`: each one's code at
    /// `<user>/<question>/<n>-<verdict>.<extension>` (n counting that
    /// user's submissions to that question from 1), and `submissions.csv`
    /// listing them all with their verdicts and scores.
    pub async fn contest_archive(&self, contest: &Contest) -> Result<Vec<u8>> {
        let filter = SubmissionFilter {
            contest: Some(contest.slug()),
            ..SubmissionFilter::default()
        };
        let mut submissions = self
            .database
            .browse_submissions(&filter, u32::MAX, 0)
            .await?;
        submissions.reverse();
        let mut index = csv::Writer::from_writer(Vec::new());
        index.write_record([
            "submission_id",
            "user_id",
            "question",
            "language",
            "submitted_at",
            "verdict",
            "score",
            "max_score",
            "file",
        ])?;
        let mut files = Vec::with_capacity(submissions.len() + 1);
        let mut counts: HashMap<(String, String), u32> = HashMap::new();
        for (record, verdict) in submissions {
            let user = record.user_id.clone().unwrap_or_default();
            let count = counts
                .entry((user.clone(), record.question_slug.clone()))
                .or_default();
            *count += 1;
            let extension = (self.languages.get(&record.language))
                .and_then(|language| language.info().extensions.first().copied())
                .unwrap_or("txt");
            let path = format!(
                "{}/{}/{count:03}-{verdict}.{extension}",
                path_part(&user),
                path_part(&record.question_slug)
            );
            let number = |n: Option<u32>| n.map_or_else(String::new, |n| n.to_string());
            index.write_record([
                record.id.to_string(),
                spreadsheet_text(&user),
                record.question_slug.clone(),
                record.language.clone(),
                record.created_at.to_rfc3339(),
                verdict,
                number(record.score),
                number(record.max_score),
                path.clone(),
            ])?;
            files.push((path, record.code.into_bytes()));
        }
        files.push(("submissions.csv".into(), index.into_inner()?));
        package::zip(&files).map_err(anyhow::Error::msg)
    }
}

/// Text a spreadsheet shows as text: one starting with `=`, `+`, `-` or
/// `@` would be read as a formula (CSV injection), so it gets a `'`.
fn spreadsheet_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A user id or slug as one safe path component in the archive.
fn path_part(text: &str) -> String {
    let part: String = (text.chars())
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    match part.trim_matches('.') {
        "" => "_".into(),
        _ => part,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_kept_as_text_and_paths_stay_in_their_folder() {
        assert_eq!(spreadsheet_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(spreadsheet_text("-1"), "'-1");
        assert_eq!(spreadsheet_text("Ada"), "Ada");
        assert_eq!(path_part("../etc"), ".._etc");
        assert_eq!(path_part(".."), "_");
        assert_eq!(path_part("a/b c"), "a_b_c");
        assert_eq!(path_part(""), "_");
    }
}
