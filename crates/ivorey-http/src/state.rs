//! What every handler reaches: the store, the clock, the settings, and the process's shared
//! counters and workers' handles, in one `AppState`.

use std::sync::Arc;
use std::time::Duration;

use ivorey_app::delivery;
use ivorey_app::metrics::Metrics;
use ivorey_app::ratelimit::{RateLimiter, RateLimits};
use ivorey_app::usage::UsageRecorder;
use ivorey_core::Clock;
use ivorey_core::integration::DEFAULT_ROTATION_GRACE;
use ivorey_store::{RateCounter, Store};

use crate::connections::ConnectionLimits;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// How long a token replaced by "rotate and expire later" keeps working.
    pub rotation_grace: Duration,
    /// How long a sign-in lasts.
    pub session_ttl: Duration,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Burst limit per integration and daily limit per location.
    pub rate_limits: RateLimits,
    /// Longest time a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Retries and timing of outbound message delivery.
    pub delivery: delivery::DeliveryConfig,
    /// Batches and leases of contact imports.
    pub imports: ivorey_app::imports::ImportConfig,
    /// The connection cap and the time limits of heads, idle connections and bodies.
    pub connections: ConnectionLimits,
    /// Where users reach this server (`https://crm.example.com`), for links sent out of it;
    /// `None`: the scheme and `Host` of the request.
    pub public_url: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            rotation_grace: DEFAULT_ROTATION_GRACE,
            session_ttl: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            max_body_bytes: 256 * 1024,
            rate_limits: RateLimits::default(),
            request_timeout: Duration::from_secs(30),
            delivery: delivery::DeliveryConfig::default(),
            imports: ivorey_app::imports::ImportConfig::default(),
            connections: ConnectionLimits::default(),
            public_url: None,
        }
    }
}

/// What every handler can reach: one shared allocation, so the per-request clones that axum's
/// layered routes make cost one reference count, not one per field.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The state's fields, reached through `AppState` (`state.store`, `state.clock`, ...).
#[derive(Debug, Clone)]
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<HttpConfig>,
    pub usage: UsageRecorder,
    pub limiter: RateLimiter,
    pub metrics: Metrics,
    /// Spam control of public form submissions.
    pub form_submits: ivorey_app::form_throttle::SubmitThrottle,
    /// Wakes the delivery worker when a message is queued.
    pub outbox: delivery::Outbox,
    /// Wakes the contact import worker when an import is started.
    pub imports: ivorey_app::imports::ImportQueue,
}

impl AppState {
    /// Rate limits are counted in the store's shared counters when it has them (PostgreSQL),
    /// else in this process.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: HttpConfig) -> Self {
        let metrics = Metrics::default();
        let limiter = RateLimiter::new(
            config.rate_limits,
            store.shared_rate_counter(),
            metrics.clone(),
        );
        AppState(Arc::new(Shared {
            store,
            clock,
            config: Arc::new(config),
            usage: UsageRecorder::default(),
            limiter,
            metrics,
            form_submits: ivorey_app::form_throttle::SubmitThrottle::default(),
            outbox: delivery::Outbox::default(),
            imports: ivorey_app::imports::ImportQueue::default(),
        }))
    }

    /// Counts rate limits in `counter` (e.g. Redis) instead of the default.
    pub fn with_rate_counter(self, counter: Arc<dyn RateCounter>) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        shared.limiter = RateLimiter::new(
            shared.config.rate_limits,
            Some(counter),
            shared.metrics.clone(),
        );
        AppState(Arc::new(shared))
    }
}
