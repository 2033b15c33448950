//! C17 compiled to WebAssembly; what WASI cannot build (threads, signals,
//! `clock()`) is built by gcc.

use super::LanguageInfo;
use super::clang::{ClangLanguage, NativeFallback};

pub const C: ClangLanguage = ClangLanguage {
    info: LanguageInfo {
        name: "c",
        version: "C17, clang 19 (wasm)",
        backend: "wasm",
        extensions: &["c"],
    },
    compiler: "/usr/bin/clang-19",
    source_file: "main.c",
    flags: &["--target=wasm32-wasi", "-O2", "-std=c17", "-lm"],
    precompiled_headers: &[],
    native_fallback: Some(NativeFallback {
        compiler: "/usr/bin/gcc",
        flags: &["-O2", "-std=c17", "-pthread", "-lm"],
    }),
};
