//! `ivorey serve`: the HTTP server, plus housekeeping (purging expired grace tokens and sessions).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use ivorey_app::ratelimit::{RateLimiter, RateLimits};
use ivorey_core::{Clock, SystemClock};
use ivorey_http::{AppState, ConnectionLimits, HttpConfig};
use ivorey_store::Store;
use ivorey_store_redis::RedisRateCounter;

use crate::cli::{GlobalArgs, ServeArgs};

pub async fn run(
    store: Arc<dyn Store>,
    global: &GlobalArgs,
    args: ServeArgs,
) -> anyhow::Result<()> {
    let config = HttpConfig {
        rotation_grace: global.rotation_grace,
        public_url: global.public_url.clone(),
        secure_cookies: args.secure_cookies,
        request_timeout: args.request_timeout,
        rate_limits: RateLimits {
            burst_max: args.rate_limit_burst,
            burst_interval: args.rate_limit_interval,
            daily_max: args.rate_limit_daily,
        },
        connections: ConnectionLimits {
            max_connections: connection_cap(args.max_connections),
            header_read_timeout: args.header_read_timeout,
            keep_alive_timeout: args.keep_alive_timeout,
            body_read_timeout: args.body_read_timeout,
        },
        ..HttpConfig::default()
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut state = AppState::new(store.clone(), clock.clone(), config);
    if let Some(url) = args.redis_url.as_deref().filter(|u| !u.is_empty()) {
        let counter =
            RedisRateCounter::new(url, &args.redis_key_prefix).context("cannot use --redis-url")?;
        state = state.with_rate_counter(Arc::new(counter));
    }
    tracing::info!(counters = state.limiter.backend(), "rate limits");
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, backend = store.backend(), "Ivorey is listening");
    println!(
        "Ivorey is listening on http://{address} ({} database)",
        store.backend()
    );
    if store.count_locations().await? == 0 {
        println!(
            "No business account yet. Open http://{address}/setup in a browser to create one, or run:\n  \
             echo 'a long password' | ivorey admin create-location --name \"My Business\" \
             --admin-email you@example.com --password-stdin"
        );
    }
    let housekeeping = tokio::spawn(housekeeping(store.clone(), clock.clone()));
    let purging = tokio::spawn(purge_rate_windows(state.limiter.clone(), clock));
    ivorey_http::serve(listener, state, shutdown_signal()).await?;
    housekeeping.abort();
    purging.abort();
    tracing::info!("Ivorey stopped");
    Ok(())
}

/// The connection cap: as configured, else the open-file limit less what the process needs
/// beside its clients (the database pool, SQLite's files, the listener, the log): an eighth of
/// the limit, at least 128. At 1,024 files that is 896 connections. A configured cap above
/// that is kept, with a warning: accepting would then fail with EMFILE before the cap is reached.
fn connection_cap(configured: Option<u64>) -> usize {
    let files = open_file_limit();
    let derived = files.map(|n| n.saturating_sub((n / 8).max(128)).max(16));
    match (configured, derived) {
        (Some(cap), Some(safe)) if cap > safe => {
            tracing::warn!(
                max_connections = cap,
                open_file_limit = files,
                "--max-connections is above what the open-file limit leaves room for"
            );
            cap as usize
        }
        (Some(cap), _) => cap as usize,
        (None, Some(safe)) => safe as usize,
        (None, None) => ConnectionLimits::default().max_connections,
    }
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

async fn housekeeping(store: Arc<dyn Store>, clock: Arc<dyn Clock>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = clock.now();
        if let Err(e) = store.purge_expired_tokens(now).await {
            tracing::warn!(error = %e, "purging expired tokens failed");
        }
        if let Err(e) = store.purge_expired_sessions(now).await {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
    }
}

/// Ended rate-limit windows take memory (and rows in PostgreSQL): drop them every minute.
async fn purge_rate_windows(limiter: RateLimiter, clock: Arc<dyn Clock>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        limiter.purge_windows(clock.now()).await;
    }
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
