//! Builds the application: sandbox, languages, database, HTTP router; or,
//! for `judgebox worker`, all but the router.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use listenfd::ListenFd;
use tokio::net::TcpListener;

use crate::api::{self, Activity, AppState, RateLimits};
use crate::auth::AccessPolicy;
use crate::configuration::{RuntimeSettings, ServerSettings, WorkerSettings};
use crate::judge::LimitPolicy;
use crate::languages::Languages;
use crate::pages::{self, PagesState};
use crate::sandbox::WasmSandbox;
use crate::sandbox::native::NativeSandbox;
use crate::service::{Identities, JudgingConfig, JudgingService};
use crate::store::Database;
use crate::telemetry;

/// Every language this machine runs, loaded (sandboxes set up, runtimes
/// compiled), with the limit policy: all that judging code needs, without
/// HTTP or a database; for the server, `judgebox run` and `judgebox bench`.
pub struct LoadedLanguages {
    pub languages: Arc<Languages>,
    pub limits: LimitPolicy,
}

impl LoadedLanguages {
    pub async fn load(settings: &RuntimeSettings) -> Result<Self> {
        let started = Instant::now();
        let limits = settings.limits.policy()?;
        let sandbox =
            WasmSandbox::new(&settings.sandbox(&limits)).context("configuring wasmtime")?;
        let native = Arc::new(
            NativeSandbox::new(&settings.native()).context("setting up the native sandbox")?,
        );
        // Loading the runtimes is CPU work and the layers' probes are mostly
        // waiting for throwaway children: overlapped, start-up is shorter.
        let loading = tokio::task::spawn_blocking({
            let (sandbox, native) = (sandbox.clone(), native.clone());
            let (runtimes_dir, cache_dir) =
                (settings.runtimes_dir.clone(), settings.cache_dir.clone());
            let build_cache = settings.build_cache();
            move || Languages::load(&sandbox, &native, &runtimes_dir, &cache_dir, build_cache)
        });
        log_native_layers(&native).await;
        let languages = loading.await.context("loading the runtimes")??;
        languages.prepare().await?;
        tracing::info!(
            languages = ?languages.names(),
            concurrent_runs = settings.concurrent_runs(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "runtimes loaded"
        );
        Ok(Self {
            languages: Arc::new(languages),
            limits,
        })
    }
}

/// Says at start-up how each native isolation layer stands on this machine,
/// in the log and as a gauge.
async fn log_native_layers(native: &NativeSandbox) {
    metrics::gauge!(telemetry::SANDBOX_LAYER, "layer" => "webassembly").set(1.0);
    for layer in native.layers().await {
        let active = if layer.active { 1.0 } else { 0.0 };
        metrics::gauge!(telemetry::SANDBOX_LAYER, "layer" => layer.name.to_string()).set(active);
        if layer.active {
            tracing::info!("native sandbox: {}: active ({})", layer.name, layer.detail);
        } else {
            tracing::warn!(
                "native sandbox: {}: UNAVAILABLE ({})",
                layer.name,
                layer.detail
            );
        }
    }
}

/// What every replica runs, with or without HTTP: the loaded languages, the
/// database, and the judging service over them.
struct Replica {
    loaded: LoadedLanguages,
    database: Database,
    service: Arc<JudgingService>,
}

impl Replica {
    async fn start(settings: &WorkerSettings, judging: JudgingConfig) -> Result<Self> {
        // Installed first, so that start-up (the sandbox layers) is counted.
        telemetry::metrics();
        // Neither waits for the other: start-up is the longer of the two.
        let (loaded, database) = tokio::try_join!(
            LoadedLanguages::load(&settings.runtime),
            Database::connect(&settings.database_url)
        )?;
        let service = JudgingService::new(
            loaded.languages.clone(),
            loaded.limits.clone(),
            database.clone(),
            judging,
        );
        Ok(Self {
            loaded,
            database,
            service,
        })
    }
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    service: Arc<JudgingService>,
    shutdown_grace: Duration,
    activity: Arc<Activity>,
    idle_exit: Option<Duration>,
}

impl Application {
    pub async fn build(settings: &ServerSettings) -> Result<Self> {
        let admin_token = settings.admin_token()?;
        if admin_token.is_none() {
            tracing::info!(
                "no JUDGEBOX_ADMIN_TOKEN: only admin API keys made earlier reach the admin API"
            );
        }
        let Replica {
            loaded,
            database,
            service,
        } = Replica::start(&settings.worker, settings.judging()).await?;
        let identities = Arc::new(Identities::new(database.clone(), admin_token));
        let pages = PagesState {
            service: service.clone(),
            identities: identities.clone(),
            database: database.clone(),
            languages: loaded.languages.clone(),
            limits: loaded.limits.clone(),
            public_url: settings.public_url.clone(),
        };
        let state = AppState {
            languages: loaded.languages,
            limits: loaded.limits,
            database,
            identities,
            service: service.clone(),
            public_url: settings.public_url.clone(),
            rate_limits: RateLimits::new(
                settings.rate_limit_per_minute,
                settings.trusted_proxies.clone(),
            ),
        };
        let activity = Activity::new();
        // The pages (under /ui) and the API, side by side; neither imports the other.
        let router = pages::router(pages, settings.max_body_bytes)
            .merge(api::router(
                state,
                settings.max_body_bytes,
                settings.peer_apis(),
            ))
            .layer(axum::middleware::from_fn_with_state(
                activity.clone(),
                api::observe,
            ));
        Ok(Self {
            listener: listener(settings.bind).await?,
            router,
            service,
            shutdown_grace: Duration::from_secs(settings.worker.judging.shutdown_grace_seconds),
            activity,
            idle_exit: settings.idle_exit_seconds.map(Duration::from_secs),
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves and works the queue until SIGINT or SIGTERM (or, with idle
    /// exit, until idle); then stops accepting and claiming, finishes the
    /// requests in flight, and lets the queue tasks finish (or hand back) what
    /// they hold.
    pub async fn run_until_stopped(self) -> Result<()> {
        let tasks = self.service.start_queue_tasks();
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let judging = self.service.clone();
        let idle = idle_exit(self.activity, self.service.clone(), self.idle_exit);
        let stopping = async move {
            tokio::select! {
                () = shutdown_signal() => {}
                () = idle => {}
            }
            judging.stop_claiming();
        };
        axum::serve(self.listener, service)
            .with_graceful_shutdown(stopping)
            .await?;
        self.service.stop(tasks, self.shutdown_grace).await;
        Ok(())
    }
}

/// `judgebox worker`: judges queued submissions and delivers callbacks, with
/// no HTTP, for workers scaled on the queue's length.
pub struct Worker {
    service: Arc<JudgingService>,
    shutdown_grace: Duration,
}

impl Worker {
    pub async fn build(settings: &WorkerSettings) -> Result<Self> {
        // No requests reach a worker: the access rules are never asked.
        let access = AccessPolicy {
            open_execute: false,
        };
        let replica = Replica::start(settings, settings.judging(access)).await?;
        Ok(Self {
            service: replica.service,
            shutdown_grace: Duration::from_secs(settings.judging.shutdown_grace_seconds),
        })
    }

    /// Works the queue until SIGINT or SIGTERM, then finishes (or hands back) what it holds.
    pub async fn run_until_stopped(self) -> Result<()> {
        let tasks = self.service.start_queue_tasks();
        shutdown_signal().await;
        self.service.stop(tasks, self.shutdown_grace).await;
        Ok(())
    }
}

/// The socket systemd handed over (socket activation, `LISTEN_FDS`), or a new one on `bind`.
async fn listener(bind: SocketAddr) -> Result<TcpListener> {
    let inherited = ListenFd::from_env()
        .take_tcp_listener(0)
        .context("taking the socket from LISTEN_FDS")?;
    if let Some(listener) = inherited {
        listener.set_nonblocking(true)?;
        tracing::info!("listening on the socket handed over by the service manager");
        return Ok(TcpListener::from_std(listener)?);
    }
    TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))
}

/// Ends once no request has come for `after`, nothing is being judged and
/// nothing is queued; never without `after`. The service manager's socket
/// keeps taking connections meanwhile and starts the server again.
async fn idle_exit(activity: Arc<Activity>, service: Arc<JudgingService>, after: Option<Duration>) {
    let Some(after) = after else {
        return std::future::pending().await;
    };
    let check_every = (after / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
    loop {
        tokio::time::sleep(check_every).await;
        if activity.idle_for() < after {
            continue;
        }
        match service.is_idle().await {
            Ok(true) => break,
            Ok(false) => {}
            Err(error) => tracing::warn!(error = format!("{error:#}"), "cannot check the queue"),
        }
    }
    tracing::info!(
        idle_seconds = after.as_secs(),
        "idle: exiting until the next connection"
    );
}

async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
