//! C and C++: compiled by Debian's clang-19 to WebAssembly inside the native
//! sandbox, then run like the interpreters, in a fresh instance per test.
//! What WebAssembly cannot build (exceptions, threads) is built by g++ and
//! runs natively.

use std::ffi::OsString;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;

use super::build::{self, BuildError, CacheDir, Compiler};
use super::{LanguageInfo, Program};
use crate::sandbox::native::{NativeCommand, NativeLimits, NativeSandbox};
use crate::sandbox::{Run, RunLimits, WasiCommand, WasmSandbox};

/// Stack of a natively built program, as large as the WebAssembly one.
const NATIVE_STACK_BYTES: u64 = 64 << 20;
/// The driver runs the linker (wasm-ld) from here; nothing else may run.
const LLVM_BIN: &str = "/usr/lib/llvm-19/bin";
/// The natively built program, in its run directory and its cache directory.
const NATIVE_BINARY: &str = "program";

/// Stack-first layout turns a stack overflow into a clean trap instead of
/// silent corruption; 64 MiB fits recursion 10^6 deep of a small function.
const LINK_FLAGS: &[&str] = &["-Wl,--stack-first", "-Wl,-z,stack-size=67108864"];

/// One language built with clang: its name, compiler and flags.
pub struct ClangLanguage {
    pub info: LanguageInfo,
    pub compiler: &'static str,
    pub source_file: &'static str,
    pub flags: &'static [&'static str],
    /// A header worth precompiling, used when a source includes it.
    pub precompiled_header: Option<&'static str>,
    pub native_fallback: Option<NativeFallback>,
}

/// How to build natively what clang for WebAssembly cannot.
pub struct NativeFallback {
    pub compiler: &'static str,
    pub flags: &'static [&'static str],
    /// Diagnostics that mean "needs the native build".
    pub triggers: &'static [&'static str],
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
}

pub struct Clang {
    language: ClangLanguage,
    toolchain: Toolchain,
    sandbox: WasmSandbox,
    native: Arc<NativeSandbox>,
    /// The precompiled header, once `prepare` built it.
    pch: tokio::sync::OnceCell<Option<PathBuf>>,
}

/// A C or C++ program ready to run: WebAssembly, or a native binary.
pub enum Binary {
    Wasm(WasiCommand),
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
            language,
            toolchain,
            sandbox: sandbox.clone(),
            native,
            pch: tokio::sync::OnceCell::new(),
        }
    }

    /// Compiler flags shared by programs and the precompiled header, which
    /// clang only accepts with exactly the flags it was built with.
    fn common_args(&self) -> Vec<OsString> {
        let sysroot = format!("--sysroot={}", self.toolchain.sysroot.display());
        let include = self.toolchain.include.clone().into_os_string();
        let flags = self.language.flags.iter().map(Into::into);
        flags
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

    /// Builds (once per flags and compiler, then kept on disk) the
    /// precompiled header: it saves about 1.4 s of every compile using it.
    async fn build_pch(&self, cache: &CacheDir, header: &str) -> Result<PathBuf> {
        let name = format!("{}.pch", cache.key(header));
        let pch = cache.path(&name);
        if pch.exists() {
            return Ok(pch);
        }
        let mut args = self.common_args();
        let source = self.toolchain.include.join(header).into_os_string();
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

    /// The native build, if `diagnostics` say WebAssembly cannot build the source.
    fn native_fallback(&self, diagnostics: &str) -> Option<&NativeFallback> {
        let fallback = self.language.native_fallback.as_ref();
        fallback.filter(|fallback| {
            let mut triggers = fallback.triggers.iter();
            triggers.any(|trigger| diagnostics.contains(trigger))
        })
    }

    /// What WebAssembly cannot build, built natively; the binary then runs
    /// in the native sandbox, threads but no processes.
    async fn build_native(
        &self,
        cache: &CacheDir,
        key: &str,
        code: &str,
        fallback: &NativeFallback,
    ) -> Result<Binary, BuildError> {
        let mut args: Vec<OsString> = fallback.flags.iter().map(Into::into).collect();
        args.extend([
            self.language.source_file.into(),
            "-o".into(),
            NATIVE_BINARY.into(),
        ]);
        let command = NativeCommand {
            program: fallback.compiler.into(),
            args,
            // The gcc driver runs cc1plus, as and ld.
            executables: vec!["/usr/bin".into(), "/usr/lib/gcc".into()],
            may_start_processes: true,
            ..Default::default()
        };
        let source = [(self.language.source_file, code)];
        let limits = build::compile_limits();
        let dir = build::run_compiler(&self.native, &source, &command, &limits).await?;
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

    /// By native code size: compiled programs are up to megabytes.
    const MEMORY_CAPACITY: u64 = 256 << 20;

    fn info(&self) -> &LanguageInfo {
        &self.language.info
    }

    fn identity(&self) -> Vec<String> {
        let language = &self.language;
        let mut parts = vec![language.compiler, language.info.version];
        parts.extend(language.flags.iter().chain(LINK_FLAGS));
        if let Some(fallback) = &language.native_fallback {
            parts.push(fallback.compiler);
            parts.extend(fallback.flags);
        }
        let mut parts: Vec<String> = parts.into_iter().map(String::from).collect();
        // Compiled programs are native code for this engine only.
        let mut engine = DefaultHasher::new();
        let compatibility = self.sandbox.engine().precompile_compatibility_hash();
        compatibility.hash(&mut engine);
        parts.push(format!("{:016x}", engine.finish()));
        parts
    }

    async fn prepare(&self, cache: &CacheDir) -> Result<()> {
        let Some(header) = self.language.precompiled_header else {
            return Ok(());
        };
        let pch = self.build_pch(cache, header);
        build::prepare_once(&self.pch, &format!("a precompiled {header}"), pch).await;
        Ok(())
    }

    fn load(&self, cache: &CacheDir, key: &str, _code: &str) -> Result<Option<Binary>> {
        let wasm = cache.path(&format!("{key}.cwasm"));
        if let Some(command) = WasiCommand::load(&self.sandbox, &wasm)? {
            return Ok(Some(Binary::Wasm(command)));
        }
        let path = cache.path(key).join(NATIVE_BINARY);
        Ok(path.exists().then(|| Binary::Native {
            path,
            native: self.native.clone(),
        }))
    }

    async fn build(&self, cache: &CacheDir, key: &str, code: &str) -> Result<Binary, BuildError> {
        let language = &self.language;
        let mut args = self.common_args();
        args.extend(LINK_FLAGS.iter().map(Into::into));
        let pch = self.pch.get().cloned().flatten().filter(|_| {
            language
                .precompiled_header
                .is_some_and(|header| code.contains(header))
        });
        if let Some(pch) = &pch {
            args.extend(["-include-pch".into(), pch.into()]);
        }
        args.extend([
            language.source_file.into(),
            "-o".into(),
            "program.wasm".into(),
        ]);
        let command = self.compiler_command(args, pch);
        let source = [(language.source_file, code)];
        let limits = build::compile_limits();
        let dir = match build::run_compiler(&self.native, &source, &command, &limits).await {
            Err(BuildError::Rejected(diagnostics)) => {
                return match self.native_fallback(&diagnostics) {
                    Some(fallback) => self.build_native(cache, key, code, fallback).await,
                    None => Err(BuildError::Rejected(diagnostics)),
                };
            }
            compiled => compiled?,
        };
        let wasm = dir
            .read("program.wasm")
            .context("reading the compiled program")?;
        let artifact = cache.path(&format!("{key}.cwasm"));
        let command =
            tokio::task::block_in_place(|| WasiCommand::compile(&self.sandbox, &wasm, &artifact))?;
        Ok(Binary::Wasm(command))
    }

    fn memory_weight(binary: &Binary) -> u32 {
        match binary {
            Binary::Wasm(command) => command.native_bytes().try_into().unwrap_or(u32::MAX),
            Binary::Native { .. } => 1,
        }
    }
}

#[async_trait]
impl Program for Binary {
    fn backend(&self) -> &'static str {
        match self {
            Binary::Wasm(_) => "wasm",
            Binary::Native { .. } => "native",
        }
    }

    async fn run(&self, stdin: &[u8], limits: &RunLimits) -> Result<Run> {
        let (path, native) = match self {
            Binary::Wasm(command) => return command.run(stdin, limits).await,
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
        build::run_program(native, command, stdin, &limits, "std::bad_alloc").await
    }
}
