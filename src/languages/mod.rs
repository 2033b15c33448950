//! One module per language behind the `Language` trait. Adding a language is
//! one file here plus one line in `Languages::load`.

mod build;
mod c;
mod clang;
mod cpp;
mod flags;
mod interpreted;
mod java;
mod javascript;
mod python;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use async_trait::async_trait;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::sandbox::native::NativeSandbox;
use crate::sandbox::{Invocation, Run, RunLimits, Stdio, WasmSandbox};
use build::{BuildCache, CompiledLanguage, DiskBudget};
use clang::{Clang, Toolchain};
pub use flags::check_compile_flags;
use java::Java;

/// What `GET /languages` shows about a language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LanguageInfo {
    /// The name requests use, e.g. `python`.
    pub name: &'static str,
    /// The runtime, e.g. `CPython 3.14 (wasm)`.
    pub version: &'static str,
    /// Where programs run: `wasm` (Wasmtime) or `native` (restricted process).
    pub backend: &'static str,
    /// File extensions `judgebox run` recognises, without the dot.
    #[serde(skip)]
    pub extensions: &'static [&'static str],
}

/// What a program is built from: its main source, the files it includes
/// beside it (a checker's `testlib.h`), by plain file name, and the
/// compiler flags its sender chose, which `check_compile_flags` allowed.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub code: &'a str,
    pub files: &'a [(String, String)],
    pub flags: &'a [String],
}

impl<'a> Source<'a> {
    /// Just the code, as every submission is.
    pub fn code(code: &'a str) -> Self {
        Self {
            code,
            files: &[],
            flags: &[],
        }
    }

    /// Every file the build sees: the main source as `main_name`, then the others.
    pub fn files_as(&self, main_name: &'a str) -> Vec<(&'a str, &'a str)> {
        let others = self
            .files
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str()));
        std::iter::once((main_name, self.code))
            .chain(others)
            .collect()
    }
}

/// The outcome of preparing source code for running.
pub enum Compiled {
    Ready(Arc<dyn Program>),
    /// The compiler rejected the source; `output` is what it said.
    Failed {
        output: String,
    },
}

#[async_trait]
pub trait Language: Send + Sync {
    fn info(&self) -> &LanguageInfo;

    /// Builds what the language needs before its first submission (a
    /// precompiled header, say), so no request pays for it.
    async fn prepare(&self) -> Result<()> {
        Ok(())
    }

    /// Prepares `source` once per submission. Interpreters find syntax
    /// errors when the code runs (`Stopped::SyntaxError`); `Err` is a host
    /// failure.
    async fn compile_source(&self, source: Source<'_>) -> Result<Compiled>;

    /// `compile_source` of code alone, as every submission is.
    async fn compile(&self, code: &str) -> Result<Compiled> {
        self.compile_source(Source::code(code)).await
    }
}

/// A compiled program, run once per test case.
#[async_trait]
pub trait Program: Send + Sync {
    /// Where it runs: `wasm` or `native`.
    fn backend(&self) -> &'static str;

    /// Runs with `stdio` and what `invocation` gives it; `Err` is a host
    /// failure, not a failing program.
    async fn run(
        &self,
        stdio: Stdio<'_>,
        invocation: &Invocation,
        limits: &RunLimits,
    ) -> Result<Run>;
}

/// The name of every language, sorted, known without loading a runtime
/// (for commands that only store questions). `Languages::load` checks it.
pub fn names() -> Vec<&'static str> {
    let infos = [
        &c::C.info,
        &cpp::CPP.info,
        &cpp::CPP20.info,
        &java::INFO,
        &javascript::INFO,
        &python::INFO,
    ];
    let mut names: Vec<_> = infos.iter().map(|info| info.name).collect();
    names.sort_unstable();
    names
}

/// A language's name in the API document: one of `names()`, which are
/// exactly the languages a server runs.
pub struct LanguageName;

impl utoipa::PartialSchema for LanguageName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(names()))
            .description(Some("A `name` from `GET /languages`."))
            .into()
    }
}

impl utoipa::ToSchema for LanguageName {}

/// c, cpp, cpp20 and java, which share the build cache's memory bound.
const COMPILED_LANGUAGES: u64 = 4;

/// How much compiled programs may take: in memory (all compiled languages
/// together) and on disk (builds in the cache directory).
#[derive(Debug, Clone, Copy)]
pub struct BuildCacheLimits {
    pub memory_bytes: u64,
    pub disk_bytes: u64,
}

/// Every language this server can run, by name.
pub struct Languages {
    by_name: BTreeMap<&'static str, Arc<dyn Language>>,
    /// Programs linked to another (`sandbox::link`) at once: no more than
    /// either sandbox runs, so each side always gets a permit.
    links: Arc<Semaphore>,
}

impl Languages {
    /// Loads every runtime from `runtimes_dir`, precompiling into `cache_dir`
    /// what has not been compiled for this engine yet. Compilers run in
    /// `native`; the compiled languages keep their builds within `limits`.
    pub fn load(
        sandbox: &WasmSandbox,
        native: &Arc<NativeSandbox>,
        runtimes_dir: &Path,
        cache_dir: &Path,
        limits: BuildCacheLimits,
    ) -> Result<Self> {
        let links = sandbox
            .concurrent_runs()
            .min(native.concurrent_runs())
            .max(1);
        let mut languages = Self {
            by_name: BTreeMap::new(),
            links: Arc::new(Semaphore::new(links as usize)),
        };
        // The memory bound is shared evenly by the compiled languages.
        let cache = BuildCache {
            dir: cache_dir.to_path_buf(),
            memory_bytes: limits.memory_bytes / COMPILED_LANGUAGES,
            disk: Arc::new(DiskBudget::new(cache_dir, limits.disk_bytes)),
        };
        let toolchain = Toolchain::new(runtimes_dir);
        for language in [c::C, cpp::CPP, cpp::CPP20] {
            let clang = Clang::new(language, toolchain.clone(), sandbox, native.clone());
            languages.register(CompiledLanguage::new(clang, &cache));
        }
        languages.register(CompiledLanguage::new(Java::new(native.clone()), &cache));
        languages.register(javascript::load(sandbox, native, runtimes_dir, cache_dir)?);
        languages.register(python::load(sandbox, native, runtimes_dir, cache_dir)?);
        anyhow::ensure!(
            languages.names() == names(),
            "languages::names() lists {:?}, but {:?} were loaded",
            names(),
            languages.names()
        );
        Ok(languages)
    }

    /// Runs every language's `prepare`.
    pub async fn prepare(&self) -> Result<()> {
        for language in self.by_name.values() {
            language.prepare().await?;
        }
        Ok(())
    }

    fn register(&mut self, language: impl Language + 'static) {
        self.by_name
            .insert(language.info().name, Arc::new(language));
    }

    /// What a run linked to another waits for, held until both end.
    pub fn links(&self) -> Arc<Semaphore> {
        self.links.clone()
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Language>> {
        self.by_name.get(name).cloned()
    }

    /// The language whose extensions include `extension` (without the dot).
    pub fn for_extension(&self, extension: &str) -> Option<Arc<dyn Language>> {
        self.by_name
            .values()
            .find(|language| language.info().extensions.contains(&extension))
            .cloned()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.by_name.keys().copied().collect()
    }

    pub fn infos(&self) -> Vec<LanguageInfo> {
        self.by_name.values().map(|l| l.info().clone()).collect()
    }
}
