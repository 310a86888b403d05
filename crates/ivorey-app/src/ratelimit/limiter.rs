//! The limiter every authenticated request passes: resolve the location's limits, count the
//! request in the shared counters (or this node's), and turn the count into a `RateInfo`.
//!
//! When the shared counters fail (Redis or PostgreSQL unreachable or slow), the request is
//! counted by this node's own counters instead: the API stays up, and each node still holds
//! the limits on its own (so the cluster admits at most nodes x limit). The first failure is
//! logged once, recovery once; the shared counters are retried at most once a second.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ivorey_core::Timestamp;
use ivorey_core::access::TokenGrant;
use ivorey_store::{DAY_MS, RateCount, RateCounter, RateHit, StoreError};

use super::lease::Leases;
use super::limits::{RateInfo, RateLimits};
use super::local::LocalCounter;
use crate::metrics::{Metrics, RateLimit};

/// How long the limiter counts locally after a shared-counter failure before trying again.
const RETRY_SHARED_AFTER: Duration = Duration::from_secs(1);

/// Cheap to clone: clones share the counters.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    defaults: RateLimits,
    local: LocalCounter,
    leases: Leases,
    shared: Option<Arc<dyn RateCounter>>,
    outage: Outage,
    metrics: Metrics,
}

impl RateLimiter {
    /// `shared`: counters shared by all nodes; `None` counts in this process only.
    pub fn new(
        defaults: RateLimits,
        shared: Option<Arc<dyn RateCounter>>,
        metrics: Metrics,
    ) -> Self {
        RateLimiter {
            inner: Arc::new(Inner {
                defaults,
                local: LocalCounter::default(),
                leases: Leases::default(),
                shared,
                outage: Outage::default(),
                metrics,
            }),
        }
    }

    /// The server-wide limits, used where a location has no override.
    pub fn defaults(&self) -> RateLimits {
        self.inner.defaults
    }

    /// Where the counters live: `memory`, `postgres` or `redis`.
    pub fn backend(&self) -> &'static str {
        self.inner.shared.as_ref().map_or("memory", |s| s.backend())
    }

    /// Counts one request of `grant`'s token; a refused request is not counted against the
    /// remaining budget. The location's own limits come with the grant (read in the same
    /// lookup and dropped from the cache when they change), so this reads nothing else.
    pub async fn check(&self, grant: &TokenGrant, now: Timestamp) -> RateInfo {
        let (integration, location) = (&grant.integration_id, &grant.location_id);
        let own = grant.rate_limits;
        let inner = &self.inner;
        let interval_ms =
            i64::try_from(inner.defaults.burst_interval.as_millis()).unwrap_or(i64::MAX);
        let hit = RateHit::new(
            integration,
            location,
            now,
            interval_ms,
            (
                own.burst_max.unwrap_or(inner.defaults.burst_max),
                own.daily_max.unwrap_or(inner.defaults.daily_max),
            ),
        );
        let leased = inner.shared.as_ref().and_then(|_| inner.leases.take(&hit));
        let count = match leased {
            Some(count) => count,
            None => self.count(&hit).await,
        };
        let info = rate_info(&hit, &count, inner.defaults.burst_interval);
        let refused = info.retry_after_secs.map(|_| {
            if count.daily_used >= count.daily_max {
                RateLimit::Daily
            } else {
                RateLimit::Burst
            }
        });
        inner.metrics.api_request(integration, refused);
        info
    }

    /// Counts `hit` in the shared counters, reserving a lease, or in this node's.
    async fn count(&self, hit: &RateHit<'_>) -> RateCount {
        let inner = &self.inner;
        match inner.shared.as_ref().filter(|_| inner.outage.may_try()) {
            Some(shared) => {
                let asked = inner.leases.next_ask(hit);
                let mut shared_hit = RateHit {
                    lease_max: asked,
                    ..*hit
                };
                if shared.applies_location_limits() {
                    // It reads them in its own statement, at the moment it counts.
                    shared_hit.burst_max = inner.defaults.burst_max;
                    shared_hit.daily_max = inner.defaults.daily_max;
                }
                match shared.hit(&shared_hit).await {
                    Ok(count) => {
                        inner.outage.ended(shared.backend());
                        inner.leases.record(hit, &count, asked);
                        count
                    }
                    Err(e) => {
                        inner.outage.began(shared.backend(), &e);
                        inner.metrics.rate_limit_backend_error(shared.backend());
                        inner.local.count(hit)
                    }
                }
            }
            None => inner.local.count(hit),
        }
    }

    /// Drops counter windows that have ended (memory here, rows in PostgreSQL).
    pub async fn purge_windows(&self, now: Timestamp) {
        self.inner.local.purge(now);
        let interval_ms = i64::try_from(self.inner.defaults.burst_interval.as_millis());
        self.inner
            .leases
            .purge(now, interval_ms.unwrap_or(i64::MAX));
        if let Some(shared) = &self.inner.shared
            && let Err(e) = shared.purge_windows(now).await
        {
            tracing::warn!(error = %e, backend = shared.backend(), "purging rate-limit windows failed");
        }
    }
}

fn rate_info(hit: &RateHit<'_>, count: &RateCount, interval: Duration) -> RateInfo {
    let now = hit.now.0;
    let retry_after_secs = if count.admitted {
        None
    } else if count.daily_used >= count.daily_max {
        Some(secs_until(now, (hit.day + 1) * DAY_MS))
    } else {
        Some(secs_until(now, hit.burst_window + hit.burst_interval_ms))
    };
    RateInfo {
        limits: RateLimits {
            burst_max: count.burst_max,
            burst_interval: interval,
            daily_max: count.daily_max,
        },
        burst_remaining: count.burst_max.saturating_sub(count.burst_used),
        daily_remaining: count.daily_max.saturating_sub(count.daily_used),
        retry_after_secs,
    }
}

fn secs_until(now_ms: i64, at_ms: i64) -> u64 {
    u64::try_from((at_ms - now_ms + 999) / 1000)
        .unwrap_or(1)
        .max(1)
}

/// Whether the shared counters are failing, so that a dead Redis costs each request nothing
/// (not a timeout) and the logs get one line per outage, not one per request.
#[derive(Debug, Default)]
struct Outage {
    failing: AtomicBool,
    retry_at: Mutex<Option<Instant>>,
}

impl Outage {
    fn may_try(&self) -> bool {
        if !self.failing.load(Ordering::Relaxed) {
            return true;
        }
        let mut retry_at = self.retry_at.lock().unwrap_or_else(|p| p.into_inner());
        match *retry_at {
            Some(at) if Instant::now() < at => false,
            // One request probes; the others keep counting locally until it answers.
            _ => {
                *retry_at = Some(Instant::now() + RETRY_SHARED_AFTER);
                true
            }
        }
    }

    fn began(&self, backend: &str, error: &StoreError) {
        *self.retry_at.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + RETRY_SHARED_AFTER);
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::error!(
                backend,
                %error,
                "shared rate-limit counters are unreachable: each node now limits on its own \
                 counters until they answer again"
            );
        }
    }

    fn ended(&self, backend: &str) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!(backend, "shared rate-limit counters answer again");
        }
    }
}
