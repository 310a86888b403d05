//! Rate-limit counters in Redis, shared by every server node that points at the same Redis
//! (`--redis-url`). One Lua script per call checks and counts (or reserves a few requests in)
//! both windows atomically, so the limits hold across nodes; keys expire with their window.

use std::time::Duration;

use async_trait::async_trait;
use ivorey_core::Timestamp;
use ivorey_store::{DAY_MS, RateCount, RateCounter, RateHit, StoreError, StoreResult};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// How long one attempt may take: past it the request is limited by the node's own counters
/// (see the server's fallback) rather than waiting on Redis.
const TIMEOUT: Duration = Duration::from_millis(500);

/// Refuses when either window is full (counting nothing), else reserves
/// `min(lease_max, max(1, left / 16))` in both windows (`left`: the smaller room of the two).
/// Returns the counts and the grant (0 when refused). `GET` of a missing key is `false` in
/// Lua, hence `or 0`.
const HIT: &str = r"
local b = tonumber(redis.call('GET', KEYS[1]) or 0)
local d = tonumber(redis.call('GET', KEYS[2]) or 0)
local left = math.min(tonumber(ARGV[1]) - b, tonumber(ARGV[2]) - d)
if left < 1 then
  return {b, d, 0}
end
local g = math.min(tonumber(ARGV[5]), math.max(1, math.floor(left / 16)))
b = redis.call('INCRBY', KEYS[1], g)
if b == g then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
d = redis.call('INCRBY', KEYS[2], g)
if d == g then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return {b, d, g}
";

/// Counters in Redis. Clones share one connection, which reconnects by itself.
#[derive(Clone)]
pub struct RedisRateCounter {
    connection: ConnectionManager,
    script: redis::Script,
    prefix: String,
}

impl std::fmt::Debug for RedisRateCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateCounter")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisRateCounter {
    /// Prepares a connection to `url` (`redis://host:port/db`); it opens on first use, so a
    /// Redis that is down at start is not fatal. `prefix` starts every key, so several
    /// deployments (or tests) can share one Redis. Must be called inside a tokio runtime.
    pub fn new(url: &str, prefix: &str) -> StoreResult<RedisRateCounter> {
        // The parse error is not shown: it could quote the URL, password included.
        let client = redis::Client::open(url)
            .map_err(|_| StoreError::Unavailable("invalid Redis URL".into()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| StoreError::Unavailable(describe(&e)))?;
        Ok(RedisRateCounter {
            connection,
            script: redis::Script::new(HIT),
            prefix: prefix.to_owned(),
        })
    }
}

/// The error's category, never its detail (which can quote the URL).
fn describe(e: &redis::RedisError) -> String {
    format!("Redis: {:?}", e.kind())
}

fn ttl_ms(window_end: i64, now: i64) -> i64 {
    // A second of slack so a key never expires before its window ends on a slower clock.
    (window_end - now).max(1) + 1000
}

#[async_trait]
impl RateCounter for RedisRateCounter {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn hit(&self, hit: &RateHit<'_>) -> StoreResult<RateCount> {
        let burst_key = format!("{}b:{}:{}", self.prefix, hit.integration, hit.burst_window);
        let daily_key = format!("{}d:{}:{}", self.prefix, hit.location, hit.day);
        let now = hit.now.millis();
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let mut connection = self.connection.clone();
        let (burst_used, daily_used, granted): (i64, i64, i64) = self
            .script
            .key(&burst_key)
            .key(&daily_key)
            .arg(clamp(hit.burst_max))
            .arg(clamp(hit.daily_max))
            .arg(ttl_ms(hit.burst_window + hit.burst_interval_ms, now))
            .arg(ttl_ms((hit.day + 1) * DAY_MS, now))
            .arg(clamp(hit.lease_max.max(1)))
            .invoke_async(&mut connection)
            .await
            .map_err(|e| StoreError::Unavailable(describe(&e)))?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(RateCount {
            burst_max: hit.burst_max,
            daily_max: hit.daily_max,
            burst_used: count(burst_used),
            daily_used: count(daily_used),
            admitted: granted > 0,
            granted: count(granted),
        })
    }

    async fn purge_windows(&self, _now: Timestamp) -> StoreResult<u64> {
        // Keys expire on their own (PEXPIRE).
        Ok(0)
    }
}
