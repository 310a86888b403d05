//! Rate limits with HighLevel's semantics: a burst limit per integration (100 requests per 10 s)
//! and a daily limit per location (200,000 per UTC day), reported on every authenticated
//! response in HighLevel's `X-RateLimit-*` headers, with 429 and `Retry-After` past a limit.
//! Counters live in this process's memory (fixed windows).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ivorey_core::{IntegrationId, LocationId, Timestamp};

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

#[derive(Debug, Default)]
struct Counters {
    /// Per integration: (window start in ms, requests in that window).
    burst: HashMap<IntegrationId, (i64, u64)>,
    /// Per location: (UTC day, requests that day).
    daily: HashMap<LocationId, (i64, u64)>,
}

/// The in-memory limiter shared by all requests of this process.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    limits: RateLimits,
    counters: Arc<Mutex<Counters>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits,
            counters: Arc::default(),
        }
    }

    /// Counts one request; a refused request is not counted against the remaining budget.
    pub fn check(
        &self,
        integration: &IntegrationId,
        location: &LocationId,
        now: Timestamp,
    ) -> RateInfo {
        let limits = self.limits;
        let interval_ms = i64::try_from(limits.burst_interval.as_millis())
            .unwrap_or(i64::MAX)
            .max(1);
        let window = now.0 - now.0.rem_euclid(interval_ms);
        let day = now.day();
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let burst = counters
            .burst
            .entry(integration.clone())
            .or_insert((window, 0));
        if burst.0 != window {
            *burst = (window, 0);
        }
        let burst_used = burst.1;
        let daily = counters.daily.entry(location.clone()).or_insert((day, 0));
        if daily.0 != day {
            *daily = (day, 0);
        }
        let daily_used = daily.1;
        let retry_after_secs = if daily_used >= limits.daily_max {
            Some(secs_until(now.0, (day + 1) * 86_400_000))
        } else if burst_used >= limits.burst_max {
            Some(secs_until(now.0, window + interval_ms))
        } else {
            None
        };
        if retry_after_secs.is_none() {
            daily.1 += 1;
            if let Some(burst) = counters.burst.get_mut(integration) {
                burst.1 += 1;
            }
        }
        let (burst_used, daily_used) = match retry_after_secs {
            None => (burst_used + 1, daily_used + 1),
            Some(_) => (burst_used, daily_used),
        };
        RateInfo {
            limits,
            burst_remaining: limits.burst_max.saturating_sub(burst_used),
            daily_remaining: limits.daily_max.saturating_sub(daily_used),
            retry_after_secs,
        }
    }
}

fn secs_until(now_ms: i64, at_ms: i64) -> u64 {
    u64::try_from((at_ms - now_ms + 999) / 1000)
        .unwrap_or(1)
        .max(1)
}

/// Where the token check leaves the request's `RateInfo` for the response headers.
#[derive(Debug, Clone, Default)]
pub struct RateSlot(Arc<Mutex<Option<RateInfo>>>);

impl RateSlot {
    pub fn set(&self, info: RateInfo) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(info);
    }

    fn get(&self) -> Option<RateInfo> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Middleware for the public API: gives the request a `RateSlot` and turns what the token check
/// put there into HighLevel's headers.
pub async fn rate_limit_headers(mut request: Request, next: Next) -> Response {
    let slot = RateSlot::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    if let Some(info) = slot.get() {
        write_headers(response.headers_mut(), &info);
    }
    response
}

fn write_headers(headers: &mut HeaderMap, info: &RateInfo) {
    let mut put = |name: &'static str, value: u64| {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    };
    put("x-ratelimit-limit-daily", info.limits.daily_max);
    put("x-ratelimit-daily-remaining", info.daily_remaining);
    put(
        "x-ratelimit-interval-milliseconds",
        info.limits.burst_interval.as_millis() as u64,
    );
    put("x-ratelimit-max", info.limits.burst_max);
    put("x-ratelimit-remaining", info.burst_remaining);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (IntegrationId, LocationId) {
        (IntegrationId::generate(), LocationId::generate())
    }

    #[test]
    fn burst_refuses_past_the_max_until_the_next_window() {
        let limits = RateLimits {
            burst_max: 3,
            burst_interval: Duration::from_secs(10),
            daily_max: 100,
        };
        let limiter = RateLimiter::new(limits);
        let (i, l) = ids();
        let t = Timestamp(1_000_000);
        let remaining: Vec<_> = (0..3)
            .map(|_| limiter.check(&i, &l, t).burst_remaining)
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.check(&i, &l, Timestamp(1_004_500));
        assert_eq!(refused.retry_after_secs, Some(6));
        assert_eq!(
            refused.daily_remaining, 97,
            "refused requests are not counted"
        );
        let next = limiter.check(&i, &l, Timestamp(1_010_000));
        assert_eq!((next.retry_after_secs, next.burst_remaining), (None, 2));
    }

    #[test]
    fn daily_limit_is_per_location_across_integrations() {
        let limits = RateLimits {
            burst_max: 100,
            burst_interval: Duration::from_secs(10),
            daily_max: 2,
        };
        let limiter = RateLimiter::new(limits);
        let (a, l) = ids();
        let b = IntegrationId::generate();
        let t = Timestamp(86_400_000 * 5 + 1000);
        assert!(limiter.check(&a, &l, t).retry_after_secs.is_none());
        assert!(limiter.check(&b, &l, t).retry_after_secs.is_none());
        let refused = limiter.check(&b, &l, t);
        assert_eq!(refused.retry_after_secs, Some(86_399));
        let other_location = limiter.check(&b, &LocationId::generate(), t);
        assert!(other_location.retry_after_secs.is_none());
        assert!(
            limiter
                .check(&a, &l, Timestamp(86_400_000 * 6))
                .retry_after_secs
                .is_none()
        );
    }
}
