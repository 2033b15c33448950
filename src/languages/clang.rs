//! C and C++: compiled by Debian's clang-19 to WebAssembly inside the native
//! sandbox, then run like the interpreters, in a fresh instance per test.
//! Whatever clang cannot build for WebAssembly (exceptions, threads, GNU
//! extensions) is built by gcc or g++ and runs natively; when both fail, the
//! student sees the native compiler's diagnostics (see docs/languages.md).

use std::ffi::OsString;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;

use super::build::{self, BuildError, CacheDir, Compiler};
use super::{LanguageInfo, Program, Source};
use crate::sandbox::native::{NativeCommand, NativeLimits, NativeSandbox};
use crate::sandbox::{
    Invocation, NULL_POINTER_HANDLER, Run, RunLimits, Stdio, WasiCommand, WasmSandbox,
};

/// Stack of a natively built program, as large as the WebAssembly one.
const NATIVE_STACK_BYTES: u64 = 64 << 20;
/// The driver runs the linker (wasm-ld) from here; nothing else may run.
const LLVM_BIN: &str = "/usr/lib/llvm-19/bin";
/// The natively built program, in its run directory and its cache directory.
const NATIVE_BINARY: &str = "program";

/// Address 0 is ordinary memory in WebAssembly: without these checks a
/// program reading through a null pointer reads zeros and goes on, where its
/// native build would crash. A failed check calls the host's handler
/// (`NULL_POINTER_HANDLER`), which names the fault.
const NULL_CHECKS: &[&str] = &[
    "-fsanitize=null",
    "-fsanitize-minimal-runtime",
    "-fno-sanitize-recover=null",
];
/// Names what the host provides (the handler), for the linker, which
/// imports it from `env`; in the compiler's run directory.
const HOST_SYMBOLS_FILE: &str = "host-symbols.txt";

/// Stack-first layout turns a stack overflow into a clean trap instead of
/// silent corruption; 64 MiB fits recursion 10^6 deep of a small function.
const LINK_FLAGS: &[&str] = &["-Wl,--stack-first", "-Wl,-z,stack-size=67108864"];

/// Flags of the precompiled header's own build: templates it uses are
/// instantiated there once rather than in every compile that includes it,
/// which halves a hello world's compile.
const PCH_FLAGS: &[&str] = &["-fpch-instantiate-templates"];

/// One language built with clang: its name, compiler and flags.
pub struct ClangLanguage {
    pub info: LanguageInfo,
    pub compiler: &'static str,
    pub source_file: &'static str,
    pub flags: &'static [&'static str],
    /// Headers worth precompiling, the most inclusive first: a source
    /// uses the first of them it includes.
    pub precompiled_headers: &'static [&'static str],
    pub native_fallback: Option<NativeFallback>,
}

/// How to build natively what clang for WebAssembly cannot.
pub struct NativeFallback {
    pub compiler: &'static str,
    /// After the source file, so that libraries (`-lm`) follow it.
    pub flags: &'static [&'static str],
}

/// Files besides the compilers whose versions shape every build: the
/// WebAssembly C and C++ libraries, and gcc's own compilers for the
/// native fallback.
const TOOLCHAIN_FILES: &[&str] = &[
    "/usr/lib/wasm32-wasi/libc.a",
    "/usr/lib/wasm32-wasi/libc++.a",
    "/usr/lib/wasm32-wasi/libc++abi.a",
    "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a",
    "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
    "/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus",
];

fn fallback_compiler(language: &ClangLanguage) -> Option<&'static str> {
    language.native_fallback.as_ref().map(|f| f.compiler)
}

/// Where the toolchain lives, shared by C and C++ (see the Makefile).
#[derive(Clone)]
pub struct Toolchain {
    /// A sysroot holding only Debian's wasi-libc.
    sysroot: PathBuf,
    /// Headers of our own, e.g. `bits/stdc++.h`.
    include: PathBuf,
}

impl Toolchain {
    pub fn new(runtimes_dir: &Path) -> Self {
        Self {
            sysroot: runtimes_dir.join("wasi-sysroot"),
            include: runtimes_dir.join("include"),
        }
    }

    /// Where clang finds `header`: among ours, or else libc++'s.
    fn header(&self, header: &str) -> PathBuf {
        let ours = self.include.join(header);
        match ours.exists() {
            true => ours,
            false => self.sysroot.join("include/wasm32-wasi/c++/v1").join(header),
        }
    }
}

pub struct Clang {
    language: ClangLanguage,
    toolchain: Toolchain,
    sandbox: WasmSandbox,
    native: Arc<NativeSandbox>,
    /// Each precompiled header, once `prepare` built it.
    pch: Vec<Prepared>,
    /// Each of the native compiler's precompiled headers: a directory
    /// searched for includes that holds only `<header>.gch`.
    native_pch: Vec<Prepared>,
}

/// What `prepare` made, if it could.
type Prepared = tokio::sync::OnceCell<Option<PathBuf>>;

/// A cell for each of `language`'s precompiled headers.
fn one_per_header(language: &ClangLanguage) -> Vec<Prepared> {
    language
        .precompiled_headers
        .iter()
        .map(|_| Prepared::new())
        .collect()
}

/// gcc or g++ with `args`, reading the system's headers (and `pch`).
fn native_compiler_command(
    fallback: &NativeFallback,
    args: Vec<OsString>,
    pch: Option<PathBuf>,
) -> NativeCommand {
    NativeCommand {
        program: fallback.compiler.into(),
        args,
        read_only_paths: pch.into_iter().collect(),
        // The gcc driver runs cc1plus, as and ld.
        executables: vec!["/usr/bin".into(), "/usr/lib/gcc".into()],
        may_start_processes: true,
        ..Default::default()
    }
}

/// A C or C++ program ready to run: WebAssembly, or a native binary.
pub enum Binary {
    /// The native sandbox makes the directory of a run given files.
    Wasm {
        command: WasiCommand,
        native: Arc<NativeSandbox>,
    },
    Native {
        path: PathBuf,
        native: Arc<NativeSandbox>,
    },
}

impl Clang {
    pub fn new(
        language: ClangLanguage,
        toolchain: Toolchain,
        sandbox: &WasmSandbox,
        native: Arc<NativeSandbox>,
    ) -> Self {
        Self {
            toolchain,
            sandbox: sandbox.clone(),
            native,
            pch: one_per_header(&language),
            native_pch: one_per_header(&language),
            language,
        }
    }

    /// Of the precompiled headers `prepared` (one per header), the first
    /// that `source` includes, if it sends no flags (a compiler refuses a
    /// header precompiled under other flags).
    fn precompiled_for(&self, prepared: &[Prepared], source: Source<'_>) -> Option<PathBuf> {
        if !source.flags.is_empty() {
            return None;
        }
        let includes = |header: &&str| {
            [format!("<{header}>"), format!("\"{header}\"")]
                .iter()
                .any(|include| source.code.contains(include))
        };
        let headers = self.language.precompiled_headers.iter().zip(prepared);
        headers
            .filter(|(header, _)| includes(header))
            .find_map(|(_, pch)| pch.get().cloned().flatten())
    }

    /// Compiler flags shared by programs and the precompiled header, which
    /// clang only accepts with exactly the flags it was built with.
    fn common_args(&self) -> Vec<OsString> {
        let sysroot = format!("--sysroot={}", self.toolchain.sysroot.display());
        let include = self.toolchain.include.clone().into_os_string();
        let flags = self.language.flags.iter().chain(NULL_CHECKS);
        flags
            .map(Into::into)
            .chain([sysroot.into(), "-isystem".into(), include])
            .collect()
    }

    /// clang with `args`, reading the toolchain (and `pch`), running only
    /// its own tools.
    fn compiler_command(&self, args: Vec<OsString>, pch: Option<PathBuf>) -> NativeCommand {
        let toolchain = &self.toolchain;
        let read_only_paths = [toolchain.sysroot.clone(), toolchain.include.clone()];
        NativeCommand {
            program: self.language.compiler.into(),
            args,
            read_only_paths: read_only_paths.into_iter().chain(pch).collect(),
            executables: vec![LLVM_BIN.into()],
            may_start_processes: true,
            ..Default::default()
        }
    }

    fn wasm(&self, command: WasiCommand) -> Binary {
        Binary::Wasm {
            command,
            native: self.native.clone(),
        }
    }

    /// Builds (once per flags and compiler, then kept on disk) the
    /// precompiled header: a hello world including it compiles in 0.26 s
    /// instead of 2.3 s.
    async fn build_pch(&self, cache: &CacheDir, header: &str) -> Result<PathBuf> {
        let name = format!(
            "{}.pch",
            cache.key(Source::code(&format!("{header} {PCH_FLAGS:?}")))
        );
        let pch = cache.path(&name);
        if pch.exists() {
            return Ok(pch);
        }
        let mut args = self.common_args();
        let source = self.toolchain.header(header).into_os_string();
        args.extend(PCH_FLAGS.iter().map(Into::into));
        args.extend([
            "-x".into(),
            "c++-header".into(),
            source,
            "-o".into(),
            "header.pch".into(),
        ]);
        let command = self.compiler_command(args, None);
        let limits = build::compile_limits();
        let dir = build::run_compiler(&self.native, &[], &command, &limits).await?;
        cache.write(&name, &dir.read("header.pch")?)
    }

    /// Builds (once per flags and compiler, then kept on disk) the native
    /// compiler's precompiled header: g++ compiles a program including
    /// `bits/stdc++.h` in a quarter of the time with it, which is most of
    /// what a compile error costs (both compilers run then).
    async fn build_native_pch(
        &self,
        cache: &CacheDir,
        header: &str,
        fallback: &NativeFallback,
    ) -> Result<PathBuf> {
        let compiler_and_header = format!("{} {header}", fallback.compiler);
        let dir_name = format!("{}.gch", cache.key(Source::code(&compiler_and_header)));
        let gch = format!("{header}.gch");
        let dir = cache.path(&dir_name);
        if dir.join(&gch).exists() {
            return Ok(dir);
        }
        // g++ looks for `<header>.gch` in each include directory before the
        // header itself, so a directory holding only that is enough; it is
        // built from a file that includes the header (the system's own).
        let mut args: Vec<OsString> = vec!["-x".into(), "c++-header".into(), "header.h".into()];
        args.extend(fallback.flags.iter().map(Into::into));
        args.extend(["-o".into(), "header.h.gch".into()]);
        let command = native_compiler_command(fallback, args, None);
        let include = format!("#include <{header}>\n");
        let sources = [("header.h", include.as_str())];
        let limits = build::precompiled_header_limits();
        let built = build::run_compiler(&self.native, &sources, &command, &limits).await?;
        cache.write(&format!("{dir_name}/{gch}"), &built.read("header.h.gch")?)?;
        Ok(dir)
    }

    /// What WebAssembly cannot build, built natively; the binary then runs
    /// in the native sandbox, threads but no processes.
    async fn build_native(
        &self,
        cache: &CacheDir,
        key: &str,
        source: Source<'_>,
        fallback: &NativeFallback,
    ) -> Result<Binary, BuildError> {
        let source_file = self.language.source_file;
        let pch = self.precompiled_for(&self.native_pch, source);
        let mut args: Vec<OsString> = vec![source_file.into()];
        let flags = fallback.flags.iter().chain(&["-o", NATIVE_BINARY]);
        args.extend(flags.map(Into::into));
        args.extend(source.flags.iter().map(Into::into));
        if let Some(pch) = &pch {
            args.extend(["-I".into(), pch.into()]);
        }
        let command = native_compiler_command(fallback, args, pch);
        let sources = source.files_as(source_file);
        let limits = build::compile_limits();
        let dir = build::run_compiler(&self.native, &sources, &command, &limits).await?;
        let binary = dir.read(NATIVE_BINARY).context("reading the binary")?;
        // Staged in a directory renamed whole: `CacheDir::write` makes no executables.
        let cached = cache.write_dir(key, |staging| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o755)
                .open(staging.join(NATIVE_BINARY))?;
            Ok(file.write_all(&binary)?)
        })?;
        Ok(Binary::Native {
            path: cached.join(NATIVE_BINARY),
            native: self.native.clone(),
        })
    }
}

#[async_trait]
impl Compiler for Clang {
    type Artifact = Binary;

    fn info(&self) -> &LanguageInfo {
        &self.language.info
    }

    fn identity(&self) -> Vec<String> {
        let language = &self.language;
        let mut parts = vec![language.compiler, language.info.version];
        parts.extend(language.flags.iter().chain(NULL_CHECKS).chain(LINK_FLAGS));
        parts.push(NULL_POINTER_HANDLER);
        if let Some(fallback) = &language.native_fallback {
            parts.push(fallback.compiler);
            parts.extend(fallback.flags);
        }
        let mut parts: Vec<String> = parts.into_iter().map(String::from).collect();
        // The compilers' and libraries' exact builds, and our headers: an
        // upgraded clang, wasi-libc, libc++ or gcc builds anew.
        let compilers = [Some(language.compiler), fallback_compiler(language)];
        let files = (compilers.into_iter().flatten().map(PathBuf::from))
            .chain(TOOLCHAIN_FILES.iter().map(PathBuf::from))
            .chain([self.toolchain.include.join("bits/stdc++.h")]);
        parts.extend(files.map(|file| build::file_identity(&file)));
        // Compiled programs are native code for this engine only.
        let mut engine = DefaultHasher::new();
        let compatibility = self.sandbox.engine().precompile_compatibility_hash();
        compatibility.hash(&mut engine);
        parts.push(format!("{:016x}", engine.finish()));
        parts
    }

    async fn prepare(&self, cache: &CacheDir) -> Result<()> {
        let headers = self.language.precompiled_headers.iter();
        for ((header, pch), native_pch) in headers.zip(&self.pch).zip(&self.native_pch) {
            let built = self.build_pch(cache, header);
            build::prepare_once(pch, &format!("a precompiled {header}"), built).await;
            if let Some(fallback) = &self.language.native_fallback {
                let built = self.build_native_pch(cache, header, fallback);
                let what = format!("{}'s precompiled {header}", fallback.compiler);
                build::prepare_once(native_pch, &what, built).await;
            }
        }
        Ok(())
    }

    fn load(&self, cache: &CacheDir, key: &str, _source: Source<'_>) -> Result<Option<Binary>> {
        let wasm = cache.build_path(&format!("{key}.cwasm"));
        if let Some(command) = WasiCommand::load(&self.sandbox, &wasm)? {
            return Ok(Some(self.wasm(command)));
        }
        let path = cache.build_path(key).join(NATIVE_BINARY);
        Ok(path.exists().then(|| Binary::Native {
            path,
            native: self.native.clone(),
        }))
    }

    async fn build(
        &self,
        cache: &CacheDir,
        key: &str,
        source: Source<'_>,
    ) -> Result<Binary, BuildError> {
        let language = &self.language;
        let mut args = self.common_args();
        args.extend(LINK_FLAGS.iter().map(Into::into));
        args.push(format!("-Wl,--allow-undefined-file={HOST_SYMBOLS_FILE}").into());
        // After ours, so that the sender's `-std=` wins.
        args.extend(source.flags.iter().map(Into::into));
        let pch = self.precompiled_for(&self.pch, source);
        if let Some(pch) = &pch {
            args.extend(["-include-pch".into(), pch.into()]);
        }
        args.extend([
            language.source_file.into(),
            "-o".into(),
            "program.wasm".into(),
        ]);
        let command = self.compiler_command(args, pch);
        let mut sources = source.files_as(language.source_file);
        sources.push((HOST_SYMBOLS_FILE, NULL_POINTER_HANDLER));
        let limits = build::compile_limits();
        let started = std::time::Instant::now();
        let dir = match build::run_compiler(&self.native, &sources, &command, &limits).await {
            // Decided by outcome, not by what clang said: whatever the native
            // compiler builds is judged, and if it fails too, its diagnostics
            // are the answer (every error in them is the program's own, none
            // a limit of WebAssembly).
            Err(BuildError::Rejected(diagnostics)) => {
                return match &language.native_fallback {
                    Some(fallback) => self.build_native(cache, key, source, fallback).await,
                    None => Err(BuildError::Rejected(diagnostics)),
                };
            }
            compiled => compiled?,
        };
        let wasm = dir
            .read("program.wasm")
            .context("reading the compiled program")?;
        let artifact = cache.build_path(&format!("{key}.cwasm"));
        let clang_done = std::time::Instant::now();
        let command =
            tokio::task::block_in_place(|| WasiCommand::compile(&self.sandbox, &wasm, &artifact))?;
        // Where a build's time goes, for tuning (see docs/performance.md).
        tracing::debug!(
            clang_ms = (clang_done - started).as_millis() as u64,
            wasmtime_ms = clang_done.elapsed().as_millis() as u64,
            wasm_bytes = wasm.len(),
            "built a program to WebAssembly"
        );
        Ok(self.wasm(command))
    }

    fn memory_weight(binary: &Binary) -> u32 {
        match binary {
            Binary::Wasm { command, .. } => command.native_bytes().try_into().unwrap_or(u32::MAX),
            Binary::Native { .. } => 1 << 10,
        }
    }
}

#[async_trait]
impl Program for Binary {
    fn backend(&self) -> &'static str {
        match self {
            Binary::Wasm { .. } => "wasm",
            Binary::Native { .. } => "native",
        }
    }

    async fn run(
        &self,
        stdio: Stdio<'_>,
        invocation: &Invocation,
        limits: &RunLimits,
    ) -> Result<Run> {
        let (path, native) = match self {
            Binary::Wasm { command, native } => {
                let dir = native.run_dir_for(invocation)?;
                return command.run(stdio, invocation, dir.as_ref(), limits).await;
            }
            Binary::Native { path, native } => (path, native),
        };
        let command = |_: &_| NativeCommand {
            program: path.clone(),
            ..Default::default()
        };
        let limits = NativeLimits {
            // The memory limit, plus the stack reserved for deep recursion.
            address_space_bytes: limits.memory_bytes + NATIVE_STACK_BYTES,
            memory_bytes: limits.memory_bytes + NATIVE_STACK_BYTES,
            stack_bytes: NATIVE_STACK_BYTES,
            ..build::program_limits(limits)
        };
        let out_of_memory = "std::bad_alloc";
        build::run_program(native, command, stdio, invocation, &limits, out_of_memory).await
    }
}
