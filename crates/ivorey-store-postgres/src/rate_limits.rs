//! Request counters shared by every server node on the database (`rate_limit_windows`, an
//! UNLOGGED table). The per-location overrides are the shared layer's (`sql/rate_limits.rs`).

use async_trait::async_trait;
use ivorey_core::Timestamp;
use ivorey_store::{RateCount, RateCounter, RateHit, StoreResult};

use crate::error::db_err;
use crate::store::PgStore;

const DAY_MS: i64 = 86_400_000;

fn to_db(limit: Option<u64>) -> Option<i64> {
    limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

fn from_db(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Counters in `rate_limit_windows`, shared by all nodes on this database.
#[derive(Debug, Clone)]
pub struct PgRateCounter {
    store: PgStore,
}

impl PgRateCounter {
    pub(crate) fn new(store: PgStore) -> Self {
        PgRateCounter { store }
    }
}

/// One statement, one round trip: read the location's overrides, then reserve in the
/// integration's burst window and, only if that granted something, in the location's daily
/// window. The grant is `LEAST(lease_max, what is left / 16)`, at least 1 while the window has
/// room, and never more than is left. `ON CONFLICT ... DO UPDATE ... WHERE count < max` locks
/// the window's row and re-checks it, and the `SET` expressions read the locked row, so
/// concurrent requests from any number of nodes never push a window past its limit; the grant
/// is stored in `last_grant` by the same update so it can be returned. The daily grant may be
/// smaller than the burst one (the burst window then keeps the difference as used: rare, and
/// only ever refuses early). The last two columns are the counts before this statement, for
/// the headers of a refusal.
const HIT: &str = "
WITH lim AS (
    SELECT COALESCE((SELECT burst_max FROM location_rate_limits WHERE location_id = $2), $5)
               AS burst_max,
           COALESCE((SELECT daily_max FROM location_rate_limits WHERE location_id = $2), $6)
               AS daily_max
),
want AS (
    SELECT LEAST($9::BIGINT, GREATEST(1, (lim.daily_max - d.count) / 16)) AS n,
           lim.daily_max - d.count AS daily_room
    FROM lim, (SELECT COALESCE((SELECT count FROM rate_limit_windows
                                WHERE key = 'd:' || $2 AND window_start = $4), 0) AS count) d
),
b AS (
    INSERT INTO rate_limit_windows AS w (key, window_start, count, expires_at, last_grant)
    SELECT 'b:' || $1, $3, g, $7, g
    FROM (SELECT LEAST(want.n, GREATEST(1, lim.burst_max / 16), lim.burst_max) AS g
          FROM want, lim WHERE want.daily_room > 0) first
    ON CONFLICT (key, window_start) DO UPDATE
        SET last_grant = LEAST(excluded.last_grant,
                               GREATEST(1, ((SELECT burst_max FROM lim) - w.count) / 16)),
            count = w.count + LEAST(excluded.last_grant,
                               GREATEST(1, ((SELECT burst_max FROM lim) - w.count) / 16))
        WHERE w.count < (SELECT burst_max FROM lim)
    RETURNING count, last_grant
),
d AS (
    INSERT INTO rate_limit_windows AS w (key, window_start, count, expires_at, last_grant)
    SELECT 'd:' || $2, $4, LEAST(b.last_grant, lim.daily_max), $8,
           LEAST(b.last_grant, lim.daily_max)
    FROM b, lim
    ON CONFLICT (key, window_start) DO UPDATE
        SET last_grant = LEAST(excluded.last_grant, (SELECT daily_max FROM lim) - w.count),
            count = w.count + LEAST(excluded.last_grant, (SELECT daily_max FROM lim) - w.count)
        WHERE w.count < (SELECT daily_max FROM lim)
    RETURNING count, last_grant
)
SELECT (SELECT burst_max FROM lim), (SELECT daily_max FROM lim),
       (SELECT count FROM b), (SELECT count FROM d), (SELECT last_grant FROM d),
       COALESCE((SELECT count FROM rate_limit_windows
                 WHERE key = 'b:' || $1 AND window_start = $3), 0),
       COALESCE((SELECT count FROM rate_limit_windows
                 WHERE key = 'd:' || $2 AND window_start = $4), 0)";

#[async_trait]
impl RateCounter for PgRateCounter {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn applies_location_limits(&self) -> bool {
        true
    }

    #[tracing::instrument(skip_all)]
    async fn hit(&self, hit: &RateHit<'_>) -> StoreResult<RateCount> {
        let client = self.store.client().await?;
        let statement = client.prepare_cached(HIT).await.map_err(db_err)?;
        let day_start = hit.day * DAY_MS;
        let row = client
            .query_one(
                &statement,
                &[
                    &hit.integration.as_str(),
                    &hit.location.as_str(),
                    &hit.burst_window,
                    &day_start,
                    &to_db(Some(hit.burst_max)),
                    &to_db(Some(hit.daily_max)),
                    &(hit.burst_window + hit.burst_interval_ms),
                    &(day_start + DAY_MS),
                    &to_db(Some(hit.lease_max.max(1))),
                ],
            )
            .await
            .map_err(db_err)?;
        let get = |i: usize| row.try_get::<_, Option<i64>>(i).map_err(db_err);
        let (burst_max, daily_max) = (get(0)?.unwrap_or(0), get(1)?.unwrap_or(0));
        let (burst_now, daily_now, granted) = (get(2)?, get(3)?, get(4)?);
        let (burst_before, daily_before) = (get(5)?.unwrap_or(0), get(6)?.unwrap_or(0));
        let admitted = burst_now.is_some() && daily_now.is_some();
        Ok(RateCount {
            burst_max: from_db(burst_max),
            daily_max: from_db(daily_max),
            burst_used: from_db(burst_now.unwrap_or(burst_before)),
            daily_used: from_db(daily_now.unwrap_or(daily_before)),
            admitted,
            granted: if admitted {
                from_db(granted.unwrap_or(0))
            } else {
                0
            },
        })
    }

    #[tracing::instrument(skip_all)]
    async fn purge_windows(&self, now: Timestamp) -> StoreResult<u64> {
        let client = self.store.client().await?;
        client
            .execute(
                "DELETE FROM rate_limit_windows WHERE expires_at <= $1",
                &[&now.millis()],
            )
            .await
            .map_err(db_err)
    }
}
