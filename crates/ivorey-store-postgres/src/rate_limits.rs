//! Rate limits in PostgreSQL: per-location overrides, and request counters shared by every
//! server node on the database (`rate_limit_windows`, an UNLOGGED table).

use std::sync::Arc;

use async_trait::async_trait;
use ivorey_core::audit::AuditEvent;
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::{
    LocationRateLimits, RateCount, RateCounter, RateHit, RateLimitStore, StoreError, StoreResult,
};

use crate::error::db_err;
use crate::{PgStore, audit};

const DAY_MS: i64 = 86_400_000;

fn to_db(limit: Option<u64>) -> Option<i64> {
    limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

fn from_db(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl RateLimitStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn location_rate_limits(&self, location: &LocationId) -> StoreResult<LocationRateLimits> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT burst_max, daily_max FROM location_rate_limits WHERE location_id = $1",
                &[&location.as_str()],
            )
            .await
            .map_err(db_err)?;
        let Some(row) = row else {
            return Ok(LocationRateLimits::default());
        };
        let burst: Option<i64> = row.try_get(0).map_err(db_err)?;
        let daily: Option<i64> = row.try_get(1).map_err(db_err)?;
        Ok(LocationRateLimits {
            burst_max: burst.map(from_db),
            daily_max: daily.map(from_db),
        })
    }

    #[tracing::instrument(skip_all)]
    async fn set_location_rate_limits(
        &self,
        location: &LocationId,
        limits: &LocationRateLimits,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        // Selecting from `locations` makes an unknown location insert nothing (NotFound)
        // instead of failing the foreign key.
        let changed = tx
            .execute(
                "INSERT INTO location_rate_limits (location_id, burst_max, daily_max, updated_at)
                 SELECT id, $2, $3, $4 FROM locations WHERE id = $1
                 ON CONFLICT (location_id) DO UPDATE SET burst_max = excluded.burst_max,
                    daily_max = excluded.daily_max, updated_at = excluded.updated_at",
                &[
                    &location.as_str(),
                    &to_db(limits.burst_max),
                    &to_db(limits.daily_max),
                    &audit.at.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        audit::insert(&tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    fn shared_rate_counter(&self) -> Option<Arc<dyn RateCounter>> {
        Some(Arc::new(PgRateCounter {
            store: self.clone(),
        }))
    }
}

/// Counters in `rate_limit_windows`, shared by all nodes on this database.
#[derive(Debug, Clone)]
pub struct PgRateCounter {
    store: PgStore,
}

/// One statement, one round trip: read the location's overrides, then count the request in the
/// integration's burst window and, only if that admitted it, in the location's daily window.
/// `ON CONFLICT ... DO UPDATE ... WHERE count < max` locks the window's row and re-checks the
/// count, so concurrent requests from any number of nodes never push a window past its limit.
/// The last two columns are the counts before this statement, for the headers of a refusal.
const HIT: &str = "
WITH lim AS (
    SELECT COALESCE((SELECT burst_max FROM location_rate_limits WHERE location_id = $2), $5)
               AS burst_max,
           COALESCE((SELECT daily_max FROM location_rate_limits WHERE location_id = $2), $6)
               AS daily_max
),
b AS (
    INSERT INTO rate_limit_windows AS w (key, window_start, count, expires_at)
    SELECT 'b:' || $1, $3, 1, $7 FROM lim
    WHERE COALESCE((SELECT count FROM rate_limit_windows
                    WHERE key = 'd:' || $2 AND window_start = $4), 0) < lim.daily_max
    ON CONFLICT (key, window_start) DO UPDATE SET count = w.count + 1
        WHERE w.count < (SELECT burst_max FROM lim)
    RETURNING count
),
d AS (
    INSERT INTO rate_limit_windows AS w (key, window_start, count, expires_at)
    SELECT 'd:' || $2, $4, 1, $8 FROM b
    ON CONFLICT (key, window_start) DO UPDATE SET count = w.count + 1
        WHERE w.count < (SELECT daily_max FROM lim)
    RETURNING count
)
SELECT (SELECT burst_max FROM lim), (SELECT daily_max FROM lim),
       (SELECT count FROM b), (SELECT count FROM d),
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
                ],
            )
            .await
            .map_err(db_err)?;
        let get = |i: usize| row.try_get::<_, Option<i64>>(i).map_err(db_err);
        let (burst_max, daily_max) = (get(0)?.unwrap_or(0), get(1)?.unwrap_or(0));
        let (burst_now, daily_now) = (get(2)?, get(3)?);
        let (burst_before, daily_before) = (get(4)?.unwrap_or(0), get(5)?.unwrap_or(0));
        Ok(RateCount {
            burst_max: from_db(burst_max),
            daily_max: from_db(daily_max),
            burst_used: from_db(burst_now.unwrap_or(burst_before)),
            daily_used: from_db(daily_now.unwrap_or(daily_before)),
            admitted: burst_now.is_some() && daily_now.is_some(),
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
