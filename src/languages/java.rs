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

pub(super) const INFO: LanguageInfo = LanguageInfo {
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

/// Resident memory the JVM needs beyond its heap (code, metaspace, its
/// threads' stacks as far as touched).
const JVM_RESIDENT_OVERHEAD_BYTES: u64 = 256 << 20;

/// What javac compiles once at setup, with class-data sharing recording the
/// classes it loads: a typical solution's imports.
const ARCHIVE_SAMPLE: &str = "import java.io.*;\nimport java.util.*;\nimport java.util.stream.*;\n\
public class Main {\n    public static void main(String[] args) throws IOException {\n\
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));\n\
        Scanner scanner = new Scanner(in);\n        List<Integer> xs = new ArrayList<>();\n\
        Map<String, Integer> seen = new HashMap<>();\n\
        System.out.println(xs.stream().map(x -> x * 2).collect(Collectors.toList()) + \"\" + seen);\n    }\n}\n";

pub struct Java {
    native: Arc<NativeSandbox>,
    cache_dir: PathBuf,
    /// Names javac, its flags and the JDK build: any change is a new cache key.
    toolchain_key: String,
    compiled: Cache<String, Arc<Classes>>,
    /// javac's class-data-sharing archive, once `prepare` made it: it saves
    /// about a third of every compile.
    archive: tokio::sync::OnceCell<Option<PathBuf>>,
}

/// A compiled program: its class directory and the class whose main runs.
struct Classes {
    dir: PathBuf,
    main_class: String,
    native: Arc<NativeSandbox>,
}

impl Java {
    pub fn new(native: Arc<NativeSandbox>, cache_dir: &Path) -> Self {
        // The JDK's `release` file names its exact build.
        let release = std::fs::canonicalize(JAVAC)
            .ok()
            .and_then(|javac| std::fs::read(javac.parent()?.parent()?.join("release")).ok())
            .unwrap_or_default();
        let mut hash = Sha256::new();
        for part in [JAVAC].iter().chain(JAVAC_FLAGS) {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hash.update(release);
        Self {
            native,
            cache_dir: cache_dir.join("java"),
            toolchain_key: hex::encode(hash.finalize()),
            compiled: Cache::new(10_000),
            archive: tokio::sync::OnceCell::new(),
        }
    }

    /// javac in the native sandbox: its JVM profile, with the archive if
    /// there is one, and `args`.
    fn javac(&self, args: Vec<std::ffi::OsString>) -> NativeCommand {
        let archive = self.archive.get().cloned().flatten();
        let mut all: Vec<std::ffi::OsString> = JAVAC_FLAGS.iter().map(Into::into).collect();
        if let Some(archive) = &archive {
            all.push(format!("-J-XX:SharedArchiveFile={}", archive.display()).into());
        }
        all.extend(args);
        NativeCommand {
            program: JAVAC.into(),
            args: all,
            env: vec![("MALLOC_ARENA_MAX".into(), "1".into())],
            read_only_paths: archive.into_iter().collect(),
            ..Default::default()
        }
    }

    /// Runs javac once on a sample, recording the classes it loads into a
    /// dynamic class-data-sharing archive, kept in the cache.
    async fn build_archive(&self) -> Result<PathBuf> {
        let archive = self
            .cache_dir
            .join(format!("javac-{}.jsa", &self.toolchain_key[..24]));
        if archive.exists() {
            return Ok(archive);
        }
        let dir = self.native.run_dir()?;
        std::fs::write(dir.path().join("Main.java"), ARCHIVE_SAMPLE)?;
        let command = self.javac(vec![
            "-J-XX:ArchiveClassesAtExit=javac.jsa".into(),
            "-d".into(),
            "classes".into(),
            "Main.java".into(),
        ]);
        // Writing the archive at exit needs more address space than compiling.
        let limits = NativeLimits {
            address_space_bytes: 1 << 30,
            memory_bytes: 1 << 30,
            ..compiler::limits()
        };
        let run = self.native.run(&dir, &command, &limits).await?;
        anyhow::ensure!(
            run.exit == Some(NativeExit::Code(0)),
            "javac ended with {:?}: {}{}",
            run.exit,
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let bytes = dir.read("javac.jsa")?;
        std::fs::create_dir_all(&self.cache_dir)?;
        // Staged per process: replicas may share the cache directory.
        let partial = archive.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, bytes)?;
        std::fs::rename(&partial, &archive)?;
        Ok(archive)
    }

    async fn build(&self, code: &str) -> Result<Arc<Classes>, BuildError> {
        let main_class = main_class(code);
        let mut hash = Sha256::new();
        hash.update(self.toolchain_key.as_bytes());
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
        let command = self.javac(vec!["-d".into(), "classes".into(), source.into()]);
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
        let class_files = dir.files_in("classes").unwrap_or_default();
        if !class_files.contains(&format!("{main_class}.class")) {
            return Err(BuildError::Rejected(format!(
                "no class {main_class} was compiled: make the class with `public static void main` \
                 public, or name it Main"
            )));
        }
        // Copied (not moved: the slot's uid owns what javac wrote) into a
        // staging directory, then renamed whole into the cache, so a
        // half-written directory is never used.
        let staging = self
            .cache_dir
            .join(format!("staging-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&staging).context("creating the class cache")?;
        for name in class_files.iter().filter(|name| name.ends_with(".class")) {
            let bytes = dir.read(&format!("classes/{name}"))?;
            std::fs::write(staging.join(name), bytes).context("caching the classes")?;
        }
        if std::fs::rename(&staging, &classes_dir).is_err() {
            // Another compile of the same source got there first.
            let _ = std::fs::remove_dir_all(&staging);
            if !classes_dir.exists() {
                return Err(
                    anyhow::anyhow!("caching the classes in {}", classes_dir.display()).into(),
                );
            }
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

    async fn prepare(&self) -> Result<()> {
        let archive = self.build_archive();
        compiler::prepare_once(&self.archive, "javac's class-data-sharing archive", archive).await;
        Ok(())
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
            memory_bytes: limits.memory_bytes + JVM_RESIDENT_OVERHEAD_BYTES,
            file_size_bytes: limits.stdout_bytes as u64,
            open_files: 256,
            stack_bytes: 8 << 20,
            processes: compiler::PROGRAM_THREADS,
            stdout_bytes: limits.stdout_bytes,
            stderr_bytes: limits.stderr_bytes,
        };
        let run = self.native.run(&dir, &command, &native_limits).await?;
        let out_of_memory =
            String::from_utf8_lossy(&run.stderr).contains("java.lang.OutOfMemoryError");
        Ok(run.into_run(out_of_memory))
    }
}
