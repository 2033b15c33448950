//! C and C++: compiled by Debian's clang-19 to WebAssembly inside the native
//! sandbox, then run like the interpreters, in a fresh instance per test.
//! Compiled programs are cached by source, flags and toolchain, in memory
//! (bounded by size) and on disk; identical submissions compile once.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;
use moka::future::Cache;
use sha2::{Digest, Sha256};

use super::compiler::{self, BuildError};
use super::{Compiled, Language, LanguageInfo, Program};
use crate::sandbox::native::{NativeCommand, NativeExit, NativeLimits, NativeSandbox};
use crate::sandbox::{Run, RunLimits, WasiCommand, WasmSandbox};

/// Stack of a natively built program, as large as the WebAssembly one.
const NATIVE_STACK_BYTES: u64 = 64 << 20;
/// The driver runs the linker (wasm-ld) from here; nothing else may run.
const LLVM_BIN: &str = "/usr/lib/llvm-19/bin";
/// Compiled programs kept in memory, by native code size.
const CACHE_BYTES: u64 = 256 << 20;

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

pub struct Clang {
    language: ClangLanguage,
    toolchain: Toolchain,
    sandbox: WasmSandbox,
    native: Arc<NativeSandbox>,
    compiled: Cache<String, Arc<Built>>,
    /// The precompiled header, once `prepare` built it.
    pch: tokio::sync::OnceCell<Option<PathBuf>>,
}

/// Where the toolchain lives, shared by C and C++.
#[derive(Clone)]
pub struct Toolchain {
    /// A sysroot holding only Debian's wasi-libc (see the Makefile).
    pub sysroot: PathBuf,
    /// Headers of our own, e.g. `bits/stdc++.h`.
    pub include: PathBuf,
    pub cache_dir: PathBuf,
}

impl Clang {
    pub fn new(
        language: ClangLanguage,
        toolchain: Toolchain,
        sandbox: &WasmSandbox,
        native: Arc<NativeSandbox>,
    ) -> Self {
        let compiled = Cache::builder()
            .weigher(|_, built: &Arc<Built>| match built.as_ref() {
                Built::Wasm(command) => command.native_bytes().try_into().unwrap_or(u32::MAX),
                Built::Native(_) => 1,
            })
            .max_capacity(CACHE_BYTES)
            .build();
        Self {
            language,
            toolchain,
            sandbox: sandbox.clone(),
            native,
            compiled,
            pch: tokio::sync::OnceCell::new(),
        }
    }

    /// Compiler flags shared by programs and the precompiled header, which
    /// clang only accepts with exactly the flags it was built with.
    fn common_args(&self) -> Vec<std::ffi::OsString> {
        let sysroot = format!("--sysroot={}", self.toolchain.sysroot.display());
        let include = self.toolchain.include.clone().into_os_string();
        let flags = self.language.flags.iter().map(Into::into);
        flags
            .chain([sysroot.into(), "-isystem".into(), include])
            .collect()
    }

    /// clang with `args`, reading the toolchain, running only its own tools.
    fn compiler_command(&self, args: Vec<std::ffi::OsString>) -> NativeCommand {
        NativeCommand {
            program: self.language.compiler.into(),
            args,
            read_only_paths: self.read_only_paths(),
            executables: vec![LLVM_BIN.into()],
            may_start_processes: true,
            ..Default::default()
        }
    }

    fn read_only_paths(&self) -> Vec<PathBuf> {
        let toolchain = &self.toolchain;
        vec![
            toolchain.sysroot.clone(),
            toolchain.include.clone(),
            toolchain.cache_dir.clone(),
        ]
    }

    /// Builds (once per flags and compiler, then kept on disk) the
    /// precompiled header: it saves about 1.4 s of every compile using it.
    async fn build_pch(&self, header: &str) -> Result<PathBuf> {
        let key = &self.key(header)[..24];
        let name = format!("{}-{key}.pch", self.language.info.name);
        let pch = self.toolchain.cache_dir.join("pch").join(name);
        if pch.exists() {
            return Ok(pch);
        }
        let dir = self.native.run_dir()?;
        let mut args = self.common_args();
        let source = self.toolchain.include.join(header).into_os_string();
        args.extend([
            "-x".into(),
            "c++-header".into(),
            source,
            "-o".into(),
            "header.pch".into(),
        ]);
        let command = self.compiler_command(args);
        let run = self.native.run(&dir, &command, &compiler::limits()).await?;
        anyhow::ensure!(
            run.exit == Some(NativeExit::Code(0)),
            "precompiling {header} failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let bytes = dir.read("header.pch")?;
        std::fs::create_dir_all(pch.parent().expect("a file in a directory"))?;
        std::fs::write(&pch, bytes)?;
        Ok(pch)
    }

    /// Names the program: any change to source, flags or compiler is a new key.
    fn key(&self, code: &str) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.language.info.name,
            self.language.compiler,
            self.language.info.version,
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        for flag in self.language.flags.iter().chain(LINK_FLAGS) {
            hash.update(flag.as_bytes());
            hash.update([0]);
        }
        hash.update(code.as_bytes());
        hex::encode(hash.finalize())
    }

    async fn build(&self, code: &str, key: &str) -> Result<Arc<Built>, BuildError> {
        let artifact = self
            .toolchain
            .cache_dir
            .join("programs")
            .join(format!("{key}.cwasm"));
        if let Some(command) = WasiCommand::load(&self.sandbox, &artifact)? {
            return Ok(Arc::new(Built::Wasm(command)));
        }
        let binary = artifact.with_extension("native");
        if binary.exists() {
            return Ok(Arc::new(Built::Native(binary)));
        }
        let dir = self.native.run_dir()?;
        std::fs::write(dir.path().join(self.language.source_file), code)
            .context("writing the source")?;
        let mut args = self.common_args();
        args.extend(LINK_FLAGS.iter().map(Into::into));
        let pch = self.pch.get().cloned().flatten();
        if let (Some(pch), Some(header)) = (pch, self.language.precompiled_header)
            && code.contains(header)
        {
            args.extend(["-include-pch".into(), pch.into_os_string()]);
        }
        args.extend([
            self.language.source_file.into(),
            "-o".into(),
            "program.wasm".into(),
        ]);
        let command = self.compiler_command(args);
        let run = self.native.run(&dir, &command, &compiler::limits()).await?;
        if run.timed_out {
            return Err(BuildError::Rejected(
                "compilation took longer than 10 s".into(),
            ));
        }
        if run.exit != Some(NativeExit::Code(0)) {
            let diagnostics = compiler::diagnostics(&run.stderr);
            if let Some(fallback) = &self.language.native_fallback
                && fallback
                    .triggers
                    .iter()
                    .any(|trigger| diagnostics.contains(trigger))
            {
                return self.build_native(code, fallback, &binary).await;
            }
            return Err(BuildError::Rejected(diagnostics));
        }
        let wasm = dir
            .read("program.wasm")
            .context("reading the compiled program")?;
        let command =
            tokio::task::block_in_place(|| WasiCommand::compile(&self.sandbox, &wasm, &artifact))?;
        Ok(Arc::new(Built::Wasm(command)))
    }

    /// What WebAssembly cannot build (exceptions, threads), built natively;
    /// the binary then runs in the native sandbox, threads but no processes.
    async fn build_native(
        &self,
        code: &str,
        fallback: &NativeFallback,
        binary: &Path,
    ) -> Result<Arc<Built>, BuildError> {
        let dir = self.native.run_dir()?;
        std::fs::write(dir.path().join(self.language.source_file), code)
            .context("writing the source")?;
        let mut args: Vec<std::ffi::OsString> = fallback.flags.iter().map(Into::into).collect();
        args.extend([
            self.language.source_file.into(),
            "-o".into(),
            "program".into(),
        ]);
        let command = NativeCommand {
            program: fallback.compiler.into(),
            args,
            // The gcc driver runs cc1plus, as and ld.
            executables: vec!["/usr/bin".into(), "/usr/lib/gcc".into()],
            may_start_processes: true,
            ..Default::default()
        };
        let run = self.native.run(&dir, &command, &compiler::limits()).await?;
        if run.exit != Some(NativeExit::Code(0)) || run.timed_out {
            return Err(BuildError::Rejected(compiler::diagnostics(&run.stderr)));
        }
        std::fs::create_dir_all(binary.parent().expect("a file in a directory"))
            .context("creating the program cache")?;
        // Staged per process: replicas may share the cache directory.
        let partial = binary.with_extension(format!("partial-{}", std::process::id()));
        let program = dir.read("program").context("reading the binary")?;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o755)
            .open(&partial)
            .and_then(|mut file| file.write_all(&program))
            .and_then(|()| std::fs::rename(&partial, binary))
            .context("caching the binary")?;
        Ok(Arc::new(Built::Native(binary.to_path_buf())))
    }
}

/// A program ready to run: WebAssembly, or a native binary on disk.
enum Built {
    Wasm(WasiCommand),
    Native(PathBuf),
}

/// How to build natively what clang for WebAssembly cannot.
pub struct NativeFallback {
    pub compiler: &'static str,
    pub flags: &'static [&'static str],
    /// Diagnostics that mean "needs the native build".
    pub triggers: &'static [&'static str],
}

#[async_trait]
impl Language for Clang {
    fn info(&self) -> &LanguageInfo {
        &self.language.info
    }

    async fn prepare(&self) -> Result<()> {
        let Some(header) = self.language.precompiled_header else {
            return Ok(());
        };
        let pch = self.build_pch(header);
        compiler::prepare_once(&self.pch, &format!("a precompiled {header}"), pch).await;
        Ok(())
    }

    async fn compile(&self, code: &str) -> Result<Compiled> {
        let key = self.key(code);
        // Concurrent compiles of the same key wait for the first one.
        let built = self
            .compiled
            .try_get_with(key.clone(), self.build(code, &key))
            .await;
        let native = self.native.clone();
        compiler::compiled(
            built.map(|built| Arc::new(Binary { built, native }) as Arc<dyn Program>),
        )
    }
}

struct Binary {
    built: Arc<Built>,
    native: Arc<NativeSandbox>,
}

#[async_trait]
impl Program for Binary {
    fn backend(&self) -> &'static str {
        match self.built.as_ref() {
            Built::Wasm(_) => "wasm",
            Built::Native(_) => "native",
        }
    }

    async fn run(&self, stdin: &[u8], limits: &RunLimits) -> Result<Run> {
        let binary = match self.built.as_ref() {
            Built::Wasm(command) => return command.run(stdin, limits).await,
            Built::Native(binary) => binary,
        };
        let dir = self.native.run_dir()?;
        let command = NativeCommand {
            program: binary.clone(),
            stdin: stdin.to_vec(),
            ..Default::default()
        };
        let native_limits = NativeLimits {
            wall_time: limits.wall_time,
            cpu_seconds: limits.wall_time.as_secs() + 1,
            // The memory limit, plus the stack reserved for deep recursion.
            address_space_bytes: limits.memory_bytes + NATIVE_STACK_BYTES,
            memory_bytes: limits.memory_bytes + NATIVE_STACK_BYTES,
            file_size_bytes: 1 << 20,
            open_files: 64,
            stack_bytes: NATIVE_STACK_BYTES,
            processes: compiler::PROGRAM_THREADS,
            stdout_bytes: limits.stdout_bytes,
            stderr_bytes: limits.stderr_bytes,
        };
        let run = self.native.run(&dir, &command, &native_limits).await?;
        let out_of_memory = String::from_utf8_lossy(&run.stderr).contains("std::bad_alloc");
        Ok(run.into_run(out_of_memory))
    }
}

/// The shared toolchain paths under `runtimes_dir` (see the Makefile).
pub fn toolchain(runtimes_dir: &Path, cache_dir: &Path) -> Toolchain {
    Toolchain {
        sysroot: runtimes_dir.join("wasi-sysroot"),
        include: runtimes_dir.join("include"),
        cache_dir: cache_dir.to_path_buf(),
    }
}
