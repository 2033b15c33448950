//! Landlock, best effort: a native process may read the toolchain, write only
//! its run directory, execute only what its command lists, and not use TCP.

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

/// The dynamic loader: the kernel opens it for execution in every `execve`.
const LOADER: &str = "/lib64/ld-linux-x86-64.so.2";

/// A ruleset for a run whose only writable places are `run_dir` and
/// `/dev/null`, and which may execute only `executables` (files, or
/// directories of them): no shells or helpers beyond what the command needs.
/// Created in the service, applied in the child just before it executes.
pub fn ruleset(
    run_dir: &Path,
    extra_read_only: &[PathBuf],
    executables: &[PathBuf],
) -> Result<RulesetCreated> {
    let existing = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
        paths.into_iter().filter(|path| path.exists()).collect()
    };
    let read_only = READ_ONLY
        .iter()
        .map(PathBuf::from)
        .chain(extra_read_only.iter().cloned());
    let read_only = existing(read_only.collect());
    let executable = existing(
        executables
            .iter()
            .cloned()
            .chain([PathBuf::from(LOADER)])
            .collect(),
    );
    let writable = [run_dir.to_path_buf(), PathBuf::from("/dev/null")];
    let read = AccessFs::from_read(ABI_WANTED) & !AccessFs::Execute;
    let write = AccessFs::from_all(ABI_WANTED) & !AccessFs::Execute;
    Ok(Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(ABI_WANTED))?
        .handle_access(AccessNet::from_all(ABI_WANTED))?
        .scope(Scope::from_all(ABI_WANTED))?
        .create()?
        .add_rules(path_beneath_rules(&read_only, read))?
        .add_rules(path_beneath_rules(
            &executable,
            AccessFs::from_read(ABI_WANTED),
        ))?
        .add_rules(path_beneath_rules(&writable, write))?)
}
