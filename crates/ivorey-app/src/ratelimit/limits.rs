//! The limits in force and what one request learned about them.

use std::time::Duration;

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
