//! C++ compiled to WebAssembly: `cpp` is C++17, `cpp20` is C++20.

use super::LanguageInfo;
use super::clang::{ClangLanguage, NativeFallback};

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
    // Course programs include iostream; contest programs bits/stdc++.h.
    precompiled_headers: &["bits/stdc++.h", "iostream"],
    native_fallback: Some(NativeFallback {
        compiler: "/usr/bin/g++",
        flags: &["-O2", "-std=c++17", "-pthread"],
    }),
};

pub const CPP20: ClangLanguage = ClangLanguage {
    info: LanguageInfo {
        name: "cpp20",
        version: "C++20, clang 19 (wasm)",
        // Files ending in .cpp are C++17; `--language cpp20` picks this one.
        extensions: &[],
        ..CPP.info
    },
    flags: &[
        "--target=wasm32-wasi",
        "-O2",
        "-std=c++20",
        "-fno-exceptions",
    ],
    native_fallback: Some(NativeFallback {
        compiler: "/usr/bin/g++",
        flags: &["-O2", "-std=c++20", "-pthread"],
    }),
    ..CPP
};
