//! Rate-limit storage: each location's limit overrides (kept by every backend), and the
//! `RateCounter` trait for counters shared by several server nodes (PostgreSQL, Redis).

use std::sync::Arc;

use async_trait::async_trait;
pub use ivorey_core::access::LocationRateLimits;
use ivorey_core::audit::AuditEvent;
use ivorey_core::{IntegrationId, LocationId, Timestamp};

use crate::error::StoreResult;

/// One request to count: which windows it falls in and the limits to hold it to.
#[derive(Debug, Clone, Copy)]
pub struct RateHit<'a> {
    pub integration: &'a IntegrationId,
    pub location: &'a LocationId,
    pub now: Timestamp,
    /// Start of the integration's fixed burst window (ms since the epoch).
    pub burst_window: i64,
    /// Length of a burst window (ms).
    pub burst_interval_ms: i64,
    /// The UTC day (days since the epoch) of the location's daily window.
    pub day: i64,
    /// The limits in force, unless the counter applies the location's overrides itself
    /// (`RateCounter::applies_location_limits`), in which case these are the defaults.
    pub burst_max: u64,
    pub daily_max: u64,
    /// The most this call may reserve: 1 counts just this request; more lets the calling node
    /// admit that many requests in all before it asks again (a lease). A shared counter
    /// reserves at most a sixteenth of what is left in either window, and never less than the
    /// request itself, so the last requests of a window are counted one by one.
    pub lease_max: u64,
}

/// A UTC day in milliseconds: the daily window's length.
pub const DAY_MS: i64 = 86_400_000;

impl<'a> RateHit<'a> {
    /// A hit at `now`, in the burst window of `burst_interval_ms` and the UTC day that `now`
    /// falls in, counting just this request (`lease_max` 1).
    pub fn new(
        integration: &'a IntegrationId,
        location: &'a LocationId,
        now: Timestamp,
        burst_interval_ms: i64,
        (burst_max, daily_max): (u64, u64),
    ) -> Self {
        let burst_interval_ms = burst_interval_ms.max(1);
        RateHit {
            integration,
            location,
            now,
            burst_window: now.0 - now.0.rem_euclid(burst_interval_ms),
            burst_interval_ms,
            day: now.0.div_euclid(DAY_MS),
            burst_max,
            daily_max,
            lease_max: 1,
        }
    }
}

/// What a counter decided for one hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCount {
    /// The limits the decision used.
    pub burst_max: u64,
    pub daily_max: u64,
    /// Requests counted in the windows (reserved ones included), this one included when
    /// admitted.
    pub burst_used: u64,
    pub daily_used: u64,
    /// False when a window was full; then nothing was counted in the burst window, and nothing
    /// in the daily window either.
    pub admitted: bool,
    /// Requests reserved and counted in both windows by this call, this one included: 0 when
    /// refused, at most `RateHit::lease_max`.
    pub granted: u64,
}

/// Counts requests in fixed windows: per integration per burst interval and per location per
/// UTC day. `hit` is atomic: however many nodes count at once, a window never admits (or
/// reserves) more than its limit.
#[async_trait]
pub trait RateCounter: Send + Sync + std::fmt::Debug {
    /// `memory`, `postgres` or `redis`, for logs and metrics.
    fn backend(&self) -> &'static str;
    /// True when `hit` reads the location's overrides itself (in the same round trip), so the
    /// caller passes the server defaults instead of looking them up.
    fn applies_location_limits(&self) -> bool {
        false
    }
    /// Counts the request, and reserves up to `lease_max - 1` more, in both windows if neither
    /// is full.
    async fn hit(&self, hit: &RateHit<'_>) -> StoreResult<RateCount>;
    /// Drops windows that ended before `now`; returns how many.
    async fn purge_windows(&self, now: Timestamp) -> StoreResult<u64>;
}

/// Per-location limit overrides.
#[async_trait]
pub trait RateLimitStore {
    /// The location's overrides; all `None` when it has none (or does not exist).
    async fn location_rate_limits(&self, location: &LocationId) -> StoreResult<LocationRateLimits>;
    /// Replaces the location's overrides and records `audit`, in one transaction; `NotFound`
    /// for an unknown location.
    async fn set_location_rate_limits(
        &self,
        location: &LocationId,
        limits: &LocationRateLimits,
        audit: &AuditEvent,
    ) -> StoreResult<()>;
    /// Counters this backend can share between server nodes, if it has them.
    fn shared_rate_counter(&self) -> Option<Arc<dyn RateCounter>> {
        None
    }
}
