//! C17 compiled to WebAssembly.

use super::LanguageInfo;
use super::clang::ClangLanguage;

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
    precompiled_header: None,
    native_fallback: None,
};
