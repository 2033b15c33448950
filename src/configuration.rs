//! Settings, from command-line flags or the environment (flags win). A
//! renamed setting keeps its old name as a hidden alias; docs/configuration.md
//! lists both.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::auth::{AccessPolicy, AdminToken, Secret};
use crate::judge::{LimitPolicy, Limits};
use crate::languages::{self, BuildCacheLimits};
use crate::sandbox::SandboxConfig;
use crate::sandbox::native::{DEFAULT_FIRST_UID, NativeConfig};
use crate::service::{CallbackPolicy, JudgingConfig};

/// Absolute (the checkout this binary was built from), so that running
/// `judgebox` inside a folder someone else prepared never loads its runtimes.
const RUNTIMES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/runtimes/build");
const CACHE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/runtimes/build/cache");

/// Where the runtimes are and how the sandbox is sized; shared by every command.
#[derive(Debug, Clone, Args)]
pub struct RuntimeSettings {
    /// Directory holding the built runtime components (python.wasm).
    #[arg(long, env = "JUDGEBOX_RUNTIMES_DIR", default_value = RUNTIMES_DIR)]
    pub runtimes_dir: PathBuf,
    /// Directory for precompiled runtimes; only the operator may write here.
    #[arg(long, env = "JUDGEBOX_CACHE_DIR", default_value = CACHE_DIR)]
    pub cache_dir: PathBuf,
    /// Compiled submissions kept on disk in the cache directory (MiB, all
    /// languages and replicas sharing it together); past it the least
    /// recently used go, none used in the last hour.
    #[arg(long, env = "JUDGEBOX_CACHE_MAX_MB", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub cache_max_mb: u64,
    /// Compiled submissions kept in memory (MiB, all compiled languages
    /// together), so that a resubmission starts at once.
    #[arg(long, env = "JUDGEBOX_CACHE_MEMORY_MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
    pub cache_memory_mb: u64,
    /// Where compilers get their private run directories [default: the
    /// system temporary directory's judgebox-runs].
    #[arg(long, env = "JUDGEBOX_RUNS_DIR")]
    pub runs_dir: Option<PathBuf>,
    /// WebAssembly runs (one program on one test's input) at once [default:
    /// twice the number of CPUs].
    #[arg(long, env = "JUDGEBOX_CONCURRENT_RUNS", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrent_runs: Option<u32>,
    /// Deprecated name of --concurrent-runs.
    #[arg(long = "workers", env = "JUDGEBOX_WORKERS", hide = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub deprecated_workers: Option<u32>,
    /// Native runs (compilers, JVMs, natively built programs) at once
    /// [default: --concurrent-runs].
    #[arg(long, env = "JUDGEBOX_CONCURRENT_NATIVE_RUNS", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrent_native_runs: Option<u32>,
    /// Deprecated name of --concurrent-native-runs.
    #[arg(long = "native-slots", env = "JUDGEBOX_NATIVE_SLOTS", hide = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub deprecated_native_slots: Option<u32>,
    /// When the service runs as root, the native runs at once get the uids
    /// from this one on, one each; the range must hold no accounts.
    #[arg(long, env = "JUDGEBOX_SANDBOX_FIRST_UID", default_value_t = DEFAULT_FIRST_UID)]
    pub sandbox_first_uid: u32,
    /// Linear memory (MiB) each WebAssembly instance's pooled memory keeps
    /// resident between runs.
    #[arg(long, env = "JUDGEBOX_KEEP_RESIDENT_MB", default_value_t = 16)]
    pub keep_resident_mb: usize,
    /// For profiling: writes /tmp/perf-PID.map, which names compiled
    /// WebAssembly functions (CPython's and QuickJS's included) in `perf
    /// report`. Slows start-up and leaves the file behind.
    #[arg(long, env = "JUDGEBOX_WASM_PERF_MAP", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true", default_value = "false")]
    pub wasm_perf_map: bool,
    #[command(flatten)]
    pub limits: LimitSettings,
}

/// Per-test-case limits: what a request gets by default and the most it may ask for.
#[derive(Debug, Clone, Args)]
pub struct LimitSettings {
    #[arg(long, env = "JUDGEBOX_DEFAULT_TIME_MS", default_value_t = 5_000)]
    pub default_time_ms: u64,
    #[arg(long, env = "JUDGEBOX_MAX_TIME_MS", default_value_t = 10_000)]
    pub max_time_ms: u64,
    #[arg(long, env = "JUDGEBOX_DEFAULT_MEMORY_MB", default_value_t = 256)]
    pub default_memory_mb: u64,
    #[arg(long, env = "JUDGEBOX_MAX_MEMORY_MB", default_value_t = 1024)]
    pub max_memory_mb: u64,
    /// Stdout cap in KiB.
    #[arg(long, env = "JUDGEBOX_DEFAULT_OUTPUT_KB", default_value_t = 8 << 10)]
    pub default_output_kb: u64,
    #[arg(long, env = "JUDGEBOX_MAX_OUTPUT_KB", default_value_t = 64 << 10)]
    pub max_output_kb: u64,
    /// Stderr cap in KiB (not settable per request).
    #[arg(long, env = "JUDGEBOX_STDERR_KB", default_value_t = 1 << 10)]
    pub stderr_kb: u64,
    /// LANGUAGE=FACTOR pairs, comma-separated: a time limit written for no
    /// language in particular (a question's `limits`, a request's, the
    /// default) is multiplied by the language's factor; languages not named
    /// get 1. C and C++ get 2: compiled to WebAssembly they run 1.5 to 2.2
    /// times as long as their native builds (`judgebox bench`, docs/performance.md).
    #[arg(
        long,
        env = "JUDGEBOX_TIME_FACTORS",
        value_delimiter = ',',
        value_parser = time_factor,
        default_value = "c=2,cpp=2,cpp20=2,java=1,python=3,javascript=3"
    )]
    pub time_factors: Vec<(String, f64)>,
}

/// `python=3` as a language and its factor.
fn time_factor(text: &str) -> Result<(String, f64), String> {
    let (language, factor) =
        (text.split_once('=')).ok_or_else(|| format!("expected LANGUAGE=FACTOR, got {text:?}"))?;
    let factor = (factor.trim().parse())
        .map_err(|_| format!("the factor of {language} is not a number: {factor:?}"))?;
    Ok((language.trim().to_string(), factor))
}

/// Where this server is reached from outside: an `http://` or `https://`
/// URL without query or fragment, kept without its trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = reqwest::Url::parse(text.trim())
            .map_err(|error| format!("{text:?} is not a URL: {error}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("{text:?} is not an http:// or https:// URL"));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(format!(
                "{text:?} must not have a query, a fragment or a user name"
            ));
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_string()))
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// Which other judges' APIs this server answers (`api::peers`).
#[derive(Debug, Clone, Copy)]
pub struct PeerApis {
    pub jobe: bool,
    pub judge0: bool,
    pub piston: bool,
}

/// `judgebox serve`: a worker that also answers HTTP.
#[derive(Debug, Clone, Args)]
pub struct ServerSettings {
    /// Address to listen on, unless a socket is handed over by systemd
    /// socket activation (`LISTEN_FDS`).
    #[arg(long, env = "JUDGEBOX_BIND", default_value = "0.0.0.0:8000")]
    pub bind: SocketAddr,
    /// The secret for the admin API (`Authorization: Bearer ...`), at least
    /// 16 characters; unset, the admin API is off. Prefer the environment
    /// variable: flags show in `ps`.
    #[arg(long, env = "JUDGEBOX_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<Secret>,
    /// Code submissions (`POST /execute`, `POST /submissions`) per minute,
    /// per client address (anonymous) and per participant token; 0 turns
    /// the limits off. Admin and service keys are not limited.
    #[arg(long, env = "JUDGEBOX_RATE_LIMIT_PER_MINUTE", default_value_t = 30)]
    pub rate_limit_per_minute: u32,
    /// Proxies (IP addresses, comma-separated) whose `X-Forwarded-For` names
    /// the client; from anyone else the header is ignored.
    #[arg(long, env = "JUDGEBOX_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Lets anyone without a token run code on their own tests and submit
    /// to questions that are in no contest (the seed's open API); `false`
    /// requires a token for both.
    #[arg(long, env = "JUDGEBOX_OPEN_EXECUTE", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    pub open_execute: bool,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "JUDGEBOX_MAX_BODY_BYTES", default_value_t = 16 << 20)]
    pub max_body_bytes: usize,
    /// Answers Jobe's API (Moodle CodeRunner) under /jobe/index.php/restapi/.
    #[arg(long, env = "JUDGEBOX_JOBE_API", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    pub jobe_api: bool,
    /// Answers Judge0 CE's API under /judge0/.
    #[arg(long, env = "JUDGEBOX_JUDGE0_API", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    pub judge0_api: bool,
    /// Answers Piston's API under /api/v2/ and /api/v2/piston/.
    #[arg(long, env = "JUDGEBOX_PISTON_API", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    pub piston_api: bool,
    /// The address students and clients reach this server at (e.g.
    /// `https://judge.example.edu`, or with a path behind a proxy): links
    /// the API answers (`join_url`) are absolute under it, and the pages'
    /// too. Unset, the API's links are paths and the pages' follow the
    /// request's `Host`.
    #[arg(long, env = "JUDGEBOX_PUBLIC_URL", value_parser = PublicUrl::parse)]
    pub public_url: Option<PublicUrl>,
    /// Exit after this many seconds with no request, nothing being judged
    /// and nothing queued (scale to zero under socket activation); unset,
    /// the server runs until stopped.
    #[arg(long, env = "JUDGEBOX_IDLE_EXIT_SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_exit_seconds: Option<u64>,
    #[command(flatten)]
    pub worker: WorkerSettings,
}

/// `judgebox worker`: judges queued submissions and delivers callbacks,
/// without HTTP.
#[derive(Debug, Clone, Args)]
pub struct WorkerSettings {
    /// `sqlite://FILE` (created on first start) or `postgres://USER@HOST/DB`
    /// (several replicas may share it).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://judgebox.db")]
    pub database_url: String,
    /// Lets callbacks reach private addresses (loopback, private and
    /// link-local networks): only when every receiver there is trusted.
    #[arg(long, env = "JUDGEBOX_CALLBACK_ALLOW_PRIVATE", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true", default_value = "false")]
    pub callback_allow_private: bool,
    /// Host names (comma-separated) callbacks may reach even when they
    /// resolve to private addresses.
    #[arg(long, env = "JUDGEBOX_CALLBACK_HOSTS", value_delimiter = ',')]
    pub callback_hosts: Vec<String>,
    #[command(flatten)]
    pub judging: JudgingSettings,
    #[command(flatten)]
    pub runtime: RuntimeSettings,
}

/// Judging slots and the database work queue.
#[derive(Debug, Clone, Args)]
pub struct JudgingSettings {
    /// Judging slots: submissions judged at once on this replica,
    /// synchronous and queued alike [default: twice --concurrent-runs].
    #[arg(long, env = "JUDGEBOX_JUDGING_SLOTS", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub judging_slots: Option<u32>,
    /// Deprecated name of --judging-slots.
    #[arg(long = "submission-slots", env = "JUDGEBOX_SUBMISSION_SLOTS", hide = true, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub deprecated_submission_slots: Option<u32>,
    /// `POST /execute` requests that may wait for a slot; more get 503.
    #[arg(long, env = "JUDGEBOX_MAX_WAITING", default_value_t = 64)]
    pub max_waiting: u32,
    /// Queued submissions (all replicas together) past which `POST
    /// /submissions` gets 503.
    #[arg(long, env = "JUDGEBOX_MAX_QUEUED", default_value_t = 10_000)]
    pub max_queued: u64,
    /// How long a replica's hold on a submission lasts without renewal: a
    /// replica that dies leaves its work to others after this.
    #[arg(long, env = "JUDGEBOX_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub lease_seconds: u64,
    /// How many times a submission is tried when judging it fails with an
    /// error of ours (or its replica dies); then it is finished as
    /// `internal_error` with the reason.
    #[arg(long, env = "JUDGEBOX_MAX_ATTEMPTS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
    /// How long SIGTERM waits for running submissions before handing them back.
    #[arg(long, env = "JUDGEBOX_SHUTDOWN_GRACE_SECONDS", default_value_t = 20)]
    pub shutdown_grace_seconds: u64,
}

impl WorkerSettings {
    /// How this replica judges; `access` answers who may do what.
    pub fn judging(&self, access: AccessPolicy) -> JudgingConfig {
        let callbacks = CallbackPolicy {
            allow_private: self.callback_allow_private,
            hosts: (self.callback_hosts.iter())
                .map(|host| host.trim().to_ascii_lowercase())
                .filter(|host| !host.is_empty())
                .collect(),
        };
        let judging = &self.judging;
        let lease = std::time::Duration::from_secs(judging.lease_seconds);
        let slots = judging
            .judging_slots
            .or(judging.deprecated_submission_slots);
        JudgingConfig {
            slots: slots.unwrap_or_else(|| 2 * self.runtime.concurrent_runs()),
            max_waiting: judging.max_waiting,
            max_queued: judging.max_queued,
            max_attempts: judging.max_attempts,
            lease,
            // Polling covers what other replicas queue; a local submission
            // wakes a worker at once.
            poll: (lease / 10).clamp(
                std::time::Duration::from_millis(100),
                std::time::Duration::from_secs(2),
            ),
            callbacks,
            access,
        }
    }
}

impl ServerSettings {
    pub fn judging(&self) -> JudgingConfig {
        self.worker.judging(AccessPolicy {
            open_execute: self.open_execute,
        })
    }

    /// The peers' APIs switched on.
    pub fn peer_apis(&self) -> PeerApis {
        PeerApis {
            jobe: self.jobe_api,
            judge0: self.judge0_api,
            piston: self.piston_api,
        }
    }

    /// The admin token, checked; `None` turns the admin API off.
    pub fn admin_token(&self) -> Result<Option<AdminToken>> {
        let token = self.admin_token.as_ref().map(AdminToken::parse);
        token.transpose().map_err(anyhow::Error::msg)
    }
}

impl RuntimeSettings {
    pub fn runs_dir(&self) -> PathBuf {
        self.runs_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("judgebox-runs"))
    }

    /// Twice the CPUs by default: time limits count CPU time, so runs
    /// sharing a core keep their verdicts, and the second run per core keeps
    /// it busy while the other waits (native runs wait on process start-up,
    /// a JVM's or a compiler's).
    pub fn concurrent_runs(&self) -> u32 {
        let runs = self.concurrent_runs.or(self.deprecated_workers);
        runs.unwrap_or_else(|| {
            2 * std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
        })
    }

    /// Sized for `policy`, whose memory maximum bounds every pooled instance.
    pub fn sandbox(&self, policy: &LimitPolicy) -> SandboxConfig {
        SandboxConfig {
            max_concurrent_runs: self.concurrent_runs(),
            max_memory_bytes: policy.max_memory_mb() << 20,
            keep_resident_bytes: self.keep_resident_mb.min(1 << 10) << 20,
            perf_map: self.wasm_perf_map,
        }
    }

    /// The bounds on compiled submissions kept.
    pub fn build_cache(&self) -> BuildCacheLimits {
        BuildCacheLimits {
            memory_bytes: self.cache_memory_mb << 20,
            disk_bytes: self.cache_max_mb << 20,
        }
    }

    /// Native runs get uids when root; programs read the runtimes and caches.
    pub fn native(&self) -> NativeConfig {
        NativeConfig {
            runs_dir: self.runs_dir(),
            concurrent_runs: (self.concurrent_native_runs.or(self.deprecated_native_slots))
                .unwrap_or_else(|| self.concurrent_runs()),
            first_uid: self.sandbox_first_uid,
            shared_paths: vec![self.runtimes_dir.clone(), self.cache_dir.clone()],
        }
    }
}

impl LimitSettings {
    /// The limit settings, checked: each default within its maximum.
    pub fn policy(&self) -> Result<LimitPolicy> {
        let default = Limits {
            time_ms: self.default_time_ms,
            memory_mb: self.default_memory_mb,
            output_kb: self.default_output_kb,
            stderr_kb: self.stderr_kb,
            instruction_limit: None,
        };
        let (max_time, max_memory, max_output) =
            (self.max_time_ms, self.max_memory_mb, self.max_output_kb);
        LimitPolicy::new(default, max_time, max_memory, max_output)
            .and_then(|policy| policy.with_time_factors(&self.time_factors, &languages::names()))
            .map_err(|problem| anyhow::anyhow!("invalid limit settings: {problem}"))
    }
}

#[cfg(test)]
mod tests {
    use super::PublicUrl;

    #[test]
    fn a_public_url_is_an_http_origin_with_an_optional_path() {
        let url = PublicUrl::parse("https://judge.example.edu/").unwrap();
        assert_eq!(
            url.link("/ui/join/t"),
            "https://judge.example.edu/ui/join/t"
        );
        let behind_proxy = PublicUrl::parse("http://host:8080/judge/").unwrap();
        assert_eq!(behind_proxy.link("/ui"), "http://host:8080/judge/ui");
        for bad in [
            "judge.example.edu",
            "ftp://judge.example.edu",
            "https://judge.example.edu/?a=1",
            "https://judge.example.edu/#top",
            "https://user@judge.example.edu",
            "",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad:?}");
        }
    }
}
