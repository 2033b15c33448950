//! Precompiled components on disk, so start-up deserialises native code in
//! milliseconds instead of compiling a 20 MB interpreter for seconds.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::snapshot::snapshot_component;

/// Where the precompiled form of the runtime whose content has `digest`
/// lives: keyed by that content and by the engine settings it was compiled
/// for, so a rebuilt runtime or a changed engine configuration never loads
/// stale code.
fn precompiled_path(engine: &Engine, digest: &str, cache_dir: &Path, name: &str) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    cache_dir.join(format!("{name}-{digest}-{:016x}.cwasm", hasher.finish()))
}

/// The digest of the runtime's content, read from `<name>.digest` in
/// `cache_dir` when the note there names the runtime as it is now (path,
/// size and modification time, which copies into an image keep, unlike
/// inodes); otherwise the runtime is read and hashed and the note rewritten.
/// Reading and hashing the 20 MB Python runtime was a third of start-up.
fn content_digest(wasm_path: &Path, cache_dir: &Path, name: &str) -> Result<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(wasm_path).with_context(|| reading(name, wasm_path))?;
    let stamp = format!(
        "{}\t{}\t{}.{:09}",
        wasm_path.display(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec()
    );
    let note = cache_dir.join(format!("{name}.digest"));
    if written_only_by_us(&note).is_ok()
        && let Ok(text) = std::fs::read_to_string(&note)
        && let Some((noted, digest)) = text.trim_end().rsplit_once('\t')
        && noted == stamp
    {
        return Ok(digest.to_string());
    }
    let wasm = std::fs::read(wasm_path).with_context(|| reading(name, wasm_path))?;
    let digest = hex::encode(&Sha256::digest(&wasm)[..12]);
    // Only a saving: an unwritable cache is reported below, when the
    // precompiled runtime cannot be written either.
    let _ = write_atomically(&note, format!("{stamp}\t{digest}\n").as_bytes());
    Ok(digest)
}

fn reading(name: &str, wasm_path: &Path) -> String {
    format!(
        "reading the {name} runtime at {} (run `make setup` to build it)",
        wasm_path.display()
    )
}

/// Loads the component at `wasm_path`, compiling and caching it first if
/// needed, after pre-initialising it with Wizer when `wizer` is set (the
/// cache is keyed by the file as built, so that happens once too).
/// Returns the component and whether it had to be compiled.
pub fn load_component(
    engine: &Engine,
    wasm_path: &Path,
    cache_dir: &Path,
    name: &str,
    wizer: bool,
) -> Result<(Component, bool)> {
    let digest = content_digest(wasm_path, cache_dir, name)?;
    let path = precompiled_path(engine, &digest, cache_dir, name);
    if !path.exists() {
        let wasm = std::fs::read(wasm_path).with_context(|| reading(name, wasm_path))?;
        let wasm = if wizer {
            snapshot_component(engine, &wasm)?
        } else {
            wasm
        };
        let code = engine
            .precompile_component(&wasm)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("compiling the {name} runtime"))?;
        if let Err(error) = write_atomically(&path, &code) {
            // A read-only image on a machine whose CPU differs from the build
            // machine's: run anyway, at the price of compiling at every start.
            tracing::warn!(
                path = %path.display(),
                error = format!("{error:#}"),
                "cannot cache the precompiled {name} runtime; it will be compiled at every start"
            );
            // SAFETY: `code` was produced by `precompile_component` just now.
            let component = unsafe { Component::deserialize(engine, &code) }?;
            return Ok((component, true));
        }
        // SAFETY: as below; the file was written from `code` just now.
        return Ok((unsafe { Component::deserialize_file(engine, &path) }?, true));
    }
    if let Err(error) = written_only_by_us(&path) {
        anyhow::bail!(
            "refusing to load {}: {error:#}. It is native code; remove it or fix its owner and mode",
            path.display()
        );
    }
    // SAFETY: the file was produced by `precompile_component` in an earlier
    // start, and only this user or root can have written it (checked above);
    // its name carries the engine's compatibility hash, and wasmtime checks
    // the configuration again.
    let component = unsafe { Component::deserialize_file(engine, &path) }
        .map_err(anyhow::Error::from)
        .with_context(|| format!("loading {}", path.display()))?;
    Ok((component, false))
}

/// Writes then renames, so a concurrent or interrupted start never sees half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("the cache path has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// Checks that `path` and its directory are owned by this user or root, are
/// not symlinks, and are writable by no one else: loading a planted artifact
/// would run its native code as the server.
pub(super) fn written_only_by_us(path: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let user = unsafe { libc::geteuid() };
    let dir = path.parent().context("the cache path has no directory")?;
    for checked in [path, dir] {
        let meta = std::fs::symlink_metadata(checked)
            .with_context(|| format!("reading {}", checked.display()))?;
        if meta.file_type().is_symlink() {
            anyhow::bail!("{} is a symlink", checked.display());
        }
        if meta.uid() != user && meta.uid() != 0 {
            anyhow::bail!("{} is owned by uid {}", checked.display(), meta.uid());
        }
        if meta.mode() & 0o022 != 0 {
            anyhow::bail!("{} is writable by group or others", checked.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn digest_of(bytes: &[u8]) -> String {
        hex::encode(&Sha256::digest(bytes)[..12])
    }

    #[test]
    fn a_runtime_is_hashed_once_until_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let (wasm, cache) = (dir.path().join("python.wasm"), dir.path().join("cache"));
        std::fs::create_dir(&cache).unwrap();
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(&wasm, b"first build").unwrap();
        assert_eq!(
            content_digest(&wasm, &cache, "python").unwrap(),
            digest_of(b"first build")
        );

        // The note answers for the file as it is: a digest it names is used
        // without reading the runtime.
        let note = cache.join("python.digest");
        let text = std::fs::read_to_string(&note).unwrap();
        let planted = text.replace(&digest_of(b"first build"), "noted");
        std::fs::write(&note, &planted).unwrap();
        assert_eq!(content_digest(&wasm, &cache, "python").unwrap(), "noted");

        // A note others could have written is not believed.
        std::fs::set_permissions(&note, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(
            content_digest(&wasm, &cache, "python").unwrap(),
            digest_of(b"first build")
        );

        // A rebuilt runtime (another size or modification time) is hashed again.
        std::fs::write(&note, &planted).unwrap();
        std::fs::set_permissions(&note, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(&wasm, b"second build, longer").unwrap();
        assert_eq!(
            content_digest(&wasm, &cache, "python").unwrap(),
            digest_of(b"second build, longer")
        );
    }
}
