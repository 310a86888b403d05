//! Keeping the token grant cache fresh across server nodes: a dedicated connection LISTENs on
//! `ivorey_auth_<schema>`, where migration 9's triggers send the id of every integration whose
//! grant changed, from inside the changing transaction (sent if and only if it commits).
//!
//! Why a node never trusts a stale cache:
//! - The cache is trusted only after LISTEN has taken effect and the cache was emptied after
//!   it: every change committed before is read from the database, every one after is notified.
//! - Notifications are handled on the connection's own task in the order they arrive, before
//!   any later reply is passed on. So when a heartbeat query sent at `t` comes back, every
//!   change committed before `t` has been evicted; trust is a lease of `LEASE` from `t`,
//!   renewed every `HEARTBEAT`. A silent network failure thus ends trust within `LEASE`.
//! - If the connection errors or closes, trust ends at that instant (every lookup goes to the
//!   database) and comes back only after reconnecting, re-LISTENing and emptying the cache.
//!   Reconnection backs off from 50 ms to 5 s. Log lines name no token.
//! - The node's own writes also evict at once after their commit (`ivorey_store::sql::integrations`), so its
//!   next request does not wait for its own notification.
//!
//! The listener starts with the first token lookup, so CLI commands never open it, and it sets
//! `application_name` to `ivorey-listener pid=<process id>` so operators (and tests) can find it.

use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use ivorey_core::IntegrationId;
use ivorey_store::grant_cache::GrantCache;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, Client, NoTls};

/// How often the listener proves its connection alive.
const HEARTBEAT: Duration = Duration::from_millis(500);
/// How long one proof keeps the cache trusted: the longest a node could serve a revoked token
/// if its connection went silent without closing (a network partition).
const LEASE: Duration = Duration::from_secs(2);
/// A heartbeat slower than this counts as a lost connection (with `HEARTBEAT`, within `LEASE`,
/// so a healthy connection's trust never lapses between two heartbeats).
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(1);
const BACKOFF_MIN: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// The listener task of one store, stopped when the last clone of the store is dropped.
pub(crate) struct AuthListener {
    config: tokio_postgres::Config,
    task: OnceLock<JoinHandle<()>>,
}

impl std::fmt::Debug for AuthListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthListener").finish_non_exhaustive()
    }
}

impl Drop for AuthListener {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl AuthListener {
    pub(crate) fn new(mut config: tokio_postgres::Config) -> Self {
        config.application_name(format!("ivorey-listener pid={}", std::process::id()));
        AuthListener {
            config,
            task: OnceLock::new(),
        }
    }

    /// Starts the listener if it is not running yet (it runs until the store is dropped).
    pub(crate) fn ensure_started(&self, cache: &Arc<GrantCache>) {
        self.task.get_or_init(|| {
            let (config, cache) = (self.config.clone(), Arc::downgrade(cache));
            tokio::spawn(run(config, cache))
        });
    }
}

/// A driver error with its cause ("db error: FATAL: terminating connection ...").
fn describe(e: &tokio_postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Connects, listens and heartbeats until the cache is gone, reconnecting with backoff.
async fn run(config: tokio_postgres::Config, cache: Weak<GrantCache>) {
    let mut backoff = BACKOFF_MIN;
    loop {
        match listen_once(&config, &cache, &mut backoff).await {
            Ok(()) => return,
            Err(e) => {
                if let Some(cache) = cache.upgrade() {
                    cache.distrust();
                }
                tracing::warn!(
                    error = %e,
                    retry_in_ms = backoff.as_millis() as u64,
                    "auth listener lost; token lookups bypass the cache until it reconnects"
                );
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// One connection's life. `Ok` only when the cache was dropped (the store is gone).
async fn listen_once(
    config: &tokio_postgres::Config,
    cache: &Weak<GrantCache>,
    backoff: &mut Duration,
) -> Result<(), String> {
    let (client, mut connection) = config.connect(NoTls).await.map_err(|e| describe(&e))?;
    // The driver evicts as notifications arrive and ends trust the moment the connection
    // fails; it stops by itself when `client` is dropped.
    let driver_cache = cache.clone();
    let mut driver = tokio::spawn(async move {
        loop {
            let message = std::future::poll_fn(|cx| connection.poll_message(cx)).await;
            let Some(cache) = driver_cache.upgrade() else {
                return "the store was dropped".to_owned();
            };
            match message {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    match IntegrationId::parse(n.payload()) {
                        Ok(id) => cache.evict_integration(&id),
                        // `*` (a location's rate limits changed, migration 11) or unknown.
                        Err(_) => cache.clear(),
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    cache.distrust();
                    return describe(&e);
                }
                None => {
                    cache.distrust();
                    return "connection closed".to_owned();
                }
            }
        }
    });
    let result = listen_and_heartbeat(&client, cache, &mut driver, backoff).await;
    driver.abort();
    result
}

async fn listen_and_heartbeat(
    client: &Client,
    cache: &Weak<GrantCache>,
    driver: &mut JoinHandle<String>,
    backoff: &mut Duration,
) -> Result<(), String> {
    let schema: String = client
        .query_one("SELECT current_schema()", &[])
        .await
        .and_then(|row| row.try_get(0))
        .map_err(|e| describe(&e))?;
    // The triggers cut the channel name the same way (identifiers are at most 63 bytes).
    let mut channel = format!("ivorey_auth_{schema}");
    channel.truncate(63);
    let sent = Instant::now();
    client
        .batch_execute(&format!("LISTEN \"{}\"", channel.replace('"', "\"\"")))
        .await
        .map_err(|e| describe(&e))?;
    let Some(strong) = cache.upgrade() else {
        return Ok(());
    };
    let era = strong.trust_anew(sent + LEASE);
    drop(strong);
    *backoff = BACKOFF_MIN;
    tracing::info!(%channel, "auth listener connected; token cache trusted");
    let mut tick = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            ended = &mut *driver => {
                return Err(ended.unwrap_or_else(|e| e.to_string()));
            }
            _ = tick.tick() => {
                let sent = Instant::now();
                match tokio::time::timeout(HEARTBEAT_TIMEOUT, client.simple_query("SELECT 1")).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Err(describe(&e)),
                    Err(_) => return Err("heartbeat timed out".to_owned()),
                }
                let Some(strong) = cache.upgrade() else { return Ok(()) };
                if !strong.extend_trust(era, sent + LEASE) {
                    return Err("trust was withdrawn".to_owned());
                }
            }
        }
    }
}
