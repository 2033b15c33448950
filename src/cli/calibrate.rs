//! `judgebox calibrate SLUG`: judges a stored question's reference
//! solutions on all its tests, as `POST /admin/questions/{slug}/calibrate`
//! does, records the limits they give and prints them.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use crate::configuration::RuntimeSettings;
use crate::service;
use crate::startup::LoadedLanguages;
use crate::store::Database;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The question's slug.
    pub slug: String,
    /// The database holding the question, as `judgebox serve` takes it.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://judgebox.db")]
    pub database_url: String,
    /// The server's runtimes and limits: the maximum caps calibrated limits.
    #[command(flatten)]
    pub runtime: RuntimeSettings,
}

/// Exits 0 when calibrated, 1 when a reference solution fails (or there
/// is none), 2 on other errors.
pub async fn calibrate(args: CalibrateArgs) -> Result<ExitCode> {
    let loaded = LoadedLanguages::load(&args.runtime).await?;
    let database = Database::connect(&args.database_url).await?;
    let slug = &args.slug;
    let calibrated =
        service::calibrate_question(&loaded.languages, &loaded.limits, &database, slug).await?;
    let calibrated = match calibrated {
        None => bail!("there is no question {slug:?} in the database"),
        Some(Err(why)) => {
            eprintln!("judgebox: {slug} is not calibrated: {why}");
            return Ok(ExitCode::FAILURE);
        }
        Some(Ok(calibrated)) => calibrated,
    };
    for (language, measured) in &calibrated.calibration.languages {
        let instructions = match measured.instruction_limit {
            Some(limit) => format!(", instruction limit {limit}"),
            None => String::new(),
        };
        println!(
            "{language}: time limit {} ms{instructions} (reference {:.1} ms CPU on test {})",
            measured.time_ms, measured.reference_cpu_ms, measured.slowest_test
        );
    }
    for warning in &calibrated.warnings {
        println!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}
