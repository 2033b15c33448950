//! Problem packages as teachers already have them, read into a question:
//! the Kattis / ICPC problem package format (`kattis`) and Polygon's full
//! packages (`polygon`). Reading a package only parses: the programs it
//! ships (validators, checkers, solutions) are run by the import use case,
//! in the sandbox, like everything else.

mod export;
mod files;
mod kattis;
mod polygon;
mod programs;
mod statement;

use std::path::Path;

pub use export::{kattis_zip, zip};
pub use files::PackageFiles;
pub use programs::{PackageProgram, language_of};

use crate::judge::{CheckerSpec, QuestionSpec, StatementImage, Status};

/// The largest package upload (the API's and the pages'): packages with
/// big tests are large.
pub const MAX_UPLOAD_BYTES: usize = 128 << 20;

/// The statement language an import picks unless told otherwise.
pub const DEFAULT_STATEMENT_LANGUAGE: &str = "en";

/// What a package holds: the question, and what the import runs.
#[derive(Debug)]
pub struct Package {
    pub format: Format,
    pub spec: QuestionSpec,
    /// Programs that accept or reject each test's input.
    pub input_validators: Vec<InputValidator>,
    /// The package's own solutions, judged at import.
    pub submissions: Vec<PackageSubmission>,
    /// Where the time limit comes from.
    pub time_limit: TimeLimit,
    /// What was read differently from the package, or left out.
    pub warnings: Vec<String>,
    /// The images its statement shows.
    pub images: Vec<StatementImage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Kattis,
    Polygon,
}

/// How a package's time limit is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeLimit {
    /// The package gives it, in ms.
    Given(u64),
    /// Its accepted submissions' slowest time this many times over
    /// (calibration), or the server's default when none can run here.
    FromAccepted { multiplier: f64 },
}

/// An input validator: the test's input on stdin; it accepts by exiting
/// 42 (Kattis) or 0 (testlib).
#[derive(Debug, Clone)]
pub struct InputValidator {
    pub path: String,
    pub program: CheckerSpec,
}

/// One of a package's solutions, and the outcomes its author expects.
#[derive(Debug, Clone)]
pub struct PackageSubmission {
    pub program: PackageProgram,
    /// What the package calls what is expected (`accepted`, `wrong_answer`, ...).
    pub expected: String,
    /// The outcomes that meet it: `accepted`, or the status of the first
    /// test that fails.
    pub outcomes: Vec<Status>,
}

/// Every way a solution may fail a test.
const FAILURES: [Status; 5] = [
    Status::WrongAnswer,
    Status::TimeLimitExceeded,
    Status::MemoryLimitExceeded,
    Status::RuntimeError,
    Status::OutputLimitExceeded,
];

/// Reads the package in `files` as the question `slug` (used unless the
/// package names one), its statement in `statement_language` where it has
/// several.
pub fn read(files: &PackageFiles, slug: &str, statement_language: &str) -> Result<Package, String> {
    let mut package = if files.get("problem.yaml").is_some() {
        kattis::read(files, slug, statement_language)?
    } else if files.get("problem.xml").is_some() {
        polygon::read(files, slug, statement_language)?
    } else {
        return Err(
            "unknown package format: neither problem.yaml (Kattis) nor problem.xml \
             (Polygon) is at its top"
                .into(),
        );
    };
    let images = statement::images(files, &mut package.warnings);
    let spec = &mut package.spec;
    (spec.statement, package.images) =
        statement::link_images(&spec.statement, &spec.slug, images, &mut package.warnings);
    Ok(package)
}

/// Reads a package from a zip archive or a folder at `path`.
pub fn read_path(path: &Path, slug: &str, statement_language: &str) -> Result<Package, String> {
    let files = if path.is_dir() {
        PackageFiles::from_dir(path)?
    } else {
        let bytes =
            std::fs::read(path).map_err(|error| format!("reading {}: {error}", path.display()))?;
        PackageFiles::from_zip(&bytes)?
    };
    read(&files, slug, statement_language)
}

/// Whether `path` holds a problem package (rather than a judgebox question
/// folder or JSON document).
pub fn is_package(path: &Path) -> bool {
    let zip = path.extension().is_some_and(|e| e == "zip");
    zip || path.join("problem.yaml").exists() || path.join("problem.xml").exists()
}

/// `points` split over `count` tests as evenly as whole points go, the
/// first tests taking the remainder.
fn split_points(points: u32, count: usize) -> Vec<u32> {
    let count = count.max(1) as u32;
    (0..count)
        .map(|i| points / count + u32::from(i < points % count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_split_evenly_with_the_remainder_first() {
        assert_eq!(split_points(20, 3), [7, 7, 6]);
        assert_eq!(split_points(2, 4), [1, 1, 0, 0]);
        assert_eq!(split_points(9, 3).iter().sum::<u32>(), 9);
    }
}
