//! Programs a package ships (validators, checkers, solutions), each a
//! single source file or a folder of files, and the judgebox language each
//! is in, told by its file name.

use std::collections::BTreeMap;

use super::{InputValidator, PackageFiles};
use crate::judge::{CHECKER_LANGUAGES, CheckerProtocol, CheckerSpec};

/// A program from a package: its main source and the files beside it.
#[derive(Debug, Clone)]
pub struct PackageProgram {
    /// Where it is in the package.
    pub path: String,
    /// `None`: a language judgebox does not run.
    pub language: Option<&'static str>,
    pub source: String,
    pub files: BTreeMap<String, String>,
}

/// The judgebox language of a source file, by its extension.
pub fn language_of(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    match extension {
        "py" => Some("python"),
        "js" => Some("javascript"),
        "c" => Some("c"),
        "cc" | "cpp" | "cxx" | "c++" | "C" => Some("cpp"),
        "java" => Some("java"),
        _ => None,
    }
}

impl PackageProgram {
    /// The program at `path`: a source file, or a folder whose main source
    /// is the one defining `main` (else the first source), the rest of its
    /// text files beside it. `None` when `path` holds no source judgebox
    /// knows; `Err` when a file is not text.
    pub fn read(files: &PackageFiles, path: &str) -> Result<Option<Self>, String> {
        if let Some(source) = files.text(path)? {
            return Ok(Some(Self {
                path: path.to_string(),
                language: language_of(path),
                source,
                files: BTreeMap::new(),
            }));
        }
        let folder = format!("{path}/");
        let mut texts = BTreeMap::new();
        for file in files.under(&folder) {
            let name = &file[folder.len()..];
            // Build scripts and the like in subfolders are not sources.
            if !name.contains('/')
                && let Some(text) = files.text(file)?
            {
                texts.insert(name.to_string(), text);
            }
        }
        let sources = || texts.iter().filter(|(name, _)| language_of(name).is_some());
        let main = (sources().find(|(_, text)| defines_main(text)))
            .or_else(|| sources().next())
            .map(|(name, _)| name.clone());
        let Some(main) = main else {
            return Ok(None);
        };
        let source = texts.remove(&main).expect("a file of the folder");
        Ok(Some(Self {
            path: path.to_string(),
            language: language_of(&main),
            source,
            files: texts,
        }))
    }

    /// It as a checker (or validator) speaking `protocol`.
    pub fn checker(
        &self,
        protocol: CheckerProtocol,
        arguments: Vec<String>,
    ) -> Result<CheckerSpec, String> {
        let language = self
            .language
            .ok_or_else(|| format!("{} is in a language judgebox does not run", self.path))?;
        let spec = CheckerSpec {
            protocol,
            language: language.to_string(),
            source: self.source.clone(),
            files: self.files.clone(),
            arguments,
            time_ms: CheckerSpec::DEFAULT_TIME_MS,
        };
        spec.validate()
            .map_err(|error| format!("{}: {error}", self.path))?;
        Ok(spec)
    }
}

impl PackageProgram {
    /// It as an input validator speaking `protocol`; `None`, with a
    /// warning, when it is in a language (or a tool, as Kattis's
    /// checktestdata) that judgebox does not run validators in: the import
    /// goes on without it.
    pub fn input_validator(
        self,
        protocol: CheckerProtocol,
        warnings: &mut Vec<String>,
    ) -> Result<Option<InputValidator>, String> {
        if !self
            .language
            .is_some_and(|l| CHECKER_LANGUAGES.contains(&l))
        {
            warnings.push(format!(
                "input validator {} is not run: judgebox runs validators written in {}",
                self.path,
                CHECKER_LANGUAGES.join(", ")
            ));
            return Ok(None);
        }
        Ok(Some(InputValidator {
            program: self.checker(protocol, Vec::new())?,
            path: self.path,
        }))
    }
}

/// Whether a source defines the program's entry point.
fn defines_main(text: &str) -> bool {
    text.contains("main(") || text.contains("main (") || text.contains("__main__")
}
