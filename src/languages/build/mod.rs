//! The one pipeline of compiled languages. A language says only what
//! differs by implementing `Compiler`: its commands and flags, what a build
//! leaves in the cache and how that runs. `CompiledLanguage` does the rest
//! for all of them: builds are named by a key over everything that shapes
//! them and kept in memory and on disk, so identical submissions compile
//! once; compilers and natively built programs run under shared limits.

mod cache;
mod native;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use async_trait::async_trait;
use moka::future::Cache;

pub use cache::{CacheDir, DiskBudget, file_identity};
pub use native::{
    compile_limits, diagnostics, precompiled_header_limits, program_limits, run_compiler,
    run_program,
};

use super::{Compiled, Language, LanguageInfo, Program, Source};
use crate::telemetry;

/// What a compiled language says about itself.
#[async_trait]
pub trait Compiler: Send + Sync + 'static {
    /// What a build makes, ready to run every test case.
    type Artifact: Program + 'static;

    fn info(&self) -> &LanguageInfo;

    /// Everything besides the source that shapes a build (compiler, version,
    /// flags): part of every cache key.
    fn identity(&self) -> Vec<String>;

    /// Builds what speeds every compile up, if anything (see `prepare_once`).
    async fn prepare(&self, _cache: &CacheDir) -> Result<()> {
        Ok(())
    }

    /// What an earlier build of `source` left in `cache` as `key`, if any.
    fn load(
        &self,
        cache: &CacheDir,
        key: &str,
        source: Source<'_>,
    ) -> Result<Option<Self::Artifact>>;

    /// Compiles `source`, leaving the result in `cache` as `key`.
    async fn build(
        &self,
        cache: &CacheDir,
        key: &str,
        source: Source<'_>,
    ) -> Result<Self::Artifact, BuildError>;

    /// The memory an artifact holds, in bytes, for the in-memory cache's
    /// bound; by default about a kilobyte (paths and handles).
    fn memory_weight(_artifact: &Self::Artifact) -> u32 {
        1 << 10
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The submission's fault: what the compiler said, or why it was stopped.
    #[error("the compiler rejected it: {0}")]
    Rejected(String),
    #[error(transparent)]
    Host(#[from] anyhow::Error),
}

/// Where compiled languages keep their builds, and how much of it.
#[derive(Clone)]
pub struct BuildCache {
    /// `<cache_dir>/<language>/` for each language.
    pub dir: PathBuf,
    /// Each compiled language's in-memory cache, in bytes.
    pub memory_bytes: u64,
    /// The bound on builds on disk, all languages' together.
    pub disk: Arc<DiskBudget>,
}

/// A language whose `compiler` builds each submission once.
pub struct CompiledLanguage<C: Compiler> {
    compiler: C,
    cache: CacheDir,
    built: Cache<String, Arc<C::Artifact>>,
    disk: Arc<DiskBudget>,
}

impl<C: Compiler> CompiledLanguage<C> {
    pub fn new(compiler: C, cache: &BuildCache) -> Self {
        let dir = CacheDir::new(&cache.dir, compiler.info().name, &compiler.identity());
        let built = Cache::builder()
            .weigher(|_, artifact: &Arc<C::Artifact>| C::memory_weight(artifact))
            .max_capacity(cache.memory_bytes)
            .build();
        Self {
            compiler,
            cache: dir,
            built,
            disk: cache.disk.clone(),
        }
    }

    /// What an earlier build left on disk, or a new build. A build that
    /// cannot be loaded (another process evicted it meanwhile) is built again.
    async fn load_or_build(
        &self,
        key: &str,
        source: Source<'_>,
    ) -> Result<Arc<C::Artifact>, BuildError> {
        let loaded = match self.compiler.load(&self.cache, key, source) {
            Ok(loaded) => loaded,
            Err(error) => {
                let error = format!("{error:#}");
                tracing::warn!(error, "a cached build cannot be loaded: building it again");
                None
            }
        };
        let artifact = match loaded {
            Some(artifact) => {
                self.count_compile("disk");
                artifact
            }
            None => {
                self.count_compile("miss");
                let started = Instant::now();
                let built = self.compiler.build(&self.cache, key, source).await;
                let language = self.compiler.info().name;
                metrics::histogram!(telemetry::COMPILE_DURATION, "language" => language)
                    .record(started.elapsed());
                self.disk.after_build().await;
                built?
            }
        };
        Ok(Arc::new(artifact))
    }

    /// Where a compile was answered from: `memory`, `disk` or `miss`.
    fn count_compile(&self, result: &'static str) {
        let language = self.compiler.info().name;
        metrics::counter!(telemetry::COMPILE_CACHE, "language" => language, "result" => result)
            .increment(1);
    }
}

#[async_trait]
impl<C: Compiler> Language for CompiledLanguage<C> {
    fn info(&self) -> &LanguageInfo {
        self.compiler.info()
    }

    async fn prepare(&self) -> Result<()> {
        self.compiler.prepare(&self.cache).await
    }

    async fn compile_source(&self, source: Source<'_>) -> Result<Compiled> {
        let key = self.cache.key(source);
        // Used now: the last to be evicted from disk.
        self.cache.mark_used(&key);
        if self.built.contains_key(&key) {
            self.count_compile("memory");
        }
        // Concurrent compiles of the same key wait for the first one.
        let built = self
            .built
            .try_get_with(key.clone(), self.load_or_build(&key, source))
            .await;
        match built {
            Ok(artifact) => Ok(Compiled::Ready(artifact)),
            Err(error) => match error.as_ref() {
                BuildError::Rejected(output) => Ok(Compiled::Failed {
                    output: output.clone(),
                }),
                BuildError::Host(error) => Err(anyhow::anyhow!("{error:#}")),
            },
        }
    }
}

/// Builds once what speeds every compile up (a precompiled header, a
/// class-data-sharing archive) and keeps it in `cell`. Without it compiles
/// still work, only slower, so a failure is a warning.
pub async fn prepare_once(
    cell: &tokio::sync::OnceCell<Option<PathBuf>>,
    what: &str,
    build: impl Future<Output = Result<PathBuf>>,
) {
    let ready = cell
        .get_or_init(async || match build.await {
            Ok(path) => Some(path),
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "cannot make {what}");
                None
            }
        })
        .await;
    if let Some(path) = ready {
        tracing::info!(path = %path.display(), "{what} ready");
    }
}
