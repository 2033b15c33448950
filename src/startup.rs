//! Builds the application: sandbox, languages, database, HTTP router.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::net::TcpListener;

use crate::api::{self, AppState, RateLimits};
use crate::configuration::{RuntimeSettings, ServerSettings};
use crate::judge::LimitPolicy;
use crate::languages::Languages;
use crate::pages::{self, PagesState};
use crate::sandbox::WasmSandbox;
use crate::sandbox::native::NativeSandbox;
use crate::service::{Identities, JudgingService};
use crate::store::Database;

/// Everything needed to judge code, without HTTP or a database: used by the
/// server, `judgebox run` and `judgebox bench`.
pub struct Runtime {
    pub languages: Arc<Languages>,
    pub limits: LimitPolicy,
}

impl Runtime {
    pub async fn load(settings: &RuntimeSettings) -> Result<Self> {
        let started = Instant::now();
        let limits = settings.limits.policy()?;
        let sandbox =
            WasmSandbox::new(&settings.sandbox(&limits)).context("configuring wasmtime")?;
        let native =
            NativeSandbox::new(&settings.native()).context("setting up the native sandbox")?;
        for layer in native.layers().await {
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
        let native = Arc::new(native);
        let languages = Languages::load(
            &sandbox,
            &native,
            &settings.runtimes_dir,
            &settings.cache_dir,
        )?;
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

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    service: Arc<JudgingService>,
    shutdown_grace: Duration,
}

impl Application {
    pub async fn build(settings: &ServerSettings) -> Result<Self> {
        let admin_token = settings.admin_token()?;
        if admin_token.is_none() {
            tracing::info!(
                "no JUDGEBOX_ADMIN_TOKEN: only admin API keys made earlier reach the admin API"
            );
        }
        let runtime = Runtime::load(&settings.runtime).await?;
        let database = Database::connect(&settings.database_url).await?;
        let service = JudgingService::new(
            runtime.languages.clone(),
            runtime.limits.clone(),
            database.clone(),
            settings.judging(),
        );
        let identities = Arc::new(Identities::new(database.clone(), admin_token));
        let pages = PagesState {
            service: service.clone(),
            identities: identities.clone(),
            database: database.clone(),
            languages: runtime.languages.clone(),
            limits: runtime.limits.clone(),
        };
        let state = AppState {
            languages: runtime.languages,
            limits: runtime.limits,
            database,
            identities,
            service: service.clone(),
            rate_limits: RateLimits::new(
                settings.rate_limit_per_minute,
                settings.trusted_proxies.clone(),
            ),
        };
        // The pages (under /ui) and the API, side by side; neither imports the other.
        let router = pages::router(pages, settings.max_body_bytes)
            .merge(api::router(state, settings.max_body_bytes));
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("binding {}", settings.bind))?;
        Ok(Self {
            listener,
            router,
            service,
            shutdown_grace: Duration::from_secs(settings.judging.shutdown_grace_seconds),
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves and works the queue until SIGINT or SIGTERM; then stops
    /// accepting and claiming, finishes the requests in flight, and lets the
    /// workers finish (or hand back) what they hold.
    pub async fn run_until_stopped(self) -> Result<()> {
        let workers = self.service.start_workers();
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let judging = self.service.clone();
        let stopping = async move {
            shutdown_signal().await;
            judging.stop_claiming();
        };
        axum::serve(self.listener, service)
            .with_graceful_shutdown(stopping)
            .await?;
        self.service.stop(workers, self.shutdown_grace).await;
        Ok(())
    }
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
