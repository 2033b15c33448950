//! Compiler flags a request may add (the Jobe and Judge0 APIs carry them):
//! only those that change how the language is read or warned about, never
//! what the compiler reads or runs (`-I`, `-include`, `-Wl,`, `-fplugin`,
//! `@file`), since the compiler's sandbox is the last line, not the first.

/// `Err` names the first flag `language` does not take from a request.
pub fn check_compile_flags(language: &str, flags: &[String]) -> Result<(), String> {
    let allowed: fn(&str) -> bool = match language {
        "c" | "cpp" | "cpp20" => clang_flag,
        "java" => javac_flag,
        _ if flags.is_empty() => return Ok(()),
        _ => return Err(format!("{language} has no compiler to give flags to")),
    };
    match flags.iter().find(|flag| !allowed(flag)) {
        Some(flag) => Err(format!(
            "compiler flag {flag:?} is not allowed: {language} takes only {}",
            match language {
                "java" => "-Xlint[:...], -Werror, -nowarn, -deprecation, -g[:...]",
                _ =>
                    "-W... (not -Wl, -Wa, -Wp), -w, -std=..., -O..., -D..., -U..., -g..., \
                      -pedantic[-errors], -ansi",
            }
        )),
        None => Ok(()),
    }
}

fn clang_flag(flag: &str) -> bool {
    let passes_through = ["-Wl,", "-Wa,", "-Wp,"].iter().any(|p| flag.starts_with(p));
    let prefixed = ["-W", "-std=", "-O", "-D", "-U", "-g"];
    let exact = ["-w", "-pedantic", "-pedantic-errors", "-ansi"];
    !passes_through && (exact.contains(&flag) || prefixed.iter().any(|p| flag.starts_with(p)))
}

fn javac_flag(flag: &str) -> bool {
    let exact = ["-Xlint", "-Werror", "-nowarn", "-deprecation", "-g"];
    exact.contains(&flag) || flag.starts_with("-Xlint:") || flag.starts_with("-g:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(language: &str, flags: &[&str]) -> Result<(), String> {
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        check_compile_flags(language, &flags)
    }

    #[test]
    fn warnings_standards_and_macros_are_allowed() {
        assert!(check("c", &["-Wall", "-Werror", "-std=c99", "-O0", "-DDEBUG=1"]).is_ok());
        assert!(check("java", &["-Xlint:all", "-Werror"]).is_ok());
        assert!(check("python", &[]).is_ok());
    }

    #[test]
    fn flags_that_read_files_or_reach_other_tools_are_refused() {
        for flag in [
            "-I/etc",
            "-include/etc/passwd",
            "-Wl,--export-all",
            "-Wp,-v",
            "@args",
        ] {
            let refused = check("cpp", &[flag]).unwrap_err();
            assert!(refused.contains(flag), "{refused}");
        }
        assert!(check("java", &["-processorpath", "/tmp"]).is_err());
        assert!(check("python", &["-O"]).is_err());
    }
}
