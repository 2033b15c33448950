//! Java 17 (Debian's OpenJDK): `javac` and `java` both run in the native
//! sandbox. Class files are cached by source and toolchain; every test case
//! starts a fresh JVM.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;
use moka::future::Cache;
use sha2::{Digest, Sha256};

use super::compiler::{self, BuildError};
use super::{Compiled, Language, LanguageInfo, Program};
use crate::sandbox::native::{NativeCommand, NativeExit, NativeLimits, NativeSandbox};
use crate::sandbox::{Run, RunLimits};

const INFO: LanguageInfo = LanguageInfo {
    name: "java",
    version: "Java 17, OpenJDK (native sandbox)",
    backend: "native",
    extensions: &["java"],
};

const JAVAC: &str = "/usr/bin/javac";
const JAVA: &str = "/usr/bin/java";

/// javac's own JVM: a fast start (C1 only, serial GC) inside 512 MiB of
/// address space; annotation processing off.
const JAVAC_FLAGS: &[&str] = &[
    "-J-Xmx192m",
    "-J-Xss512k",
    "-J-XX:MaxMetaspaceSize=64m",
    "-J-XX:CompressedClassSpaceSize=16m",
    "-J-XX:ReservedCodeCacheSize=16m",
    "-J-XX:+UseSerialGC",
    "-J-XX:TieredStopAtLevel=1",
    "-J-XX:ActiveProcessorCount=1",
    "-J-XX:-UsePerfData",
    "-proc:none",
    "-encoding",
    "UTF-8",
];

/// The solution's JVM: the full JIT (C1-only is slower on CPU-bound code), a
/// 64 MiB thread stack for recursion 10^5 deep, bounded metaspace and code cache.
const JAVA_FLAGS: &[&str] = &[
    "-Xss64m",
    "-XX:MaxMetaspaceSize=64m",
    "-XX:CompressedClassSpaceSize=16m",
    "-XX:ReservedCodeCacheSize=16m",
    "-XX:+UseSerialGC",
    "-XX:ActiveProcessorCount=1",
    "-XX:-UsePerfData",
];

/// Address space the JVM needs beyond its heap: code, metaspace, and the
/// 64 MiB stacks of its own Java threads (measured: 640 MiB is too little).
const JVM_OVERHEAD_BYTES: u64 = 896 << 20;

pub struct Java {
    native: Arc<NativeSandbox>,
    cache_dir: PathBuf,
    compiled: Cache<String, Arc<Classes>>,
}

/// A compiled program: its class directory and the class whose main runs.
struct Classes {
    dir: PathBuf,
    main_class: String,
    native: Arc<NativeSandbox>,
}

impl Java {
    pub fn new(native: Arc<NativeSandbox>, cache_dir: &Path) -> Self {
        Self {
            native,
            cache_dir: cache_dir.join("java"),
            compiled: Cache::new(10_000),
        }
    }

    async fn build(&self, code: &str) -> Result<Arc<Classes>, BuildError> {
        let main_class = main_class(code);
        let mut hash = Sha256::new();
        for part in [JAVAC].iter().chain(JAVAC_FLAGS) {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hash.update(code.as_bytes());
        let classes_dir = self.cache_dir.join(hex::encode(hash.finalize()));
        let classes = |dir: PathBuf| {
            Arc::new(Classes {
                dir,
                main_class: main_class.clone(),
                native: self.native.clone(),
            })
        };
        if classes_dir.join(format!("{main_class}.class")).exists() {
            return Ok(classes(classes_dir));
        }
        let dir = self.native.run_dir()?;
        let source = format!("{main_class}.java");
        std::fs::write(dir.path().join(&source), code).context("writing the source")?;
        let mut args: Vec<_> = JAVAC_FLAGS.iter().map(Into::into).collect();
        args.extend(["-d".into(), "classes".into(), source.into()]);
        let command = NativeCommand {
            program: JAVAC.into(),
            args,
            env: vec![("MALLOC_ARENA_MAX".into(), "1".into())],
            ..Default::default()
        };
        let run = self.native.run(&dir, &command, &compiler::limits()).await?;
        if run.timed_out {
            return Err(BuildError::Rejected(
                "compilation took longer than 10 s".into(),
            ));
        }
        if run.exit != Some(NativeExit::Code(0)) {
            // javac prints some diagnostics on stdout.
            let output = [run.stderr, run.stdout].concat();
            return Err(BuildError::Rejected(compiler::diagnostics(&output)));
        }
        let compiled = dir.path().join("classes");
        if !compiled.join(format!("{main_class}.class")).exists() {
            return Err(BuildError::Rejected(format!(
                "no class {main_class} was compiled: make the class with `public static void main` \
                 public, or name it Main"
            )));
        }
        // Moved into the cache whole, so a half-written directory is never used.
        std::fs::create_dir_all(&self.cache_dir).context("creating the class cache")?;
        if std::fs::rename(&compiled, &classes_dir).is_err() && !classes_dir.exists() {
            return Err(anyhow::anyhow!("caching the classes in {}", classes_dir.display()).into());
        }
        Ok(classes(classes_dir))
    }
}

/// The public class's name (javac requires the file to be named after it),
/// or `Main`.
fn main_class(code: &str) -> String {
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| !w.is_empty())
        .collect();
    let modifiers = ["final", "abstract", "strictfp", "static"];
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == "public")
        .find_map(|(i, _)| {
            let mut rest = words[i + 1..].iter().skip_while(|w| modifiers.contains(w));
            match (rest.next(), rest.next()) {
                (Some(&"class"), Some(name)) => Some(name.to_string()),
                _ => None,
            }
        })
        .unwrap_or_else(|| "Main".into())
}

#[async_trait]
impl Language for Java {
    fn info(&self) -> &LanguageInfo {
        &INFO
    }

    async fn compile(&self, code: &str) -> Result<Compiled> {
        let key = hex::encode(Sha256::digest(code.as_bytes()));
        let built = self.compiled.try_get_with(key, self.build(code)).await;
        compiler::compiled(built.map(|classes| classes as Arc<dyn Program>))
    }
}

#[async_trait]
impl Program for Classes {
    fn backend(&self) -> &'static str {
        "native"
    }

    /// A fresh JVM: the memory limit is its heap (`-Xmx`); `OutOfMemoryError`
    /// is reported as the memory limit.
    async fn run(&self, stdin: &[u8], limits: &RunLimits) -> Result<Run> {
        let dir = self.native.run_dir()?;
        let heap_mb = (limits.memory_bytes >> 20).max(16);
        let tmp = format!("-Djava.io.tmpdir={}", dir.path().display());
        let mut args: Vec<_> = [format!("-Xmx{heap_mb}m"), tmp]
            .into_iter()
            .map(Into::into)
            .collect();
        args.extend(JAVA_FLAGS.iter().map(Into::into));
        args.extend([
            "-cp".into(),
            self.dir.clone().into_os_string(),
            self.main_class.clone().into(),
        ]);
        let command = NativeCommand {
            program: JAVA.into(),
            args,
            env: vec![("MALLOC_ARENA_MAX".into(), "1".into())],
            stdin: stdin.to_vec(),
            read_only_paths: vec![self.dir.clone()],
            // Only the JVM itself: no shells, no jspawnhelper; threads but no processes.
            executables: Vec::new(),
            may_start_processes: false,
        };
        let native_limits = NativeLimits {
            wall_time: limits.wall_time,
            cpu_seconds: limits.wall_time.as_secs() + 1,
            address_space_bytes: limits.memory_bytes + JVM_OVERHEAD_BYTES,
            file_size_bytes: limits.stdout_bytes as u64,
            open_files: 256,
            stack_bytes: 8 << 20,
            stdout_bytes: limits.stdout_bytes,
            stderr_bytes: limits.stderr_bytes,
        };
        let run = self.native.run(&dir, &command, &native_limits).await?;
        let out_of_memory =
            String::from_utf8_lossy(&run.stderr).contains("java.lang.OutOfMemoryError");
        Ok(run.into_run(out_of_memory))
    }
}
