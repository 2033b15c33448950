//! Java 17 (Debian's OpenJDK): `javac` and `java` both run in the native
//! sandbox. javac is kept warm (`warm`), with a cold javac whenever that
//! one cannot answer. Class files are cached by source and toolchain; every
//! test case starts a fresh JVM.

mod warm;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use async_trait::async_trait;

use super::build::{self, BuildError, CacheDir, Compiler};
use super::{LanguageInfo, Program, Source};
use crate::sandbox::native::{NativeCommand, NativeLimits, NativeSandbox, RunDir};
use crate::sandbox::{Invocation, Run, RunLimits, Stdio};
use warm::{WarmCompile, WarmJavac};

pub(super) const INFO: LanguageInfo = LanguageInfo {
    name: "java",
    version: "Java 17, OpenJDK (native sandbox)",
    backend: "native",
    extensions: &["java"],
};

const JAVAC: &str = "/usr/bin/javac";
/// The longest file name Linux file systems take.
const MAX_FILE_NAME_BYTES: usize = 255;
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
/// 64 MiB stack for the main thread, for recursion 10^5 deep (the launcher
/// reads `-Xss` alone for it), and 2 MiB for every other Java thread (the
/// JVM reads the later `ThreadStackSize`), so that a program's threads fit
/// in its address space; bounded metaspace and code cache.
const JAVA_FLAGS: &[&str] = &[
    "-Xss64m",
    "-XX:ThreadStackSize=2048",
    "-XX:MaxMetaspaceSize=64m",
    "-XX:CompressedClassSpaceSize=16m",
    "-XX:ReservedCodeCacheSize=16m",
    "-XX:+UseSerialGC",
    "-XX:ActiveProcessorCount=1",
    "-XX:-UsePerfData",
];

/// Address space the JVM needs beyond its heap: code, metaspace, the main
/// thread's 64 MiB stack and the other threads' (measured with 64 MiB
/// stacks for all: 640 MiB was too little).
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
    /// javac's class-data-sharing archive, once `prepare` made it: it saves
    /// about a third of every compile.
    archive: tokio::sync::OnceCell<Option<PathBuf>>,
    warm: WarmJavac,
}

/// A compiled program: its class directory and the class whose main runs.
pub struct Classes {
    dir: PathBuf,
    main_class: String,
    native: Arc<NativeSandbox>,
}

impl Java {
    pub fn new(native: Arc<NativeSandbox>) -> Self {
        Self {
            warm: WarmJavac::new(native.clone()),
            native,
            archive: tokio::sync::OnceCell::new(),
        }
    }

    /// javac in the native sandbox: its JVM profile, with the archive if
    /// there is one, and `args`.
    fn javac(&self, args: Vec<OsString>) -> NativeCommand {
        let archive = self.archive.get().cloned().flatten();
        let mut all: Vec<OsString> = JAVAC_FLAGS.iter().map(Into::into).collect();
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
    async fn build_archive(&self, cache: &CacheDir) -> Result<PathBuf> {
        let name = format!("{}.jsa", cache.key(Source::code(ARCHIVE_SAMPLE)));
        let archive = cache.path(&name);
        if archive.exists() {
            return Ok(archive);
        }
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
            ..build::compile_limits()
        };
        let sources = [("Main.java", ARCHIVE_SAMPLE)];
        let dir = build::run_compiler(&self.native, &sources, &command, &limits).await?;
        cache.write(&name, &dir.read("javac.jsa")?)
    }

    /// javac in a JVM of its own: the class files it wrote (name, bytes).
    async fn compile_cold(
        &self,
        flags: &[String],
        sources: &[(&str, &str)],
        java_files: &[(&str, &str)],
    ) -> Result<Vec<(String, Vec<u8>)>, BuildError> {
        let mut args: Vec<OsString> = vec!["-d".into(), "classes".into()];
        args.extend(flags.iter().map(Into::into));
        args.extend(java_files.iter().map(|(name, _)| name.into()));
        let command = self.javac(args);
        let limits = build::compile_limits();
        let dir = build::run_compiler(&self.native, sources, &command, &limits).await?;
        // Copied, not moved: the run's uid owns what javac wrote.
        let mut class_files = Vec::new();
        for name in dir.files_in("classes").unwrap_or_default() {
            let bytes = dir.read(&format!("classes/{name}"))?;
            class_files.push((name, bytes));
        }
        Ok(class_files)
    }

    fn classes(&self, dir: PathBuf, main_class: String) -> Classes {
        Classes {
            dir,
            main_class,
            native: self.native.clone(),
        }
    }
}

/// The public class's name (javac requires the file to be named after it);
/// else the class that declares `main` (`class Prog { ... static void
/// main`, as Jobe's clients send); else `Main`.
fn main_class(code: &str) -> String {
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| !w.is_empty())
        .collect();
    let modifiers = ["final", "abstract", "strictfp", "static"];
    let public = words
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == "public")
        .find_map(|(i, _)| {
            let mut rest = words[i + 1..].iter().skip_while(|w| modifiers.contains(w));
            match (rest.next(), rest.next()) {
                (Some(&"class"), Some(name)) => Some(name.to_string()),
                _ => None,
            }
        });
    let declaring_main = || {
        let main = words.windows(2).position(|pair| pair == ["void", "main"])?;
        let class = words[..main].iter().rposition(|word| *word == "class")?;
        words.get(class + 1).map(|name| name.to_string())
    };
    public
        .or_else(declaring_main)
        .unwrap_or_else(|| "Main".into())
}

#[async_trait]
impl Compiler for Java {
    type Artifact = Classes;

    fn info(&self) -> &LanguageInfo {
        &INFO
    }

    fn identity(&self) -> Vec<String> {
        // The JDK's `release` file names its exact build.
        let release = std::fs::canonicalize(JAVAC)
            .ok()
            .and_then(|javac| {
                std::fs::read_to_string(javac.parent()?.parent()?.join("release")).ok()
            })
            .unwrap_or_default();
        let javac = [JAVAC].iter().chain(JAVAC_FLAGS);
        javac
            .map(|part| part.to_string())
            .chain([release])
            .collect()
    }

    async fn prepare(&self, cache: &CacheDir) -> Result<()> {
        let archive = self.build_archive(cache);
        build::prepare_once(&self.archive, "javac's class-data-sharing archive", archive).await;
        let flags = warm::JAVAC_INTERNALS.map(String::from);
        let server = [warm::SERVER_SOURCE];
        let compile = self.compile_cold(&flags, &server, &server);
        self.warm.prepare(cache, compile).await;
        Ok(())
    }

    fn load(&self, cache: &CacheDir, key: &str, source: Source<'_>) -> Result<Option<Classes>> {
        let classes = self.classes(cache.build_path(key), main_class(source.code));
        let main = classes.dir.join(format!("{}.class", classes.main_class));
        Ok(main.exists().then_some(classes))
    }

    async fn build(
        &self,
        cache: &CacheDir,
        key: &str,
        source: Source<'_>,
    ) -> Result<Classes, BuildError> {
        let main_class = main_class(source.code);
        // Its source and class files are named after it.
        if main_class.len() + ".class".len() > MAX_FILE_NAME_BYTES {
            return Err(BuildError::Rejected(format!(
                "the public class's name is {} bytes long: a class file's name may be at \
                 most {MAX_FILE_NAME_BYTES} bytes",
                main_class.len()
            )));
        }
        let main_file = format!("{main_class}.java");
        // The other classes compile with it; javac finds them by name.
        let sources = source.files_as(&main_file);
        let java_files: Vec<(&str, &str)> = (sources.iter().copied())
            .filter(|(name, _)| name.ends_with(".java"))
            .collect();
        let class_files = match self.warm.compile(source.flags, &java_files).await {
            Some(WarmCompile::Classes(class_files)) => class_files,
            Some(WarmCompile::Rejected(diagnostics)) => {
                return Err(BuildError::Rejected(diagnostics));
            }
            None => {
                self.compile_cold(source.flags, &sources, &java_files)
                    .await?
            }
        };
        // Only the top-level classes, as javac wrote them to its directory
        // (a class in a package would be in a subdirectory).
        let class_files: Vec<_> = (class_files.into_iter())
            .filter(|(name, _)| name.ends_with(".class") && !name.contains('/'))
            .collect();
        if !class_files
            .iter()
            .any(|(name, _)| *name == format!("{main_class}.class"))
        {
            return Err(BuildError::Rejected(format!(
                "no class {main_class} was compiled: make the class with `public static void main` \
                 public, or name it Main"
            )));
        }
        let classes_dir = cache.write_dir(key, |staging| {
            for (name, bytes) in &class_files {
                std::fs::write(staging.join(name), bytes)?;
            }
            Ok(())
        })?;
        Ok(self.classes(classes_dir, main_class))
    }
}

#[async_trait]
impl Program for Classes {
    fn backend(&self) -> &'static str {
        "native"
    }

    /// A fresh JVM: the memory limit is its heap (`-Xmx`); `OutOfMemoryError`
    /// is reported as the memory limit.
    async fn run(
        &self,
        stdio: Stdio<'_>,
        invocation: &Invocation,
        limits: &RunLimits,
    ) -> Result<Run> {
        let heap_mb = (limits.memory_bytes >> 20).max(16);
        let command = |dir: &RunDir| {
            let tmp = format!("-Djava.io.tmpdir={}", dir.path().display());
            let mut args: Vec<OsString> = [format!("-Xmx{heap_mb}m"), tmp]
                .into_iter()
                .map(Into::into)
                .collect();
            args.extend(JAVA_FLAGS.iter().map(Into::into));
            args.extend([
                "-cp".into(),
                self.dir.clone().into_os_string(),
                self.main_class.clone().into(),
            ]);
            NativeCommand {
                program: JAVA.into(),
                args,
                env: vec![("MALLOC_ARENA_MAX".into(), "1".into())],
                read_only_paths: vec![self.dir.clone()],
                // Only the JVM itself: no shells, no jspawnhelper; threads but no processes.
                executables: Vec::new(),
                may_start_processes: false,
            }
        };
        let limits = NativeLimits {
            address_space_bytes: limits.memory_bytes + JVM_OVERHEAD_BYTES,
            memory_bytes: limits.memory_bytes + JVM_RESIDENT_OVERHEAD_BYTES,
            file_size_bytes: limits.stdout_bytes as u64,
            open_files: 256,
            ..build::program_limits(limits)
        };
        let out_of_memory = "java.lang.OutOfMemoryError";
        build::run_program(
            &self.native,
            command,
            stdio,
            invocation,
            &limits,
            out_of_memory,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::main_class;

    #[test]
    fn the_main_class_is_the_public_one_else_the_one_declaring_main() {
        let public = "class Helper {}\npublic final class Solution { public static void main(String[] a) {} }";
        assert_eq!(main_class(public), "Solution");
        let plain = "class Helper { void run() {} }\nclass Prog {\n  public static void main(String[] a) {}\n}";
        assert_eq!(main_class(plain), "Prog");
        assert_eq!(main_class("class A { void run() {} }"), "Main");
    }
}
