//! javac kept warm: one JVM in the native sandbox (`JavacServer.java`)
//! compiles submission after submission, with javac already loaded and
//! compiled by the JIT, in a tenth of a cold javac's time. Each compile is
//! a new javac task over sources and classes held in memory, so it sees
//! nothing of another's.
//!
//! It only ever saves time: whenever it cannot answer (not built, crashed,
//! too slow, stopped by its limits), the caller compiles with a cold javac,
//! whose answer is the same, limits included. It is started by the first
//! compile that needs it and replaced after `COMPILES_PER_SERVER` compiles
//! or `SERVER_LIFETIME`, which bounds what one JVM accumulates; an idle one
//! ends with its wall-clock limit.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::languages::Source;
use crate::languages::build::{self, BuildError, CacheDir};
use crate::sandbox::native::{NativeCommand, NativeLimits, NativeSandbox, NativeService};

/// Its source file: name, and text.
pub const SERVER_SOURCE: (&str, &str) = ("JavacServer.java", include_str!("JavacServer.java"));
const SERVER_CLASS: &str = "JavacServer";
/// javac's own classes `JavacServer` uses to tell a compile error from a
/// failure of javac itself.
pub const JAVAC_INTERNALS: [&str; 4] = [
    "--add-exports",
    "jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
    "--add-exports",
    "jdk.compiler/com.sun.tools.javac.main=ALL-UNNAMED",
];
/// What `JavacServer` puts before each reply.
const REPLY_MAGIC: u32 = 0x4a41_5643;
/// The largest reply read: a submission's classes and diagnostics.
const MAX_REPLY_BYTES: usize = 64 << 20;

/// A compile the warm javac takes longer for (in wall time, on a loaded
/// server too) is given to a cold javac, which enforces the compile limits.
const COMPILE_TIMEOUT: Duration = Duration::from_secs(5);
/// A compile that would wait longer for the warm javac to finish the others
/// compiles cold: one slow source must not hold up every Java compile.
const WAIT_FOR_SERVER: Duration = Duration::from_secs(2);
const COMPILES_PER_SERVER: u32 = 200;
const SERVER_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The server's JVM: the full JIT, since it lives for many compiles.
const SERVER_JVM_FLAGS: &[&str] = &[
    "-Xmx256m",
    "-Xss512k",
    "-XX:MaxMetaspaceSize=96m",
    "-XX:CompressedClassSpaceSize=32m",
    "-XX:ReservedCodeCacheSize=48m",
    "-XX:+UseSerialGC",
    "-XX:ActiveProcessorCount=1",
    "-XX:-UsePerfData",
    // Its stdout carries replies only.
    "-XX:+DisplayVMOutputToStderr",
];

/// What the warm javac answered.
pub enum WarmCompile {
    /// The class files javac wrote: a file name, and its bytes.
    Classes(Vec<(String, Vec<u8>)>),
    /// javac's diagnostics.
    Rejected(String),
}

pub struct WarmJavac {
    native: Arc<NativeSandbox>,
    /// The compiled `JavacServer`, once `prepare` made it.
    server_classes: tokio::sync::OnceCell<Option<PathBuf>>,
    server: tokio::sync::Mutex<Option<Server>>,
}

struct Server {
    service: NativeService,
    started: Instant,
    compiles: u32,
}

impl WarmJavac {
    pub fn new(native: Arc<NativeSandbox>) -> Self {
        Self {
            native,
            server_classes: tokio::sync::OnceCell::new(),
            server: tokio::sync::Mutex::new(None),
        }
    }

    /// Keeps `JavacServer` compiled in the cache: by `compile` (a cold javac
    /// given `SERVER_SOURCE` and `JAVAC_INTERNALS`), once.
    pub async fn prepare(
        &self,
        cache: &CacheDir,
        compile: impl Future<Output = Result<Vec<(String, Vec<u8>)>, BuildError>>,
    ) {
        let build = async {
            // Kept beside the archive, where builds' eviction does not reach.
            let dir = format!("server-{}", cache.key(Source::code(SERVER_SOURCE.1)));
            let main = format!("{SERVER_CLASS}.class");
            if cache.path(&dir).join(&main).exists() {
                return Ok(cache.path(&dir));
            }
            let mut classes = compile.await.map_err(|error| match error {
                BuildError::Rejected(said) => anyhow::anyhow!("javac rejected it: {said}"),
                BuildError::Host(error) => error,
            })?;
            std::fs::create_dir_all(cache.path(&dir))?;
            // Its main class last: the directory is complete once that exists.
            classes.sort_by_key(|(name, _)| *name == main);
            for (name, bytes) in &classes {
                cache.write(&format!("{dir}/{name}"), bytes)?;
            }
            Ok(cache.path(&dir))
        };
        build::prepare_once(&self.server_classes, "javac kept warm", build).await;
    }

    /// `None` when the warm javac could not answer: compile cold.
    pub async fn compile(&self, flags: &[String], sources: &[(&str, &str)]) -> Option<WarmCompile> {
        let classes = self.server_classes.get().cloned().flatten()?;
        let waited = tokio::time::timeout(WAIT_FOR_SERVER, self.server.lock());
        let Ok(mut server) = waited.await else {
            tracing::debug!("javac kept warm is busy; this compile runs cold");
            return None;
        };
        let worn = |s: &Server| {
            s.service.has_ended()
                || s.compiles >= COMPILES_PER_SERVER
                || s.started.elapsed() >= SERVER_LIFETIME - COMPILE_TIMEOUT
        };
        if server.as_ref().is_none_or(worn) {
            *server = None;
            match self.start(&classes) {
                Ok(started) => *server = Some(started),
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "cannot start javac kept warm");
                    return None;
                }
            }
        }
        let running = server.as_mut()?;
        running.compiles += 1;
        let reply = tokio::time::timeout(
            COMPILE_TIMEOUT,
            exchange(&mut running.service, flags, sources),
        );
        match reply.await {
            Ok(Ok(Some(compiled))) => Some(compiled),
            outcome => {
                // It crashed, wrote nonsense or took too long: it is not used again.
                let why = match outcome {
                    Ok(Ok(_)) => "javac failed (it crashed or ran out of memory)".to_string(),
                    Ok(Err(error)) => format!("{error:#}"),
                    Err(_) => format!("no answer in {COMPILE_TIMEOUT:?}"),
                };
                tracing::info!(why, "javac kept warm is replaced; this compile runs cold");
                *server = None;
                None
            }
        }
    }

    fn start(&self, classes: &Path) -> Result<Server> {
        let flags = SERVER_JVM_FLAGS.iter().chain(&JAVAC_INTERNALS);
        let mut args: Vec<OsString> = flags.map(Into::into).collect();
        args.extend([
            "-cp".into(),
            classes.as_os_str().to_owned(),
            SERVER_CLASS.into(),
        ]);
        let command = NativeCommand {
            program: super::JAVA.into(),
            args,
            env: vec![("MALLOC_ARENA_MAX".into(), "1".into())],
            read_only_paths: vec![classes.to_path_buf()],
            executables: Vec::new(),
            may_start_processes: false,
        };
        let compile = build::compile_limits();
        let limits = NativeLimits {
            // All its compiles together: 30 cold compiles' worth, where a
            // warm compile takes a tenth of a cold one.
            cpu_time: compile.cpu_time * 30,
            wall_time: SERVER_LIFETIME,
            address_space_bytes: 1 << 30,
            memory_bytes: 512 << 20,
            // It writes nothing but its replies, all on stdout.
            stdout_bytes: COMPILES_PER_SERVER as usize * (1 << 20),
            ..compile
        };
        let service = self.native.start_service(command, limits)?;
        tracing::debug!("javac kept warm started");
        Ok(Server {
            service,
            started: Instant::now(),
            compiles: 0,
        })
    }
}

/// Sends one request and reads its reply: `None` when javac itself failed.
async fn exchange(
    service: &mut NativeService,
    flags: &[String],
    sources: &[(&str, &str)],
) -> Result<Option<WarmCompile>> {
    let mut request = Vec::new();
    put_count(&mut request, flags.len());
    for flag in flags {
        put_bytes(&mut request, flag.as_bytes());
    }
    put_count(&mut request, sources.len());
    for (name, text) in sources {
        put_bytes(&mut request, name.as_bytes());
        put_bytes(&mut request, text.as_bytes());
    }
    service.send(&request);
    let mut header = [0u8; 8];
    service
        .read_exact(&mut header)
        .await
        .context("reading a reply")?;
    let (magic, length) = header.split_at(4);
    let length = u32::from_be_bytes(length.try_into()?) as usize;
    if u32::from_be_bytes(magic.try_into()?) != REPLY_MAGIC || length > MAX_REPLY_BYTES {
        bail!("javac kept warm wrote something else than a reply");
    }
    let mut body = vec![0u8; length];
    service
        .read_exact(&mut body)
        .await
        .context("reading a reply")?;
    parse_reply(&body)
}

fn parse_reply(body: &[u8]) -> Result<Option<WarmCompile>> {
    let mut reader = Reader(body);
    let status = reader.count()?;
    let diagnostics = build::diagnostics(reader.bytes()?);
    let classes = (0..reader.count()?)
        .map(|_| {
            let name = String::from_utf8(reader.bytes()?.to_vec())?;
            Ok((name, reader.bytes()?.to_vec()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(match status {
        0 => Some(WarmCompile::Classes(classes)),
        1 => Some(WarmCompile::Rejected(diagnostics)),
        _ => None,
    })
}

fn put_count(into: &mut Vec<u8>, count: usize) {
    into.extend_from_slice(&(count as u32).to_be_bytes());
}

fn put_bytes(into: &mut Vec<u8>, bytes: &[u8]) {
    put_count(into, bytes.len());
    into.extend_from_slice(bytes);
}

/// Reads a reply's counts and length-prefixed byte strings.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn count(&mut self) -> Result<usize> {
        let Some((count, rest)) = self.0.split_first_chunk::<4>() else {
            bail!("a reply ended early");
        };
        self.0 = rest;
        Ok(u32::from_be_bytes(*count) as usize)
    }

    fn bytes(&mut self) -> Result<&'a [u8]> {
        let length = self.count()?;
        if length > self.0.len() {
            bail!("a reply ended early");
        }
        let (bytes, rest) = self.0.split_at(length);
        self.0 = rest;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: usize, diagnostics: &str, classes: &[(&str, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        put_count(&mut body, status);
        put_bytes(&mut body, diagnostics.as_bytes());
        put_count(&mut body, classes.len());
        for (name, bytes) in classes {
            put_bytes(&mut body, name.as_bytes());
            put_bytes(&mut body, bytes);
        }
        body
    }

    #[test]
    fn a_reply_gives_classes_diagnostics_or_a_failure_and_a_cut_one_is_an_error() {
        let compiled = reply(0, "", &[("Main.class", b"\xca\xfe"), ("Main$1.class", b"")]);
        let Some(WarmCompile::Classes(classes)) = parse_reply(&compiled).unwrap() else {
            panic!("not classes");
        };
        assert_eq!(classes[0], ("Main.class".to_string(), b"\xca\xfe".to_vec()));
        assert_eq!(classes[1].0, "Main$1.class");
        let rejected = reply(1, "Main.java:1: error: ';' expected", &[]);
        let Some(WarmCompile::Rejected(said)) = parse_reply(&rejected).unwrap() else {
            panic!("not rejected");
        };
        assert_eq!(said, "Main.java:1: error: ';' expected");
        assert!(parse_reply(&reply(2, "", &[])).unwrap().is_none());
        assert!(parse_reply(&compiled[..compiled.len() - 1]).is_err());
        let mut too_long = reply(1, "", &[]);
        too_long[7] = 200;
        assert!(parse_reply(&too_long).is_err());
    }
}
