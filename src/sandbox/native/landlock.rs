//! Landlock, best effort: a native process may read the toolchain and write
//! only its run directory, and may not use TCP at all.

use std::path::{Path, PathBuf};

use anyhow::Result;
use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope, path_beneath_rules,
};

/// The newest ABI this code knows; older kernels enforce what they can.
const ABI_WANTED: ABI = ABI::V6;

/// What every native program may read: the system's toolchains and libraries.
pub const READ_ONLY: &[&str] = &[
    "/usr",
    "/lib",
    "/lib64",
    "/etc/java-17-openjdk",
    "/dev/urandom",
];

/// A ruleset for a run whose only writable places are `run_dir` and
/// `/dev/null`, created in the service and applied in the child just before
/// it executes the program.
pub fn ruleset(run_dir: &Path, extra_read_only: &[PathBuf]) -> Result<RulesetCreated> {
    let read_only: Vec<PathBuf> = READ_ONLY
        .iter()
        .map(PathBuf::from)
        .chain(extra_read_only.iter().cloned())
        .filter(|path| path.exists())
        .collect();
    let writable = [run_dir.to_path_buf(), PathBuf::from("/dev/null")];
    Ok(Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(ABI_WANTED))?
        .handle_access(AccessNet::from_all(ABI_WANTED))?
        .scope(Scope::from_all(ABI_WANTED))?
        .create()?
        .add_rules(path_beneath_rules(
            &read_only,
            AccessFs::from_read(ABI_WANTED),
        ))?
        .add_rules(path_beneath_rules(
            &writable,
            AccessFs::from_all(ABI_WANTED),
        ))?)
}
