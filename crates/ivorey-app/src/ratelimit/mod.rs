//! Rate limits with HighLevel's semantics: a burst limit per integration (100 requests per 10 s)
//! and a daily limit per location (200,000 per UTC day), reported on every authenticated
//! response in HighLevel's `X-RateLimit-*` headers (the HTTP layer's scope gate writes them),
//! with 429 and `Retry-After` past a limit.
//! A location may have its own limits (`location_rate_limits`); the counters live in this
//! process (`local.rs`) or, with several nodes, in PostgreSQL or Redis (`limiter.rs`), which
//! each node asks for a few requests at a time (`lease.rs`).

mod lease;
mod limiter;
mod local;

use std::time::Duration;

pub use limiter::RateLimiter;
pub use local::LocalCounter;

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub burst_max: u64,
    pub burst_interval: Duration,
    pub daily_max: u64,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            burst_max: 100,
            burst_interval: Duration::from_secs(10),
            daily_max: 200_000,
        }
    }
}

/// What one request learned about its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    pub limits: RateLimits,
    pub burst_remaining: u64,
    pub daily_remaining: u64,
    /// Set when the request is over a limit: seconds until it may retry.
    pub retry_after_secs: Option<u64>,
}
