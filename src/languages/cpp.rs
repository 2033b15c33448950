//! C++17 compiled to WebAssembly.

use super::LanguageInfo;
use super::clang::ClangLanguage;

pub const CPP: ClangLanguage = ClangLanguage {
    info: LanguageInfo {
        name: "cpp",
        version: "C++17, clang 19 (wasm)",
        backend: "wasm",
        extensions: &["cpp", "cc", "cxx"],
    },
    compiler: "/usr/bin/clang++-19",
    source_file: "main.cpp",
    // libc++ for WASI is built without exceptions and threads.
    flags: &[
        "--target=wasm32-wasi",
        "-O2",
        "-std=c++17",
        "-fno-exceptions",
    ],
    precompiled_header: Some("bits/stdc++.h"),
};
